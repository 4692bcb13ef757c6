"""Reviewed plans keep their promise (issue 16): every way a plan can lose W&B's data or take W&B
down needs consent, and no input gives a traceback.

One test (or a parametrized set) per class of hole the review found: replacements of every kind,
service-bearing resources, types that were in no table, risky updates in place, fail-open corners
(mode spelling, duplicate keys, a second --json, deposed objects), tracebacks on odd input, the
--allow matcher's time and whole-address rule, the summary's list of everything destroyed; and a
property: any delete or replace of a data- or service-bearing type, at any depth, with any index,
without a matching --allow, exits 3."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import PROJECT_ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_plan_review import AURORA, BUCKET, CLUSTER, INFRA, SENTINEL, Fake, judged, plan, rc, row, run_cli, write_json

from plan_review.data_bearing import DATA_BEARING, SERVICE_BEARING, service_bearing_markdown
from plan_review.judge import allow_matches, parse_plan, review
from plan_review.risky import ROWS, risky_markdown

HELM = f"{INFRA}.module.wandb.helm_release.operator"
PVC = 'module.wandb_app.kubernetes_persistent_volume_claim.wandb["files"]'
NAMESPACE = "kubernetes_namespace.wandb"

# --- replacements of every kind --------------------------------------------------------------------


@pytest.mark.parametrize("actions", [["create", "forget"], ["forget", "create"], ["create", "delete", "forget"]])
def test_a_replacement_whose_old_object_is_forgotten_is_a_replace(actions):
    result, text = judged(plan(rc(AURORA, actions)))
    assert [c.address for c in result.refused] == [AURORA]
    assert result.refused[0].kind == "replace"
    assert "REFUSED: 1 data-bearing resource would be destroyed or replaced without consent:" in text


def test_a_plain_forget_stays_allowed():
    result, text = judged(plan(rc(AURORA, ["forget"]), rc(BUCKET, ["forget"])))
    assert result.passed
    assert row("ok", "forget", AURORA, "aws_rds_cluster").search(text)


# --- service-bearing, newly classified, unclassified -------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [(HELM, "helm_release"), (f"{INFRA}.module.wandb.helm_release.wandb_cr", "helm_release"),
     (NAMESPACE, "kubernetes_namespace"), ("kubernetes_namespace_v1.wandb", "kubernetes_namespace_v1"),
     (PVC, "kubernetes_persistent_volume_claim")],
)  # fmt: skip
@pytest.mark.parametrize("actions", [["delete"], ["delete", "create"], ["create", "delete"]])
def test_deleting_or_replacing_a_service_bearing_resource_needs_consent(address, kind, actions):
    result, text = judged(plan(rc(address, actions)))
    assert [c.address for c in result.refused] == [address]
    assert "REFUSED: 1 service-bearing resource would be destroyed or replaced without consent (W&B goes down):" in text
    assert f"service-bearing: {SERVICE_BEARING[kind]}" in text and "W&B goes down" in SERVICE_BEARING[kind]
    result, text = judged(plan(rc(address, actions)), address)
    assert result.passed and "PASSED: every service-bearing resource destroyed or replaced (1) is allowed by --allow." in text


@pytest.mark.parametrize(
    "address",
    [f"{INFRA}.module.file_storage.aws_s3_bucket_versioning.file_storage",
     f"{INFRA}.module.app_eks.module.eks.aws_cloudwatch_log_group.this[0]",
     f"{INFRA}.module.kms.aws_kms_replica_key.replica", "module.x.aws_kms_external_key.k"],
)  # fmt: skip
def test_types_that_were_in_no_table_are_data_bearing_now(address):
    result, _ = judged(plan(rc(address, ["delete"])))
    assert len(result.refused) == 1


def test_a_type_in_no_table_needs_consent_too():
    result, text = judged(plan(rc("aws_brand_new_store.x", ["delete"]), rc("aws_iam_role.r", ["delete"])))
    assert [c.address for c in result.refused] == ["aws_brand_new_store.x"]  # the role is recreatable
    assert "1 resource of a type this review has not classified would be destroyed or replaced" in text


def test_the_readme_tables_of_service_bearing_types_and_risky_updates_are_the_codes():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert service_bearing_markdown() in readme
    assert risky_markdown() in readme


# --- risky updates -----------------------------------------------------------------------------------


def lifecycle(*rules: tuple[str, str, int | None, int | None]) -> dict[str, Any]:
    """An aws_s3_bucket_lifecycle_configuration value: rules (id, status, days, noncurrent days)."""
    return {
        "bucket": "b",
        "rule": [
            {
                "id": rule_id,
                "status": status,
                "expiration": [] if days is None else [{"days": days, "date": None}],
                "noncurrent_version_expiration": [] if noncurrent is None else [{"noncurrent_days": noncurrent}],
            }
            for rule_id, status, days, noncurrent in rules
        ],
    }


def update(address: str, before: dict[str, Any], after: dict[str, Any], **change: Any) -> dict[str, Any]:
    entry = rc(address, ["update"])
    entry["change"].update({"before": before, "after": after, "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}, **change})
    return entry


LIFECYCLE = "aws_s3_bucket_lifecycle_configuration.files"
RDS = AURORA
RISKY = [
    # (id, address, before, after, risky)
    ("expiration_added", LIFECYCLE, lifecycle(("a", "Enabled", None, 30)), lifecycle(("a", "Enabled", 90, 30)), True),
    ("expiration_shortened", LIFECYCLE, lifecycle(("a", "Enabled", 90, None)), lifecycle(("a", "Enabled", 30, None)), True),
    ("expiration_lengthened", LIFECYCLE, lifecycle(("a", "Enabled", 30, None)), lifecycle(("a", "Enabled", 90, None)), False),
    ("noncurrent_shortened", LIFECYCLE, lifecycle(("a", "Enabled", None, 30)), lifecycle(("a", "Enabled", None, 7)), True),
    ("noncurrent_added_by_a_new_rule", LIFECYCLE, lifecycle(("a", "Enabled", None, 30)),
     lifecycle(("a", "Enabled", None, 30), ("b", "Enabled", None, 1)), True),
    ("rule_enabled", LIFECYCLE, lifecycle(("a", "Disabled", 30, None)), lifecycle(("a", "Enabled", 30, None)), True),
    ("rule_disabled", LIFECYCLE, lifecycle(("a", "Enabled", 30, None)), lifecycle(("a", "Disabled", 30, None)), False),
    ("rules_reordered", LIFECYCLE, lifecycle(("a", "Enabled", 10, None), ("b", "Enabled", 90, None)),
     lifecycle(("b", "Enabled", 90, None), ("a", "Enabled", 10, None)), False),
    ("expiration_date_added", LIFECYCLE, lifecycle(("a", "Enabled", None, None)),
     {"rule": [{"id": "a", "status": "Enabled", "expiration": [{"days": None, "date": "2027-01-01T00:00:00Z"}]}]}, True),
    ("inline_rule_shortened", "aws_s3_bucket.b", {"lifecycle_rule": [{"id": "x", "enabled": True, "expiration": [{"days": 30}]}]},
     {"lifecycle_rule": [{"id": "x", "enabled": True, "expiration": [{"days": 3}]}]}, True),
    ("inline_noncurrent_added", "aws_s3_bucket.b", {"lifecycle_rule": []},
     {"lifecycle_rule": [{"id": "x", "enabled": True, "noncurrent_version_expiration": [{"days": 3}]}]}, True),
    ("versioning_suspended", "aws_s3_bucket_versioning.v", {"versioning_configuration": [{"status": "Enabled"}]},
     {"versioning_configuration": [{"status": "Suspended"}]}, True),
    ("versioning_enabled", "aws_s3_bucket_versioning.v", {"versioning_configuration": [{"status": "Suspended"}]},
     {"versioning_configuration": [{"status": "Enabled"}]}, False),
    ("inline_versioning_off", "aws_s3_bucket.b", {"versioning": [{"enabled": True}]}, {"versioning": [{"enabled": False}]}, True),
    ("force_destroy_on", "aws_s3_bucket.b", {"force_destroy": False}, {"force_destroy": True}, True),
    ("force_destroy_off", "aws_s3_bucket.b", {"force_destroy": True}, {"force_destroy": False}, False),
    ("backup_retention_lowered", RDS, {"backup_retention_period": 14}, {"backup_retention_period": 1}, True),
    ("backup_retention_raised", RDS, {"backup_retention_period": 7}, {"backup_retention_period": 14}, False),
    ("backup_retention_kept", RDS, {"backup_retention_period": 7}, {"backup_retention_period": 7}, False),
    ("db_backup_retention_lowered", "aws_db_instance.d", {"backup_retention_period": 7}, {"backup_retention_period": 0}, True),
    ("deletion_protection_off", RDS, {"deletion_protection": True}, {"deletion_protection": False}, True),
    ("deletion_protection_on", RDS, {"deletion_protection": False}, {"deletion_protection": True}, False),
    ("skip_final_snapshot_on", "aws_db_instance.d", {"skip_final_snapshot": False}, {"skip_final_snapshot": True}, True),
    ("skip_final_snapshot_off", RDS, {"skip_final_snapshot": True}, {"skip_final_snapshot": False}, False),
    ("kms_disabled", "aws_kms_key.k", {"is_enabled": True}, {"is_enabled": False}, True),
    ("kms_enabled", "aws_kms_key.k", {"is_enabled": False}, {"is_enabled": True}, False),
    ("kms_replica_disabled", "aws_kms_replica_key.k", {"enabled": True}, {"enabled": False}, True),
    ("secret_window_zero", "aws_secretsmanager_secret.s", {"recovery_window_in_days": 30}, {"recovery_window_in_days": 0}, True),
    ("secret_window_seven", "aws_secretsmanager_secret.s", {"recovery_window_in_days": 30}, {"recovery_window_in_days": 7}, False),
    ("secret_window_kept_zero", "aws_secretsmanager_secret.s", {"recovery_window_in_days": 0}, {"recovery_window_in_days": 0}, False),
    ("sqs_retention_lowered", "aws_sqs_queue.q", {"message_retention_seconds": 1209600}, {"message_retention_seconds": 60}, True),
    ("sqs_retention_raised", "aws_sqs_queue.q", {"message_retention_seconds": 60}, {"message_retention_seconds": 1209600}, False),
    ("eks_two_minors", CLUSTER, {"version": "1.30"}, {"version": "1.32"}, True),
    ("eks_one_minor", CLUSTER, {"version": "1.30"}, {"version": "1.31"}, False),
    ("eks_major", CLUSTER, {"version": "1.35"}, {"version": "2.0"}, True),
    ("eks_unreadable", CLUSTER, {"version": "1.30"}, {"version": "latest"}, True),
    ("eks_unchanged", CLUSTER, {"version": "1.30"}, {"version": "1.30"}, False),
    ("other_attribute", RDS, {"backup_retention_period": 7, "engine_version": "8.0"},
     {"backup_retention_period": 7, "engine_version": "5.7"}, False),
]  # fmt: skip


@pytest.mark.parametrize(("address", "before", "after", "risky"), [r[1:] for r in RISKY], ids=[r[0] for r in RISKY])
def test_risky_updates_need_consent(address, before, after, risky):
    result, text = judged(plan(update(address, before, after)))
    assert result.passed is not risky, text
    if risky:
        assert "risky update without consent" in text and "risky update: " in text
        assert judged(plan(update(address, before, after)), address)[0].passed


def test_a_risky_change_on_a_replacement_is_judged_too():
    entry = update(LIFECYCLE, lifecycle(("a", "Enabled", 90, None)), lifecycle(("a", "Enabled", 1, None)))
    entry["change"]["actions"] = ["delete", "create"]  # a recreatable type: its replacement alone would pass
    result, text = judged(plan(entry))
    assert not result.passed and 'rule "a": 90 -> 1 days' in text


def test_a_risky_value_unknown_until_apply_counts_as_risky():
    entry = update(RDS, {"backup_retention_period": 7}, {"backup_retention_period": None}, after_unknown={"backup_retention_period": True})
    result, text = judged(plan(entry))
    assert not result.passed and "backup_retention_period lowered (unknown until apply)" in text
    rules = update(LIFECYCLE, lifecycle(("a", "Enabled", 90, None)), {"rule": None}, after_unknown={"rule": True})
    assert not judged(plan(rules))[0].passed
    days = update(LIFECYCLE, lifecycle(("a", "Enabled", 90, None)), lifecycle(("a", "Enabled", None, None)))
    days["change"]["after_unknown"] = {"rule": [{"expiration": [{"days": True}]}]}
    assert not judged(plan(days))[0].passed
    other = update(RDS, {"backup_retention_period": 7}, {"backup_retention_period": 7}, after_unknown={"endpoint": True})
    assert judged(plan(other))[0].passed


def test_a_sensitive_risky_value_is_never_printed():
    entry = update(
        RDS, {"backup_retention_period": 997}, {"backup_retention_period": 1}, before_sensitive={"backup_retention_period": True}
    )
    result, text = judged(plan(entry))
    assert not result.passed
    assert "backup_retention_period lowered ((sensitive))" in text and "997" not in text
    entry = update("aws_s3_bucket_versioning.v", {"versioning_configuration": [{"status": "Enabled"}]},
                   {"versioning_configuration": [{"status": SENTINEL}]}, after_sensitive=True)  # fmt: skip
    result, text = judged(plan(entry))
    assert not result.passed and SENTINEL not in text


class Recording(dict):  # type: ignore[type-arg]
    """A JSON object that records the keys read from it (get, [], in, iteration) with their path."""

    def __init__(self, value: dict[str, Any], path: str, log: set[str]):
        super().__init__({k: wrap(v, f"{path}.{k}", log) for k, v in value.items()})
        self.path, self.log = path, log

    def get(self, key: Any, default: Any = None) -> Any:
        self.log.add(f"{self.path}.{key}")
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.log.add(f"{self.path}.{key}")
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.log.add(f"{self.path}.{key}")
        return super().__contains__(key)

    def __iter__(self) -> Any:
        self.log.add(f"{self.path}.*")
        return super().__iter__()

    def items(self) -> Any:
        self.log.add(f"{self.path}.*")
        return super().items()

    def values(self) -> Any:
        self.log.add(f"{self.path}.*")
        return super().values()


def wrap(value: Any, path: str, log: set[str]) -> Any:
    if isinstance(value, dict):
        return Recording(value, path, log)
    if isinstance(value, list):
        return [wrap(item, f"{path}[]", log) for item in value]
    return value


def test_the_judge_reads_exactly_the_risky_attributes_and_no_other_value():
    every = {"backup_retention_period": 7, "deletion_protection": True, "skip_final_snapshot": False, "master_password": SENTINEL,
             "tags": {"Owner": SENTINEL}, "version": "1.30", "is_enabled": True, "force_destroy": False}  # fmt: skip
    allowed = {f".{name}" for row in ROWS for name in [row.path[0]]}
    for kind in ("aws_rds_cluster", "aws_eks_cluster", "aws_kms_key", "aws_s3_bucket", "aws_iam_role", LIFECYCLE.split(".")[0]):
        log: set[str] = set()
        entry = update(f"{kind}.x", every, every)
        for side in ("before", "after", "after_unknown", "before_sensitive", "after_sensitive"):
            entry["change"][side] = wrap(entry["change"][side], "", log)
        parse_plan(plan(entry))
        read = {path.split(".")[1] for path in log}
        wanted = {str(row.path[0]) for row in ROWS if row.type == kind}
        assert read <= wanted, (kind, read - wanted)
        assert {f".{name}" for name in read} <= allowed
    log = set()
    entry = rc(AURORA, ["delete"])  # a deletion keeps no object: no value is read at all
    entry["change"]["before"] = wrap(every, "", log)
    parse_plan(plan(entry))
    assert log == set()


# --- fail-open corners --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["Managed", "managed ", "MANAGED", "resource", "data_source"])
def test_an_unexpected_mode_fails_closed(tmp_path, mode):
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, plan(rc(AURORA, ["delete"], mode=mode)))))
    assert (status, out) == (2, "") and "a plan's modes are managed and data" in err and err.count("\n") == 1


def test_a_duplicate_type_key_fails_closed(tmp_path):
    text = json.dumps(plan(rc(AURORA, ["delete"])))
    text = text.replace('"type": "aws_rds_cluster"', '"type": "aws_rds_cluster", "type": "aws_iam_role"')
    path = tmp_path / "plan.json"
    path.write_text(text)
    status, out, err = run_cli("plan", "--json", str(path))
    assert (status, out) == (2, "") and "the key 'type' appears twice in one object" in err and err.count("\n") == 1


def test_json_given_twice_is_a_usage_error(tmp_path, capsys):
    first, second = write_json(tmp_path, plan(rc(AURORA, ["delete"])), "a.json"), write_json(tmp_path, plan(), "b.json")
    with pytest.raises(SystemExit) as exit_info:
        run_cli("plan", "--json", str(first), "--json", str(second))
    assert exit_info.value.code == 2 and "give one plan file" in capsys.readouterr().err


def test_a_deposed_object_needs_its_own_consent():
    deposed = rc(AURORA, ["delete"], deposed="a1b2c3d4")
    document = plan(rc(AURORA, ["delete", "create"]), deposed)
    for allows in ((AURORA,), (f"{AURORA}*",), ("*",), (f"{INFRA}.*",)):
        result, text = judged(document, *allows)
        assert [(c.address, c.deposed) for c in result.refused] == [(AURORA, "a1b2c3d4")], allows
        assert f"consent for this deposed object: --allow '{AURORA} deposed a1b2c3d4'" in text
        assert f"  {AURORA} deposed a1b2c3d4  [aws_rds_cluster]" in text
    assert judged(document, AURORA, f"{AURORA} deposed a1b2c3d4")[0].passed
    assert judged(document, AURORA, "* deposed *")[0].passed
    result, _ = judged(document, f"{AURORA} deposed a1b2c3d4")  # the current object still needs its own
    assert [(c.address, c.deposed) for c in result.refused] == [(AURORA, None)]
    assert not judged(plan(deposed), f"{AURORA} deposed ffff")[0].passed


# --- --allow matching ----------------------------------------------------------------------------------


def test_allow_matches_the_whole_address_only():
    assert allow_matches("*.aws_s3_bucket.b", "module.m.aws_s3_bucket.b")
    assert not allow_matches("*.aws_s3_bucket.b", "m.aws_s3_bucket.b2")
    assert not allow_matches("*.aws_s3_bucket.b", "m.aws_s3_bucket.b.x")
    assert allow_matches("a*a", "aa") and not allow_matches("a*a", "a")  # prefix and suffix never overlap
    assert allow_matches("*b*b*", "xbxbx") and not allow_matches("*b*b*", "xbx")
    assert allow_matches("a**b", "ab") and allow_matches("*", "") and not allow_matches("", "a")
    assert allow_matches("m*.x*.y", "m.a.x.b.x.c.y") and not allow_matches("m*.x*.y", "m.a.y.x")


def test_allow_matching_takes_linear_time():
    address = "module.a" + ".a" * 50_000 + ".aws_s3_bucket.b"
    patterns = ["*a" * 200 + "*c", "*" + "*".join(["a.a"] * 300) + "*z", "a" + "*a" * 5000]
    start = time.perf_counter()
    for pattern in patterns:
        assert not allow_matches(pattern, address)
    assert time.perf_counter() - start < 1.0


# --- the summary lists everything destroyed -------------------------------------------------------------


def test_the_summary_lists_every_replaced_or_deleted_address_grouped_and_capped():
    many = [rc(f"{INFRA}.module.networking.aws_route.r[{i}]", ["delete"]) for i in range(13)]
    document = plan(*many, rc(f"{INFRA}.module.app_eks.aws_iam_policy.p", ["delete", "create"]), rc(BUCKET, ["update"]),
                    rc("aws_iam_role.root_role", ["create", "delete"]))  # fmt: skip
    result, text = judged(document)
    assert result.passed
    destroyed = text.split("Destroyed or replaced (15):\n")[1].split("\n\n")[0].splitlines()
    assert destroyed[:2] == ["  (root)  (1 replace)", "    replace  aws_iam_role.root_role"]
    assert destroyed[2:4] == [f"  {INFRA}.module.app_eks  (1 replace)", "    replace  aws_iam_policy.p"]
    assert destroyed[4] == f"  {INFRA}.module.networking  (13 delete)"
    assert destroyed[5:15] == [f"    delete   aws_route.r[{i}]" for i in range(10)]
    assert destroyed[15:] == ["    ... and 3 more in this module"]


# --- never a traceback ---------------------------------------------------------------------------------

NESTED = "[" * 100_000 + "]" * 100_000
R0 = f"resource_changes[0] ({AURORA})"
NOT_A_PLAN = '(expected the output of `terraform show -json PLANFILE`, "1.x")'


def entry_with(**fields: Any) -> bytes:
    return json.dumps(plan({**rc(AURORA, ["delete"]), **fields})).encode()


BAD_INPUTS = [
    # (id, the file's bytes, the whole message after "error: FILE: ")
    ("latin1", "ä".encode("latin-1") + b'{"format_version": "1.2"}',
     "not JSON: not UTF-8 text (byte 0); a binary plan file? pass the output of `terraform show -json PLANFILE`"),
    ("utf16", json.dumps(plan()).encode("utf-16"),
     "not JSON: not UTF-8 text (byte 0); a binary plan file? pass the output of `terraform show -json PLANFILE`"),
    ("lone_surrogate", entry_with(address="aws_rds_cluster.\ud800x"),
     "malformed plan: resource_changes[0] address 'aws_rds_cluster.?x' holds an unprintable character"),
    ("control_character", entry_with(address="aws_rds_cluster.x\x1b[2J"),
     "malformed plan: resource_changes[0] address 'aws_rds_cluster.x?[2J' holds an unprintable character"),
    ("bidi_override", entry_with(type="aws_rds_cluster\u202e"),
     f"malformed plan: {R0} type 'aws_rds_cluster?' holds an unprintable character"),
    ("deep_nesting", ('{"format_version": "1.2", "resource_changes": ' + NESTED + "}").encode(),
     "malformed plan: nested too deeply to be a Terraform plan"),
    ("huge_integer", ('{"format_version": "1.2", "x": ' + "9" * 5000 + "}").encode(),
     "not JSON (Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits)"),
    ("nan", b'{"format_version": "1.2", "resource_changes": [], "x": NaN}', "not JSON: NaN is not a JSON number"),
    ("infinity", b'{"format_version": "1.2", "resource_changes": [], "x": -Infinity}', "not JSON: -Infinity is not a JSON number"),
    ("duplicate_key", b'{"format_version": "1.2", "format_version": "1.3", "resource_changes": []}',
     "malformed plan: the key 'format_version' appears twice in one object"),
    ("entry_not_object", json.dumps(plan(1)).encode(), "malformed plan: resource_changes[0] is not an object"),
    ("address_number", entry_with(address=12),
     "malformed plan: resource_changes[0] has no address: expected a non-empty string, found a number"),
    ("address_empty", entry_with(address=""),
     "malformed plan: resource_changes[0] has no address: expected a non-empty string, found an empty string"),
    ("type_missing", json.dumps(plan({k: v for k, v in rc(AURORA, ["delete"]).items() if k != "type"})).encode(),
     f"malformed plan: {R0} has no type: expected a non-empty string, found nothing"),
    ("address_null", entry_with(address=None),
     "malformed plan: resource_changes[0] has no address: expected a non-empty string, found null"),
    ("type_list", entry_with(type=["aws_rds_cluster"]), f"malformed plan: {R0} has no type: expected a non-empty string, found a list"),
    ("type_object", entry_with(type={}), f"malformed plan: {R0} has no type: expected a non-empty string, found an object"),
    ("mode_boolean", entry_with(mode=True), f"malformed plan: {R0} has no mode: expected a non-empty string, found a boolean"),
    ("deposed_number", entry_with(deposed=7), f"malformed plan: {R0} has no deposed: expected a non-empty string, found a number"),
    ("module_number", entry_with(module_address=1),
     f"malformed plan: {R0} has no module_address: expected a non-empty string, found a number"),
    ("mode_other", entry_with(mode="Managed"), f"malformed plan: {R0} has mode 'Managed': a plan's modes are managed and data"),
    ("no_change", entry_with(change={"before": None}), f"malformed plan: {R0} has no change.actions list"),
    ("change_list", entry_with(change=[]), f"malformed plan: {R0} has no change.actions list"),
    ("action_number", entry_with(change={"actions": [1]}), f"malformed plan: {R0} has an action that is not one: a number"),
    ("action_text", entry_with(change={"actions": ["delete; rm"]}), f"malformed plan: {R0} has an action that is not one: 'delete; rm'"),
    ("replace_paths_object", entry_with(change={"actions": ["delete", "create"], "replace_paths": {"a": 1}}),
     f"malformed plan: {R0} change.replace_paths is not a list"),
    ("replace_path_string", entry_with(change={"actions": ["delete", "create"], "replace_paths": ["bucket"]}),
     f"malformed plan: {R0} change.replace_paths holds a string, not a path"),
    ("format_version_number", json.dumps({**plan(), "format_version": 1.2}).encode(),
     f"not a Terraform plan: format_version is a number, not a string {NOT_A_PLAN}"),
    ("format_version_boolean", json.dumps({**plan(), "format_version": True}).encode(),
     f"not a Terraform plan: format_version is a boolean, not a string {NOT_A_PLAN}"),
    ("format_version_missing", json.dumps({"resource_changes": []}).encode(), f"not a Terraform plan: no format_version {NOT_A_PLAN}"),
    ("format_version_shape", json.dumps({**plan(), "format_version": "1.2.3"}).encode(),
     f"not a Terraform plan: format_version '1.2.3' is not MAJOR.MINOR {NOT_A_PLAN}"),
    ("format_version_huge", json.dumps({**plan(), "format_version": "9" * 5000 + ".0"}).encode(),
     f"not a Terraform plan: format_version '{'9' * 60}...' is not MAJOR.MINOR {NOT_A_PLAN}"),
    ("format_version_2", json.dumps({**plan(), "format_version": "2.0"}).encode(),
     "unsupported plan format_version 2.0: this review reads format 1.x (Terraform 1.x)"),
    ("format_version_0", json.dumps({**plan(), "format_version": "0.1"}).encode(),
     "unsupported plan format_version 0.1: this review reads format 1.x (Terraform 1.x)"),
    ("neither_part", json.dumps({"format_version": "1.2", "values": {}}).encode(),
     "not a Terraform plan: no planned_values or resource_changes (a state? use terraform show -json PLANFILE)"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_any_bad_input_exits_2_with_one_line(tmp_path, data, message):
    path = tmp_path / "plan.json"
    path.write_bytes(data)
    status, out, err = run_cli("plan", "--json", str(path))
    assert (status, out) == (2, ""), err
    assert err == f"error: {path}: {message}\n"


@pytest.mark.parametrize(
    "document",
    [{"format_version": "1.2", "planned_values": {}}, {"format_version": "1.0", "resource_changes": []},
     {"format_version": "1.99", "planned_values": {}, "resource_changes": [], "errored": False}],
)  # fmt: skip
def test_either_part_of_a_plan_is_enough(document):
    assert judged(document)[0].passed


def _script(*args: str, data: bytes | None = None, limit: int | None = None) -> subprocess.CompletedProcess[bytes]:
    def cap_memory() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "plan"), *args], input=data, env=env, capture_output=True, preexec_fn=cap_memory, check=False
    )


def test_the_wrapper_gives_one_line_for_a_lone_surrogate_and_deep_nesting():
    for data in (BAD_INPUTS[2][1], BAD_INPUTS[5][1]):
        result = _script("--json", "-", data=data)
        assert result.returncode == 2 and result.stdout == b"", result.stderr
        assert result.stderr.count(b"\n") == 1 and b"Traceback" not in result.stderr


def test_a_memory_sized_input_exits_2_with_one_line(tmp_path):
    """Under a 400 MB address-space limit, a 40 MB plan of small objects cannot be held in memory."""
    path = tmp_path / "big.json"
    with path.open("w") as file:
        file.write('{"format_version": "1.2", "resource_changes": [], "x": [')
        file.write('{"a": 1},' * 5_000_000 + "{}]}")
    result = _script("--json", str(path), limit=400 * 1024 * 1024)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.decode().endswith("too large to read in this machine's memory\n") and result.stderr.count(b"\n") == 1


@pytest.mark.parametrize(
    ("shown", "message"),
    [(b'{"format_version": "1.2", "resource_changes": [' + b"[" * 50_000, "nested too deeply"),
     (json.dumps(plan(rc(AURORA, ["delete"], mode="Managed"))).encode(), "a plan's modes are managed and data"),
     (b"\xff\xfe not utf-8", "printed no UTF-8 text")],
)  # fmt: skip
def test_a_bad_plan_from_terraform_show_exits_2_with_one_line(tmp_path, shown, message):
    fake = Fake(tmp_path / "project")
    (fake.root / "show.json").write_bytes(shown)
    status, _, err = fake.run("plan", "demo")
    assert status == 2, err
    last = err.splitlines()[-1]
    assert last.startswith("error: ") and message in last and "Traceback" not in err
    assert not (fake.stack_dir / "plan-review.tfplan").exists()  # nothing to apply


# --- the property ---------------------------------------------------------------------------------------

CONSENT_TYPES = sorted({*DATA_BEARING, *SERVICE_BEARING})
NAME = st.from_regex(r"[a-z_][a-z0-9_-]{0,12}", fullmatch=True)
KEY = st.one_of(st.none(), st.integers(0, 10_000).map(str), st.text(min_size=0, max_size=8).map(json.dumps))
MODULE = st.tuples(NAME, KEY).map(lambda m: f"module.{m[0]}" + (f"[{m[1]}]" if m[1] else ""))
DESTROYING = st.sampled_from([["delete"], ["delete", "create"], ["create", "delete"], ["create", "forget"]])


@st.composite
def destroying_plans(draw: st.DrawFn) -> tuple[dict[str, Any], str, list[str]]:
    modules = draw(st.lists(MODULE, max_size=4))
    key = draw(KEY)
    address = ".".join([*modules, f"{draw(st.sampled_from(CONSENT_TYPES))}.{draw(NAME)}"]) + (f"[{key}]" if key else "")
    local = address.removeprefix(".".join(modules) + ".") if modules else address
    entry = {**rc("aws_s3_bucket.placeholder", draw(DESTROYING)), "address": address, "type": local.split(".")[0]}
    if modules:
        entry["module_address"] = ".".join(modules)
    others = [rc(f"aws_iam_role.r{i}", draw(DESTROYING)) for i in range(draw(st.integers(0, 3)))]
    position = draw(st.integers(0, len(others)))
    allows = draw(st.lists(st.sampled_from(["aws_iam_role.*", address + "x", "x" + address, address[:-1], "*.nothing"]), max_size=3))
    return plan(*others[:position], entry, *others[position:]), address, allows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(destroying_plans())
def test_any_destroying_plan_of_a_data_or_service_bearing_type_without_consent_exits_3(case):
    document, address, allows = case
    assert not any(allow_matches(pattern, address) for pattern in allows)
    result = review(parse_plan(json.loads(json.dumps(document))), allows)
    assert not result.passed and address in [c.address for c in result.refused]
    status, out, _ = run_cli_document(document, allows)
    assert status == 3 and address in out


def run_cli_document(document: dict[str, Any], allows: list[str]) -> tuple[int, str, str]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write_json(Path(folder), document)
        return run_cli("plan", "--json", str(path), *[arg for pattern in allows for arg in ("--allow", pattern)])


def test_the_classes_do_not_overlap():
    from plan_review.recreatable import RECREATABLE

    assert not set(DATA_BEARING) & set(SERVICE_BEARING)
    assert not (set(DATA_BEARING) | set(SERVICE_BEARING)) & set(RECREATABLE)
    assert sys.modules["plan_review.data_bearing"].classify("aws_iam_role")[0] == "recreatable"


# --- the small print: kinds, columns, reasons, paths, details ---------------------------------------------


@pytest.mark.parametrize(
    ("actions", "kind", "text"),
    [(["delete", "create"], "replace", "replace (destroy, then create)"),
     (["create", "delete"], "replace", "replace (create, then destroy)"),
     (["create", "forget"], "replace", "replace (create, old one forgotten)"), (["forget", "create"], "replace", "replace"),
     (["delete"], "delete", "delete"), (["forget"], "forget", "forget"), (["update"], "update", "update"), (["read"], "read", "read"),
     (["no-op"], "no-op", "no-op"), (["create"], "create", "create"), (["create", "update"], "other", "create+update"),
     (["delete", "forget"], "other", "delete+forget"), (["update", "forget"], "other", "update+forget"), ([], "other", "(no action)")],
)  # fmt: skip
def test_what_each_action_list_is(actions, kind, text):
    (change,) = parse_plan(plan(rc("aws_iam_role.r", actions)))
    assert (change.kind, change.action_text) == (kind, text)
    (change,) = parse_plan(plan(rc(AURORA, actions)))
    assert change.needs_consent is (kind in ("delete", "replace", "other"))


def test_every_kind_has_its_column():
    imported = rc("aws_iam_role.i", ["create"])
    imported["change"]["importing"] = {"id": "i"}
    document = plan(
        rc("aws_iam_role.d", ["delete"]), rc("aws_iam_role.f", ["forget"]), rc("aws_iam_role.o", ["create", "update"]), imported
    )
    _, text = judged(document)
    header, counts = text.split("Changes by module:\n")[1].split("\n\n")[0].splitlines()
    assert header.split() == ["module", "create", "update", "replace", "delete", "forget", "other", "unchanged", "imported"]
    assert counts.split() == ["(root)", "1", "0", "0", "1", "1", "1", "0", "1"]


TERRAFORMS_REASONS = {
    "replace_because_tainted": "the object is tainted",
    "replace_by_request": "replacement requested (-replace)",
    "replace_by_triggers": "replace_triggered_by",
    "delete_because_no_resource_config": "no longer in the configuration",
    "delete_because_no_module": "its module is no longer in the configuration",
    "delete_because_wrong_repetition": "count or for_each changed",
    "delete_because_count_index": "count no longer includes this index",
    "delete_because_each_key": "for_each no longer includes this key",
    "delete_because_no_move_target": "the target of its moved block is not in the configuration",
    "replace_because_some_later_reason": "replace_because_some_later_reason",  # unknown: as it is
}


@pytest.mark.parametrize(("reason", "words"), TERRAFORMS_REASONS.items())
def test_terraforms_reasons_in_words(reason, words):
    _, text = judged(plan(rc(AURORA, ["delete"], reason=reason)))
    assert f"\n           why: {words}\n" in text


def test_replace_paths_name_odd_steps_safely():
    paths = [[True], [10**9 - 1], [10**9], [-1], ['a"b\\c'], [None], ["x", "y.z"]]
    (change,) = parse_plan(plan(rc(BUCKET, ["delete", "create"], paths)))
    assert change.replace_paths == ("[?]", "[999999999]", "[?]", "[?]", '["a\\"b\\\\c"]', "[?]", 'x["y.z"]')


def test_a_star_pattern_finds_parts_at_the_start():
    assert allow_matches("*b*", "bx") and allow_matches("*b", "b") and allow_matches("b*", "b")
    assert allow_matches("*bx*bx", "bxbx") and not allow_matches("*bx*bx", "bxb")
    assert not allow_matches("a*b*b", "ab")  # a middle part never overlaps the last one


def test_the_unclassified_reason_is_shown():
    _, text = judged(plan(rc("aws_brand_new_store.x", ["delete"])))
    assert "\n           unclassified: a type this review has not classified: what a deletion loses is not known\n" in text


def table_after(marker: str) -> str:
    """The markdown table that follows `marker` in the README, exactly (header to last row)."""
    rest = (PROJECT_ROOT / "README.md").read_text().split(marker, 1)[1].split("\n\n", 2)[1]
    return rest + "\n"


def test_the_readme_tables_are_exactly_the_codes():
    from plan_review.data_bearing import data_bearing_markdown

    assert table_after("**The data-bearing types**") == data_bearing_markdown()
    assert table_after("**The service-bearing types**") == service_bearing_markdown()
    assert table_after("**The risky updates**") == risky_markdown()


# --- risky updates: the details ------------------------------------------------------------------------------


def risks_of(address: str, before: dict[str, Any], after: dict[str, Any], **change: Any) -> list[tuple[str, str]]:
    (parsed,) = parse_plan(plan(update(address, before, after, **change)))
    return [(f"{risk.row.attribute} {risk.row.condition}", risk.detail) for risk in parsed.risks]


def test_risky_details_show_the_old_and_new_values():
    assert risks_of(RDS, {"backup_retention_period": 14}, {"backup_retention_period": 1}) == [
        ("backup_retention_period lowered", "14 -> 1")
    ]
    assert risks_of(RDS, {"backup_retention_period": 7.5}, {"backup_retention_period": 7}) == [
        ("backup_retention_period lowered", "7.5 -> 7")
    ]
    assert risks_of(RDS, {"deletion_protection": True}, {}) == [("deletion_protection turned off", "true -> none")]
    assert risks_of("aws_s3_bucket.b", {"force_destroy": None}, {"force_destroy": True}) == [("force_destroy turned on", "none -> true")]
    huge = 10**4000
    assert risks_of(RDS, {"backup_retention_period": huge}, {"backup_retention_period": 12345678901234567890}) == [
        ("backup_retention_period lowered", "(a huge number) -> 12345678901234567890")
    ]
    assert risks_of(RDS, {"backup_retention_period": 10**20}, {"backup_retention_period": 10**19}) == [
        ("backup_retention_period lowered", "(a huge number) -> 10000000000000000000")
    ]
    assert risks_of(CLUSTER, {"version": "1.30"}, {"version": "1.3\x1b" + "x" * 60}) == [
        ("version raised by more than one minor version", '"1.30" -> "1.3?' + "x" * 36 + '"')
    ]
    assert risks_of(CLUSTER, {"version": "1.29"}, {"version": "1.31"})[0][1] == '"1.29" -> "1.31"'


def test_risky_lifecycle_details_name_the_rules():
    before = lifecycle(("keep", "Enabled", 90, None), ("a", "Enabled", 30, None), ("b", "Enabled", 30, None), ("c", "Enabled", 30, None))
    after = lifecycle(("keep", "Enabled", 90, None), ("a", "Enabled", 3, None), ("b", "Enabled", 2, None), ("c", "Enabled", 1, None),
                      ("d", "Enabled", 5, None))  # fmt: skip
    assert risks_of(LIFECYCLE, before, after) == [
        ("rule[*].expiration[0].days added or shortened", 'rule "a": 30 -> 3 days, rule "b": 30 -> 2 days, rule "c": 30 -> 1 days')
    ]
    no_id = {"rule": [{"status": "Enabled", "expiration": [{"days": 5}]}]}
    assert risks_of(LIFECYCLE, {"rule": []}, no_id) == [("rule[*].expiration[0].days added or shortened", 'rule "#0": none -> 5 days')]
    dated = {"rule": [{"id": "a", "status": "Enabled", "expiration": [{"days": None, "date": "2027-01-01T00:00:00Z"}]}]}
    assert risks_of(LIFECYCLE, lifecycle(("a", "Enabled", 1, None)), dated) == [
        ("rule[*].expiration[0].days added or shortened", 'rule "a": 1 -> 0 days')
    ]
    assert risks_of(LIFECYCLE, dated, dated) == []


@pytest.mark.parametrize(
    ("before", "after", "risky"),
    [("Suspended", "Suspended", False), ("Enabled", "Enabled", False), (None, "Suspended", False), ("Enabled", "Disabled", True)],
)
def test_versioning_status(before, after, risky):
    found = risks_of("aws_s3_bucket_versioning.v", {"versioning_configuration": [{"status": before}]},
                     {"versioning_configuration": [{"status": after}]})  # fmt: skip
    assert bool(found) is risky


def test_a_value_of_the_wrong_type_is_no_number():
    assert risks_of(RDS, {"backup_retention_period": True}, {"backup_retention_period": False}) == []
    assert risks_of(RDS, {"backup_retention_period": "7"}, {"backup_retention_period": "1"}) == []
    assert risks_of("aws_sqs_queue.q", {"message_retention_seconds": 60}, {"message_retention_seconds": "60"}) == [
        ("message_retention_seconds lowered", '60 -> "60"')
    ]


@pytest.mark.parametrize(
    ("unknown", "risky"),
    [({"rule": [{"id": True}]}, True), ({"rule": [{"status": True}]}, True), ({"rule": [{"expiration": [{"date": True}]}]}, True),
     ({"rule": [{"expiration": True}]}, True), ({"rule": [True]}, True), ({"rule": [{"filter": [{"prefix": True}]}]}, False),
     ({"rule": [{"noncurrent_version_expiration": [{"noncurrent_days": True}]}]}, True), ({"bucket": True}, False),
     ({"rule": [{"enabled": True}]}, True), ({"rule": [{"expiration": [{}, True]}]}, False)],
)  # fmt: skip
def test_which_unknown_lifecycle_values_count(unknown, risky):
    rules = lifecycle(("a", "Enabled", 90, 30))
    found = risks_of(LIFECYCLE, rules, rules, after_unknown=unknown)
    assert bool(found) is risky
    assert all(detail == "unknown until apply" for _, detail in found) and len(found) <= 2


def test_an_unknown_value_is_one_risk_and_only_where_it_is():
    assert risks_of(
        RDS, {"backup_retention_period": 7}, {"backup_retention_period": 1}, after_unknown={"backup_retention_period": True}
    ) == [("backup_retention_period lowered", "unknown until apply")]
    status = {"versioning_configuration": [{"status": "Enabled", "mfa_delete": "Disabled"}]}
    unknown = {"versioning_configuration": [{"mfa_delete": True}]}
    assert risks_of("aws_s3_bucket_versioning.v", status, status, after_unknown=unknown) == []
    unknown = {"versioning_configuration": [{"status": True}]}
    assert risks_of("aws_s3_bucket_versioning.v", status, status, after_unknown=unknown) == [
        ("versioning_configuration[0].status no longer Enabled", "unknown until apply")
    ]


def test_a_sensitive_lifecycle_rule_is_not_printed():
    found = risks_of(LIFECYCLE, lifecycle((SENTINEL, "Enabled", 90, None)), lifecycle((SENTINEL, "Enabled", 1, None)),
                     before_sensitive={"rule": [{"id": True}]})  # fmt: skip
    assert found == [("rule[*].expiration[0].days added or shortened", "(sensitive)")]
    status = {"versioning_configuration": [{"status": "Enabled", "mfa_delete": "Disabled"}]}
    found = risks_of("aws_s3_bucket_versioning.v", status, {"versioning_configuration": [{"status": "Suspended", "mfa_delete": SENTINEL}]},
                     after_sensitive={"versioning_configuration": [{"mfa_delete": True}]})  # fmt: skip
    assert found == [("versioning_configuration[0].status no longer Enabled", '"Enabled" -> "Suspended"')]


# --- the summary as a person reads it (reviewed once, then kept) ---------------------------------------------


def rich_plan() -> dict[str, Any]:
    imported = rc("aws_iam_role.imported", ["no-op"])
    imported["change"]["importing"] = {"id": "r"}
    return plan(
        rc(AURORA, ["delete", "create"], [["cluster_identifier"]], "replace_because_cannot_update"),
        rc(BUCKET, ["create", "delete"], reason="replace_by_request"),
        rc(AURORA, ["delete"], deposed="0a1b2c3d"),
        rc(HELM, ["delete"], reason="delete_because_no_resource_config"),
        rc("aws_sqs_queue.q", ["delete", "create"], reason="replace_because_cannot_update"),
        update(CLUSTER, {"version": "1.30"}, {"version": "1.33"}),
        rc(f"{INFRA}.module.kms.aws_kms_key.key", ["update"], previous_address=f"{INFRA}.module.kms.aws_kms_key.old"),
        rc(f"{INFRA}.module.app_eks.aws_iam_role.node", ["no-op"], previous_address=f"{INFRA}.module.app_eks.aws_iam_role.old"),
        imported,
        rc("aws_brand_new.thing", ["create", "update"]),
        *[rc(f"{INFRA}.module.networking.aws_route.r[{i}]", ["delete"]) for i in range(11)],
        rc("data.aws_caller_identity.me", ["read"], mode="data"),
    )


DB = "module.wandb_infra.module.database.module.aurora.aws_rds_cluster.this[0]"
RICH_SUMMARY = (
    f"""Plan review: plan.json

Data- and service-bearing resources changed, risky updates (6 refused, 1 allowed):
  REFUSED  replace (destroy, then create)  {DB}  [aws_rds_cluster]
           forced by: cluster_identifier
           data-bearing: the Aurora cluster: W&B's runs, users and metadata
  REFUSED  replace (create, then destroy)  module.wandb_infra.module.file_storage.aws_s3_bucket.file_storage  [aws_s3_bucket]
           why: replacement requested (-replace)
           data-bearing: the file bucket: artifacts, media and run files
  REFUSED  delete                          {DB}  [aws_rds_cluster]  (deposed object 0a1b2c3d)
           data-bearing: the Aurora cluster: W&B's runs, users and metadata
           consent for this deposed object: --allow '{DB} deposed 0a1b2c3d'
  REFUSED  replace (destroy, then create)  aws_sqs_queue.q  [aws_sqs_queue]
           why: replace_because_cannot_update
           data-bearing: the file-event queue: messages not yet processed are lost
  REFUSED  update                          module.wandb_infra.module.app_eks.module.eks.aws_eks_cluster.this[0]  [aws_eks_cluster]
           risky update: version raised by more than one minor version ("1.30" -> "1.33"): EKS upgrades one minor version at a time: \
AWS refuses the update half-way through an apply
  REFUSED  create+update                   aws_brand_new.thing  [aws_brand_new]
           unclassified: a type this review has not classified: what a deletion loses is not known
  allowed  delete                          module.wandb_infra.module.wandb.helm_release.operator  [helm_release]
           why: no longer in the configuration
           service-bearing: W&B goes down: the W&B server, the W&B operator, or an add-on W&B's traffic depends on (load balancer \
controller, DNS, autoscaler); deleting a release uninstalls everything it runs
           allowed by --allow module.wandb_infra.module.wandb.helm_release.operator
  ok       update                          module.wandb_infra.module.kms.aws_kms_key.key  [aws_kms_key]
           moved from module.wandb_infra.module.kms.aws_kms_key.old

Destroyed or replaced (16):
  (root)  (1 replace)
    replace  aws_sqs_queue.q
  module.wandb_infra.module.database.module.aurora  (1 delete, 1 replace)
    replace  aws_rds_cluster.this[0]
    delete   aws_rds_cluster.this[0]  (deposed object 0a1b2c3d)
  module.wandb_infra.module.file_storage  (1 replace)
    replace  aws_s3_bucket.file_storage
  module.wandb_infra.module.networking  (11 delete)
"""
    + "".join(f"    delete   aws_route.r[{i}]\n" for i in range(10))
    + f"""    ... and 1 more in this module
  module.wandb_infra.module.wandb  (1 delete)
    delete   helm_release.operator

Changes by module:
  module                                            create  update  replace  delete  read  other  unchanged  moved  imported
  (root)                                                 0       0        1       0     1      1          1      0         1
  module.wandb_infra.module.app_eks                      0       0        0       0     0      0          1      1         0
  module.wandb_infra.module.app_eks.module.eks           0       1        0       0     0      0          0      0         0
  module.wandb_infra.module.database.module.aurora       0       0        1       1     0      0          0      0         0
  module.wandb_infra.module.file_storage                 0       0        1       0     0      0          0      0         0
  module.wandb_infra.module.kms                          0       1        0       0     0      0          0      1         0
  module.wandb_infra.module.networking                   0       0        0      11     0      0          0      0         0
  module.wandb_infra.module.wandb                        0       0        0       1     0      0          0      0         0

REFUSED: 4 data-bearing resources would be destroyed or replaced without consent:
  {DB}  [aws_rds_cluster]
  module.wandb_infra.module.file_storage.aws_s3_bucket.file_storage  [aws_s3_bucket]
  {DB} deposed 0a1b2c3d  [aws_rds_cluster]
  aws_sqs_queue.q  [aws_sqs_queue]
REFUSED: 1 resource of a type this review has not classified would be destroyed or replaced without consent:
  aws_brand_new.thing  [aws_brand_new]
REFUSED: 1 risky update without consent:
  module.wandb_infra.module.app_eks.module.eks.aws_eks_cluster.this[0]  [aws_eks_cluster]  version raised by more than one minor version
If that is intended, plan again with --allow ADDRESS for each (README, Reviewed plans).
"""
)


def test_the_whole_summary_of_a_plan_with_every_kind_of_change():
    from plan_review.summary import render

    result = review(parse_plan(rich_plan()), [HELM, "*.aws_route.*"])
    assert render(result, "plan.json") == RICH_SUMMARY
    assert result.unused_allows == ("*.aws_route.*",)  # routes are recreatable: nothing to consent to


def test_the_verdict_when_every_change_that_needs_consent_is_allowed():
    from plan_review.summary import render

    result = review(parse_plan(rich_plan()), ["*", "* deposed *"])
    assert render(result, "plan.json").split("\n\n")[-1] == (
        "PASSED: every data-bearing resource destroyed or replaced (4) is allowed by --allow.\n"
        "PASSED: every service-bearing resource destroyed or replaced (1) is allowed by --allow.\n"
        "PASSED: every resource of an unclassified type destroyed or replaced (1) is allowed by --allow.\n"
        "PASSED: every risky update (1) is allowed by --allow.\n"
    )
    one = review(parse_plan(plan(rc("aws_brand_new.thing", ["delete"]))))
    assert render(one, "x").split("\n\n")[-1] == (
        "REFUSED: 1 resource of a type this review has not classified would be destroyed or replaced without consent:\n"
        "  aws_brand_new.thing  [aws_brand_new]\n"
        "If that is intended, plan again with --allow ADDRESS for each (README, Reviewed plans).\n"
    )


def test_a_group_of_exactly_the_cap_is_not_capped():
    _, text = judged(plan(*[rc(f"aws_route.r[{i}]", ["delete"]) for i in range(10)]))
    assert "more in this module" not in text and "    delete   aws_route.r[9]\n" in text


def test_reading_names_memory_exhaustion(monkeypatch, tmp_path):
    import plan_review.reading as reading

    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(reading.json, "loads", exhausted)
    status, _, err = run_cli("plan", "--json", str(write_json(tmp_path, plan())))
    assert (status, err) == (2, f"error: {tmp_path / 'plan.json'}: the plan is too large to read in this machine's memory\n")


def test_printable_marks_only_what_it_cut():
    from plan_review.reading import printable

    assert printable("x" * 60) == "x" * 60 and printable("x" * 61) == "x" * 60 + "..."
    assert printable("a\x00b\u202e") == "a?b?"


def test_destroyed_or_replaced_holds_every_kind_of_going_and_nothing_else():
    document = plan(
        rc("aws_iam_role.a", ["create", "forget"]),
        rc("aws_iam_role.b", ["delete", "forget"]),
        rc("aws_iam_role.c", ["update"]),
        rc("aws_iam_role.d", ["forget"]),
        rc("aws_iam_role.e", ["no-op"]),
        rc("data.aws_iam_role.f", ["delete"], mode="data"),
    )
    _, text = judged(document)
    assert text.split("Destroyed or replaced (2):\n")[1].split("\n\n")[0] == (
        "  (root)  (1 delete+forget, 1 replace)\n    replace  aws_iam_role.a\n    delete+forget aws_iam_role.b"
    )


def test_the_judged_list_shows_ok_after_allowed_and_no_unchanged_resource():
    document = plan(rc(BUCKET, ["update"], replace_paths=[]), rc(AURORA, ["no-op"]), rc(CLUSTER, ["delete"]))
    _, text = judged(document, CLUSTER)
    lines = text.split("allowed):\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in lines if not line.startswith("           ")] == ["allowed", "ok"]
    assert AURORA not in text.split("Changes by module:")[0]


def test_plural_from_two_and_every_forcing_path():
    _, text = judged(plan(rc(AURORA, ["delete", "create"], [["a"], ["b"]]), rc(BUCKET, ["delete"])))
    assert "REFUSED: 2 data-bearing resources would be" in text and "forced by: a, b\n" in text
