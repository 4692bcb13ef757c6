"""The cross-field rules: one named function per rule, each taking the parsed settings (`Context`)
and yielding its problems, a SettingsError (the file is refused) or a SettingsWarning (it may be
deployed, but should change). `RULES` runs in order; the first error stops the parse, so the
order decides which problem a file with several is told about first.

A new rule is a function added to RULES where its error should rank, plus its near-miss rows in
tests/test_settings_near_misses.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from release_catalog import layouts
from release_catalog.eks_versions import calendar_note
from release_catalog.layouts import InfraRelease, Layout
from release_catalog.releases import ModuleRelease, normalize_constraint
from release_catalog.secret_patterns import SECRET_NAME, secret_kind, strings_in
from settings import requirements
from settings.errors import SettingsError, SettingsWarning
from settings.hcp_keys import HCP_OPTIONS, WORKSPACE_NAME_MAX
from settings.naming import STACK_KINDS, stack_id
from settings.schema import APP_KEYS, PRE_OPERATOR_ONLY, STATE_BUCKET_OPTIONS

Problem = SettingsError | SettingsWarning


@dataclass(frozen=True)
class Context:
    """One settings file, typed: what every rule reads."""

    shown: str  # how messages name the file
    values: Mapping[str, Any]  # the file's keys (aliases resolved), as written
    infra: InfraRelease
    typed: Mapping[str, Any]  # every key of APP_KEYS, checked or defaulted
    module_inputs: Mapping[str, Any]
    today: date | None
    deployment: str | None = None  # the deployment's name in a deployments folder

    @property
    def release(self) -> ModuleRelease:
        return self.infra.release

    def error(self, name: str | None, message: str) -> SettingsError:
        return SettingsError(self.shown, name, message)

    def warning(self, name: str | None, message: str) -> SettingsWarning:
        return SettingsWarning(self.shown, name, message)


Rule = Callable[[Context], Iterable[Problem]]


def no_secrets(ctx: Context) -> Iterator[Problem]:
    """No setting but the license holds a secret: every other value is written to cdktf.out in
    clear text (the same test as the NO-SECRET-LITERALS rule, caught here with the setting named)."""
    license = ctx.typed["license"]
    for name, value in ctx.values.items():
        if name in APP_KEYS and APP_KEYS[name].secret:
            continue
        for path, text in strings_in(value, name):
            if license and license in text:
                yield ctx.error(name, f"holds the license (at {path}); the license goes only in `license`, which is never synthesized")
            kind = secret_kind(text)
            if kind is None and any(SECRET_NAME.search(part) for part in path.split(".")):
                kind = "a secret, by its name"
            if kind:
                yield ctx.error(
                    name,
                    f"{path} looks like {kind}; settings other than `license` are written to cdktf.out in clear "
                    "text, so keep secrets out of the settings file (pass AWS credentials through the environment "
                    "or a profile)",
                )


def tag_count(ctx: Context) -> Iterator[Problem]:
    too_many_tags = requirements.tag_count_problem(ctx.typed["default_tags"], ctx.module_inputs)
    if too_many_tags:
        yield ctx.error(*too_many_tags)


def required_inputs(ctx: Context) -> Iterator[Problem]:
    """Every input the release requires is given: by the settings, or by the app itself."""
    by_app = set(APP_KEYS) | {w.name for w in layouts.written_inputs(ctx.infra.layout)}
    for name in sorted(ctx.release.required_inputs - by_app - set(ctx.values)):
        advice = layouts.REQUIRED_INPUT_ADVICE.get(name, "add it to the settings file")
        yield ctx.error(name, f"is required by {ctx.release.label}; {advice}")


def no_aws_auth_accounts_on_v8(ctx: Context) -> Iterator[Problem]:
    if ctx.infra.layout is Layout.V8 and ctx.module_inputs.get("kubernetes_map_accounts"):
        yield ctx.error(
            "kubernetes_map_accounts",
            f"must be empty with {ctx.release.label}: the module rejects a non-empty list (aws-auth account mappings are "
            "gone with the EKS module v20; grant access with EKS access entries instead)",
        )


def pre_operator_keys_only_there(ctx: Context) -> Iterator[Problem]:
    if ctx.infra.layout.has_app_module:
        return
    for name in PRE_OPERATOR_ONLY:
        if name in ctx.values:
            yield ctx.error(
                name,
                f'is used only by the pre-operator layout (wandb_infra_version = "1.16.10"); '
                f"with {ctx.release.label} the W&B version is managed by the operator's release channel, so remove it",
            )


def supported_app_release(ctx: Context) -> Iterator[Problem]:
    if normalize_constraint(ctx.typed["wandb_app_version"]) not in layouts.APP_RELEASES:
        yield ctx.error(
            "wandb_app_version",
            f"{ctx.typed['wandb_app_version']!r} is not a supported release of wandb/wandb/kubernetes; use one of "
            + ", ".join(f'"{v}"' for v in layouts.APP_RELEASES),
        )


def eks_version_where_required(ctx: Context) -> Iterator[Problem]:
    if "eks_cluster_version" in ctx.release.required_inputs and ctx.typed["eks_cluster_version"] is None:
        hint = ""
        if ctx.infra.layout is Layout.POST_OPERATOR:
            hint = (
                " When migrating from the pre-operator layout, give the cluster's current version "
                "(`aws eks describe-cluster --name <cluster> --query cluster.version`) so the migration "
                'does not upgrade the cluster by accident (the guide\'s pre-operator.tf created it at "1.25").'
            )
        example = ctx.infra.max_kubernetes or "1.32"
        yield ctx.error("eks_cluster_version", f'is required by {ctx.release.label}; add e.g. eks_cluster_version = "{example}".{hint}')
    if "eks_cluster_version" in ctx.values and not ctx.release.declares("eks_cluster_version"):
        yield ctx.error("eks_cluster_version", f"is not an input of {ctx.release.label}")


def _options_without(ctx: Context, switch: str, options: Iterable[str], consequence: str = "") -> Iterator[Problem]:
    """Each of `options` the file sets although `switch`, which they configure, is not set."""
    if ctx.typed[switch] is None:
        for name in options:
            if name in ctx.values:
                yield ctx.error(name, f"has no effect without `{switch}`{consequence}: set `{switch}`, or remove it")


def state_options_need_a_bucket(ctx: Context) -> Iterator[Problem]:
    yield from _options_without(ctx, "state_bucket", STATE_BUCKET_OPTIONS, "; the state would stay local")


def hcp_or_state_bucket(ctx: Context) -> Iterator[Problem]:
    """One state engine: HCP Terraform's workspaces or an S3 bucket."""
    if ctx.typed["hcp_organization"] is not None and ctx.typed["state_bucket"] is not None:
        yield ctx.error(
            "hcp_organization",
            "is set together with `state_bucket`, and both say where the state lives (HCP Terraform workspaces, an S3 "
            "bucket); keep one of them (moving a state from one to the other: README, HCP Terraform)",
        )


def hcp_options_need_an_organization(ctx: Context) -> Iterator[Problem]:
    yield from _options_without(ctx, "hcp_organization", HCP_OPTIONS)


def hcp_workspace_names(ctx: Context) -> Iterator[Problem]:
    """Each stack's workspace name, the prefix and the stack id, within HCP Terraform's limit."""
    if ctx.typed["hcp_organization"] is None:
        return
    prefix = ctx.typed["hcp_workspace_prefix"]
    for kind in STACK_KINDS:
        name = prefix + stack_id(kind, ctx.deployment)
        if len(name) > WORKSPACE_NAME_MAX:
            yield ctx.error(
                "hcp_workspace_prefix",
                f"makes the workspace name {name!r} {len(name)} characters long; HCP Terraform takes at most "
                f"{WORKSPACE_NAME_MAX}: shorten the prefix" + (" or the deployment's name" if ctx.deployment else ""),
            )
            return


def hcp_workspaces_stack_inputs(ctx: Context) -> Iterator[Problem]:
    """What stack hcp-workspaces needs for the execution mode, and nothing it would ignore."""
    typed = ctx.typed
    mode, managed = typed["hcp_execution_mode"], typed["hcp_manage_workspaces"]
    if typed["hcp_agent_pool_id"] is not None and mode != "agent":
        yield ctx.error("hcp_agent_pool_id", f'is used only with hcp_execution_mode = "agent" (it is "{mode}"); remove it')
    if not managed:
        for name in ("hcp_aws_run_role_policy_arns", "hcp_aws_oidc_provider_arn", "hcp_agent_pool_id", "hcp_terraform_version"):
            if name in ctx.values:
                yield ctx.error(name, "is used only by stack hcp-workspaces: set hcp_manage_workspaces = true, or remove it")
        return
    if mode == "agent" and typed["hcp_agent_pool_id"] is None:
        yield ctx.error(
            "hcp_agent_pool_id", 'is required with hcp_execution_mode = "agent" and hcp_manage_workspaces: the workspaces run on that pool'
        )
    if mode == "local":
        for name in ("hcp_aws_run_role_policy_arns", "hcp_aws_oidc_provider_arn"):
            if name in ctx.values:
                yield ctx.error(name, 'is used only when HCP Terraform runs Terraform (hcp_execution_mode "remote" or "agent"); remove it')
    elif not typed["hcp_aws_run_role_policy_arns"]:
        yield ctx.error(
            "hcp_aws_run_role_policy_arns",
            "is required with hcp_manage_workspaces: the IAM policies of the role HCP Terraform's runs assume (e.g. "
            '["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/IAMFullAccess"]; the W&B module '
            "creates IAM roles)",
        )


def hcp_runs_reach_the_cluster(ctx: Context) -> Iterator[Problem]:
    """`exec` credentials run the AWS CLI where Terraform runs: HCP Terraform's workers have none."""
    if ctx.typed["hcp_organization"] is None or ctx.typed["kubernetes_auth"] != layouts.KubernetesAuth.EXEC.value:
        return
    mode = ctx.typed["hcp_execution_mode"]
    instead = '"ephemeral"' if ctx.infra.layout.has_ephemeral_cluster_auth else '"token" (the guide\'s)'
    if mode == "remote":
        yield ctx.error(
            "kubernetes_auth",
            f'"exec" runs the AWS CLI where Terraform runs, and HCP Terraform\'s workers (hcp_execution_mode "remote") '
            f"have none: set kubernetes_auth = {instead}",
        )
    elif mode == "agent":
        yield ctx.warning(
            "kubernetes_auth",
            f'"exec" runs the AWS CLI where Terraform runs: install it on your HCP Terraform agents, or set kubernetes_auth = {instead}',
        )


def hcp_remote_runs_license(ctx: Context) -> Iterator[Problem]:
    """Said at every synth: in remote runs the license is the workspace's, not the settings file's."""
    if ctx.typed["hcp_organization"] is None or ctx.typed["hcp_execution_mode"] == "local":
        return
    who = "stack hcp-workspaces sets it from this file" if ctx.typed["hcp_manage_workspaces"] else "set it in each workspace"
    yield ctx.warning(
        "hcp_execution_mode",
        f'"{ctx.typed["hcp_execution_mode"]}": the settings file does not travel with HCP Terraform\'s runs, so the license '
        f"comes from each workspace's sensitive Terraform variable `license` ({who}; README, HCP Terraform)",
    )


def lock_table_deprecated(ctx: Context) -> Iterator[Problem]:
    if ctx.typed["state_lock_table"] is not None:
        yield ctx.warning(
            "state_lock_table",
            "DynamoDB state locking (the S3 backend's dynamodb_table) is deprecated since Terraform 1.11; remove "
            "state_lock_table to lock with S3 itself (use_lockfile, the app's default)",
        )


def ephemeral_auth_needs_v8(ctx: Context) -> Iterator[Problem]:
    auth = layouts.KubernetesAuth(ctx.typed["kubernetes_auth"])
    if auth is layouts.KubernetesAuth.EPHEMERAL and not ctx.infra.layout.has_ephemeral_cluster_auth:
        yield ctx.error(
            "kubernetes_auth",
            f'"ephemeral" needs the aws provider\'s ephemeral aws_eks_cluster_auth (aws provider 5.84 or later), and '
            f'{ctx.release.label} requires an older aws provider; use "exec" (needs the AWS CLI where Terraform runs) or '
            f'"token", or wandb_infra_version = "~> 8.0"',
        )


def eks_version_the_nodes_run(ctx: Context) -> Iterator[Problem]:
    version = ctx.typed["eks_cluster_version"]
    if version is None:
        return
    problem = layouts.kubernetes_version_problem(ctx.infra, version)
    if problem:
        yield ctx.error("eks_cluster_version", problem)
    # One warning for the setting: AWS's calendar, then W&B's own minimum.
    note = requirements.with_kubernetes_note(calendar_note(version, ctx.today or date.today()), version)
    if note:
        yield ctx.warning("eks_cluster_version", note)


def wandb_requirements(ctx: Context) -> Iterator[Problem]:
    yield from requirements.warnings(ctx.infra, ctx.module_inputs, ctx.shown)


RULES: tuple[Rule, ...] = (
    no_secrets,
    tag_count,
    required_inputs,
    no_aws_auth_accounts_on_v8,
    pre_operator_keys_only_there,
    supported_app_release,
    eks_version_where_required,
    state_options_need_a_bucket,
    hcp_or_state_bucket,
    hcp_options_need_an_organization,
    hcp_workspace_names,
    hcp_workspaces_stack_inputs,
    lock_table_deprecated,
    ephemeral_auth_needs_v8,
    hcp_runs_reach_the_cluster,
    hcp_remote_runs_license,
    eks_version_the_nodes_run,
    wandb_requirements,
)


def run_rules(ctx: Context, rules: Iterable[Rule] = RULES) -> list[SettingsWarning]:
    """The warnings of every rule, in order; raises the first error."""
    warnings: list[SettingsWarning] = []
    for rule in rules:
        for problem in rule(ctx):
            if isinstance(problem, SettingsError):
                raise problem
            warnings.append(problem)
    return warnings
