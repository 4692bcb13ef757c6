"""The pre-operator layout, W&B version upgrades, and the migration to the post-operator layout
on the same state, from the guide's own tfvars files."""

from __future__ import annotations

import copy
import json

import pytest
from helpers import POST_OPERATOR, PRE_OPERATOR, run_main, synth_app, to_hcl


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    variants = {
        "pre_operator": PRE_OPERATOR,
        "pre_operator_upgraded": {**PRE_OPERATOR, "wandb_version": "0.52.0"},
        "post_operator": POST_OPERATOR,
    }
    return {name: synth_app(values, tmp_path_factory.mktemp(name))["wandb"] for name, values in variants.items()}


@pytest.mark.parametrize("variant", ["pre_operator", "post_operator"])
def test_snapshot(synthesized, variant, json_snapshot):
    assert synthesized[variant] == json_snapshot


def test_pre_operator_wires_wandb_app_from_wandb_infra(synthesized):
    modules = synthesized["pre_operator"]["module"]
    infra, app = modules["wandb_infra"], modules["wandb_app"]
    assert (infra["source"], infra["version"]) == ("wandb/wandb/aws", "1.16.10")
    assert (app["source"], app["version"]) == ("wandb/wandb/kubernetes", "1.12.0")
    assert infra["database_performance_insights_kms_key_arn"] is None
    assert "license" not in infra  # 1.16.10 has no such input; the app module takes it
    assert {k: v for k, v in app.items() if k not in ("//", "source", "version")} == {
        "license": "${local.license}",
        "host": "${module.wandb_infra.url}",
        "bucket": "s3://${module.wandb_infra.bucket_name}",
        "bucket_aws_region": "${module.wandb_infra.bucket_region}",
        "bucket_queue": "internal://",
        "bucket_kms_key_arn": "${module.wandb_infra.kms_key_arn}",
        "database_connection_string": "mysql://${module.wandb_infra.database_connection_string}",
        "redis_connection_string": "redis://${module.wandb_infra.elasticache_connection_string}?tls=true&ttlInSeconds=604800",
        "service_port": "${module.wandb_infra.internal_app_port}",
        "wandb_version": "0.51.2",
        "depends_on": ["module.wandb_infra"],
    }
    assert synthesized["pre_operator"]["data"]["aws_eks_cluster"]["eks_cluster_id"]["name"] == "${module.wandb_infra.cluster_id}"


def test_pre_operator_external_queue_and_no_redis(tmp_path):
    stack = synth_app({**PRE_OPERATOR, "use_internal_queue": False, "create_elasticache": False}, tmp_path)["wandb"]
    app = stack["module"]["wandb_app"]
    assert app["bucket_queue"] == "sqs://${module.wandb_infra.bucket_queue_name}"
    assert "redis_connection_string" not in app  # no cache output to point at


def test_version_upgrade_changes_only_the_wandb_app_version(synthesized):
    before, after = synthesized["pre_operator"], synthesized["pre_operator_upgraded"]
    assert _differences(before, after) == [("module.wandb_app.wandb_version", "0.51.2", "0.52.0")]


def test_upgrade_through_the_app_module_range(tmp_path):
    stack = synth_app({**PRE_OPERATOR, "wandb_app_version": "~>1.0"}, tmp_path)["wandb"]
    assert stack["module"]["wandb_app"]["version"] == "~> 1.0"


def test_post_operator_has_the_operator_inputs_and_no_wandb_app(synthesized):
    stack = synthesized["post_operator"]
    assert set(stack["module"]) == {"wandb_infra"}
    infra = stack["module"]["wandb_infra"]
    assert infra["version"] == "4.7.2"
    for key, value in {
        "size": "small",
        "enable_dummy_dns": True,
        "enable_operator_alb": True,
        "custom_domain_filter": "sandbox-aws.wandb.ml",
        "license": "${local.license}",
        "eks_cluster_version": "1.25",
    }.items():
        assert infra[key] == value, key


def test_post_operator_providers_authenticate_with_exec(synthesized):
    """The default kubernetes_auth = "exec": a fresh token for every plan and apply, no token
    data source (tests/test_kubernetes_auth.py has the guide's token-and-exec form)."""
    providers = synthesized["post_operator"]["provider"]
    exec_block = {
        "api_version": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", "${data.aws_eks_cluster.eks_cluster_id.name}", "--region", "eu-central-1"],
    }
    (kubernetes,) = providers["kubernetes"]
    (helm,) = providers["helm"]
    assert "token" not in kubernetes and "token" not in helm["kubernetes"]
    assert kubernetes["exec"] == [exec_block]
    assert helm["kubernetes"]["exec"] == exec_block
    assert set(synthesized["post_operator"]["data"]) == {"aws_eks_cluster"}


def test_provider_constraints_follow_the_release(synthesized):
    pre = synthesized["pre_operator"]["terraform"]["required_providers"]
    post = synthesized["post_operator"]["terraform"]["required_providers"]
    assert pre["aws"]["version"] == "~> 3.60"
    assert post["aws"]["version"] == "~> 4.0"
    assert "helm" not in pre
    assert post["helm"]["version"] == "< 3.0.0"


def addresses(stack: dict) -> set[str]:
    """The Terraform addresses a stack declares: modules, data sources, resources, providers,
    outputs, and the variables the configuration reads (the settings file's other keys are
    declared unused, only so that Terraform takes the file as a var file)."""
    found = {f"module.{name}" for name in stack.get("module", {})}
    for kind, named in stack.get("data", {}).items():
        found |= {f"data.{kind}.{name}" for name in named}
    for kind, named in stack.get("resource", {}).items():
        found |= {f"{kind}.{name}" for name in named}
    found |= {f"provider.{name}" for name in stack.get("provider", {})}
    found |= {f"output.{name}" for name in stack.get("output", {})}
    text = json.dumps({k: v for k, v in stack.items() if k != "variable"})
    found |= {f"var.{name}" for name in stack.get("variable", {}) if f"var.{name}" in text}
    return found


def test_migration_keeps_the_state_and_its_addresses(synthesized):
    pre, post = synthesized["pre_operator"], synthesized["post_operator"]
    before, after = addresses(pre), addresses(post)
    assert before - after == {"module.wandb_app"}
    assert after - before == {"provider.helm"}
    assert before & after == {
        "module.wandb_infra",
        "data.aws_eks_cluster.eks_cluster_id",
        "provider.aws",
        "provider.kubernetes",
        "output.url",
        "output.bucket",
        "var.license",
    }
    assert pre["terraform"]["backend"] == post["terraform"]["backend"]
    assert pre["//"]["metadata"]["stackName"] == post["//"]["metadata"]["stackName"] == "wandb"


def test_recommended_layout_shares_the_persistent_addresses(tmp_path, synthesized):
    settings = {k: v for k, v in POST_OPERATOR.items() if k not in ("wandb_infra_version", "enable_dummy_dns", "enable_operator_alb")}
    settings.update(allowed_inbound_cidr=["0.0.0.0/0"], allowed_inbound_ipv6_cidr=["::/0"])
    recommended = synth_app(settings, tmp_path)["wandb"]
    assert addresses(recommended) == addresses(synthesized["post_operator"])


@pytest.mark.parametrize(
    "settings, setting, words",
    [
        ({**PRE_OPERATOR, "size": "small"}, "size", ["not an input of wandb/wandb/aws 1.16.10", "4.7.2"]),
        ({**POST_OPERATOR, "wandb_version": "0.51.2"}, "wandb_version", ["only by the pre-operator layout", "release channel"]),
        (
            {k: v for k, v in POST_OPERATOR.items() if k != "eks_cluster_version"},
            "eks_cluster_version",
            ["required by wandb/wandb/aws 4.7.2", "current version", "1.25"],
        ),
        (
            {**POST_OPERATOR, "wandb_infra_version": "9.0.0"},
            "wandb_infra_version",
            ['"~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"'],
        ),
        (
            {k: v for k, v in PRE_OPERATOR.items() if k != "wandb_infra_version"},
            "wandb_infra_version",
            ["is not set", "`wandb_version`", 'add wandb_infra_version = "1.16.10"'],
        ),
        (
            {k: v for k, v in POST_OPERATOR.items() if k != "wandb_infra_version"},
            "wandb_infra_version",
            ["is not set", "post-operator layout", 'add wandb_infra_version = "4.7.2"'],
        ),
        ({**PRE_OPERATOR, "wandb_app_version": "2.0.0"}, "wandb_app_version", ['"1.12.0", "~> 1.0"']),
        ({**POST_OPERATOR, "wandb_infra_version": "~> 7.0"}, "enable_dummy_dns", ["not an input of wandb/wandb/aws ~> 7.0", "4.7.2"]),
        ({**POST_OPERATOR, "size": "tiny"}, "size", ["not a size the module defines"]),
        ({**PRE_OPERATOR, "enable_operator_alb": "yes"}, "enable_operator_alb", ["not an input of wandb/wandb/aws 1.16.10"]),
    ],
    ids=[
        "size_pre",
        "wandb_version_post",
        "cluster_version_post",
        "infra_version",
        "guide_pre_operator_file_as_it_is",
        "guide_post_operator_file_as_it_is",
        "app_version",
        "operator_var_in_7x",
        "size_post",
        "operator_var_pre",
    ],
)
def test_bad_settings_for_each_release(tmp_path, settings, setting, words):
    settings_file = tmp_path / "guide.tfvars"
    settings_file.write_text(to_hcl(settings))
    result = run_main(settings_file, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"guide.tfvars: setting `{setting}`" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def _differences(a, b, path=""):
    """Leaf-level differences between two JSON documents, ignoring construct metadata."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key == "//":
                continue
            out += _differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return out
    if a != b:
        return [(path, copy.deepcopy(a), copy.deepcopy(b))]
    return []


def test_differences_helper_sees_changes():
    assert _differences({"a": {"b": 1}}, {"a": {"b": 2}}) == [("a.b", 1, 2)]
    assert json.dumps(_differences({"x": 1}, {"x": 1})) == "[]"
