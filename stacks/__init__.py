"""The app's stacks, built from one validated `Settings`."""

from __future__ import annotations

from cdktf import App

from constructs_lib.rules import apply_rules
from settings import Settings
from stacks.storage_stack import WandbStorageStack
from stacks.wandb_stack import WandbStack


def build_app(app: App, settings: Settings) -> None:
    """Adds every stack of the app to `app`."""
    WandbStack(app, "wandb", settings)
    WandbStorageStack(app, "wandb-storage", settings)
    # Last: the security rules (docs/security.md) run over every stack added above.
    apply_rules(app)
