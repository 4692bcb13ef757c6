"""Stack naming: the stacks every deployment has, their ids, and where each keeps its state
beside the `wandb` stack's."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import NamedTuple, Protocol

# The stacks every deployment has (stacks/ builds them): the W&B deployment and the
# bring-your-own file storage. In a deployments folder their ids are `<deployment>--<kind>`.
MAIN_STACK_KIND = "wandb"
STACK_KINDS = (MAIN_STACK_KIND, "wandb-storage")
# The optional app-level stack that creates the HCP Terraform workspaces of every deployment that
# sets `hcp_manage_workspaces` (one per app, never per deployment: its ids hold no "--").
HCP_WORKSPACES_STACK = "hcp-workspaces"


def stack_id(kind: str, deployment: str | None) -> str:
    """`wandb`, `wandb-storage` for a single settings file; `<deployment>--wandb`, ... in a
    deployments folder (a name never holds "--", so '<deployment>--*' selects exactly its stacks)."""
    return kind if deployment is None else f"{deployment}--{kind}"


def state_key_for(main_key: str, stack_kind: str) -> str:
    """The state object of one of the deployment's stacks: `main_key` itself for stack `wandb` (so
    an existing deployment's state is adopted as it is), `<kind>.tfstate` beside it for the others."""
    if stack_kind == MAIN_STACK_KIND:
        return main_key
    return posixpath.join(posixpath.dirname(main_key), f"{stack_kind}.tfstate")


class AppStack(NamedTuple):
    """One stack of the app: its id, its kind (a STACK_KINDS entry or HCP_WORKSPACES_STACK) and its
    deployment (None for a single settings file, and for the app-level `hcp-workspaces`)."""

    id: str
    kind: str
    deployment: str | None


class _Hcp(Protocol):
    @property
    def manage_workspaces(self) -> bool: ...


class _Deployment(Protocol):
    """What app_stacks reads of a deployment's Settings (settings.values imports this module)."""

    @property
    def deployment(self) -> str | None: ...

    @property
    def hcp(self) -> _Hcp | None: ...


def manages_workspaces(deployment: _Deployment) -> bool:
    """Whether stack `hcp-workspaces` creates this deployment's workspaces (`hcp_manage_workspaces`)."""
    return deployment.hcp is not None and deployment.hcp.manage_workspaces


def app_stacks(deployments: Iterable[_Deployment]) -> tuple[AppStack, ...]:
    """Every stack the app synthesizes from these deployments (LoadedSettings.deployments), in
    order: each deployment's STACK_KINDS, then `hcp-workspaces` once when any deployment's `hcp`
    settings say `manage_workspaces`. The one definition of the stack set: the app builds these
    stacks, `./scripts/stacks` lists them (settings/stack_list.py)."""
    deployments = tuple(deployments)
    stacks = [AppStack(stack_id(kind, d.deployment), kind, d.deployment) for d in deployments for kind in STACK_KINDS]
    if any(manages_workspaces(d) for d in deployments):
        stacks.append(AppStack(HCP_WORKSPACES_STACK, HCP_WORKSPACES_STACK, None))
    return tuple(stacks)


def app_stack_ids(deployments: Iterable[_Deployment]) -> tuple[str, ...]:
    """The ids of app_stacks(deployments), in the same order."""
    return tuple(stack.id for stack in app_stacks(deployments))
