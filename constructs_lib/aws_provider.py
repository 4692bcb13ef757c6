"""The aws provider every stack of the app configures: the region and the app's tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

# Tags the app puts on every AWS resource; `AwsProviderProps.tags` adds to (or overrides) them.
BASE_TAGS = {"Application": "wandb", "ManagedBy": "cdktf"}


@dataclass(frozen=True)
class AwsProviderProps:
    """region: the AWS region of every resource of the stack.
    tags: tags on every AWS resource, on top of BASE_TAGS (default: none)."""

    region: str
    tags: Mapping[str, str] = field(default_factory=dict)


def aws_provider(scope: Construct, props: AwsProviderProps) -> AwsProvider:
    """The stack's `provider "aws"`: the region, BASE_TAGS plus `props.tags`."""
    return AwsProvider(
        scope,
        "aws",
        region=props.region,
        default_tags=[AwsProviderDefaultTags(tags={**BASE_TAGS, **props.tags})],
    )
