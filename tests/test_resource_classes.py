"""Every resource type a W&B deployment can hold is classified (issue 16): each type the W&B modules
create at every release the catalog knows, in their submodules and the registry modules they call
(release_catalog/data/wandb_module_resource_types.json, made by scripts/regenerate_interfaces
--types-out from the modules' sources), and each type the app's own constructs create (read from
the code now, so a new construct cannot bring an unjudged type either)."""

from __future__ import annotations

import importlib.util
import json
import sys

from helpers import PROJECT_ROOT

from plan_review.data_bearing import DATA, DATA_BEARING, RECREATED, SERVICE, SERVICE_BEARING, UNCLASSIFIED, classify
from plan_review.recreatable import RECREATABLE
from release_catalog.releases import _interfaces

DATA_FILE = PROJECT_ROOT / "release_catalog" / "data" / "wandb_module_resource_types.json"

_spec = importlib.util.spec_from_file_location("resource_types", PROJECT_ROOT / "tools" / "resource_types.py")
assert _spec is not None and _spec.loader is not None
resource_types = importlib.util.module_from_spec(_spec)
sys.modules.setdefault(_spec.name, resource_types)
_spec.loader.exec_module(resource_types)


def catalog() -> dict:  # type: ignore[type-arg]
    return json.loads(DATA_FILE.read_text())


def every_type() -> dict[str, list[str]]:
    where = resource_types.all_types(catalog())
    for path, kinds in resource_types.app_types(PROJECT_ROOT).items():
        for kind in kinds:
            where.setdefault(kind, []).append(path)
    return where


def test_every_type_the_modules_and_the_app_create_is_classified():
    unclassified = {kind: where for kind, where in every_type().items() if classify(kind)[0] == UNCLASSIFIED}
    assert unclassified == {}, "classify these in plan_review/data_bearing.py or recreatable.py, with the reason"


def test_the_data_covers_every_release_the_catalog_knows_and_what_they_call():
    modules = catalog()["modules"]
    for source, versions in _interfaces().items():
        assert set(versions) <= set(modules[source]), source
    for versions in modules.values():
        for release in versions.values():
            for call in release["calls"]:
                assert call["resolved"] in modules[call["source"]], call
    assert "terraform-aws-modules/eks/aws" in modules and "wandb/wandb/helm" in modules
    # The storage stack's file is listed, with the bucket, its versioning and the queue.
    assert {"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_sqs_queue"} <= set(catalog()["app"]["constructs_lib/file_storage.py"])


def test_the_issues_types_are_in_the_class_it_names():
    for kind in ("helm_release", "kubernetes_namespace", "kubernetes_persistent_volume_claim"):
        assert classify(kind)[0] == SERVICE and "W&B goes down" in classify(kind)[1]
    for kind in ("aws_s3_bucket_versioning", "aws_cloudwatch_log_group", "aws_kms_replica_key", "aws_rds_cluster", "aws_s3_bucket"):
        assert classify(kind)[0] == DATA
    for kind in ("aws_eks_node_group", "aws_launch_template", "aws_security_group_rule", "aws_iam_policy", "aws_rds_cluster_instance"):
        assert classify(kind)[0] == RECREATED


def test_each_type_is_in_one_table_with_a_reason():
    tables = (DATA_BEARING, SERVICE_BEARING, RECREATABLE)
    for table in tables:
        assert all(reason.strip() and kind == kind.strip() for kind, reason in table.items())
    assert sum(len(t) for t in tables) == len(set().union(*tables))
    assert classify("aws_not_a_type")[0] == UNCLASSIFIED
    # Nothing stale: every recreatable type is one the modules or the app create.
    assert set(RECREATABLE) <= set(every_type())
