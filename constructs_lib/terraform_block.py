"""The stack's `terraform` block: version constraints and the state backend.

Version constraints: the prebuilt bindings write the exact provider version they were generated
from into `terraform.required_providers` (aws 6.25.0, helm 3.1.1, kubernetes 2.38.0), which
cannot be satisfied together with the W&B module's own constraints (aws ~> 4.0, helm < 3.0.0).
`pin_versions` replaces them with ranges that can.

State: local by default, in `terraform.<stack>.tfstate` at the project root, written as a path
relative to the stack's working directory (`cdktf.out/stacks/<stack>`), so deleting `cdktf.out`
never loses state and no absolute path of the synthesizing machine lands in the JSON. Remote: the
S3 backend, encrypted, with locking (S3-native lock file, or a DynamoDB table if one is named).
"""

from __future__ import annotations

import posixpath
from typing import Mapping

from cdktf import LocalBackend, S3Backend, TerraformStack

from settings import StateSettings

# From cdktf.out/stacks/<stack> back to the project root (cdktf.json's "output" is cdktf.out).
PROJECT_ROOT_FROM_STACK_DIR = "../../.."


def pin_versions(stack: TerraformStack, terraform: str, providers: Mapping[str, str]) -> None:
    """Sets `required_version` and each provider's version constraint."""
    stack.add_override("terraform.required_version", terraform)
    for name, constraint in providers.items():
        stack.add_override(f"terraform.required_providers.{name}.version", constraint)


def state_key(wandb_key: str, stack_name: str) -> str:
    """`state_key` is the exact key of the `wandb` stack (so an existing deployment's state can be
    adopted as it is); every other stack keeps its state beside it, as `<stack>.tfstate`."""
    if stack_name == "wandb":
        return wandb_key
    return posixpath.join(posixpath.dirname(wandb_key), f"{stack_name}.tfstate")


def configure_state(stack: TerraformStack, stack_name: str, state: StateSettings) -> None:
    if not state.remote:
        LocalBackend(stack, path=f"{PROJECT_ROOT_FROM_STACK_DIR}/terraform.{stack_name}.tfstate")
        return
    S3Backend(
        stack,
        bucket=state.bucket,
        key=state_key(state.key, stack_name),
        region=state.region,
        encrypt=True,
        dynamodb_table=state.lock_table,
    )
    if state.lock_table is None:
        # cdktf 0.21's S3Backend has no `use_lockfile`; Terraform >= 1.10 supports it.
        stack.add_override("terraform.backend.s3.use_lockfile", True)
