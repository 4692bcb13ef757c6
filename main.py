#!/usr/bin/env python
"""Entry point of `cdktf synth`: load the settings, build the stacks, synthesize.

Settings are read and validated before the provider bindings are imported, so a bad settings
file fails in well under a second, with one message that names the file and the setting.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

# jsii warns on every run that Node.js 20 is past its end of life; it still works on 20.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def exit_interrupted(what: str) -> NoReturn:
    """Ctrl-C: one line, exit 130. os._exit skips the jsii runtime's exit hook, which would print
    a BrokenPipeError traceback for the Node.js process the same Ctrl-C ended."""
    print(f"interrupted: {what}", file=sys.stderr)
    sys.stderr.flush()
    os._exit(130)


try:
    # Before anything imports cdktf or a provider binding: load only the binding modules the app
    # uses (docs/performance.md; WANDB_CDKTF_FAST_IMPORTS=0 turns it off).
    import fast_imports

    fast_imports.install()

    from output_folder import LOCKS_DIR, OutputFolderError, Staging, outdir_from, stage
    from settings import PROJECT_ROOT, LoadedSettings, SettingsError, load_app_settings
except KeyboardInterrupt:
    exit_interrupted("nothing was written")

if TYPE_CHECKING:
    from cdktf import App


def main() -> int:
    try:
        return synthesize()
    except KeyboardInterrupt:  # before the output folder was touched
        exit_interrupted("nothing was written")


def synthesize() -> int:
    try:
        loaded = load_app_settings()  # every deployment, checked before anything is written
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for note in loaded.notes:
        print(f"note: {note}", file=sys.stderr)

    outdir = outdir_from(os.environ, Path.cwd())
    try:
        staging = stage(outdir)
    except OutputFolderError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        return build_and_write(loaded, staging)
    except KeyboardInterrupt:
        staging.discard()
        if staging.committed:
            exit_interrupted(f"after the new stacks were written completely to {staging.outdir}")
        exit_interrupted(f"nothing was written; {staging.outdir} holds the previous synth as it was")
    finally:
        staging.discard()  # a no-op once the new stacks are in place


def build_and_write(loaded: LoadedSettings, staging: Staging) -> int:
    from cdktf import App

    from stacks import build_app

    if not under_cdktf_cli():  # the CLI prints them itself, from the manifest
        for warning in loaded.warnings:
            print(f"warning: {warning}", file=sys.stderr)

    # No JavaScript stack traces in the annotations: they name a per-run folder (docs/security.md).
    app = App(outdir=str(staging.folder), stack_traces=False)
    # The stacks will run in the output folder, not the staging one: their paths are relative to it.
    build_app(app, loaded.deployments, staging.outdir, export_dir=os.environ.get("WANDB_EXPORT_DIR"))  # ./scripts/export
    if not rules_pass(app):
        return 1
    app.synth()
    try:
        staging.commit(PROJECT_ROOT / LOCKS_DIR)
    except OutputFolderError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def rules_pass(app: App) -> bool:
    """The security rules (constructs_lib/rules, docs/security.md) over every stack, before anything
    is written. Warnings go to stderr (under `cdktf synth` the CLI prints them from the manifest);
    an error stops the run with nothing written."""
    from constructs_lib.rules import report, run_rules

    errors = report(run_rules(app), sys.stderr, warnings=not under_cdktf_cli())
    if not errors:
        return True
    print(f"error: {errors} security rule error(s) above; nothing was synthesized (see docs/security.md)", file=sys.stderr)
    return False


def under_cdktf_cli() -> bool:
    """Whether the cdktf CLI runs the app (it prints the warnings from the manifest then)."""
    return os.environ.get("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS") == "true"


def quiet_shutdown() -> None:
    """The work is done: a Ctrl-C now could only interrupt the jsii runtime's exit hook (it waits
    for its Node.js process, which the same Ctrl-C may have ended) and print a traceback. Held
    back (ignored: a signal mask would hold only this thread, and the jsii runtime's own threads
    would take it), and a pipe to an ended Node.js process is not reported."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    default_hook = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, BrokenPipeError):
            default_hook(unraisable)

    sys.unraisablehook = hook


if __name__ == "__main__":
    status = main()
    quiet_shutdown()
    sys.exit(status)
