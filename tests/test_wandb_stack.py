"""Stack `wandb`, recommended layout: snapshots of the guide's four deployment options and the
rules each synthesized block must follow."""

from __future__ import annotations

import json

import pytest
from helpers import GUIDE_SETTINGS, PROJECT_ROOT, SENTINEL_LICENSE, synth_app

VARIANTS = {
    "default": {},
    "redis_off": {"create_elasticache": False},
    "external_queue": {"use_internal_queue": False},
    "redis_off_external_queue": {"create_elasticache": False, "use_internal_queue": False},
}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """Every variant synthesized once for the whole module: {variant: (outdir, {stack: json})}."""
    out = {}
    for name, overrides in VARIANTS.items():
        outdir = tmp_path_factory.mktemp(name)
        out[name] = (outdir, synth_app({**GUIDE_SETTINGS, **overrides}, outdir))
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_snapshot(synthesized, variant, json_snapshot):
    assert synthesized[variant][1]["wandb"] == json_snapshot


def wandb(synthesized, variant="default"):
    return synthesized[variant][1]["wandb"]


def test_module_is_the_guides(synthesized):
    module = wandb(synthesized)["module"]["wandb_infra"]
    assert module["source"] == "wandb/wandb/aws"
    assert module["version"] == "~> 7.0"
    for key, value in {
        "namespace": "wandb",
        "domain_name": "wandb.ml",
        "subdomain": "wandb-aws",
        "zone_id": "Z032246913CW32RVRY0WU",
        "allowed_inbound_cidr": ["0.0.0.0/0"],
        "allowed_inbound_ipv6_cidr": ["::/0"],
        "public_access": True,
        "external_dns": True,
        "kubernetes_public_access": True,
        "kubernetes_public_access_cidrs": ["0.0.0.0/0"],
        "eks_cluster_version": "1.29",
    }.items():
        assert module[key] == value, key


def test_license_is_read_from_the_settings_file_at_deploy_time(synthesized):
    """The module gets `local.license`: the settings file's `license` or `wandb_license`, decoded by
    Terraform itself, else the sensitive variable (TF_VAR_license). tests/test_settings_file_terraform.py
    runs it in real Terraform."""
    stack = wandb(synthesized)
    assert stack["module"]["wandb_infra"]["license"] == "${local.license}"
    decoded = 'provider::terraform::decode_tfvars(file("../../../test.tfvars"))'
    assert stack["locals"]["license"] == f"${{sensitive(try({decoded}.license, {decoded}.wandb_license, var.license))}}"
    # The built-in provider its function needs is declared beside cdk.tf.json, in an override file the
    # cdktf CLI does not read (it requires a version on every required_providers entry; Terraform
    # refuses one on a built-in provider).
    assert "terraform" not in stack["terraform"]["required_providers"]
    override = json.loads((synthesized["default"][0] / "stacks" / "wandb" / "builtin_providers_override.tf.json").read_text())
    assert override == {"terraform": {"required_providers": {"terraform": {"source": "terraform.io/builtin/terraform"}}}}
    variable = stack["variable"]["license"]
    assert (variable["sensitive"], variable["type"], variable["default"]) == (True, "string", None)


def test_every_key_of_the_settings_file_is_declared(synthesized):
    """The cdktf CLI passes terraform.tfvars as a var file: no "undeclared variable" warnings."""
    stack = wandb(synthesized)
    assert set(GUIDE_SETTINGS) <= set(stack["variable"])
    assert stack["variable"]["namespace"] == {"default": None, "description": stack["variable"]["namespace"]["description"]}


def test_license_appears_in_no_synthesized_file(synthesized):
    for variant, (outdir, _) in synthesized.items():
        files = [p for p in outdir.rglob("*") if p.is_file()]
        assert files, variant
        for path in files:
            assert SENTINEL_LICENSE not in path.read_text(errors="replace"), f"{variant}: {path}"


@pytest.mark.parametrize(
    "variant, redis, internal_queue",
    [
        ("default", True, True),
        ("redis_off", False, True),
        ("external_queue", True, False),
        ("redis_off_external_queue", False, False),
    ],
)
def test_options_are_explicit(synthesized, variant, redis, internal_queue):
    module = wandb(synthesized, variant)["module"]["wandb_infra"]
    assert module["create_elasticache"] is redis
    assert module["use_internal_queue"] is internal_queue


def test_eks_data_sources_keep_the_guides_addresses(synthesized):
    """The cluster's endpoint and CA from the guide's data source; no token data source: the
    providers fetch a fresh token with `aws eks get-token` (kubernetes_auth = "exec", the default)."""
    data = wandb(synthesized)["data"]
    assert set(data) == {"aws_eks_cluster"}
    assert set(data["aws_eks_cluster"]) == {"eks_cluster_id"}
    assert data["aws_eks_cluster"]["eks_cluster_id"]["name"] == "${module.wandb_infra.cluster_name}"


def test_kubernetes_and_helm_providers_are_wired_from_the_cluster(synthesized):
    providers = wandb(synthesized)["provider"]
    exec_block = {
        "api_version": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", "${data.aws_eks_cluster.eks_cluster_id.name}", "--region", "eu-central-1"],
    }
    expected = {
        "host": "${data.aws_eks_cluster.eks_cluster_id.endpoint}",
        "cluster_ca_certificate": "${base64decode(data.aws_eks_cluster.eks_cluster_id.certificate_authority[0].data)}",
    }
    assert providers["kubernetes"] == [{**expected, "exec": [exec_block]}]
    assert providers["helm"] == [{"kubernetes": {**expected, "exec": exec_block}}]


def test_aws_provider_has_region_and_default_tags(synthesized):
    (aws,) = wandb(synthesized)["provider"]["aws"]
    assert aws["region"] == "eu-central-1"
    assert aws["default_tags"] == [{"tags": {"Application": "wandb", "ManagedBy": "cdktf"}}]


def test_default_tags_setting_adds_to_the_apps_tags(tmp_path):
    stack = synth_app({**GUIDE_SETTINGS, "region": "us-west-2", "default_tags": {"Team": "ml", "ManagedBy": "platform"}}, tmp_path)["wandb"]
    (aws,) = stack["provider"]["aws"]
    assert aws["region"] == "us-west-2"
    assert aws["default_tags"] == [{"tags": {"Application": "wandb", "ManagedBy": "platform", "Team": "ml"}}]


def test_outputs_url_and_bucket(synthesized):
    outputs = wandb(synthesized)["output"]
    assert set(outputs) == {"url", "bucket"}
    assert outputs["url"]["value"] == "${module.wandb_infra.url}"
    assert outputs["bucket"]["value"] == "${module.wandb_infra.bucket_name}"


def test_module_inputs_pass_through_under_their_own_names(tmp_path):
    stack = synth_app({**GUIDE_SETTINGS, "size": "medium", "deletion_protection": False, "kubernetes_public_access": False}, tmp_path)[
        "wandb"
    ]
    module = stack["module"]["wandb_infra"]
    assert module["size"] == "medium"
    assert module["deletion_protection"] is False
    assert module["kubernetes_public_access"] is False


def test_wandb_license_is_the_same_setting_as_license(tmp_path):
    settings = {k: v for k, v in GUIDE_SETTINGS.items() if k != "license"}
    stack = synth_app({**settings, "wandb_license": SENTINEL_LICENSE}, tmp_path)["wandb"]
    assert stack["module"]["wandb_infra"]["license"] == "${local.license}"
    assert SENTINEL_LICENSE not in json.dumps(stack)


def test_local_state_lives_outside_cdktf_out_with_no_absolute_path(synthesized):
    outdir, stacks = synthesized["default"]
    stack = stacks["wandb"]
    assert stack["terraform"]["backend"] == {"local": {"path": "../../../terraform.wandb.tfstate"}}
    text = json.dumps(stack)
    assert str(outdir) not in text
    assert str(PROJECT_ROOT) not in text


def test_remote_state_is_s3_encrypted_and_locked(tmp_path):
    stack = synth_app({**GUIDE_SETTINGS, "state_bucket": "acme-tf-state", "state_key": "ml/wandb.tfstate"}, tmp_path)["wandb"]
    assert stack["terraform"]["backend"] == {
        "s3": {"bucket": "acme-tf-state", "key": "ml/wandb.tfstate", "region": "eu-central-1", "encrypt": True, "use_lockfile": True}
    }


def test_remote_state_can_lock_with_dynamodb(tmp_path):
    stack = synth_app(
        {**GUIDE_SETTINGS, "state_bucket": "acme-tf-state", "state_region": "us-east-1", "state_lock_table": "tf-locks"}, tmp_path
    )["wandb"]
    backend = stack["terraform"]["backend"]["s3"]
    assert backend["dynamodb_table"] == "tf-locks"
    assert backend["region"] == "us-east-1"
    assert "use_lockfile" not in backend


def test_size_null_is_the_module_default(tmp_path):
    """`size = null` is the module's own default where `size` exists; it is written as null."""
    stack = synth_app({**GUIDE_SETTINGS, "size": None}, tmp_path)["wandb"]
    assert stack["module"]["wandb_infra"]["size"] is None
