#!/usr/bin/env python
"""Entry point of `cdktf synth`: load the settings, build the stacks, synthesize.

Settings are read and validated before the provider bindings are imported, so a bad settings
file fails in well under a second, with one message that names the file and the setting.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# jsii warns on every run that Node.js 20 is past its end of life; it still works on 20.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# Before anything imports cdktf or a provider binding: load only the binding modules the app
# uses (docs/performance.md; WANDB_CDKTF_FAST_IMPORTS=0 turns it off).
import fast_imports

fast_imports.install()

from settings import SettingsError, load_app_settings  # noqa: E402

if TYPE_CHECKING:
    from cdktf import App


def main() -> int:
    try:
        loaded = load_app_settings()  # every deployment, checked before anything is written
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    from cdktf import App

    from stacks import build_app

    if not under_cdktf_cli():  # the CLI prints them itself, from the manifest
        for warning in loaded.warnings:
            print(f"warning: {warning}", file=sys.stderr)

    # App() makes the outdir and its stacks/ folder; a run stopped by a rule error removes them again.
    outdir = os.environ.get("CDKTF_OUTDIR", "cdktf.out")
    new_dirs = [d for d in (os.path.join(outdir, "stacks"), outdir) if not os.path.isdir(d)]
    # No JavaScript stack traces in the annotations: they name a per-run folder (docs/security.md).
    app = App(stack_traces=False)
    build_app(app, loaded.deployments)
    if not rules_pass(app, new_dirs):
        return 1
    app.synth()
    install_lock_files(Path(outdir), PROJECT_LOCKS)
    return 0


# Committed provider lock files, one per stack (`./scripts/plan` records them there).
PROJECT_LOCKS = Path(__file__).resolve().parent / "locks"


def install_lock_files(outdir: Path, locks: Path) -> list[str]:
    """Puts `locks/<stack>.terraform.lock.hcl` into each synthesized stack folder that has one, as
    its `.terraform.lock.hcl`, so `terraform init` (under `cdktf deploy` or `./scripts/plan`)
    installs exactly the locked provider versions. Returns the stacks that got one."""
    installed: list[str] = []
    stacks = outdir / "stacks"
    if not locks.is_dir() or not stacks.is_dir():
        return installed
    for stack_dir in sorted(stacks.iterdir()):
        lock = locks / f"{stack_dir.name}.terraform.lock.hcl"
        if lock.is_file():
            shutil.copyfile(lock, stack_dir / ".terraform.lock.hcl")
            installed.append(stack_dir.name)
    return installed


def rules_pass(app: App, new_dirs: list[str]) -> bool:
    """The security rules (constructs_lib/rules, docs/security.md) over every stack, before anything
    is written. Warnings go to stderr (under `cdktf synth` the CLI prints them from the manifest);
    an error stops the run with nothing written, and the (empty) `new_dirs` App() made removed."""
    from constructs_lib.rules import report, run_rules

    errors = report(run_rules(app), sys.stderr, warnings=not under_cdktf_cli())
    if not errors:
        return True
    print(f"error: {errors} security rule error(s) above; nothing was synthesized (see docs/security.md)", file=sys.stderr)
    for folder in new_dirs:
        with contextlib.suppress(OSError):
            os.rmdir(folder)  # only ever removes an empty folder
    return False


def under_cdktf_cli() -> bool:
    """Whether the cdktf CLI runs the app (it prints the warnings from the manifest then)."""
    return os.environ.get("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS") == "true"


if __name__ == "__main__":
    sys.exit(main())
