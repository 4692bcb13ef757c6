"""`./scripts/export`: every stack as a plain Terraform folder `DIR/<stack>/` (cdk.tf.json, the
built-in provider's override file, the committed lock file), paths relative to that folder, nothing
of this machine and no license in it; `--check` lists each stale, missing or extra file and writes
nothing; real Terraform validates the exported storage stack. One export for the whole module, in a
copy of the project (the copy is the repository an engine checks out)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from helpers import NEW_V8, PROJECT_ROOT, SENTINEL_LICENSE, copy_project, write_settings
from terraform_cli import missing_tools, offline_env, skip_or_fail, write_cli_config

from output_folder import BUILTIN_PROVIDER_OVERRIDE, LOCK_FILE, STACK_FILE
from output_folder.export import ExportError, compare, files_under, fresh_files, refuse_to_replace, refused

ENV_LICENSE = "test-license-from-TF_VAR-export-91c2"
LOCK = (
    '# This file is maintained automatically by "terraform init".\n'
    'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.100.0"\n}\n'
)


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("WANDB_TFVARS", "WANDB_DEPLOYMENTS", "TF_VAR_license")}
    return subprocess.run(
        [str(root / "scripts" / "export"), *args], cwd=root, env={**base, **(env or {})}, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> SimpleNamespace:
    """The project copied (a git repository, with the project's .gitignore), with a settings file
    holding a license, a committed lock file for stack `wandb`, and TF_VAR_license set; then
    `./scripts/export` (default folder: terraform/)."""
    root = copy_project(tmp_path_factory.mktemp("export") / "project")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    write_settings(root, {**NEW_V8, "license": SENTINEL_LICENSE})
    (root / "locks").mkdir(exist_ok=True)
    (root / "locks" / f"wandb{LOCK_FILE}").write_text(LOCK)
    result = run(root, env={"TF_VAR_license": ENV_LICENSE})
    return SimpleNamespace(root=root, result=result, dir=root / "terraform", files=files_under(root / "terraform"))


def test_each_stack_folder_holds_what_terraform_needs_and_nothing_else(exported):
    assert exported.result.returncode == 0, exported.result.stderr
    assert exported.result.stdout == "exported 2 stacks to terraform: wandb, wandb-storage\n"
    assert sorted(exported.files) == [
        f"wandb-storage/{STACK_FILE}",
        f"wandb/{LOCK_FILE}",
        f"wandb/{BUILTIN_PROVIDER_OVERRIDE}",
        f"wandb/{STACK_FILE}",
    ]
    assert exported.files[f"wandb/{LOCK_FILE}"] == LOCK.encode()
    assert sorted(p.name for p in exported.root.iterdir() if p.name.startswith(".terraform")) == []  # no staging left
    lines = [line for line in exported.result.stderr.splitlines() if line.startswith(("warning: wandb,", "note: terraform.tfvars"))]
    assert lines == [
        "warning: wandb, wandb-storage: local state (no state_bucket, no hcp_organization); an engine running the exported "
        "folders needs remote state (docs/engines.md)",
        "note: terraform.tfvars is git-ignored: an engine's checkout will not have it, and the stacks then take the license "
        "from TF_VAR_license; commit a settings file without the license (docs/engines.md)",
    ]


def test_paths_are_relative_to_the_exported_folder_and_nothing_of_this_machine_is_written(exported):
    wandb = exported.files[f"wandb/{STACK_FILE}"].decode()
    assert '"path": "../../terraform.wandb.tfstate"' in wandb
    assert 'file(\\"../../terraform.tfvars\\")' in wandb
    assert (exported.dir / "wandb" / "../../terraform.tfvars").resolve() == exported.root / "terraform.tfvars"
    for name, data in exported.files.items():
        for needle in (str(exported.root), str(PROJECT_ROOT), "/tmp/", SENTINEL_LICENSE, ENV_LICENSE):
            assert needle.encode() not in data, (name, needle)


def test_check_lists_each_stale_missing_and_extra_file_and_writes_nothing(exported):
    """A committed export edited three ways (and holding Terraform's run files, which are not part of
    it); every untouched file compares equal, so the export is byte-for-byte reproducible."""
    committed = exported.root / "committed"
    shutil.copytree(exported.dir, committed)
    (committed / "wandb" / STACK_FILE).write_bytes(exported.files[f"wandb/{STACK_FILE}"] + b" ")
    (committed / "wandb-storage" / STACK_FILE).unlink()
    (committed / "wandb" / "extra_override.tf.json").write_text("{}")
    (committed / "wandb" / ".terraform" / "providers").mkdir(parents=True)
    (committed / "wandb" / "wandb-default.tfplan").write_text("plan")
    before = {p: p.read_bytes() for p in committed.rglob("*") if p.is_file()}

    result = run(exported.root, "--check", "committed")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"missing committed/wandb-storage/{STACK_FILE}",
        f"stale committed/wandb/{STACK_FILE}",
        "extra committed/wandb/extra_override.tf.json",
    ]
    assert result.stderr.splitlines()[-1] == "error: the export in committed is stale (3 files): run ./scripts/export and commit it"
    assert {p: p.read_bytes() for p in committed.rglob("*") if p.is_file()} == before


def test_the_atlantis_recipe_is_generated_from_the_export_and_each_dir_is_an_exported_stack(exported):
    result = run(exported.root, "--atlantis")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (PROJECT_ROOT / "docs" / "recipes" / "atlantis.yaml").read_text()
    for project in yaml.safe_load(result.stdout)["projects"]:
        assert (exported.root / project["dir"] / STACK_FILE).is_file(), project


def test_terraform_validates_the_exported_storage_stack(exported, tmp_path):
    """`terraform init -backend=false` and `validate` in the exported folder, the aws provider from
    the local mirror. (Stack `wandb` needs the W&B registry modules and the kubernetes and helm
    providers, which cannot be installed here: test_wandb_stack_validates_online.)"""
    skip_or_fail(missing_tools())
    folder = exported.root / "validate"
    shutil.copytree(exported.dir, folder)  # the same depth: the relative paths still reach the project's files
    env = offline_env(write_cli_config(tmp_path))
    for args in (["init", "-backend=false", "-input=false", "-no-color"], ["validate", "-no-color"]):
        result = subprocess.run(["terraform", *args], cwd=folder / "wandb-storage", env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "The configuration is valid" in result.stdout


def test_wandb_stack_validates_online(exported):
    if os.environ.get("WANDB_TF_ONLINE") != "1":
        pytest.skip(
            "stack wandb needs the registry modules wandb/wandb/aws and the kubernetes and helm providers: no registry is "
            "reachable here (WANDB_TF_ONLINE=1 runs it where one is)"
        )
    for args in (["init", "-backend=false", "-input=false"], ["validate"]):
        result = subprocess.run(["terraform", *args], cwd=exported.dir / "wandb", capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr


def test_bad_input_is_one_line_and_writes_nothing(exported, tmp_path):
    outside = run(exported.root, str(tmp_path / "elsewhere"))
    assert (outside.returncode, outside.stdout) == (2, "")
    assert outside.stderr.startswith(f"error: {tmp_path / 'elsewhere'}: the export folder must be a folder inside the project")
    assert len(outside.stderr.splitlines()) == 1 and not (tmp_path / "elsewhere").exists()
    (exported.root / "bad.tfvars").write_text("namespace = \n")
    bad = run(exported.root, "--check", env={"WANDB_TFVARS": "bad.tfvars"})
    assert bad.returncode == 2 and bad.stderr.startswith("error: bad.tfvars") and len(bad.stderr.splitlines()) == 1, bad.stderr


def test_a_license_a_machine_path_or_a_settings_file_outside_the_project_is_refused(tmp_path):
    files = {"wandb/cdk.tf.json": b'{"a": "test-license-SENTINEL-7f3a9c"}', "wandb-storage/cdk.tf.json": b'{"path": "/home/me/x"}'}
    assert refused(files, [SENTINEL_LICENSE], ["/home/me"]) == ["wandb/cdk.tf.json", "wandb-storage/cdk.tf.json"]
    stacks = tmp_path / "stacks"
    (stacks / "wandb").mkdir(parents=True)
    (stacks / "wandb" / STACK_FILE).write_text("{}")
    (tmp_path / "outside.tfvars").write_text('namespace = "x"\n')
    with pytest.raises(ExportError, match=r"outside.tfvars: the settings file is outside the project"):
        fresh_files(stacks, {"WANDB_TFVARS": str(tmp_path / "outside.tfvars")}, tmp_path)


def test_the_export_replaces_only_a_folder_of_exported_stacks(tmp_path):
    (tmp_path / "wandb").mkdir()
    (tmp_path / "wandb" / STACK_FILE).write_text("{}")
    refuse_to_replace(tmp_path)
    (tmp_path / "README.md").write_text("mine")
    with pytest.raises(ExportError, match=r"README.md: not an exported stack"):
        refuse_to_replace(tmp_path)
    assert compare({"a": b"1", "b": b"2"}, {"a": b"1", "b": b"3", "c": b""}) == ["stale b", "extra c"]
