"""HCP Terraform / Terraform Enterprise as the state and run engine (README, HCP Terraform and
Terraform Enterprise): the `cloud` block each stack gets, and the reviewed-plan guard on it (a
saved cloud plan, judged from `terraform show -json`, applied as that run). The settings' own
rules have their rows in test_settings_near_misses.py, test_settings_messages.py and
test_settings_fuzz.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import NEW_V8, SENTINEL_LICENSE
from test_plan_review import UPGRADE, Fake

# One deployment per way of naming the workspace; all in one app, one synth.
HCP = {**NEW_V8, "kubernetes_auth": "ephemeral", "hcp_organization": "acme"}
DEPLOYMENTS: dict[str, dict[str, Any]] = {
    "named": HCP,
    "prefixed": {**HCP, "hcp_workspace_prefix": "wandb-", "hcp_project": "ML platform"},
    "tagged": {**HCP, "hcp_workspace_tags": ["wandb", "env:prod"]},
    "enterprise": {**HCP, "hcp_hostname": "tfe.example.com", "hcp_organization": "ml_team", "hcp_execution_mode": "local"},
}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, dict[str, Any]]:
    from cdktf import App

    from settings import parse_settings
    from stacks import build_app

    outdir = tmp_path_factory.mktemp("hcp") / "cdktf.out"
    deployments = [
        parse_settings({**values, "namespace": name}, f"deployments/{name}.tfvars", deployment=name) for name, values in DEPLOYMENTS.items()
    ]
    app = App(outdir=str(outdir), stack_traces=False)
    build_app(app, deployments, outdir)
    app.synth()
    return {folder.name: json.loads((folder / "cdk.tf.json").read_text()) for folder in sorted((outdir / "stacks").iterdir())}


def test_each_stack_has_a_cloud_block_for_its_own_workspace(synthesized, json_snapshot):
    blocks = {stack: config["terraform"]["cloud"] for stack, config in synthesized.items()}
    assert blocks == json_snapshot
    assert all("backend" not in config["terraform"] for config in synthesized.values())
    # By name: the prefix and the stack id; by tags: the shared tags and the stack's own.
    assert blocks["prefixed--wandb"]["workspaces"] == {"name": "wandb-prefixed--wandb", "project": "ML platform"}
    assert blocks["tagged--wandb-storage"]["workspaces"] == {"tags": ["wandb", "env:prod", "stack:tagged--wandb-storage"]}
    assert blocks["enterprise--wandb"]["hostname"] == "tfe.example.com"
    assert blocks["named--wandb"]["hostname"] == "app.terraform.io"  # written even when it is the default


def test_no_token_and_no_license_in_the_configuration(synthesized):
    assert SENTINEL_LICENSE not in json.dumps(synthesized)
    assert all("token" not in config["terraform"]["cloud"] for config in synthesized.values())  # terraform login / TF_TOKEN_*


# --- the guard on a saved cloud plan, with the stand-ins of test_plan_review ------------------------

CLOUD_CONFIG = {"terraform": {"cloud": {"organization": "acme", "hostname": "app.terraform.io", "workspaces": {"name": "demo"}}}}


@pytest.fixture
def cloud(tmp_path: Path) -> Fake:
    fake = Fake(tmp_path / "project")
    (fake.root / "config.json").write_text(json.dumps(CLOUD_CONFIG))
    return fake


def test_a_saved_cloud_plan_is_planned_without_var_files_judged_and_applied(cloud):
    status, out, err = cloud.run("plan", "demo")
    assert status == 0, err
    assert cloud.calls() == [
        "init -input=false -no-color",
        "plan -input=false -detailed-exitcode -out=plan-review.tfplan -no-color",  # no -var-file: it would upload every setting
        "show -json plan-review.tfplan -no-color",
    ]
    assert "PASSED" in out
    assert cloud.run("apply", "demo")[0] == 0
    assert cloud.calls() == ["apply -input=false plan-review.tfplan -no-color"]  # exactly the run that was judged


def test_a_cloud_plan_reported_empty_is_judged_all_the_same(cloud):
    cloud.plan_json(UPGRADE)
    status, out, _ = cloud.run("plan", "demo", FAKE_PLAN_EXIT="0")
    assert status == 0
    assert [call.split()[0] for call in cloud.calls()] == ["init", "plan", "show"]
    assert "Changes by module: none" not in out  # the changes HCP's plan holds are shown and judged


# --- Terraform itself takes the cloud blocks ------------------------------------------------------------
# `terraform validate` skips the `cloud` block (after `init -backend=false`); `terraform init` reads it
# and, offline, fails only when it asks the host for its service discovery document. (The rest of
# the stack is the same as with the other backends, which test_storage_terraform.py validates.)


@pytest.mark.parametrize(
    "stack, host",
    [("prefixed--wandb", "app.terraform.io"), ("tagged--wandb-storage", "app.terraform.io"), ("enterprise--wandb", "tfe.example.com")],
)
def test_terraform_takes_the_cloud_block(synthesized, tmp_path, stack, host):
    from terraform_cli import missing_tools, offline_env, skip_or_fail, write_cli_config

    skip_or_fail(missing_tools())
    (tmp_path / "main.tf.json").write_text(json.dumps({"terraform": {"cloud": synthesized[stack]["terraform"]["cloud"]}}))
    env = offline_env(write_cli_config(tmp_path))
    init = subprocess.run(
        ["terraform", "init", "-input=false", "-no-color"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert init.returncode == 1 and "Initializing HCP Terraform..." in init.stdout
    assert f'Failed to request discovery document: Get "https://{host}/.well-known/terraform.json"' in init.stderr, init.stderr
    # A block Terraform would refuse fails before that, naming the problem.
    (tmp_path / "main.tf.json").write_text(json.dumps({"terraform": {"cloud": {**synthesized[stack]["terraform"]["cloud"], "bogus": 1}}}))
    refused = subprocess.run(
        ["terraform", "init", "-input=false", "-no-color"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 1 and "discovery document" not in refused.stderr, refused.stderr
