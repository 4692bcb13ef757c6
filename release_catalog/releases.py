"""The W&B Terraform module releases the app knows, and the interface of each.

The interface facts (every input variable with its type and whether it is required or nullable,
every output, the provider constraints of the module's root) are the project's own copy, in
``data/wandb_module_interfaces.json``, of the verified facts in ``shared/reference``
(``scripts/regenerate_interfaces`` rebuilds it from the module repositories).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

_INTERFACES_FILE = Path(__file__).parent / "data" / "wandb_module_interfaces.json"

AWS_MODULE_SOURCE = "wandb/wandb/aws"
KUBERNETES_MODULE_SOURCE = "wandb/wandb/kubernetes"

# `size` values the module defines (FACTS.md: 4.7.2 and later).
STANDARD_SIZES = ("small", "medium", "large", "xlarge", "xxlarge")


@dataclass(frozen=True)
class ModuleVariable:
    """One input variable of a module release."""

    name: str
    type: str  # a Terraform type expression, as terraform-config-inspect writes it
    required: bool
    nullable: bool = True
    default: Any = field(default=None, compare=False)  # the module's default (None: none, or null)


@dataclass(frozen=True)
class ModuleRelease:
    """A module release as the app pins it: the constraint written into the module block, the
    release that constraint resolves to today, and that release's interface."""

    source: str
    constraint: str  # what the synthesized module block says, e.g. "~> 7.0"
    resolved: str  # the newest release the constraint matches (FACTS.md)
    variables: Mapping[str, ModuleVariable]
    outputs: frozenset[str]
    version_constraints: Mapping[str, str]  # terraform / provider constraints of the module root

    @property
    def label(self) -> str:
        if self.constraint == self.resolved:
            return f"{self.source} {self.resolved}"
        return f"{self.source} {self.constraint} (resolves to {self.resolved})"

    @property
    def required_inputs(self) -> frozenset[str]:
        return frozenset(n for n, v in self.variables.items() if v.required)

    def declares(self, name: str) -> bool:
        return name in self.variables

    def undeclared(self, inputs: Mapping[str, Any]) -> list[str]:
        return sorted(k for k in inputs if k not in self.variables)

    def missing_required(self, inputs: Mapping[str, Any]) -> list[str]:
        return sorted(self.required_inputs - set(inputs))


@lru_cache(maxsize=1)
def _interfaces() -> Mapping[str, Mapping[str, Any]]:
    data: Mapping[str, Mapping[str, Any]] = json.loads(_INTERFACES_FILE.read_text())
    return data


@cache
def module_release(source: str, constraint: str, resolved: str) -> ModuleRelease:
    """The release `resolved` of module `source`, pinned as `constraint`."""
    raw = _interfaces()[source][resolved]
    variables = {
        name: ModuleVariable(
            name=name, type=spec["type"], required=spec["required"], nullable=spec.get("nullable", True), default=spec.get("default")
        )
        for name, spec in raw["variables"].items()
    }
    return ModuleRelease(
        source=source,
        constraint=constraint,
        resolved=resolved,
        variables=variables,
        outputs=frozenset(raw["outputs"]),
        version_constraints=dict(raw["version_constraints"]),
    )


def normalize_constraint(text: str) -> str:
    """`~>7.0` and `~> 7.0` are the same constraint; write it the canonical way."""
    return re.sub(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*", lambda m: f"{m.group(1)} " if m.group(1) else "", text).strip()
