"""Each kind of secret (release_catalog/secret_patterns.py) is caught on its own, on both sides:

- the settings loader refuses a setting other than `license` that holds one, naming the setting
  and never echoing the secret (`python main.py`: exit code 2, nothing written);
- the NO-SECRET-LITERALS rule reports a module input or provider argument that holds one, in a
  hand-built stack, as an error.

Kinds: an AWS access key id (long-term `AKIA...` and temporary `ASIA...`), a private key, a URL with
a password in it, and any value under a name that says secret (`token`, `password`, `license`, ...).
Look-alikes that are not secrets pass both. Every value here is fake and put together at run
time, so no secret scanner flags this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from cdktf import App, TerraformHclModule, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from helpers import GUIDE_SETTINGS, run_main, write_settings

from constructs_lib.rules import Level, check_stack
from constructs_lib.rules import secrets as rule_secrets
from release_catalog import secret_patterns
from settings import SettingsError, parse_settings


def _key_id(prefix: str) -> str:
    return prefix + "Z7" * 8  # 16 more of [A-Z0-9]


AKIA_KEY_ID = _key_id("AK" + "IA")  # a long-term access key id
ASIA_KEY_ID = _key_id("AS" + "IA")  # a temporary (STS) access key id
_PEM = "EC PRIV" + "ATE KEY"
PRIVATE_KEY = "\n".join([f"-----BEGIN {_PEM}-----", "Zm9vYmFy" * 8, f"-----END {_PEM}-----"])
URL_PASSWORD = "fake-" + "pw" * 6
URL_WITH_PASSWORD = "postgres://wandb:" + URL_PASSWORD + "@db.example.com:5432/wandb"
PLAIN = "plain-" + "q" * 12  # a harmless value, a secret only by the name it is under

# (case id, the secret, what the loader and the rule call it, the part that must never be echoed)
VALUE_SECRETS = [
    ("akia_key_id", AKIA_KEY_ID, "an AWS access key id", AKIA_KEY_ID),
    ("asia_key_id", ASIA_KEY_ID, "an AWS access key id", ASIA_KEY_ID),
    ("private_key", PRIVATE_KEY, "a private key", "Zm9vYmFy"),
    ("url_with_password", URL_WITH_PASSWORD, "a URL with a password in it", URL_PASSWORD),
]
VALUE_IDS = [case[0] for case in VALUE_SECRETS]

# Map keys that make their value a secret by their name alone.
SECRET_NAMES = ["token", "password", "license", "api_key", "DB_PASSWORD", "client_secret"]

# Not secrets, though close to one: both sides let them through.
LOOK_ALIKES = {
    "short_key_id": "AK" + "IA" + "Z7" * 7 + "Z",  # 15 characters after AKIA
    "lowercase_key_id": ("AK" + "IA").lower() + "z7" * 8,
    "public_key": "-----BEGIN PUBLIC KEY-----",
    "url_with_user_only": "https://wandb@git.example.com/wandb/local",
    "url_with_port": "https://wandb.example.com:8443/path",
}
LOOK_ALIKE_NAMES = ["tokens_left", "passwords_rotated_by", "Owner"]


def test_every_value_pattern_has_a_case_here():
    assert {case[2] for case in VALUE_SECRETS} == {label for label, _ in secret_patterns.SECRET_VALUE_PATTERNS}


# --- the settings loader ---------------------------------------------------------------------------

# Where a secret can sit in a settings file: (setting, settings value holding `secret`, path in the message).
PLACES = [
    ("default_tags", lambda secret: {"Owner": secret}, "default_tags.Owner"),
    ("state_key", lambda secret: secret, "state_key"),
    ("other_wandb_env", lambda secret: {"GORILLA_X": secret}, "other_wandb_env.GORILLA_X"),  # a module input
]


def refusal(settings: dict[str, Any]) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        parse_settings(settings, "secrets.tfvars")
    return caught.value


@pytest.mark.parametrize("setting, place, path", PLACES, ids=[p[0] for p in PLACES])
@pytest.mark.parametrize("case, secret, kind, hidden", VALUE_SECRETS, ids=VALUE_IDS)
def test_loader_refuses_a_secret_value(case, secret, kind, hidden, setting, place, path):
    err = refusal({**GUIDE_SETTINGS, setting: place(secret)})
    assert err.setting == setting, str(err)
    assert f"{path} looks like {kind};" in err.message, str(err)
    assert hidden not in str(err)


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_loader_refuses_a_map_key_that_names_a_secret(name):
    for setting in ("default_tags", "other_wandb_env"):
        err = refusal({**GUIDE_SETTINGS, setting: {name: PLAIN}})
        assert err.setting == setting, str(err)
        assert f"{setting}.{name} looks like a secret, by its name" in err.message, str(err)
        assert PLAIN not in str(err)


def test_loader_lets_look_alikes_through():
    settings = parse_settings(
        {**GUIDE_SETTINGS, "default_tags": {**LOOK_ALIKES, **dict.fromkeys(LOOK_ALIKE_NAMES, PLAIN)}}, "secrets.tfvars"
    )
    assert dict(settings.default_tags) == {**LOOK_ALIKES, **dict.fromkeys(LOOK_ALIKE_NAMES, PLAIN)}


def test_main_py_exits_2_on_a_temporary_access_key_and_does_not_echo_it(tmp_path):
    settings_file = write_settings(tmp_path, {**GUIDE_SETTINGS, "default_tags": {"Owner": ASIA_KEY_ID}})
    outdir = tmp_path / "cdktf.out"

    result = run_main(settings_file, outdir, cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: terraform.tfvars: setting `default_tags`: default_tags.Owner looks like an AWS access key id")
    assert ASIA_KEY_ID not in result.stderr + result.stdout
    assert not outdir.exists()


# --- the NO-SECRET-LITERALS rule -------------------------------------------------------------------


def _stack(tmp_path) -> TerraformStack:
    app = App(outdir=str(tmp_path / "cdktf.out"), stack_traces=False)
    return TerraformStack(app, "test")


def _module(stack: TerraformStack, inputs: dict[str, Any]) -> None:
    TerraformHclModule(stack, "infra", source="wandb/wandb/aws", version="~> 7.0", variables={"namespace": "wandb", **inputs})


def _errors(stack: TerraformStack) -> list[Any]:
    findings = check_stack(stack, [rule_secrets.NoSecretLiterals()])
    assert all(f.rule_id == "NO-SECRET-LITERALS" and f.level is Level.ERROR for f in findings)
    return findings


@pytest.mark.parametrize("case, secret, kind, hidden", VALUE_SECRETS, ids=VALUE_IDS)
def test_rule_reports_a_secret_value_in_a_module_input(tmp_path, case, secret, kind, hidden):
    stack = _stack(tmp_path)
    _module(stack, {"other_wandb_env": {"GORILLA_X": secret}})
    [finding] = _errors(stack)
    assert finding.path == "test/infra"
    assert f"input `other_wandb_env.GORILLA_X` of module.infra looks like {kind};" in finding.message
    assert hidden not in finding.message


@pytest.mark.parametrize("case, secret, kind, hidden", VALUE_SECRETS, ids=VALUE_IDS)
def test_rule_reports_a_secret_value_in_a_provider_argument(tmp_path, case, secret, kind, hidden):
    stack = _stack(tmp_path)
    AwsProvider(stack, "aws", region="eu-central-1", profile=secret)
    [finding] = _errors(stack)
    assert f"argument `profile` of provider aws looks like {kind};" in finding.message
    assert hidden not in finding.message


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_rule_reports_a_literal_under_a_secret_name(tmp_path, name):
    stack = _stack(tmp_path)
    _module(stack, {"other_wandb_env": {name: PLAIN}})
    [finding] = _errors(stack)
    assert f"input `other_wandb_env.{name}` of module.infra is a literal value for a secret" in finding.message
    assert PLAIN not in finding.message


def test_rule_reports_a_provider_token_by_its_name(tmp_path):
    stack = _stack(tmp_path)
    AwsProvider(stack, "aws", region="eu-central-1", token=PLAIN)
    [finding] = _errors(stack)
    assert "argument `token` of provider aws is a literal value for a secret" in finding.message


def test_rule_lets_look_alikes_and_references_through(tmp_path):
    stack = _stack(tmp_path)
    _module(stack, {"other_wandb_env": {**LOOK_ALIKES, **dict.fromkeys(LOOK_ALIKE_NAMES, PLAIN), "API_TOKEN": "${var.token}"}})
    AwsProvider(stack, "aws", region="eu-central-1", profile=LOOK_ALIKES["url_with_user_only"], token="${var.aws_session_token}")
    assert _errors(stack) == []
