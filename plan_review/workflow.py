"""`./scripts/plan STACK` and `./scripts/apply STACK`: synthesize as the cdktf CLI does, run
Terraform in the stack's folder, judge the plan, and keep a record of the verdict beside the plan
file, so that apply applies exactly a plan that passed, and nothing else.

In the stack's working directory (`<outdir>/stacks/<STACK>`, `outdir` from CDKTF_OUTDIR, else
cdktf.json's "output", else cdktf.out; git-ignored):

    plan-review.tfplan   the saved plan, until it is applied (mode 600: Terraform keeps the values
                         of the stack's variables in it, the license among them)
    .plan-review.json    the record: verdict, hashes of the plan file, of the synthesized
                         cdk.tf.json and of every settings file, the --allow patterns used
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from plan_review.failure import BAD_INPUT, FAILED, PASSED, REFUSED, Failure
from plan_review.judge import Review, review
from plan_review.saved_plan import judge_file, judge_text, warn_unused
from plan_review.summary import render

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = "plan-review.tfplan"
RECORD_FILE = ".plan-review.json"
INIT_MARK = "plan-review-init.sha256"  # inside .terraform: gone with it
RECORD_FORMAT = 1

__all__ = ["BAD_INPUT", "FAILED", "PASSED", "PROJECT_ROOT", "REFUSED", "Failure", "Project", "apply_stack", "judge_file", "plan_stack"]

# The var files the cdktf CLI passes to every plan, deploy and destroy (from the project root).
CLI_VAR_FILES = ("terraform.tfvars", "terraform.tfvars.json")
CLI_VAR_FILE_SUFFIXES = (".auto.tfvars", ".auto.tfvars.json")

DEPLOYMENTS_ENV = "WANDB_DEPLOYMENTS"
DEPLOYMENTS_DIR = "deployments"


@dataclass(frozen=True)
class Project:
    root: Path
    environ: Mapping[str, str]
    out: TextIO
    err: TextIO

    # --- where things are ---------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        path = self.root / "cdktf.json"
        try:
            config = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise Failure(BAD_INPUT, f"{path}: cannot read the cdktf configuration ({error})") from None
        if not isinstance(config, dict) or not isinstance(config.get("app"), str):
            raise Failure(BAD_INPUT, f'{path}: no "app" command')
        return config

    def outdir(self) -> Path:
        named = self.environ.get("CDKTF_OUTDIR") or self.config().get("output") or "cdktf.out"
        return self._from_root(str(named))

    def _from_root(self, name: str) -> Path:
        """Paths in the environment are taken from the project root, where the cdktf CLI runs the app."""
        path = Path(name)
        return path if path.is_absolute() else self.root / path

    def shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    # --- synthesis ----------------------------------------------------------------------------

    def synthesize(self, then: str = "nothing was planned") -> dict[str, Path]:
        """Runs cdktf.json's "app" command (`.venv/bin/python main.py`) from the project root, as
        `cdktf synth` does, with CDKTF_OUTDIR set; its messages go straight to the terminal. Its
        exit status 2 (a settings error: main.py printed the one line) is passed through.
        Returns {stack id: its working directory} from the manifest."""
        outdir = self.outdir()
        command = self.config()["app"]
        env = {**self.environ, "CDKTF_OUTDIR": str(outdir)}
        status = subprocess.run(command, shell=True, cwd=self.root, env=env, stdin=subprocess.DEVNULL, check=False).returncode
        if status == BAD_INPUT:
            raise Failure(BAD_INPUT)  # main.py's one line (a settings error) is the message
        if status != 0:
            raise Failure(FAILED, f"synthesis failed (`{command}` exited with status {status}; its message is above); {then}")
        return self.stacks(outdir)

    def stacks(self, outdir: Path) -> dict[str, Path]:
        manifest = outdir / "manifest.json"
        try:
            stacks = json.loads(manifest.read_text())["stacks"]
            return {name: outdir / spec["workingDirectory"] for name, spec in stacks.items()}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise Failure(FAILED, f"{self.shown(manifest)}: no stacks in the synthesized manifest ({error})") from None

    def stack_dir(self, stacks: Mapping[str, Path], stack: str) -> Path:
        if stack not in stacks:
            known = ", ".join(sorted(stacks)) or "none"
            raise Failure(BAD_INPUT, f"unknown stack {stack!r}: the app synthesizes {known}")
        return stacks[stack]

    # --- the settings -------------------------------------------------------------------------

    def var_files(self) -> list[Path]:
        """What the cdktf CLI passes as -var-file: the project root's terraform.tfvars,
        terraform.tfvars.json and every *.auto.tfvars / *.auto.tfvars.json."""
        files = [self.root / name for name in CLI_VAR_FILES if (self.root / name).is_file()]
        for suffix in CLI_VAR_FILE_SUFFIXES:
            files += sorted(p for p in self.root.glob(f"*{suffix}") if p.is_file() and not p.name.startswith("."))
        return files

    def settings_files(self) -> list[Path]:
        """Every file the app or Terraform may read settings from: the settings file
        (`settings.settings_path()`: WANDB_TFVARS, terraform.tfvars or the example), every
        *.tfvars of the deployments folder (WANDB_DEPLOYMENTS, else deployments/) and the var files."""
        from settings import settings_path

        named, _example = settings_path(self.environ, self.root)
        files = [self._from_root(str(named))]
        folder = self._from_root(self.environ.get(DEPLOYMENTS_ENV) or DEPLOYMENTS_DIR)
        if folder.is_dir():
            files += sorted(folder.glob("*.tfvars"))
        files += self.var_files()
        return list(dict.fromkeys(path.absolute() for path in files))

    def settings_fingerprint(self) -> dict[str, str]:
        return {self.shown(path): _file_sha256(path) for path in self.settings_files()}

    # --- Terraform ----------------------------------------------------------------------------

    def terraform(
        self, args: Sequence[str], cwd: Path, capture: bool, capture_stderr: bool = False, private: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Terraform in `cwd` (TERRAFORM_BINARY_NAME, as the cdktf CLI honours it). Its output goes
        straight to the terminal unless captured. `private`: the files it writes are the user's
        alone (a saved plan holds the values of the variables)."""
        binary = self.terraform_binary()
        self.err.flush()
        self.out.flush()
        return subprocess.run(
            [binary, *args, *self._color()],
            cwd=cwd,
            env=dict(self.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture_stderr else None,
            text=True,
            check=False,
            umask=0o077 if private else -1,
        )

    def terraform_binary(self) -> str:
        binary = self.environ.get("TERRAFORM_BINARY_NAME") or "terraform"
        if shutil.which(binary, path=self.environ.get("PATH")) is None:
            raise Failure(FAILED, f"{binary} not found on PATH: install Terraform >= 1.10 (developer.hashicorp.com/terraform/install)")
        return binary

    def _color(self) -> list[str]:
        tty = self.out.isatty() and self.err.isatty()
        return [] if tty and not self.environ.get("NO_COLOR") else ["-no-color"]

    def init_key(self, stack_dir: Path) -> str:
        """What `terraform init` depends on: the synthesized terraform block (backend, required
        providers and version), the modules' sources and versions, the providers, the lock file
        and the CLI configuration (provider installation)."""
        try:
            config = json.loads((stack_dir / "cdk.tf.json").read_text())
        except (OSError, ValueError):
            return "unreadable"
        modules = config.get("module") or {}
        cli_config = self.environ.get("TF_CLI_CONFIG_FILE") or ""
        key = {
            "terraform": config.get("terraform"),
            "modules": {name: [spec.get("source"), spec.get("version")] for name, spec in modules.items() if isinstance(spec, dict)},
            "providers": sorted(config.get("provider") or {}),
            "lock": _file_sha256(stack_dir / ".terraform.lock.hcl"),
            "cli_config": [cli_config, _file_sha256(Path(cli_config)) if cli_config else ""],
        }
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()

    def init(self, stack_dir: Path, force: bool = False) -> bool:
        """`terraform init -input=false` unless the folder is initialized: skipped (returns False)
        when INIT_MARK holds the key of exactly this configuration, or, without a mark, when the
        folder has been initialized before (by `cdktf deploy`, say): the plan then says whether it
        needs an init, and plan_stack runs one and plans again. An init that would change nothing
        still hashes every provider binary."""
        mark = stack_dir / ".terraform" / INIT_MARK
        if not force:
            if mark.is_file() and mark.read_text() == self.init_key(stack_dir):
                return False
            if not mark.is_file() and mark.parent.is_dir() and (stack_dir / ".terraform.lock.hcl").is_file():
                return False
        with contextlib.suppress(FileNotFoundError):
            mark.unlink()
        where = self.shown(stack_dir)
        print(f"terraform init in {where} ...", file=self.err)
        result = self.terraform(["init", "-input=false"], stack_dir, capture=True)
        if result.returncode != 0:
            print(result.stdout, end="", file=self.out)
            raise Failure(FAILED, f"terraform init failed in {where} (exit status {result.returncode}; Terraform's message is above)")
        return True

    def record_lock_file(self, stack_dir: Path, stack: str) -> None:
        """Keeps the provider selections `terraform init` made as `locks/<stack>.terraform.lock.hcl`
        at the project root (main.py puts it back into the stack folder on every synth): commit it,
        and every machine installs the same provider versions."""
        made = stack_dir / ".terraform.lock.hcl"
        if not made.is_file():
            return
        kept = self.root / "locks" / f"{stack}.terraform.lock.hcl"
        if kept.is_file() and kept.read_bytes() == made.read_bytes():
            return
        kept.parent.mkdir(exist_ok=True)
        shutil.copyfile(made, kept)
        print(f"provider selections recorded in {self.shown(kept)}: commit it", file=self.err)

    def mark_initialized(self, stack_dir: Path) -> None:
        """After a plan Terraform made without asking for an init: the folder suits this configuration."""
        mark = stack_dir / ".terraform" / INIT_MARK
        if mark.parent.is_dir():  # a configuration without providers, modules or backend has none
            mark.write_text(self.init_key(stack_dir))


def _file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "absent"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def warnings_of(stdout: str) -> str:
    """The warnings Terraform printed on stdout after a plan (the errors go to stderr), as it
    printed them: from the first diagnostic (`Warning: ...`, or `╷` when coloured) to the rule
    (`───`) or "Saved the plan to", without the plan and the progress lines before them."""
    lines = stdout.splitlines()
    plain = [_ANSI.sub("", line) for line in lines]
    start = next((i for i, line in enumerate(plain) if line.startswith(("╷", "Warning: ", "Error: "))), None)
    if start is None:
        return ""
    end = next((i for i in range(start, len(plain)) if plain[i].startswith(("─", "Saved the plan to:"))), len(lines))
    return "\n".join(lines[start:end]).rstrip()


# --- the record ---------------------------------------------------------------------------------


def read_record(stack_dir: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((stack_dir / RECORD_FILE).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and record.get("format") == RECORD_FORMAT else {}


def write_record(stack_dir: Path, record: Mapping[str, Any]) -> None:
    path = stack_dir / RECORD_FILE
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"format": RECORD_FORMAT, **record}, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, path)


def _forget_plan(stack_dir: Path) -> None:
    for name in (RECORD_FILE, PLAN_FILE):
        with contextlib.suppress(FileNotFoundError):
            (stack_dir / name).unlink()


# --- the commands -------------------------------------------------------------------------------


def plan_stack(project: Project, stack: str, allows: Sequence[str], destroy: bool) -> int:
    """Synthesize, `terraform init` and `terraform plan -out`, judge the plan, keep the record."""
    settings = project.settings_fingerprint()  # before the synth reads them: a later edit shows
    stack_dir = project.stack_dir(project.synthesize(), stack)
    _forget_plan(stack_dir)  # apply only ever applies the latest plan, and only when it passed
    config_sha256 = _file_sha256(stack_dir / "cdk.tf.json")
    where = project.shown(stack_dir)

    initialized = project.init(stack_dir)
    # -detailed-exitcode: 0 no changes (nothing to review: `terraform show -json` is skipped), 2 changes, 1 failed.
    plan_args = ["plan", "-input=false", "-detailed-exitcode", f"-out={PLAN_FILE}", *(["-destroy"] if destroy else [])]
    plan_args += [f"-var-file={path}" for path in project.var_files()]
    files = ", ".join(project.shown(path) for path in project.var_files()) or "none"
    print(f"terraform plan -out={PLAN_FILE}{' -destroy' if destroy else ''} (var files: {files}) ...", file=project.err)
    # Its stdout (progress, and the plan, which the summary replaces) is captured; the warnings it
    # ends with and everything on stderr (the errors) are shown as Terraform printed them.
    planned = project.terraform(plan_args, stack_dir, capture=True, capture_stderr=True, private=True)
    if planned.returncode == 1 and not initialized and "terraform init" in planned.stderr:
        print("terraform plan asks for terraform init: running it, then the plan again", file=project.err)
        project.init(stack_dir, force=True)
        planned = project.terraform(plan_args, stack_dir, capture=True, capture_stderr=True, private=True)
    print(planned.stderr, end="", file=project.err)
    if warnings := warnings_of(planned.stdout):
        print(warnings, file=project.err)
    if planned.returncode not in (0, 2):
        _forget_plan(stack_dir)
        status = planned.returncode
        raise Failure(FAILED, f"terraform plan failed in {where} (exit status {status}; Terraform's message is above); nothing to review")
    project.mark_initialized(stack_dir)
    project.record_lock_file(stack_dir, stack)

    result = review((), allows) if planned.returncode == 0 else _review_saved_plan(project, stack_dir, allows)
    print(render(result, f"stack {stack}" + (" (destroy plan)" if destroy else "")), end="", file=project.out)
    warn_unused(result, project.err)
    record: dict[str, Any] = {
        "stack": stack,
        "verdict": "passed" if result.passed else "refused",
        "destroy": destroy,
        "allow": list(allows),
        "refused": [change.address for change in result.refused],
        "planned_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "plan_file": PLAN_FILE,
        "plan_sha256": _file_sha256(stack_dir / PLAN_FILE),
        "config_sha256": config_sha256,
        "settings_sha256": settings,
    }
    write_record(stack_dir, record)
    print(f"Terraform's own rendering of the plan: terraform -chdir={where} show {PLAN_FILE}", file=project.out)
    if not result.passed:
        return REFUSED
    print(f"To apply exactly this plan: ./scripts/apply {stack}", file=project.out)
    return PASSED


def _review_saved_plan(project: Project, stack_dir: Path, allows: Sequence[str]) -> Review:
    try:
        try:
            shown = project.terraform(["show", "-json", PLAN_FILE], stack_dir, capture=True)
        except (UnicodeDecodeError, MemoryError) as error:
            what = "no UTF-8 text" if isinstance(error, UnicodeDecodeError) else "more than this machine's memory holds"
            raise Failure(BAD_INPUT, f"terraform show -json {PLAN_FILE} printed {what}") from None
        if shown.returncode != 0:
            status = shown.returncode
            raise Failure(FAILED, f"terraform show -json {PLAN_FILE} failed (exit status {status}; Terraform's message is above)")
        if not shown.stdout.strip():
            raise Failure(FAILED, f"terraform show -json {PLAN_FILE} printed no JSON")
        return judge_text(shown.stdout, allows, f"terraform show -json {PLAN_FILE}")
    except Failure:
        _forget_plan(stack_dir)
        raise


def apply_stack(project: Project, stack: str) -> int:
    """`terraform apply` of the plan that last passed, when nothing changed since."""
    outdir = project.outdir()
    known = (outdir / "manifest.json").exists()
    stack_dir = project.stack_dir(project.stacks(outdir), stack) if known else outdir / "stacks" / stack
    record = read_record(stack_dir)
    _check_record(project, stack, stack_dir, record)
    assert record is not None

    stack_dir = project.stack_dir(project.synthesize(then="nothing was applied"), stack)  # the code may have changed too
    if _file_sha256(stack_dir / "cdk.tf.json") != record.get("config_sha256"):
        raise Failure(
            REFUSED,
            f"the synthesized configuration of stack {stack!r} changed since its plan (the app's code or what it reads): "
            f"run ./scripts/plan {stack} again; nothing was applied",
        )

    project.terraform_binary()  # there, before the plan is marked as used
    write_record(stack_dir, {**record, "verdict": "applied"})  # a plan is applied once, whatever happens
    kind = "destroy plan" if record.get("destroy") else "plan"
    print(f"terraform apply {PLAN_FILE}: the reviewed {kind} of {record.get('planned_at')} ...", file=project.err)
    try:
        applied = project.terraform(["apply", "-input=false", PLAN_FILE], stack_dir, capture=False)
    finally:
        with contextlib.suppress(FileNotFoundError):
            (stack_dir / PLAN_FILE).unlink()  # stale now, and it holds the variables' values
    write_record(stack_dir, {**record, "verdict": "applied", "apply_exit_status": applied.returncode})
    if applied.returncode != 0:
        raise Failure(FAILED, f"terraform apply failed (exit status {applied.returncode}; Terraform's message is above)")
    return PASSED


def _check_record(project: Project, stack: str, stack_dir: Path, record: Mapping[str, Any] | None) -> None:
    """Refuses (exit 3) unless the last plan passed, is unchanged, and the settings are as then."""
    again = f"run ./scripts/plan {stack} again; nothing was applied"
    if record is None:
        raise Failure(REFUSED, f"no reviewed plan for stack {stack!r}: run ./scripts/plan {stack} first; nothing was applied")
    verdict = record.get("verdict")
    if verdict == "refused":
        refused = ", ".join(record.get("refused") or []) or "?"
        raise Failure(REFUSED, f"the last plan of stack {stack!r} was refused (it destroys or replaces {refused}); nothing was applied")
    if verdict != "passed":
        what = "was already applied" if verdict == "applied" else "cannot be read"
        raise Failure(REFUSED, f"the last reviewed plan of stack {stack!r} {what}: {again}")
    plan_path = stack_dir / PLAN_FILE
    if _file_sha256(plan_path) != record.get("plan_sha256"):
        raise Failure(REFUSED, f"{project.shown(plan_path)} is not the plan that was reviewed (missing or changed): {again}")
    changed = _changed_files(record.get("settings_sha256") or {}, project.settings_fingerprint())
    if changed:
        raise Failure(REFUSED, f"the settings changed since the plan of stack {stack!r} ({changed}): {again}")


def _changed_files(before: Mapping[str, str], now: Mapping[str, str]) -> str:
    changes = [f"{name} changed" for name in now if name in before and before[name] != now[name]]
    changes += [f"{name} {'appeared' if now[name] != 'absent' else 'is absent'}" for name in now if name not in before]
    changes += [f"{name} is no longer read" for name in before if name not in now]
    return ", ".join(changes)
