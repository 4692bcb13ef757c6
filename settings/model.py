"""The deployment settings: every key the settings file may hold, typed and validated once.

A key is either one of the app's own (the table `APP_KEYS` below: the guide's keys, the
provider, the state backend, the module releases) or an input variable of the `wandb/wandb/aws`
release chosen by `wandb_infra_version`, under its own name, checked against that release's
declared type and passed to the module as it is.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from constructs_lib import module_releases as releases
from settings import checks
from settings.errors import SettingsError
from settings.tftypes import type_error

Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Key:
    """One of the app's own settings keys."""

    name: str
    type: str  # a Terraform type expression
    default: Any
    doc: str
    group: str
    check: Check | None = None
    secret: bool = False  # never echo the value in a message


_NO_DEFAULT = object()  # marks a key that must be given


def _key(name, type_, default, group, doc, check=None, secret=False) -> Key:
    return Key(name, type_, default, doc, group, check, secret)


APP_KEYS: Mapping[str, Key] = MappingProxyType(
    {
        k.name: k
        for k in (
            # The guide's terraform.tfvars keys.
            _key("namespace", "string", _NO_DEFAULT, "guide", "Prefix of every AWS resource name.", checks.namespace),
            _key("license", "string", None, "guide", "W&B license. Never written to the synthesized output: it reaches Terraform as the sensitive variable `license` at deploy time.", checks.non_empty, secret=True),
            _key("subdomain", "string", None, "guide", "Subdomain of the W&B FQDN (`<subdomain>.<domain_name>`).", checks.subdomain),
            _key("domain_name", "string", _NO_DEFAULT, "guide", "Domain the W&B FQDN lives in.", checks.domain_name),
            _key("zone_id", "string", _NO_DEFAULT, "guide", "Route 53 hosted zone where the FQDN record is created.", checks.zone_id),
            _key("allowed_inbound_cidr", "list(string)", _NO_DEFAULT, "guide", "IPv4 CIDR blocks allowed to reach W&B.", checks.cidr_list(4)),
            _key("allowed_inbound_ipv6_cidr", "list(string)", _NO_DEFAULT, "guide", "IPv6 CIDR blocks allowed to reach W&B.", checks.cidr_list(6)),
            _key("eks_cluster_version", "string", None, "guide", "Kubernetes version of the EKS cluster, e.g. \"1.29\". Required by 4.7.2 and 7.x.", checks.eks_cluster_version),
            # The aws provider.
            _key("region", "string", "eu-central-1", "provider", "AWS region of the deployment.", checks.region),
            _key("default_tags", "map(string)", {}, "provider", "Tags added to every AWS resource (on top of the app's own `Application`/`ManagedBy` tags).", checks.tag_map),
            # Module releases.
            _key("wandb_infra_version", "string", releases.RECOMMENDED, "releases", "Release of `wandb/wandb/aws`: \"~> 7.0\" (recommended), \"1.16.10\" (pre-operator) or \"4.7.2\" (post-operator)."),
            _key("wandb_app_version", "string", releases.APP_DEFAULT, "pre-operator", "Release of `wandb/wandb/kubernetes` (pre-operator layout only): \"1.12.0\" or \"~> 1.0\"."),
            _key("wandb_version", "string", None, "pre-operator", "W&B server version the pre-operator `wandb_app` module runs, e.g. \"0.51.2\".", checks.non_empty),
            _key("wandb_image", "string", None, "pre-operator", "W&B server image for the pre-operator `wandb_app` module (module default: wandb/local).", checks.non_empty),
            # Remote state.
            _key("state_bucket", "string", None, "state", "S3 bucket for the remote state. Unset: local state in `terraform.<stack>.tfstate` at the project root.", checks.bucket_name),
            _key("state_key", "string", "wandb/terraform.tfstate", "state", "Object key of the `wandb` stack's state in `state_bucket`; other stacks keep theirs beside it as `<stack>.tfstate`.", checks.state_key),
            _key("state_region", "string", None, "state", "Region of `state_bucket` (default: `region`).", checks.region),
            _key("state_lock_table", "string", None, "state", "DynamoDB table for state locking. Unset: S3-native locking (`use_lockfile`, Terraform >= 1.10).", checks.dynamodb_table),
            # The `wandb-storage` stack: the guide's manual (bring-your-own bucket) file storage.
            _key("storage_bucket_name", "string", None, "storage", "S3 bucket for W&B files. Unset: `<namespace>-wandb-files-<account id>`.", checks.file_bucket_name),
            _key("storage_queue_name", "string", None, "storage", "SQS queue receiving the bucket's object-created events. Unset: `<namespace>-wandb-file-events`.", checks.queue_name),
            _key("storage_cors_origins", "list(string)", None, "storage", "Origins allowed to GET/PUT files from a browser. Unset: `https://<subdomain>.<domain_name>`.", checks.cors_origins),
            _key("storage_node_role_name", "string", None, "storage", "IAM role of the nodes running W&B; the storage access policy is attached to it. Unset: not attached.", checks.iam_role_name),
            _key("storage_noncurrent_version_days", "number", 30, "storage", "Days an overwritten or deleted file's old version is kept before S3 expires it.", checks.positive_days),
            _key("storage_force_destroy", "bool", False, "storage", "true lets `cdktf destroy wandb-storage` delete the bucket with every stored file (test buckets only)."),
        )
    }
)

# Names the guide uses for the same setting.
ALIASES = MappingProxyType({"wandb_license": "license"})

# Guide snippets that name keys no release declares; the hint beats a fuzzy match.
KNOWN_MISTAKES = MappingProxyType({"create_elasticache_subnet": "create_elasticache"})

# Checks for module inputs beyond their declared type.
_MODULE_INPUT_CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "kubernetes_public_access_cidrs": checks.cidr_list(None),
        "bucket_name": lambda v: checks.bucket_name(v) if v else None,
    }
)

PRE_OPERATOR_ONLY = ("wandb_app_version", "wandb_version", "wandb_image")

# The guide's pre- and post-operator tfvars files lack keys the recommended layout requires;
# the module's own migration files (docs/operator-migration in terraform-aws-wandb, which the
# guide links) supply these values, so the guide's files work as they are.
LAYOUT_DEFAULTS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        releases.PRE_OPERATOR: {
            "allowed_inbound_cidr": ["0.0.0.0/0"],
            "allowed_inbound_ipv6_cidr": ["::/0"],
            "eks_cluster_version": "1.25",
        },
        releases.POST_OPERATOR: {
            "allowed_inbound_cidr": ["0.0.0.0/0"],
            "allowed_inbound_ipv6_cidr": ["::/0"],
        },
    }
)


@dataclass(frozen=True)
class StateSettings:
    bucket: str | None
    key: str
    region: str
    lock_table: str | None

    @property
    def remote(self) -> bool:
        return self.bucket is not None


@dataclass(frozen=True)
class StorageSettings:
    """The `wandb-storage` stack. `bucket_name` None: derived at deploy time from the account id."""

    bucket_name: str | None
    queue_name: str
    cors_origins: tuple[str, ...]
    node_role_name: str | None = None
    noncurrent_version_days: int = 30
    force_destroy: bool = False


@dataclass(frozen=True)
class Settings:
    """Validated settings. `license` is kept out of repr() so it cannot leak into a log."""

    source_file: str
    namespace: str
    domain_name: str
    zone_id: str
    allowed_inbound_cidr: tuple[str, ...]
    allowed_inbound_ipv6_cidr: tuple[str, ...]
    subdomain: str | None = None
    eks_cluster_version: str | None = None
    region: str = "eu-central-1"
    default_tags: Mapping[str, str] = field(default_factory=dict)
    wandb_infra_version: str = releases.RECOMMENDED
    wandb_app_version: str = releases.APP_DEFAULT
    wandb_version: str | None = None
    wandb_image: str | None = None
    state: StateSettings = StateSettings(None, "wandb/terraform.tfstate", "eu-central-1", None)
    storage: StorageSettings = StorageSettings(None, "wandb-wandb-file-events", ("https://wandb.example.com",))
    # Inputs of the chosen wandb/wandb/aws release that the settings file set explicitly.
    module_inputs: Mapping[str, Any] = field(default_factory=dict)
    license_given: bool = False
    license: str | None = field(default=None, repr=False, compare=False)
    # Every key the file set, after aliasing (for warnings that name the setting).
    given: frozenset[str] = frozenset()

    @property
    def infra_release(self) -> releases.ModuleRelease:
        return releases.infra_release(self.wandb_infra_version)

    @property
    def app_release(self) -> releases.ModuleRelease:
        return releases.app_release(self.wandb_app_version)

    @property
    def layout(self) -> str:
        """"recommended", "pre-operator" or "post-operator"."""
        return {
            releases.RECOMMENDED: "recommended",
            releases.PRE_OPERATOR: "pre-operator",
            releases.POST_OPERATOR: "post-operator",
        }[self.wandb_infra_version]

    @property
    def fqdn(self) -> str:
        return fqdn(self.subdomain, self.domain_name)


def fqdn(subdomain: str | None, domain_name: str) -> str:
    """The W&B server's host name: `<subdomain>.<domain_name>`, or the domain without a subdomain."""
    return f"{subdomain}.{domain_name}" if subdomain else domain_name


def parse_settings(raw: Mapping[str, Any], source_file: str) -> Settings:
    """Validates the key/value pairs of a settings file. Raises SettingsError on the first problem."""

    def fail(name: str | None, message: str) -> SettingsError:
        return SettingsError(source_file, name, message)

    values = _apply_aliases(dict(raw), fail)

    infra_version = _app_value(values, "wandb_infra_version", fail)
    normalized = releases.normalize_constraint(infra_version)
    if normalized not in releases.SUPPORTED_INFRA_VERSIONS:
        raise fail(
            "wandb_infra_version",
            f"{infra_version!r} is not a supported release of wandb/wandb/aws; use one of "
            + ", ".join(f'"{v}"' for v in releases.SUPPORTED_INFRA_VERSIONS),
        )
    release = releases.infra_release(normalized)

    # Every key must be the app's own or an input of the chosen release.
    for name in values:
        if name not in APP_KEYS and not release.declares(name):
            raise fail(name, _unknown_key_message(name, release))

    layout_defaults = LAYOUT_DEFAULTS.get(normalized, {})
    typed: dict[str, Any] = {}
    for name, key in APP_KEYS.items():
        if name in values:
            _refuse_null(name, values, fail, has_default=name in layout_defaults)
            typed[name] = _checked(name, values[name], key.type, key.check, key.secret, fail)
        elif name in layout_defaults:
            typed[name] = layout_defaults[name]
        elif key.default is _NO_DEFAULT:
            raise fail(name, f"is required; add it to the settings file ({key.doc})")
        else:
            typed[name] = key.default

    module_inputs = {}
    for name, value in values.items():
        if name in APP_KEYS:
            continue
        variable = release.variables[name]
        module_inputs[name] = _checked(name, value, variable.type, _MODULE_INPUT_CHECKS.get(name), False, fail)
        if name == "size" and value not in releases.STANDARD_SIZES:
            raise fail(name, f"{value!r} is not a size {release.label} defines; use one of {', '.join(releases.STANDARD_SIZES)}")
        if value is None and not variable.nullable:
            raise fail(name, f"must not be null ({release.label} declares it non-nullable)")

    layout = {releases.PRE_OPERATOR: "pre-operator"}.get(normalized, "operator")
    if layout != "pre-operator":
        for name in PRE_OPERATOR_ONLY:
            if name in values:
                raise fail(
                    name,
                    f"is used only by the pre-operator layout (wandb_infra_version = \"{releases.PRE_OPERATOR}\"); "
                    f"with {release.label} the W&B version is managed by the operator's release channel, so remove it",
                )
    app_version = releases.normalize_constraint(typed["wandb_app_version"])
    if app_version not in releases.SUPPORTED_APP_VERSIONS:
        raise fail(
            "wandb_app_version",
            f"{typed['wandb_app_version']!r} is not a supported release of wandb/wandb/kubernetes; use one of "
            + ", ".join(f'"{v}"' for v in releases.SUPPORTED_APP_VERSIONS),
        )
    if "eks_cluster_version" in release.required_inputs and typed["eks_cluster_version"] is None:
        hint = ""
        if normalized == releases.POST_OPERATOR:
            hint = (
                " When migrating from the pre-operator layout, give the cluster's current version "
                "(`aws eks describe-cluster --name <cluster> --query cluster.version`) so the migration "
                "does not upgrade the cluster by accident (the guide's pre-operator.tf created it at \"1.25\")."
            )
        raise fail("eks_cluster_version", f"is required by {release.label}; add e.g. eks_cluster_version = \"1.29\".{hint}")
    if "eks_cluster_version" in values and not release.declares("eks_cluster_version"):
        raise fail("eks_cluster_version", f"is not an input of {release.label}")

    return Settings(
        source_file=source_file,
        namespace=typed["namespace"],
        domain_name=typed["domain_name"],
        zone_id=typed["zone_id"],
        allowed_inbound_cidr=tuple(typed["allowed_inbound_cidr"]),
        allowed_inbound_ipv6_cidr=tuple(typed["allowed_inbound_ipv6_cidr"]),
        subdomain=typed["subdomain"],
        eks_cluster_version=typed["eks_cluster_version"],
        region=typed["region"],
        default_tags=MappingProxyType(dict(typed["default_tags"])),
        wandb_infra_version=normalized,
        wandb_app_version=app_version,
        wandb_version=typed["wandb_version"],
        wandb_image=typed["wandb_image"],
        state=StateSettings(
            bucket=typed["state_bucket"],
            key=typed["state_key"],
            region=typed["state_region"] or typed["region"],
            lock_table=typed["state_lock_table"],
        ),
        storage=_storage_settings(typed),
        module_inputs=MappingProxyType(module_inputs),
        license_given=typed["license"] is not None,
        license=typed["license"],
        given=frozenset(values),
    )


def _storage_settings(typed: Mapping[str, Any]) -> StorageSettings:
    return StorageSettings(
        bucket_name=typed["storage_bucket_name"],
        queue_name=typed["storage_queue_name"] or f"{typed['namespace']}-wandb-file-events",
        cors_origins=tuple(typed["storage_cors_origins"] or [f"https://{fqdn(typed['subdomain'], typed['domain_name'])}"]),
        node_role_name=typed["storage_node_role_name"],
        noncurrent_version_days=int(typed["storage_noncurrent_version_days"]),
        force_destroy=typed["storage_force_destroy"],
    )


def _apply_aliases(values: dict[str, Any], fail) -> dict[str, Any]:
    for alias, name in ALIASES.items():
        if alias in values:
            if name in values:
                raise fail(alias, f"is another name for `{name}`; set only one of them")
            values[name] = values.pop(alias)
    return values


def _app_value(values: Mapping[str, Any], name: str, fail) -> Any:
    key = APP_KEYS[name]
    if name not in values:
        return key.default
    _refuse_null(name, values, fail)
    return _checked(name, values[name], key.type, key.check, key.secret, fail)


def _refuse_null(name: str, values: Mapping[str, Any], fail, has_default: bool = False) -> None:
    """`null` stands for "unset" only where unset means None; elsewhere it is refused, naming the
    setting, instead of reaching code that expects a value."""
    key = APP_KEYS[name]
    if values[name] is not None or (key.default is None and not has_default):
        return
    if key.default is _NO_DEFAULT and not has_default:
        raise fail(name, f"must not be null: it is required ({key.doc})")
    raise fail(name, "must not be null; remove the line to use the default")


def _checked(name: str, value: Any, tf_type: str, check: Check | None, secret: bool, fail) -> Any:
    if value is None:
        return None
    err = type_error(value, tf_type)
    if err:
        raise fail(name, err)
    if check is not None:
        err = check(value)
        if err:
            raise fail(name, "the value is not valid" if secret else err)
    return value


def _unknown_key_message(name: str, release: releases.ModuleRelease) -> str:
    other = [
        v for v in releases.SUPPORTED_INFRA_VERSIONS if v != release.constraint and releases.infra_release(v).declares(name)
    ]
    if other:
        return (
            f"is not an input of {release.label}, the release `wandb_infra_version` chooses "
            f"(it is an input of {', '.join(other)})"
        )
    if name in KNOWN_MISTAKES:
        return f"is not a setting: no release of wandb/wandb/aws declares it; did you mean `{KNOWN_MISTAKES[name]}`?"
    candidates = sorted(set(APP_KEYS) | set(ALIASES) | set(release.variables))
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    hint = f"; did you mean `{close[0]}`?" if close else f" and not an input of {release.label}"
    return f"is not a known setting{hint}"
