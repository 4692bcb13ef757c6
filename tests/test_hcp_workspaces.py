"""Stack `hcp-workspaces` (stacks/hcp_workspaces_stack.py): the workspaces of a single settings
file and of a deployments folder (by name and by tags; remote, agent and local execution; two
hosts), the license never synthesized, the trust policy of each deployment's run role, the
project's security rules, and the tfe binding left unloaded by an app without the stack.

Terraform cannot validate this stack here: the tfe provider is not in the local provider mirror
(only aws is), and HCP Terraform cannot be reached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import NEW_V8, PROJECT_ROOT, SENTINEL_LICENSE

from settings.naming import HCP_WORKSPACES_STACK

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
DEPLOY_POLICY = "arn:aws:iam::123456789012:policy/wandb-deploy"
TFE_OIDC = "arn:aws:iam::123456789012:oidc-provider/tfe.acme.dev"
AGENT_POOL = "apool-ZjT6A7mVFm5WHT5a"

# Remote runs have no AWS CLI: the settings rules ask for kubernetes_auth = "ephemeral" there.
BASE = {**NEW_V8, "kubernetes_auth": "ephemeral"}
HCP = {"hcp_organization": "acme", "hcp_manage_workspaces": True}

# A single settings file: remote execution, workspaces by name with a prefix, in a project.
SINGLE = {
    **BASE,
    **HCP,
    "hcp_project": "ML Platform",
    "hcp_workspace_prefix": "wandb-",
    "hcp_aws_run_role_policy_arns": [POWER_USER],
}

# A deployments folder: by tags on app.terraform.io; agents on a Terraform Enterprise host with an
# existing OIDC provider; local execution; and a deployment that manages no workspaces.
FOLDER: dict[str, dict[str, Any]] = {
    "prod": {
        **HCP,
        "hcp_workspace_tags": ["wandb", "team:ml"],
        "hcp_aws_run_role_policy_arns": [POWER_USER, DEPLOY_POLICY],
    },
    "staging": {
        **HCP,
        "hcp_hostname": "tfe.acme.dev",
        "hcp_project": "ML Platform",
        "hcp_workspace_prefix": "stg-",
        "hcp_execution_mode": "agent",
        "hcp_agent_pool_id": AGENT_POOL,
        "hcp_aws_oidc_provider_arn": TFE_OIDC,
        "hcp_aws_run_role_policy_arns": [POWER_USER],
    },
    "dev": {**HCP, "hcp_execution_mode": "local"},
    "other": {},
}


def _settings(values: dict[str, Any], deployment: str | None = None) -> Any:
    from settings import parse_settings

    if deployment is None:
        return parse_settings(values, PROJECT_ROOT / "test.tfvars")
    own = {**BASE, "namespace": f"wandb-{deployment}", "subdomain": f"wandb-{deployment}", **values}
    return parse_settings(own, PROJECT_ROOT / "deployments" / f"{deployment}.tfvars", deployment=deployment)


def _synth(deployments: list[Any], outdir: Path) -> tuple[Any, Any, dict[str, Any]]:
    """(app, stack, its cdk.tf.json): the stack alone in an App, the rules applied as build_app does.
    Paths in the JSON are relative to the default output folder, as in a real synth."""
    from cdktf import App

    from constructs_lib.rules import apply_rules
    from stacks.hcp_workspaces_stack import HcpWorkspacesStack

    app = App(outdir=str(outdir), stack_traces=False)
    stack = HcpWorkspacesStack(app, HCP_WORKSPACES_STACK, deployments)
    apply_rules(app)
    app.synth()
    return app, stack, json.loads((outdir / "stacks" / HCP_WORKSPACES_STACK / "cdk.tf.json").read_text())


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, tuple[Any, Any, dict[str, Any], Path]]:
    """Both variants, synthesized once for the module: {"single" | "folder": (app, stack, json, outdir)}."""
    out = {}
    variants = {"single": [_settings(SINGLE)], "folder": [_settings(values, name) for name, values in FOLDER.items()]}
    for name, deployments in variants.items():
        outdir = tmp_path_factory.mktemp(name)
        out[name] = (*_synth(deployments, outdir), outdir)
    return out


def _json(synthesized: dict[str, Any], variant: str) -> dict[str, Any]:
    return synthesized[variant][2]


def _by_name(stack_json: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """The stack's resources of one type, by their `name`."""
    return {block["name"]: block for block in stack_json["resource"][resource_type].values()}


def _variables(stack_json: dict[str, Any], workspace: str) -> dict[str, dict[str, Any]]:
    """The tfe_variables of the workspace named `workspace`, by key."""
    address = next(a for a, w in stack_json["resource"]["tfe_workspace"].items() if w["name"] == workspace)
    reference = f"${{tfe_workspace.{address}.id}}"
    return {v["key"]: v for v in stack_json["resource"]["tfe_variable"].values() if v["workspace_id"] == reference}


# --- snapshots ---------------------------------------------------------------------------------


def test_snapshot_single_settings_file(synthesized, json_snapshot):
    assert _json(synthesized, "single") == json_snapshot


def test_snapshot_deployments_folder(synthesized, json_snapshot):
    assert _json(synthesized, "folder") == json_snapshot


# --- the license -------------------------------------------------------------------------------


def test_the_license_is_never_synthesized(synthesized):
    for variant in ("single", "folder"):
        outdir = synthesized[variant][3]
        for path in outdir.rglob("*"):
            if path.is_file():
                assert SENTINEL_LICENSE not in path.read_text(errors="replace"), path


def test_the_license_variable_is_read_from_each_settings_file_at_deploy_time(synthesized):
    single = _json(synthesized, "single")
    license = _variables(single, "wandb-wandb")["license"]
    assert (license["category"], license["sensitive"], license["value_wo"]) == ("terraform", True, "${local.license}")
    assert "value" not in license  # write-only: never in the state or a saved plan
    assert 'file(\\"../../../test.tfvars\\")' in json.dumps(single["locals"]["license"])
    assert single["variable"]["license"]["sensitive"] is True  # TF_VAR_license, as in stack wandb
    assert "license" not in _variables(single, "wandb-wandb-storage")  # stack wandb-storage reads none

    folder = _json(synthesized, "folder")
    assert _variables(folder, "prod--wandb")["license"]["value_wo"] == "${local.license_prod}"
    assert _variables(folder, "stg-staging--wandb")["license"]["value_wo"] == "${local.license_staging}"
    assert "deployments/prod.tfvars" in folder["locals"]["license_prod"]
    assert "deployments/staging.tfvars" in folder["locals"]["license_staging"]
    assert "license" not in _variables(folder, "dev--wandb")  # local execution reads the settings file itself
    assert {"license_dev", "license_other"}.isdisjoint(folder["locals"])


# --- workspaces --------------------------------------------------------------------------------


def test_workspaces_by_name_and_by_tags(synthesized):
    single = _by_name(_json(synthesized, "single"), "tfe_workspace")
    assert sorted(single) == ["wandb-wandb", "wandb-wandb-storage"]
    assert all("tag_names" not in w and w["auto_apply"] is False and w["organization"] == "acme" for w in single.values())

    folder = _by_name(_json(synthesized, "folder"), "tfe_workspace")
    assert sorted(folder) == sorted(
        ["prod--wandb", "prod--wandb-storage", "stg-staging--wandb", "stg-staging--wandb-storage", "dev--wandb", "dev--wandb-storage"]
    )
    assert folder["prod--wandb"]["tag_names"] == ["wandb", "team:ml", "stack:prod--wandb"]
    assert folder["prod--wandb-storage"]["tag_names"] == ["wandb", "team:ml", "stack:prod--wandb-storage"]
    assert "project_id" not in folder["prod--wandb"]  # the organization's default project
    assert folder["stg-staging--wandb"]["project_id"].startswith("${data.tfe_project.")
    assert {w["terraform_version"] for w in folder.values()} == {"1.11.4"}


def test_execution_modes_hosts_and_dynamic_credentials(synthesized):
    folder = _json(synthesized, "folder")
    modes = {
        s["workspace_id"]: (s["execution_mode"], s.get("agent_pool_id")) for s in folder["resource"]["tfe_workspace_settings"].values()
    }
    workspaces = {f"${{tfe_workspace.{address}.id}}": w["name"] for address, w in folder["resource"]["tfe_workspace"].items()}
    by_name = {workspaces[ref]: mode for ref, mode in modes.items()}
    assert by_name["prod--wandb"] == ("remote", None)
    assert by_name["stg-staging--wandb"] == ("agent", AGENT_POOL)
    assert by_name["dev--wandb"] == ("local", None)

    # One tfe provider per host: app.terraform.io the default, tfe.acme.dev aliased.
    assert folder["provider"]["tfe"] == [{"hostname": "app.terraform.io"}, {"alias": "host_1", "hostname": "tfe.acme.dev"}]
    assert _by_name(folder, "tfe_workspace")["stg-staging--wandb"]["provider"] == "tfe.host_1"
    assert "provider" not in _by_name(folder, "tfe_workspace")["prod--wandb"]

    for workspace in ("prod--wandb", "prod--wandb-storage", "stg-staging--wandb-storage"):
        env = _variables(folder, workspace)
        assert env["TFC_AWS_PROVIDER_AUTH"]["value"] == "true"
        assert env["TFC_AWS_RUN_ROLE_ARN"]["value"].startswith("${aws_iam_role.")
        assert {env["TFC_AWS_PROVIDER_AUTH"]["category"], env["TFC_AWS_RUN_ROLE_ARN"]["category"]} == {"env"}
    assert _variables(folder, "dev--wandb") == {}  # local execution: your own credentials

    # One OIDC provider (app.terraform.io); tfe.acme.dev's exists already. One role per remote deployment.
    assert [p["url"] for p in folder["resource"]["aws_iam_openid_connect_provider"].values()] == ["https://app.terraform.io"]
    assert sorted(r["name"] for r in folder["resource"]["aws_iam_role"].values()) == [
        "wandb-prod-prod-hcp-runs",
        "wandb-staging-staging-hcp-runs",
    ]
    attached = sorted(a["policy_arn"] for a in folder["resource"]["aws_iam_role_policy_attachment"].values())
    assert attached == sorted([POWER_USER, DEPLOY_POLICY, POWER_USER])


def _trust(stack: Any, deployment: str) -> dict[str, Any]:
    from constructs_lib.policy_document import recorded_document

    document = recorded_document(stack.run_roles[deployment].role.assume_role_policy_input)
    assert document is not None
    [statement] = document["Statement"]
    assert (statement["Effect"], statement["Action"]) == ("Allow", "sts:AssumeRoleWithWebIdentity")
    return dict(statement)


def _conditions(host: str, project: str, workspaces: list[str]) -> dict[str, Any]:
    """The trust conditions HCP Terraform documents: the audience, and one subject per workspace."""
    subjects = [f"organization:acme:project:{project}:workspace:{name}:run_phase:*" for name in workspaces]
    return {"StringEquals": {f"{host}:aud": "aws.workload.identity"}, "StringLike": {f"{host}:sub": subjects}}


def test_each_run_role_trusts_exactly_its_deployments_workspaces(synthesized):
    single = _trust(synthesized["single"][1], "")
    assert single["Condition"] == _conditions("app.terraform.io", "ML Platform", ["wandb-wandb", "wandb-wandb-storage"])

    folder = synthesized["folder"][1]
    prod = _trust(folder, "prod")
    assert prod["Condition"] == _conditions("app.terraform.io", "*", ["prod--wandb", "prod--wandb-storage"])
    assert prod["Principal"]["Federated"] == folder.oidc_providers["app.terraform.io"].arn
    staging = _trust(folder, "staging")
    assert staging["Principal"] == {"Federated": TFE_OIDC}
    assert staging["Condition"] == _conditions("tfe.acme.dev", "ML Platform", ["stg-staging--wandb", "stg-staging--wandb-storage"])
    assert sorted(folder.run_roles) == ["prod", "staging"]  # none for local execution


# --- rules, when the stack is built, what it loads -----------------------------------------------


def test_the_security_rules_pass(synthesized):
    from constructs_lib.rules import run_rules

    for variant in ("single", "folder"):
        assert run_rules(synthesized[variant][0]) == [], variant


def test_the_app_has_the_stack_only_when_a_deployment_manages_workspaces():
    from settings.naming import app_stack_ids

    assert HCP_WORKSPACES_STACK not in app_stack_ids([_settings(BASE)])
    assert HCP_WORKSPACES_STACK not in app_stack_ids([_settings({**BASE, **HCP, "hcp_manage_workspaces": False})])
    assert app_stack_ids([_settings(BASE, "a"), _settings(FOLDER["dev"], "b")])[-1] == HCP_WORKSPACES_STACK


def test_the_constructs_refuse_what_hcp_terraform_would():
    from cdktf import App, TerraformStack

    from constructs_lib.hcp_aws_run_role import HcpAwsRunRole, HcpAwsRunRoleProps
    from constructs_lib.hcp_workspace import HcpWorkspace, HcpWorkspaceProps, WorkspaceSecret

    stack = TerraformStack(App(stack_traces=False), "refusals")
    with pytest.raises(ValueError, match="agent_pool_id is required"):
        HcpWorkspace(stack, "agent", HcpWorkspaceProps(name="w", organization="acme", execution_mode="agent"))
    with pytest.raises(ValueError, match="agent_pool_id is required"):
        HcpWorkspace(stack, "remote", HcpWorkspaceProps(name="w", organization="acme", agent_pool_id=AGENT_POOL))
    with pytest.raises(ValueError, match="must be one Terraform reference"):
        secret = WorkspaceSecret(key="license", value=SENTINEL_LICENSE)
        HcpWorkspace(stack, "literal", HcpWorkspaceProps(name="w", organization="acme", secrets=[secret]))
    props = HcpAwsRunRoleProps(role_name="r", oidc_provider_arn=TFE_OIDC, hostname="tfe.acme.dev", organization="acme", workspaces=[])
    with pytest.raises(ValueError, match="names no workspace"):
        HcpAwsRunRole(stack, "role", props)


def test_an_app_without_the_stack_never_imports_the_tfe_binding():
    """main.py's speed: the stack module loads the tfe binding only when the stack is built."""
    code = """
import sys
import fast_imports
fast_imports.install()
import stacks, stacks.hcp_workspaces_stack
assert not [m for m in sys.modules if m.startswith("cdktf_cdktf_provider_tfe")], "tfe imported"
print("ok")
"""
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
