"""One HCP Terraform / Terraform Enterprise workspace, ready for a stack's runs (tfe provider).

- `tfe_workspace`: by name in the organization (and project), tagged when the stack's `cloud`
  block selects its workspace by tags; CLI-driven (no VCS), `auto_apply` false, the Terraform
  version pinned.
- `tfe_workspace_settings`: the execution mode (`remote`, `local` or `agent`, with the agent pool);
  the workspace's own `execution_mode` argument is deprecated in favour of it.
- `tfe_variable`s: sensitive Terraform variables (the W&B license: its value is a reference Terraform
  resolves at deploy time, e.g. `${local.license}`, never a literal, sent as the write-only
  `value_wo`, Terraform >= 1.11, so that neither the state nor a saved plan holds it), and, with an AWS run role, the
  environment variables of AWS dynamic provider credentials: `TFC_AWS_PROVIDER_AUTH=true` and
  `TFC_AWS_RUN_ROLE_ARN`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import Precondition, TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_tfe.variable import Variable
from cdktf_cdktf_provider_tfe.workspace import Workspace
from cdktf_cdktf_provider_tfe.workspace_settings import WorkspaceSettings
from constructs import Construct

EXECUTION_MODES = ("remote", "local", "agent")


@dataclass(frozen=True)
class WorkspaceSecret:
    """A sensitive Terraform variable of the workspace.

    key: the variable's name, as the stack declares it (`license`).
    value: a reference Terraform resolves when it applies (`${local.license}`); never the secret itself
        (anything but one whole reference is refused: it would be synthesized in clear text).
    description: the variable's description in HCP Terraform (default: none).
    required: when set, a plan fails with this message while `value` is null, instead of writing
        an empty variable (default None: no check)."""

    key: str
    value: str
    description: str | None = None
    required: str | None = None


@dataclass(frozen=True)
class HcpWorkspaceProps:
    """name: the workspace's name.
    organization: the organization it belongs to.
    project_id: the id of its project (default None: the organization's default project).
    tag_names: its tags, when the stack selects its workspace by tags (default: none).
    execution_mode: where runs execute, "remote", "local" or "agent" (default "remote").
    agent_pool_id: the agent pool of the runs; required with execution_mode "agent", refused with
        any other (default None).
    terraform_version: the Terraform version of the runs (default None: HCP Terraform's choice,
        the newest release when the workspace is created).
    auto_apply: apply a successful plan without confirmation (default False: someone confirms).
    secrets: sensitive Terraform variables (default: none).
    aws_run_role_arn: an IAM role the runs assume through AWS dynamic provider credentials
        (`TFC_AWS_PROVIDER_AUTH`, `TFC_AWS_RUN_ROLE_ARN`) (default None: no AWS credentials).
    description: the workspace's description (default None).
    provider: the tfe provider to use (default None: the stack's default tfe provider)."""

    name: str
    organization: str
    project_id: str | None = None
    tag_names: Sequence[str] = ()
    execution_mode: str = "remote"
    agent_pool_id: str | None = None
    terraform_version: str | None = None
    auto_apply: bool = False
    secrets: Sequence[WorkspaceSecret] = ()
    aws_run_role_arn: str | None = None
    description: str | None = None
    provider: TerraformProvider | None = None


class HcpWorkspace(Construct):
    """`workspace`, `settings` and `variables` (by key) of one workspace; `id` for references."""

    def __init__(self, scope: Construct, id: str, props: HcpWorkspaceProps):
        super().__init__(scope, id)
        _check(props)
        self.workspace = Workspace(
            self,
            "workspace",
            name=props.name,
            organization=props.organization,
            project_id=props.project_id,
            tag_names=list(props.tag_names) or None,
            terraform_version=props.terraform_version,
            auto_apply=props.auto_apply,
            description=props.description,
            provider=props.provider,
        )
        self.id: str = self.workspace.id
        self.settings = WorkspaceSettings(
            self,
            "settings",
            workspace_id=self.workspace.id,
            execution_mode=props.execution_mode,
            agent_pool_id=props.agent_pool_id,
            provider=props.provider,
        )
        self.variables: dict[str, Variable] = {}
        for secret in props.secrets:
            variable = self._variable(
                props, secret.key, secret.value, "terraform", sensitive=True, write_only=True, description=secret.description
            )
            if secret.required is not None:
                variable.lifecycle = TerraformResourceLifecycle(
                    precondition=[Precondition(condition=_not_null(secret.value), error_message=secret.required)]
                )
        if props.aws_run_role_arn is not None:
            self._variable(props, "TFC_AWS_PROVIDER_AUTH", "true", "env", description="AWS dynamic provider credentials")
            self._variable(props, "TFC_AWS_RUN_ROLE_ARN", props.aws_run_role_arn, "env", description="The IAM role the runs assume")

    def _variable(
        self,
        props: HcpWorkspaceProps,
        key: str,
        value: str,
        category: str,
        *,
        description: str | None,
        sensitive: bool | None = None,
        write_only: bool = False,
    ) -> Variable:
        """`write_only`: the value goes to HCP Terraform as `value_wo` (Terraform >= 1.11), which
        Terraform never keeps in the state or a saved plan."""
        variable = self.variables[key] = Variable(
            self,
            f"{category}_{key}",
            key=key,
            value=None if write_only else value,
            value_wo=value if write_only else None,
            category=category,
            sensitive=sensitive,
            description=description,
            workspace_id=self.workspace.id,
            provider=props.provider,
        )
        return variable


def _reference(value: str) -> str | None:
    """`local.license` for `${local.license}`; None for anything but one whole Terraform reference."""
    inner = value[2:-1] if value.startswith("${") and value.endswith("}") else ""
    return inner if inner and "${" not in inner else None


def _not_null(reference: str) -> str:
    """`${local.license}` -> `${local.license != null}`: a condition on the value a reference resolves to."""
    return f"${{{_reference(reference)} != null}}"


def _check(props: HcpWorkspaceProps) -> None:
    if props.execution_mode not in EXECUTION_MODES:
        raise ValueError(f"execution_mode {props.execution_mode!r} is none of {', '.join(EXECUTION_MODES)}")
    if (props.execution_mode == "agent") != (props.agent_pool_id is not None):
        raise ValueError(f"workspace {props.name}: agent_pool_id is required with execution_mode 'agent', and only then")
    for secret in props.secrets:
        if _reference(secret.value) is None:
            # A literal would be written to the synthesized JSON in clear text.
            raise ValueError(f"workspace {props.name}: secret {secret.key} must be one Terraform reference such as ${{local.license}}")
