"""End to end: `wandb-storage` deployed with ./scripts/plan and ./scripts/apply (README "Reviewed
plans") against a local AWS emulator (a moto server over plain HTTP on a free loopback port), then
boto3 checks of what was deployed, the W&B file flow (an object written to the bucket produces an
ObjectCreated message on the queue), reviewed plans of changes, a second plan with no changes, a
destroy that keeps stored files, and the documented teardown of a test bucket (docs/storage.md).

The product knows nothing about the emulator: the aws provider reaches it through its standard
configuration only, the environment of the cdktf / terraform subprocesses (`AWS_ENDPOINT_URL`, dummy
credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, `AWS_EC2_METADATA_DISABLED`). S3 uses
path-style URLs without any setting: the endpoint's host is an IP address, and the S3 endpoint
rules every AWS SDK shares (the provider's Go SDK v2, boto3) never put a bucket name in front of an
IP address (`bucket.127.0.0.1` would not resolve).

Reviewed plans, as issue 11 asks: the first plan passes, listing the creates, and apply deploys the
stack (the module fixture); a queue rename is refused and apply then changes nothing (the real plan,
judged again from its `terraform show -json`, passes with --allow for the queue); a CORS-only change
passes and apply applies it; a plan with no changes passes; apply refuses what was not reviewed and
applies exactly a reviewed plan. (Each ./scripts/plan costs a synth, a plan and, with changes,
`terraform show -json`, about 10 s here: tests/test_plan_review.py covers the rest with stand-ins.)

The project is deployed from a temporary copy, so no state or cdktf.out lands in the repository.
Every subprocess gets an environment in which only loopback is reachable (tests/terraform_cli.py).
The tests run in file order: the last ones destroy what the module fixture deployed.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from helpers import GUIDE_SETTINGS, PROJECT_ROOT, SENTINEL_LICENSE, copy_project, write_settings
from terraform_cli import missing_tools, offline_env, skip_or_fail, write_cli_config

CDKTF = PROJECT_ROOT / "node_modules" / ".bin" / "cdktf"
MOTO_SERVER = Path(sys.executable).with_name("moto_server")
STACK = "wandb-storage"
REGION = "eu-central-1"
ACCOUNT = "123456789012"  # moto's default account
NODE_ROLE = "e2e-wandb-node"

SETTINGS = {
    **GUIDE_SETTINGS,  # includes the sentinel license: it must not reach state, outputs or logs
    "namespace": "e2e",
    "subdomain": "wandb",
    "domain_name": "e2e.example.com",
    "region": REGION,
    "storage_node_role_name": NODE_ROLE,
}
BUCKET = f"e2e-wandb-files-{ACCOUNT}"  # the default: <namespace>-wandb-files-<account id>
QUEUE = "e2e-wandb-file-events"
ORIGIN = "https://wandb.e2e.example.com"


def _skip_reason() -> str | None:
    if not CDKTF.exists():
        return f"cdktf CLI not installed at {CDKTF}: run `npm ci` (package-lock.json) in {PROJECT_ROOT}"
    if not MOTO_SERVER.exists():
        return f"moto server not installed at {MOTO_SERVER}: install the dev packages (`pipenv sync --dev`, moto[server])"
    return missing_tools()


@pytest.fixture(scope="module", autouse=True)
def tools():
    skip_or_fail(_skip_reason())


# --- the emulator ---------------------------------------------------------------------------------


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode} before listening on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not listen on 127.0.0.1:{port} within {timeout} s")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """A moto server on a free loopback port, for this module; always stopped afterwards."""
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    process = None
    try:
        for _attempt in range(3):  # another process may take the port between pick and bind
            port = _free_loopback_port()
            process = subprocess.Popen(
                [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=offline_env(Path(os.devnull)),
                start_new_session=True,
            )
            try:
                _wait_until_listening(port, process)
                break
            except RuntimeError:
                _stop(process)
                process = None
        if process is None:
            raise RuntimeError("could not start moto_server on a loopback port")
        yield f"http://127.0.0.1:{port}"
    finally:
        if process is not None:
            _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def aws(emulator):
    """boto3 clients for the emulator (and only for it)."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return {name: session.client(name, endpoint_url=emulator) for name in ("s3", "sqs", "iam")}


# --- the deployment -------------------------------------------------------------------------------


class Project:
    """A temporary copy of the app, deployed to the emulator with ./scripts/plan and ./scripts/apply
    (the cdktf CLI for the destroy and the teardown). The emulator is
    reached through the aws provider's standard environment configuration, nothing in the product:
    `AWS_ENDPOINT_URL` sends every service the provider calls (STS, IAM, S3, SQS) to it."""

    def __init__(self, root: Path, emulator: str, settings_file: Path, cli_config: Path):
        self.root = root
        self.settings_file = settings_file
        self.env = offline_env(
            cli_config,
            {
                "AWS_ENDPOINT_URL": emulator,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": REGION,
                "CI": "1",  # plain progress output in the logs (no spinner)
            },
        )
        self.log: list[str] = []
        self.repo_before: dict[str, float] = {}

    @property
    def stack_dir(self) -> Path:
        return self.root / "cdktf.out" / "stacks" / STACK

    def cdktf(self, *args: str) -> subprocess.CompletedProcess:
        return self._run([str(CDKTF), *args, STACK, "--skip-provider-lock"], self.root)

    def terraform(self, *args: str) -> subprocess.CompletedProcess:
        return self._run(["terraform", *args, "-no-color"], self.stack_dir)

    def script(self, name: str, *args: str) -> subprocess.CompletedProcess:
        """./scripts/plan or ./scripts/apply of the copy, from its root."""
        return self._run([str(self.root / "scripts" / name), *args], self.root)

    def settings(self, **changes: object) -> None:
        """The copy's terraform.tfvars: SETTINGS with `changes` (none: as deployed)."""
        write_settings(self.settings_file.parent, {**SETTINGS, **changes}, self.settings_file.name)

    def _run(self, command: list[str], cwd: Path) -> subprocess.CompletedProcess:
        start = time.monotonic()
        result = subprocess.run(command, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        self.log.append(f"$ {' '.join(command[:3])} ... -> {result.returncode} in {time.monotonic() - start:.0f} s")
        self.log.append(result.stdout + result.stderr)
        return result

    def outputs(self) -> dict[str, str]:
        result = self.terraform("output", "-json")
        assert result.returncode == 0, result.stderr
        return {name: spec["value"] for name, spec in json.loads(result.stdout).items()}


def test_only_the_tests_endpoint_reaches_the_subprocesses(monkeypatch, tmp_path):
    """An AWS endpoint in the developer's shell never reaches terraform / cdktf: only the one the
    test passes (the emulator) does."""
    shell = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TF_AWS_STS_ENDPOINT")
    for name in shell:
        monkeypatch.setenv(name, "https://elsewhere.example.com")
    env = offline_env(tmp_path / "terraform.tfrc", {"AWS_ENDPOINT_URL": "http://127.0.0.1:1"})
    assert {name: env.get(name) for name in shell} == {name: None for name in shell} | {"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}


@pytest.fixture(scope="module")
def project(tmp_path_factory, emulator, aws) -> Project:
    """The copy, deployed once for the module (the node role exists first, as on a real cluster),
    with ./scripts/plan and ./scripts/apply: the first plan passes and lists only creates."""
    folder = tmp_path_factory.mktemp("e2e")
    aws["iam"].create_role(
        RoleName=NODE_ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
            }
        ),
    )
    root = copy_project(folder / "project")
    project = Project(root, emulator, write_settings(root, SETTINGS, "terraform.tfvars"), write_cli_config(folder))
    project.repo_before = _repo_state_files()
    # Deployed as README "Reviewed plans" recommends: ./scripts/plan, then ./scripts/apply (before
    # any plan, apply has nothing to apply).
    nothing = project.script("apply", STACK)
    assert nothing.returncode == 3 and f"no reviewed plan for stack '{STACK}'" in nothing.stderr, nothing.stderr
    planned = project.script("plan", STACK)
    assert planned.returncode == 0, "\n".join(project.log)
    resources = json.loads((project.stack_dir / "cdk.tf.json").read_text())["resource"]
    count = sum(len(of_type) for of_type in resources.values())
    assert re.search(rf"^  \(root\) +{count} +0 +0 +0 +0$", planned.stdout, re.MULTILINE), planned.stdout  # creates only
    for address, kind in ((_address(project, "aws_s3_bucket"), "aws_s3_bucket"), (_address(project, "aws_sqs_queue"), "aws_sqs_queue")):
        assert re.search(rf"^  ok +create +{re.escape(address)}  \[{kind}\]$", planned.stdout, re.MULTILINE), planned.stdout
    assert "PASSED: no data-bearing resource is destroyed or replaced." in planned.stdout
    applied = project.script("apply", STACK)
    assert applied.returncode == 0, "\n".join(project.log)
    assert f"Apply complete! Resources: {count} added, 0 changed, 0 destroyed." in applied.stdout
    return project


def _address(project: Project, kind: str) -> str:
    """The address of the stack's one resource of type `kind`, as synthesized."""
    (name,) = json.loads((project.stack_dir / "cdk.tf.json").read_text())["resource"][kind]
    return f"{kind}.{name}"


# --- what was deployed ----------------------------------------------------------------------------


def test_outputs_for_the_system_settings_page(project):
    assert project.outputs() == {
        "file_storage_bucket": f"s3://{BUCKET}",
        "file_storage_region": REGION,
        "notification_subscription": f"sqs://{QUEUE}",
        "node_policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/e2e-wandb-file-storage",
    }


def _repo_state_files() -> dict[str, float]:
    """State files and synth output in the repository, with their modification times."""
    found = list(PROJECT_ROOT.glob("terraform.*.tfstate*")) + list(PROJECT_ROOT.glob(f"cdktf.out/stacks/{STACK}/*"))
    return {str(path): path.stat().st_mtime for path in found}


def test_no_state_or_output_in_the_repository(project):
    assert (project.root / f"terraform.{STACK}.tfstate").exists()
    assert _repo_state_files() == project.repo_before


def test_the_cli_var_file_gives_no_undeclared_variable_warnings(project):
    """terraform.tfvars went to Terraform as a var file (./scripts/plan passes it as the cdktf CLI
    does; Terraform's warnings are shown); every key of it is declared by the stack."""
    assert "undeclared variable" not in "\n".join(project.log).lower()


def test_license_nowhere(project):
    state = (project.root / f"terraform.{STACK}.tfstate").read_text()
    assert SENTINEL_LICENSE not in state
    assert SENTINEL_LICENSE not in "\n".join(project.log)


def test_notification_sends_every_object_created_event_to_the_queue(project, aws):
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}"
    config = aws["s3"].get_bucket_notification_configuration(Bucket=BUCKET)
    assert [(c["QueueArn"], c["Events"]) for c in config["QueueConfigurations"]] == [(queue_arn, ["s3:ObjectCreated:*"])]
    assert not config.get("TopicConfigurations") and not config.get("LambdaFunctionConfigurations")


def test_cors(project, aws):
    (rule,) = aws["s3"].get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert rule["AllowedOrigins"] == [ORIGIN]
    assert sorted(rule["AllowedMethods"]) == ["GET", "PUT"]
    assert rule["AllowedHeaders"] == ["*"]


def test_bucket_safe_by_default(project, aws):
    s3 = aws["s3"]
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block[k] for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"))
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    (sse,) = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30


def test_queue_encrypted_and_its_policy_admits_only_s3_for_this_bucket(project, aws):
    url = aws["sqs"].get_queue_url(QueueName=QUEUE)["QueueUrl"]
    attributes = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert "FifoQueue" not in attributes  # a standard queue
    (statement,) = json.loads(attributes["Policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == attributes["QueueArn"]
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{BUCKET}"},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }


def test_node_policy_attached_to_the_node_role(project, aws):
    arn = project.outputs()["node_policy_arn"]
    attached = aws["iam"].list_attached_role_policies(RoleName=NODE_ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]
    version = aws["iam"].get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = aws["iam"].get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    if isinstance(document, str):
        document = json.loads(document)
    s3_statement, sqs_statement = document["Statement"]
    assert s3_statement["Resource"] == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert sqs_statement["Resource"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}"
    assert sorted(sqs_statement["Action"]) == sorted(
        ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
    )


# --- the W&B file flow ----------------------------------------------------------------------------


@contextmanager
def files_writable(aws):
    """moto ignores policy Conditions (its put_bucket_policy docs: "Conditions are not taken into
    account"), so the TLS-only Deny (`aws:SecureTransport` = false) refuses every object request
    (over the plain HTTP the test uses, real S3 would refuse them too). Lift the policy for the
    object writes and put the same document back, so the deployed configuration is unchanged
    afterwards (the second plan checks that)."""
    policy = aws["s3"].get_bucket_policy(Bucket=BUCKET)["Policy"]
    with pytest.raises(aws["s3"].exceptions.ClientError, match="403"):
        aws["s3"].put_object(Bucket=BUCKET, Key="refused-while-the-deny-applies", Body=b"")
    aws["s3"].delete_bucket_policy(Bucket=BUCKET)
    try:
        yield
    finally:
        aws["s3"].put_bucket_policy(Bucket=BUCKET, Policy=policy)


def _object_created_events(aws, wanted: int, timeout: float = 20) -> list[dict]:
    """ObjectCreated records from the queue (test events skipped), deleting what it reads."""
    url = aws["sqs"].get_queue_url(QueueName=QUEUE)["QueueUrl"]
    records: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(records) < wanted and time.monotonic() < deadline:
        response = aws["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            body = json.loads(message["Body"])
            records += [r for r in body.get("Records", []) if r.get("eventName", "").startswith("ObjectCreated:")]
            aws["sqs"].delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return records


def test_files_written_reach_the_queue(project, aws):
    key = f"wandb-artifacts/{uuid.uuid4().hex}/model.pt"
    with files_writable(aws):
        aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=b"weights")
        aws["s3"].copy_object(Bucket=BUCKET, Key=f"{key}.copy", CopySource={"Bucket": BUCKET, "Key": key})
    records = _object_created_events(aws, wanted=2)
    # Event records carry the key URL-encoded, as S3 writes them.
    seen = {(r["eventName"], r["s3"]["bucket"]["name"], unquote_plus(r["s3"]["object"]["key"])) for r in records}
    assert ("ObjectCreated:Put", BUCKET, key) in seen
    assert ("ObjectCreated:Copy", BUCKET, f"{key}.copy") in seen


# --- plan, destroy, teardown (in this order: the last one removes the bucket) -----------------------


def test_reviewed_plans_refuse_a_queue_rename_and_apply_a_cors_change(project, aws, tmp_path):
    """A new queue name replaces the queue: refused, naming the queue and the attribute that forces
    it, and apply then changes nothing. The same real plan, as `terraform show -json` writes it,
    passes with --allow for the queue. A CORS-only change passes and apply applies it. Afterwards
    the settings are as deployed, and so is the bucket's CORS (put back as it was, outside
    Terraform: the next plan refreshes the state from it and plans no change)."""
    synthesized = (project.stack_dir / "cdk.tf.json").read_bytes()
    cors = aws["s3"].get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    renamed = "e2e-renamed-file-events"
    project.settings(storage_queue_name=renamed)
    try:
        result = project.script("plan", STACK)
        assert result.returncode == 3, result.stdout + result.stderr
        queue = _address(project, "aws_sqs_queue")
        line = rf"^  REFUSED +replace \(destroy, then create\) +{re.escape(queue)}  \[aws_sqs_queue\]\n +forced by: name$"
        refused = re.search(line, result.stdout, re.MULTILINE)
        assert refused, result.stdout
        assert (
            f"REFUSED: 1 data-bearing resource would be destroyed or replaced without consent:\n  {queue}  [aws_sqs_queue]\n"
            in result.stdout
        )
        applied = project.script("apply", STACK)
        assert applied.returncode == 3 and f"was refused (it destroys or replaces {queue})" in applied.stderr, applied.stderr
        # Nothing applied: the queue is the deployed one, with its policy, and no renamed one exists.
        url = aws["sqs"].get_queue_url(QueueName=QUEUE)["QueueUrl"]
        assert aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
        assert not aws["sqs"].list_queues(QueueNamePrefix=renamed).get("QueueUrls")

        # The saved plan's JSON holds the license (a saved plan keeps the variables' values): not logged.
        command = ["terraform", "show", "-json", "plan-review.tfplan"]
        shown = subprocess.run(command, cwd=project.stack_dir, env=project.env, capture_output=True, text=True, check=False)
        assert shown.returncode == 0, shown.stderr
        assert SENTINEL_LICENSE in shown.stdout
        (tmp_path / "plan.json").write_text(shown.stdout)
        again = project.script("plan", "--json", str(tmp_path / "plan.json"))
        assert again.returncode == 3 and refused.group(0) in again.stdout, again.stdout + again.stderr
        allowed = project.script("plan", "--json", str(tmp_path / "plan.json"), "--allow", queue)
        assert allowed.returncode == 0, allowed.stdout + allowed.stderr
        assert f"allowed by --allow {queue}" in allowed.stdout
        assert "PASSED: every data-bearing resource destroyed or replaced (1) is allowed by --allow." in allowed.stdout

        origins = [ORIGIN, "https://notebooks.e2e.example.com"]
        project.settings(storage_cors_origins=origins)
        cors_plan = project.script("plan", STACK)
        assert cors_plan.returncode == 0, cors_plan.stdout + cors_plan.stderr
        assert "Data-bearing resources: none changed." in cors_plan.stdout
        assert re.search(r"^  \(root\) +0 +1 +0 +0 +\d+$", cors_plan.stdout, re.MULTILINE), cors_plan.stdout  # one update
        assert "PASSED: no data-bearing resource is destroyed or replaced." in cors_plan.stdout
        cors_applied = project.script("apply", STACK)
        assert cors_applied.returncode == 0, cors_applied.stdout + cors_applied.stderr
        assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in cors_applied.stdout
        (rule,) = aws["s3"].get_bucket_cors(Bucket=BUCKET)["CORSRules"]
        assert sorted(rule["AllowedOrigins"]) == sorted(origins)  # a set in the provider's schema
        for output in (result, applied, again, allowed, cors_plan, cors_applied):
            assert SENTINEL_LICENSE not in output.stdout + output.stderr
    finally:
        project.settings()
        aws["s3"].put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": cors})
        # As deployed (prevent_destroy on): `cdktf destroy --skip-synth` below must find it so.
        (project.stack_dir / "cdk.tf.json").write_bytes(synthesized)


def test_second_plan_shows_no_changes(project):
    """./scripts/plan of the deployed stack: Terraform plans no change (its -detailed-exitcode 0,
    so there is nothing to show as JSON) and the review passes."""
    result = project.script("plan", STACK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Changes by module: none (no resource changes)." in result.stdout
    assert "PASSED: no data-bearing resource is destroyed or replaced." in result.stdout
    assert json.loads((project.stack_dir / ".plan-review.json").read_text())["verdict"] == "passed"


def test_apply_applies_exactly_the_reviewed_plan(project, aws):
    """The passing plan of the previous test (no change: the cheapest harmless one): apply refuses
    it once the settings differ from what was planned, applies it when they are as planned again,
    and only once."""
    project.settings(default_tags={"Review": "plan-review"})
    try:
        refused = project.script("apply", STACK)
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert "the settings changed since the plan" in refused.stderr and "terraform.tfvars changed" in refused.stderr
    finally:
        project.settings()
    assert "Review" not in {t["Key"] for t in aws["s3"].get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
    applied = project.script("apply", STACK)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Apply complete! Resources: 0 added, 0 changed, 0 destroyed." in applied.stdout
    assert not (project.stack_dir / "plan-review.tfplan").exists()
    again = project.script("apply", STACK)
    assert again.returncode == 3 and "was already applied" in again.stderr, again.stderr


def test_destroy_keeps_stored_files(project, aws):
    key = "kept/run-history.parquet"
    with files_writable(aws):
        aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=b"history")
    result = project.cdktf("destroy", "--auto-approve", "--skip-synth")
    assert result.returncode != 0, "destroy should refuse while the bucket is protected"
    with files_writable(aws):
        assert aws["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"history"
    # Refused before changing anything: the protections around the files are all still there.
    assert aws["s3"].get_bucket_policy(Bucket=BUCKET)["Policy"]
    assert aws["s3"].get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    assert aws["s3"].get_bucket_notification_configuration(Bucket=BUCKET)["QueueConfigurations"]
    # cdktf shows only "failed with exit code 1"; Terraform's reason (what docs/storage.md quotes):
    reason = project.terraform("plan", "-destroy", "-refresh=false", "-input=false")
    assert reason.returncode == 1
    assert "Instance cannot be destroyed" in reason.stderr and "prevent_destroy" in reason.stderr


def test_teardown_of_a_test_bucket_on_purpose(project, aws):
    """docs/storage.md: storage_force_destroy = true, deploy, destroy."""
    write_settings(project.settings_file.parent, {**SETTINGS, "storage_force_destroy": True}, project.settings_file.name)
    result = project.cdktf("deploy", "--auto-approve")
    assert result.returncode == 0, "\n".join(project.log[-2:])
    result = project.cdktf("destroy", "--auto-approve", "--skip-synth")
    assert result.returncode == 0, "\n".join(project.log[-2:])
    names = [b["Name"] for b in aws["s3"].list_buckets()["Buckets"]]
    assert BUCKET not in names
    assert QUEUE not in " ".join(aws["sqs"].list_queues().get("QueueUrls", []))
    # The role is the cluster's: only the attachment went.
    assert aws["iam"].list_attached_role_policies(RoleName=NODE_ROLE)["AttachedPolicies"] == []


def test_report_times(project):
    """Not a check: each step's wall time and the resources that took 5 s or more (the provider's
    own waits), for the test log (`pytest -s`)."""
    import re

    steps = [line for line in project.log if line.startswith("$ ")]
    slow = sorted(
        set(re.findall(r"(aws_\w+)\.\w+: ((?:Creation|Destruction|Modifications) complete after (?:[5-9]|\d\d+)s)", "\n".join(project.log)))
    )
    print("\n" + "\n".join(steps + [f"  {kind}: {what}" for kind, what in slow]))
