"""The security rules (constructs_lib/rules): each rule against a construct that breaks it and one
that keeps it; suppressions; that cdktf itself runs the rules at synth and fails on an error; that
main.py stops before writing anything on a rule error."""

from __future__ import annotations

import io
import json
import tempfile
import time

import pytest
from cdktf import App, Fn, TerraformHclModule, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
)
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from cdktf_cdktf_provider_aws.sqs_queue_policy import SqsQueuePolicy

from constructs_lib.rules import ALL_RULES, Level, apply_rules, run_rules, suppress
from constructs_lib.rules.policy_documents import Expr, parse_policy
from helpers import GUIDE_SETTINGS


def make_stack(outdir=None):
    app = App(outdir=str(outdir or tempfile.mkdtemp(prefix="rules-")))
    stack = TerraformStack(app, "test")
    AwsProvider(stack, "aws", region="eu-central-1")
    return app, stack


def findings_of(app, rule_id=None):
    apply_rules(app)
    found = run_rules(app)
    return [f for f in found if rule_id is None or f.rule_id == rule_id]


def good_bucket(stack, id="good"):
    bucket = S3Bucket(stack, id, bucket=f"{id}-bucket")
    S3BucketServerSideEncryptionConfigurationA(
        stack,
        f"{id}_sse",
        bucket=bucket.id,
        rule=[
            S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                    sse_algorithm="aws:kms"
                )
            )
        ],
    )
    S3BucketPublicAccessBlock(
        stack,
        f"{id}_pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    return bucket


def policy(statements):
    return Fn.jsonencode({"Version": "2012-10-17", "Statement": statements})


# --- every rule has a test that breaks it --------------------------------------------------------


def test_every_rule_has_a_breaking_case_here():
    tested = {case[0] for case in BREAKING_CASES}
    assert tested == {rule.id for rule in ALL_RULES}


def _unencrypted_bucket(stack):
    bucket = S3Bucket(stack, "plain", bucket="plain-bucket")
    S3BucketPublicAccessBlock(
        stack, "plain_pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
        ignore_public_acls=True, restrict_public_buckets=True,
    )
    return "test/plain"


def _bucket_without_public_access_block(stack):
    bucket = S3Bucket(stack, "open", bucket="open-bucket")
    S3BucketServerSideEncryptionConfigurationA(
        stack, "open_sse", bucket=bucket.id,
        rule=[S3BucketServerSideEncryptionConfigurationRuleA(
            apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(sse_algorithm="AES256"))],
    )
    return "test/open"


def _half_public_access_block(stack):
    bucket = good_bucket(stack, "half")
    S3BucketPublicAccessBlock(stack, "half_pab2", bucket=bucket.id, block_public_acls=True, block_public_policy=False)
    return "test/half_pab2"


def _unencrypted_queue(stack):
    SqsQueue(stack, "queue", name="events")
    return "test/queue"


def _wildcard_resource_policy(stack):
    IamPolicy(stack, "admin", name="admin", policy=policy([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]))
    return "test/admin"


def _wildcard_resource_in_json_policy(stack):
    document = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["sqs:*"], "Resource": ["*"]}}
    IamPolicy(stack, "json_admin", name="json-admin", policy=json.dumps(document))
    return "test/json_admin"


def _wildcard_resource_in_policy_document(stack):
    DataAwsIamPolicyDocument(
        stack, "doc", statement=[DataAwsIamPolicyDocumentStatement(actions=["s3:ListBucket"], resources=["*"])]
    )
    return "test/doc"


def _public_principal(stack):
    queue = SqsQueue(stack, "q", name="q", sqs_managed_sse_enabled=True)
    SqsQueuePolicy(
        stack, "q_policy", queue_url=queue.url,
        policy=policy([{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": queue.arn}]),
    )
    return "test/q_policy"


def _secret_module_input(stack):
    TerraformHclModule(
        stack, "app", source="wandb/wandb/kubernetes", version="1.12.0",
        variables={"license": "eyJhbGciOiJSUzI1NiJ9.literal-license", "host": "https://wandb.example.com"},
    )
    return "test/app"


def _aws_key_in_module_input(stack):
    TerraformHclModule(
        stack, "app2", source="wandb/wandb/kubernetes", version="1.12.0",
        variables={"other_wandb_secrets": {"GORILLA_X": "AKIAIOSFODNN7EXAMPLE"}},
    )
    return "test/app2"


def _secret_in_provider(stack):
    AwsProvider(stack, "aws_literal", alias="literal", region="eu-central-1", access_key="AKIAIOSFODNN7EXAMPLE",
                secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    return "test"


def _wandb_module(stack, **inputs):
    base = {
        "namespace": "wandb", "domain_name": "example.com", "zone_id": "Z1", "eks_cluster_version": "1.29",
        "allowed_inbound_cidr": ["10.0.0.0/8"], "allowed_inbound_ipv6_cidr": [], "license": "${var.license}",
    }
    module = TerraformHclModule(stack, "infra", source="wandb/wandb/aws", version="~> 7.0", variables={**base, **inputs})
    return module


def _open_ingress_v4(stack):
    _wandb_module(stack, allowed_inbound_cidr=["10.0.0.0/8", "0.0.0.0/0"])
    return "test/infra"


def _open_ingress_v6(stack):
    _wandb_module(stack, allowed_inbound_ipv6_cidr=["::/0"])
    return "test/infra"


def _public_kubernetes_api(stack):
    _wandb_module(stack, kubernetes_public_access=True, kubernetes_public_access_cidrs=["203.0.113.0/24"])
    return "test/infra"


def _deletion_protection_off(stack):
    _wandb_module(stack, deletion_protection=False)
    return "test/infra"


# (rule id, builder returning the construct path the finding must be on, words of the message)
BREAKING_CASES = [
    ("S3-ENCRYPTED", _unencrypted_bucket, ["aws_s3_bucket.plain", "server-side encryption"]),
    ("S3-PUBLIC-ACCESS-BLOCKED", _bucket_without_public_access_block, ["aws_s3_bucket.open", "no aws_s3_bucket_public_access_block"]),
    ("S3-PUBLIC-ACCESS-BLOCKED", _half_public_access_block, ["block_public_policy", "ignore_public_acls", "restrict_public_buckets"]),
    ("SQS-ENCRYPTED", _unencrypted_queue, ["aws_sqs_queue.queue", "sqs_managed_sse_enabled"]),
    ("IAM-NO-WILDCARD-RESOURCE", _wildcard_resource_policy, ["aws_iam_policy.admin", 'Resource "*"']),
    ("IAM-NO-WILDCARD-RESOURCE", _wildcard_resource_in_json_policy, ["aws_iam_policy.json_admin", 'Resource "*"']),
    ("IAM-NO-WILDCARD-RESOURCE", _wildcard_resource_in_policy_document, ["data.aws_iam_policy_document.doc"]),
    ("IAM-NO-PUBLIC-PRINCIPAL", _public_principal, ["aws_sqs_queue_policy.q_policy", 'Principal "*"']),
    ("NO-SECRET-LITERALS", _secret_module_input, ["`license`", "module.app", "literal value for a secret"]),
    ("NO-SECRET-LITERALS", _aws_key_in_module_input, ["other_wandb_secrets.GORILLA_X", "AWS access key id"]),
    ("NO-SECRET-LITERALS", _secret_in_provider, ["provider aws", "access_key"]),
    ("EXPOSURE-OPEN-INGRESS", _open_ingress_v4, ["allowed_inbound_cidr contains 0.0.0.0/0", "whole internet"]),
    ("EXPOSURE-OPEN-INGRESS", _open_ingress_v6, ["allowed_inbound_ipv6_cidr contains ::/0"]),
    ("EXPOSURE-PUBLIC-KUBERNETES-API", _public_kubernetes_api, ["kubernetes_public_access = true"]),
    ("EXPOSURE-DELETION-PROTECTION-OFF", _deletion_protection_off, ["deletion_protection = false"]),
]


@pytest.mark.parametrize("rule_id, build, words", BREAKING_CASES, ids=[f"{c[0]}-{c[1].__name__.strip('_')}" for c in BREAKING_CASES])
def test_rule_reports_the_construct_that_breaks_it(rule_id, build, words):
    app, stack = make_stack()
    path = build(stack)
    found = findings_of(app, rule_id)
    assert found, f"{rule_id} reported nothing"
    on_path = [f for f in found if f.path == path]
    assert on_path, f"{rule_id} findings are on {[f.path for f in found]}, not {path}"
    message = " ".join(f.message for f in on_path)
    for word in words:
        assert word in message
    rule = next(r for r in ALL_RULES if r.id == rule_id)
    assert all(f.level is rule.level for f in found)
    # ... and the finding is a cdktf Annotation on that construct, at the rule's level.
    node = stack.node.find_child(path.split("/", 1)[1]) if "/" in path else stack
    kinds = {"error": "@cdktf/error", "warning": "@cdktf/warn"}
    assert any(e.type == kinds[rule.level.value] and rule_id in str(e.data) for e in node.node.metadata)


def test_safe_constructs_raise_nothing():
    app, stack = make_stack()
    bucket = good_bucket(stack)
    queue = SqsQueue(stack, "queue", name="events", sqs_managed_sse_enabled=True)
    SqsQueuePolicy(
        stack, "queue_policy", queue_url=queue.url,
        policy=policy([{
            "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue.arn, "Condition": {"ArnEquals": {"aws:SourceArn": bucket.arn}},
        }]),
    )
    IamPolicy(stack, "node", name="node", policy=policy([
        {"Effect": "Allow", "Action": "s3:*", "Resource": [bucket.arn, f"{bucket.arn}/*"]},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]))
    _wandb_module(stack)
    assert findings_of(app) == []


def test_kms_key_policy_may_name_resource_star():
    from cdktf_cdktf_provider_aws.kms_key import KmsKey

    app, stack = make_stack()
    KmsKey(stack, "key", policy=policy([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]))
    assert findings_of(app, "IAM-NO-WILDCARD-RESOURCE") == []


def test_secret_references_are_fine():
    app, stack = make_stack()
    TerraformHclModule(stack, "app", source="wandb/wandb/kubernetes", version="1.12.0",
                       variables={"license": "${var.license}", "bucket_kms_key_arn": "arn:aws:kms:eu-central-1:1:key/x",
                                  "database_connection_string": "mysql://${module.infra.database_connection_string}"})
    assert findings_of(app, "NO-SECRET-LITERALS") == []


# --- suppressions ---------------------------------------------------------------------------------


def test_suppression_with_a_reason_silences_the_construct_and_keeps_the_reason():
    app, stack = make_stack()
    _unencrypted_queue(stack)
    reason = "This queue only ever carries public test fixtures in the example."
    suppress(stack.node.find_child("queue"), "SQS-ENCRYPTED", reason)
    found = findings_of(app, "SQS-ENCRYPTED")
    assert [f.suppressed for f in found] == [reason]
    queue = stack.node.find_child("queue")
    assert not any(e.type in ("@cdktf/error", "@cdktf/warn") for e in queue.node.metadata)


def test_suppression_on_a_parent_covers_its_children():
    from constructs import Construct

    app, stack = make_stack()
    group = Construct(stack, "group")
    SqsQueue(group, "queue", name="events")
    suppress(group, "SQS-ENCRYPTED", "Covered by the account's default SQS encryption policy.")
    assert [f.suppressed is not None for f in findings_of(app, "SQS-ENCRYPTED")] == [True]


@pytest.mark.parametrize("reason", ["", "   ", "because", None])
def test_suppression_needs_a_real_reason(reason):
    app, stack = make_stack()
    with pytest.raises(ValueError, match="reason"):
        suppress(stack, "SQS-ENCRYPTED", reason)


def test_suppression_of_an_unknown_rule_is_refused():
    app, stack = make_stack()
    with pytest.raises(ValueError, match="unknown rule id"):
        suppress(stack, "SQS-ENCRYPTD", "A reason long enough to be accepted here.")


# --- at synth --------------------------------------------------------------------------------------


def test_cdktf_runs_the_rules_at_synth_and_fails_on_an_error(tmp_path):
    app, stack = make_stack(tmp_path / "out")
    _unencrypted_queue(stack)
    apply_rules(app)
    with pytest.raises(Exception, match="SQS-ENCRYPTED"):
        app.synth()


def test_warnings_reach_the_manifest_once(tmp_path):
    app, stack = make_stack(tmp_path / "out")
    _deletion_protection_off(stack)
    apply_rules(app)
    run_rules(app)  # what main.py does first; cdktf's own pass must not add them again
    app.synth()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    messages = [a["message"] for a in manifest["stacks"]["test"]["annotations"]]
    assert len([m for m in messages if "EXPOSURE-DELETION-PROTECTION-OFF" in m]) == 1


def test_main_stops_before_writing_anything_on_a_rule_error(tmp_path, capsys):
    import main

    outdir = tmp_path / "out"
    app, stack = make_stack(outdir)
    _unencrypted_queue(stack)
    _deletion_protection_off(stack)
    apply_rules(app)
    assert outdir.is_dir()  # App() makes it
    assert main.rules_pass(app, [str(outdir / "stacks"), str(outdir)]) is False
    err = capsys.readouterr().err
    assert "error: [SQS-ENCRYPTED] test/queue:" in err
    assert "warning: [EXPOSURE-DELETION-PROTECTION-OFF]" in err
    assert "Traceback" not in err
    assert not outdir.exists()


def test_main_leaves_an_existing_outdir_as_it_was(tmp_path, capsys):
    import main

    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "previous.txt").write_text("from an earlier synth")
    app, stack = make_stack(outdir)
    _unencrypted_queue(stack)
    apply_rules(app)
    assert main.rules_pass(app, [str(outdir / "stacks")]) is False
    assert sorted(p.name for p in outdir.iterdir()) == ["previous.txt"]


def test_rules_cost_little_on_the_real_app(tmp_path):
    from settings import parse_settings
    from stacks import build_app

    app = App(outdir=str(tmp_path / "out"))
    build_app(app, parse_settings(dict(GUIDE_SETTINGS), "test.tfvars"))
    start = time.perf_counter()
    found = run_rules(app)
    elapsed = time.perf_counter() - start
    assert [f for f in found if f.level is Level.ERROR] == []
    assert elapsed < 2.0, f"the rules took {elapsed:.2f} s"


# --- reading policies -----------------------------------------------------------------------------


def test_policy_reader_understands_cdktf_jsonencode():
    text = (
        '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = ["s3:*"], '
        '"Resource" = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"], "Condition" = {"Bool" = {"x" = true}}}]})}'
    )
    document = parse_policy(text)
    statement = document["Statement"][0]
    assert statement["Action"] == ["s3:*"]
    assert statement["Resource"][0] == Expr("aws_s3_bucket.b.arn")
    assert statement["Resource"][1] == "${aws_s3_bucket.b.arn}/*"
    assert statement["Condition"] == {"Bool": {"x": True}}
    assert parse_policy("${data.aws_iam_policy_document.d.json}") is None
