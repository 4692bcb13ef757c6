"""`terraform init` + `terraform validate` of the synthesized `wandb-storage` stack, with the aws
provider from the local filesystem mirror (5.100.0, the oldest release the stack admits)."""

from __future__ import annotations

import json
import subprocess

import pytest
from helpers import GUIDE_SETTINGS, synth_app
from terraform_cli import missing_tools, offline_env, skip_or_fail, write_cli_config


@pytest.fixture(scope="module", autouse=True)
def tools():
    skip_or_fail(missing_tools())


VARIANTS = {
    "guide": GUIDE_SETTINGS,
    "custom": {
        **GUIDE_SETTINGS,
        "storage_bucket_name": "acme-wandb-files",
        "storage_node_role_name": "acme-eks-node-role",
        "storage_cors_origins": ["https://wandb.acme.dev", "http://localhost:8080"],
        "storage_force_destroy": True,
    },
}


@pytest.fixture(scope="module")
def workdirs(tmp_path_factory):
    """{variant: (stack dir, env)}: each variant synthesized once and `terraform init`-ed."""
    cli_config = write_cli_config(tmp_path_factory.mktemp("tfcli"))
    env = offline_env(cli_config)
    dirs = {}
    for name, values in VARIANTS.items():
        outdir = tmp_path_factory.mktemp(name)
        synth_app(values, outdir)
        stack_dir = outdir / "stacks" / "wandb-storage"
        init = terraform(stack_dir, env, "init", "-backend=false")
        assert init.returncode == 0, init.stdout + init.stderr
        dirs[name] = stack_dir
    return dirs, env


def terraform(cwd, env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["terraform", *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_validate(workdirs, variant):
    dirs, env = workdirs
    result = terraform(dirs[variant], env, "validate", "-json")
    report = json.loads(result.stdout)
    assert report["valid"] is True, result.stdout
    assert report["error_count"] == 0
    # A warning would mean the stack uses something the provider deprecates.
    assert report["warning_count"] == 0, json.dumps(report["diagnostics"], indent=2)


def test_init_took_the_mirror_release(workdirs):
    dirs, _ = workdirs
    lock = (dirs["guide"] / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
    assert 'version     = "5.100.0"' in lock
