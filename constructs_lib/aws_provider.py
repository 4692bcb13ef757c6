"""The aws provider every stack of the app configures: the settings' region and the app's tags.

Tests can point a stack at a local AWS emulator (moto) by setting the environment variable
`WANDB_AWS_EMULATOR_ENDPOINT` (e.g. `https://127.0.0.1:5123`) for the synthesis, and only a stack
that opts in (`emulator_endpoint=emulator_endpoint_from_env()`) reads it. The provider then sends
the calls the app makes (IAM, S3, SQS, STS) to that endpoint, uses path-style S3 URLs, accepts the
emulator's self-signed certificate and never asks an EC2 metadata service for credentials.
Without the variable none of that reaches the JSON.
"""

from __future__ import annotations

import os
from typing import Mapping
from urllib.parse import urlsplit

from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags, AwsProviderEndpoints
from constructs import Construct

from settings import Settings

# Tags the app puts on every AWS resource; `default_tags` in the settings adds to (or overrides) them.
BASE_TAGS = {"Application": "wandb", "ManagedBy": "cdktf"}

EMULATOR_ENV = "WANDB_AWS_EMULATOR_ENDPOINT"

# The services the app's emulator-deployable stacks call.
EMULATED_SERVICES = ("iam", "s3", "sqs", "sts")


def emulator_endpoint_from_env(environ: Mapping[str, str] = os.environ) -> str | None:
    """The emulator URL from `WANDB_AWS_EMULATOR_ENDPOINT`, or None when it is unset or empty."""
    value = environ.get(EMULATOR_ENV, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{EMULATOR_ENV}={value!r} is not an http(s) URL such as http://127.0.0.1:5000")
    return value.rstrip("/")


def aws_provider(scope: Construct, settings: Settings, *, emulator_endpoint: str | None = None) -> AwsProvider:
    """The stack's `provider "aws"`: the settings' region, BASE_TAGS plus `default_tags`."""
    emulated = {}
    if emulator_endpoint:
        emulated = dict(
            endpoints=[AwsProviderEndpoints(**{service: emulator_endpoint for service in EMULATED_SERVICES})],
            s3_use_path_style=True,  # bucket.127.0.0.1 does not resolve
            insecure=True,  # the emulator's self-signed certificate (HTTPS: TLS-only bucket policies apply)
            skip_metadata_api_check="true",  # never ask an EC2 metadata service for credentials
        )
    return AwsProvider(
        scope,
        "aws",
        region=settings.region,
        default_tags=[AwsProviderDefaultTags(tags={**BASE_TAGS, **settings.default_tags})],
        **emulated,
    )
