"""The settings of HCP Terraform / Terraform Enterprise as the state and run engine: the keys
(`hcp_organization` turns it on), and the name rules HCP Terraform applies to what they name.

The names follow HCP Terraform's own rules, so that a name it would refuse is refused at synth:
organization and workspace names take letters, digits, `-` and `_` (a workspace name at most 90
characters, prefix and stack id together: settings.rules checks the sum); project names 3 to 40
letters, digits, spaces, `-` and `_`; workspace tags lowercase letters, digits, `:`, `-` and `_`,
starting and ending with a letter or digit, at most 255 characters.
"""

from __future__ import annotations

import re
from typing import Any

from settings import checks
from settings.keys import Key

WORKSPACE_NAME_MAX = 90
TAG_MAX = 255
EXECUTION_MODES = ("remote", "local", "agent")
DEFAULT_HOSTNAME = "app.terraform.io"
# The workspaces' Terraform version (stack hcp-workspaces): the one this app's tests run.
DEFAULT_TERRAFORM_VERSION = "1.11.4"

_NAME = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_PREFIX = re.compile(r"[A-Za-z0-9_-]*", re.ASCII)
_PROJECT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_ -]{1,38}[A-Za-z0-9_-]", re.ASCII)
_TAG = re.compile(r"[a-z0-9](?:[a-z0-9:_-]*[a-z0-9])?", re.ASCII)
_HOST = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))+(?::[0-9]{1,5})?", re.ASCII)
_VERSION = re.compile(r"(?:~> ?)?[0-9]+\.[0-9]+\.[0-9]+", re.ASCII)
_POLICY_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(?:aws|[0-9]{12}):policy/[\w+=,.@/-]{1,512}", re.ASCII)
_OIDC_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:oidc-provider/[a-z0-9.:/-]+", re.ASCII)
_AGENT_POOL = re.compile(r"apool-[A-Za-z0-9]{16}", re.ASCII)


# Checks of one value against HCP Terraform's (or AWS's) form for it.
organization = checks.matching(_NAME, "is not an HCP Terraform organization name: letters, digits, `-` and `_` only")
hostname = checks.matching(_HOST, 'is not a host name such as "app.terraform.io" or "tfe.example.com" (no scheme, no path, lowercase)')
project = checks.matching(
    _PROJECT, "is not an HCP Terraform project name: 3 to 40 letters, digits, spaces, `-` and `_`, not starting or ending with a space"
)
workspace_prefix = checks.matching(_PREFIX, "cannot start an HCP Terraform workspace name: letters, digits, `-` and `_` only")
terraform_version = checks.matching(_VERSION, 'is not a Terraform version such as "1.11.4" (or "~> 1.11.0")')
oidc_provider_arn = checks.matching(
    _OIDC_ARN, 'is not an IAM OIDC provider ARN such as "arn:aws:iam::123456789012:oidc-provider/app.terraform.io"'
)
agent_pool_id = checks.matching(_AGENT_POOL, 'is not an HCP Terraform agent pool id such as "apool-ZjT6A7mVFm5WHT5a"')


def workspace_tags(values: list[Any]) -> str | None:
    for tag in values:
        if len(tag) > TAG_MAX:
            return f"{tag[:40]!r}... is {len(tag)} characters long; HCP Terraform takes at most {TAG_MAX}"
        if not _TAG.fullmatch(tag):
            return (
                f"{tag!r} is not an HCP Terraform workspace tag: lowercase letters, digits, `:`, `-` and `_`, "
                "starting and ending with a letter or digit"
            )
    if len(set(values)) != len(values):
        return "names a tag twice"
    return None


def policy_arns(values: list[Any]) -> str | None:
    for arn in values:
        if not _POLICY_ARN.fullmatch(arn):
            return f'{arn!r} is not an IAM policy ARN such as "arn:aws:iam::aws:policy/PowerUserAccess"'
    return None


HCP_KEYS = (
    Key(
        "hcp_organization",
        "string",
        None,
        "HCP Terraform / Terraform Enterprise organization. Setting it keeps each stack's state and runs in a workspace of "
        "it (a `cloud` block) instead of a local file or `state_bucket`.",
        organization,
        explain="HCP Terraform / Terraform Enterprise organization. Set: each stack's state and runs live in a workspace "
        "of it (a `cloud` block; see [HCP Terraform](#hcp-terraform-and-terraform-enterprise)); together with "
        "`state_bucket` it is an error.",
        shown_default="none (local state, or `state_bucket`)",
    ),
    Key(
        "hcp_hostname",
        "string",
        DEFAULT_HOSTNAME,
        "Host of HCP Terraform, or of your Terraform Enterprise.",
        hostname,
    ),
    Key(
        "hcp_project",
        "string",
        None,
        "HCP Terraform project of the workspaces (unset: the organization's default project).",
        project,
    ),
    Key(
        "hcp_workspace_prefix",
        "string",
        "",
        "Prefix of each stack's workspace name: the workspace of stack `prod--wandb` with prefix `wandb-` is "
        "`wandb-prod--wandb` (at most 90 characters together).",
        workspace_prefix,
    ),
    Key(
        "hcp_workspace_tags",
        "list(string)",
        [],
        "Select the workspaces by these tags instead of by name; each stack's workspace also carries `stack:<stack id>`.",
        workspace_tags,
        shown_default="`[]` (workspaces by name)",
    ),
    Key(
        "hcp_execution_mode",
        "string",
        "remote",
        'Where the runs execute: "remote" (HCP Terraform\'s workers, its default), "local" (your machine or CI; HCP '
        'keeps the state) or "agent" (your agents).',
        checks.one_of(EXECUTION_MODES),
        explain='Where the runs execute: `"remote"` (HCP Terraform\'s workers; the settings file does not travel, so the '
        'license comes from the workspace variable `license`), `"local"` (your machine or CI; HCP keeps the state and '
        'the lock) or `"agent"` (your agents).',
    ),
    Key(
        "hcp_manage_workspaces",
        "bool",
        False,
        "true adds stack `hcp-workspaces`, which creates every stack's workspace: execution mode, Terraform version, the "
        "sensitive `license` variable and AWS dynamic credentials.",
        explain="true adds stack `hcp-workspaces` ([docs/hcp-workspaces.md](docs/hcp-workspaces.md)): it creates every "
        "stack's workspace with its execution mode, Terraform version, the sensitive `license` variable and AWS "
        "dynamic credentials.",
    ),
    Key(
        "hcp_terraform_version",
        "string",
        DEFAULT_TERRAFORM_VERSION,
        "Terraform version of the workspaces stack `hcp-workspaces` creates.",
        terraform_version,
    ),
    Key(
        "hcp_aws_run_role_policy_arns",
        "list(string)",
        [],
        "IAM policies of the role HCP Terraform's runs assume (dynamic credentials); required with "
        '`hcp_manage_workspaces` unless `hcp_execution_mode` is "local".',
        policy_arns,
    ),
    Key(
        "hcp_aws_oidc_provider_arn",
        "string",
        None,
        "An existing IAM OIDC provider for `hcp_hostname` in the account (there can be one per host). Unset: stack "
        "`hcp-workspaces` creates it.",
        oidc_provider_arn,
    ),
    Key(
        "hcp_agent_pool_id",
        "string",
        None,
        'Agent pool of the workspaces when `hcp_execution_mode` is "agent" (required then, with `hcp_manage_workspaces`).',
        agent_pool_id,
    ),
)

# Every HCP key but the one that turns it on: they mean nothing without `hcp_organization`.
HCP_OPTIONS = tuple(key.name for key in HCP_KEYS if key.name != "hcp_organization")
