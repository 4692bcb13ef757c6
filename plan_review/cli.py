"""The command lines of `./scripts/plan` and `./scripts/apply` (README, Reviewed plans).

    python -m plan_review plan STACK [--allow ADDRESS]... [--destroy] [--changes-out FILE] [--expect-changes FILE]
    python -m plan_review plan --json FILE [--allow ADDRESS]... [STACK --changes-out FILE] [STACK --expect-changes FILE]
    python -m plan_review apply STACK

Exit statuses: 0 passed (or applied), 1 Terraform or the synthesis failed (its message is shown
as it printed it), 2 bad input (usage, an unknown stack, a settings error, a missing or malformed
plan file or reviewed change set, any input the judge cannot read), 3 refused (a data- or
service-bearing resource destroyed or replaced, or a risky update, without --allow; changes other
than the reviewed ones, with --expect-changes; for apply: no passing plan, or something changed
since it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from plan_review.changes import NO_CHANGE_SETS, ChangeSetOptions, change_set
from plan_review.failure import BAD_INPUT, REFUSED, Failure
from plan_review.saved_plan import judge_file, judge_text

ALLOW_HELP = (
    "consent to the change at ADDRESS that needs it (destroying or replacing a data- or service-bearing resource, a risky "
    "update; repeatable); `*` in ADDRESS stands for any run of characters, everything else is literal; a deposed object "
    "is `ADDRESS deposed KEY`"
)


def _plan_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="./scripts/plan",
        description=(
            "Plan one stack (synthesize, terraform init, terraform plan -out) and review it: a deletion or "
            "replacement of a data- or service-bearing resource, or a risky update, is refused unless allowed. "
            "With --json, review a saved "
            "`terraform show -json` plan instead."
        ),
        epilog="exit status: 0 passed, 1 Terraform or the synthesis failed, 2 bad input, 3 refused",
    )
    parser.add_argument("stack", nargs="?", help="the stack to plan (wandb, wandb-storage, ...)")
    parser.add_argument(
        "--json", metavar="FILE", action="append", help="review this `terraform show -json` plan (- for standard input); runs nothing"
    )
    parser.add_argument("--allow", metavar="ADDRESS", action="append", default=[], help=ALLOW_HELP)
    parser.add_argument("--destroy", action="store_true", help="review a destroy plan (terraform plan -destroy)")
    parser.add_argument(
        "--changes-out", metavar="FILE", help="write the plan's change set to FILE: each changed address and its actions, no value"
    )
    parser.add_argument(
        "--expect-changes",
        metavar="FILE",
        help="refuse (exit 3, and ./scripts/apply refuses too) unless the plan's change set equals the reviewed one in FILE",
    )
    return parser


def _apply_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="./scripts/apply",
        description=(
            "Apply exactly the plan the last ./scripts/plan STACK saved, if it passed and neither the "
            "settings nor the synthesized configuration changed since."
        ),
        epilog="exit status: 0 applied, 1 Terraform or the synthesis failed, 2 bad input, 3 refused (nothing applied)",
    )
    parser.add_argument("stack", help="the stack to apply")
    return parser


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] = os.environ,
    root: Path | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and args[0] in ("plan", "apply") else None
    if command is None:
        print("usage: python -m plan_review {plan,apply} ... (./scripts/plan, ./scripts/apply)", file=err)
        return BAD_INPUT
    try:
        if command == "apply":
            return _run_stack(command, _apply_parser().parse_args(args).stack, (), False, root, environ, out, err)
        parser = _plan_parser()
        options = parser.parse_args(args)
        if any(not pattern.strip() for pattern in options.allow):
            parser.error("--allow needs an address (or a pattern with *)")
        if not all(pattern.isprintable() for pattern in options.allow):
            parser.error("--allow takes an address as the summary prints it: no control or unprintable characters")
        wants_change_sets = options.changes_out is not None or options.expect_changes is not None
        if options.json is not None:
            if len(options.json) > 1:
                parser.error("--json FILE: give one plan file (each is judged on its own)")
            if options.destroy or (options.stack is not None and not wants_change_sets):
                parser.error("--json FILE reviews a saved plan: give no STACK and no --destroy with it (a STACK only with a change set)")
            if wants_change_sets and options.json[0] == "-":
                parser.error("--changes-out and --expect-changes read the plan twice: give a plan file, not - (standard input)")
            change_sets = ChangeSetOptions.of(options.changes_out, options.expect_changes)
            status = judge_file(options.json[0], options.allow, out, err)
            return status if _change_sets_of_file(options.json[0], options.stack, options.allow, change_sets, out) else REFUSED
        if options.stack is None:
            parser.error("give a STACK to plan, or --json FILE")
        change_sets = ChangeSetOptions.of(options.changes_out, options.expect_changes)
        return _run_stack(command, options.stack, options.allow, options.destroy, root, environ, out, err, change_sets)
    except Failure as failure:
        if failure.message:
            print(f"error: {failure.message}", file=err)
        return failure.status
    except (RecursionError, MemoryError) as error:  # any input gives one line, never a traceback
        print(f"error: the input is too {'deeply nested' if isinstance(error, RecursionError) else 'large'} to judge", file=err)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; nothing more was run", file=err)
        return 130


def _change_sets_of_file(path: str, stack: str | None, allows: Sequence[str], change_sets: ChangeSetOptions, out: TextIO) -> bool:
    """--changes-out and --expect-changes of a plan file judge_file has judged (and so read): True
    unless its change set differs from the reviewed one."""
    if not change_sets.wanted:
        return True
    data = Path(path).read_bytes()
    return change_sets.finish(change_set(stack, judge_text(data, allows, path).changes, data, path), out)


def _run_stack(
    command: str,
    stack: str,
    allows: Sequence[str],
    destroy: bool,
    root: Path | None,
    environ: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    change_sets: ChangeSetOptions = NO_CHANGE_SETS,
) -> int:
    """plan or apply STACK in the project at `root` (default: settings.PROJECT_ROOT). Imported
    here: `--json FILE` judges a file, and loads neither the settings nor the output folder."""
    from plan_review.workflow import Project, apply_stack, plan_stack
    from settings import PROJECT_ROOT

    project = Project(root=PROJECT_ROOT if root is None else root, environ=environ, out=out, err=err)
    return apply_stack(project, stack) if command == "apply" else plan_stack(project, stack, allows, destroy, change_sets)
