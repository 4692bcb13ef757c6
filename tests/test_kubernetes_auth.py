"""`kubernetes_auth`: how the kubernetes and helm providers of stack `wandb` authenticate, for every
layout: a snapshot of each choice (the providers and the token sources only), the rule that
"ephemeral" needs 8.x, that switching changes no resource or module, and real Terraform taking
the ephemeral block as the app writes it."""

from __future__ import annotations

import copy
import json
import subprocess

import pytest
from helpers import LAYOUT_SETTINGS, synth_app
from terraform_cli import missing_tools, offline_env, skip_or_fail, write_cli_config

from settings import SettingsError, parse_settings

# Every (layout, choice) the settings accept: "ephemeral" only where the aws provider has it.
CASES = [(layout, auth) for layout in LAYOUT_SETTINGS for auth in ("exec", "token", "ephemeral") if auth != "ephemeral" or layout == "v8"]
# What a choice may change in the stack's JSON; everything else stays byte for byte.
AUTH_PARTS = ("provider", "data", "ephemeral")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    out = {}
    for layout, auth in CASES:
        values = {**LAYOUT_SETTINGS[layout], "kubernetes_auth": auth}
        out[layout, auth] = synth_app(values, tmp_path_factory.mktemp(f"{layout}-{auth}"))["wandb"]
    return out


@pytest.mark.parametrize("layout, auth", CASES, ids=[f"{layout}-{auth}" for layout, auth in CASES])
def test_snapshot(synthesized, layout, auth, json_snapshot):
    stack = copy.deepcopy(synthesized[layout, auth])
    shown = {part: stack[part] for part in AUTH_PARTS if part in stack}
    del shown["provider"]["aws"]  # the same in every case (tests/test_wandb_stack.py)
    assert shown == json_snapshot


@pytest.mark.parametrize("layout", LAYOUT_SETTINGS)
def test_exec_is_the_default(synthesized, layout, tmp_path):
    explicit = copy.deepcopy(synthesized[layout, "exec"])
    del explicit["variable"]["kubernetes_auth"]  # declared because the settings file sets it
    assert synth_app(LAYOUT_SETTINGS[layout], tmp_path)["wandb"] == explicit


@pytest.mark.parametrize("layout", LAYOUT_SETTINGS)
def test_a_switch_changes_only_the_provider_configuration(synthesized, layout):
    """An existing deployment that moves between the choices sees no resource or module change:
    only providers, data sources and the ephemeral block (none of which is in the state as a
    managed resource) differ."""
    choices = [synthesized[case] for case in CASES if case[0] == layout]
    assert len(choices) >= 2
    for other in choices[1:]:
        # "//": cdktf's own metadata (it lists the stack-level overrides, the ephemeral block among them).
        kept = {key for key in choices[0].keys() | other.keys() if key not in (*AUTH_PARTS, "//")}
        assert {k: choices[0].get(k) for k in kept} == {k: other.get(k) for k in kept}


def test_only_exec_and_token_can_outlast_a_plan(synthesized):
    """exec: no token in the plan at all; ephemeral: opened at apply; token: read at plan time."""
    for (layout, auth), stack in synthesized.items():
        (kubernetes,) = stack["provider"]["kubernetes"]
        if auth == "exec":
            assert "token" not in kubernetes and kubernetes["exec"][0]["args"][:2] == ["eks", "get-token"], layout
            assert "aws_eks_cluster_auth" not in stack.get("data", {}), layout
        elif auth == "ephemeral":
            assert kubernetes["token"] == "${ephemeral.aws_eks_cluster_auth.eks_cluster_auth.token}"
            assert stack["ephemeral"] == {"aws_eks_cluster_auth": {"eks_cluster_auth": {"name": "${module.wandb_infra.cluster_name}"}}}
        else:
            assert kubernetes["token"] == "${data.aws_eks_cluster_auth.eks_cluster_auth.token}", layout


@pytest.mark.parametrize("layout", [layout for layout in LAYOUT_SETTINGS if layout != "v8"])
def test_ephemeral_needs_8x(layout):
    with pytest.raises(SettingsError) as caught:
        parse_settings({**LAYOUT_SETTINGS[layout], "kubernetes_auth": "ephemeral"}, "auth.tfvars")
    assert caught.value.setting == "kubernetes_auth"
    assert "5.84" in caught.value.message and '"~> 8.0"' in caught.value.message and '"exec"' in caught.value.message


def test_terraform_takes_the_ephemeral_block_as_written(synthesized, tmp_path):
    """Real Terraform with the aws provider from the local mirror (5.100.0): the ephemeral block as
    the app writes it validates; the kubernetes and helm providers cannot be installed here, so
    they are left out, and the module output the name comes from is a variable."""
    if missing_tools():
        skip_or_fail(missing_tools())
    stack = synthesized["v8", "ephemeral"]
    config = {
        "terraform": {
            "required_version": stack["terraform"]["required_version"],
            "required_providers": {"aws": {"source": "hashicorp/aws"}},
        },
        "provider": {"aws": [{"region": "eu-central-1"}]},
        "variable": {"cluster_name": {"type": "string"}},
        "ephemeral": json.loads(json.dumps(stack["ephemeral"]).replace("module.wandb_infra.cluster_name", "var.cluster_name")),
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(config))
    env = offline_env(write_cli_config(tmp_path))
    for command in (["init", "-input=false", "-backend=false"], ["validate"]):
        result = subprocess.run(["terraform", *command, "-no-color"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
