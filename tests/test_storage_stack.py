"""Stack `wandb-storage`: the synthesized JSON (snapshot), what each resource says, and the
settings that configure it (good and bad)."""

from __future__ import annotations

import json

import pytest
from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, run_main, synth_app, write_settings

STACK = "wandb-storage"

CUSTOM = {
    **GUIDE_SETTINGS,
    "region": "us-west-2",
    "default_tags": {"Team": "ml-platform"},
    "storage_bucket_name": "acme-wandb-files",
    "storage_queue_name": "acme-wandb-file-events",
    "storage_cors_origins": ["https://wandb.acme.dev", "http://localhost:8080"],
    "storage_node_role_name": "acme-eks-node-role",
    "storage_noncurrent_version_days": 7,
    "storage_force_destroy": True,
}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, dict]:
    """Both settings files synthesized once for the module: {"guide": stacks, "custom": stacks}."""
    return {
        "guide": synth_app(GUIDE_SETTINGS, tmp_path_factory.mktemp("guide")),
        "custom": synth_app(CUSTOM, tmp_path_factory.mktemp("custom")),
    }


@pytest.fixture(scope="module")
def stack(synthesized) -> dict:
    return synthesized["guide"][STACK]


@pytest.fixture(scope="module")
def custom(synthesized) -> dict:
    return synthesized["custom"][STACK]


def only(stack: dict, resource_type: str) -> dict:
    found = stack["resource"][resource_type]
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def address(stack: dict, resource_type: str) -> str:
    (name,) = stack["resource"][resource_type]
    return f"{resource_type}.{name}"


# --- snapshots ---------------------------------------------------------------------------------


def test_snapshot_guide_settings(stack, json_snapshot):
    assert stack == json_snapshot


def test_snapshot_custom_settings(custom, json_snapshot):
    assert custom == json_snapshot


def test_synthesized_with_the_other_stacks(synthesized):
    assert set(synthesized["guide"]) >= {"wandb", STACK}


def test_license_never_in_output(synthesized):
    for stacks in synthesized.values():
        assert SENTINEL_LICENSE not in json.dumps(stacks)


# --- the terraform block and the provider --------------------------------------------------------


def test_provider_constraint_admits_the_mirror_and_6x(stack):
    constraint = stack["terraform"]["required_providers"]["aws"]["version"]
    assert satisfies("5.100.0", constraint)
    assert satisfies("6.25.0", constraint)  # the bindings' own release
    assert not satisfies("4.67.0", constraint)
    assert not satisfies("7.0.0", constraint)
    assert set(stack["terraform"]["required_providers"]) == {"aws"}


def test_local_state_beside_the_project(stack):
    assert stack["terraform"]["backend"] == {"local": {"path": "../../../terraform.wandb-storage.tfstate"}}


def test_remote_state_key_beside_wandb(tmp_path):
    stacks = synth_app({**GUIDE_SETTINGS, "state_bucket": "acme-tf-state"}, tmp_path)
    backend = stacks[STACK]["terraform"]["backend"]["s3"]
    assert backend["key"] == "wandb/wandb-storage.tfstate"
    assert backend["encrypt"] is True


def test_provider_region_and_tags(stack, custom):
    (provider,) = stack["provider"]["aws"]
    assert provider["region"] == "eu-central-1"
    assert provider["default_tags"] == [{"tags": {"Application": "wandb", "ManagedBy": "cdktf"}}]
    (provider,) = custom["provider"]["aws"]
    assert provider["region"] == "us-west-2"
    assert provider["default_tags"][0]["tags"]["Team"] == "ml-platform"


def test_the_provider_holds_only_region_and_tags(stack):
    """Nothing in the product points the provider anywhere else (the e2e test uses AWS_ENDPOINT_URL)."""
    (provider,) = stack["provider"]["aws"]
    assert set(provider) == {"region", "default_tags"}


# --- the bucket ----------------------------------------------------------------------------------


def test_bucket_name_defaults_to_namespace_and_account(stack, custom):
    assert only(stack, "aws_s3_bucket")["bucket"] == "wandb-wandb-files-${data.aws_caller_identity.account.account_id}"
    assert only(custom, "aws_s3_bucket")["bucket"] == "acme-wandb-files"


def test_bucket_kept_on_destroy_by_default(stack, custom):
    bucket = only(stack, "aws_s3_bucket")
    assert bucket["force_destroy"] is False
    assert bucket["lifecycle"] == {"prevent_destroy": True}
    bucket = only(custom, "aws_s3_bucket")  # storage_force_destroy = true
    assert bucket["force_destroy"] is True
    assert "lifecycle" not in bucket


def test_bucket_safe_by_default(stack):
    bucket = address(stack, "aws_s3_bucket")
    block = only(stack, "aws_s3_bucket_public_access_block")
    for setting in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert block[setting] is True, setting
    assert only(stack, "aws_s3_bucket_ownership_controls")["rule"] == {"object_ownership": "BucketOwnerEnforced"}
    (rule,) = only(stack, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "aws:kms"}
    assert only(stack, "aws_s3_bucket_versioning")["versioning_configuration"] == {"status": "Enabled"}
    for resource_type in (
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_cors_configuration",
        "aws_s3_bucket_notification",
    ):
        assert only(stack, resource_type)["bucket"] == f"${{{bucket}.id}}", resource_type


def test_tls_only_bucket_policy(stack):
    policy = only(stack, "aws_s3_bucket_policy")["policy"]
    bucket = address(stack, "aws_s3_bucket")
    assert '"Effect" = "Deny"' in policy and '"Principal" = "*"' in policy
    assert '{"Bool" = {"aws:SecureTransport" = "false"}}' in policy
    assert f'"Resource" = [{bucket}.arn, "${{{bucket}.arn}}/*"]' in policy


def test_lifecycle_rule(stack, custom):
    (rule,) = only(stack, "aws_s3_bucket_lifecycle_configuration")["rule"]
    assert rule["status"] == "Enabled"
    assert rule["filter"] == [{"prefix": ""}]  # every object
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 30}]
    (rule,) = only(custom, "aws_s3_bucket_lifecycle_configuration")["rule"]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 7}]


def test_cors_from_the_server_origin(stack, custom):
    (rule,) = only(stack, "aws_s3_bucket_cors_configuration")["cors_rule"]
    assert rule == {"allowed_origins": ["https://wandb-aws.wandb.ml"], "allowed_methods": ["GET", "PUT"], "allowed_headers": ["*"]}
    (rule,) = only(custom, "aws_s3_bucket_cors_configuration")["cors_rule"]
    assert rule["allowed_origins"] == ["https://wandb.acme.dev", "http://localhost:8080"]


# --- the queue and the notification ---------------------------------------------------------------


def test_encrypted_standard_queue(stack, custom):
    queue = only(stack, "aws_sqs_queue")
    assert queue["name"] == "wandb-wandb-file-events"
    assert queue["sqs_managed_sse_enabled"] is True
    assert "fifo_queue" not in queue
    assert only(custom, "aws_sqs_queue")["name"] == "acme-wandb-file-events"


def test_queue_policy_s3_on_behalf_of_this_bucket_only(stack):
    policy = only(stack, "aws_sqs_queue_policy")
    bucket, queue = address(stack, "aws_s3_bucket"), address(stack, "aws_sqs_queue")
    assert policy["queue_url"] == f"${{{queue}.url}}"
    text = policy["policy"]
    assert '"Principal" = {"Service" = "s3.amazonaws.com"}' in text
    assert '"Principal" = "*"' not in text
    assert '"Action" = "sqs:SendMessage"' in text
    assert f'"Resource" = {queue}.arn' in text
    assert f'"ArnEquals" = {{"aws:SourceArn" = {bucket}.arn}}' in text
    assert '"StringEquals" = {"aws:SourceAccount" = data.aws_caller_identity.account.account_id}' in text


def test_notification_all_object_created_events_after_queue_policy(stack):
    notification = only(stack, "aws_s3_bucket_notification")
    assert notification["queue"] == [{"events": ["s3:ObjectCreated:*"], "queue_arn": f"${{{address(stack, 'aws_sqs_queue')}.arn}}"}]
    assert notification["depends_on"] == [address(stack, "aws_sqs_queue_policy")]


# --- the node policy ------------------------------------------------------------------------------


def test_node_policy_bucket_objects_and_queue(stack):
    policy = only(stack, "aws_iam_policy")
    bucket, queue = address(stack, "aws_s3_bucket"), address(stack, "aws_sqs_queue")
    assert policy["name"] == "wandb-wandb-file-storage"
    text = policy["policy"]
    # Both the bucket and its objects (the guide's policy names only the bucket).
    assert f'"Action" = "s3:*", "Resource" = [{bucket}.arn, "${{{bucket}.arn}}/*"]' in text
    actions = '["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]'
    assert f'"Action" = {actions}, "Resource" = {queue}.arn' in text
    assert "sqs:*" not in text


def test_node_role_attachment_only_when_named(stack, custom):
    assert "aws_iam_role_policy_attachment" not in stack["resource"]
    attachment = only(custom, "aws_iam_role_policy_attachment")
    assert attachment["role"] == "acme-eks-node-role"
    assert attachment["policy_arn"] == f"${{{address(custom, 'aws_iam_policy')}.arn}}"


# --- outputs --------------------------------------------------------------------------------------


def test_outputs_are_what_the_system_settings_page_asks_for(stack):
    bucket, queue = address(stack, "aws_s3_bucket"), address(stack, "aws_sqs_queue")
    outputs = {name: spec["value"] for name, spec in stack["output"].items()}
    assert outputs == {
        "file_storage_bucket": f"s3://${{{bucket}.bucket}}",
        "file_storage_region": f"${{{bucket}.region}}",
        "notification_subscription": f"sqs://${{{queue}.name}}",
        "node_policy_arn": f"${{{address(stack, 'aws_iam_policy')}.arn}}",
    }


# --- settings ------------------------------------------------------------------------------------

BAD_SETTINGS = [
    ("storage_bucket_name", "Wandb_Files", "not a valid S3 bucket name"),
    ("storage_bucket_name", "wandb.files.acme", "contains dots"),
    ("storage_bucket_name", "192.168.1.10", "IP address"),
    ("storage_cors_origins", ["wandb.acme.dev"], 'add the scheme: "https://wandb.acme.dev"'),
    ("storage_cors_origins", ["https://wandb.acme.dev/"], 'remove the path or trailing slash: "https://wandb.acme.dev"'),
    ("storage_cors_origins", ["*"], "lets every web site"),
    ("storage_cors_origins", [], "at least one origin"),
    ("storage_cors_origins", "https://wandb.acme.dev", "expected a list"),
    ("storage_queue_name", "events.fifo", "FIFO queue"),
    ("storage_queue_name", "wandb events", "not an SQS queue name"),
    ("storage_node_role_name", "arn:aws:iam::123456789012:role/node", "is an ARN"),
    ("storage_noncurrent_version_days", 0, "whole number of days"),
    ("storage_force_destroy", "true", "expected a bool"),
]


@pytest.mark.parametrize("name, value, message", BAD_SETTINGS, ids=[f"{n}={v!r}" for n, v, _ in BAD_SETTINGS])
def test_bad_storage_settings_fail_clearly(tmp_path, name, value, message):
    settings_file = write_settings(tmp_path, {**GUIDE_SETTINGS, name: value})
    outdir = tmp_path / "out"
    result = run_main(settings_file, outdir)
    assert result.returncode == 2, result.stderr
    assert f"{settings_file}: setting `{name}`: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert SENTINEL_LICENSE not in result.stderr + result.stdout
    assert not outdir.exists()


def test_storage_settings_parsed():
    from settings import parse_settings

    storage = parse_settings(CUSTOM, "test.tfvars").storage
    assert storage.bucket_name == "acme-wandb-files"
    assert storage.cors_origins == ("https://wandb.acme.dev", "http://localhost:8080")
    assert storage.noncurrent_version_days == 7 and storage.force_destroy is True
    defaults = parse_settings({**GUIDE_SETTINGS, "subdomain": None}, "test.tfvars").storage
    assert defaults.cors_origins == ("https://wandb.ml",)
    assert defaults.bucket_name is None and defaults.node_role_name is None and defaults.force_destroy is False


# --- helpers --------------------------------------------------------------------------------------


def satisfies(version: str, constraint: str) -> bool:
    """Terraform's `>=`/`<`/`<=`/`>`/`=` constraints, comma-joined (enough for this stack)."""
    import operator

    ops = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq}
    have = tuple(int(p) for p in version.split("."))
    for part in constraint.split(","):
        op, _, want = part.strip().partition(" ")
        want_t = tuple(int(p) for p in want.split("."))
        if not ops[op](have, want_t + (0,) * (3 - len(want_t))):
            return False
    return True


def test_satisfies_helper():
    assert satisfies("1.2.3", ">= 1.2, < 2.0") and not satisfies("2.0.0", ">= 1.2, < 2.0")


def test_the_settings_files_keys_are_declared_and_the_license_stays_sensitive(stack):
    """The cdktf CLI passes terraform.tfvars to every stack as a var file: each key is declared
    (no "undeclared variable" warnings), and the license's variable is sensitive here too."""
    assert set(GUIDE_SETTINGS) <= set(stack["variable"])
    assert stack["variable"]["license"]["sensitive"] is True
    assert "locals" not in stack  # this stack reads nothing from the file at deploy time
