"""Bad settings: one clear message naming the file and the setting, exit code 2, no traceback,
no output written. Each case runs the real entry point (`python main.py`, as `cdktf synth`
does); the error path does not import the provider bindings, so each run takes well under a
second."""

from __future__ import annotations

import pytest
from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, run_main, to_hcl

GUIDE_WITHOUT = lambda *keys: {k: v for k, v in GUIDE_SETTINGS.items() if k not in keys}  # noqa: E731

# (case id, settings file text, setting named in the message, words the message must contain)
CASES = [
    ("malformed_hcl", 'namespace = "wandb\nzone_id = \n', None, ["not valid HCL", "line"]),
    ("unclosed_list", to_hcl(GUIDE_SETTINGS).replace('["0.0.0.0/0"]', '["0.0.0.0/0"'), None, ["not valid HCL"]),
    ("block_in_tfvars", to_hcl(GUIDE_SETTINGS) + 'module "x" {\n  a = 1\n}\n', "module", ["blocks are not allowed"]),
    ("expression", to_hcl(GUIDE_SETTINGS) + "size = var.size\n", "size", ["literal values"]),
    ("duplicate_key", to_hcl(GUIDE_SETTINGS) + 'namespace = "again"\n', "namespace", ["more than once"]),
    (
        "unknown_key_guide_typo",
        to_hcl({**GUIDE_SETTINGS, "create_elasticache_subnet": True}),
        "create_elasticache_subnet",
        ["did you mean `create_elasticache`"],
    ),
    ("unknown_key_fuzzy", to_hcl({**GUIDE_SETTINGS, "domian_name": "x.y"}), "domian_name", ["did you mean `domain_name`"]),
    ("unknown_key_nothing_close", to_hcl({**GUIDE_SETTINGS, "frobnicate": 1}), "frobnicate", ["not a known setting"]),
    (
        "string_for_bool",
        to_hcl({**GUIDE_SETTINGS, "create_elasticache": "true"}),
        "create_elasticache",
        ["expected a bool", "got a string"],
    ),
    (
        "string_for_list",
        to_hcl({**GUIDE_SETTINGS, "allowed_inbound_cidr": "0.0.0.0/0"}),
        "allowed_inbound_cidr",
        ["expected a list", "got a string"],
    ),
    (
        "number_for_string",
        to_hcl({**GUIDE_SETTINGS, "eks_cluster_version": 1.29}),
        "eks_cluster_version",
        ["expected a string", "got a number"],
    ),
    ("map_of_wrong_values", to_hcl({**GUIDE_SETTINGS, "default_tags": {"Team": ["a"]}}), "default_tags", ["expected a string at Team"]),
    ("invalid_cidr", to_hcl({**GUIDE_SETTINGS, "allowed_inbound_cidr": ["10.0.0.300/8"]}), "allowed_inbound_cidr", ["not a CIDR block"]),
    ("cidr_without_prefix", to_hcl({**GUIDE_SETTINGS, "allowed_inbound_cidr": ["10.1.2.3"]}), "allowed_inbound_cidr", ["prefix length"]),
    (
        "cidr_host_bits",
        to_hcl({**GUIDE_SETTINGS, "allowed_inbound_cidr": ["10.1.2.3/16"]}),
        "allowed_inbound_cidr",
        ["host bits", "10.1.0.0/16"],
    ),
    (
        "ipv6_in_ipv4_list",
        to_hcl({**GUIDE_SETTINGS, "allowed_inbound_cidr": ["::/0"]}),
        "allowed_inbound_cidr",
        ["IPv6 block", "allowed_inbound_ipv6_cidr"],
    ),
    (
        "ipv4_in_ipv6_list",
        to_hcl({**GUIDE_SETTINGS, "allowed_inbound_ipv6_cidr": ["0.0.0.0/0"]}),
        "allowed_inbound_ipv6_cidr",
        ["IPv4 block", "allowed_inbound_cidr"],
    ),
    (
        "bad_public_access_cidr",
        to_hcl({**GUIDE_SETTINGS, "kubernetes_public_access_cidrs": ["everyone"]}),
        "kubernetes_public_access_cidrs",
        ["not a CIDR block"],
    ),
    ("empty_namespace", to_hcl({**GUIDE_SETTINGS, "namespace": ""}), "namespace", ["must not be empty"]),
    ("namespace_uppercase", to_hcl({**GUIDE_SETTINGS, "namespace": "WandB"}), "namespace", ["lowercase"]),
    (
        "namespace_underscore",
        to_hcl({**GUIDE_SETTINGS, "namespace": "w_and_b"}),
        "namespace",
        ["lowercase letters, digits and single hyphens"],
    ),
    ("namespace_too_long", to_hcl({**GUIDE_SETTINGS, "namespace": "a" * 21}), "namespace", ["21 characters"]),
    ("domain_with_scheme", to_hcl({**GUIDE_SETTINGS, "domain_name": "https://wandb.ml"}), "domain_name", ["not a DNS domain name"]),
    ("domain_single_label", to_hcl({**GUIDE_SETTINGS, "domain_name": "localhost"}), "domain_name", ["not a DNS domain name"]),
    ("zone_id_placeholder", to_hcl({**GUIDE_SETTINGS, "zone_id": "xxxxxxxxxxxxxxxx"}), "zone_id", ["hosted zone id"]),
    (
        "cluster_version_malformed",
        to_hcl({**GUIDE_SETTINGS, "eks_cluster_version": "v1.29.3"}),
        "eks_cluster_version",
        ["Kubernetes minor version"],
    ),
    ("size_undefined", to_hcl({**GUIDE_SETTINGS, "size": "huge"}), "size", ["small, medium, large, xlarge, xxlarge"]),
    ("bad_region", to_hcl({**GUIDE_SETTINGS, "region": "Frankfurt"}), "region", ["AWS region"]),
    ("bad_state_bucket", to_hcl({**GUIDE_SETTINGS, "state_bucket": "My_State"}), "state_bucket", ["S3 bucket name"]),
    ("missing_namespace", to_hcl(GUIDE_WITHOUT("namespace")), "namespace", ["is required"]),
    ("missing_zone_id", to_hcl(GUIDE_WITHOUT("zone_id")), "zone_id", ["is required"]),
    ("missing_cidrs", to_hcl(GUIDE_WITHOUT("allowed_inbound_cidr")), "allowed_inbound_cidr", ["is required"]),
    (
        "missing_cluster_version",
        to_hcl(GUIDE_WITHOUT("eks_cluster_version")),
        "eks_cluster_version",
        ["is required by wandb/wandb/aws ~> 7.0"],
    ),
    ("both_license_names", to_hcl({**GUIDE_SETTINGS, "wandb_license": SENTINEL_LICENSE}), "wandb_license", ["set only one"]),
    ("license_not_a_string", to_hcl({**GUIDE_SETTINGS, "license": 42}), "license", ["expected a string"]),
]


@pytest.mark.parametrize("case, text, setting, words", CASES, ids=[c[0] for c in CASES])
def test_bad_settings_fail_cleanly(tmp_path, case, text, setting, words):
    settings_file = tmp_path / "bad.tfvars"
    settings_file.write_text(text)
    outdir = tmp_path / "cdktf.out"

    result = run_main(settings_file, outdir, cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # one message
    message = lines[0]
    assert message.startswith("error: bad.tfvars: "), message
    if setting:
        assert f"setting `{setting}`" in message
    for word in words:
        assert word in message, message
    assert SENTINEL_LICENSE not in result.stderr + result.stdout
    assert not outdir.exists(), "a failed synth must not write output"


def test_missing_settings_file_is_named(tmp_path):
    result = run_main(tmp_path / "nowhere.tfvars", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "nowhere.tfvars" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_failed_synth_leaves_earlier_output_alone(tmp_path):
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "wandb").mkdir(parents=True)
    previous = outdir / "stacks" / "wandb" / "cdk.tf.json"
    previous.write_text('{"previous": true}')
    settings_file = tmp_path / "bad.tfvars"
    settings_file.write_text(to_hcl({**GUIDE_SETTINGS, "namespace": ""}))

    result = run_main(settings_file, outdir, cwd=tmp_path)

    assert result.returncode == 2
    assert previous.read_text() == '{"previous": true}'
    assert sorted(p.name for p in outdir.rglob("*")) == ["cdk.tf.json", "stacks", "wandb"]
