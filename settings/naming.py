"""Stack naming: the stacks every deployment has, their ids, and where each keeps its state
beside the `wandb` stack's."""

from __future__ import annotations

import posixpath

# The stacks every deployment has (stacks/ builds them): the W&B deployment and the
# bring-your-own file storage. In a deployments folder their ids are `<deployment>--<kind>`.
MAIN_STACK_KIND = "wandb"
STACK_KINDS = (MAIN_STACK_KIND, "wandb-storage")


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
