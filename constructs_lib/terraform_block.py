"""The stack's `terraform` block: version constraints and the state backend.

Version constraints: the prebuilt bindings write the exact provider version they were generated
from into `terraform.required_providers`, which cannot be satisfied together with the W&B
module's own constraints; `pin_versions` replaces them with ranges that can
(`release_catalog.constraints` joins them).

State: a local file (`LocalState`, a path relative to the stack's working directory), the S3
backend (`S3State`: encrypted, with locking: S3-native lock file, or a DynamoDB table if one is
named), or an HCP Terraform / Terraform Enterprise workspace (`CloudState`: a `cloud` block, by
workspace name or by tags).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import (
    CloudBackend,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    S3BackendAssumeRoleConfig,
    TaggedCloudWorkspaces,
    TerraformStack,
)


def pin_versions(stack: TerraformStack, terraform: str, providers: Mapping[str, str]) -> None:
    """Sets `required_version` and each provider's version constraint."""
    stack.add_override("terraform.required_version", terraform)
    for name, constraint in providers.items():
        stack.add_override(f"terraform.required_providers.{name}.version", constraint)


@dataclass(frozen=True)
class LocalState:
    """path: the state file, relative to the stack's working directory (so no absolute path of
    the synthesizing machine lands in the JSON)."""

    path: str


@dataclass(frozen=True)
class S3State:
    """bucket, key, region: where the state object lives.
    lock_table: a DynamoDB table for locking (default None: S3-native locking, `use_lockfile`,
        Terraform >= 1.10).
    role_arn: an IAM role to assume for the state (default None: the caller's credentials).
    profile: an AWS profile for the state (default None).
    kms_key_id: a KMS key ARN for the state object (default None: SSE-S3)."""

    bucket: str
    key: str
    region: str
    lock_table: str | None = None
    role_arn: str | None = None
    profile: str | None = None
    kms_key_id: str | None = None


@dataclass(frozen=True)
class CloudState:
    """organization, hostname: the HCP Terraform organization and host (app.terraform.io, or a
        Terraform Enterprise host), written even when it is the default, so the JSON says where.
    workspace: the workspace's name; or, when `tags` is not empty, None: the workspace is the one
        carrying all of `tags`.
    project: the HCP Terraform project (default None: the organization's default project).
    The token comes from `terraform login` or TF_TOKEN_<host>, never from the configuration."""

    organization: str
    hostname: str
    workspace: str | None
    tags: tuple[str, ...] = ()
    project: str | None = None


def configure_state(stack: TerraformStack, state: LocalState | S3State | CloudState) -> None:
    """Writes the stack's backend."""
    if isinstance(state, LocalState):
        LocalBackend(stack, path=state.path)
        return
    if isinstance(state, CloudState):
        workspaces: NamedCloudWorkspace | TaggedCloudWorkspaces
        if state.tags:
            workspaces = TaggedCloudWorkspaces(tags=list(state.tags), project=state.project)
        elif state.workspace is not None:
            workspaces = NamedCloudWorkspace(name=state.workspace, project=state.project)
        else:
            raise ValueError("CloudState needs a workspace name or tags")
        CloudBackend(stack, organization=state.organization, hostname=state.hostname, workspaces=workspaces)
        return
    S3Backend(
        stack,
        bucket=state.bucket,
        key=state.key,
        region=state.region,
        encrypt=True,
        dynamodb_table=state.lock_table,
        profile=state.profile,
        kms_key_id=state.kms_key_id,
        assume_role=S3BackendAssumeRoleConfig(role_arn=state.role_arn) if state.role_arn else None,
    )
    if state.lock_table is None:
        # cdktf 0.21's S3Backend has no `use_lockfile`; Terraform >= 1.10 supports it.
        stack.add_override("terraform.backend.s3.use_lockfile", True)
