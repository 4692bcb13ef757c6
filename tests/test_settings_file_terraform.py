"""Real Terraform, run in the synthesized `wandb` stack's folder, reads the license from the
settings file (`license` or `wandb_license`), falls back to TF_VAR_license, keeps it sensitive,
takes the settings file as a var file without warnings, and refuses to plan a stack synthesized
from the example settings.

The stack's modules and the helm/kubernetes providers cannot be installed here (no registry), so
each run keeps the synthesized `terraform`, `variable` and `locals` blocks as they are and
replaces the rest with one output holding exactly what the stack passes to the module's
`license` input. Everything runs on Terraform's built-in provider.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, synth_app, write_settings
from terraform_cli import missing_tools, offline_env, skip_or_fail, write_cli_config

SETTINGS_NAME = "test.tfvars"  # where synth_app says the settings come from: ../../../test.tfvars
ENV_LICENSE = "test-license-from-TF_VAR-4d1e"


@pytest.fixture(scope="module", autouse=True)
def tools():
    if missing_tools() and "Terraform CLI" in (missing_tools() or ""):
        skip_or_fail(missing_tools())


@pytest.fixture(scope="module")
def cli_config(tmp_path_factory) -> Path:
    return write_cli_config(tmp_path_factory.mktemp("tfcli"))


def license_probe(root: Path, values: dict, *, from_example: bool = False, output_sensitive: bool = False) -> Path:
    """Synthesizes `values` into root/cdktf.out, writes them as root/test.tfvars, and reduces the
    `wandb` stack to its license wiring plus an output of the module's `license` input."""
    root.mkdir(parents=True, exist_ok=True)
    synth_app(values, root / "cdktf.out", source=SETTINGS_NAME, from_example=from_example)
    write_settings(root, values, SETTINGS_NAME)
    stack_dir = root / "cdktf.out" / "stacks" / "wandb"
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    module_license = stack["module"]["wandb_infra"]["license"]
    assert module_license.startswith("${") and module_license.endswith("}")
    expression = module_license[2:-1]
    output = {"value": f"${{{expression}}}", "sensitive": True} if output_sensitive else {"value": f"${{nonsensitive({expression})}}"}
    probe = {
        # The built-in provider comes from the override file the synth wrote beside cdk.tf.json.
        "terraform": {"required_version": stack["terraform"]["required_version"]},
        "variable": stack["variable"],
        "locals": stack["locals"],
        "output": {"license_input": output},
    }
    (stack_dir / "cdk.tf.json").write_text(json.dumps(probe, indent=2))
    return stack_dir


def terraform(stack_dir: Path, cli_config: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    run_env = offline_env(cli_config, env)
    run_env.pop("TF_VAR_license", None)
    run_env.update(env or {})
    return subprocess.run(["terraform", *args, "-no-color"], cwd=stack_dir, env=run_env, capture_output=True, text=True, timeout=300)


def license_input(stack_dir: Path, cli_config: Path, *extra: str, env: dict | None = None) -> str:
    init = terraform(stack_dir, cli_config, "init", "-input=false")
    assert init.returncode == 0, init.stdout + init.stderr
    apply = terraform(stack_dir, cli_config, "apply", "-auto-approve", "-input=false", *extra, env=env)
    assert apply.returncode == 0, apply.stdout + apply.stderr
    assert "undeclared variable" not in apply.stdout + apply.stderr
    shown = terraform(stack_dir, cli_config, "output", "-raw", "license_input")
    return shown.stdout


@pytest.mark.parametrize("key", ["license", "wandb_license"])
def test_the_module_gets_the_license_from_the_settings_file(tmp_path, cli_config, key):
    values = {k: v for k, v in GUIDE_SETTINGS.items() if k != "license"} | {key: SENTINEL_LICENSE}
    stack_dir = license_probe(tmp_path, values)
    assert SENTINEL_LICENSE not in (stack_dir / "cdk.tf.json").read_text()
    assert license_input(stack_dir, cli_config) == SENTINEL_LICENSE


def test_the_settings_file_wins_over_tf_var_license(tmp_path, cli_config):
    stack_dir = license_probe(tmp_path, GUIDE_SETTINGS)
    assert license_input(stack_dir, cli_config, env={"TF_VAR_license": ENV_LICENSE}) == SENTINEL_LICENSE


def test_tf_var_license_serves_when_the_file_has_none_or_is_absent(tmp_path, cli_config):
    values = {k: v for k, v in GUIDE_SETTINGS.items() if k != "license"}
    stack_dir = license_probe(tmp_path, values)
    assert license_input(stack_dir, cli_config, env={"TF_VAR_license": ENV_LICENSE}) == ENV_LICENSE
    (tmp_path / SETTINGS_NAME).unlink()  # e.g. a remote run, which uploads only the stack folder
    assert license_input(stack_dir, cli_config, env={"TF_VAR_license": ENV_LICENSE}) == ENV_LICENSE


def test_the_settings_file_as_a_var_file_gives_no_warnings(tmp_path, cli_config):
    """What the cdktf CLI does with the project's terraform.tfvars on every deploy and diff."""
    stack_dir = license_probe(tmp_path, GUIDE_SETTINGS | {"region": "us-west-2", "default_tags": {"Team": "ml"}})
    var_file = f"-var-file={tmp_path / SETTINGS_NAME}"
    assert license_input(stack_dir, cli_config, var_file) == SENTINEL_LICENSE


def test_the_license_stays_sensitive(tmp_path, cli_config):
    """An output of it must be marked sensitive, and a plan shows it only as (sensitive value)."""
    stack_dir = license_probe(tmp_path, GUIDE_SETTINGS)
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    stack["output"]["license_input"] = {"value": stack["output"]["license_input"]["value"].replace("nonsensitive(", "(")}
    (stack_dir / "cdk.tf.json").write_text(json.dumps(stack))
    assert terraform(stack_dir, cli_config, "init", "-input=false").returncode == 0
    plan = terraform(stack_dir, cli_config, "plan", "-input=false")
    assert plan.returncode == 1 and "Output refers to sensitive values" in plan.stderr, plan.stdout + plan.stderr
    stack_dir = license_probe(tmp_path / "marked", GUIDE_SETTINGS, output_sensitive=True)
    assert terraform(stack_dir, cli_config, "init", "-input=false").returncode == 0
    plan = terraform(stack_dir, cli_config, "plan", "-input=false")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "(sensitive value)" in plan.stdout and SENTINEL_LICENSE not in plan.stdout + plan.stderr


def test_a_stack_synthesized_from_the_example_refuses_to_plan(tmp_path, cli_config):
    stack_dir = license_probe(tmp_path, GUIDE_SETTINGS, from_example=True)
    assert terraform(stack_dir, cli_config, "init", "-input=false").returncode == 0
    plan = terraform(stack_dir, cli_config, "plan", "-input=false")
    assert plan.returncode == 1
    message = " ".join(plan.stderr.split())  # Terraform wraps long lines
    assert "synthesized from terraform.tfvars.example" in message
    assert "cp terraform.tfvars.example terraform.tfvars" in message
    assert "No changes" not in plan.stdout


def test_without_the_override_file_the_license_silently_falls_back(tmp_path, cli_config):
    """The override file is what declares the built-in provider: without it, `try()` swallows
    Terraform's "unknown provider function" and the module gets TF_VAR_license instead of the
    settings file's license (the reason every synth writes the file, and this test exists)."""
    stack_dir = license_probe(tmp_path, GUIDE_SETTINGS)
    assert license_input(stack_dir, cli_config, env={"TF_VAR_license": ENV_LICENSE}) == SENTINEL_LICENSE
    (stack_dir / "builtin_providers_override.tf.json").unlink()
    assert license_input(stack_dir, cli_config, env={"TF_VAR_license": ENV_LICENSE}) == ENV_LICENSE


def test_terraform_reads_the_license_from_a_file_with_a_byte_order_mark(tmp_path, cli_config):
    """The app accepts a UTF-8 byte-order mark at the start of the settings file
    (test_settings_careful.py); Terraform reads such a file too, as the settings file and as the
    CLI's var file, so the license does not silently fall back to TF_VAR_license."""
    stack_dir = license_probe(tmp_path, GUIDE_SETTINGS)
    settings_file = tmp_path / SETTINGS_NAME
    settings_file.write_bytes(b"\xef\xbb\xbf" + settings_file.read_bytes())
    env = {"TF_VAR_license": ENV_LICENSE}
    assert license_input(stack_dir, cli_config, f"-var-file={settings_file}", env=env) == SENTINEL_LICENSE
