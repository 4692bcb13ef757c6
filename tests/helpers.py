"""Shared test helpers: settings files, synthesis into a temporary folder, running main.py."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A license value that must never show up in any output. Not a real license.
SENTINEL_LICENSE = "test-license-SENTINEL-7f3a9c"

EXAMPLES = PROJECT_ROOT / "examples"


def example(name: str, **license_key: str) -> dict[str, Any]:
    """The settings of examples/<name>.tfvars, plus the stand-in license under the key given
    (`license_key`: e.g. license=SENTINEL_LICENSE, as the file's comments say the user adds it)."""
    from settings.tfvars import read_tfvars

    return {**read_tfvars(EXAMPLES / f"{name}.tfvars"), **license_key}


# The guide's minimal terraform.tfvars (recommended deployment), with a well-formed zone id.
GUIDE_SETTINGS: dict[str, Any] = example("guide", license=SENTINEL_LICENSE)
# The guide's pre-operator.tfvars (with a stand-in license under its key) and post-operator.tfvars.
PRE_OPERATOR: dict[str, Any] = example("pre-operator", wandb_license=SENTINEL_LICENSE)
POST_OPERATOR: dict[str, Any] = example("post-operator", wandb_license=SENTINEL_LICENSE)
# A new 8.x deployment, as the example settings and the README's quick start have it.
NEW_V8: dict[str, Any] = example("new-8x", license=SENTINEL_LICENSE)
# One settings file per layout of stack `wandb` (release_catalog.layouts.Layout values).
LAYOUT_SETTINGS: dict[str, dict[str, Any]] = {
    "recommended": GUIDE_SETTINGS,
    "pre-operator": PRE_OPERATOR,
    "post-operator": POST_OPERATOR,
    "v8": NEW_V8,
}


def to_hcl(values: Mapping[str, Any]) -> str:
    """Renders settings as a tfvars file (JSON literals are valid HCL for these shapes)."""
    lines = []
    for key, value in values.items():
        lines.append(f"{key} = {_hcl_value(value)}")
    return "\n".join(lines) + "\n"


def _hcl_value(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(str(k))} = {_hcl_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_value(v) for v in value) + "]"
    if value is None:
        return "null"
    return json.dumps(value)


def write_settings(folder: Path, values: Mapping[str, Any], name: str = "terraform.tfvars") -> Path:
    path = folder / name
    path.write_text(to_hcl(values))
    return path


def synth_app(settings_values: Mapping[str, Any], outdir: Path, source: str = "test.tfvars", from_example: bool = False) -> dict[str, dict]:
    """Synthesizes the whole app in-process, as `cdktf synth` would, into `outdir`; returns
    {stack id: parsed cdk.tf.json}. `source` is the settings file the values stand for (relative
    to the project root); Terraform reads the license from it at deploy time. Imports the bindings
    once per test process."""
    from cdktf import App

    from output_folder import write_builtin_provider_overrides
    from settings import parse_settings
    from stacks import build_app

    settings = parse_settings(dict(settings_values), PROJECT_ROOT / source, from_example=from_example)
    app = App(outdir=str(outdir), stack_traces=False)
    build_app(app, settings)
    app.synth()
    write_builtin_provider_overrides(outdir / "stacks")  # as main.py does
    stacks = {}
    for stack_dir in sorted((outdir / "stacks").iterdir()):
        stacks[stack_dir.name] = json.loads((stack_dir / "cdk.tf.json").read_text())
    return stacks


def run_main(
    settings_file: Path | None, outdir: Path, extra_env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Runs `python main.py` as cdktf does (CDKTF_OUTDIR set), with WANDB_TFVARS pointing at the
    file, in a copy of the app (app_copy()): the developer's own terraform.tfvars or deployments/
    at the project root never take part. `cwd` defaults to the copy's root."""
    root = app_copy()
    env = {k: v for k, v in os.environ.items() if k not in ("WANDB_TFVARS", "WANDB_DEPLOYMENTS")}
    env["CDKTF_OUTDIR"] = str(outdir)
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    if settings_file is not None:
        env["WANDB_TFVARS"] = str(settings_file)
    env.update(extra_env or {})
    return subprocess.run([sys.executable, str(root / "main.py")], cwd=cwd or root, env=env, capture_output=True, text=True, timeout=600)


_APP_COPY: list[Path] = []


def app_copy() -> Path:
    """One copy of the project per test process, made on first use and removed at exit."""
    if not _APP_COPY:
        folder = Path(tempfile.mkdtemp(prefix="wandb-app-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _APP_COPY.append(copy_project(folder / "project"))
    return _APP_COPY[0]


# What a copy of the project leaves out: tools, tests, docs, and anything holding state or settings
# of a real deployment (a test writes the copy's own terraform.tfvars or deployments/).
NOT_COPIED = (
    ".git", ".venv*", "node_modules", "cdktf.out", ".terraform", "*.tfstate*", "terraform.tfvars", ".state",
    "tests", "docs", "benchmarks", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", "deployments",
)  # fmt: skip


def copy_project(target: Path) -> Path:
    """A copy of the app at `target`, run as a user runs theirs: cdktf.json's app with this
    Python, the repository's virtualenv linked as the copy's `.venv` (./scripts/plan and
    ./scripts/apply run .venv/bin/python of the project they are in)."""
    shutil.copytree(PROJECT_ROOT, target, ignore=shutil.ignore_patterns(*NOT_COPIED))
    config = json.loads((target / "cdktf.json").read_text())
    config["app"] = f"{sys.executable} main.py"
    (target / "cdktf.json").write_text(json.dumps(config, indent=2))
    (target / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    return target
