"""The data-bearing resource types: the one reviewed table of what holds W&B's data (or work in
flight), each with the reason. A plan that deletes or replaces a managed resource of one of these
types is refused unless its address is allowed (README "Reviewed plans", which shows this table;
tests/test_plan_review.py keeps the two equal).

Not in the table on purpose: what a replacement recreates without loss (node groups, launch
templates, security groups and their rules, IAM roles and policies, KMS aliases, bucket settings
such as CORS or lifecycle, Aurora instances, whose data lives in the cluster's volume)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

DATA_BEARING: Final[Mapping[str, str]] = MappingProxyType(
    {
        "aws_rds_cluster": "the Aurora cluster: W&B's runs, users and metadata",
        "aws_db_instance": "an RDS database instance keeps its data on its own storage",
        "aws_s3_bucket": "the file bucket: artifacts, media and run files",
        "aws_kms_key": "a key the bucket, the database or the secrets are encrypted with: what it encrypted cannot be read without it",
        "aws_eks_cluster": "the cluster W&B runs in, with every Kubernetes object and volume claim in it",
        "aws_elasticache_replication_group": "Redis: W&B's work in flight",
        "aws_elasticache_cluster": "Redis as a single-node cluster: W&B's work in flight",
        "aws_sqs_queue": "the file-event queue: messages not yet processed are lost",
        "aws_secretsmanager_secret": "a secret W&B reads: a new secret has a new ARN and an empty value",
        "aws_efs_file_system": "a shared file system mounted in the cluster",
        "aws_dynamodb_table": "a table's items (the state lock table among them)",
        "aws_route53_zone": "the hosted zone: a new zone gets new name servers, so the domain's delegation breaks and its records go",
    }
)


def data_bearing_markdown() -> str:
    """The README's table of data-bearing types, generated from DATA_BEARING."""
    rows = ["| type | why a deletion or replacement needs consent |", "| --- | --- |"]
    rows += [f"| `{kind}` | {reason} |" for kind, reason in DATA_BEARING.items()]
    return "\n".join(rows) + "\n"
