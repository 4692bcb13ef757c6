"""`./scripts/stacks [--json]`: every stack of the app, for a CI matrix (docs/github.md).

    python -P -m settings.stack_list [--json]

Reads the settings exactly as the app does (the deployments folder, or the single settings file:
load_app_settings, every file checked) and lists settings.naming.app_stacks: nothing else is
loaded, no cdktf and no provider binding, so it answers in well under a second.

Each stack comes with the GitHub environment its apply job runs in (.github/workflows/apply.yml):
the deployment's name in a deployments folder; `wandb` for the stacks of a single settings file
(one deployment, named after the app); `hcp-workspaces` for the app-level stack of that name.

Exit statuses: 0 listed, 2 a settings error or bad usage (one line, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from settings import PROJECT_ROOT, SettingsError, load_app_settings
from settings.naming import HCP_WORKSPACES_STACK, MAIN_STACK_KIND, AppStack, app_stacks

# The GitHub environment of the stacks of a single settings file (its deployment has no name).
SINGLE_FILE_ENVIRONMENT = MAIN_STACK_KIND
BAD_INPUT = 2


def environment_of(stack: AppStack) -> str:
    """The GitHub environment that gates the stack's apply: its deployment's name, else `wandb`
    (a single settings file's stacks), or `hcp-workspaces` for the app-level stack."""
    if stack.kind == HCP_WORKSPACES_STACK:
        return HCP_WORKSPACES_STACK
    return stack.deployment or SINGLE_FILE_ENVIRONMENT


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] = os.environ,
    root: Path = PROJECT_ROOT,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    parser = argparse.ArgumentParser(
        prog="./scripts/stacks",
        description="List every stack of the app (each deployment's stacks), as the app's settings define them.",
        epilog="exit status: 0 listed, 2 a settings error or bad usage",
    )
    parser.add_argument("--json", action="store_true", help="one line of JSON: [{stack, deployment, kind, environment}, ...]")
    options = parser.parse_args(argv)
    try:
        loaded = load_app_settings(environ=environ, root=root)
    except SettingsError as error:
        print(f"error: {error}", file=err)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return 130
    for note in loaded.notes:
        print(f"note: {note}", file=err)  # e.g. that the example is read: no settings of one's own
    entries = [
        {"stack": stack.id, "deployment": stack.deployment, "kind": stack.kind, "environment": environment_of(stack)}
        for stack in app_stacks(loaded.deployments)
    ]
    if options.json:
        print(json.dumps(entries, separators=(",", ":")), file=out)
        return 0
    columns = ("stack", "deployment", "kind", "environment")
    rows = [columns, *[tuple(str(entry[c] or "-") for c in columns) for entry in entries]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
