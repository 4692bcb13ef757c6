"""Change sets (plan_review/changes.py): `./scripts/plan STACK --changes-out FILE` records what a
plan changes (addresses and actions, no value), `--expect-changes FILE` refuses a plan whose
changes are not the reviewed ones (exit 3, each difference named) and leaves apply nothing to
apply. This is the apply workflow's refusal (.github/workflows/apply.yml), tested through the
command it runs, with the recorded plans of tests/test_plan_review.py (`--json FILE`) and with
its stand-ins for the app and Terraform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_plan_review import AURORA, BUCKET, INFRA, NAMESPACE_CHANGE, SENTINEL, UPGRADE, Fake, plan, rc, run_cli, write_json

from plan_review.reading import printable

SG_RULE = f"{INFRA}.module.app_eks.aws_security_group_rule.database"
NODE_GROUP = f'{INFRA}.module.app_eks.module.eks.module.eks_managed_node_group["primary"].aws_eks_node_group.this[0]'
MOVED = f"{INFRA}.module.app_eks.module.eks.aws_iam_role.this[0]"


def changes_out(tmp_path: Path, document: dict[str, Any], stack: str = "wandb", name: str = "reviewed.json") -> dict[str, Any]:
    """The change set `./scripts/plan --json PLAN STACK --changes-out FILE` writes."""
    path = tmp_path / name
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, document, "recorded.json")), stack, "--changes-out", str(path))
    assert status in (0, 3) and f"written to {path}" in out, err
    return json.loads(path.read_text())


def expect(tmp_path: Path, reviewed: dict[str, Any], document: dict[str, Any], stack: str = "wandb") -> tuple[int, str, str]:
    reviewed_file = tmp_path / "expected.json"
    reviewed_file.write_text(json.dumps(reviewed))
    return run_cli("plan", "--json", str(write_json(tmp_path, document, "new.json")), stack, "--expect-changes", str(reviewed_file))


def test_the_change_set_holds_addresses_and_actions_only(tmp_path):
    drift = {"address": BUCKET, "mode": "managed", "type": "aws_s3_bucket", "change": {"actions": ["update"], "after": SENTINEL}}
    written = changes_out(tmp_path, {**UPGRADE, "resource_drift": [drift]})
    assert written["format"] == 1 and written["stack"] == "wandb"
    # Sorted by address; no-op entries left out, but a move (previous_address) kept; the data source's read is no change.
    assert [(c["address"], c["actions"]) for c in written["changes"]] == sorted(
        [
            (NODE_GROUP, ["create", "delete"]),
            (NODE_GROUP.replace("aws_eks_node_group", "aws_launch_template"), ["create", "delete"]),
            (SG_RULE, ["delete", "create"]),
            (f"{INFRA}.module.app_eks.aws_iam_policy.node_kms", ["delete", "create"]),
            (f"{INFRA}.module.app_eks.module.eks.aws_eks_cluster.this[0]", ["update"]),
            (MOVED, ["no-op"]),
            (f'{INFRA}.module.app_eks.module.eks.aws_eks_access_entry.this["cluster_creator"]', ["create"]),
        ]
    )
    assert next(c for c in written["changes"] if c["address"] == MOVED)["previous_address"].endswith("aws_iam_role.cluster[0]")
    assert written["drift"] == [{"address": BUCKET, "actions": ["update"]}]
    text = (tmp_path / "reviewed.json").read_text()
    assert SENTINEL not in text and "password" not in text and "license" not in text


def test_a_plan_without_changes_has_an_empty_change_set(tmp_path):
    assert changes_out(tmp_path, plan())["changes"] == []
    assert changes_out(tmp_path, plan(rc(AURORA, ["no-op"]), rc(BUCKET, ["no-op"])))["changes"] == []


def test_the_same_changes_pass(tmp_path):
    reviewed = changes_out(tmp_path, UPGRADE)
    status, out, err = expect(tmp_path, reviewed, UPGRADE)
    assert (status, err) == (0, "")
    assert "PASSED" in out and "Change set: the same as the reviewed one" in out
    # Drift is not compared: time passes between the pull request and the merge.
    status, _, _ = expect(tmp_path, reviewed, {**UPGRADE, "resource_drift": [{**rc(BUCKET, ["delete"])}]})
    assert status == 0


def without(document: dict[str, Any], address: str) -> dict[str, Any]:
    return {**document, "resource_changes": [c for c in document["resource_changes"] if c["address"] != address]}


def with_actions(document: dict[str, Any], address: str, actions: list[str]) -> dict[str, Any]:
    changes = [{**c, "change": {**c["change"], "actions": actions}} if c["address"] == address else c for c in document["resource_changes"]]
    return {**document, "resource_changes": changes}


DIFFERENT = [
    ("extra_address", lambda d: {**d, "resource_changes": [*d["resource_changes"], rc("aws_sqs_queue.extra", ["create"])]},
     "not reviewed: aws_sqs_queue.extra [create]"),
    ("missing_address", lambda d: without(d, SG_RULE), f"missing: {SG_RULE} [delete, create] was reviewed; this plan does not change it"),
    ("other_actions", lambda d: with_actions(d, SG_RULE, ["create", "delete"]),
     f"changed: {SG_RULE} was reviewed as [delete, create], this plan does [create, delete]"),
    ("now_no_op", lambda d: with_actions(d, SG_RULE, ["no-op"]), f"missing: {SG_RULE} [delete, create] was reviewed"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "difference"), [(c, d) for _, c, d in DIFFERENT], ids=[i for i, _, _ in DIFFERENT])
def test_any_difference_is_refused_and_named(tmp_path, change, difference):
    reviewed = changes_out(tmp_path, UPGRADE)
    status, out, err = expect(tmp_path, reviewed, change(UPGRADE))
    assert (status, err) == (3, "")
    assert "PASSED" in out  # the judge finds nothing to refuse: the difference alone refuses the plan
    assert "REFUSED: this plan's changes are not the reviewed ones" in out and "1 differences:" in out
    assert f"\n  {difference}" in out, out


def test_another_stacks_change_set_is_refused(tmp_path):
    reviewed = changes_out(tmp_path, UPGRADE, stack="staging--wandb")
    status, out, _ = expect(tmp_path, reviewed, UPGRADE, stack="prod-eu--wandb")
    assert status == 3 and "stack: the reviewed change set is of stack staging--wandb, this plan is of stack prod-eu--wandb" in out


def test_a_refused_plan_stays_refused_with_the_same_changes(tmp_path):
    reviewed = changes_out(tmp_path, NAMESPACE_CHANGE)
    status, out, _ = expect(tmp_path, reviewed, NAMESPACE_CHANGE)
    assert status == 3 and "Change set: the same as the reviewed one" in out and "REFUSED: 3 data-bearing" in out


MALFORMED = [
    ("missing", None, "no such change set file"),
    ("not_json", "{", "not JSON"),
    ("a_plan", json.dumps(UPGRADE), 'no "format": 1'),
    ("changes_not_list", json.dumps({"format": 1, "stack": "wandb", "changes": {}}), "changes is not a list"),
    ("no_actions", json.dumps({"format": 1, "stack": None, "changes": [{"address": BUCKET}]}), f"({BUCKET}) has no actions list"),
    ("no_address", json.dumps({"format": 1, "stack": None, "changes": [{"actions": ["create"]}]}), "changes[0] has no address"),
    ("stack_number", json.dumps({"format": 1, "stack": 3, "changes": []}), "stack is not a stack name or null"),
    ("twice", json.dumps({"format": 1, "stack": None, "changes": [{"address": BUCKET, "actions": ["create"]}] * 2}), "listed twice"),
]


@pytest.mark.parametrize(("content", "message"), [(c, m) for _, c, m in MALFORMED], ids=[i for i, _, _ in MALFORMED])
def test_a_malformed_reviewed_change_set_exits_2_with_one_line(tmp_path, content, message):
    reviewed = tmp_path / "expected.json"
    if content is not None:
        reviewed.write_text(content)
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE)), "wandb", "--expect-changes", str(reviewed))
    assert (status, out) == (2, "")  # read before anything is judged
    assert err.startswith(f"error: {reviewed}: ") and message in err and err.count("\n") == 1, err


def test_usage(tmp_path):
    for args in (["--json", "-", "wandb", "--changes-out", "x.json"], ["--json", "plan.json", "wandb"]):
        with pytest.raises(SystemExit) as exit_info:
            run_cli("plan", *args)
        assert exit_info.value.code == 2
    status, _, err = run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE)), "--changes-out", str(tmp_path / "no" / "x.json"))
    assert status == 2 and "cannot write the change set" in err


# --- with the stand-ins for the app and Terraform (tests/test_plan_review.py) --------------------------


@pytest.fixture
def fake(tmp_path) -> Fake:
    return Fake(tmp_path / "project")


def test_plan_expect_changes_then_apply(fake, tmp_path):
    reviewed = tmp_path / "reviewed.json"
    status, _, err = fake.run("plan", "demo", "--changes-out", str(reviewed))
    assert status == 0, err
    assert json.loads(reviewed.read_text())["stack"] == "demo"
    status, out, err = fake.run("plan", "demo", "--expect-changes", str(reviewed))
    assert status == 0 and "Change set: the same as the reviewed one" in out, err
    fake.calls()
    assert fake.run("apply", "demo")[0] == 0 and fake.calls() == ["apply -input=false plan-review.tfplan -no-color"]


def test_a_different_plan_is_refused_and_apply_applies_nothing(fake, tmp_path):
    reviewed = tmp_path / "reviewed.json"
    assert fake.run("plan", "demo", "--changes-out", str(reviewed))[0] == 0
    fake.plan_json(with_actions(UPGRADE, SG_RULE, ["create", "delete"]))
    status, out, _ = fake.run("plan", "demo", "--expect-changes", str(reviewed))
    assert status == 3 and f"changed: {SG_RULE} was reviewed as [delete, create]" in out
    assert "To apply exactly this plan" not in out
    assert (fake.record()["verdict"], fake.record()["refused"]) == ("refused", [])
    fake.calls()
    status, _, err = fake.run("apply", "demo")
    assert status == 3
    assert err == "error: the last plan of stack 'demo' was refused (its changes are not the reviewed ones); nothing was applied\n"
    assert fake.calls() == []


def test_no_changes_against_a_reviewed_change(fake, tmp_path):
    """Terraform plans nothing (exit 0, no show): an empty change set, not the reviewed one."""
    reviewed = tmp_path / "reviewed.json"
    assert fake.run("plan", "demo", "--changes-out", str(reviewed))[0] == 0
    status, out, _ = fake.run("plan", "demo", "--expect-changes", str(reviewed), FAKE_PLAN_EXIT="0")
    assert status == 3 and f"missing: {SG_RULE}" in out
    assert fake.run("plan", "demo", "--changes-out", str(reviewed), FAKE_PLAN_EXIT="0")[0] == 0
    assert json.loads(reviewed.read_text())["changes"] == []


def test_a_malformed_reviewed_change_set_stops_before_anything_runs(fake, tmp_path):
    reviewed = tmp_path / "reviewed.json"
    reviewed.write_text("[]")
    status, out, err = fake.run("plan", "demo", "--expect-changes", str(reviewed))
    assert (status, out) == (2, "") and err.count("\n") == 1 and 'no "format": 1' in err
    assert fake.calls() == [] and not (fake.root / "cdktf.out").exists()


# --- what the change set holds, exactly, and every refusal of a malformed input ------------------------

ROLE = "aws_iam_role.r"


def importing(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "change": {**entry["change"], "importing": {"id": "x"}}}


# An object replaced create-before-destroy with two deposed objects left over, a move, an import,
# and drift of a deposed object: every optional field, and an address shared by several entries.
EVERY_FIELD = plan(
    rc(ROLE, ["delete"], deposed="00000002"),
    rc(ROLE, ["create", "delete"]),
    rc(ROLE, ["delete"], deposed="00000001"),
    rc("aws_iam_role.new", ["no-op"], previous_address="aws_iam_role.old"),
    importing(rc("aws_iam_role.imported", ["no-op"])),
    rc("aws_iam_role.same", ["no-op"]),
    resource_drift=[rc("aws_iam_role.d", ["delete"], deposed="00000003"), rc("aws_iam_role.c", ["update"])],
)
EVERY_FIELD_CHANGE_SET = {
    "format": 1,
    "stack": "wandb",
    "changes": [
        {"address": "aws_iam_role.imported", "actions": ["no-op"], "importing": True},
        {"address": "aws_iam_role.new", "actions": ["no-op"], "previous_address": "aws_iam_role.old"},
        {"address": ROLE, "actions": ["create", "delete"]},
        {"address": ROLE, "actions": ["delete"], "deposed": "00000001"},
        {"address": ROLE, "actions": ["delete"], "deposed": "00000002"},
    ],
    "drift": [
        {"address": "aws_iam_role.c", "actions": ["update"]},
        {"address": "aws_iam_role.d", "actions": ["delete"], "deposed": "00000003"},
    ],
}


def test_the_exact_file_written_with_every_optional_field(tmp_path):
    path = tmp_path / "reviewed.json"
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, EVERY_FIELD)), "wandb", "--changes-out", str(path))
    assert (status, err) == (0, "")
    assert out.endswith(f"Change set (5 changes, no values) written to {path}\n")
    assert path.read_text() == json.dumps(EVERY_FIELD_CHANGE_SET, indent=2) + "\n"
    # Read back, it is the same change set: the deposed keys, the move and the import compared too.
    status, out, _ = expect(tmp_path, EVERY_FIELD_CHANGE_SET, EVERY_FIELD)
    assert status == 0
    assert out.endswith(f"Change set: the same as the reviewed one ({tmp_path / 'expected.json'}, 5 changes)\n")


def without_field(entry: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != name}


# Each kind of difference, with the optional fields: (reviewed change set's changes, the exact lines).
KINDS = [
    ("deposed_not_reviewed", [c for c in EVERY_FIELD_CHANGE_SET["changes"] if c.get("deposed") != "00000002"],
     [f"not reviewed: {ROLE} deposed 00000002 [delete]"]),
    ("deposed_missing", [*EVERY_FIELD_CHANGE_SET["changes"], {"address": ROLE, "actions": ["delete"], "deposed": "00000009"}],
     [f"missing: {ROLE} deposed 00000009 [delete] was reviewed; this plan does not change it"]),
    ("move_not_reviewed", [without_field(c, "previous_address") for c in EVERY_FIELD_CHANGE_SET["changes"]],
     ["changed: aws_iam_role.new was reviewed as [no-op], this plan does [no-op] moved from aws_iam_role.old"]),
    ("import_not_reviewed", [without_field(c, "importing") for c in EVERY_FIELD_CHANGE_SET["changes"]],
     ["changed: aws_iam_role.imported was reviewed as [no-op], this plan does [no-op] imported"]),
    ("two", [{"address": "aws_iam_role.imported", "actions": ["no-op"], "importing": True, "previous_address": "aws_iam_role.x"}],
     ["changed: aws_iam_role.imported was reviewed as [no-op] moved from aws_iam_role.x imported, this plan does [no-op] imported",
      "not reviewed: aws_iam_role.new [no-op] moved from aws_iam_role.old",
      f"not reviewed: {ROLE} [create, delete]",
      f"not reviewed: {ROLE} deposed 00000001 [delete]",
      f"not reviewed: {ROLE} deposed 00000002 [delete]"]),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "lines"), [(c, d) for _, c, d in KINDS], ids=[i for i, _, _ in KINDS])
def test_expect_changes_refuses_each_kind_of_difference_with_exact_lines(tmp_path, changes, lines):
    status, out, err = expect(tmp_path, {**EVERY_FIELD_CHANGE_SET, "changes": changes}, EVERY_FIELD)
    assert (status, err) == (3, "")
    refusal = f"\nREFUSED: this plan's changes are not the reviewed ones ({tmp_path / 'expected.json'}), {len(lines)} differences:\n"
    assert out.endswith(refusal + "".join(f"  {line}\n" for line in lines)), out


def bad_drift(tmp_path: Path, drift: Any, option: str) -> tuple[int, str, str, Path]:
    """`--json PLAN wandb --changes-out FILE` (or --expect-changes FILE) of a plan whose resource_drift is `drift`."""
    path = write_json(tmp_path, {**UPGRADE, "resource_drift": drift}, "drift.json")
    (tmp_path / "expected.json").write_text(json.dumps({"format": 1, "stack": None, "changes": []}))
    target = tmp_path / ("out.json" if option == "--changes-out" else "expected.json")
    return (*run_cli("plan", "--json", str(path), "wandb", option, str(target)), path)


BAD_DRIFT = [
    ("not_a_list", {"a": 1}, "resource_drift is not a list"),
    ("not_an_object", ["x"], "resource_drift[0] has no address or no change.actions list"),
    ("no_address", [without_field(rc(BUCKET, ["update"]), "address")], "resource_drift[0] has no address or no change.actions list"),
    ("unprintable_address", [{**rc(BUCKET, ["update"]), "address": "a\nb"}], "resource_drift[0] has no address or no change.actions list"),
    ("no_change", [without_field(rc(BUCKET, ["update"]), "change")], "resource_drift[0] has no address or no change.actions list"),
    ("actions_not_list", [{**rc(BUCKET, ["update"]), "change": {"actions": "update"}}],
     "resource_drift[0] has no address or no change.actions list"),
    ("second", [rc(BUCKET, ["update"]), {**rc(BUCKET, ["update"]), "change": {}}],
     "resource_drift[1] has no address or no change.actions list"),
    ("number_action", [rc(BUCKET, [3])], f"resource_drift[0] ({BUCKET}) has an action that is not one"),
    ("odd_action", [rc(BUCKET, ["Update!"])], f"resource_drift[0] ({BUCKET}) has an action that is not one"),
]  # fmt: skip


@pytest.mark.parametrize(("drift", "message"), [(d, m) for _, d, m in BAD_DRIFT], ids=[i for i, _, _ in BAD_DRIFT])
def test_a_malformed_resource_drift_exits_2_with_one_line(tmp_path, drift, message):
    for option in ("--changes-out", "--expect-changes"):
        status, out, err, path = bad_drift(tmp_path, drift, option)
        assert (status, err) == (2, f"error: {path}: malformed plan: {message}\n") and "Change set" not in out
    assert not (tmp_path / "out.json").exists()


LONG = "aws_iam_role." + "x" * 250
SHOWN = printable(LONG, 200)
GOOD = {"address": BUCKET, "actions": ["create"]}
MALFORMED_ENTRIES = [
    ("no_changes", {"changes": None}, "changes is not a list"),
    ("drift_not_list", {"drift": {}}, "drift is not a list"),
    ("drift_entry", {"drift": [GOOD, {"actions": ["update"]}]}, "drift[1] has no address"),
    ("twice_later", {"changes": [GOOD, {"address": "b", "actions": ["update"]}, {"address": "b", "actions": ["delete"]}]},
     "b is listed twice"),
    ("twice_deposed", {"changes": [{**GOOD, "deposed": "k"}] * 2}, f"{BUCKET} deposed k is listed twice"),
    ("twice_long", {"changes": [{"address": LONG, "actions": ["create"]}] * 2}, f"{SHOWN} is listed twice"),
    ("no_actions_long", {"changes": [{"address": LONG}]}, f"changes[0] ({SHOWN}) has no actions list"),
    ("empty_actions", {"changes": [{"address": BUCKET, "actions": []}]}, f"changes[0] ({BUCKET}) has no actions list"),
    ("number_action", {"changes": [{"address": BUCKET, "actions": [3]}]}, f"changes[0] ({BUCKET}) has no actions list"),
    ("number_deposed", {"changes": [{**GOOD, "deposed": 3}]},
     f"changes[0] ({BUCKET}) has a deposed key or previous address that is not one"),
    ("unprintable_previous", {"changes": [GOOD, {"address": LONG, "actions": ["no-op"], "previous_address": "a\tb"}]},
     f"changes[1] ({SHOWN}) has a deposed key or previous address that is not one"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "problem"), [(f, p) for _, f, p in MALFORMED_ENTRIES], ids=[i for i, _, _ in MALFORMED_ENTRIES])
def test_a_malformed_reviewed_change_set_names_the_problem_exactly(tmp_path, fields, problem):
    reviewed = tmp_path / "expected.json"
    data = {"format": 1, "stack": None, "changes": [], **fields}
    reviewed.write_text(json.dumps({k: v for k, v in data.items() if v is not None or k == "stack"}))
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE)), "wandb", "--expect-changes", str(reviewed))
    assert (status, out) == (2, "")
    assert err == f"error: {reviewed}: not a change set written by ./scripts/plan --changes-out: {problem}\n"


def test_a_reviewed_change_set_that_is_not_utf8_or_cannot_be_read(tmp_path):
    reviewed = tmp_path / "expected.json"
    reviewed.write_bytes(b'{"format": 1, "stack": "\xff"}')
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE)), "wandb", "--expect-changes", str(reviewed))
    assert (status, out, err) == (2, "", f"error: {reviewed}: cannot read the change set (not UTF-8 text)\n")
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE)), "wandb", "--expect-changes", str(tmp_path))
    assert (status, out, err) == (2, "", f"error: {tmp_path}: cannot read the change set (Is a directory)\n")
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE)), "--changes-out", str(tmp_path / "no" / "x.json"))
    assert status == 2 and err == f"error: {tmp_path / 'no' / 'x.json'}: cannot write the change set (No such file or directory)\n"
