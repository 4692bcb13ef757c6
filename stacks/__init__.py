"""The app's stacks: for every deployment, its `wandb` and `wandb-storage` stacks, built from
one validated `Settings` each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cdktf import Annotations, App

from constructs_lib.rules import apply_rules
from settings import DEFAULT_OUTDIR, Settings
from settings.naming import stack_id
from stacks import storage_stack, wandb_stack


def build_app(app: App, deployments: Settings | Sequence[Settings], outdir: Path = DEFAULT_OUTDIR) -> None:
    """Adds the stacks of every deployment to `app` (a single Settings: one deployment). `outdir`:
    where Terraform will find the stacks (`<outdir>/stacks/<id>`); the paths the stacks name (local
    state, settings file) are written relative to it."""
    for settings in [deployments] if isinstance(deployments, Settings) else deployments:
        wandb = wandb_stack.WandbStack(app, stack_id(wandb_stack.KIND, settings.deployment), settings, outdir)
        storage_stack.WandbStorageStack(app, stack_id(storage_stack.KIND, settings.deployment), settings, outdir)
        # The settings' warnings (e.g. AWS's EKS calendar), where `cdktf synth` prints them as WARN lines.
        for warning in settings.warnings:
            Annotations.of(wandb).add_warning(str(warning))
    # Last: the security rules (docs/security.md) run over every stack added above.
    apply_rules(app)
