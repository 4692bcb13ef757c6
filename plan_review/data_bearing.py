"""The classes of resource types: what a deletion or replacement of each one costs.

- DATA_BEARING: holds W&B's data (or work in flight, or an audit trail); a deletion or
  replacement loses it.
- SERVICE_BEARING: runs W&B, or what W&B cannot run without; a deletion or replacement takes
  W&B down.
- RECREATABLE (plan_review/recreatable.py): recreated without loss in the same apply.

A plan that deletes or replaces a managed resource of a data- or service-bearing type, or of a
type in none of the tables, is refused unless its address is allowed (README "Reviewed plans",
which shows both tables; tests/test_plan_review.py keeps them equal). Every type the W&B modules
and the app's constructs create is in exactly one table (release_catalog/data/
wandb_module_resource_types.json, tests/test_resource_classes.py)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from plan_review.recreatable import RECREATABLE

DATA: Final = "data-bearing"
SERVICE: Final = "service-bearing"
UNCLASSIFIED: Final = "unclassified"
RECREATED: Final = "recreatable"

_KEY = "a key the bucket, the database or the secrets are encrypted with: what it encrypted cannot be read without it"
_DOWN = "W&B goes down"

DATA_BEARING: Final[Mapping[str, str]] = MappingProxyType(
    {
        "aws_rds_cluster": "the Aurora cluster: W&B's runs, users and metadata",
        "aws_db_instance": "an RDS database instance keeps its data on its own storage",
        "aws_s3_bucket": "the file bucket: artifacts, media and run files",
        "tfe_workspace": "an HCP Terraform workspace (stack hcp-workspaces): a W&B stack's state, run history and variables; a "
        "new one starts empty, so the stack's next plan would create every resource again",
        "aws_s3_bucket_versioning": "the bucket's versioning: deleting it suspends versioning, so an overwritten or deleted file "
        "has no previous version to restore",
        "aws_kms_key": _KEY,
        "aws_kms_replica_key": f"a replica of {_KEY}",
        "aws_kms_external_key": _KEY,
        "aws_kms_replica_external_key": f"a replica of {_KEY}",
        "aws_eks_cluster": "the cluster W&B runs in, with every Kubernetes object and volume claim in it",
        "aws_elasticache_replication_group": "Redis: W&B's work in flight",
        "aws_elasticache_cluster": "Redis as a single-node cluster: W&B's work in flight",
        "aws_sqs_queue": "the file-event queue: messages not yet processed are lost",
        "aws_secretsmanager_secret": "a secret W&B reads: a new secret has a new ARN and an empty value",
        "aws_efs_file_system": "a shared file system mounted in the cluster",
        "aws_dynamodb_table": "a table's items (the state lock table among them)",
        "aws_route53_zone": "the hosted zone: a new zone gets new name servers, so the domain's delegation breaks and its records go",
        "aws_cloudwatch_log_group": "a log group (the EKS control plane's audit log, VPC flow logs): its log events go with it",
        "kubernetes_persistent_volume": "a volume in the cluster: with a Delete reclaim policy its disk goes with it",
        "kubernetes_persistent_volume_v1": "a volume in the cluster: with a Delete reclaim policy its disk goes with it",
    }
)

SERVICE_BEARING: Final[Mapping[str, str]] = MappingProxyType(
    {
        "helm_release": f"{_DOWN}: the W&B server, the W&B operator, or an add-on W&B's traffic depends on (load balancer "
        "controller, DNS, autoscaler); deleting a release uninstalls everything it runs",
        "kubernetes_namespace": f"{_DOWN}: deleting the W&B namespace deletes everything in it, volume claims included",
        "kubernetes_namespace_v1": f"{_DOWN}: deleting the W&B namespace deletes everything in it, volume claims included",
        "kubernetes_persistent_volume_claim": f"{_DOWN}, and the volume it claims may be deleted with it",
        "kubernetes_persistent_volume_claim_v1": f"{_DOWN}, and the volume it claims may be deleted with it",
        "kubernetes_deployment": f"{_DOWN}: the W&B server itself (wandb/wandb/kubernetes, before the operator)",
        "kubernetes_deployment_v1": f"{_DOWN}: the W&B server itself (wandb/wandb/kubernetes, before the operator)",
        "kubernetes_config_map": f"{_DOWN}: the aws-auth ConfigMap (EKS module v17, W&B 8.x's legacy access) lets the nodes join "
        "the cluster; the pre-operator W&B reads its settings from one",
    }
)

CONSENT_CLASSES: Final = frozenset({DATA, SERVICE, UNCLASSIFIED})


def classify(kind: str) -> tuple[str, str]:
    """The class of a managed resource type and why; a type in no table is unclassified, and
    needs consent like a data-bearing one: this review does not know what it holds."""
    if kind in DATA_BEARING:
        return DATA, DATA_BEARING[kind]
    if kind in SERVICE_BEARING:
        return SERVICE, SERVICE_BEARING[kind]
    if kind in RECREATABLE:
        return RECREATED, RECREATABLE[kind]
    return UNCLASSIFIED, "a type this review has not classified: what a deletion loses is not known"


def _markdown(table: Mapping[str, str], heading: str) -> str:
    rows = [f"| type | {heading} |", "| --- | --- |"]
    rows += [f"| `{kind}` | {reason} |" for kind, reason in table.items()]
    return "\n".join(rows) + "\n"


def data_bearing_markdown() -> str:
    """The README's table of data-bearing types, generated from DATA_BEARING."""
    return _markdown(DATA_BEARING, "why a deletion or replacement needs consent")


def service_bearing_markdown() -> str:
    """The README's table of service-bearing types, generated from SERVICE_BEARING."""
    return _markdown(SERVICE_BEARING, "why a deletion or replacement needs consent")
