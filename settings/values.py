"""The value classes the settings are parsed into: frozen, and the license kept out of repr()."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from release_catalog import layouts
from release_catalog.layouts import InfraRelease, Layout
from release_catalog.releases import ModuleRelease
from settings.errors import SettingsWarning
from settings.naming import state_key_for


@dataclass(frozen=True)
class StateSettings:
    """Where Terraform keeps the state. `bucket` None: local state files at the project root."""

    bucket: str | None
    key: str  # the `wandb` stack's key; the other stacks keep theirs beside it
    region: str
    lock_table: str | None
    role_arn: str | None
    profile: str | None
    kms_key_id: str | None

    def key_for(self, stack_kind: str) -> str:
        """The state object of one of the deployment's stacks: `key` itself for stack `wandb` (so an
        existing deployment's state is adopted as it is), `<kind>.tfstate` beside it for the others."""
        return state_key_for(self.key, stack_kind)


@dataclass(frozen=True)
class HcpSettings:
    """HCP Terraform / Terraform Enterprise as the state and run engine (`hcp_organization` set).
    Each stack gets one workspace: named `workspace_prefix + stack id`, or, with `workspace_tags`,
    selected by those tags (plus the stack's own tags, `workspace_tags_for`)."""

    organization: str
    hostname: str  # app.terraform.io, or a Terraform Enterprise host
    project: str | None
    workspace_prefix: str
    workspace_tags: tuple[str, ...]  # empty: workspaces by name
    execution_mode: str  # "remote" | "local" | "agent"
    # The optional `hcp-workspaces` stack (stacks/hcp_workspaces_stack.py): it creates the workspaces.
    manage_workspaces: bool
    terraform_version: str  # the workspaces' Terraform version
    # Attached to the role the runs assume (dynamic credentials); empty with execution_mode "local",
    # where Terraform runs with your own credentials and the stack creates no role.
    aws_run_role_policy_arns: tuple[str, ...]
    aws_oidc_provider_arn: str | None  # an existing OIDC provider for `hostname`; None: the stack creates one
    agent_pool_id: str | None  # the agent pool (execution_mode "agent" only)

    @property
    def remote(self) -> bool:
        """Terraform runs on HCP's workers or agents: the settings file does not travel with the run."""
        return self.execution_mode != "local"

    def workspace_name(self, stack: str) -> str:
        return self.workspace_prefix + stack

    def workspace_tags_for(self, stack: str) -> tuple[str, ...]:
        """With tags: the shared tags and one naming the stack, so that each stack selects its own.
        Without (workspaces by name): none."""
        return (*self.workspace_tags, f"stack:{stack}") if self.workspace_tags else ()


@dataclass(frozen=True)
class StorageSettings:
    """The `wandb-storage` stack. `bucket_name` None: derived at deploy time from the account id."""

    bucket_name: str | None
    queue_name: str
    cors_origins: tuple[str, ...]
    node_role_name: str | None
    noncurrent_version_days: int
    force_destroy: bool


@dataclass(frozen=True)
class Settings:
    """Validated settings, as `parse_settings` builds them. `license` is kept out of repr() so
    it cannot leak into a log."""

    source: Path  # the settings file, absolute
    defaults_source: Path | None  # a deployments folder's defaults file, which `source` overrides key by key
    deployment: str | None  # the deployment's name in a deployments folder; None for a single settings file
    from_example: bool  # read from terraform.tfvars.example (the fallback on a fresh clone)
    file_keys: tuple[str, ...]  # every key the file sets, as written there (aliases included)
    namespace: str
    domain_name: str
    zone_id: str
    allowed_inbound_cidr: tuple[str, ...]
    allowed_inbound_ipv6_cidr: tuple[str, ...]
    subdomain: str | None
    eks_cluster_version: str | None
    kubernetes_auth: layouts.KubernetesAuth
    region: str
    default_tags: Mapping[str, str]
    infra: InfraRelease
    app_version: str
    wandb_version: str | None
    wandb_image: str | None
    state: StateSettings
    hcp: HcpSettings | None  # None: the state backend is `state` (local file or S3)
    storage: StorageSettings
    # Inputs of the chosen wandb/wandb/aws release that the settings file sets explicitly.
    module_inputs: Mapping[str, Any]
    # What the settings should change, though they may be deployed (e.g. AWS's EKS calendar).
    warnings: tuple[SettingsWarning, ...]
    license: str | None = field(repr=False, compare=False)

    @property
    def layout(self) -> Layout:
        return self.infra.layout

    @property
    def infra_release(self) -> ModuleRelease:
        return self.infra.release

    @property
    def app_release(self) -> ModuleRelease:
        return layouts.app_release(self.app_version)

    @property
    def fqdn(self) -> str:
        return fqdn(self.subdomain, self.domain_name)

    def infra_input(self, name: str) -> Any:
        """What the stack writes for `wandb_infra` input `name`: the setting, else the app's default."""
        if name in self.module_inputs:
            return self.module_inputs[name]
        return layouts.written_default(self.layout, name)


def fqdn(subdomain: str | None, domain_name: str) -> str:
    """The W&B server's host name: `<subdomain>.<domain_name>`, or the domain without a subdomain."""
    return f"{subdomain}.{domain_name}" if subdomain else domain_name
