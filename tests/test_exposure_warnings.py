"""Exposure the settings choose stays allowed but is loud: open ingress, a public Kubernetes API
and deletion_protection = false each produce a synth warning that names the setting to change,
on stderr from `python main.py` and in the `cdktf synth` output (the CLI prints the warnings it
finds in the manifest)."""

from __future__ import annotations

import os
import subprocess

import pytest
from cdktf import App
from helpers import GUIDE_SETTINGS, PROJECT_ROOT, run_main

from constructs_lib.rules import Level, run_rules

EXAMPLE = PROJECT_ROOT / "terraform.tfvars.example"

# The guide's settings and the app's defaults (GUIDE_INPUTS) open all of these.
GUIDE_WARNINGS = {
    "allowed_inbound_cidr contains 0.0.0.0/0",
    "allowed_inbound_ipv6_cidr contains ::/0",
    "kubernetes_public_access = true",
    "kubernetes_public_access_cidrs contains 0.0.0.0/0",
}

CLOSED = {
    **GUIDE_SETTINGS,
    "allowed_inbound_cidr": ["10.20.0.0/16"],
    "allowed_inbound_ipv6_cidr": [],
    "kubernetes_public_access": False,
}


def findings(settings: dict, tmp_path):
    from settings import parse_settings
    from stacks import build_app

    app = App(outdir=str(tmp_path / "out"), stack_traces=False)
    build_app(app, parse_settings(dict(settings), "test.tfvars"))
    return run_rules(app)


def warning_heads(found) -> set[str]:
    """The part of each warning before the colon: `<setting> ...`."""
    return {f.message.split(": ")[0] for f in found if f.level is Level.WARNING}


def test_guide_settings_warn_about_every_opening_and_nothing_else(tmp_path):
    found = findings(GUIDE_SETTINGS, tmp_path)
    assert [f for f in found if f.level is Level.ERROR] == []
    assert warning_heads(found) == GUIDE_WARNINGS
    assert all(f.path == "wandb/wandb_infra/module" for f in found)


def test_closed_settings_warn_about_nothing(tmp_path):
    assert findings(CLOSED, tmp_path) == []


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"allowed_inbound_cidr": ["10.0.0.0/8", "0.0.0.0/0"]}, {"allowed_inbound_cidr contains 0.0.0.0/0"}),
        ({"allowed_inbound_ipv6_cidr": ["::/0"]}, {"allowed_inbound_ipv6_cidr contains ::/0"}),
        ({"deletion_protection": False}, {"deletion_protection = false"}),
        ({"deletion_protection": True}, set()),
        # Public endpoint limited to the operators' ranges: still public, but not to everyone.
        ({"kubernetes_public_access": True, "kubernetes_public_access_cidrs": ["203.0.113.0/24"]}, {"kubernetes_public_access = true"}),
        (
            {"kubernetes_public_access": True, "kubernetes_public_access_cidrs": ["::/0"]},
            {"kubernetes_public_access = true", "kubernetes_public_access_cidrs contains ::/0"},
        ),
        # Open CIDRs on a private endpoint admit nobody from outside the VPC.
        ({"kubernetes_public_access_cidrs": ["0.0.0.0/0"]}, set()),
    ],
)
def test_each_setting_is_named(tmp_path, overrides, expected):
    assert warning_heads(findings({**CLOSED, **overrides}, tmp_path)) == expected


def test_main_prints_the_warnings_on_stderr_for_the_example(tmp_path):
    result = run_main(EXAMPLE, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: [EXPOSURE-")]
    for head in GUIDE_WARNINGS:
        assert any(head in line for line in warnings), (head, result.stderr)
    assert "EXPOSURE" not in result.stdout
    assert (tmp_path / "out" / "stacks" / "wandb" / "cdk.tf.json").exists()


def test_cdktf_synth_shows_the_warnings_for_the_example(tmp_path):
    """`npx cdktf synth`, as the README says to run it: each warning once, as a WARN line that
    names the setting."""
    env = {k: v for k, v in os.environ.items() if k != "CDKTF_OUTDIR"}
    env.update(
        WANDB_TFVARS=str(EXAMPLE),
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        CHECKPOINT_DISABLE="1",
        CI="1",  # no spinner
        FORCE_COLOR="0",
        NO_COLOR="1",
    )
    result = subprocess.run(
        ["npx", "cdktf", "synth", "--output", str(tmp_path / "cdktf.out")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warn_lines = [line for line in output.splitlines() if "WARN" in line and "[EXPOSURE-" in line]
    for head in GUIDE_WARNINGS:
        matching = [line for line in warn_lines if head in line]
        assert len(matching) == 1, (head, warn_lines)
