"""The security rules (constructs_lib/rules): each rule against a construct that breaks it and one
that keeps it; suppressions; that cdktf itself runs the rules at synth and fails on an error; that
the findings reach the manifest as cdktf Annotations, the same on every run; that main.py stops
before writing anything on a rule error; how the rules read policies (policy_json, JSON, data
sources)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import pytest
from cdktf import App, Fn, TerraformHclModule, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
)
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole, IamRoleInlinePolicy
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
from helpers import GUIDE_SETTINGS, PROJECT_ROOT

from constructs_lib.policy_document import policy_json, recorded_document
from constructs_lib.rules import ALL_RULES, Level, apply_rules, run_rules, suppress
from constructs_lib.rules.base import StackView
from constructs_lib.rules.policies import is_literal_wildcard, policy_documents


def make_stack(outdir=None, stack_traces=False):
    app = App(outdir=str(outdir or tempfile.mkdtemp(prefix="rules-")), stack_traces=stack_traces)
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
    return policy_json({"Version": "2012-10-17", "Statement": statements})


# --- every rule has a test that breaks it --------------------------------------------------------


def test_every_rule_has_a_breaking_case_here():
    tested = {case[0] for case in BREAKING_CASES}
    assert tested == {rule.id for rule in ALL_RULES}


def _unencrypted_bucket(stack):
    bucket = S3Bucket(stack, "plain", bucket="plain-bucket")
    S3BucketPublicAccessBlock(
        stack,
        "plain_pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    return "test/plain"


def _bucket_without_public_access_block(stack):
    bucket = S3Bucket(stack, "open", bucket="open-bucket")
    S3BucketServerSideEncryptionConfigurationA(
        stack,
        "open_sse",
        bucket=bucket.id,
        rule=[
            S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                    sse_algorithm="AES256"
                )
            )
        ],
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


def _unreadable_policy(stack):
    # Fn.jsonencode without policy_json: the rules have no document to read, only HCL.
    document = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}]}
    IamPolicy(stack, "opaque", name="opaque", policy=Fn.jsonencode(document))
    return "test/opaque"


def _wildcard_resource_in_policy_document(stack):
    DataAwsIamPolicyDocument(stack, "doc", statement=[DataAwsIamPolicyDocumentStatement(actions=["s3:ListBucket"], resources=["*"])])
    return "test/doc"


def _public_principal(stack):
    queue = SqsQueue(stack, "q", name="q", sqs_managed_sse_enabled=True)
    SqsQueuePolicy(
        stack,
        "q_policy",
        queue_url=queue.url,
        policy=policy([{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": queue.arn}]),
    )
    return "test/q_policy"


def _secret_module_input(stack):
    TerraformHclModule(
        stack,
        "app",
        source="wandb/wandb/kubernetes",
        version="1.12.0",
        variables={"license": "eyJhbGciOiJSUzI1NiJ9.literal-license", "host": "https://wandb.example.com"},
    )
    return "test/app"


def _aws_key_in_module_input(stack):
    TerraformHclModule(
        stack,
        "app2",
        source="wandb/wandb/kubernetes",
        version="1.12.0",
        variables={"other_wandb_secrets": {"GORILLA_X": "AKIAIOSFODNN7EXAMPLE"}},
    )
    return "test/app2"


def _secret_in_provider(stack):
    AwsProvider(
        stack,
        "aws_literal",
        alias="literal",
        region="eu-central-1",
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    return "test"


def _wandb_module(stack, **inputs):
    base = {
        "namespace": "wandb",
        "domain_name": "example.com",
        "zone_id": "Z1",
        "eks_cluster_version": "1.29",
        "allowed_inbound_cidr": ["10.0.0.0/8"],
        "allowed_inbound_ipv6_cidr": [],
        "license": "${var.license}",
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
    ("IAM-NO-WILDCARD-RESOURCE", _unreadable_policy, ["aws_iam_policy.opaque", "cannot be read", "policy_json({...})"]),
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
        stack,
        "queue_policy",
        queue_url=queue.url,
        policy=policy(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue.arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": bucket.arn}},
                }
            ]
        ),
    )
    IamPolicy(
        stack,
        "node",
        name="node",
        policy=policy(
            [
                {"Effect": "Allow", "Action": "s3:*", "Resource": [bucket.arn, f"{bucket.arn}/*"]},
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ]
        ),
    )
    _wandb_module(stack)
    assert findings_of(app) == []


def test_kms_key_policy_may_name_resource_star():
    from cdktf_cdktf_provider_aws.kms_key import KmsKey

    app, stack = make_stack()
    KmsKey(
        stack,
        "key",
        policy=policy([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]),
    )
    assert findings_of(app, "IAM-NO-WILDCARD-RESOURCE") == []


def test_secret_references_are_fine():
    app, stack = make_stack()
    TerraformHclModule(
        stack,
        "app",
        source="wandb/wandb/kubernetes",
        version="1.12.0",
        variables={
            "license": "${var.license}",
            "bucket_kms_key_arn": "arn:aws:kms:eu-central-1:1:key/x",
            "database_connection_string": "mysql://${module.infra.database_connection_string}",
        },
    )
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
    _, stack = make_stack()
    with pytest.raises(ValueError, match="reason"):
        suppress(stack, "SQS-ENCRYPTED", reason)


def test_suppression_of_an_unknown_rule_is_refused():
    _, stack = make_stack()
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


def test_findings_reach_the_manifest_through_cdktf_annotations(tmp_path):
    # Without the app's context, each annotation carries the JavaScript stack trace that only
    # Annotations.of(...) records: the findings take cdktf's public path.
    app, stack = make_stack(tmp_path / "out", stack_traces=True)
    _deletion_protection_off(stack)
    apply_rules(app)
    app.synth()
    [annotation] = json.loads((tmp_path / "out" / "manifest.json").read_text())["stacks"]["test"]["annotations"]
    assert annotation["level"] == "@cdktf/warn"
    assert annotation["message"].startswith("[EXPOSURE-DELETION-PROTECTION-OFF] deletion_protection = false")
    assert any("annotations.js" in line for line in annotation["stacktrace"])


# Builds a stack with a rule error and a rule warning and synthesizes it (as `cdktf synth` does when
# the CLI continues on error annotations) into the folder given as the first argument. No provider
# bindings: they would take most of the run to load.
_SYNTH_WITH_FINDINGS = """
import sys
from cdktf import App, TerraformHclModule, TerraformStack
from constructs_lib.rules import apply_rules

app = App(outdir=sys.argv[1], stack_traces=False)
stack = TerraformStack(app, "test")
TerraformHclModule(stack, "app", source="wandb/wandb/kubernetes", version="1.12.0", variables={"license": "literal"})
TerraformHclModule(stack, "infra", source="wandb/wandb/aws", version="~> 7.0", variables={"deletion_protection": False})
apply_rules(app)
app.synth()
"""


def test_the_manifest_is_the_same_on_every_run(tmp_path):
    env = {
        **os.environ,
        "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    manifests = []
    for run in ("first", "second"):  # two processes: jsii unpacks cdktf into a new folder for each
        outdir = tmp_path / run
        subprocess.run(
            [sys.executable, "-c", _SYNTH_WITH_FINDINGS, str(outdir)], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
        )
        manifests.append((outdir / "manifest.json").read_bytes())
    assert manifests[0] == manifests[1]
    annotations = json.loads(manifests[0])["stacks"]["test"]["annotations"]
    assert [(a["constructPath"], a["level"], a["message"].split("]")[0] + "]") for a in annotations] == [
        ("test/app", "@cdktf/error", "[NO-SECRET-LITERALS]"),
        ("test/infra", "@cdktf/warn", "[EXPOSURE-DELETION-PROTECTION-OFF]"),
    ]
    assert all("stacktrace" not in a for a in annotations)


def test_main_stops_before_writing_anything_on_a_rule_error(tmp_path, capsys):
    """main.py builds into a staging folder and discards it when a rule fails: a first synth
    leaves no stacks and no manifest behind."""
    import main
    from output_folder import stage

    outdir = tmp_path / "out"
    staging = stage(outdir)
    app, stack = make_stack(staging.folder)
    _unencrypted_queue(stack)
    _deletion_protection_off(stack)
    apply_rules(app)
    assert main.rules_pass(app) is False
    staging.discard()
    err = capsys.readouterr().err
    assert "error: [SQS-ENCRYPTED] test/queue:" in err
    assert "warning: [EXPOSURE-DELETION-PROTECTION-OFF]" in err
    assert "Traceback" not in err
    assert list(outdir.iterdir()) == []


def test_main_leaves_an_existing_outdir_as_it_was(tmp_path, capsys):
    import main
    from output_folder import stage

    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "previous.txt").write_text("from an earlier synth")
    staging = stage(outdir)
    app, stack = make_stack(staging.folder)
    _unencrypted_queue(stack)
    apply_rules(app)
    assert main.rules_pass(app) is False
    staging.discard()
    assert sorted(p.name for p in outdir.iterdir()) == ["previous.txt"]


def test_rules_cost_little_on_the_real_app(tmp_path):
    from settings import parse_settings
    from stacks import build_app

    app = App(outdir=str(tmp_path / "out"), stack_traces=False)
    build_app(app, parse_settings(dict(GUIDE_SETTINGS), "test.tfvars"))
    start = time.perf_counter()
    found = run_rules(app)
    elapsed = time.perf_counter() - start
    assert [f for f in found if f.level is Level.ERROR] == []
    assert elapsed < 2.0, f"the rules took {elapsed:.2f} s"


# --- reading policies -----------------------------------------------------------------------------


def _view(stack):
    return StackView(stack.node.id, stack.to_terraform(), stack)


def _block(view, type_, name):
    return next(b for b in view.resources(type_) if b.name == name)


def test_policy_json_synthesizes_what_fn_jsonencode_does():
    _, stack = make_stack()
    bucket = good_bucket(stack)
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ("s3:GetObject",), "Resource": [bucket.arn, f"{bucket.arn}/*"]},
        ],
    }
    IamPolicy(stack, "helper", name="helper", policy=policy_json(document))
    IamPolicy(
        stack,
        "plain",
        name="plain",
        policy=Fn.jsonencode(
            {
                **document,
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [bucket.arn, f"{bucket.arn}/*"]},
                ],
            }
        ),
    )
    policies = stack.to_terraform()["resource"]["aws_iam_policy"]
    assert policies["helper"]["policy"] == policies["plain"]["policy"]
    assert policies["helper"]["policy"].startswith("${jsonencode({")


def test_the_rules_read_the_python_document_the_helper_recorded():
    app, stack = make_stack()
    bucket = good_bucket(stack)
    arn = bucket.arn  # a new token on every read of the attribute
    statements = [{"Effect": "Allow", "Action": "s3:*", "Resource": [arn, f"{arn}/*", "*"]}]
    node_policy = IamPolicy(stack, "node", name="node", policy=policy(statements))
    statements[0]["Resource"] = ["changed after the call"]  # the helper kept a copy

    recorded = recorded_document(node_policy.policy_input)
    view = _view(stack)
    [(attr, document, problem)] = list(policy_documents(view, _block(view, "aws_iam_policy", "node")))
    assert (attr, problem) == ("policy", None)
    assert document is recorded  # the Python dict itself, not a parse of the synthesized HCL
    resources = document["Statement"][0]["Resource"]
    assert resources[:2] == [arn, f"{arn}/*"]  # token strings
    assert [is_literal_wildcard(r) for r in resources] == [False, False, True]
    assert [f.message for f in findings_of(app, "IAM-NO-WILDCARD-RESOURCE")] == [
        'aws_iam_policy.node: an Allow statement grants s3:* on Resource "*"; name the buckets, queues, keys it is for'
    ]


def test_references_are_not_wildcards_even_next_to_literals():
    app, stack = make_stack()
    queue = SqsQueue(stack, "q", name="q", sqs_managed_sse_enabled=True)
    SqsQueuePolicy(
        stack,
        "q_policy",
        queue_url=queue.url,
        policy=policy(
            [
                {"Effect": "Allow", "Principal": {"AWS": [queue.arn]}, "Action": "sqs:SendMessage", "Resource": [queue.arn]},
            ]
        ),
    )
    assert findings_of(app) == []


def test_an_inline_policy_and_a_trust_policy_are_read_from_the_helper():
    app, stack = make_stack()
    IamRole(
        stack,
        "role",
        name="role",
        assume_role_policy=policy([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]),
        inline_policy=[IamRoleInlinePolicy(name="all", policy=policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]))],
    )
    found = findings_of(app)
    assert [f.message.split(":")[0] for f in found if f.rule_id == "IAM-NO-PUBLIC-PRINCIPAL"] == ["aws_iam_role.role"]
    assert [f.message.split(";")[0] for f in found if f.rule_id == "IAM-NO-WILDCARD-RESOURCE"] == [
        'aws_iam_role.role: an Allow statement grants s3:* on Resource "*"'
    ]


def test_json_policies_with_references_are_read():
    app, stack = make_stack()
    bucket = good_bucket(stack)
    document = {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": [bucket.arn, f"{bucket.arn}/*"]}]}
    IamPolicy(stack, "json", name="json", policy=json.dumps(document))
    assert findings_of(app) == []


def test_a_reference_to_a_policy_document_is_checked_through_the_data_source():
    app, stack = make_stack()
    doc = DataAwsIamPolicyDocument(stack, "doc", statement=[DataAwsIamPolicyDocumentStatement(actions=["s3:ListBucket"], resources=["*"])])
    IamPolicy(stack, "uses_doc", name="uses-doc", policy=doc.json)
    assert [f.path for f in findings_of(app, "IAM-NO-WILDCARD-RESOURCE")] == ["test/doc"]


def test_an_override_replaces_what_the_helper_recorded():
    app, stack = make_stack()
    bucket = good_bucket(stack)
    grant = [{"Effect": "Allow", "Action": "s3:*", "Resource": bucket.arn}]
    narrow = IamPolicy(stack, "narrow", name="narrow", policy=policy(grant))
    narrow.add_override("policy", json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    opaque = IamPolicy(stack, "opaque", name="opaque", policy=policy(grant))
    opaque.add_override("policy", Fn.jsonencode({"Statement": []}))
    found = {f.path: f.message for f in findings_of(app, "IAM-NO-WILDCARD-RESOURCE")}
    assert 'Resource "*"' in found["test/narrow"]  # the JSON Terraform gets, not the recorded document
    assert "cannot be read" in found["test/opaque"] and "an override?" in found["test/opaque"]


def test_policy_json_takes_a_document():
    with pytest.raises(TypeError, match="dict"):
        policy_json([{"Effect": "Allow"}])


def test_the_security_docs_rules_table_is_the_rules_own():
    """docs/security.md's table of rules is generated from ALL_RULES (id, level, description)."""
    from constructs_lib.rules import ALL_RULES, rules_markdown

    docs = (PROJECT_ROOT / "docs" / "security.md").read_text()
    assert rules_markdown() in docs
    assert len(rules_markdown().splitlines()) == len(ALL_RULES) + 2
