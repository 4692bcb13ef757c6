"""The settings pipeline: aliases, the release, field typing, the cross-field rules, the value
classes. Each step raises SettingsError naming the file and the setting."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from release_catalog import layouts
from release_catalog.releases import normalize_constraint
from settings import fields
from settings.errors import SettingsError, SettingsWarning
from settings.rules import Context, run_rules
from settings.values import HcpSettings, Settings, StateSettings, StorageSettings, fqdn


def parse_settings(
    raw: Mapping[str, Any],
    source: str | Path,
    *,
    from_example: bool = False,
    display: str | None = None,
    today: date | None = None,
    deployment: str | None = None,
    defaults_source: Path | None = None,
) -> Settings:
    """Validates the key/value pairs of a settings file. Raises SettingsError on the first problem.

    source: the settings file (relative paths are taken from the working directory).
    display: how messages name the file (default: `source` as given).
    today: the day AWS's EKS calendar is read for (default: today).
    deployment, defaults_source: the deployment's name and its folder's defaults file, for a
        file of a deployments folder (settings.deployments merges the two into `raw`)."""
    shown = display or str(source)

    def fail(name: str | None, message: str) -> SettingsError:
        return SettingsError(shown, name, message)

    values = fields.apply_aliases(dict(raw), fail)
    infra = fields.choose_release(values, fail)
    typed = fields.type_app_keys(values, infra, fail)
    module_inputs = fields.type_module_inputs(values, infra.release, fail)
    ctx = Context(shown, values, infra, typed, module_inputs, today, deployment)
    warnings = run_rules(ctx)
    return _settings(ctx, raw, Path(source), from_example, deployment, defaults_source, tuple(warnings))


def _settings(
    ctx: Context,
    raw: Mapping[str, Any],
    source: Path,
    from_example: bool,
    deployment: str | None,
    defaults_source: Path | None,
    warnings: tuple[SettingsWarning, ...],
) -> Settings:
    """The value classes, from the typed settings."""
    typed = ctx.typed
    return Settings(
        source=source.absolute(),
        defaults_source=defaults_source.absolute() if defaults_source is not None else None,
        deployment=deployment,
        from_example=from_example,
        file_keys=tuple(raw),
        namespace=typed["namespace"],
        domain_name=typed["domain_name"],
        zone_id=typed["zone_id"],
        allowed_inbound_cidr=tuple(typed["allowed_inbound_cidr"]),
        allowed_inbound_ipv6_cidr=tuple(typed["allowed_inbound_ipv6_cidr"]),
        subdomain=typed["subdomain"],
        eks_cluster_version=typed["eks_cluster_version"],
        kubernetes_auth=layouts.KubernetesAuth(typed["kubernetes_auth"]),
        region=typed["region"],
        default_tags=MappingProxyType(dict(typed["default_tags"])),
        infra=ctx.infra,
        app_version=normalize_constraint(typed["wandb_app_version"]),
        wandb_version=typed["wandb_version"],
        wandb_image=typed["wandb_image"],
        state=_state_settings(ctx, deployment),
        hcp=_hcp_settings(typed),
        storage=_storage_settings(typed),
        module_inputs=MappingProxyType(dict(ctx.module_inputs)),
        warnings=warnings,
        license=typed["license"],
    )


def _state_settings(ctx: Context, deployment: str | None) -> StateSettings:
    typed = ctx.typed
    state_key = typed["state_key"]
    if deployment is not None and "state_key" not in ctx.values:
        state_key = f"wandb/{deployment}/terraform.tfstate"
    return StateSettings(
        bucket=typed["state_bucket"],
        key=state_key,
        region=typed["state_region"] or typed["region"],
        lock_table=typed["state_lock_table"],
        role_arn=typed["state_role_arn"],
        profile=typed["state_profile"],
        kms_key_id=typed["state_kms_key_id"],
    )


def _hcp_settings(typed: Mapping[str, Any]) -> HcpSettings | None:
    if typed["hcp_organization"] is None:
        return None
    return HcpSettings(
        organization=typed["hcp_organization"],
        hostname=typed["hcp_hostname"],
        project=typed["hcp_project"],
        workspace_prefix=typed["hcp_workspace_prefix"],
        workspace_tags=tuple(typed["hcp_workspace_tags"]),
        execution_mode=typed["hcp_execution_mode"],
        manage_workspaces=typed["hcp_manage_workspaces"],
        terraform_version=typed["hcp_terraform_version"],
        aws_run_role_policy_arns=tuple(typed["hcp_aws_run_role_policy_arns"]),
        aws_oidc_provider_arn=typed["hcp_aws_oidc_provider_arn"],
        agent_pool_id=typed["hcp_agent_pool_id"],
    )


def _storage_settings(typed: Mapping[str, Any]) -> StorageSettings:
    return StorageSettings(
        bucket_name=typed["storage_bucket_name"],
        queue_name=typed["storage_queue_name"] or f"{typed['namespace']}-wandb-file-events",
        cors_origins=tuple(typed["storage_cors_origins"] or [f"https://{fqdn(typed['subdomain'], typed['domain_name'])}"]),
        node_role_name=typed["storage_node_role_name"],
        noncurrent_version_days=int(typed["storage_noncurrent_version_days"]),
        force_destroy=typed["storage_force_destroy"],
    )
