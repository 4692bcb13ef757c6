"""Reviewed plans (plan_review, ./scripts/plan, ./scripts/apply), without real Terraform.

- The judge, on hand-written plans in the documented `terraform show -json` format (format 1.x)
  whose addresses mirror the W&B stack's (module wandb/wandb/aws 8.0.0: module.kms,
  module.file_storage, module.database's rds-aurora, module.app_eks's EKS module v20): a 7.x to
  8.x upgrade, a namespace change, a KMS key deletion, a new deployment; allowed and refused
  changes, --allow patterns, destroy plans, data sources, forget, deposed objects, grouping by
  module, and that no value of any attribute, variable or output reaches the output.
- The command lines and exit statuses (`--json`, through the CLI entry point and the wrapper).
- The plan/apply workflow with a stand-in for Terraform (TERRAFORM_BINARY_NAME, which the cdktf
  CLI honours too) and for the app (cdktf.json's "app"): the var files passed, the record, the
  skipped init, and every reason apply refuses. Real Terraform plans of the storage stack are
  judged in tests/test_storage_e2e.py.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import PROJECT_ROOT

from plan_review.cli import main
from plan_review.data_bearing import DATA_BEARING, data_bearing_markdown
from plan_review.judge import allow_matches, parse_plan, review
from plan_review.record import PlanRecord
from plan_review.summary import render

SENTINEL = "plan-review-SENTINEL-secret-4b1d"  # must never be printed
AWS = "registry.terraform.io/hashicorp/aws"
# module.a.module.b["k"].aws_x.name[0]: the module path, then the resource (type, name, index key).
ADDRESS = re.compile(r"((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*)(.+)")
RESOURCE = re.compile(r"(\w+)\.([\w-]+)(?:\[(.+)\])?")

# --- hand-written plans -------------------------------------------------------------------------


def rc(
    address: str,
    actions: list[str],
    replace_paths: list[list[Any]] | None = None,
    reason: str | None = None,
    mode: str = "managed",
    **extra: Any,
) -> dict[str, Any]:
    """One `resource_changes` entry as Terraform writes it, with a secret in every value."""
    module, local = ADDRESS.fullmatch(address).groups()  # type: ignore[union-attr]
    kind, name, key = RESOURCE.fullmatch(local.removeprefix("data.")).groups()  # type: ignore[union-attr]
    values = {"id": "x", "password": SENTINEL, "tags": {"Owner": SENTINEL}}
    before = None if actions in (["create"], ["read"]) else values
    after = None if actions in (["delete"], ["forget"]) else {**values, "password": SENTINEL + "-new"}
    entry: dict[str, Any] = {
        "address": address,
        "mode": mode,
        "type": kind,
        "name": name,
        "provider_name": AWS,
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": {"id": True} if after is not None else {},
            "before_sensitive": {"password": True} if before is not None else False,
            "after_sensitive": {"password": True} if after is not None else False,
        },
    }
    if module:
        entry["module_address"] = module.rstrip(".")
    if key is not None:
        entry["index"] = int(key) if key.isdigit() else json.loads(key)
    if replace_paths is not None:
        entry["change"]["replace_paths"] = replace_paths
    if reason is not None:
        entry["action_reason"] = reason
    entry.update(extra)
    return entry


def plan(*changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A plan document: the resource changes, with the secret in variables and outputs too."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"license": {"value": SENTINEL}},
        "planned_values": {"outputs": {"url": {"sensitive": False, "value": SENTINEL}}, "root_module": {}},
        "resource_changes": list(changes),
        "output_changes": {"url": {"actions": ["update"], "before": SENTINEL, "after": SENTINEL + "2"}},
        "prior_state": {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {}}},
        "configuration": {"root_module": {}},
        "timestamp": "2026-11-30T05:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
        **extra,
    }


INFRA = "module.wandb_infra"
EKS = f"{INFRA}.module.app_eks.module.eks"
NODE_GROUP = f'{EKS}.module.eks_managed_node_group["primary"]'
AURORA = f"{INFRA}.module.database.module.aurora.aws_rds_cluster.this[0]"
BUCKET = f"{INFRA}.module.file_storage.aws_s3_bucket.file_storage"
KMS_KEY = f"{INFRA}.module.kms.aws_kms_key.key"
CLUSTER = f"{EKS}.aws_eks_cluster.this[0]"

# 7.x -> 8.x, first step: node groups and launch templates replaced (create before destroy),
# security group rules and IAM policies replaced, resources moved by the module's moved blocks,
# the EKS cluster updated in place, the EKS token read at apply time; nothing data-bearing goes.
UPGRADE = plan(
    rc(f"{NODE_GROUP}.aws_eks_node_group.this[0]", ["create", "delete"], [["node_group_name_prefix"]], "replace_because_cannot_update"),
    rc(f"{NODE_GROUP}.aws_launch_template.this[0]", ["create", "delete"], [["name_prefix"]], "replace_because_cannot_update"),
    rc(f"{INFRA}.module.app_eks.aws_security_group_rule.database", ["delete", "create"], [["source_security_group_id"]]),
    rc(f"{INFRA}.module.app_eks.aws_iam_policy.node_kms", ["delete", "create"], [["name"]], "replace_because_cannot_update"),
    rc(CLUSTER, ["update"]),
    rc(f"{EKS}.aws_iam_role.this[0]", ["no-op"], previous_address=f"{EKS}.aws_iam_role.cluster[0]"),
    rc(f'{EKS}.aws_eks_access_entry.this["cluster_creator"]', ["create"]),
    rc("data.aws_eks_cluster_auth.eks_cluster_auth", ["read"], reason="read_because_dependency_pending", mode="data"),
    rc(AURORA, ["no-op"]),
    rc(BUCKET, ["no-op"]),
    rc(KMS_KEY, ["no-op"]),
)

# namespace = "wandb" -> "wandb2": every name derived from it changes.
NAMESPACE_CHANGE = plan(
    rc(AURORA, ["delete", "create"], [["cluster_identifier"]], "replace_because_cannot_update"),
    rc(f'{INFRA}.module.database.module.aurora.aws_rds_cluster_instance.this["1"]', ["delete", "create"], [["identifier"]]),
    rc(BUCKET, ["delete", "create"], [["bucket"]], "replace_because_cannot_update"),
    rc(CLUSTER, ["delete", "create"], [["name"]], "replace_because_cannot_update"),
    rc(f"{INFRA}.module.kms.aws_kms_alias.key", ["delete", "create"], [["name"]]),
    rc(KMS_KEY, ["update"]),
)

KMS_KEY_DELETION = plan(
    rc(f"{INFRA}.module.kms.aws_kms_key.clickhouse_key[0]", ["delete"], reason="delete_because_count_index"),
    rc(f"{INFRA}.module.kms.aws_kms_alias.clickhouse_key[0]", ["delete"], reason="delete_because_count_index"),
)

NEW_DEPLOYMENT = plan(
    rc(AURORA, ["create"]),
    rc(BUCKET, ["create"]),
    rc(KMS_KEY, ["create"]),
    rc(CLUSTER, ["create"]),
    rc(f"{INFRA}.module.redis[0].aws_elasticache_replication_group.default", ["create"]),
    rc(f"{NODE_GROUP}.aws_eks_node_group.this[0]", ["create"]),
)


def row(verdict: str, action: str, address: str, kind: str) -> re.Pattern[str]:
    """A line of the data-bearing changes (columns: verdict, action, address, type)."""
    return re.compile(rf"^  {re.escape(verdict)} +{re.escape(action)} +{re.escape(address)}  \[{kind}\]", re.MULTILINE)


def judged(document: Mapping[str, Any], *allows: str) -> tuple[Any, str]:
    result = review(parse_plan(document), allows)
    return result, render(result, "plan.json")


# --- the table ----------------------------------------------------------------------------------


def test_the_readme_table_of_data_bearing_types_is_the_codes():
    assert data_bearing_markdown() in (PROJECT_ROOT / "README.md").read_text()


def test_the_table_holds_at_least_the_issues_types_each_with_a_reason():
    issue = {
        "aws_rds_cluster", "aws_db_instance", "aws_s3_bucket", "aws_kms_key", "aws_eks_cluster",
        "aws_elasticache_replication_group", "aws_elasticache_cluster", "aws_sqs_queue",
        "aws_secretsmanager_secret", "aws_efs_file_system", "aws_dynamodb_table", "aws_route53_zone",
    }  # fmt: skip
    assert issue <= set(DATA_BEARING)
    assert all(reason.strip() for reason in DATA_BEARING.values())
    # What a replacement recreates without loss is not in it.
    assert not {"aws_eks_node_group", "aws_launch_template", "aws_security_group_rule", "aws_iam_policy"} & set(DATA_BEARING)


# --- the W&B stack's plans ------------------------------------------------------------------------


def test_the_7x_to_8x_upgrade_passes():
    result, text = judged(UPGRADE)
    assert result.passed and not result.allowed
    assert "PASSED: no data-bearing resource is destroyed or replaced." in text
    assert row("ok", "update", CLUSTER, "aws_eks_cluster").search(text)
    # The replaced node groups and launch templates are listed as replaced, not among the judged changes.
    judged_part, destroyed = text.split("Destroyed or replaced (4):\n")
    assert "aws_eks_node_group" not in judged_part
    assert f"  {NODE_GROUP}  (2 replace)\n    replace  aws_eks_node_group.this[0]\n    replace  aws_launch_template.this[0]\n" in destroyed


def test_a_namespace_change_is_refused_naming_each_resource_and_what_forces_it():
    result, text = judged(NAMESPACE_CHANGE)
    assert [c.address for c in result.refused] == [AURORA, BUCKET, CLUSTER]
    head, verdict = text.split("REFUSED: ", 1)
    assert row("REFUSED", "replace (destroy, then create)", AURORA, "aws_rds_cluster").search(head)
    assert f"{AURORA}  [aws_rds_cluster]\n           forced by: cluster_identifier\n" in head
    assert f"{BUCKET}  [aws_s3_bucket]\n           forced by: bucket\n" in head
    assert f"{CLUSTER}  [aws_eks_cluster]\n           forced by: name\n" in head
    assert row("ok", "update", KMS_KEY, "aws_kms_key").search(head)
    assert verdict.startswith("3 data-bearing resources would be destroyed or replaced without consent:")
    assert [line.strip() for line in verdict.splitlines()[1:4]] == [
        f"{AURORA}  [aws_rds_cluster]",
        f"{BUCKET}  [aws_s3_bucket]",
        f"{CLUSTER}  [aws_eks_cluster]",
    ]
    # The data-bearing changes come first, the counts after them.
    assert text.index(AURORA) < text.index("Changes by module:")


def test_a_kms_key_deletion_is_refused_with_terraforms_reason():
    result, text = judged(KMS_KEY_DELETION)
    assert [c.type for c in result.refused] == ["aws_kms_key"]  # the alias is not data-bearing
    assert "why: count no longer includes this index" in text


def test_a_new_deployment_passes():
    result, text = judged(NEW_DEPLOYMENT)
    assert result.passed
    assert len(re.findall(r"^  ok +create ", text, re.MULTILINE)) == 5  # the node group is not data-bearing


# --- --allow ------------------------------------------------------------------------------------


def test_each_refused_address_can_be_allowed_exactly():
    result, text = judged(NAMESPACE_CHANGE, AURORA, BUCKET)
    assert [c.address for c in result.refused] == [CLUSTER]
    assert [(c.address, pattern) for c, pattern in result.allowed] == [(AURORA, AURORA), (BUCKET, BUCKET)]
    assert f"allowed by --allow {AURORA}" in text
    result, text = judged(NAMESPACE_CHANGE, AURORA, BUCKET, CLUSTER)
    assert result.passed
    assert "PASSED: every data-bearing resource destroyed or replaced (3) is allowed by --allow." in text


def test_patterns_star_matches_any_run_of_characters_the_rest_is_literal():
    assert allow_matches(f"{INFRA}.*", AURORA)
    assert allow_matches("*.aws_rds_cluster.this[*]", AURORA)
    assert allow_matches("*aws_s3_bucket.*", BUCKET)
    assert allow_matches(AURORA, AURORA)
    assert not allow_matches("aws_s3_bucket.*", BUCKET)  # the whole address must match
    assert not allow_matches(AURORA.replace("[0]", ""), AURORA)
    # Brackets are literal (an index), never a character class; ? is literal.
    assert not allow_matches("aws_sqs_queue.q[0]", "aws_sqs_queue.q0")
    assert not allow_matches("aws_sqs_queue.q?", "aws_sqs_queue.q1")
    assert allow_matches('module.x["a.b"].aws_sqs_queue.q', 'module.x["a.b"].aws_sqs_queue.q')
    result, _ = judged(NAMESPACE_CHANGE, f"{INFRA}.*")
    assert result.passed and len(result.allowed) == 3


def test_an_allow_that_matches_no_refusable_change_is_reported_unused():
    result, _ = judged(NAMESPACE_CHANGE, AURORA, "aws_s3_bucket.elsewhere", KMS_KEY)  # the key is only updated
    assert result.unused_allows == ("aws_s3_bucket.elsewhere", KMS_KEY)
    assert [c.address for c in result.refused] == [BUCKET, CLUSTER]


# --- destroy plans, data sources, forget, deposed, unknown actions --------------------------------


def test_a_destroy_plan_refuses_every_data_bearing_resource_unless_allowed():
    destroy = plan(
        *(rc(address, ["delete"]) for address in (AURORA, BUCKET, KMS_KEY, CLUSTER)),
        rc(f"{NODE_GROUP}.aws_eks_node_group.this[0]", ["delete"]),
        rc(f"{INFRA}.module.app_eks.aws_iam_policy.node_kms", ["delete"]),
    )
    result, text = judged(destroy)
    assert sorted(c.type for c in result.refused) == ["aws_eks_cluster", "aws_kms_key", "aws_rds_cluster", "aws_s3_bucket"]
    assert "REFUSED: 4 data-bearing resources" in text
    result, _ = judged(destroy, "*")
    assert result.passed and len(result.allowed) == 4


def test_data_sources_are_never_refused():
    reads = plan(
        rc("data.aws_s3_bucket.files", ["delete"], mode="data"),
        rc("data.aws_eks_cluster.eks_cluster_id", ["delete"], mode="data"),
        rc("data.aws_rds_cluster.db", ["read"], reason="read_because_config_unknown", mode="data"),
    )
    result, text = judged(reads)
    assert result.passed
    assert "Data-bearing resources: none changed." in text


def test_forget_is_shown_not_refused():
    forget = plan(rc(BUCKET, ["forget"]), rc(f"{INFRA}.module.app_eks.aws_iam_policy.p", ["create", "forget"]))
    result, text = judged(forget)
    assert result.passed
    assert row("ok", "forget", BUCKET, "aws_s3_bucket").search(text)
    assert "forget" in text.split("Changes by module:")[1].splitlines()[1]  # its column appears


def test_a_data_bearing_replacement_created_before_destroyed_is_refused():
    """create_before_destroy: ["create", "delete"] is a replacement too; the old object goes."""
    for address, kind in ((AURORA, "aws_rds_cluster"), (BUCKET, "aws_s3_bucket"), (KMS_KEY, "aws_kms_key")):
        result, text = judged(plan(rc(address, ["create", "delete"], [["name"]], "replace_because_cannot_update")))
        assert [c.address for c in result.refused] == [address]
        assert row("REFUSED", "replace (create, then destroy)", address, kind).search(text)
        assert judged(plan(rc(address, ["create", "delete"])), address)[0].passed


def test_a_deposed_object_is_refused_and_marked():
    result, text = judged(plan(rc(AURORA, ["delete"], deposed="a1b2c3d4")))
    assert len(result.refused) == 1
    assert "(deposed object a1b2c3d4)" in text


def test_an_unknown_action_on_a_data_bearing_resource_is_refused():
    result, text = judged(plan(rc(BUCKET, ["archive"]), rc(f"{INFRA}.module.app_eks.aws_iam_policy.p", ["archive"])))
    assert [c.address for c in result.refused] == [BUCKET]
    assert row("REFUSED", "archive", BUCKET, "aws_s3_bucket").search(text)


def test_replace_paths_name_attributes_keys_and_indexes():
    paths = [["bucket"], ["tags", "Name"], ["rule", 0, "id"], ["tags", "a b"]]
    (change,) = parse_plan(plan(rc(BUCKET, ["delete", "create"], paths)))
    assert change.replace_paths == ("bucket", "tags.Name", "rule[0].id", 'tags["a b"]')


def test_a_tainted_resource_says_so():
    _, text = judged(plan(rc(AURORA, ["delete", "create"], reason="replace_because_tainted")))
    assert "why: the object is tainted" in text


# --- the summary --------------------------------------------------------------------------------


def test_counts_per_action_grouped_by_module_root_first():
    _, text = judged(UPGRADE)
    table = text.split("Changes by module:\n")[1].split("\n\n")[0].splitlines()
    header, *rows = table
    assert header.split() == ["module", "create", "update", "replace", "delete", "read", "unchanged", "moved"]
    counts = {row.split()[0]: [int(n) for n in row.split()[1:]] for row in rows}
    assert counts == {
        "(root)": [0, 0, 0, 0, 1, 0, 0],
        f"{INFRA}.module.app_eks": [0, 0, 2, 0, 0, 0, 0],
        f"{INFRA}.module.database.module.aurora": [0, 0, 0, 0, 0, 1, 0],
        f"{INFRA}.module.file_storage": [0, 0, 0, 0, 0, 1, 0],
        f"{INFRA}.module.kms": [0, 0, 0, 0, 0, 1, 0],
        EKS: [1, 1, 0, 0, 0, 1, 1],
        NODE_GROUP: [0, 0, 2, 0, 0, 0, 0],
    }
    assert rows[0].startswith("  (root)")


def test_nothing_but_addresses_types_actions_and_attribute_names_is_printed():
    for document in (UPGRADE, NAMESPACE_CHANGE, KMS_KEY_DELETION, NEW_DEPLOYMENT):
        _, text = judged(document, "*")
        assert SENTINEL not in text
        assert "password" not in text and "Owner" not in text


def test_an_empty_plan():
    result, text = judged(plan())
    assert result.passed
    assert "Changes by module: none (no resource changes)." in text


# --- bad input ----------------------------------------------------------------------------------


def run_cli(*args: str, environ: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), environ=dict(os.environ if environ is None else environ), root=root, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def write_json(folder: Path, document: Any, name: str = "plan.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def test_json_exit_statuses_and_no_secret_in_any_output(tmp_path):
    refused = write_json(tmp_path, NAMESPACE_CHANGE)
    status, out, err = run_cli("plan", "--json", str(refused))
    assert status == 3 and "REFUSED" in out and err == ""
    status, out, err = run_cli("plan", "--json", str(refused), "--allow", f"{INFRA}.*", "--allow", "aws_nothing.here")
    assert status == 0 and "PASSED" in out
    assert err == "warning: --allow aws_nothing.here: this plan has no change that needs consent at that address\n"
    status, out, err = run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE, "upgrade.json")))
    assert status == 0
    for document in (UPGRADE, NAMESPACE_CHANGE, KMS_KEY_DELETION, NEW_DEPLOYMENT):
        for allows in ((), ("--allow", "*")):
            _, out, err = run_cli("plan", "--json", str(write_json(tmp_path, document)), *allows)
            assert SENTINEL not in out + err


BAD_PLANS = [
    ("missing", None, "no such plan file"),
    ("not_json", "{not json", "not JSON"),
    ("binary", b"PK\x03\x04\xff\xfe\x00tfplan", "a binary plan file?"),
    ("array", [], "not an object"),
    ("no_version", {"resource_changes": []}, "no format_version"),
    ("version_2", {**plan(), "format_version": "2.0"}, "unsupported plan format_version 2.0"),
    ("state", {"format_version": "1.0", "values": {"root_module": {}}}, "a state?"),
    ("errored", plan(errored=True), "the plan is errored"),
    ("entries_not_list", plan(resource_changes={}), "resource_changes is not a list"),
    ("no_actions", plan({**rc(BUCKET, ["create"]), "change": {}}), f"resource_changes[0] ({BUCKET}) has no change.actions list"),
    ("no_type", plan({k: v for k, v in rc(BUCKET, ["create"]).items() if k != "type"}), f"resource_changes[0] ({BUCKET}) has no type"),
]


@pytest.mark.parametrize(("content", "message"), [(c, m) for _, c, m in BAD_PLANS], ids=[i for i, _, _ in BAD_PLANS])
def test_a_bad_plan_file_exits_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "plan.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    status, out, err = run_cli("plan", "--json", str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {path}: ") and message in err and err.count("\n") == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--json", "x.json", "wandb"], "give no STACK and no --destroy"),
        (["--json", "x.json", "--destroy"], "give no STACK and no --destroy"),
        (["--allow", "", "wandb"], "--allow needs an address"),
        ([], "give a STACK to plan, or --json FILE"),
        (["--frobnicate"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2(args, message):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("plan", *args)
    assert exit_info.value.code == 2


def test_the_wrapper_passes_the_exit_status_through(tmp_path):
    """./scripts/plan itself, from another directory (relative --json paths are the caller's)."""
    write_json(tmp_path, NAMESPACE_CHANGE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "plan"), "--json", "plan.json", "--allow", AURORA],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3, result.stderr
    assert row("allowed", "replace (destroy, then create)", AURORA, "aws_rds_cluster").search(result.stdout)
    assert SENTINEL not in result.stdout + result.stderr
    result = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "plan"), "--json", "-"], input=json.dumps(UPGRADE), env=env, capture_output=True, text=True
    )
    assert result.returncode == 0 and "Plan review: standard input" in result.stdout


# --- the workflow, with stand-ins for the app and Terraform -----------------------------------------

# The app: writes what a synth writes (a manifest and the stack's cdk.tf.json, from config.json),
# or fails as main.py does (SYNTH_EXIT).
FAKE_APP = """#!/usr/bin/env bash
set -eu
if [ -n "${SYNTH_EXIT:-}" ]; then echo "error: terraform.tfvars: setting \\`namespace\\`: broken" >&2; exit "$SYNTH_EXIT"; fi
mkdir -p "$CDKTF_OUTDIR/stacks/demo"
echo '{"stacks": {"demo": {"workingDirectory": "stacks/demo"}}}' > "$CDKTF_OUTDIR/manifest.json"
cp config.json "$CDKTF_OUTDIR/stacks/demo/cdk.tf.json"
"""

# Terraform: logs every call; `init` fails as FAKE_INIT_EXIT says; `plan` writes the plan file and
# exits as FAKE_PLAN_EXIT says (with Terraform's stdout, a warning, and an error on stderr when
# failing), and first rewrites the file FAKE_EDIT_WHILE_PLANNING names; `show` prints FAKE_PLAN_JSON.
FAKE_TERRAFORM = """#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG"
case "$1" in
  init)
    echo "Initializing the backend..."
    if [ -n "${FAKE_INIT_EXIT:-}" ]; then echo "Error: Failed to query available provider packages"; exit "$FAKE_INIT_EXIT"; fi
    mkdir -p .terraform; touch .terraform/fresh; echo lock > .terraform.lock.hcl ;;
  plan)
    if [ -n "${FAKE_EDIT_WHILE_PLANNING:-}" ]; then echo 'namespace = "edited"' > "$FAKE_EDIT_WHILE_PLANNING"; fi
    if [ -n "${FAKE_NEEDS_INIT:-}" ] && [ ! -e .terraform/fresh ]; then
      printf '\nError: Inconsistent dependency lock file\n\nTo make the initial dependency selections, run:\n  terraform init\n' >&2; exit 1
    fi
    for arg in "$@"; do case "$arg" in -out=*) echo "plan $RANDOM" > "${arg#-out=}" ;; esac; done
    echo "aws_s3_bucket.b: Refreshing state... [id=b]"
    printf '\\nWarning: Argument is deprecated\\n\\nUse something else.\\n\\n─────\\n\\nSaved the plan to: x\\n'
    if [ "${FAKE_PLAN_EXIT:-2}" = 1 ]; then printf '\\nError: Instance cannot be destroyed\\n\\n  prevent_destroy is set\\n' >&2; fi
    exit "${FAKE_PLAN_EXIT:-2}" ;;
  show) cat "$FAKE_PLAN_JSON" ;;
  apply) echo "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." ;;
esac
"""


class Fake:
    """A project root with the stand-ins; `run(...)` runs the CLI there."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir()
        (root / "cdktf.json").write_text(json.dumps({"language": "python", "app": "./app.sh"}))
        for name, text in (("app.sh", FAKE_APP), ("terraform", FAKE_TERRAFORM)):
            (root / name).write_text(text)
            (root / name).chmod(0o755)
        (root / "config.json").write_text('{"resource": {}}')
        (root / "terraform.tfvars").write_text('namespace = "demo"\n')
        self.environ = {
            "PATH": os.environ["PATH"],
            "TERRAFORM_BINARY_NAME": str(root / "terraform"),
            "FAKE_LOG": str(root / "terraform.log"),
            "FAKE_PLAN_JSON": str(root / "show.json"),
        }
        self.plan_json(UPGRADE)

    @property
    def stack_dir(self) -> Path:
        return self.root / "cdktf.out" / "stacks" / "demo"

    def plan_json(self, document: Mapping[str, Any]) -> None:
        (self.root / "show.json").write_text(json.dumps(document))

    def run(self, *args: str, **env: str) -> tuple[int, str, str]:
        return run_cli(*args, environ={**self.environ, **env}, root=self.root)

    def calls(self) -> list[str]:
        log = self.root / "terraform.log"
        calls = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return calls

    def record(self) -> dict[str, Any]:
        return json.loads((self.stack_dir / ".plan-review.json").read_text())


@pytest.fixture
def fake(tmp_path) -> Fake:
    return Fake(tmp_path / "project")


def test_plan_then_apply_exactly_that_plan(fake):
    (fake.root / "b.auto.tfvars").write_text("")
    (fake.root / "a.auto.tfvars.json").write_text("{}")
    (fake.root / "other.tfvars").write_text("")  # not a file the cdktf CLI passes
    status, out, err = fake.run("plan", "demo")
    assert status == 0, err
    root = fake.root
    var_files = f"-var-file={root}/terraform.tfvars -var-file={root}/b.auto.tfvars -var-file={root}/a.auto.tfvars.json"
    assert fake.calls() == [
        "init -input=false -no-color",
        f"plan -input=false -detailed-exitcode -out=plan-review.tfplan {var_files} -no-color",
        "show -json plan-review.tfplan -no-color",
    ]
    assert "PASSED" in out and "To apply exactly this plan: ./scripts/apply demo" in out
    # Terraform's warnings are shown as it printed them; its progress lines and plan are not.
    assert "Warning: Argument is deprecated\n\nUse something else." in err and "Refreshing state" not in out + err
    plan_file = fake.stack_dir / "plan-review.tfplan"
    assert stat.S_IMODE(plan_file.stat().st_mode) == 0o600
    record = fake.record()
    assert record["verdict"] == "passed" and record["stack"] == "demo" and record["destroy"] is False
    assert set(record["settings_sha256"]) == {"terraform.tfvars", "b.auto.tfvars", "a.auto.tfvars.json"}

    status, out, err = fake.run("apply", "demo")
    assert status == 0, err
    assert fake.calls() == ["apply -input=false plan-review.tfplan -no-color"]
    assert not plan_file.exists()  # applied once; it held the variables' values
    assert fake.record()["verdict"] == "applied"
    status, _, err = fake.run("apply", "demo")
    assert status == 3 and "was already applied" in err and fake.calls() == []


def test_init_runs_again_only_when_what_it_depends_on_changes(fake):
    assert fake.run("plan", "demo")[0] == 0
    assert fake.calls()[0].startswith("init")
    assert fake.run("plan", "demo")[0] == 0
    assert not fake.calls()[0].startswith("init")  # initialized for exactly this configuration
    (fake.root / "config.json").write_text('{"resource": {}, "terraform": {"backend": {"local": {"path": "x"}}}}')
    assert fake.run("plan", "demo")[0] == 0
    assert fake.calls()[0].startswith("init")


def test_a_folder_initialized_elsewhere_is_planned_at_once_and_initialized_when_terraform_asks(fake):
    fake.run("plan", "demo")  # the synth makes the folder; here, as after `cdktf deploy`:
    fake.calls()
    (fake.stack_dir / ".terraform" / "plan-review-init.sha256").unlink()
    (fake.stack_dir / ".terraform" / "fresh").unlink()
    assert fake.run("plan", "demo")[0] == 0
    assert [call.split()[0] for call in fake.calls()] == ["plan", "show"]  # no init
    (fake.stack_dir / ".terraform" / "plan-review-init.sha256").unlink()
    status, _, err = fake.run("plan", "demo", FAKE_NEEDS_INIT="1")
    assert status == 0, err
    assert [call.split()[0] for call in fake.calls()] == ["plan", "init", "plan", "show"]
    assert "terraform plan asks for terraform init: running it, then the plan again" in err
    assert "Inconsistent dependency lock file" not in err  # the first attempt's error is not shown


def test_no_changes_skips_show(fake):
    status, out, _ = fake.run("plan", "demo", FAKE_PLAN_EXIT="0")
    assert status == 0
    assert [call.split()[0] for call in fake.calls()] == ["init", "plan"]
    assert "Changes by module: none" in out


def test_a_refused_plan_is_never_applied(fake):
    fake.plan_json(NAMESPACE_CHANGE)
    status, _, _ = fake.run("plan", "demo", "--allow", AURORA)
    assert status == 3 and fake.record()["refused"] == [BUCKET, CLUSTER]
    fake.calls()
    status, _, err = fake.run("apply", "demo")
    assert status == 3
    assert err == f"error: the last plan of stack 'demo' was refused (it destroys or replaces {BUCKET}, {CLUSTER}); nothing was applied\n"
    assert fake.calls() == []


def test_apply_refuses_without_a_plan_and_names_unknown_stacks(fake):
    status, _, err = fake.run("apply", "demo")
    assert status == 3 and "no reviewed plan for stack 'demo': run ./scripts/plan demo first" in err
    assert fake.run("plan", "demo")[0] == 0
    status, _, err = fake.run("apply", "demox")
    assert status == 2 and "unknown stack 'demox': the app synthesizes demo" in err
    status, _, err = fake.run("plan", "demox")
    assert status == 2 and "unknown stack 'demox'" in err


@pytest.mark.parametrize("where", ["settings_file", "auto_tfvars", "deployments_folder", "deployments_env"])
def test_apply_refuses_when_the_settings_changed_since_the_plan(fake, tmp_path, where):
    deployments = tmp_path / "elsewhere"
    env = {"WANDB_DEPLOYMENTS": str(deployments)} if where == "deployments_env" else {}
    folder = deployments if where == "deployments_env" else fake.root / "deployments"
    if where.startswith("deployments"):
        folder.mkdir()
        (folder / "prod.tfvars").write_text('namespace = "prod"\n')
    assert fake.run("plan", "demo", **env)[0] == 0
    fake.calls()
    changed = {
        "settings_file": fake.root / "terraform.tfvars",
        "auto_tfvars": fake.root / "new.auto.tfvars",
        "deployments_folder": folder / "prod.tfvars",
        "deployments_env": folder / "staging.tfvars",
    }[where]
    changed.write_text('namespace = "changed"\n')
    status, _, err = fake.run("apply", "demo", **env)
    assert status == 3 and "the settings changed since the plan of stack 'demo'" in err and "nothing was applied" in err
    assert changed.name in err
    assert fake.calls() == []


def test_apply_refuses_when_the_synthesized_configuration_changed(fake):
    assert fake.run("plan", "demo")[0] == 0
    fake.calls()
    (fake.root / "config.json").write_text('{"resource": {"aws_s3_bucket": {}}}')
    status, _, err = fake.run("apply", "demo")
    assert status == 3 and "the synthesized configuration of stack 'demo' changed since its plan" in err
    assert fake.calls() == []


def apply_refused(fake: Fake) -> str:
    """`apply demo` after a plan: refused (exit 3) without a Terraform call; its message."""
    fake.calls()
    status, _, err = fake.run("apply", "demo")
    assert status == 3 and fake.calls() == [], err
    return err


def settings_changed(what: str) -> str:
    return f"error: the settings changed since the plan of stack 'demo' ({what}): run ./scripts/plan demo again; nothing was applied\n"


def test_apply_refuses_when_the_settings_were_edited_while_terraform_planned(fake):
    """The settings are fingerprinted before the synth reads them: an edit during the plan shows."""
    settings = fake.root / "terraform.tfvars"
    assert fake.run("plan", "demo", FAKE_EDIT_WHILE_PLANNING=str(settings))[0] == 0
    assert settings.read_text() == 'namespace = "edited"\n'
    assert apply_refused(fake) == settings_changed("terraform.tfvars changed")


def test_apply_refuses_when_a_var_file_was_removed_after_the_plan(fake):
    (fake.root / "extra.auto.tfvars").write_text('namespace = "extra"\n')
    assert fake.run("plan", "demo")[0] == 0
    fake.calls()
    (fake.root / "extra.auto.tfvars").unlink()
    assert apply_refused(fake) == settings_changed("extra.auto.tfvars is no longer read")


def test_a_failed_init_after_a_passing_plan_leaves_nothing_to_apply(fake):
    assert fake.run("plan", "demo")[0] == 0
    shutil.rmtree(fake.stack_dir / ".terraform")  # init runs again, and fails
    status, out, err = fake.run("plan", "demo", FAKE_INIT_EXIT="1")
    assert status == 1 and "Error: Failed to query available provider packages" in out
    assert err.endswith("error: terraform init failed in cdktf.out/stacks/demo (exit status 1; Terraform's message is above)\n")
    assert not (fake.stack_dir / ".plan-review.json").exists() and not (fake.stack_dir / "plan-review.tfplan").exists()
    fake.calls()
    status, _, err = fake.run("apply", "demo")
    assert status == 3 and "no reviewed plan for stack 'demo': run ./scripts/plan demo first" in err
    assert fake.calls() == []


def test_a_changed_lock_file_forces_init(fake):
    assert fake.run("plan", "demo")[0] == 0
    assert fake.run("plan", "demo")[0] == 0
    assert [call.split()[0] for call in fake.calls()] == ["init", "plan", "show", "plan", "show"]
    # As a synth does after `git pull` brought another locks/demo.terraform.lock.hcl:
    (fake.stack_dir / ".terraform.lock.hcl").write_text("another lock\n")
    assert fake.run("plan", "demo")[0] == 0
    assert [call.split()[0] for call in fake.calls()] == ["init", "plan", "show"]


RECORD_FIELDS = {"format", "stack", "verdict", "destroy", "allow", "refused", "planned_at", "plan_file", "plan_sha256",
                 "config_sha256", "settings_sha256"}  # fmt: skip


def test_the_records_fields_before_and_after_apply(fake):
    assert fake.run("plan", "demo", "--allow", "aws_nothing.here")[0] == 0
    record = fake.record()
    assert set(record) == RECORD_FIELDS
    assert (record["format"], record["plan_file"], record["allow"], record["refused"]) == (
        1,
        "plan-review.tfplan",
        ["aws_nothing.here"],
        [],
    )
    assert fake.run("apply", "demo")[0] == 0
    assert fake.record() == {**record, "verdict": "applied", "apply_exit_status": 0}


# A record this version did not write, as a change of the record written: None drops the field.
UNREADABLE_RECORDS = {
    "not_json": "{not json",
    "not_an_object": [],
    "other_format": {"format": 2},
    "no_plan_hash": {"plan_sha256": None},
    "allow_not_a_list": {"allow": "*"},
    "unknown_verdict": {"verdict": "approved"},
}


@pytest.mark.parametrize("change", UNREADABLE_RECORDS.values(), ids=UNREADABLE_RECORDS)
def test_the_record_reads_back_as_written_and_apply_refuses_one_it_cannot_read(fake, change):
    assert fake.run("plan", "demo")[0] == 0
    path = fake.stack_dir / ".plan-review.json"
    assert PlanRecord.from_json(path.read_text()).to_json() == path.read_text()
    if isinstance(change, dict):
        change = {k: v for k, v in {**fake.record(), **change}.items() if v is not None}
    path.write_text(change if isinstance(change, str) else json.dumps(change))
    assert (
        apply_refused(fake)
        == "error: the last reviewed plan of stack 'demo' cannot be read: run ./scripts/plan demo again; nothing was applied\n"
    )


def test_without_terraform_apply_fails_and_keeps_the_plan(fake):
    assert fake.run("plan", "demo")[0] == 0
    status, _, err = fake.run("apply", "demo", TERRAFORM_BINARY_NAME="no-such-terraform")
    assert status == 1 and "no-such-terraform not found on PATH" in err
    assert fake.record()["verdict"] == "passed" and (fake.stack_dir / "plan-review.tfplan").exists()
    assert fake.run("apply", "demo")[0] == 0


def test_apply_refuses_a_plan_file_that_is_not_the_reviewed_one(fake):
    assert fake.run("plan", "demo")[0] == 0
    (fake.stack_dir / "plan-review.tfplan").write_text("another plan")
    status, _, err = fake.run("apply", "demo")
    assert status == 3 and "is not the plan that was reviewed" in err


def test_terraform_failing_exits_1_with_its_message_and_leaves_no_plan(fake):
    assert fake.run("plan", "demo")[0] == 0
    status, _, err = fake.run("plan", "demo", "--destroy", FAKE_PLAN_EXIT="1")
    assert status == 1
    assert "-destroy" in fake.calls()[-1]
    assert "\nError: Instance cannot be destroyed\n\n  prevent_destroy is set\n" in err  # as Terraform printed it
    assert err.rstrip().endswith("nothing to review")
    assert not (fake.stack_dir / ".plan-review.json").exists() and not (fake.stack_dir / "plan-review.tfplan").exists()
    assert fake.run("apply", "demo")[0] == 3  # the earlier passing plan is gone too


def test_a_failing_synthesis_passes_settings_errors_through_as_2(fake, capfd):
    status, out, err = fake.run("plan", "demo", SYNTH_EXIT="2")
    assert (status, out, err) == (2, "", "")
    # The app's own line, as it printed it (straight to the terminal), and nothing added.
    assert capfd.readouterr().err == "error: terraform.tfvars: setting `namespace`: broken\n"
    status, _, err = fake.run("plan", "demo", SYNTH_EXIT="1")
    assert status == 1 and "synthesis failed (`./app.sh` exited with status 1" in err
    assert fake.calls() == []


def test_cdktf_outdir_is_honoured(fake, tmp_path):
    outdir = tmp_path / "out"
    assert fake.run("plan", "demo", CDKTF_OUTDIR=str(outdir))[0] == 0
    assert (outdir / "stacks" / "demo" / ".plan-review.json").exists()
    assert fake.run("apply", "demo", CDKTF_OUTDIR=str(outdir))[0] == 0


def test_the_verdict_and_the_summary_read_no_value():
    """With every value, sensitivity map and unknown marker removed, a plan judges and reads the same."""
    stripped = copy.deepcopy(NAMESPACE_CHANGE)
    for entry in stripped["resource_changes"]:
        entry["change"] = {"actions": entry["change"]["actions"], "replace_paths": entry["change"].get("replace_paths", [])}
    assert render(review(parse_plan(stripped)), "x") == render(review(parse_plan(NAMESPACE_CHANGE)), "x")
