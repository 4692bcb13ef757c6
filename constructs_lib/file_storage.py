"""W&B file storage on S3 (the guide's "manual configuration"), as one construct.

An S3 bucket for W&B files, an SQS standard queue that receives the bucket's object-created
events, the queue policy that lets S3 (and only on behalf of this bucket) send to it, CORS for the
W&B server's origin, and an IAM policy for the nodes that run W&B.

Safe by default: SSE-KMS (the account's `aws/s3` key, with S3 bucket keys), public access blocked,
ACLs disabled, versioning, a bucket policy refusing plain-HTTP access, an SSE-SQS encrypted queue,
a lifecycle rule that aborts incomplete multipart uploads and expires old versions. Unless
`force_destroy` is set, the bucket carries `prevent_destroy`: a destroy plan fails before it
changes anything, so stored files (and the protections around them) stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_cors_configuration import (
    S3BucketCorsConfiguration,
    S3BucketCorsConfigurationCorsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_notification import S3BucketNotification, S3BucketNotificationQueue
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA, S3BucketVersioningVersioningConfiguration
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from cdktf_cdktf_provider_aws.sqs_queue_policy import SqsQueuePolicy
from constructs import Construct

from constructs_lib.policy_document import policy_json

# Every object-created event: Put, Post, Copy, CompleteMultipartUpload.
OBJECT_CREATED_EVENTS = ("s3:ObjectCreated:*",)

# What W&B's browser clients do with files: download and (presigned) upload.
CORS_METHODS = ("GET", "PUT")

# What the nodes running W&B do with the queue: read events, delete them when handled, extend
# their visibility while working, and find the queue.
QUEUE_CONSUMER_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:GetQueueAttributes",
)


@dataclass(frozen=True)
class FileStorageProps:
    """What the file storage is made of.

    bucket_name: the S3 bucket's name (may be a token, e.g. built from the account id).
    queue_name: the SQS standard queue's name.
    cors_origins: origins (scheme://host[:port]) allowed to GET and PUT files from a browser.
    node_policy_name: name of the IAM policy for the nodes running W&B.
    account_id: the AWS account id (a token is fine); the queue policy accepts S3's messages
        only from this account's bucket.
    noncurrent_version_days: days an overwritten or deleted file's previous version is kept
        (default 30); None keeps old versions forever.
    abort_incomplete_multipart_days: days after which S3 drops unfinished multipart uploads
        (default 7).
    force_destroy: let a destroy delete the bucket and every stored file (default False: the
        bucket has `prevent_destroy` and no `force_destroy`).
    tags: extra tags for the resources (the provider's default tags apply anyway).
    """

    bucket_name: str
    queue_name: str
    cors_origins: Sequence[str]
    node_policy_name: str
    account_id: str
    noncurrent_version_days: int | None = 30
    abort_incomplete_multipart_days: int = 7
    force_destroy: bool = False
    tags: dict[str, str] = field(default_factory=dict)


class FileStorage(Construct):
    """The bucket, its queue and notifications, CORS, and the node access policy."""

    def __init__(self, scope: Construct, id: str, props: FileStorageProps):
        super().__init__(scope, id)
        if not props.cors_origins:
            raise ValueError("FileStorage needs at least one CORS origin (the W&B server's)")
        tags = dict(props.tags) or None
        self._bucket(props, tags)
        self._bucket_lifecycle(props)
        self._bucket_access(props)
        self._queue(props, tags)
        self._node_policy(props, tags)
        self.node_role_attachments: list[IamRolePolicyAttachment] = []

    def _bucket(self, props: FileStorageProps, tags: dict[str, str] | None) -> None:
        """The bucket, safe by default: encrypted, versioned, no public access, no ACLs."""
        self.bucket = S3Bucket(
            self,
            "bucket",
            bucket=props.bucket_name,
            force_destroy=props.force_destroy,
            tags=tags,
            lifecycle=None if props.force_destroy else TerraformResourceLifecycle(prevent_destroy=True),
        )
        bucket_id = self.bucket.id
        self.public_access_block = S3BucketPublicAccessBlock(
            self,
            "public_access_block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        self.ownership_controls = S3BucketOwnershipControls(
            self,
            "ownership_controls",
            bucket=bucket_id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        self.encryption = S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket_id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms"
                    ),
                    bucket_key_enabled=True,
                )
            ],
        )
        self.versioning = S3BucketVersioningA(
            self,
            "versioning",
            bucket=bucket_id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )

    def _bucket_lifecycle(self, props: FileStorageProps) -> None:
        """Housekeeping: unfinished multipart uploads dropped, old versions expired."""
        noncurrent_expiration = None
        if props.noncurrent_version_days is not None:
            noncurrent_expiration = [
                S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=props.noncurrent_version_days)
            ]
        rule = S3BucketLifecycleConfigurationRule(
            id="housekeeping",
            status="Enabled",
            filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
            abort_incomplete_multipart_upload=[
                S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                    days_after_initiation=props.abort_incomplete_multipart_days
                )
            ],
            noncurrent_version_expiration=noncurrent_expiration,
        )
        self.lifecycle = S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket.id,
            rule=[rule],
            depends_on=[self.versioning],
        )

    def _bucket_access(self, props: FileStorageProps) -> None:
        """TLS only, and CORS for the W&B server's origins."""
        bucket_id, bucket_arn = self.bucket.id, self.bucket.arn
        self.bucket_policy = S3BucketPolicy(
            self,
            "tls_only",
            bucket=bucket_id,
            policy=_json(
                [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [bucket_arn, f"{bucket_arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ]
            ),
            # S3 refuses concurrent changes to a bucket's access settings.
            depends_on=[self.public_access_block, self.ownership_controls],
        )
        self.cors = S3BucketCorsConfiguration(
            self,
            "cors",
            bucket=bucket_id,
            cors_rule=[
                S3BucketCorsConfigurationCorsRule(
                    allowed_origins=list(props.cors_origins),
                    allowed_methods=list(CORS_METHODS),
                    allowed_headers=["*"],
                )
            ],
        )

    def _queue(self, props: FileStorageProps, tags: dict[str, str] | None) -> None:
        """The queue, the policy that lets S3 send to it for this bucket only, and the notifications."""
        bucket_id, bucket_arn = self.bucket.id, self.bucket.arn
        self.queue = SqsQueue(self, "queue", name=props.queue_name, sqs_managed_sse_enabled=True, tags=tags)
        self.queue_policy = SqsQueuePolicy(
            self,
            "queue_policy",
            queue_url=self.queue.url,
            policy=_json(
                [
                    {
                        "Sid": "AllowObjectCreatedEventsFromTheBucket",
                        "Effect": "Allow",
                        "Principal": {"Service": "s3.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": self.queue.arn,
                        "Condition": {
                            "ArnEquals": {"aws:SourceArn": bucket_arn},
                            "StringEquals": {"aws:SourceAccount": props.account_id},
                        },
                    }
                ]
            ),
        )
        # S3 checks that it may send to the queue when the notification is set: policy first.
        self.notification = S3BucketNotification(
            self,
            "notification",
            bucket=bucket_id,
            queue=[S3BucketNotificationQueue(queue_arn=self.queue.arn, events=list(OBJECT_CREATED_EVENTS))],
            depends_on=[self.queue_policy],
        )

    def _node_policy(self, props: FileStorageProps, tags: dict[str, str] | None) -> None:
        """What the nodes running W&B may do: the bucket and its objects, the queue's events."""
        bucket_arn = self.bucket.arn
        self.node_policy = IamPolicy(
            self,
            "node_policy",
            name=props.node_policy_name,
            description="W&B file storage: the bucket and its objects, and the queue of its object-created events",
            policy=_json(
                [
                    {
                        "Sid": "FileStorageBucketAndObjects",
                        "Effect": "Allow",
                        "Action": "s3:*",
                        "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    },
                    {
                        "Sid": "FileEventsQueue",
                        "Effect": "Allow",
                        "Action": list(QUEUE_CONSUMER_ACTIONS),
                        "Resource": self.queue.arn,
                    },
                ]
            ),
            tags=tags,
        )

    def grant_node_access(self, role_name: str) -> IamRolePolicyAttachment:
        """Attaches the node policy to an IAM role (e.g. the EKS node role running W&B)."""
        attachment = IamRolePolicyAttachment(
            self,
            f"node_role_{len(self.node_role_attachments)}",
            role=role_name,
            policy_arn=self.node_policy.arn,
        )
        self.node_role_attachments.append(attachment)
        return attachment

    @property
    def bucket_url(self) -> str:
        """`s3://<bucket>`, as the W&B system settings page wants it."""
        return f"s3://{self.bucket.bucket}"

    @property
    def queue_subscription(self) -> str:
        """`sqs://<queue name>`, as the W&B system settings page wants it."""
        return f"sqs://{self.queue.name}"


def _json(statements: list[dict[str, object]]) -> str:
    """The policy document with these statements, as the `policy` argument takes it; recorded for
    the security rules (constructs_lib/policy_document.py)."""
    return policy_json({"Version": "2012-10-17", "Statement": statements})
