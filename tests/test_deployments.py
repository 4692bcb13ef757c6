"""Several deployments from one app: a folder of settings files (examples/deployments: a
defaults file and two deployments), each deployment with its own stacks and state, everything
checked before anything is written; the single settings file works exactly as before."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, PROJECT_ROOT, SENTINEL_LICENSE, run_main, to_hcl
from terraform_cli import missing_tools, offline_env, skip_or_fail, write_cli_config

from settings import SettingsError, load_app_settings

FIXTURE = PROJECT_ROOT / "examples" / "deployments"
DEPLOYMENT = {k: v for k, v in GUIDE_SETTINGS.items() if k != "license"}


def synth_folder(folder: Path, outdir: Path) -> dict[str, dict]:
    from cdktf import App

    from output_folder import write_builtin_provider_overrides
    from stacks import build_app

    loaded = load_app_settings(environ={"WANDB_DEPLOYMENTS": str(folder)}, root=PROJECT_ROOT)
    app = App(outdir=str(outdir), stack_traces=False)
    build_app(app, loaded.deployments)
    app.synth()
    write_builtin_provider_overrides(outdir / "stacks")  # as main.py does
    return {d.name: json.loads((d / "cdk.tf.json").read_text()) for d in sorted((outdir / "stacks").iterdir())}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory) -> dict[str, dict]:
    return synth_folder(FIXTURE, tmp_path_factory.mktemp("deployments") / "cdktf.out")


@pytest.mark.parametrize("stack_id", ["prod-eu--wandb", "staging--wandb", "staging--wandb-storage"])
def test_snapshot(stacks, json_snapshot, stack_id):
    assert stacks[stack_id] == json_snapshot


def test_each_deployment_gets_its_two_stacks_selected_by_one_pattern(stacks):
    assert sorted(stacks) == ["prod-eu--wandb", "prod-eu--wandb-storage", "staging--wandb", "staging--wandb-storage"]
    # A deployment name never holds "--", so '<name>--*' (as the cdktf CLI matches stack names)
    # selects one deployment's stacks, also when another name starts with it.
    for name in ("prod-eu", "staging"):
        assert fnmatch.filter(stacks, f"{name}--*") == [f"{name}--wandb", f"{name}--wandb-storage"]
    assert fnmatch.filter(["prod--wandb", "prod-eu--wandb"], "prod--*") == ["prod--wandb"]


def test_the_deployment_overrides_the_defaults_key_by_key(stacks):
    staging, prod = stacks["staging--wandb"]["module"]["wandb_infra"], stacks["prod-eu--wandb"]["module"]["wandb_infra"]
    assert (staging["namespace"], staging["size"], prod["namespace"], prod["size"]) == ("wandb-staging", "small", "wandb-prod", "large")
    assert staging["domain_name"] == prod["domain_name"] == "wandb.acme.dev"  # from the defaults
    assert stacks["prod-eu--wandb"]["provider"]["aws"][0]["region"] == "eu-west-1"
    assert stacks["staging--wandb"]["provider"]["aws"][0]["region"] == "eu-central-1"
    tags = stacks["prod-eu--wandb"]["provider"]["aws"][0]["default_tags"][0]["tags"]
    assert tags["Environment"] == "production"


def test_every_stack_has_its_own_state(stacks):
    keys = {stack_id: stack["terraform"]["backend"]["s3"]["key"] for stack_id, stack in stacks.items()}
    assert keys == {
        "staging--wandb": "wandb/staging/terraform.tfstate",
        "staging--wandb-storage": "wandb/staging/wandb-storage.tfstate",
        "prod-eu--wandb": "wandb/prod-eu/terraform.tfstate",
        "prod-eu--wandb-storage": "wandb/prod-eu/wandb-storage.tfstate",
    }
    for stack in stacks.values():
        backend = stack["terraform"]["backend"]["s3"]
        assert (backend["bucket"], backend["region"], backend["encrypt"], backend["use_lockfile"]) == (
            "acme-terraform-state",
            "eu-central-1",
            True,
            True,
        )


def test_local_state_is_one_file_per_stack_at_the_project_root(tmp_path):
    folder = tmp_path / "deployments"
    folder.mkdir()
    (folder / "_defaults.tfvars").write_text(to_hcl(DEPLOYMENT))
    (folder / "a.tfvars").write_text(to_hcl({"namespace": "wandb-a", "subdomain": "a"}))
    (folder / "b.tfvars").write_text(to_hcl({"namespace": "wandb-b", "subdomain": "b"}))
    stacks = synth_folder(folder, tmp_path / "cdktf.out")
    assert {s: stack["terraform"]["backend"]["local"]["path"] for s, stack in stacks.items()} == {
        s: f"../../../terraform.{s}.tfstate" for s in ("a--wandb", "a--wandb-storage", "b--wandb", "b--wandb-storage")
    }


def test_the_license_is_read_from_the_deployment_file_then_the_defaults(stacks):
    local = stacks["staging--wandb"]["locals"]["license"]
    own, defaults = "../../../examples/deployments/staging.tfvars", "../../../examples/deployments/_defaults.tfvars"
    assert local.index(f'file("{own}")).license') < local.index(f'file("{defaults}")).license') < local.index("var.license")


def test_terraform_takes_the_license_from_the_deployment_file_else_the_defaults(tmp_path):
    """Real Terraform, in the synthesized stack folder: the deployment's own license wins over the
    shared one in the defaults file."""
    if missing_tools() and "Terraform CLI" in (missing_tools() or ""):
        skip_or_fail(missing_tools())
    folder = tmp_path / "deployments"
    folder.mkdir()
    (folder / "_defaults.tfvars").write_text(to_hcl({**DEPLOYMENT, "license": "shared-" + SENTINEL_LICENSE}))
    (folder / "a.tfvars").write_text(to_hcl({"namespace": "wandb-a", "subdomain": "a"}))
    (folder / "b.tfvars").write_text(to_hcl({"namespace": "wandb-b", "subdomain": "b", "wandb_license": "own-" + SENTINEL_LICENSE}))
    synth_folder(folder, tmp_path / "cdktf.out")
    cli_config = write_cli_config(tmp_path)
    seen = {}
    for name in ("a", "b"):
        stack_dir = tmp_path / "cdktf.out" / "stacks" / f"{name}--wandb"
        stack = json.loads((stack_dir / "cdk.tf.json").read_text())
        expression = stack["module"]["wandb_infra"]["license"][2:-1]
        probe = {  # the built-in provider from the override file beside cdk.tf.json
            "variable": stack["variable"],
            "locals": stack["locals"],
            "output": {"license": {"value": f"${{nonsensitive({expression})}}"}},
        }
        (stack_dir / "cdk.tf.json").write_text(json.dumps(probe))
        env = offline_env(cli_config)
        for command in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
            result = subprocess.run(
                ["terraform", *command, "-no-color"], cwd=stack_dir, env=env, capture_output=True, text=True, timeout=300
            )
            assert result.returncode == 0, result.stdout + result.stderr
        shown = subprocess.run(["terraform", "output", "-raw", "license"], cwd=stack_dir, env=env, capture_output=True, text=True)
        seen[name] = shown.stdout
    assert seen == {"a": "shared-" + SENTINEL_LICENSE, "b": "own-" + SENTINEL_LICENSE}


# --- errors, before anything is written -----------------------------------------------------------


def make_folder(tmp_path: Path, files: dict[str, dict], defaults: dict | None = None) -> Path:
    folder = tmp_path / "deployments"
    folder.mkdir(exist_ok=True)
    if defaults is not None:
        (folder / "_defaults.tfvars").write_text(to_hcl(defaults))
    for name, values in files.items():
        (folder / name).write_text(to_hcl(values))
    return folder


def run_folder(tmp_path: Path, folder: Path) -> subprocess.CompletedProcess:
    return run_main(None, tmp_path / "out", extra_env={"WANDB_DEPLOYMENTS": str(folder)})


def assert_refused(tmp_path: Path, result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()  # nothing for any deployment: no manifest, no stack folders


def two(a: dict | None = None, b: dict | None = None) -> dict[str, dict]:
    return {
        "alpha.tfvars": {"namespace": "wandb-alpha", "subdomain": "alpha", **(a or {})},
        "beta.tfvars": {"namespace": "wandb-beta", "subdomain": "beta", **(b or {})},
    }


def test_one_bad_file_stops_every_deployment(tmp_path):
    folder = make_folder(tmp_path, two(b={"zone_id": "not-a-zone"}), DEPLOYMENT)
    assert_refused(tmp_path, run_folder(tmp_path, folder), "beta.tfvars: setting `zone_id`")


def test_a_bad_value_in_the_defaults_names_the_defaults_file(tmp_path):
    folder = make_folder(tmp_path, two(), {**DEPLOYMENT, "region": "Frankfurt"})
    assert_refused(tmp_path, run_folder(tmp_path, folder), "_defaults.tfvars: setting `region`", "for deployment 'alpha'")


@pytest.mark.parametrize("bad", ["Prod.tfvars", "prod_eu.tfvars", "prod--eu.tfvars", "a-very-long-deployment-name.tfvars", "9lives.tfvars"])
def test_a_bad_deployment_name_names_the_file(tmp_path, bad):
    folder = make_folder(tmp_path, {bad: {"namespace": "wandb-x", "subdomain": "x"}}, DEPLOYMENT)
    assert_refused(tmp_path, run_folder(tmp_path, folder), bad, "lowercase letters, digits and single hyphens")


def test_two_deployments_sharing_a_state_object_is_an_error_naming_both(tmp_path):
    defaults = {**DEPLOYMENT, "state_bucket": "acme-tf-state", "state_key": "wandb/terraform.tfstate"}
    folder = make_folder(tmp_path, two(), defaults)
    result = run_folder(tmp_path, folder)
    assert_refused(tmp_path, result, "_defaults.tfvars: setting `state_key`", "alpha.tfvars", "beta.tfvars", "overwrite")


def test_two_deployments_claiming_one_host_name_is_an_error(tmp_path):
    folder = make_folder(tmp_path, two(b={"subdomain": "alpha"}), DEPLOYMENT)
    assert_refused(tmp_path, run_folder(tmp_path, folder), "beta.tfvars: setting `subdomain`", "alpha.wandb.ml", "alpha.tfvars")


def test_two_deployments_with_one_namespace_get_a_warning_naming_both(tmp_path):
    folder = make_folder(tmp_path, two(b={"namespace": "wandb-alpha"}), DEPLOYMENT)
    result = run_folder(tmp_path, folder)
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "setting `namespace`" in line]
    assert "beta.tfvars" in warning and "alpha.tfvars" in warning and "separate AWS accounts" in warning


def test_a_folder_and_a_single_settings_file_are_never_mixed(tmp_path):
    folder = make_folder(tmp_path, two(), DEPLOYMENT)
    single = tmp_path / "single.tfvars"
    single.write_text(to_hcl(GUIDE_SETTINGS))
    result = run_main(single, tmp_path / "out", extra_env={"WANDB_DEPLOYMENTS": str(folder)})
    assert_refused(tmp_path, result, "a deployments folder and a single settings file", "single.tfvars")


def test_the_default_folder_and_a_terraform_tfvars_are_never_mixed(tmp_path):
    (tmp_path / "deployments").mkdir()
    (tmp_path / "deployments" / "a.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    (tmp_path / "terraform.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    with pytest.raises(SettingsError, match="never both"):
        load_app_settings(environ={}, root=tmp_path)


def test_an_empty_folder_is_an_error(tmp_path):
    folder = make_folder(tmp_path, {}, DEPLOYMENT)
    assert_refused(tmp_path, run_folder(tmp_path, folder), "holds no deployment file")


# --- remote state settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value", [("state_key", "x/terraform.tfstate"), ("state_region", "eu-west-1"), ("state_lock_table", "locks")]
)
def test_state_options_without_a_bucket_are_an_error(tmp_path, name, value):
    settings_file = tmp_path / "t.tfvars"
    settings_file.write_text(to_hcl({**GUIDE_SETTINGS, name: value}))
    result = run_main(settings_file, tmp_path / "out")
    assert_refused(tmp_path, result, f"setting `{name}`", "without `state_bucket`")


def test_the_s3_backend_options_teams_use(tmp_path):
    from helpers import synth_app

    role, key = "arn:aws:iam::123456789012:role/terraform-state", "arn:aws:kms:eu-central-1:123456789012:alias/tf-state"
    values = {
        **GUIDE_SETTINGS,
        "state_bucket": "acme-tf-state",
        "state_role_arn": role,
        "state_profile": "platform",
        "state_kms_key_id": key,
    }
    stacks = synth_app(values, tmp_path)
    backend = stacks["wandb"]["terraform"]["backend"]["s3"]
    assert backend["assume_role"] == {"role_arn": role}
    assert (backend["profile"], backend["kms_key_id"], backend["key"]) == ("platform", key, "wandb/terraform.tfstate")
    assert stacks["wandb-storage"]["terraform"]["backend"]["s3"]["key"] == "wandb/wandb-storage.tfstate"


def test_a_dynamodb_lock_table_warns_it_is_deprecated(tmp_path):
    settings_file = tmp_path / "t.tfvars"
    settings_file.write_text(to_hcl({**GUIDE_SETTINGS, "state_bucket": "acme-tf-state", "state_lock_table": "tf-locks"}))
    result = run_main(settings_file, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "setting `state_lock_table`" in line]
    assert "deprecated since Terraform 1.11" in warning and "use_lockfile" in warning


# --- the commands follow --------------------------------------------------------------------------


def test_python_main_writes_every_deployments_stacks(tmp_path):
    folder = tmp_path / "deployments"
    shutil.copytree(FIXTURE, folder)
    result = run_folder(tmp_path, folder)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "stacks").iterdir()) == [
        "prod-eu--wandb",
        "prod-eu--wandb-storage",
        "staging--wandb",
        "staging--wandb-storage",
    ]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == sorted(p.name for p in (tmp_path / "out" / "stacks").iterdir())
