"""A W&B Terraform module (`wandb/wandb/aws` or `wandb/wandb/kubernetes`) as a construct.

The construct pins one release, checks its inputs against that release's declared interface
(every input declared, every required input given) at construction time, and keeps the
Terraform address the guide uses (`module.<name>`) wherever the construct sits in the tree, so
state made from the guide's HCL stays valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cdktf import ITerraformDependable, TerraformHclModule, Token
from constructs import Construct

from release_catalog.layouts import NULL
from release_catalog.releases import ModuleRelease


@dataclass(frozen=True)
class WandbModuleProps:
    """What a W&B module block is made of.

    release: the module release to pin (its constraint becomes the block's `version`).
    inputs: the module arguments; every key must be an input `release` declares, and every
        input it requires must be present. Use `release_catalog.layouts.NULL` for an explicit
        Terraform null.
    depends_on: other resources or modules to apply first (default: none).
    """

    release: ModuleRelease
    inputs: Mapping[str, Any]
    depends_on: Sequence[ITerraformDependable] = field(default_factory=tuple)


class WandbModule(Construct):
    """One `module` block of a W&B module release."""

    def __init__(self, scope: Construct, id: str, props: WandbModuleProps):
        super().__init__(scope, id)
        release = props.release
        undeclared = release.undeclared(props.inputs)
        if undeclared:
            raise ValueError(f"{release.label} declares no input {', '.join(undeclared)}")
        missing = release.missing_required(props.inputs)
        if missing:
            raise ValueError(f"{release.label} requires the input(s) {', '.join(missing)}")

        self.release = release
        self.module = TerraformHclModule(
            self,
            "module",
            source=release.source,
            version=release.constraint,
            variables={k: (Token.null_value() if v is NULL else v) for k, v in props.inputs.items()},
            depends_on=list(props.depends_on) or None,
        )
        self.module.override_logical_id(id)  # the address is `module.<id>`, as in the guide's HCL

    def output(self, name: str) -> str:
        """A reference to one of the release's outputs (a string token)."""
        return self.module.get_string(self._declared_output(name))

    def output_any(self, name: str) -> Any:
        """A reference to one of the release's outputs, of any type (e.g. a number)."""
        return self.module.get(self._declared_output(name))

    def _declared_output(self, name: str) -> str:
        if name not in self.release.outputs:
            raise ValueError(f"{self.release.label} has no output {name!r}")
        return name


class WandbInfra(WandbModule):
    """`wandb/wandb/aws`: the VPC, EKS, Aurora, S3, KMS, DNS and (from 4.x) the W&B operator."""

    @property
    def cluster_name(self) -> str:
        """The EKS cluster's name: the output is `cluster_name` from 7.x, `cluster_id` before."""
        return self.output("cluster_name" if "cluster_name" in self.release.outputs else "cluster_id")
