"""Value rules for settings, beyond their Terraform type. Each returns None or a sentence."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

# `namespace` prefixes every AWS resource the module names: S3 buckets and RDS/ElastiCache
# identifiers take only lowercase letters, digits and hyphens, start with a letter, and have
# no double or trailing hyphen. The longest derived names (ElastiCache ids, load balancer
# names) leave room for a prefix of about 20 characters.
NAMESPACE_MAX = 20
_NAMESPACE = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-))*(?<!-)$")
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.I)
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_K8S_VERSION = re.compile(r"^1\.[1-9][0-9]?$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def namespace(value: str) -> str | None:
    if not value:
        return "must not be empty: it prefixes the name of every AWS resource the module creates"
    if len(value) > NAMESPACE_MAX:
        return f"{value!r} is {len(value)} characters long; keep it to {NAMESPACE_MAX} so derived AWS names stay within their limits"
    if not _NAMESPACE.match(value):
        return (
            f"{value!r} is not usable as an AWS resource name prefix: use lowercase letters, digits and "
            "single hyphens, starting with a letter and not ending with a hyphen"
        )
    return None


def domain_name(value: str) -> str | None:
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(_DNS_LABEL.match(label) for label in labels):
        return f"{value!r} is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)"
    return None


def subdomain(value: str) -> str | None:
    if not all(_DNS_LABEL.match(label) for label in value.split(".")):
        return f"{value!r} is not a DNS label such as \"wandb\" (letters, digits and hyphens)"
    return None


def zone_id(value: str) -> str | None:
    if not _ZONE_ID.match(value):
        return f"{value!r} is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")"
    return None


def eks_cluster_version(value: str) -> str | None:
    if not _K8S_VERSION.match(value):
        return f"{value!r} is not a Kubernetes minor version such as \"1.29\""
    return None


def region(value: str) -> str | None:
    if not _REGION.match(value):
        return f"{value!r} is not an AWS region name such as \"eu-central-1\""
    return None


def bucket_name(value: str) -> str | None:
    """S3's naming rules for general-purpose buckets."""
    if not _BUCKET.match(value) or ".." in value or value.startswith("xn--") or value.endswith("-s3alias"):
        return (
            f"{value!r} is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, "
            "hyphens and dots, starting and ending with a letter or digit"
        )
    try:
        ipaddress.IPv4Address(value)
        return f"{value!r} is formatted as an IP address, which S3 does not accept as a bucket name"
    except ValueError:
        return None


def cidr_list(family: int | None):
    """A check for a list of CIDR blocks, all IPv4 (4), all IPv6 (6), or either (None)."""

    def check(values: list[Any]) -> str | None:
        for item in values:
            err = cidr(item, family)
            if err:
                return err
        return None

    return check


def cidr(value: str, family: int | None) -> str | None:
    if "/" not in value:
        return f"{value!r} is not a CIDR block: give a prefix length, e.g. \"{value}/32\""
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"{value!r} is not a CIDR block"
        return f"{value!r} has host bits set; the block is {str(loose)!r}"
    if family is not None and network.version != family:
        other = "allowed_inbound_ipv6_cidr" if family == 4 else "allowed_inbound_cidr"
        return f"{value!r} is an IPv{network.version} block in a list of IPv{family} blocks (it belongs in `{other}`)"
    return None


def non_empty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def state_key(value: str) -> str | None:
    if not value.strip() or value.startswith("/") or value.endswith("/"):
        return f"{value!r} is not an object key: it must be non-empty and not start or end with '/'"
    return None


def dynamodb_table(value: str) -> str | None:
    if not re.match(r"^[A-Za-z0-9_.-]{3,255}$", value):
        return f"{value!r} is not a DynamoDB table name (3-255 of letters, digits, '_', '-', '.')"
    return None


def tag_map(value: dict[str, Any]) -> str | None:
    for key in value:
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            return f"tag key {key!r} is not allowed (1-128 characters, not starting with 'aws:')"
        if len(str(value[key])) > 256:
            return f"the value of tag {key!r} is longer than 256 characters"
    return None
