"""The app's stacks: for every deployment, its `wandb` and `wandb-storage` stacks, built from
one validated `Settings` each; and, when a deployment asks for it, the app-level `hcp-workspaces`
(settings.naming.app_stacks says which: `./scripts/stacks` lists the same set)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cdktf import Annotations, App

from constructs_lib.rules import apply_rules
from settings import DEFAULT_OUTDIR, Settings
from settings.naming import HCP_WORKSPACES_STACK, app_stacks
from stacks import storage_stack, wandb_stack

# The stacks each deployment has, by kind (settings.naming.STACK_KINDS).
DEPLOYMENT_STACKS = {wandb_stack.KIND: wandb_stack.WandbStack, storage_stack.KIND: storage_stack.WandbStorageStack}


def build_app(app: App, deployments: Settings | Sequence[Settings], outdir: Path = DEFAULT_OUTDIR, export_dir: str | None = None) -> None:
    """Adds the stacks of every deployment to `app` (a single Settings: one deployment). `outdir`:
    where Terraform will find the stacks (`<outdir>/stacks/<id>`); the paths the stacks name (local
    state, settings file) are written relative to it. `export_dir` (./scripts/export): instead, the
    folder the stacks are exported to, each as `<export_dir>/<id>`."""
    if export_dir:
        from stacks.stack_folders import ExportFolder

        outdir = ExportFolder(export_dir)
    every = [deployments] if isinstance(deployments, Settings) else list(deployments)
    by_name = {settings.deployment: settings for settings in every}
    for stack in app_stacks(every):
        if stack.kind == HCP_WORKSPACES_STACK:
            # Imported here: its constructs load binding modules (tfe, the aws OIDC provider and
            # role) that no other stack uses, so a synth without it never loads them.
            from stacks.hcp_workspaces_stack import HcpWorkspacesStack

            HcpWorkspacesStack(app, stack.id, every, outdir)
            continue
        settings = by_name[stack.deployment]
        built = DEPLOYMENT_STACKS[stack.kind](app, stack.id, settings, outdir)
        if stack.kind == wandb_stack.KIND:
            # The settings' warnings (e.g. AWS's EKS calendar), where `cdktf synth` prints them as WARN lines.
            for warning in settings.warnings:
                Annotations.of(built).add_warning(str(warning))
    # Last: the security rules (docs/security.md) run over every stack added above.
    apply_rules(app)
