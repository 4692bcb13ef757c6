"""AWS tags: the app's own, and AWS's limit per resource.

constructs_lib/aws_provider.py puts APP_TAGS on every resource as the aws provider's default
tags (tests/test_settings_tags.py keeps its BASE_TAGS equal to them); `default_tags` adds to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# The tags the app puts on every AWS resource (a `default_tags` key of the same name overrides one).
APP_TAGS: Mapping[str, str] = MappingProxyType({"Application": "wandb", "ManagedBy": "cdktf"})

# AWS's limit: at most 50 user tags on a resource (tag keys starting with "aws:" do not count),
# the provider's default tags and the resource's own together.
MAX_TAGS_PER_RESOURCE = 50
