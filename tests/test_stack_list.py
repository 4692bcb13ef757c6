"""`./scripts/stacks [--json]` (settings/stack_list.py): every stack of the app, for a CI matrix,
from the settings alone. The list is exact, for a single settings file and for a deployments
folder, and is the set of stacks a real synth writes to manifest.json (one synth of both, below);
it loads no cdktf and no provider binding; a settings error is one line and exit status 2."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

from helpers import GUIDE_SETTINGS, PROJECT_ROOT, app_copy, write_settings

from settings import load_app_settings
from settings.naming import HCP_WORKSPACES_STACK, app_stack_ids, app_stacks
from settings.stack_list import main

FOLDER = PROJECT_ROOT / "examples" / "deployments"
FOLDER_STACKS = [
    {"stack": "prod-eu--wandb", "deployment": "prod-eu", "kind": "wandb", "environment": "prod-eu"},
    {"stack": "prod-eu--wandb-storage", "deployment": "prod-eu", "kind": "wandb-storage", "environment": "prod-eu"},
    {"stack": "staging--wandb", "deployment": "staging", "kind": "wandb", "environment": "staging"},
    {"stack": "staging--wandb-storage", "deployment": "staging", "kind": "wandb-storage", "environment": "staging"},
]
SINGLE_FILE_STACKS = [
    {"stack": "wandb", "deployment": None, "kind": "wandb", "environment": "wandb"},
    {"stack": "wandb-storage", "deployment": None, "kind": "wandb-storage", "environment": "wandb"},
]


def listed(environ: Mapping[str, str], root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), environ=environ, root=root, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_a_single_settings_file(tmp_path):
    write_settings(tmp_path, GUIDE_SETTINGS)  # terraform.tfvars at this root
    status, out, err = listed({}, tmp_path, "--json")
    assert (status, err) == (0, "")
    assert json.loads(out) == SINGLE_FILE_STACKS and out.count("\n") == 1  # one line: a GitHub job output
    status, out, _ = listed({}, tmp_path)
    assert out.splitlines() == [
        "stack          deployment  kind           environment",
        "wandb          -           wandb          wandb",
        "wandb-storage  -           wandb-storage  wandb",
    ]


def test_a_deployments_folder(tmp_path):
    status, out, err = listed({"WANDB_DEPLOYMENTS": str(FOLDER)}, tmp_path, "--json")
    assert (status, err) == (0, "")
    assert json.loads(out) == FOLDER_STACKS


def test_hcp_workspaces_once_when_a_deployment_manages_workspaces():
    def deployment(name: str, manage: bool | None) -> SimpleNamespace:
        return SimpleNamespace(deployment=name, hcp=None if manage is None else SimpleNamespace(manage_workspaces=manage))

    plain = app_stack_ids([deployment("a", None), deployment("b", False)])
    assert plain == ("a--wandb", "a--wandb-storage", "b--wandb", "b--wandb-storage")
    stacks = app_stacks([deployment("a", True), deployment("b", True)])
    assert [s.id for s in stacks] == ["a--wandb", "a--wandb-storage", "b--wandb", "b--wandb-storage", HCP_WORKSPACES_STACK]
    assert stacks[-1].deployment is None and stacks[-1].kind == HCP_WORKSPACES_STACK


def test_hcp_workspaces_from_real_settings(tmp_path):
    """A deployment that sets hcp_manage_workspaces adds the app-level stack, once, last."""
    folder = tmp_path / "deployments"
    shutil.copytree(FOLDER, folder)
    defaults = folder / "_defaults.tfvars"
    defaults.write_text("".join(line for line in defaults.read_text().splitlines(True) if not line.startswith("state_")))
    for name, manage in (("staging", "true"), ("prod-eu", "false")):
        with (folder / f"{name}.tfvars").open("a") as file:
            file.write(f'hcp_organization = "acme"\nhcp_execution_mode = "local"\nhcp_manage_workspaces = {manage}\n')
    status, out, err = listed({"WANDB_DEPLOYMENTS": str(folder)}, tmp_path, "--json")
    assert (status, err) == (0, "")
    hcp = {"stack": "hcp-workspaces", "deployment": None, "kind": "hcp-workspaces", "environment": "hcp-workspaces"}
    assert json.loads(out) == [*FOLDER_STACKS, hcp]


def test_the_list_is_what_a_synth_writes(tmp_path):
    """One synth (the suite's time budget) of a single settings file's deployment and the
    folder's, side by side in one app: manifest.json holds exactly the stacks both lists name."""
    from cdktf import App

    from settings import parse_settings
    from stacks import build_app

    single = parse_settings(dict(GUIDE_SETTINGS), PROJECT_ROOT / "test.tfvars")
    folder = load_app_settings(environ={"WANDB_DEPLOYMENTS": str(FOLDER)}, root=tmp_path).deployments
    app = App(outdir=str(tmp_path / "out"), stack_traces=False)
    build_app(app, [single, *folder])
    app.synth()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == sorted(entry["stack"] for entry in SINGLE_FILE_STACKS + FOLDER_STACKS)


# Run in a process of its own: the settings and the listing, then which modules were loaded.
NO_BINDINGS = """
import sys
from settings.stack_list import main
status = main(["--json"])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("cdktf", "constructs", "jsii") or m.startswith("cdktf_cdktf_provider_"))
print("LOADED", loaded, file=sys.stderr)
sys.exit(status)
"""


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WANDB_TFVARS", "WANDB_DEPLOYMENTS", "PYTHONPATH")}
    return {**env, **extra}


def test_no_cdktf_and_no_provider_binding_is_loaded(tmp_path):
    env = clean_env(WANDB_DEPLOYMENTS=str(FOLDER), PYTHONPATH=str(app_copy()))  # a copy: no settings of the developer's
    result = subprocess.run([sys.executable, "-P", "-c", NO_BINDINGS], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == FOLDER_STACKS
    assert "LOADED []" in result.stderr


def test_the_wrapper_a_settings_error_is_one_line_and_exit_2(tmp_path):
    folder = tmp_path / "deployments"
    shutil.copytree(FOLDER, folder)

    def stacks(*args: str) -> subprocess.CompletedProcess[str]:
        env = clean_env(WANDB_DEPLOYMENTS="deployments")  # relative: from the caller's directory
        return subprocess.run([str(app_copy() / "scripts" / "stacks"), *args], cwd=tmp_path, env=env, capture_output=True, text=True)

    result = stacks("--json")
    assert result.returncode == 0 and json.loads(result.stdout) == FOLDER_STACKS, result.stderr
    (folder / "staging.tfvars").write_text((FOLDER / "staging.tfvars").read_text().replace('size      = "small"', 'size = "enormous"'))
    result = stacks("--json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("error: deployments/staging.tfvars: setting `size`: ") and result.stderr.count("\n") == 1, result.stderr
    result = stacks("--yaml")
    assert result.returncode == 2 and "unrecognized arguments: --yaml" in result.stderr and "Traceback" not in result.stderr
