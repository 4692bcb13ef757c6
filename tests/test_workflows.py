"""The GitHub flow's workflows (.github/workflows, docs/github.md), read as YAML: the facts the flow
rests on. actionlint and zizmor (./scripts/test) check the rest: syntax, expressions, injection.

- plan.yml, apply.yml and drift.yml build their matrix from `./scripts/stacks --json`, whose keys
  they use (settings/stack_list.py).
- apply.yml: one job per stack behind the deployment's environment, one run at a time per stack,
  the reviewed change set downloaded from the plan run that uploaded it, `./scripts/plan
  --expect-changes` before `./scripts/apply`.
- Nothing uploads a saved plan (it holds the license): only the change set.
- Every action pinned by commit, no checkout keeps its credentials, no `${{ }}` inside a `run:`.
"""

from __future__ import annotations

import io
import json
import re
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
