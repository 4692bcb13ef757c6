"""Rules for the app's own S3 buckets and SQS queues."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules.base import Block, Level, Rule, StackView
from constructs_lib.rules.policies import as_list

PUBLIC_ACCESS_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _configures(view: StackView, resource_type: str, bucket: Block) -> list[Block]:
    """The `resource_type` blocks of the stack whose `bucket` is `bucket` (a reference to it, or
    its literal name)."""
    name = bucket.attr("bucket")
    found = []
    for block in view.resources(resource_type):
        value = block.attr("bucket")
        if view.refers_to(value, bucket) or (isinstance(name, str) and value == name):
            found.append(block)
    return found


class S3BucketEncrypted(Rule):
    id = "S3-ENCRYPTED"
    level = Level.ERROR
    description = (
        "Every `aws_s3_bucket` has default server-side encryption configured explicitly: an "
        "`aws_s3_bucket_server_side_encryption_configuration` that names it, with an `sse_algorithm` (or the "
        "legacy inline block)."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for bucket in view.resources("aws_s3_bucket"):
            if bucket.attr("server_side_encryption_configuration"):
                continue
            configs = _configures(view, "aws_s3_bucket_server_side_encryption_configuration", bucket)
            algorithms = [
                (rule.get("apply_server_side_encryption_by_default") or {}).get("sse_algorithm")
                for config in configs
                for rule in as_list(config.attr("rule"))
                if isinstance(rule, dict)
            ]
            if not any(algorithms):
                yield (
                    bucket.path,
                    (
                        f"S3 bucket {bucket.address} has no server-side encryption configuration; add an "
                        "aws_s3_bucket_server_side_encryption_configuration (sse_algorithm aws:kms or AES256) for it"
                    ),
                )


class S3BucketPublicAccessBlocked(Rule):
    id = "S3-PUBLIC-ACCESS-BLOCKED"
    level = Level.ERROR
    description = (
        "Every S3 bucket has an `aws_s3_bucket_public_access_block` with all four settings `true` ("
        + ", ".join(f"`{flag}`" for flag in PUBLIC_ACCESS_FLAGS)
        + ")."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for bucket in view.resources("aws_s3_bucket"):
            blocks = _configures(view, "aws_s3_bucket_public_access_block", bucket)
            if not blocks:
                yield (
                    bucket.path,
                    (
                        f"S3 bucket {bucket.address} has no aws_s3_bucket_public_access_block; add one with "
                        + ", ".join(f"{flag} = true" for flag in PUBLIC_ACCESS_FLAGS)
                    ),
                )
                continue
            for block in blocks:
                off = [flag for flag in PUBLIC_ACCESS_FLAGS if block.attr(flag) is not True]
                if off:
                    yield (
                        block.path,
                        (
                            f"the public access block of S3 bucket {bucket.address} leaves {', '.join(off)} "
                            "unset or false; set all four to true"
                        ),
                    )


class SqsQueueEncrypted(Rule):
    id = "SQS-ENCRYPTED"
    level = Level.ERROR
    description = "Every `aws_sqs_queue` is encrypted at rest: `sqs_managed_sse_enabled = true` or a `kms_master_key_id`."

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for queue in view.resources("aws_sqs_queue"):
            if queue.attr("sqs_managed_sse_enabled") is True or queue.attr("kms_master_key_id"):
                continue
            yield (
                queue.path,
                (
                    f"SQS queue {queue.address} is not encrypted explicitly; set sqs_managed_sse_enabled = true "
                    "(SSE-SQS) or kms_master_key_id (SSE-KMS)"
                ),
            )
