"""The app's stacks, built from one validated `Settings`."""

from __future__ import annotations

from cdktf import Annotations, App

from constructs_lib.rules import apply_rules
from settings import Settings
from stacks import storage_stack, wandb_stack


def build_app(app: App, settings: Settings) -> None:
    """Adds every stack of the app to `app`."""
    wandb = wandb_stack.WandbStack(app, wandb_stack.STACK_ID, settings)
    storage_stack.WandbStorageStack(app, storage_stack.STACK_ID, settings)
    # The settings' warnings (e.g. AWS's EKS calendar), where `cdktf synth` prints them as WARN lines.
    for warning in settings.warnings:
        Annotations.of(wandb).add_warning(str(warning))
    # Last: the security rules (docs/security.md) run over every stack added above.
    apply_rules(app)
