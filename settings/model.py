"""The deployment settings: every key the settings file may hold, typed and validated once.

A key is either one of the app's own (the table `APP_KEYS` below: the guide's keys, the
provider, the state backend, the module releases) or an input variable of the `wandb/wandb/aws`
release chosen by `wandb_infra_version`, under its own name, checked against that release's
declared type and passed to the module as it is.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from release_catalog import layouts
from release_catalog.eks_versions import calendar_note
from release_catalog.layouts import InfraRelease, Layout
from release_catalog.releases import STANDARD_SIZES, ModuleRelease, normalize_constraint
from release_catalog.secret_patterns import SECRET_NAME, secret_kind, strings_in
from settings import checks, requirements
from settings.errors import SettingsError, SettingsWarning
from settings.tftypes import type_error

Check = Callable[[Any], "str | None"]
Fail = Callable[[str | None, str], SettingsError]


@dataclass(frozen=True)
class Key:
    """One of the app's own settings keys."""

    name: str
    type: str  # a Terraform type expression
    default: Any
    doc: str
    check: Check | None = None
    secret: bool = False  # never echo the value in a message


_NO_DEFAULT = object()  # marks a key that must be given


def _key(name: str, type_: str, default: Any, doc: str, check: Check | None = None, secret: bool = False) -> Key:
    return Key(name, type_, default, doc, check, secret)


APP_KEYS: Mapping[str, Key] = MappingProxyType(
    {
        k.name: k
        for k in (
            # The guide's terraform.tfvars keys.
            _key("namespace", "string", _NO_DEFAULT, "Prefix of every AWS resource name.", checks.namespace),
            _key(
                "license",
                "string",
                None,
                "W&B license (or `wandb_license`). Never synthesized: Terraform reads it from this file at deploy time.",
                checks.non_empty,
                secret=True,
            ),
            _key("subdomain", "string", None, "Subdomain of the W&B FQDN (`<subdomain>.<domain_name>`).", checks.subdomain),
            _key("domain_name", "string", _NO_DEFAULT, "Domain the W&B FQDN lives in.", checks.domain_name),
            _key("zone_id", "string", _NO_DEFAULT, "Route 53 hosted zone where the FQDN record is created.", checks.zone_id),
            _key("allowed_inbound_cidr", "list(string)", _NO_DEFAULT, "IPv4 CIDR blocks allowed to reach W&B.", checks.cidr_list(4)),
            _key("allowed_inbound_ipv6_cidr", "list(string)", _NO_DEFAULT, "IPv6 CIDR blocks allowed to reach W&B.", checks.cidr_list(6)),
            _key(
                "eks_cluster_version",
                "string",
                None,
                'Kubernetes version of the EKS cluster, e.g. "1.29". Required by 4.7.2 and 7.x.',
                checks.eks_cluster_version,
            ),
            _key(
                "kubernetes_auth",
                "string",
                layouts.DEFAULT_KUBERNETES_AUTH.value,
                'How the kubernetes and helm providers authenticate to the cluster: "exec" (`aws eks get-token`, '
                'fresh for every plan and apply; needs the AWS CLI), "ephemeral" (8.x only: opened at apply, no AWS '
                'CLI, valid 15 minutes) or "token" (the guide\'s data source: read at plan time, valid 15 minutes).',
                checks.one_of(tuple(auth.value for auth in layouts.KubernetesAuth)),
            ),
            # The aws provider.
            _key("region", "string", "eu-central-1", "AWS region of the deployment.", checks.region),
            _key(
                "default_tags",
                "map(string)",
                {},
                "Tags added to every AWS resource (on top of the app's own `Application`/`ManagedBy` tags).",
                checks.tag_map,
            ),
            # Module releases.
            _key(
                "wandb_infra_version",
                "string",
                layouts.DEFAULT_INFRA_VERSION,
                "Release of `wandb/wandb/aws`: one of " + ", ".join(f'"{v}"' for v in layouts.INFRA_RELEASES) + ".",
            ),
            _key(
                "wandb_app_version",
                "string",
                layouts.DEFAULT_APP_VERSION,
                'Release of `wandb/wandb/kubernetes` (pre-operator layout only): "1.12.0" or "~> 1.0".',
            ),
            _key(
                "wandb_version",
                "string",
                None,
                'W&B server version the pre-operator `wandb_app` module runs, e.g. "0.51.2".',
                checks.non_empty,
            ),
            _key(
                "wandb_image",
                "string",
                None,
                "W&B server image for the pre-operator `wandb_app` module (module default: wandb/local).",
                checks.non_empty,
            ),
            # Remote state.
            _key(
                "state_bucket",
                "string",
                None,
                "S3 bucket for the remote state. Unset: local state in `terraform.<stack>.tfstate` at the project root.",
                checks.bucket_name,
            ),
            _key(
                "state_key",
                "string",
                "wandb/terraform.tfstate",
                "Object key of the `wandb` stack's state in `state_bucket`; other stacks keep theirs beside it as `<stack>.tfstate`. "
                "In a deployments folder: `wandb/<deployment>/terraform.tfstate`.",
                checks.state_key,
            ),
            _key("state_region", "string", None, "Region of `state_bucket` (default: `region`).", checks.region),
            _key(
                "state_lock_table",
                "string",
                None,
                "DynamoDB table for state locking (deprecated since Terraform 1.11: synth warns). Unset: S3-native locking "
                "(`use_lockfile`, Terraform >= 1.10).",
                checks.dynamodb_table,
            ),
            _key(
                "state_role_arn",
                "string",
                None,
                "IAM role Terraform assumes to reach the state (the S3 backend's `assume_role`).",
                checks.iam_role_arn,
            ),
            _key("state_profile", "string", None, "AWS profile for the state backend (its `profile`).", checks.aws_profile),
            _key(
                "state_kms_key_id",
                "string",
                None,
                "KMS key (ARN) the state object is encrypted with (its `kms_key_id`). Unset: SSE-S3.",
                checks.kms_key_arn,
            ),
            # The `wandb-storage` stack: the guide's manual (bring-your-own bucket) file storage.
            _key(
                "storage_bucket_name",
                "string",
                None,
                "S3 bucket for W&B files. Unset: `<namespace>-wandb-files-<account id>`.",
                checks.file_bucket_name,
            ),
            _key(
                "storage_queue_name",
                "string",
                None,
                "SQS queue receiving the bucket's object-created events. Unset: `<namespace>-wandb-file-events`.",
                checks.queue_name,
            ),
            _key(
                "storage_cors_origins",
                "list(string)",
                None,
                "Origins allowed to GET/PUT files from a browser. Unset: `https://<subdomain>.<domain_name>`.",
                checks.cors_origins,
            ),
            _key(
                "storage_node_role_name",
                "string",
                None,
                "IAM role of the nodes running W&B; the storage access policy is attached to it. Unset: not attached.",
                checks.iam_role_name,
            ),
            _key(
                "storage_noncurrent_version_days",
                "number",
                30,
                "Days an overwritten or deleted file's old version is kept before S3 expires it.",
                checks.positive_days,
            ),
            _key(
                "storage_force_destroy",
                "bool",
                False,
                "true lets `cdktf destroy wandb-storage` delete the bucket with every stored file (test buckets only).",
            ),
        )
    }
)

# Names the guide uses for the same setting.
ALIASES: Mapping[str, str] = MappingProxyType({"wandb_license": "license"})

# Guide snippets that name keys no release declares; the hint beats a fuzzy match.
KNOWN_MISTAKES: Mapping[str, str] = MappingProxyType({"create_elasticache_subnet": "create_elasticache"})

# Checks for module inputs beyond their declared type.
_MODULE_INPUT_CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "kubernetes_public_access_cidrs": checks.cidr_list(None),
        "bucket_name": lambda v: checks.bucket_name(v) if v else None,
        "size": lambda v: (
            None if v in STANDARD_SIZES else f"{v!r} is not a size the module defines; use one of {', '.join(STANDARD_SIZES)}"
        ),
    }
)

PRE_OPERATOR_ONLY = ("wandb_app_version", "wandb_version", "wandb_image")


# The stacks every deployment has (stacks/ builds them): the W&B deployment and the
# bring-your-own file storage. In a deployments folder their ids are `<deployment>--<kind>`.
MAIN_STACK_KIND = "wandb"
STACK_KINDS = (MAIN_STACK_KIND, "wandb-storage")


def stack_id(kind: str, deployment: str | None) -> str:
    """`wandb`, `wandb-storage` for a single settings file; `<deployment>--wandb`, ... in a
    deployments folder (a name never holds "--", so '<deployment>--*' selects exactly its stacks)."""
    return kind if deployment is None else f"{deployment}--{kind}"


# The remote state settings that mean nothing without `state_bucket`.
STATE_BUCKET_OPTIONS = ("state_key", "state_region", "state_lock_table", "state_role_arn", "state_profile", "state_kms_key_id")


@dataclass(frozen=True)
class StateSettings:
    """Where Terraform keeps the state. `bucket` None: local state files at the project root."""

    bucket: str | None
    key: str  # the `wandb` stack's key; the other stacks keep theirs beside it
    region: str
    lock_table: str | None
    role_arn: str | None
    profile: str | None
    kms_key_id: str | None

    def key_for(self, stack_kind: str) -> str:
        """The state object of one of the deployment's stacks: `key` itself for stack `wandb` (so an
        existing deployment's state is adopted as it is), `<kind>.tfstate` beside it for the others."""
        if stack_kind == MAIN_STACK_KIND:
            return self.key
        return posixpath.join(posixpath.dirname(self.key), f"{stack_kind}.tfstate")


@dataclass(frozen=True)
class StorageSettings:
    """The `wandb-storage` stack. `bucket_name` None: derived at deploy time from the account id."""

    bucket_name: str | None
    queue_name: str
    cors_origins: tuple[str, ...]
    node_role_name: str | None
    noncurrent_version_days: int
    force_destroy: bool


@dataclass(frozen=True)
class Settings:
    """Validated settings, as `parse_settings` builds them. `license` is kept out of repr() so
    it cannot leak into a log."""

    source: Path  # the settings file, absolute
    defaults_source: Path | None  # a deployments folder's defaults file, which `source` overrides key by key
    deployment: str | None  # the deployment's name in a deployments folder; None for a single settings file
    from_example: bool  # read from terraform.tfvars.example (the fallback on a fresh clone)
    file_keys: tuple[str, ...]  # every key the file sets, as written there (aliases included)
    namespace: str
    domain_name: str
    zone_id: str
    allowed_inbound_cidr: tuple[str, ...]
    allowed_inbound_ipv6_cidr: tuple[str, ...]
    subdomain: str | None
    eks_cluster_version: str | None
    kubernetes_auth: layouts.KubernetesAuth
    region: str
    default_tags: Mapping[str, str]
    infra: InfraRelease
    app_version: str
    wandb_version: str | None
    wandb_image: str | None
    state: StateSettings
    storage: StorageSettings
    # Inputs of the chosen wandb/wandb/aws release that the settings file sets explicitly.
    module_inputs: Mapping[str, Any]
    # What the settings should change, though they may be deployed (e.g. AWS's EKS calendar).
    warnings: tuple[SettingsWarning, ...]
    license: str | None = field(repr=False, compare=False)

    @property
    def layout(self) -> Layout:
        return self.infra.layout

    @property
    def infra_release(self) -> ModuleRelease:
        return self.infra.release

    @property
    def app_release(self) -> ModuleRelease:
        return layouts.app_release(self.app_version)

    @property
    def fqdn(self) -> str:
        return fqdn(self.subdomain, self.domain_name)

    def infra_input(self, name: str) -> Any:
        """What the stack writes for `wandb_infra` input `name`: the setting, else the app's default."""
        if name in self.module_inputs:
            return self.module_inputs[name]
        return layouts.written_default(self.layout, name)


def fqdn(subdomain: str | None, domain_name: str) -> str:
    """The W&B server's host name: `<subdomain>.<domain_name>`, or the domain without a subdomain."""
    return f"{subdomain}.{domain_name}" if subdomain else domain_name


def parse_settings(
    raw: Mapping[str, Any],
    source: str | Path,
    *,
    from_example: bool = False,
    display: str | None = None,
    today: date | None = None,
    deployment: str | None = None,
    defaults_source: Path | None = None,
) -> Settings:
    """Validates the key/value pairs of a settings file. Raises SettingsError on the first problem.

    source: the settings file (relative paths are taken from the working directory).
    display: how messages name the file (default: `source` as given).
    today: the day AWS's EKS calendar is read for (default: today).
    deployment, defaults_source: the deployment's name and its folder's defaults file, for a
        file of a deployments folder (settings.deployments merges the two into `raw`)."""
    shown = display or str(source)

    def fail(name: str | None, message: str) -> SettingsError:
        return SettingsError(shown, name, message)

    values = _apply_aliases(dict(raw), fail)

    infra_version = _app_value(values, "wandb_infra_version", fail)
    normalized = normalize_constraint(infra_version)
    if normalized not in layouts.INFRA_RELEASES:
        raise fail(
            "wandb_infra_version",
            f"{infra_version!r} is not a supported release of wandb/wandb/aws; use one of "
            + ", ".join(f'"{v}"' for v in layouts.INFRA_RELEASES),
        )
    infra = layouts.INFRA_RELEASES[normalized]
    release = infra.release
    if "wandb_infra_version" not in values:
        _refuse_other_layouts_keys(values, fail)

    # Every key must be the app's own or an input of the chosen release.
    for name in values:
        if name not in APP_KEYS and not release.declares(name):
            raise fail(name, _unknown_key_message(name, release))

    layout_defaults = layouts.setting_defaults(infra.layout)
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
        if value is None and not variable.nullable:
            raise fail(name, f"must not be null ({release.label} declares it non-nullable)")
        module_inputs[name] = _checked(name, value, variable.type, _MODULE_INPUT_CHECKS.get(name), False, fail)

    _refuse_secrets(values, typed["license"], fail)
    too_many_tags = requirements.tag_count_problem(typed["default_tags"], module_inputs)
    if too_many_tags:
        raise fail(*too_many_tags)
    _check_required_inputs(infra, values, fail)
    if infra.layout is Layout.V8 and module_inputs.get("kubernetes_map_accounts"):
        raise fail(
            "kubernetes_map_accounts",
            f"must be empty with {release.label}: the module rejects a non-empty list (aws-auth account mappings are "
            "gone with the EKS module v20; grant access with EKS access entries instead)",
        )

    if not infra.layout.has_app_module:
        for name in PRE_OPERATOR_ONLY:
            if name in values:
                raise fail(
                    name,
                    f'is used only by the pre-operator layout (wandb_infra_version = "1.16.10"); '
                    f"with {release.label} the W&B version is managed by the operator's release channel, so remove it",
                )
    app_version = normalize_constraint(typed["wandb_app_version"])
    if app_version not in layouts.APP_RELEASES:
        raise fail(
            "wandb_app_version",
            f"{typed['wandb_app_version']!r} is not a supported release of wandb/wandb/kubernetes; use one of "
            + ", ".join(f'"{v}"' for v in layouts.APP_RELEASES),
        )
    if "eks_cluster_version" in release.required_inputs and typed["eks_cluster_version"] is None:
        hint = ""
        if infra.layout is Layout.POST_OPERATOR:
            hint = (
                " When migrating from the pre-operator layout, give the cluster's current version "
                "(`aws eks describe-cluster --name <cluster> --query cluster.version`) so the migration "
                'does not upgrade the cluster by accident (the guide\'s pre-operator.tf created it at "1.25").'
            )
        example = infra.max_kubernetes or "1.32"
        raise fail("eks_cluster_version", f'is required by {release.label}; add e.g. eks_cluster_version = "{example}".{hint}')
    if "eks_cluster_version" in values and not release.declares("eks_cluster_version"):
        raise fail("eks_cluster_version", f"is not an input of {release.label}")
    warnings: list[SettingsWarning] = []
    if typed["state_bucket"] is None:
        for name in STATE_BUCKET_OPTIONS:
            if name in values:
                raise fail(name, "has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it")
    if typed["state_lock_table"] is not None:
        warnings.append(
            SettingsWarning(
                shown,
                "state_lock_table",
                "DynamoDB state locking (the S3 backend's dynamodb_table) is deprecated since Terraform 1.11; remove "
                "state_lock_table to lock with S3 itself (use_lockfile, the app's default)",
            )
        )
    state_key = typed["state_key"]
    if deployment is not None and "state_key" not in values:
        state_key = f"wandb/{deployment}/terraform.tfstate"
    kubernetes_auth = layouts.KubernetesAuth(typed["kubernetes_auth"])
    if kubernetes_auth is layouts.KubernetesAuth.EPHEMERAL and not infra.layout.has_ephemeral_cluster_auth:
        raise fail(
            "kubernetes_auth",
            f'"ephemeral" needs the aws provider\'s ephemeral aws_eks_cluster_auth (aws provider 5.84 or later), and '
            f'{release.label} requires an older aws provider; use "exec" (needs the AWS CLI where Terraform runs) or '
            f'"token", or wandb_infra_version = "~> 8.0"',
        )
    if typed["eks_cluster_version"] is not None:
        problem = layouts.kubernetes_version_problem(infra, typed["eks_cluster_version"])
        if problem:
            raise fail("eks_cluster_version", problem)
        # One warning for the setting: AWS's calendar, then W&B's own minimum.
        calendar = calendar_note(typed["eks_cluster_version"], today or date.today())
        note = requirements.with_kubernetes_note(calendar, typed["eks_cluster_version"])
        if note:
            warnings.append(SettingsWarning(shown, "eks_cluster_version", note))
    warnings.extend(requirements.warnings(infra, module_inputs, shown))

    return Settings(
        source=Path(source).absolute(),
        defaults_source=defaults_source.absolute() if defaults_source is not None else None,
        deployment=deployment,
        from_example=from_example,
        file_keys=tuple(raw),
        namespace=typed["namespace"],
        domain_name=typed["domain_name"],
        zone_id=typed["zone_id"],
        allowed_inbound_cidr=tuple(typed["allowed_inbound_cidr"]),
        allowed_inbound_ipv6_cidr=tuple(typed["allowed_inbound_ipv6_cidr"]),
        subdomain=typed["subdomain"],
        eks_cluster_version=typed["eks_cluster_version"],
        kubernetes_auth=kubernetes_auth,
        region=typed["region"],
        default_tags=MappingProxyType(dict(typed["default_tags"])),
        infra=infra,
        app_version=app_version,
        wandb_version=typed["wandb_version"],
        wandb_image=typed["wandb_image"],
        state=StateSettings(
            bucket=typed["state_bucket"],
            key=state_key,
            region=typed["state_region"] or typed["region"],
            lock_table=typed["state_lock_table"],
            role_arn=typed["state_role_arn"],
            profile=typed["state_profile"],
            kms_key_id=typed["state_kms_key_id"],
        ),
        storage=_storage_settings(typed),
        module_inputs=MappingProxyType(module_inputs),
        warnings=tuple(warnings),
        license=typed["license"],
    )


def _refuse_other_layouts_keys(values: Mapping[str, Any], fail: Fail) -> None:
    """Without `wandb_infra_version`, the guide's default layout applies; a file holding keys only
    another layout uses (the guide's pre- and post-operator files hold no `wandb_infra_version`)
    gets one message naming the release to add, instead of one wrong-way error at a time."""
    default = layouts.INFRA_RELEASES[layouts.DEFAULT_INFRA_VERSION]
    for name in values:
        if name in PRE_OPERATOR_ONLY:
            wanted = "1.16.10"
        elif name in APP_KEYS or default.release.declares(name):
            continue
        else:
            declaring = [c for c, r in layouts.INFRA_RELEASES.items() if r.release.declares(name)]
            exact = [c for c in declaring if not c.startswith("~>")]
            if not declaring:
                continue  # an unknown key: its own message says so
            wanted = (exact or declaring)[0]
        layout = layouts.INFRA_RELEASES[wanted].layout.value
        raise fail(
            "wandb_infra_version",
            f'is not set, so the app takes the guide\'s default "{layouts.DEFAULT_INFRA_VERSION}" (the recommended layout); '
            f'but this file sets `{name}`, which the {layout} layout uses: add wandb_infra_version = "{wanted}" '
            '(e.g. the guide\'s pre-operator.tfvars wants "1.16.10", its post-operator.tfvars "4.7.2")',
        )


def _check_required_inputs(infra: InfraRelease, values: Mapping[str, Any], fail: Fail) -> None:
    """Every input the release requires is given: by the settings, or by the app itself."""
    release = infra.release
    by_app = set(APP_KEYS) | {w.name for w in layouts.written_inputs(infra.layout)}
    for name in sorted(release.required_inputs - by_app - set(values)):
        advice = layouts.REQUIRED_INPUT_ADVICE.get(name, "add it to the settings file")
        raise fail(name, f"is required by {release.label}; {advice}")


def _storage_settings(typed: Mapping[str, Any]) -> StorageSettings:
    return StorageSettings(
        bucket_name=typed["storage_bucket_name"],
        queue_name=typed["storage_queue_name"] or f"{typed['namespace']}-wandb-file-events",
        cors_origins=tuple(typed["storage_cors_origins"] or [f"https://{fqdn(typed['subdomain'], typed['domain_name'])}"]),
        node_role_name=typed["storage_node_role_name"],
        noncurrent_version_days=int(typed["storage_noncurrent_version_days"]),
        force_destroy=typed["storage_force_destroy"],
    )


def _apply_aliases(values: dict[str, Any], fail: Fail) -> dict[str, Any]:
    for alias, name in ALIASES.items():
        if alias in values:
            if name in values:
                raise fail(alias, f"is another name for `{name}`; set only one of them")
            values[name] = values.pop(alias)
    return values


def _app_value(values: Mapping[str, Any], name: str, fail: Fail) -> Any:
    key = APP_KEYS[name]
    if name not in values:
        return key.default
    _refuse_null(name, values, fail)
    return _checked(name, values[name], key.type, key.check, key.secret, fail)


def _refuse_null(name: str, values: Mapping[str, Any], fail: Fail, has_default: bool = False) -> None:
    """`null` stands for "unset" only where unset means None; elsewhere it is refused, naming the
    setting, instead of reaching code that expects a value."""
    key = APP_KEYS[name]
    if values[name] is not None or (key.default is None and not has_default):
        return
    if key.default is _NO_DEFAULT and not has_default:
        raise fail(name, f"must not be null: it is required ({key.doc})")
    raise fail(name, "must not be null; remove the line to use the default")


def _checked(name: str, value: Any, tf_type: str, check: Check | None, secret: bool, fail: Fail) -> Any:
    if value is None:
        return None
    err = type_error(value, tf_type)
    if err:
        raise fail(name, err)
    if check is not None:
        err = check(value)
        if err:
            # A secret's own value never appears in a message.
            raise fail(name, "the value is not valid" if secret and str(value).strip() and str(value) in err else err)
    return value


def _refuse_secrets(values: Mapping[str, Any], license: str | None, fail: Fail) -> None:
    """No setting but the license holds a secret: every other value is written to cdktf.out in
    clear text (the same test as the NO-SECRET-LITERALS rule, caught here with the setting named)."""
    for name, value in values.items():
        if APP_KEYS.get(name, _PLAIN).secret:
            continue
        for path, text in strings_in(value, name):
            if license and license in text:
                raise fail(name, f"holds the license (at {path}); the license goes only in `license`, which is never synthesized")
            kind = secret_kind(text)
            if kind is None and any(SECRET_NAME.search(part) for part in path.split(".")):
                kind = "a secret, by its name"
            if kind:
                raise fail(
                    name,
                    f"{path} looks like {kind}; settings other than `license` are written to cdktf.out in clear "
                    "text, so keep secrets out of the settings file (pass AWS credentials through the environment "
                    "or a profile)",
                )


_PLAIN = Key("", "any", None, "")


def _unknown_key_message(name: str, release: ModuleRelease) -> str:
    other = [c for c, r in layouts.INFRA_RELEASES.items() if c != release.constraint and r.release.declares(name)]
    if other:
        return f"is not an input of {release.label}, the release `wandb_infra_version` chooses (it is an input of {', '.join(other)})"
    if name in KNOWN_MISTAKES:
        return f"is not a setting: no release of wandb/wandb/aws declares it; did you mean `{KNOWN_MISTAKES[name]}`?"
    candidates = sorted(set(APP_KEYS) | set(ALIASES) | set(release.variables))
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    hint = f"; did you mean `{close[0]}`?" if close else f" and not an input of {release.label}"
    return f"is not a known setting{hint}"
