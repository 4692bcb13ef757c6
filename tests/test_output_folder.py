"""The output folder, run as a user runs `python main.py` (what `cdktf synth` starts) in a copy of
the project: the local state and the settings file a stack names are the same files wherever the
output folder is; a state that would move is refused; an unusable folder is one line and exit 2;
Ctrl-C leaves the folder all new or all as before; what Terraform keeps in a stack's folder
survives the next synth."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, copy_project, to_hcl

STACKS = ("wandb", "wandb-storage")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("outdir") / "project")
    (root / "terraform.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    return root


def main_py(project: Path, cwd: Path, outdir: str | None = None, **popen: object) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CDKTF_OUTDIR", "WANDB_TFVARS", "WANDB_DEPLOYMENTS")}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    if outdir is not None:
        env["CDKTF_OUTDIR"] = outdir
    return subprocess.run(
        [sys.executable, str(project / "main.py")], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **popen
    )


def named_files(stack_dir: Path) -> dict[str, Path]:
    """The files a synthesized stack names, resolved from its folder as Terraform resolves them."""
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    found = {"state": (stack_dir / stack["terraform"]["backend"]["local"]["path"]).resolve()}
    settings = re.findall(r'file\("([^"]+)"\)', stack.get("locals", {}).get("license", ""))
    if settings:
        found["settings"] = (stack_dir / settings[0]).resolve()
    return found


def where_outdir_is(project: Path, tmp_path: Path) -> dict[str, tuple[Path, str | None, Path]]:
    """case: (working directory, CDKTF_OUTDIR, the output folder that results)."""
    (project / "build").mkdir(exist_ok=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return {
        "default": (project, None, project / "cdktf.out"),
        "relative CDKTF_OUTDIR": (project, "build/out", project / "build" / "out"),
        "absolute CDKTF_OUTDIR elsewhere": (project, str(elsewhere / "out"), elsewhere / "out"),
        "main.py started from another directory": (elsewhere, None, project / "cdktf.out"),
    }


@dataclass
class Synth:
    """One case of where_outdir_is, as found right after its run (two cases write one folder)."""

    result: subprocess.CompletedProcess
    outdir: Path
    named: dict[str, dict[str, Path]]  # stack: named_files
    manifest_stacks: set[str]
    leftovers: list[Path]  # .synth-* folders in the output folder
    wandb_stack: dict  # stacks/wandb/cdk.tf.json


@pytest.fixture(scope="module")
def synths(project, tmp_path_factory) -> dict[str, Synth]:
    """One run of main.py per case of where_outdir_is, for every test that needs a synth's output
    folder there; a failed run is recorded (the tests assert its exit status) and ends the cases."""
    found = {}
    for case, (cwd, outdir, expected) in where_outdir_is(project, tmp_path_factory.mktemp("where")).items():
        result = main_py(project, cwd, outdir)
        if result.returncode != 0:
            found[case] = Synth(result, expected, {}, set(), [], {})
            break
        found[case] = Synth(
            result,
            expected,
            {stack: named_files(expected / "stacks" / stack) for stack in STACKS},
            set(json.loads((expected / "manifest.json").read_text())["stacks"]),
            list(expected.glob(".synth-*")),
            json.loads((expected / "stacks" / "wandb" / "cdk.tf.json").read_text()),
        )
    return found


def test_the_files_a_stack_names_do_not_move_with_the_output_folder(project, synths):
    for case, synth in synths.items():
        assert synth.result.returncode == 0, f"{case}: {synth.result.stderr}"
        for stack in STACKS:
            named = synth.named[stack]
            assert named["state"] == project / f"terraform.{stack}.tfstate", case
            if stack == "wandb":
                assert named["settings"] == project / "terraform.tfvars", case
        assert synth.manifest_stacks == set(STACKS), case
        assert not synth.leftovers, case
    assert list(synths) == ["default", "relative CDKTF_OUTDIR", "absolute CDKTF_OUTDIR elsewhere", "main.py started from another directory"]


def test_the_default_paths_stay_relative(project, synths):
    """No absolute path of this machine in the JSON: the project folder may move."""
    result = synths["default"].result  # main.py in the project, no CDKTF_OUTDIR
    assert result.returncode == 0, result.stderr
    stack = synths["default"].wandb_stack
    assert stack["terraform"]["backend"] == {"local": {"path": "../../../terraform.wandb.tfstate"}}
    assert str(project) not in json.dumps(stack)


def test_a_state_that_would_move_is_refused_before_anything_is_written(project, synths):
    """The last synth's stack kept its state elsewhere (as the app did before with CDKTF_OUTDIR =
    build/out: build/terraform.<stack>.tfstate), and a state is there: exit 2, one line naming
    both files, the output folder untouched."""
    assert synths["relative CDKTF_OUTDIR"].result.returncode == 0  # main_py(project, project, "build/out")
    stack_file = project / "build" / "out" / "stacks" / "wandb-storage" / "cdk.tf.json"
    stack = json.loads(stack_file.read_text())
    stack["terraform"]["backend"]["local"]["path"] = "../../../terraform.wandb-storage.tfstate"  # = build/...
    stack_file.write_text(json.dumps(stack))
    old_state = project / "build" / "terraform.wandb-storage.tfstate"
    old_state.write_text('{"version": 4}')
    before = {p: p.read_bytes() for p in (project / "build" / "out").rglob("*") if p.is_file()}
    try:
        result = main_py(project, project, "build/out")
        assert result.returncode == 2, result.stderr
        (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert str(old_state) in line and str(project / "terraform.wandb-storage.tfstate") in line
        assert "Traceback" not in result.stderr
        after = {p: p.read_bytes() for p in (project / "build" / "out").rglob("*") if p.is_file()}
        assert after == before
        old_state.unlink()  # nothing there any more: nothing to lose, the synth goes ahead
        assert main_py(project, project, "build/out").returncode == 0
    finally:
        old_state.unlink(missing_ok=True)


def unwritable(tmp_path: Path) -> Path:
    """A folder this process cannot write in (root ignores mode bits: /proc then)."""
    if os.geteuid() == 0:
        return Path("/proc/wandb-cdktf-out")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder / "out"


def test_an_unusable_output_folder_is_one_line_and_exit_2(project, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    for outdir, words in (
        (str(tmp_path / "missing" / "out"), "does not exist"),
        (str(tmp_path / "a-file"), "is a file"),
        (str(unwritable(tmp_path)), "not writable"),
    ):
        result = main_py(project, project, outdir)
        assert result.returncode == 2, result.stderr
        lines = [line for line in result.stderr.splitlines() if not line.startswith(("warning:", "note:"))]
        assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], result.stderr
        assert outdir in lines[0]
    assert not (tmp_path / "missing").exists()


def test_what_terraform_keeps_in_a_stack_folder_survives_the_next_synth(project, synths):
    elsewhere = synths["absolute CDKTF_OUTDIR elsewhere"]  # main_py(project, project, <absolute folder>)
    assert elsewhere.result.returncode == 0
    outdir = elsewhere.outdir
    stack_dir = outdir / "stacks" / "wandb"
    (stack_dir / ".terraform" / "providers").mkdir(parents=True)
    (stack_dir / ".terraform" / "terraform.tfstate").write_text("backend")
    (stack_dir / "plan").write_text("cdktf diff's plan")
    (stack_dir / "errored.tfstate").write_text("what Terraform could not save")
    (stack_dir / "stale_override.tf.json").write_text("{}")  # a synth's file the new synth does not write
    (outdir / "stacks" / "gone").mkdir()  # a stack this synth no longer has: the cdktf CLI removes it
    assert main_py(project, project, str(outdir)).returncode == 0
    assert (stack_dir / ".terraform" / "terraform.tfstate").read_text() == "backend"
    assert (stack_dir / "plan").read_text() == "cdktf diff's plan"
    assert (stack_dir / "errored.tfstate").exists()
    assert not (stack_dir / "stale_override.tf.json").exists()
    assert (stack_dir / "builtin_providers_override.tf.json").exists()
    assert (outdir / "stacks" / "gone").is_dir()
    assert sorted(p.name for p in outdir.iterdir()) == ["manifest.json", "stacks"]


def synth_marks(outdir: Path) -> set[str]:
    """Which run wrote each file: the `Run` tag in the stacks and the manifest's stack list."""
    marks = set()
    for stack in STACKS:
        tags = json.loads((outdir / "stacks" / stack / "cdk.tf.json").read_text())["provider"]["aws"][0]["default_tags"][0]["tags"]
        marks.add(tags["Run"])
    return marks


@pytest.fixture(scope="module")
def old_synth(project, tmp_path_factory) -> Path:
    """An output folder as a first synth left it, its stacks tagged Run = old."""
    outdir = tmp_path_factory.mktemp("old") / "out"
    settings = project / "terraform.tfvars"
    settings.write_text(to_hcl({**GUIDE_SETTINGS, "default_tags": {"Run": "old"}}))
    try:
        assert main_py(project, project, str(outdir)).returncode == 0
    finally:
        settings.write_text(to_hcl(GUIDE_SETTINGS))
    return outdir


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.3, 1.8, 2.4])
def test_ctrl_c_leaves_the_output_folder_all_new_or_as_before(project, old_synth, tmp_path, delay):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) at some point of a synth:
    exit 130 with one line and no traceback, and the folder holds one run's stacks, never a mix."""
    outdir = tmp_path / "out"
    shutil.copytree(old_synth, outdir)
    settings = project / "terraform.tfvars"
    settings.write_text(to_hcl({**GUIDE_SETTINGS, "default_tags": {"Run": "new"}}))
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("WANDB_TFVARS", "WANDB_DEPLOYMENTS")}
        env.update(CDKTF_OUTDIR=str(outdir), JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
        process = subprocess.Popen(
            [sys.executable, str(project / "main.py")],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as a terminal's foreground job
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background runner ignores SIGINT
        )
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        settings.write_text(to_hcl(GUIDE_SETTINGS))
    assert "Traceback" not in stderr
    assert process.returncode in (0, 130, -signal.SIGINT), stderr  # -SIGINT: during Python's own shutdown
    if process.returncode == 130:
        assert stderr.splitlines()[-1].startswith("interrupted: "), stderr
    if delay < 0.5:  # still importing: the interrupt is certain to land before anything is written
        assert process.returncode == 130 and synth_marks(outdir) == {"old"}
    marks = synth_marks(outdir)
    assert marks in ({"old"}, {"new"})
    if process.returncode == 0:
        assert marks == {"new"}
    assert not list(outdir.glob(".synth-*"))
    assert SENTINEL_LICENSE not in stderr
