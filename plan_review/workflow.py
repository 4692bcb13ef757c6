"""`./scripts/plan STACK` and `./scripts/apply STACK`: synthesize as the cdktf CLI does, run
Terraform in the stack's folder, judge the plan, and keep a record of the verdict beside the plan
file, so that apply applies exactly a plan that passed, and nothing else.

In the stack's working directory (`<outdir>/stacks/<STACK>`, `outdir` from CDKTF_OUTDIR, else
cdktf.json's "output", else cdktf.out; git-ignored):

    plan-review.tfplan   the saved plan, until it is applied (mode 600: Terraform keeps the values
                         of the stack's variables in it, the license among them)
    .plan-review.json    the record: verdict, hashes of the plan file, of the synthesized
                         cdk.tf.json and of every settings file, the --allow patterns used

The parts: project.py (cdktf.json, synthesis, stacks, lock files), terraform.py (runs, init and
its key), record.py (the typed record), fingerprint.py (the hashes of the settings files).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from plan_review.changes import NO_CHANGE_SETS, ChangeSetOptions, change_set
from plan_review.failure import BAD_INPUT, FAILED, PASSED, REFUSED, Failure
from plan_review.fingerprint import changed_files, file_sha256, settings_fingerprint
from plan_review.judge import Review, review
from plan_review.project import Project
from plan_review.record import PLAN_FILE, PlanRecord, UnreadableRecord, forget_plan, read_record, write_record
from plan_review.saved_plan import judge_text, warn_unused
from plan_review.summary import render
from plan_review.terraform import Terraform, warnings_of
from settings.sources import cli_var_files

__all__ = ["Project", "apply_stack", "plan_stack"]


def _terraform(project: Project) -> Terraform:
    return Terraform(environ=project.environ, out=project.out, err=project.err, shown=project.shown)


# --- plan ---------------------------------------------------------------------------------------


def plan_stack(project: Project, stack: str, allows: Sequence[str], destroy: bool, change_sets: ChangeSetOptions = NO_CHANGE_SETS) -> int:
    """Synthesize, `terraform init` and `terraform plan -out`, judge the plan, keep the record;
    write the change set (--changes-out) and refuse a plan whose change set is not the reviewed
    one (--expect-changes: the record says refused, so apply refuses it too)."""
    settings = settings_fingerprint(project)  # before the synth reads them: a later edit shows
    stack_dir = project.stack_dir(project.synthesize(), stack)
    forget_plan(stack_dir)  # apply only ever applies the latest plan, and only when it passed
    config_sha256 = file_sha256(stack_dir / "cdk.tf.json")
    cloud = uses_hcp_terraform(stack_dir)
    planned = _terraform_plan(project, stack, stack_dir, destroy, cloud)

    # An HCP Terraform run is judged from its JSON plan even when Terraform says it changes nothing.
    nothing = planned.returncode == 0 and not cloud
    result, shown = (review((), allows), None) if nothing else _review_saved_plan(project, stack_dir, allows)
    print(render(result, f"stack {stack}" + (" (destroy plan)" if destroy else "")), end="", file=project.out)
    warn_unused(result, project.err)
    where = f"terraform show -json {PLAN_FILE}"
    as_reviewed = not change_sets.wanted or change_sets.finish(change_set(stack, result.changes, shown, where), project.out)
    passed = result.passed and as_reviewed
    record = PlanRecord(
        stack=stack,
        verdict="passed" if passed else "refused",
        destroy=destroy,
        allow=tuple(allows),
        refused=tuple(change.address for change in result.refused),
        planned_at=datetime.now(UTC).isoformat(timespec="seconds"),
        plan_sha256=file_sha256(stack_dir / PLAN_FILE),
        config_sha256=config_sha256,
        settings_sha256=settings,
    )
    write_record(stack_dir, record)
    print(f"Terraform's own rendering of the plan: terraform -chdir={project.shown(stack_dir)} show {PLAN_FILE}", file=project.out)
    if not passed:
        return REFUSED
    print(f"To apply exactly this plan: ./scripts/apply {stack}", file=project.out)
    return PASSED


def _terraform_plan(project: Project, stack: str, stack_dir: Path, destroy: bool, cloud: bool) -> subprocess.CompletedProcess[str]:
    """`terraform init` when needed, then `terraform plan -out`; Failure unless it planned. `cloud`:
    the stack has a `cloud` block (uses_hcp_terraform)."""
    terraform = _terraform(project)
    initialized = terraform.init(stack_dir)
    # -detailed-exitcode: 0 no changes (nothing to review: `terraform show -json` is skipped), 2 changes, 1 failed.
    # With a `cloud` block, no var file: in remote execution it would upload every setting as a run
    # variable, and the license comes from the workspace (README, HCP Terraform).
    var_files = [] if cloud else cli_var_files(project.root)
    plan_args = ["plan", "-input=false", "-detailed-exitcode", f"-out={PLAN_FILE}", *(["-destroy"] if destroy else [])]
    plan_args += [f"-var-file={path}" for path in var_files]
    files = ", ".join(project.shown(path) for path in var_files) or "none"
    print(f"terraform plan -out={PLAN_FILE}{' -destroy' if destroy else ''} (var files: {files}) ...", file=project.err)
    # Its stdout (progress, and the plan, which the summary replaces) is captured; the warnings it
    # ends with and everything on stderr (the errors) are shown as Terraform printed them.
    planned = terraform.run(plan_args, stack_dir, capture=True, capture_stderr=True, private=True)
    if planned.returncode == 1 and not initialized and "terraform init" in planned.stderr:
        print("terraform plan asks for terraform init: running it, then the plan again", file=project.err)
        terraform.init(stack_dir, force=True)
        planned = terraform.run(plan_args, stack_dir, capture=True, capture_stderr=True, private=True)
    print(planned.stderr, end="", file=project.err)
    if warnings := warnings_of(planned.stdout):
        print(warnings, file=project.err)
    if planned.returncode not in (0, 2):
        forget_plan(stack_dir)
        status, where = planned.returncode, project.shown(stack_dir)
        raise Failure(FAILED, f"terraform plan failed in {where} (exit status {status}; Terraform's message is above); nothing to review")
    terraform.mark_initialized(stack_dir)
    project.record_lock_file(stack_dir, stack)
    return planned


def uses_hcp_terraform(stack_dir: Path) -> bool:
    """Whether the stack keeps its state in HCP Terraform / Terraform Enterprise (a `cloud` block):
    its saved plan is then a saved cloud plan (Terraform >= 1.6), a reference to the run that
    `terraform show -json` reads and `terraform apply` applies, exactly that run."""
    try:
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
    except (OSError, ValueError):
        return False
    terraform = config.get("terraform") if isinstance(config, dict) else None
    return isinstance(terraform, dict) and "cloud" in terraform


def _review_saved_plan(project: Project, stack_dir: Path, allows: Sequence[str]) -> tuple[Review, str]:
    """The review of the saved plan, and the `terraform show -json` text it was judged from."""
    try:
        try:
            shown = _terraform(project).run(["show", "-json", PLAN_FILE], stack_dir, capture=True)
        except (UnicodeDecodeError, MemoryError) as error:
            what = "no UTF-8 text" if isinstance(error, UnicodeDecodeError) else "more than this machine's memory holds"
            raise Failure(BAD_INPUT, f"terraform show -json {PLAN_FILE} printed {what}") from None
        if shown.returncode != 0:
            status = shown.returncode
            raise Failure(FAILED, f"terraform show -json {PLAN_FILE} failed (exit status {status}; Terraform's message is above)")
        if not shown.stdout.strip():
            raise Failure(FAILED, f"terraform show -json {PLAN_FILE} printed no JSON")
        return judge_text(shown.stdout, allows, f"terraform show -json {PLAN_FILE}"), shown.stdout
    except Failure:
        forget_plan(stack_dir)
        raise


# --- apply --------------------------------------------------------------------------------------


def apply_stack(project: Project, stack: str) -> int:
    """`terraform apply` of the plan that last passed, when nothing changed since."""
    outdir = project.outdir()
    known = (outdir / "manifest.json").exists()
    stack_dir = project.stack_dir(project.stacks(outdir), stack) if known else outdir / "stacks" / stack
    record = _passed_record(project, stack, stack_dir)

    stack_dir = project.stack_dir(project.synthesize(then="nothing was applied"), stack)  # the code may have changed too
    if file_sha256(stack_dir / "cdk.tf.json") != record.config_sha256:
        raise Failure(
            REFUSED,
            f"the synthesized configuration of stack {stack!r} changed since its plan (the app's code or what it reads): "
            f"run ./scripts/plan {stack} again; nothing was applied",
        )

    terraform = _terraform(project)
    terraform.binary()  # there, before the plan is marked as used
    write_record(stack_dir, record.with_verdict("applied"))  # a plan is applied once, whatever happens
    kind = "destroy plan" if record.destroy else "plan"
    print(f"terraform apply {PLAN_FILE}: the reviewed {kind} of {record.planned_at} ...", file=project.err)
    try:
        applied = terraform.run(["apply", "-input=false", PLAN_FILE], stack_dir, capture=False)
    finally:
        with contextlib.suppress(FileNotFoundError):
            (stack_dir / PLAN_FILE).unlink()  # stale now, and it holds the variables' values
    write_record(stack_dir, record.with_verdict("applied", apply_exit_status=applied.returncode))
    if applied.returncode != 0:
        raise Failure(FAILED, f"terraform apply failed (exit status {applied.returncode}; Terraform's message is above)")
    return PASSED


def _passed_record(project: Project, stack: str, stack_dir: Path) -> PlanRecord:
    """The record of the last plan; refuses (exit 3) unless that plan passed, is unchanged, and
    the settings are as then."""
    again = f"run ./scripts/plan {stack} again; nothing was applied"
    try:
        record = read_record(stack_dir)
    except UnreadableRecord:
        raise Failure(REFUSED, f"the last reviewed plan of stack {stack!r} cannot be read: {again}") from None
    if record is None:
        raise Failure(REFUSED, f"no reviewed plan for stack {stack!r}: run ./scripts/plan {stack} first; nothing was applied")
    if record.verdict == "refused":
        # Refused with no refused address: its changes were not the reviewed ones (--expect-changes).
        why = f"it destroys or replaces {', '.join(record.refused)}" if record.refused else "its changes are not the reviewed ones"
        raise Failure(REFUSED, f"the last plan of stack {stack!r} was refused ({why}); nothing was applied")
    if record.verdict == "applied":
        raise Failure(REFUSED, f"the last reviewed plan of stack {stack!r} was already applied: {again}")
    plan_path = stack_dir / PLAN_FILE
    if file_sha256(plan_path) != record.plan_sha256:
        raise Failure(REFUSED, f"{project.shown(plan_path)} is not the plan that was reviewed (missing or changed): {again}")
    changed = changed_files(record.settings_sha256, settings_fingerprint(project))
    if changed:
        raise Failure(REFUSED, f"the settings changed since the plan of stack {stack!r} ({changed}): {again}")
    return record
