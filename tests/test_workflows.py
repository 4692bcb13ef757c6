"""The GitHub flow's workflows (.github/workflows, docs/github.md), read as YAML: the facts the flow
rests on. actionlint and zizmor (./scripts/test) check the rest: syntax, expressions, injection.

- plan.yml, apply.yml and drift.yml build their matrix from `./scripts/stacks --json`, whose keys
  they use (settings/stack_list.py).
- apply.yml: one job per stack behind the deployment's environment, one run at a time per stack,
  the reviewed change set downloaded from the plan run that uploaded it, `./scripts/plan
  --expect-changes` before `./scripts/apply`.
- Nothing uploads a saved plan (it holds the license): only the change set.
- Every action pinned by commit, no checkout keeps its credentials, no `${{ }}` inside a `run:`.
- The shell of apply.yml's `reviewed` job (with a stand-in for gh: no merged pull request, no plan
  run, or a failed one: nothing applied) and of drift.yml's report (with a stand-in for
  ./scripts/plan), run as the runner runs them.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml
from helpers import PROJECT_ROOT

from settings.stack_list import main as list_stacks

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
FLOW = ("plan.yml", "apply.yml", "drift.yml")
MATRIX_FROM_STACKS = "${{ fromJSON(needs.stacks.outputs.stacks) }}"


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def matrix_job(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (found,) = [(name, job) for name, job in data["jobs"].items() if "strategy" in job]
    return found


@pytest.mark.parametrize("name", FLOW)
def test_the_matrix_is_every_stack_scripts_stacks_lists(name):
    data = workflow(name)
    stacks = data["jobs"]["stacks"]
    (listing,) = [step for step in steps(stacks) if "./scripts/stacks --json" in step.get("run", "")]
    assert '>> "$GITHUB_OUTPUT"' in listing["run"] and "stacks=" in listing["run"]
    assert stacks["outputs"]["stacks"] == f"${{{{ steps.{listing['id']}.outputs.stacks }}}}"
    _, job = matrix_job(data)
    assert "stacks" in ([job["needs"]] if isinstance(job["needs"], str) else job["needs"])
    assert job["strategy"] == {"fail-fast": False, "matrix": {"include": MATRIX_FROM_STACKS}}


def test_the_keys_the_workflows_use_are_the_ones_scripts_stacks_prints(tmp_path):
    out = io.StringIO()
    environ = {"WANDB_DEPLOYMENTS": str(PROJECT_ROOT / "examples" / "deployments")}
    assert list_stacks(["--json"], environ=environ, root=tmp_path, out=out) == 0
    keys = set(json.loads(out.getvalue())[0])
    used = set()
    for name in FLOW:
        used |= set(re.findall(r"matrix\.(\w+)", (WORKFLOWS / name).read_text()))
    assert used and used <= keys, used - keys


def test_apply_runs_each_stack_behind_its_environment_one_at_a_time():
    data = workflow("apply.yml")
    assert data["on"]["push"] == {"branches": ["main"]} and "workflow_dispatch" in data["on"]
    _, job = matrix_job(data)
    assert job["environment"] == "${{ matrix.environment }}"
    assert job["concurrency"] == {"group": "apply-${{ matrix.stack }}", "cancel-in-progress": False}


def test_apply_compares_with_the_reviewed_change_set_before_it_applies():
    data = workflow("apply.yml")
    _, job = matrix_job(data)
    runs = [step.get("run", "") for step in steps(job)]
    expect = next(i for i, run in enumerate(runs) if "--expect-changes reviewed/change-set.json" in run)
    apply = next(i for i, run in enumerate(runs) if run.startswith('./scripts/apply "$STACK"'))
    assert expect < apply
    assert runs[expect].lstrip().startswith('status=0\n./scripts/plan "$STACK"') and 'exit "$status"' in runs[expect]
    assert not any("./scripts/apply" in run for run in runs[:expect])
    # The reviewed change set: the artifact plan.yml uploads, from the run the `reviewed` job found.
    (download,) = [step for step in steps(job) if step.get("uses", "").startswith("actions/download-artifact@")]
    (upload,) = [step for step in steps(matrix_job(workflow("plan.yml"))[1]) if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert download["with"]["name"] == upload["with"]["name"] == "changes-${{ matrix.stack }}"
    assert download["with"]["path"] == "reviewed" and upload["with"]["path"] == "change-set.json"
    assert download["with"]["run-id"] == "${{ needs.reviewed.outputs.run-id }}"
    assert steps(job).index(download) < expect
    assert "reviewed" in job["needs"] and "--workflow plan.yml" in steps(data["jobs"]["reviewed"])[0]["run"]


def test_plan_and_drift_record_the_change_set():
    for name in ("plan.yml", "drift.yml"):
        _, job = matrix_job(workflow(name))
        runs = [step.get("run", "") for step in steps(job)]
        assert any('./scripts/plan "$STACK" --changes-out change-set.json' in run for run in runs), name
        assert any('>> "$GITHUB_STEP_SUMMARY"' in run for run in runs), name
    drift = workflow("drift.yml")
    assert "schedule" in drift["on"] and "workflow_dispatch" in drift["on"]


def all_steps() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job in workflow(path.name)["jobs"].values():
            found += [(path.name, step) for step in steps(job)]
    return found


def test_no_saved_plan_is_ever_uploaded():
    uploads = [(name, step) for name, step in all_steps() if "upload-artifact" in step.get("uses", "")]
    assert uploads
    for name, step in uploads:
        paths = str(step["with"]["path"]).split()
        assert paths == ["change-set.json"], (name, paths)
        assert step["with"]["overwrite"] is True, name  # a re-run of the plan replaces the change set (the last plan counts)
        assert not any(p.endswith(".tfplan") or "plan-review" in p or "cdktf.out" in p or "*" in p for p in paths)


def test_actions_are_pinned_checkouts_drop_credentials_runs_take_no_expressions():
    for name, step in all_steps():
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), (name, step["uses"])
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, name
        assert "${{" not in step.get("run", ""), (name, step["run"])


@pytest.mark.parametrize("name", FLOW)
def test_least_privilege(name):
    data = workflow(name)
    assert data["permissions"] == {"contents": "read"}
    for job_name, job in data["jobs"].items():
        granted = job.get("permissions", {})
        assert set(granted.values()) <= {"read", "write"}
        writes = {scope for scope, level in granted.items() if level == "write"}
        assert writes <= {"id-token"}, (name, job_name, writes)


def test_the_docs_name_every_workflow():
    text = (PROJECT_ROOT / "docs" / "github.md").read_text()
    for path in WORKFLOWS.glob("*.yml"):
        if path.name != "ci.yml":
            assert f".github/workflows/{path.name}" in text, path.name


# --- apply.yml's `reviewed` job, run with a stand-in for gh ------------------------------------------

FAKE_GH = """#!/usr/bin/env bash
echo "$*" >> "$FAKE_GH_LOG"
case "$1 $2" in
  "api repos/acme/wandb/commits/$SHA/pulls") printf '%s' "$FAKE_PULLS" ;;
  "run list") printf '%s' "$FAKE_RUN" ;;
  *) echo "unexpected: gh $*" >&2; exit 9 ;;
esac
"""
MERGE, HEAD = "a" * 40, "b" * 40
MERGED = {"number": 7, "merged_at": "2026-12-01T10:00:00Z", "merge_commit_sha": MERGE, "head": {"sha": HEAD}}
PASSED_RUN = {"databaseId": 4242, "conclusion": "success", "url": "https://github.com/acme/wandb/actions/runs/4242"}


def find_reviewed(tmp_path, pulls: list[dict[str, Any]], run: dict[str, Any] | None) -> tuple[int, str, str, list[str]]:
    """The step as the runner runs it (bash -e -o pipefail): exit status, its output, stderr and stdout, gh's calls."""
    (script,) = [step["run"] for step in steps(workflow("apply.yml")["jobs"]["reviewed"]) if step.get("id") == "find"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    output, summary, log = tmp_path / "output", tmp_path / "summary", tmp_path / "gh.log"
    for path in (output, summary, log):
        path.write_text("")
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GH_TOKEN": "t",
        "REPOSITORY": "acme/wandb",
        "SHA": MERGE,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "FAKE_GH_LOG": str(log),
        "FAKE_PULLS": json.dumps(pulls),
        "FAKE_RUN": json.dumps(run) if run else "",
    }
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], env=env, capture_output=True, text=True)
    return result.returncode, output.read_text(), result.stdout + result.stderr, log.read_text().splitlines()


needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq (on every GitHub runner) is not installed here")


@needs_jq
def test_reviewed_is_the_merged_pull_requests_last_plan_run(tmp_path):
    status, output, printed, calls = find_reviewed(tmp_path, [MERGED], PASSED_RUN)
    assert status == 0, printed
    assert output == "run-id=4242\n"
    assert calls[1].startswith("run list --repo acme/wandb --workflow plan.yml --event pull_request --commit " + HEAD)


@needs_jq
@pytest.mark.parametrize(
    ("pulls", "run", "message"),
    [
        ([], PASSED_RUN, f"no pull request merged commit {MERGE}"),
        ([{**MERGED, "merge_commit_sha": "c" * 40}], PASSED_RUN, f"no pull request merged commit {MERGE}"),
        ([{**MERGED, "merged_at": None}], PASSED_RUN, f"no pull request merged commit {MERGE}"),
        ([MERGED], None, f"pull request #7 has no plan.yml run on its last commit {HEAD}"),
        ([MERGED], {**PASSED_RUN, "conclusion": "failure"}, "the last plan.yml run of pull request #7 did not pass"),
    ],
    ids=["direct_push", "another_merge", "not_merged", "no_plan_run", "plan_failed"],
)
def test_nothing_reviewed_nothing_applied(tmp_path, pulls, run, message):
    status, output, printed, _ = find_reviewed(tmp_path, pulls, run)
    assert status == 1 and output == ""
    assert f"::error::{message}" in printed and "nothing is applied" in printed


# --- drift.yml's report, run with a stand-in for ./scripts/plan ----------------------------------------

FAKE_PLAN = """#!/usr/bin/env bash
echo "Plan review: stack $1"
if [ "$FAKE_STATUS" != 1 ]; then printf '%s' "$FAKE_CHANGES" > "$3"; fi
exit "$FAKE_STATUS"
"""


def drift_report(tmp_path, status: int, changes: list[dict[str, Any]]) -> tuple[int, str, str]:
    _, job = matrix_job(workflow("drift.yml"))
    (script,) = [step["run"] for step in steps(job) if "./scripts/plan" in step.get("run", "")]
    (tmp_path / "scripts").mkdir(exist_ok=True)
    (tmp_path / "scripts" / "plan").write_text(FAKE_PLAN)
    (tmp_path / "scripts" / "plan").chmod(0o755)
    summary = tmp_path / "summary"
    summary.write_text("")
    change_set = json.dumps({"format": 1, "stack": "staging--wandb", "changes": changes, "drift": []})
    env = {
        **os.environ,
        "STACK": "staging--wandb",
        "GITHUB_STEP_SUMMARY": str(summary),
        "FAKE_STATUS": str(status),
        "FAKE_CHANGES": change_set,
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    return result.returncode, result.stdout + result.stderr, summary.read_text()


@needs_jq
def test_drift_reports_each_stack_whose_plan_is_not_empty(tmp_path):
    assert drift_report(tmp_path, 0, []) == (0, "Plan review: stack staging--wandb\n", "### staging--wandb: no drift (the plan is empty)\n")
    changes = [{"address": "aws_s3_bucket.b", "actions": ["update"]}, {"address": "aws_sqs_queue.q", "actions": ["delete", "create"]}]
    for status in (0, 3):  # passed, or refused: a change that needs consent is drift too
        code, printed, summary = drift_report(tmp_path, status, changes)
        assert code == 1 and "::error title=drift::stack staging--wandb: the plan is not empty (2 changes)" in printed
        assert "### staging--wandb: drift, 2 changes\n```\nupdate  aws_s3_bucket.b\ndelete+create  aws_sqs_queue.q\n```" in summary
    code, printed, summary = drift_report(tmp_path, 1, [])
    assert code == 1 and "::error title=drift check failed::./scripts/plan staging--wandb exited 1" in printed
