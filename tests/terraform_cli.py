"""Running Terraform (and the cdktf CLI) offline in tests: the aws provider from the local
filesystem mirror, no update checks, and nothing but loopback reachable over HTTP(S)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

# The folder above registry.terraform.io (FACTS.md); WANDB_TF_PLUGIN_MIRROR overrides it.
DEFAULT_MIRROR = "/opt/tf-plugins"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"

# Any HTTP(S) request that is not for loopback goes to a closed loopback port and fails at once.
DEAD_PROXY = "http://127.0.0.1:9"
LOOPBACK = "127.0.0.1,localhost,::1"


def mirror_path() -> Path:
    return Path(os.environ.get("WANDB_TF_PLUGIN_MIRROR", DEFAULT_MIRROR))


def missing_tools() -> str | None:
    """Why Terraform cannot run offline here (a sentence saying what to install), or None."""
    if shutil.which("terraform") is None:
        return "Terraform CLI not on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)"
    provider_dir = mirror_path() / AWS_PROVIDER
    if not any(provider_dir.glob("*/*/terraform-provider-aws_*")):
        return (
            f"no hashicorp/aws provider in the filesystem mirror {mirror_path()}: create it with "
            f"`terraform providers mirror {mirror_path()}` from a configuration requiring hashicorp/aws 5.100.0 "
            "(or set WANDB_TF_PLUGIN_MIRROR to an existing mirror)"
        )
    return None


def skip_or_fail(reason: str | None) -> None:
    """Skips the calling test when a tool is missing, saying what to install; in CI (the `CI`
    environment variable set, as CI systems do) a missing tool fails the test instead, so CI never
    passes without having run it."""
    if reason is None:
        return
    import pytest

    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI is set: this test must run in CI)")
    pytest.skip(reason)


def write_cli_config(folder: Path) -> Path:
    """A Terraform CLI config that installs hashicorp/aws from the mirror and nothing from the network."""
    path = folder / "terraform.tfrc"
    path.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror_path()}"\n'
        f'    include = ["{AWS_PROVIDER}"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{AWS_PROVIDER}"]\n'
        "  }\n"
        "}\n"
    )
    return path


# Variables of the developer's shell that never reach a subprocess: an AWS profile or session, the
# settings file of a real deployment, and any AWS endpoint configuration: AWS_ENDPOINT_URL and every
# AWS_ENDPOINT_URL_<SERVICE> (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS would switch them off), and the aws
# provider's older per-service variables (TF_AWS_STS_ENDPOINT, AWS_STS_ENDPOINT, ... for IAM, S3,
# STS, DynamoDB).
DROPPED = {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "WANDB_TFVARS"}
DROPPED_PATTERN = re.compile(r"AWS_ENDPOINT_URL(_\w+)?|(TF_)?AWS_[A-Z0-9]+_ENDPOINT")


def _dropped(name: str) -> bool:
    return name in DROPPED or DROPPED_PATTERN.fullmatch(name) is not None or name.lower().endswith("_proxy")


def offline_env(cli_config: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for terraform / cdktf subprocesses: the mirror, no checkpoint calls, no
    AWS profile or metadata lookups, no AWS endpoint the developer's shell may set (every
    `AWS_ENDPOINT_URL*`; a caller passes its own in `extra`), every non-loopback HTTP(S) request
    refused."""
    env = {k: v for k, v in os.environ.items() if not _dropped(k)}
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        AWS_CONFIG_FILE=str(cli_config.parent / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(cli_config.parent / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        HTTP_PROXY=DEAD_PROXY,
        HTTPS_PROXY=DEAD_PROXY,
        http_proxy=DEAD_PROXY,
        https_proxy=DEAD_PROXY,
        NO_PROXY=LOOPBACK,
        no_proxy=LOOPBACK,
    )
    env.update(extra or {})
    return env
