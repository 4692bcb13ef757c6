"""The Terraform and provider version constraints a stack's root must declare so that
`terraform init` can satisfy every module it uses.

The prebuilt CDKTF bindings write the exact provider versions they were generated from (aws
6.25.0, helm 3.1.1, kubernetes 2.38.0), which no W&B module admits; the stacks replace them with
these joined ranges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from release_catalog.releases import ModuleRelease

# S3-native state locking (`use_lockfile`) needs Terraform 1.10; every stack requires it.
TERRAFORM_FLOOR = ">= 1.10"

# The root's own constraint for a provider no module constrains. helm: the provider block is
# written in the helm 2.x form (`kubernetes { ... }` block), and 7.x requires helm < 3.0.0.
ROOT_ONLY_CONSTRAINTS: Mapping[str, str] = {"helm": "< 3.0.0"}


def terraform_constraint(modules: Sequence[ModuleRelease]) -> str:
    """Every module's Terraform constraint and the app's floor, joined."""
    found = [m.version_constraints["terraform"] for m in modules if "terraform" in m.version_constraints]
    return ", ".join(_unique([*found, TERRAFORM_FLOOR]))


def provider_constraint(provider: str, modules: Sequence[ModuleRelease]) -> str:
    """Every module's constraint on `provider`, joined: satisfiable exactly when theirs are."""
    found = _unique([m.version_constraints[provider] for m in modules if provider in m.version_constraints])
    return ", ".join(found) if found else ROOT_ONLY_CONSTRAINTS[provider]


def provider_constraints(providers: Iterable[str], modules: Sequence[ModuleRelease]) -> dict[str, str]:
    return {p: provider_constraint(p, modules) for p in providers}


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
