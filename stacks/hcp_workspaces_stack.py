"""Stack `hcp-workspaces` (optional, one per app): the HCP Terraform / Terraform Enterprise
workspaces of every deployment whose settings say `hcp_manage_workspaces = true`, so that a team
starts from an organization and a token with one `cdktf deploy hcp-workspaces`
(docs/hcp-workspaces.md).

For each such deployment, one workspace per stack (`stack_id(kind, deployment)` for each of
STACK_KINDS), named `hcp_workspace_prefix + stack id`, tagged with `workspace_tags_for(stack)` when
the deployment selects its workspaces by tags, in `hcp_project` (looked up by name; it must exist)
or the organization's default project: execution mode (and agent pool), Terraform version,
auto-apply off. Unless the execution mode is "local" (Terraform then runs where the settings file
is, with that machine's AWS credentials, and HCP keeps only the state):

- the sensitive Terraform variable `license` of the `wandb` stack's workspace, its value read at
  deploy time from the deployment's settings file, exactly as stack `wandb` reads it
  (constructs_lib.settings_file; else `TF_VAR_license`, in a deployments folder
  `TF_VAR_license_<deployment>` with `_` for `-`), never synthesized;
- AWS dynamic provider credentials: per deployment an IAM role that exactly its workspaces' runs
  may assume, with `hcp_aws_run_role_policy_arns` attached, named in each workspace's
  `TFC_AWS_RUN_ROLE_ARN`; the host's IAM OIDC provider, created once per host unless
  `hcp_aws_oidc_provider_arn` names an existing one.

Providers: tfe per host (the first one unaliased, any other aliased; the token from `TFE_TOKEN` or
the credentials file `terraform login` writes, never from the settings), aws in the first managed
deployment's region with its default tags (IAM is global: every role lands in the account of the
credentials that deploy this stack).

State: a local file, `terraform.hcp-workspaces.tfstate` at the project root (this stack creates
the workspaces that would keep state; docs/hcp-workspaces.md says how to move it later).

The tfe binding is imported only when this stack is built: a synth without it never loads it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cdktf import TerraformProvider, TerraformStack
from constructs import Construct

from constructs_lib.aws_provider import aws_provider
from constructs_lib.hcp_aws_run_role import HcpAwsRunRole, HcpAwsRunRoleProps, HcpOidcProvider, HcpOidcProviderProps
from constructs_lib.settings_file import SecretFromFile, SettingsFile
from constructs_lib.terraform_block import LocalState, configure_state, pin_versions
from settings import DEFAULT_OUTDIR, PROJECT_ROOT, Settings
from settings.naming import HCP_WORKSPACES_STACK, MAIN_STACK_KIND, STACK_KINDS, manages_workspaces, stack_id
from settings.values import HcpSettings
from stacks import from_settings as props
from stacks.storage_stack import AWS_PROVIDER_CONSTRAINT

if TYPE_CHECKING:
    from constructs_lib.hcp_workspace import HcpWorkspace

KIND = HCP_WORKSPACES_STACK

# The tfe provider releases the prebuilt binding (cdktf-cdktf-provider-tfe 12.5.1) was generated
# from: 0.71.0; any later 0.x has the same arguments or more.
TFE_PROVIDER_CONSTRAINT = "~> 0.71"

# The license goes to HCP Terraform as a write-only value (tfe_variable.value_wo), which Terraform
# 1.11 and later never keep in the state or a plan: this stack's local state holds no secret.
WRITE_ONLY_TERRAFORM = ">= 1.11"
LICENSE_DESCRIPTION = "W&B license (sensitive), read from the settings file when stack hcp-workspaces was deployed"


def managed(deployments: Sequence[Settings]) -> list[Settings]:
    """The deployments whose workspaces this stack creates (`hcp_manage_workspaces = true`)."""
    return [d for d in deployments if manages_workspaces(d)]


def license_secret(settings: Settings) -> SecretFromFile:
    """The license of one deployment, read from its settings file at deploy time: named `license`
    for a single settings file (as in stack `wandb`: `TF_VAR_license`), `license_<deployment>` in
    a deployments folder, where this one stack reads every deployment's."""
    if settings.deployment is None:
        return props.LICENSE_SECRET
    name = f"{props.LICENSE_SECRET.name}_{settings.deployment.replace('-', '_')}"
    description = (
        f"W&B license of deployment {settings.deployment}, when its settings file holds none: TF_VAR_{name}. "
        "Written to the sensitive workspace variable `license`; never synthesized."
    )
    return SecretFromFile(name=name, file_keys=props.LICENSE_SECRET.file_keys, description=description)


def missing_license_message(settings: Settings, secret: SecretFromFile) -> str:
    """Why a plan of this stack fails while a remote deployment has no license at deploy time."""
    where = f"deployment {settings.deployment}" if settings.deployment else "the settings file"
    return (
        f"No W&B license for {where}: set `license` in {settings.source.name} (or TF_VAR_{secret.name}) before "
        "deploying stack hcp-workspaces; its workspace variable `license` is where remote runs of stack wandb read it."
    )


def run_role_name(settings: Settings) -> str:
    """`<namespace>-hcp-runs`, in a deployments folder `<namespace>-<deployment>-hcp-runs` (at most 50 characters)."""
    return "-".join(part for part in (settings.namespace, settings.deployment, "hcp-runs") if part)


def _hcp(settings: Settings) -> HcpSettings:
    assert settings.hcp is not None  # managed() keeps only deployments with HCP settings
    return settings.hcp


class HcpWorkspacesStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, deployments: Sequence[Settings], outdir: Path = DEFAULT_OUTDIR):
        super().__init__(scope, id)
        chosen = managed(deployments)
        if not chosen:
            raise ValueError("no deployment sets hcp_manage_workspaces = true: build it only when app_stacks lists it")
        self.stack_dir = props.working_dir(outdir, id)
        pin_versions(self, WRITE_ONLY_TERRAFORM, {"aws": AWS_PROVIDER_CONSTRAINT, "tfe": TFE_PROVIDER_CONSTRAINT})
        state = PROJECT_ROOT / f"terraform.{KIND}.tfstate"
        configure_state(self, LocalState(path=props.path_from(self.stack_dir, state)))
        aws_provider(self, props.aws_provider_props(chosen[0]))

        self.tfe_providers: dict[str, TerraformProvider] = {}
        self.oidc_providers: dict[str, HcpOidcProvider] = {}
        self.run_roles: dict[str, HcpAwsRunRole] = {}
        self.workspaces: dict[str, HcpWorkspace] = {}
        for settings in chosen:
            self._deployment(settings)

    def _tfe_provider(self, hostname: str) -> TerraformProvider | None:
        """The tfe provider of `hostname` for a resource's `provider`: None for the first host's
        (the stack's default provider), the aliased one of any other host."""
        from cdktf_cdktf_provider_tfe.provider import TfeProvider

        if hostname not in self.tfe_providers:
            number = len(self.tfe_providers)
            alias = f"host_{number}" if number else None
            self.tfe_providers[hostname] = TfeProvider(self, f"tfe_{alias}" if alias else "tfe", hostname=hostname, alias=alias)
        return self.tfe_providers[hostname] if hostname != next(iter(self.tfe_providers)) else None

    def _oidc_provider_arn(self, hcp: HcpSettings) -> str:
        if hcp.aws_oidc_provider_arn is not None:
            return hcp.aws_oidc_provider_arn
        if hcp.hostname not in self.oidc_providers:
            number = len(self.oidc_providers)
            self.oidc_providers[hcp.hostname] = HcpOidcProvider(
                self, f"oidc_{number}" if number else "oidc", HcpOidcProviderProps(hostname=hcp.hostname)
            )
        return self.oidc_providers[hcp.hostname].arn

    def _deployment(self, settings: Settings) -> None:
        from constructs_lib.hcp_workspace import HcpWorkspace, HcpWorkspaceProps, WorkspaceSecret

        hcp = _hcp(settings)
        scope = Construct(self, settings.deployment or "deployment")
        tfe = self._tfe_provider(hcp.hostname)
        stacks = [stack_id(kind, settings.deployment) for kind in STACK_KINDS]
        project_id = self._project_id(scope, hcp)
        # The settings file as Terraform reads it here: the license (remote runs only), and the keys of
        # a single settings file, which the cdktf CLI passes as a var file (a deployments folder's it does not).
        secrets = (license_secret(settings),) if hcp.remote else ()
        file_props = props.settings_file_props(settings, self.stack_dir, secrets)
        if settings.deployment is not None:
            file_props = dataclasses.replace(file_props, keys=())
        settings_file = SettingsFile(scope, "settings_file", file_props)
        role_arn = self._run_role(scope, settings, stacks).arn if hcp.remote else None

        for kind, stack in zip(STACK_KINDS, stacks, strict=True):
            license = [
                WorkspaceSecret(
                    key=props.LICENSE_SECRET.name,
                    value=settings_file.secret(secret.name),
                    description=LICENSE_DESCRIPTION,
                    required=missing_license_message(settings, secret),
                )
                for secret in secrets
                if kind == MAIN_STACK_KIND
            ]
            self.workspaces[stack] = HcpWorkspace(
                scope,
                kind,
                HcpWorkspaceProps(
                    name=hcp.workspace_name(stack),
                    organization=hcp.organization,
                    project_id=project_id,
                    tag_names=hcp.workspace_tags_for(stack),
                    execution_mode=hcp.execution_mode,
                    agent_pool_id=hcp.agent_pool_id if hcp.execution_mode == "agent" else None,
                    terraform_version=hcp.terraform_version,
                    secrets=license,
                    aws_run_role_arn=role_arn,
                    description=f"W&B on AWS: stack {stack} (cdktf)",
                    provider=tfe,
                ),
            )

    def _project_id(self, scope: Construct, hcp: HcpSettings) -> str | None:
        """The id of `hcp_project`, looked up by name (None: the organization's default project)."""
        from cdktf_cdktf_provider_tfe.data_tfe_project import DataTfeProject

        if hcp.project is None:
            return None
        return DataTfeProject(
            scope, "project", name=hcp.project, organization=hcp.organization, provider=self._tfe_provider(hcp.hostname)
        ).id

    def _run_role(self, scope: Construct, settings: Settings, stacks: Sequence[str]) -> HcpAwsRunRole:
        hcp = _hcp(settings)
        role = HcpAwsRunRole(
            scope,
            "aws_run_role",
            HcpAwsRunRoleProps(
                role_name=run_role_name(settings),
                oidc_provider_arn=self._oidc_provider_arn(hcp),
                hostname=hcp.hostname,
                organization=hcp.organization,
                project=hcp.project,
                workspaces=[hcp.workspace_name(stack) for stack in stacks],
                policy_arns=hcp.aws_run_role_policy_arns,
                description=f"Assumed by the HCP Terraform runs of the W&B stacks {', '.join(stacks)}",
            ),
        )
        self.run_roles[settings.deployment or ""] = role
        return role
