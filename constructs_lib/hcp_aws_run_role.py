"""AWS dynamic provider credentials for HCP Terraform / Terraform Enterprise runs: the IAM OIDC
provider of the host, and a role its runs assume, as HCP Terraform documents them
("Dynamic Credentials with the AWS Provider").

- `HcpOidcProvider`: the IAM OIDC identity provider for `https://<hostname>`, audience
  `aws.workload.identity`. There can be one per host in an account: where one exists, pass its ARN
  to the roles instead. No thumbprint: AWS trusts the certificate of an OIDC host whose chain ends
  at a trusted root CA (app.terraform.io does) without one, and the aws provider has taken
  `thumbprint_list` as optional since 5.81 (the binding's schema: optional).
- `HcpAwsRunRole`: an IAM role whose trust policy lets in, through that provider, exactly the runs
  of the named workspaces (`sts:AssumeRoleWithWebIdentity` with `<hostname>:aud` equal to the
  audience and `<hostname>:sub` like `organization:<org>:project:<project>:workspace:<name>:run_phase:*`,
  one per workspace), with the given managed policies attached. A workspace uses it with the
  environment variables `TFC_AWS_PROVIDER_AUTH=true` and `TFC_AWS_RUN_ROLE_ARN=<role arn>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from constructs_lib.policy_document import policy_json

# The audience HCP Terraform puts in its workload identity tokens for AWS (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE's default).
AWS_AUDIENCE = "aws.workload.identity"


@dataclass(frozen=True)
class HcpOidcProviderProps:
    """hostname: the HCP Terraform / Terraform Enterprise host (`app.terraform.io`): the issuer is `https://<hostname>`.
    audience: the client id the tokens carry (default `aws.workload.identity`, HCP Terraform's default)."""

    hostname: str
    audience: str = AWS_AUDIENCE


class HcpOidcProvider(Construct):
    """The IAM OIDC identity provider of the host (`aws_iam_openid_connect_provider`); `arn` for the roles."""

    def __init__(self, scope: Construct, id: str, props: HcpOidcProviderProps):
        super().__init__(scope, id)
        self.provider = IamOpenidConnectProvider(self, "provider", url=f"https://{props.hostname}", client_id_list=[props.audience])
        self.arn: str = self.provider.arn


@dataclass(frozen=True)
class HcpAwsRunRoleProps:
    """role_name: the IAM role's name.
    oidc_provider_arn: the IAM OIDC provider of `hostname` (an `HcpOidcProvider`'s `arn`, or an existing one's ARN).
    hostname: the HCP Terraform / Terraform Enterprise host, as the provider's URL names it (`app.terraform.io`).
    organization: the organization of the workspaces.
    workspaces: the names of the workspaces whose runs may assume the role (at least one).
    project: the project of the workspaces (default None: any project, `*`).
    policy_arns: managed policies attached to the role (default: none, a role that may do nothing).
    audience: the audience the tokens carry (default `aws.workload.identity`).
    description: the role's description (default: one naming the organization)."""

    role_name: str
    oidc_provider_arn: str
    hostname: str
    organization: str
    workspaces: Sequence[str]
    project: str | None = None
    policy_arns: Sequence[str] = ()
    audience: str = AWS_AUDIENCE
    description: str | None = None


def run_subjects(props: HcpAwsRunRoleProps) -> list[str]:
    """The token subjects the trust policy accepts: every run phase (plan, apply) of each workspace."""
    project = props.project or "*"
    return [f"organization:{props.organization}:project:{project}:workspace:{name}:run_phase:*" for name in props.workspaces]


class HcpAwsRunRole(Construct):
    """The role the runs assume (`aws_iam_role`) and its policy attachments; `arn` for `TFC_AWS_RUN_ROLE_ARN`."""

    def __init__(self, scope: Construct, id: str, props: HcpAwsRunRoleProps):
        super().__init__(scope, id)
        if not props.workspaces:
            raise ValueError("HcpAwsRunRoleProps.workspaces names no workspace: the role would trust no run")
        host = props.hostname
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": props.oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{host}:aud": props.audience},
                        "StringLike": {f"{host}:sub": run_subjects(props)},
                    },
                }
            ],
        }
        self.role = IamRole(
            self,
            "role",
            name=props.role_name,
            description=props.description or f"Assumed by the HCP Terraform runs of organization {props.organization}",
            assume_role_policy=policy_json(trust),
        )
        self.arn: str = self.role.arn
        self.attachments = [
            IamRolePolicyAttachment(self, f"policy_{index}", role=self.role.name, policy_arn=arn)
            for index, arn in enumerate(props.policy_arns)
        ]
