"""Near misses: for every setting with a rule beyond its type (the `check` of an APP_KEYS entry, the
module-input checks in settings/schema.py), values just outside the rule must be refused with a
SettingsError naming the setting, and values just inside it must be accepted and arrive in the
Settings unchanged. A weakened check (a 1.5-day lifecycle let through as 1, a namespace of 21
characters, a CIDR with host bits) fails here. In-process (`parse_settings`): each case takes a
millisecond.

A new checked setting needs its rows here: `test_every_checked_key_has_near_misses_and_a_valid_boundary`
fails until it has them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from helpers import GUIDE_SETTINGS

from release_catalog import layouts
from settings import APP_KEYS, Settings, SettingsError, parse_settings
from settings.schema import ALIASES, MODULE_INPUT_CHECKS
from settings.tftypes import type_error

FILE = "near-miss.tfvars"

# The guide's pre-operator settings: the keys only that layout takes are tried on it.
PRE_OPERATOR = {**{k: v for k, v in GUIDE_SETTINGS.items() if k != "eks_cluster_version"}, "wandb_infra_version": "1.16.10"}
# Remote state settings mean something only with a state bucket.
REMOTE_STATE = {**GUIDE_SETTINGS, "state_bucket": "acme-tf-state"}
BASE_FOR: Mapping[str, Mapping[str, Any]] = {
    "wandb_version": PRE_OPERATOR,
    "wandb_image": PRE_OPERATOR,
    "wandb_app_version": PRE_OPERATOR,
    **dict.fromkeys(("state_key", "state_region", "state_lock_table", "state_role_arn", "state_profile", "state_kms_key_id"), REMOTE_STATE),
}
# HCP settings: on settings that use HCP Terraform, with stack hcp-workspaces (an agent pool on agents).
HCP = {
    **GUIDE_SETTINGS,
    "kubernetes_auth": "token",
    "hcp_organization": "acme",
    "hcp_manage_workspaces": True,
    "hcp_aws_run_role_policy_arns": ["arn:aws:iam::aws:policy/PowerUserAccess"],
}
BASE_FOR = {
    **BASE_FOR,
    **{name: HCP for name in APP_KEYS if name.startswith("hcp_")},
    "hcp_agent_pool_id": {**HCP, "hcp_execution_mode": "agent"},
    # Without stack hcp-workspaces: its run role means nothing to local runs.
    "hcp_execution_mode": {**GUIDE_SETTINGS, "kubernetes_auth": "token", "hcp_organization": "acme"},
}
RECOMMENDED = layouts.INFRA_RELEASES[layouts.DEFAULT_INFRA_VERSION].release

# Every setting whose value has a rule beyond its Terraform type.
CHECKED_KEYS = frozenset({name for name, key in APP_KEYS.items() if key.check is not None} | set(MODULE_INPUT_CHECKS))

LABEL_63, LABEL_64 = "a" * 63, "a" * 64
DOMAIN_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])

# setting: [(value, why it is just outside the rule[, words the message must hold: the guidance])]
NEAR_MISSES: dict[str, list[tuple[Any, ...]]] = {
    "namespace": [
        ("a" * 21, "21 characters", ["21 characters", "keep it to 20"]),
        ("wandb-", "trailing hyphen"),
        ("wan--db", "double hyphen"),
        ("-wandb", "leading hyphen"),
        ("1wandb", "starts with a digit"),
        ("Wandb", "uppercase"),
        ("wan_db", "underscore"),
        ("wan.db", "dot"),
        ("wandé", "non-ASCII letter"),
        ("wandb\n", "trailing newline"),
        ("", "empty"),
    ],
    "license": [("", "empty"), ("   ", "blank")],
    "kubernetes_auth": [
        ("Exec", "capitalised", ['"exec", "ephemeral", "token"']),
        ("exec ", "trailing space"),
        ("get-token", "the command, not the mode"),
        ("", "empty"),
    ],
    "subdomain": [
        ("wandb-", "trailing hyphen"),
        ("-wandb", "leading hyphen"),
        ("wan_db", "underscore"),
        ("wandb.", "empty label after a dot"),
        (LABEL_64, "label of 64 characters"),
        ("wandb-\u212a", "Kelvin sign, a K only under Unicode case folding"),
        ("wandb\n", "trailing newline"),
        ("", "empty"),
    ],
    "domain_name": [
        ("wandb.ml.", "trailing dot"),
        ("https://wandb.ml", "scheme"),
        ("wandb.ml/", "trailing slash"),
        ("wandb.ml:443", "port"),
        ("localhost", "single label"),
        ("wandb..ml", "empty label"),
        ("-wandb.ml", "label with a leading hyphen"),
        ("*.wandb.ml", "wildcard"),
        (LABEL_64 + ".ml", "label of 64 characters"),
        (DOMAIN_253 + "d", "254 characters"),
        ("wandb.ml\n", "trailing newline"),
    ],
    "zone_id": [
        ("z032246913CW32RVRY0WU", "lowercase z", ["Route 53 hosted zone id"]),
        ("Z032246913cw32rvry0wu", "lowercase id"),
        ("/hostedzone/Z032246913CW32RVRY0WU", "the API's path form"),
        (" Z032246913CW32RVRY0WU", "leading space"),
        ("Z032246913CW32RVRY0WU\n", "trailing newline"),
        ("Z", "no id after the Z"),
        ("Z" + "A" * 32, "33 characters"),
    ],
    "allowed_inbound_cidr": [
        (["10.0.0.1/8"], "host bits set", ["host bits", "'10.0.0.0/8'"]),
        (["0.0.0.0/0", "10.0.0.1/8"], "the second block has host bits set"),
        (["::/0"], "IPv6 block in the IPv4 list", ["belongs in `allowed_inbound_ipv6_cidr`"]),
        (["10.0.0.0"], "no prefix length", ["give a prefix length"]),
        (["10.0.0.0/33"], "prefix length 33"),
        (["10.0.0.0/255.0.0.0"], "netmask instead of a prefix length", ["not a netmask"]),
        (["10.0.0.0/08"], "zero-padded prefix length"),
        (["010.0.0.0/8"], "zero-padded octet"),
        (["10.0.0.0/8 "], "trailing space"),
    ],
    "allowed_inbound_ipv6_cidr": [
        (["0.0.0.0/0"], "IPv4 block in the IPv6 list", ["belongs in `allowed_inbound_cidr`"]),
        (["2001:db8::1/32"], "host bits set"),
        (["2001:db8::/129"], "prefix length 129"),
        (["2001:db8::"], "no prefix length"),
        (["2001:db8::%eth0/32"], "zone index"),
        (["::/0", "2001:db8::1/32"], "the second block has host bits set"),
    ],
    "eks_cluster_version": [
        ("1.29.3", "patch version", ["Kubernetes minor version"]),
        ("v1.29", "v prefix"),
        ("1.0", "minor 0"),
        ("1.05", "zero-padded minor"),
        ("1.100", "three-digit minor"),
        ("2.0", "major 2"),
        ("1", "no minor"),
        ("1.29 ", "trailing space"),
        ("1.29\n", "trailing newline"),
        (1.29, "a number, not a string"),
    ],
    "region": [
        ("eu-central", "no number", ["AWS region"]),
        ("eu-central-", "trailing hyphen"),
        ("eu-central-1a", "an availability zone"),
        ("eu-central-10", "two-digit number"),
        ("EU-CENTRAL-1", "uppercase"),
        ("eu_central_1", "underscores"),
        ("eucentral-1", "one hyphen"),
        ("Frankfurt", "a city"),
        ("eu-central-1\n", "trailing newline"),
    ],
    "default_tags": [
        ({"": "x"}, "empty key"),
        ({"k" * 129: "x"}, "key of 129 characters"),
        ({"aws:team": "x"}, "key with the reserved aws: prefix", ["not starting with 'aws:'"]),
        ({"AWS:team": "x"}, "reserved prefix in uppercase"),
        ({"Team": "v" * 257}, "value of 257 characters", ["longer than 256"]),
        ({"Team": ["a"]}, "a list as a value"),
        ({"Team": 1}, "a number as a value"),
    ],
    "wandb_version": [("", "empty"), ("  ", "blank")],
    "wandb_image": [("", "empty"), ("  ", "blank")],
    "state_bucket": [
        ("ab", "2 characters"),
        ("a" * 64, "64 characters"),
        ("My-state", "uppercase"),
        ("my_state", "underscore"),
        ("-state", "leading hyphen"),
        ("state-", "trailing hyphen"),
        ("my..state", "two dots"),
        ("192.168.1.1", "an IP address", ["formatted as an IP address"]),
        ("s3://my-state", "a URL"),
        ("xn--state", "reserved prefix xn--"),
        ("sthree-state", "reserved prefix sthree-"),
        ("amzn-s3-demo-state", "reserved prefix amzn-s3-demo-"),
        ("state-s3alias", "reserved suffix -s3alias"),
        ("state--ol-s3", "reserved suffix --ol-s3"),
        ("state.mrap", "reserved suffix .mrap"),
        ("state--x-s3", "reserved suffix --x-s3"),
        ("state--table-s3", "reserved suffix --table-s3"),
        ("my-state\n", "trailing newline"),
    ],
    "state_key": [("/wandb/terraform.tfstate", "leading slash"), ("wandb/", "trailing slash"), ("", "empty"), ("  ", "blank")],
    "state_region": [("eu-central-1a", "an availability zone"), ("eu-central", "no number")],
    "state_role_arn": [
        ("terraform-state", "a role name, not an ARN"),
        ("arn:aws:iam::12345678901:role/tf", "11-digit account"),
        ("arn:aws:iam::123456789012:user/tf", "a user"),
        ("arn:aws:iam::123456789012:role/tf\n", "trailing newline"),
    ],
    "state_profile": [("my profile", "space"), ("", "empty"), ("a" * 129, "129 characters")],
    "state_kms_key_id": [
        ("1234abcd-12ab-34cd-56ef-1234567890ab", "a key id, not an ARN"),
        ("arn:aws:kms:eu-central-1:123456789012:secret/x", "not a key or alias"),
        ("arn:aws:s3:::bucket", "another service"),
    ],
    "state_lock_table": [
        ("ab", "2 characters"),
        ("a" * 256, "256 characters"),
        ("my table", "space"),
        ("locks:1", "colon"),
        ("locks\n", "trailing newline"),
    ],
    "storage_bucket_name": [
        ("my.files.bucket", "dots (fine for S3, not for browsers over HTTPS)", ["contains dots"]),
        ("ab", "2 characters"),
        ("a" * 64, "64 characters"),
        ("My-files", "uppercase"),
        ("files-s3alias", "reserved suffix -s3alias"),
    ],
    "storage_queue_name": [
        ("events.fifo", "a FIFO queue", ["FIFO", "standard queue"]),
        ("a" * 81, "81 characters"),
        ("my queue", "space"),
        ("my.queue", "dot"),
        ("arn:aws:sqs:eu-central-1:123456789012:events", "an ARN"),
        ("https://sqs.eu-central-1.amazonaws.com/123456789012/events", "a queue URL"),
        ("", "empty"),
        ("events\n", "trailing newline"),
    ],
    "storage_cors_origins": [
        ([], "no origin", ["at least one origin"]),
        (["*"], "every origin", ["every web site"]),
        (["https://wandb.example.com/"], "trailing slash", ['remove the path or trailing slash: "https://wandb.example.com"']),
        (["https://wandb.example.com/files"], "a path"),
        (["wandb.example.com"], "no scheme", ['add the scheme: "https://wandb.example.com"']),
        (["ftp://wandb.example.com"], "not http(s)"),
        (["https://*.*.example.com"], "two wildcards", ["more than one '*'"]),
        (["https://wandb.example.com:0"], "port 0"),
        (["https://wandb.example.com:65536"], "port 65536", ["outside 1-65535"]),
        (["https://wandb.example.com:"], "empty port"),
        (["https://wandb..example.com"], "empty label"),
        (["https://user@wandb.example.com"], "user info"),
        (["https://wandb.example.com?x=1"], "query"),
        (["https://\u212a.example.com"], "Kelvin sign"),
        (["https://wandb.example.com\n"], "trailing newline"),
        (["https://ok.example.com", "http://bad.example.com/"], "the second origin has a trailing slash"),
    ],
    "storage_node_role_name": [
        ("arn:aws:iam::123456789012:role/wandb-node", "a role ARN", ["is an ARN", 'the part after "role/"']),
        ("role/wandb-node", "path form"),
        ("a" * 65, "65 characters"),
        ("wandb node", "space"),
        ("wandé", "non-ASCII letter"),
        ("wandb\n", "trailing newline"),
        ("", "empty"),
    ],
    "storage_noncurrent_version_days": [
        (1.5, "a day and a half", ["not a whole number of days"]),
        (0.999, "just under a day"),
        (0, "zero days", ["1 or more"]),
        (-1, "negative"),
        ("30", "a string, not a number", ["expected a number, got a string"]),
        (True, "a bool, not a number"),
    ],
    # Module inputs of wandb/wandb/aws with a check beyond their type.
    "kubernetes_public_access_cidrs": [
        (["10.0.0.1/8"], "host bits set"),
        (["everyone"], "not a CIDR block"),
        (["10.0.0.0"], "no prefix length"),
        (["10.0.0.0/8", "2001:db8::1/32"], "the second block has host bits set"),
    ],
    "bucket_name": [
        ("My_Bucket", "uppercase and underscore"),
        ("ab", "2 characters"),
        ("a..b", "two dots"),
        ("sthree-files", "reserved prefix"),
    ],
    "size": [
        ("Small", "capitalized"),
        ("huge", "not a size the module defines", ["small, medium, large, xlarge, xxlarge"]),
        ("", "empty"),
        ("small ", "trailing space"),
    ],
    # Not a `check`, but a rule of its own in parse_settings: the supported releases.
    "wandb_infra_version": [
        ("7.18.1", "an older 7.x release", ['"~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"']),
        ("~> 8.1", "a constraint no release matches"),
        ("8.0", "a release without its patch"),
        ("~> 7.1", "another constraint"),
        ("1.16.9", "a patch off"),
    ],
    "wandb_app_version": [("1.12.1", "a patch off"), ("~> 1.1", "another constraint")],
    "hcp_organization": [("acme ml", "space"), ("acme.ml", "dot"), ("", "empty"), ("acmé", "non-ASCII letter"), ("acme\n", "newline")],
    "hcp_hostname": [
        ("https://app.terraform.io", "scheme", ["no scheme"]),
        ("app.terraform.io/", "trailing slash"),
        ("App.terraform.io", "uppercase"),
        ("terraform", "one label"),
        ("tfe.example.com:", "empty port"),
        ("-tfe.example.com", "leading hyphen"),
    ],
    "hcp_project": [
        ("ab", "2 characters"),
        ("p" * 41, "41 characters"),
        (" wandb", "leading space"),
        ("wandb ", "trailing space"),
        ("w/b", "slash"),
    ],
    "hcp_workspace_prefix": [("wandb.", "dot"), ("wandb ", "space"), ("wandé-", "non-ASCII letter")],
    "hcp_workspace_tags": [
        (["Env"], "uppercase"),
        (["env:"], "ends with a colon"),
        ([":env"], "starts with a colon"),
        (["a", "a"], "twice", ["twice"]),
        (["t" * 256], "256 characters", ["at most 255"]),
        ([""], "empty"),
    ],
    "hcp_execution_mode": [("Remote", "capitalized"), ("cli", "not a mode"), ("remote ", "trailing space")],
    "hcp_terraform_version": [("1.11", "no patch"), ("v1.11.4", "a v"), ("latest", "a word"), (">= 1.10.0", "another operator")],
    "hcp_aws_run_role_policy_arns": [
        (["arn:aws:iam::aws:role/PowerUserAccess"], "a role"),
        (["PowerUserAccess"], "a name"),
        (["arn:aws:iam::12345678901:policy/x"], "11-digit account"),
    ],
    "hcp_aws_oidc_provider_arn": [("app.terraform.io", "a host"), ("arn:aws:iam::123456789012:role/x", "a role")],
    "hcp_agent_pool_id": [("apool-short", "too short"), ("pool-ZjT6A7mVFm5WHT5a", "no apool- prefix")],
}

# setting: [values just inside the rule]
VALID: dict[str, list[Any]] = {
    "namespace": ["a" * 20, "a", "w1-2-3"],
    "license": ["x"],
    "subdomain": [LABEL_63, "w", "eu.wandb", "wandb-1"],
    "domain_name": [DOMAIN_253, LABEL_63 + ".ml", "a.b", "WandB.Example.com"],
    "zone_id": ["Z1", "Z" + "A" * 31, "Z032246913CW32RVRY0WU"],
    "allowed_inbound_cidr": [[], ["0.0.0.0/0"], ["10.0.0.0/8", "192.168.1.1/32"]],
    "allowed_inbound_ipv6_cidr": [[], ["::/0"], ["2001:db8::/32", "2001:db8::1/128"]],
    "eks_cluster_version": ["1.10", "1.25", "1.32"],  # the default 7.x nodes (Amazon Linux 2) stop at 1.32
    "kubernetes_auth": ["exec", "token"],  # "ephemeral": 8.x only (tests/test_kubernetes_auth.py)
    "region": ["us-east-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "il-central-1"],
    "default_tags": [{}, {"k" * 128: "v" * 256}, {"awsteam": "", "Team": "ml"}],
    "wandb_version": ["0.51.2"],
    "wandb_image": ["wandb/local"],
    "state_bucket": ["abc", "a" * 63, "my.state.bucket", "1-state"],
    "state_key": ["a", "wandb/terraform.tfstate"],
    "state_region": ["us-east-1"],
    "state_role_arn": ["arn:aws:iam::123456789012:role/terraform-state", "arn:aws-us-gov:iam::123456789012:role/path/tf_1"],
    "state_profile": ["default", "a" * 128, "team.prod-admin"],
    "state_kms_key_id": [
        "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:eu-central-1:123456789012:alias/terraform-state",
    ],
    "state_lock_table": ["abc", "a" * 255, "A_b-c.d"],
    "storage_bucket_name": ["abc", "a" * 63, "my-files-123"],
    "storage_queue_name": ["a", "a" * 80, "A_b-1"],
    "storage_cors_origins": [
        ["https://wandb.example.com"],
        ["http://localhost:8080"],
        ["https://*.example.com"],
        ["https://wandb.example.com:65535", "https://w.example.com:1"],
    ],
    "storage_node_role_name": ["a", "a" * 64, "wandb_node+=,.@-"],
    "storage_noncurrent_version_days": [1, 1.0, 30, 36500],
    "kubernetes_public_access_cidrs": [[], ["10.0.0.0/8", "2001:db8::/32"]],
    "bucket_name": ["", "abc", "my.existing.bucket"],
    "size": ["small", "xxlarge", None],
    "wandb_infra_version": ["~>7.0", "4.7.2"],
    "wandb_app_version": ["1.12.0", "~>1.0"],
    "hcp_organization": ["a", "acme_ML-2"],
    "hcp_hostname": ["app.terraform.io", "tfe.example.com:8443", "a.b"],
    "hcp_project": ["abc", "p" * 40, "ML platform", "a-b_c"],
    "hcp_workspace_prefix": ["", "wandb-", "Team_A-"],
    "hcp_workspace_tags": [[], ["a"], ["env:prod", "team_ml", "t" * 255]],
    "hcp_execution_mode": ["remote", "local"],  # "agent": with hcp_agent_pool_id's rows
    "hcp_terraform_version": ["1.11.4", "~> 1.11.0", "~>1.10.5"],
    "hcp_aws_run_role_policy_arns": [["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws-us-gov:iam::123456789012:policy/path/x"]],
    "hcp_aws_oidc_provider_arn": ["arn:aws:iam::123456789012:oidc-provider/app.terraform.io"],
    "hcp_agent_pool_id": ["apool-ZjT6A7mVFm5WHT5a"],
}

# Where each setting ends up in Settings.
ARRIVES: dict[str, Callable[[Settings], Any]] = {
    "namespace": lambda s: s.namespace,
    "license": lambda s: s.license,
    "subdomain": lambda s: s.subdomain,
    "domain_name": lambda s: s.domain_name,
    "zone_id": lambda s: s.zone_id,
    "allowed_inbound_cidr": lambda s: list(s.allowed_inbound_cidr),
    "allowed_inbound_ipv6_cidr": lambda s: list(s.allowed_inbound_ipv6_cidr),
    "eks_cluster_version": lambda s: s.eks_cluster_version,
    "region": lambda s: s.region,
    "kubernetes_auth": lambda s: s.kubernetes_auth.value,
    "default_tags": lambda s: dict(s.default_tags),
    "wandb_version": lambda s: s.wandb_version,
    "wandb_image": lambda s: s.wandb_image,
    "state_bucket": lambda s: s.state.bucket,
    "state_key": lambda s: s.state.key,
    "state_region": lambda s: s.state.region,
    "state_lock_table": lambda s: s.state.lock_table,
    "state_role_arn": lambda s: s.state.role_arn,
    "state_profile": lambda s: s.state.profile,
    "state_kms_key_id": lambda s: s.state.kms_key_id,
    "storage_bucket_name": lambda s: s.storage.bucket_name,
    "storage_queue_name": lambda s: s.storage.queue_name,
    "storage_cors_origins": lambda s: list(s.storage.cors_origins),
    "storage_node_role_name": lambda s: s.storage.node_role_name,
    "storage_noncurrent_version_days": lambda s: s.storage.noncurrent_version_days,
    "wandb_infra_version": lambda s: s.infra.release.constraint.replace(" ", ""),
    "wandb_app_version": lambda s: s.app_version.replace(" ", ""),
    "hcp_organization": lambda s: s.hcp.organization,
    "hcp_hostname": lambda s: s.hcp.hostname,
    "hcp_project": lambda s: s.hcp.project,
    "hcp_workspace_prefix": lambda s: s.hcp.workspace_prefix,
    "hcp_workspace_tags": lambda s: list(s.hcp.workspace_tags),
    "hcp_execution_mode": lambda s: s.hcp.execution_mode,
    "hcp_terraform_version": lambda s: s.hcp.terraform_version,
    "hcp_aws_run_role_policy_arns": lambda s: list(s.hcp.aws_run_role_policy_arns),
    "hcp_aws_oidc_provider_arn": lambda s: s.hcp.aws_oidc_provider_arn,
    "hcp_agent_pool_id": lambda s: s.hcp.agent_pool_id,
}


def own_rule(name: str, value: Any) -> str | None:
    """What the setting's own type and check say about `value` (None: nothing against it)."""
    if name in APP_KEYS:
        tf_type, check = APP_KEYS[name].type, APP_KEYS[name].check
    else:
        tf_type, check = RECOMMENDED.variables[name].type, MODULE_INPUT_CHECKS.get(name)
    return type_error(value, tf_type) or (check(value) if check is not None else None)


def parse_with(name: str, value: Any) -> Settings:
    return parse_settings({**BASE_FOR.get(name, GUIDE_SETTINGS), name: value}, FILE)


NEAR_MISS_CASES = [
    pytest.param(name, value, (*words[0],) if words else (), id=f"{name}: {why}")
    for name, rows in NEAR_MISSES.items()
    for value, why, *words in rows
]
VALID_CASES = [pytest.param(name, value, id=f"{name}={value!r:.40}") for name, values in VALID.items() for value in values]


def test_every_checked_key_has_near_misses_and_a_valid_boundary():
    assert CHECKED_KEYS - set(NEAR_MISSES) == set(), "checked settings without near misses here"
    assert CHECKED_KEYS - set(VALID) == set(), "checked settings without a valid boundary value here"
    assert all(NEAR_MISSES[name] and VALID[name] for name in CHECKED_KEYS)
    # The module-input checks are tried on the recommended release, which must declare them.
    assert all(RECOMMENDED.declares(name) for name in MODULE_INPUT_CHECKS)


@pytest.mark.parametrize("name, value, words", NEAR_MISS_CASES)
def test_near_miss_is_refused_naming_the_setting(name, value, words):
    with pytest.raises(SettingsError) as caught:
        parse_with(name, value)
    err = caught.value
    assert err.setting == name, str(err)
    assert str(err).startswith(f"{FILE}: setting `{name}`: ")
    if name in CHECKED_KEYS:
        # Refused by the setting's own rule (not by something else that happens to refuse it too),
        # and the user reads that rule's sentence.
        rule = own_rule(name, value)
        assert rule is not None, f"{value!r} is not outside the rule of `{name}`: the row tests nothing"
        assert rule in err.message
    for word in words:
        assert word in err.message, str(err)


@pytest.mark.parametrize("name, value", VALID_CASES)
def test_valid_boundary_is_accepted_and_arrives(name, value):
    settings = parse_with(name, value)
    if name in ARRIVES:
        expected = value.replace(" ", "") if name in ("wandb_infra_version", "wandb_app_version") else value
        assert ARRIVES[name](settings) == expected
    else:
        assert settings.module_inputs[name] == value


def test_lifecycle_days_stay_whole():
    """1.0 is a whole number of days and is written as 1, never truncated from something else."""
    settings = parse_with("storage_noncurrent_version_days", 1.0)
    assert settings.storage.noncurrent_version_days == 1 and isinstance(settings.storage.noncurrent_version_days, int)


# --- did you mean ----------------------------------------------------------------------------------

TYPOS = [
    ("deletion_protecton", "deletion_protection"),  # a module input
    ("use_internal_queu", "use_internal_queue"),  # a module input the app also writes
    ("kubernetes_public_acess", "kubernetes_public_access"),  # a module input
    ("storage_bucket_nam", "storage_bucket_name"),  # one of the app's own keys
    ("wandb_licence", "wandb_license"),  # the guide's name for `license`
]


@pytest.mark.parametrize("typo, meant", TYPOS, ids=[t for t, _ in TYPOS])
def test_a_typo_suggests_the_setting_meant(typo, meant):
    with pytest.raises(SettingsError) as caught:
        parse_settings({**GUIDE_SETTINGS, typo: True}, FILE)
    assert caught.value.setting == typo
    assert f"did you mean `{meant}`?" in caught.value.message, str(caught.value)
    if meant not in APP_KEYS and meant not in ALIASES:
        assert RECOMMENDED.declares(meant)  # only the release's inputs can suggest it
