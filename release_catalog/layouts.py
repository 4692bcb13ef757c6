"""The layouts of stack `wandb`, one per generation of `wandb/wandb/aws` the guide describes, and
for each the module releases it pins and the inputs the app always writes.

A layout is chosen by the `wandb_infra_version` setting. Every layout keeps the stack id, the
backend, `module.wandb_infra` and the outputs, so moving between them is a settings change.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from release_catalog.eks_versions import LAST_AL2_VERSION, minor
from release_catalog.releases import AWS_MODULE_SOURCE, KUBERNETES_MODULE_SOURCE, ModuleRelease, module_release


class Layout(enum.Enum):
    """recommended: the guide's deployment (7.x); pre-operator: 1.16.10 with the separate
    `wandb/wandb/kubernetes` app module; post-operator: 4.7.2, the operator inside the module;
    v8: 8.x, the current release (EKS module v20, Amazon Linux 2023 nodes), with the kubernetes
    and helm providers wired from the module's outputs."""

    RECOMMENDED = "recommended"
    PRE_OPERATOR = "pre-operator"
    POST_OPERATOR = "post-operator"
    V8 = "v8"

    @property
    def has_app_module(self) -> bool:
        """Whether the W&B application is the separate module `wandb_app` (`wandb/wandb/kubernetes`)."""
        return self is Layout.PRE_OPERATOR

    @property
    def uses_helm(self) -> bool:
        """Whether the stack configures the helm provider (the module installs charts)."""
        return self is not Layout.PRE_OPERATOR

    @property
    def guide_adds_exec(self) -> bool:
        """Whether the guide's providers for this layout authenticate with the token and also with
        `aws eks get-token` (its pre- and post-operator files do): what `kubernetes_auth = "token"`
        writes."""
        return self in (Layout.PRE_OPERATOR, Layout.POST_OPERATOR)

    @property
    def has_ephemeral_cluster_auth(self) -> bool:
        """Whether the aws provider the layout's release requires has the ephemeral
        `aws_eks_cluster_auth` (aws provider 5.84 and later; 8.x requires `~> 5.95`, the older
        releases `~> 3.60` or `~> 4.0`)."""
        return self is Layout.V8

    @property
    def providers_from_module_outputs(self) -> bool:
        """Whether the kubernetes/helm providers take the cluster's endpoint and CA from the module's
        outputs (8.x: `data "aws_eks_cluster"` fails on the first plan of a new deployment, because
        the cluster's name is known before the cluster exists) instead of `data "aws_eks_cluster"`."""
        return self is Layout.V8


class KubernetesAuth(enum.Enum):
    """How the kubernetes and helm providers authenticate to the EKS cluster (the setting
    `kubernetes_auth`). A token of `aws_eks_cluster_auth` is valid for 15 minutes.

    exec: `aws eks get-token` through the providers' exec block, run whenever a provider is
        configured, so the token is fresh for every plan and apply however long it runs. Needs the
        AWS CLI where Terraform runs. The default, in every layout.
    ephemeral: the aws provider's ephemeral `aws_eks_cluster_auth`, opened at apply and never stored
        in the plan or the state; no AWS CLI needed (HCP Terraform agents). It is not renewed, so an
        apply that reaches the cluster more than 15 minutes after it opened fails. 8.x only.
    token: the guide's `data "aws_eks_cluster_auth"`, read at plan time: an apply more than 15
        minutes after its plan, or one that creates the cluster first, ends in Unauthorized."""

    EXEC = "exec"
    EPHEMERAL = "ephemeral"
    TOKEN = "token"


DEFAULT_KUBERNETES_AUTH = KubernetesAuth.EXEC


@dataclass(frozen=True)
class InfraRelease:
    """One value of `wandb_infra_version`: what it resolves to today, the layout it selects, and
    the Kubernetes versions its nodes can run (`min_kubernetes`..`max_kubernetes`, inclusive; None:
    no bound the app knows)."""

    constraint: str
    resolved: str
    layout: Layout
    max_kubernetes: str | None = LAST_AL2_VERSION  # before 8.0: Amazon Linux 2 nodes
    min_kubernetes: str | None = None

    @property
    def release(self) -> ModuleRelease:
        return module_release(AWS_MODULE_SOURCE, self.constraint, self.resolved)


# The `wandb_infra_version` values the app supports (FACTS.md: "Which release a constraint resolves to").
INFRA_RELEASES: Mapping[str, InfraRelease] = {
    r.constraint: r
    for r in (
        InfraRelease("~> 7.0", "7.18.2", Layout.RECOMMENDED),
        InfraRelease("7.18.2", "7.18.2", Layout.RECOMMENDED),
        InfraRelease("~> 8.0", "8.0.0", Layout.V8, max_kubernetes="1.35", min_kubernetes="1.30"),
        InfraRelease("8.0.0", "8.0.0", Layout.V8, max_kubernetes="1.35", min_kubernetes="1.30"),
        InfraRelease("1.16.10", "1.16.10", Layout.PRE_OPERATOR),
        InfraRelease("4.7.2", "4.7.2", Layout.POST_OPERATOR),
    )
}
DEFAULT_INFRA_VERSION = "~> 7.0"  # the guide's; never changed, so no deployment is upgraded by a new default


def kubernetes_version_problem(infra: InfraRelease, version: str) -> str | None:
    """Why `infra`'s nodes cannot run Kubernetes `version`, or None."""
    if infra.max_kubernetes is not None and minor(version) > minor(infra.max_kubernetes):
        if infra.layout is Layout.V8:
            return (
                f"wandb/wandb/aws {infra.resolved} supports Kubernetes {infra.min_kubernetes} to {infra.max_kubernetes} "
                f"(its upgrade guide); {version} is newer"
            )
        return (
            f"wandb/wandb/aws {infra.resolved} runs Amazon Linux 2 nodes, and AWS publishes no Amazon Linux 2 node "
            f"images for Kubernetes 1.33 or later; use {infra.max_kubernetes} or older, or wandb_infra_version = "
            f'"~> 8.0" (Amazon Linux 2023 nodes)'
        )
    if infra.min_kubernetes is not None and minor(version) < minor(infra.min_kubernetes):
        return (
            f"wandb/wandb/aws {infra.resolved} supports Kubernetes {infra.min_kubernetes} to {infra.max_kubernetes} "
            f"(its upgrade guide); {version} is older: upgrade the cluster on 7.x first, one minor version per deploy"
        )
    return None


# Required inputs the app cannot choose for the user, with what to tell them.
REQUIRED_INPUT_ADVICE: Mapping[str, str] = {
    "kubernetes_legacy_cluster_creator_admin": (
        "set it to true when upgrading a cluster that 7.x created (AWS keeps the creator's implicit admin "
        "access), or false for a new deployment (the module creates an access entry for the creator). The "
        'wrong value ends in "Unauthorized" from the kubernetes and helm providers, or a 409 ResourceInUseException, '
        "during the deploy"
    ),
}

# The `wandb_app_version` values (pre-operator only): constraint -> the release it resolves to.
APP_RELEASES: Mapping[str, str] = {"1.12.0": "1.12.0", "~> 1.0": "1.14.1"}
DEFAULT_APP_VERSION = "1.12.0"


def app_release(constraint: str) -> ModuleRelease:
    """The `wandb/wandb/kubernetes` release for a supported `wandb_app_version` value."""
    return module_release(KUBERNETES_MODULE_SOURCE, constraint, APP_RELEASES[constraint])


# --- what the app writes --------------------------------------------------------------------------


class _Marker:
    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


# A module input written as Terraform `null`.
NULL = _Marker("null")
# The license, as it reaches Terraform at deploy time (never its value).
LICENSE = _Marker("the license")


@dataclass(frozen=True)
class FromSetting:
    """A module input written from a setting's value."""

    setting: str


ALL_LAYOUTS = frozenset(Layout)


@dataclass(frozen=True)
class WrittenInput:
    """A `wandb_infra` input the app writes although the settings file may not mention it, so that
    behaviour never rests on a module default. A setting of the same name overrides it (LICENSE
    excepted: the license is never a literal)."""

    name: str
    value: Any  # a literal, NULL, LICENSE or FromSetting(...)
    reason: str
    layouts: frozenset[Layout] = ALL_LAYOUTS


_GUIDE_MAIN_TF = "the guide's recommended `main.tf`"
_POST_OPERATOR_TFVARS = "the guide's `post-operator.tfvars`"

# One table, in the order the README shows it (tests/test_docs.py holds the README to it).
ALWAYS_WRITTEN: tuple[WrittenInput, ...] = (
    WrittenInput("public_access", True, _GUIDE_MAIN_TF),
    WrittenInput("external_dns", True, _GUIDE_MAIN_TF),
    WrittenInput("kubernetes_public_access", True, _GUIDE_MAIN_TF),
    WrittenInput("kubernetes_public_access_cidrs", ["0.0.0.0/0"], f"{_GUIDE_MAIN_TF} (synth warns: narrow it)"),
    WrittenInput("create_elasticache", True, "Redis, the module's default; `false` turns it off"),
    WrittenInput("use_internal_queue", True, "the guide's default (internal queue; 7.x would create SQS); `false` creates the SQS queue"),
    WrittenInput(
        "license",
        LICENSE,
        "required by 4.7.2, 7.x and 8.x, which the guide forgets to pass",
        frozenset({Layout.RECOMMENDED, Layout.POST_OPERATOR, Layout.V8}),
    ),
    WrittenInput(
        "database_performance_insights_kms_key_arn",
        NULL,
        "required by 1.16.10 with no default; the module's own pre-operator example passes null",
        frozenset({Layout.PRE_OPERATOR}),
    ),
    WrittenInput("size", "small", _POST_OPERATOR_TFVARS, frozenset({Layout.POST_OPERATOR})),
    WrittenInput("enable_dummy_dns", True, _POST_OPERATOR_TFVARS, frozenset({Layout.POST_OPERATOR})),
    WrittenInput("enable_operator_alb", True, _POST_OPERATOR_TFVARS, frozenset({Layout.POST_OPERATOR})),
    WrittenInput("custom_domain_filter", FromSetting("domain_name"), _POST_OPERATOR_TFVARS, frozenset({Layout.POST_OPERATOR})),
)


def written_inputs(layout: Layout) -> tuple[WrittenInput, ...]:
    """The inputs the app always writes in `layout`."""
    return tuple(w for w in ALWAYS_WRITTEN if layout in w.layouts)


def written_default(layout: Layout, name: str) -> Any:
    """The value the app writes for input `name` in `layout` when the settings do not set it
    (None when it writes none)."""
    for written in written_inputs(layout):
        if written.name == name:
            return written.value
    return None


@dataclass(frozen=True)
class SettingDefault:
    """A value for a setting that the guide's files for a layout lack, from the module's own
    migration files (docs/operator-migration in terraform-aws-wandb, which the guide links)."""

    setting: str
    value: Any
    layouts: frozenset[Layout]


_MIGRATION_LAYOUTS = frozenset({Layout.PRE_OPERATOR, Layout.POST_OPERATOR})
SETTING_DEFAULTS: tuple[SettingDefault, ...] = (
    SettingDefault("allowed_inbound_cidr", ["0.0.0.0/0"], _MIGRATION_LAYOUTS),
    SettingDefault("allowed_inbound_ipv6_cidr", ["::/0"], _MIGRATION_LAYOUTS),
    SettingDefault("eks_cluster_version", "1.25", frozenset({Layout.PRE_OPERATOR})),
)


def setting_defaults(layout: Layout) -> Mapping[str, Any]:
    """Setting -> value the layout supplies when the settings file lacks it."""
    return {d.setting: d.value for d in SETTING_DEFAULTS if layout in d.layouts}


def always_written_markdown() -> str:
    """The README's table "Inputs the app always writes", generated from ALWAYS_WRITTEN."""
    rows = ["| input | value | layouts | why |", "| --- | --- | --- | --- |"]
    for w in ALWAYS_WRITTEN:
        layouts = "all" if w.layouts == ALL_LAYOUTS else ", ".join(sorted(layout.value for layout in w.layouts))
        rows.append(f"| `{w.name}` | {_markdown_value(w.value)} | {layouts} | {w.reason} |")
    return "\n".join(rows) + "\n"


def _markdown_value(value: Any) -> str:
    if value is LICENSE:
        return "the license (`local.license`)"
    if isinstance(value, FromSetting):
        return f"the value of `{value.setting}`"
    if value is NULL:
        return "`null`"
    return f"`{json.dumps(value)}`"
