"""Value rules for settings, beyond their Terraform type. Each returns None or a sentence."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

# `namespace` prefixes every AWS resource the module names: S3 buckets and RDS/ElastiCache
# identifiers take only lowercase letters, digits and hyphens, start with a letter, and have
# no double or trailing hyphen. The longest derived names (ElastiCache ids, load balancer
# names) leave room for a prefix of about 20 characters.
NAMESPACE_MAX = 20
_NAMESPACE = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-))*(?<!-)$")
# Patterns are used with fullmatch (`$` alone would also match before a final "\n"), and re.ASCII
# (with re.I alone, [a-z] also matches the Kelvin sign and the long s; \w matches any letter).
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.I | re.ASCII)
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_K8S_VERSION = re.compile(r"^1\.[1-9][0-9]?$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Reserved by S3 (its bucket naming rules): access point, Object Lambda, Multi-Region Access Point,
# directory and table bucket names.
_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_PREFIX_LENGTH = re.compile(r"0|[1-9][0-9]{0,2}")


def namespace(value: str) -> str | None:
    if not value:
        return "must not be empty: it prefixes the name of every AWS resource the module creates"
    if len(value) > NAMESPACE_MAX:
        return f"{value!r} is {len(value)} characters long; keep it to {NAMESPACE_MAX} so derived AWS names stay within their limits"
    if not _NAMESPACE.fullmatch(value):
        return (
            f"{value!r} is not usable as an AWS resource name prefix: use lowercase letters, digits and "
            "single hyphens, starting with a letter and not ending with a hyphen"
        )
    return None


def domain_name(value: str) -> str | None:
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(_DNS_LABEL.fullmatch(label) for label in labels):
        return f'{value!r} is not a DNS domain name such as "wandb.example.com" (no scheme, no trailing dot)'
    return None


def subdomain(value: str) -> str | None:
    if not all(_DNS_LABEL.fullmatch(label) for label in value.split(".")):
        return f'{value!r} is not a DNS label such as "wandb" (letters, digits and hyphens)'
    return None


def zone_id(value: str) -> str | None:
    if not _ZONE_ID.fullmatch(value):
        return f'{value!r} is not a Route 53 hosted zone id (they look like "Z032246913CW32RVRY0WU")'
    return None


def eks_cluster_version(value: str) -> str | None:
    if not _K8S_VERSION.fullmatch(value):
        return f'{value!r} is not a Kubernetes minor version such as "1.29"'
    return None


def region(value: str) -> str | None:
    if not _REGION.fullmatch(value):
        return f'{value!r} is not an AWS region name such as "eu-central-1"'
    return None


def bucket_name(value: str) -> str | None:
    """S3's naming rules for general-purpose buckets."""
    reserved = value.startswith(_BUCKET_RESERVED_PREFIXES) or value.endswith(_BUCKET_RESERVED_SUFFIXES)
    if not _BUCKET.fullmatch(value) or ".." in value or reserved:
        return (
            f"{value!r} is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, "
            "hyphens and dots, starting and ending with a letter or digit"
        )
    try:
        ipaddress.IPv4Address(value)
        return f"{value!r} is formatted as an IP address, which S3 does not accept as a bucket name"
    except ValueError:
        return None


def cidr_list(family: int | None) -> Callable[[list[Any]], str | None]:
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
        return f'{value!r} is not a CIDR block: give a prefix length, e.g. "{value}/32"'
    if "%" in value:
        return f"{value!r} is not a CIDR block: an IPv6 zone (after '%') has no place in one"
    if not _PREFIX_LENGTH.fullmatch(value.rpartition("/")[2]):
        return f'{value!r} is not a CIDR block: give the prefix as a length in bits, such as "/8" (not a netmask, no leading zero)'
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


_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}", re.ASCII)
_KMS_KEY = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]{1,128}|alias/[A-Za-z0-9/_-]{1,250})", re.ASCII)
_PROFILE = re.compile(r"[A-Za-z0-9_.@+=,-]{1,128}", re.ASCII)


def iam_role_arn(value: str) -> str | None:
    if not _ROLE_ARN.fullmatch(value):
        return f'{value!r} is not an IAM role ARN such as "arn:aws:iam::123456789012:role/terraform-state"'
    return None


def kms_key_arn(value: str) -> str | None:
    if not _KMS_KEY.fullmatch(value):
        return f'{value!r} is not a KMS key or alias ARN such as "arn:aws:kms:eu-central-1:123456789012:key/<key id>"'
    return None


def aws_profile(value: str) -> str | None:
    if not _PROFILE.fullmatch(value):
        return f"{value!r} is not an AWS profile name (letters, digits and _ . @ + = , -)"
    return None


def dynamodb_table(value: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{3,255}", value):
        return f"{value!r} is not a DynamoDB table name (3-255 of letters, digits, '_', '-', '.')"
    return None


def tag_map(value: dict[str, Any]) -> str | None:
    for key in value:
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            return f"tag key {key!r} is not allowed (1-128 characters, not starting with 'aws:')"
        if len(str(value[key])) > 256:
            return f"the value of tag {key!r} is longer than 256 characters"
    return None


# --- the `wandb-storage` stack (bring-your-own bucket) -----------------------------------------
_ORIGIN = re.compile(r"^(https?)://([a-z0-9*](?:[a-z0-9.*-]*[a-z0-9])?)(?::([0-9]{1,5}))?$", re.I | re.ASCII)
_QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ROLE = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)


def cors_origin(value: str) -> str | None:
    """An origin as a browser sends it: scheme, host and optional port; no path, no trailing slash.
    S3 allows one `*` wildcard in an origin (e.g. "https://*.example.com")."""
    example = 'such as "https://wandb.example.com" (scheme, host and optional port)'
    if value == "*":
        return f'"*" lets every web site read and write W&B files from a browser; name the W&B server\'s origin, {example}'
    match = _ORIGIN.fullmatch(value)
    if not match:
        hint = ""
        if "://" not in value:
            hint = f'; add the scheme: "https://{value}"'
        elif base := re.match(r"^(https?://[^/]+)/", value, re.I):
            hint = f'; remove the path or trailing slash: "{base.group(1)}"'
        return f"{value!r} is not a web origin {example}{hint}"
    host, port = match.group(2), match.group(3)
    if value.count("*") > 1:
        return f"{value!r} has more than one '*'; S3 allows one wildcard in an origin"
    if ".." in host:
        return f"{value!r} is not a web origin {example}"
    if port is not None and not 0 < int(port) < 65536:
        return f"{value!r} has port {port}, outside 1-65535"
    return None


def cors_origins(values: list[Any]) -> str | None:
    if not values:
        return 'must name at least one origin (the W&B server\'s, e.g. "https://wandb.example.com"); leave the setting out for the default'
    for item in values:
        err = cors_origin(item)
        if err:
            return err
    return None


def queue_name(value: str) -> str | None:
    """A standard SQS queue's name."""
    if value.endswith(".fifo"):
        return f'{value!r} names a FIFO queue; S3 event notifications need a standard queue (drop the ".fifo")'
    if not _QUEUE.fullmatch(value):
        return f"{value!r} is not an SQS queue name: 1-80 letters, digits, hyphens and underscores"
    return None


def iam_role_name(value: str) -> str | None:
    if value.startswith("arn:"):
        return f'{value!r} is an ARN; give the role\'s name (the part after "role/")'
    if not _ROLE.fullmatch(value):
        return f"{value!r} is not an IAM role name: 1-64 letters, digits and + = , . @ _ -"
    return None


def positive_days(value: float) -> str | None:
    if value != int(value) or value < 1:
        return f"{value!r} is not a whole number of days (1 or more)"
    return None


def file_bucket_name(value: str) -> str | None:
    """A bucket browsers reach over HTTPS: S3's rules, and no dots (a dotted name does not match
    S3's wildcard TLS certificate in virtual-hosted URLs, which W&B's presigned URLs use)."""
    err = bucket_name(value)
    if err:
        return err
    if "." in value:
        return f"{value!r} contains dots; browsers reject S3's TLS certificate for dotted bucket names in W&B's file URLs, so use hyphens"
    return None


def matching(pattern: re.Pattern[str], problem: str) -> Callable[[str], str | None]:
    """A check that the whole value matches `pattern`; else "<the value> <problem>"."""

    def check(value: str) -> str | None:
        return None if pattern.fullmatch(value) else f"{value!r} {problem}"

    return check


def one_of(allowed: tuple[str, ...]) -> Callable[[str], str | None]:
    """A check that the value is one of `allowed` (exactly: no other case, no spaces)."""

    def check(value: str) -> str | None:
        if value in allowed:
            return None
        return f"{value!r} is not one of " + ", ".join(f'"{a}"' for a in allowed)

    return check
