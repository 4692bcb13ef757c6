"""The settings schema: every key of the app's own (`APP_KEYS`: the guide's keys, the provider,
the state backend, the module releases, the storage stack), the names the guide uses for them,
the checks of module inputs beyond their declared type, and the README's settings table,
generated from them (`settings_table_markdown()`).

Any other key is an input variable of the `wandb/wandb/aws` release chosen by
`wandb_infra_version`, under its own name, checked against that release's declared type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType

from release_catalog import layouts
from release_catalog.layouts import Layout
from release_catalog.releases import STANDARD_SIZES
from settings import checks
from settings.hcp_keys import HCP_KEYS
from settings.keys import ALL_LAYOUTS, REQUIRED, Check, Key

_PRE_OPERATOR = frozenset({Layout.PRE_OPERATOR})


APP_KEYS: Mapping[str, Key] = MappingProxyType(
    {
        k.name: k
        for k in (
            # The guide's terraform.tfvars keys.
            Key(
                "namespace",
                "string",
                REQUIRED,
                "Prefix of every AWS resource name.",
                checks.namespace,
                explain="Prefix of every AWS resource name: lowercase letters, digits, single hyphens, starting with a "
                "letter, at most 20 characters (derived names such as ElastiCache ids have tight limits).",
            ),
            Key(
                "license",
                "string",
                None,
                "W&B license (or `wandb_license`). Never synthesized: Terraform reads it from this file at deploy time.",
                checks.non_empty,
                secret=True,
                explain="The W&B license. Terraform reads it from this file at deploy time ([The license](#the-license)); "
                "never written to `cdktf.out`, snapshots or logs. Without it, `TF_VAR_license` (synth warns when "
                "neither is set).",
            ),
            Key(
                "subdomain",
                "string",
                None,
                "Subdomain of the W&B FQDN (`<subdomain>.<domain_name>`).",
                checks.subdomain,
                explain="`<subdomain>.<domain_name>` is the W&B FQDN.",
            ),
            Key(
                "domain_name",
                "string",
                REQUIRED,
                "Domain the W&B FQDN lives in.",
                checks.domain_name,
                explain="Domain of the FQDN (no scheme, no trailing dot).",
            ),
            Key(
                "zone_id",
                "string",
                REQUIRED,
                "Route 53 hosted zone where the FQDN record is created.",
                checks.zone_id,
                explain="Route 53 hosted zone id (`Z...`) where the record is created.",
            ),
            Key(
                "allowed_inbound_cidr",
                "list(string)",
                REQUIRED,
                "IPv4 CIDR blocks allowed to reach W&B.",
                checks.cidr_list(4),
                explain="IPv4 blocks allowed to reach W&B.",
                shown_default='required (recommended layout); `["0.0.0.0/0"]` in the pre/post-operator layouts',
            ),
            Key(
                "allowed_inbound_ipv6_cidr",
                "list(string)",
                REQUIRED,
                "IPv6 CIDR blocks allowed to reach W&B.",
                checks.cidr_list(6),
                explain="IPv6 blocks allowed to reach W&B.",
                shown_default='as above, `["::/0"]`',
            ),
            Key(
                "eks_cluster_version",
                "string",
                None,
                'Kubernetes version of the EKS cluster, e.g. "1.32". Required by 4.7.2 and 7.x (at most 1.32), and by 8.x (1.30 to 1.35).',
                checks.eks_cluster_version,
                explain="Kubernetes minor version of the EKS cluster. Releases before 8.0 (Amazon Linux 2 nodes) accept at "
                "most `1.32`; 8.x accepts `1.30` to `1.35`. Synth warns, naming the date, when AWS's calendar has the "
                "version in extended support or past it ([EKS versions](#eks-versions)), and below W&B's minimum, "
                "1.32.",
                shown_default='required for 4.7.2, 7.x and 8.x; `"1.25"` for `1.16.10`',
            ),
            Key(
                "kubernetes_auth",
                "string",
                layouts.DEFAULT_KUBERNETES_AUTH.value,
                'How the kubernetes and helm providers authenticate to the cluster: "exec" (`aws eks get-token`, '
                'fresh for every plan and apply; needs the AWS CLI), "ephemeral" (8.x only: opened at apply, no AWS '
                'CLI, valid 15 minutes) or "token" (the guide\'s data source: read at plan time, valid 15 minutes).',
                checks.one_of(tuple(auth.value for auth in layouts.KubernetesAuth)),
                explain='How the kubernetes and helm providers authenticate to the cluster: `"exec"` (`aws eks get-token`, a '
                'fresh token for every plan and apply; needs the AWS CLI), `"ephemeral"` (8.x only: the aws '
                "provider's ephemeral `aws_eks_cluster_auth`, opened at apply; no AWS CLI) or `\"token\"` (the guide's "
                "data source, read at plan time, valid 15 minutes). See [Cluster "
                "credentials](#cluster-credentials-kubernetes_auth).",
            ),
            # The aws provider.
            Key(
                "region",
                "string",
                "eu-central-1",
                "AWS region of the deployment.",
                checks.region,
                explain="AWS region (the aws provider's `region`).",
            ),
            Key(
                "default_tags",
                "map(string)",
                {},
                "Tags added to every AWS resource (on top of the app's own `Application`/`ManagedBy` tags).",
                checks.tag_map,
                explain='Tags on every AWS resource, added to the app\'s own `Application = "wandb"`, `ManagedBy = "cdktf"`. '
                "More than 50 together (AWS's limit per resource; with `eks_cluster_tags` on the cluster) is an "
                "error.",
            ),
            # Module releases.
            Key(
                "wandb_infra_version",
                "string",
                layouts.DEFAULT_INFRA_VERSION,
                "Release of `wandb/wandb/aws`: one of " + ", ".join(f'"{v}"' for v in layouts.INFRA_RELEASES) + ".",
                explain='Release of `wandb/wandb/aws`: `"8.0.0"` or `"~> 8.0"` (new deployments), `"7.18.2"` or `"~> 7.0"` '
                '(the guide\'s recommended deployment), `"1.16.10"` (pre-operator), `"4.7.2"` (post-operator). A file '
                "without it that sets keys only another layout uses (the guide's pre- and post-operator files) gets "
                "one message saying which value to add.",
            ),
            Key(
                "wandb_app_version",
                "string",
                layouts.DEFAULT_APP_VERSION,
                'Release of `wandb/wandb/kubernetes` (pre-operator layout only): "1.12.0" or "~> 1.0".',
                explain='Release of `wandb/wandb/kubernetes` (`"1.12.0"` or `"~> 1.0"`).',
                layouts=_PRE_OPERATOR,
            ),
            Key(
                "wandb_version",
                "string",
                None,
                'W&B server version the pre-operator `wandb_app` module runs, e.g. "0.51.2".',
                checks.non_empty,
                explain="The W&B server version.",
                shown_default="module default (`latest`)",
                layouts=_PRE_OPERATOR,
            ),
            Key(
                "wandb_image",
                "string",
                None,
                "W&B server image for the pre-operator `wandb_app` module (module default: wandb/local).",
                checks.non_empty,
                explain="The W&B server image.",
                shown_default="module default (`wandb/local`)",
                layouts=_PRE_OPERATOR,
            ),
            # Remote state.
            Key(
                "state_bucket",
                "string",
                None,
                "S3 bucket for the remote state. Unset: local state in `terraform.<stack>.tfstate` at the project root.",
                checks.bucket_name,
                explain="S3 bucket of the remote state.",
                shown_default="none (local state)",
            ),
            Key(
                "state_key",
                "string",
                "wandb/terraform.tfstate",
                "Object key of the `wandb` stack's state in `state_bucket`; other stacks keep theirs beside it as `<stack>.tfstate`. "
                "In a deployments folder: `wandb/<deployment>/terraform.tfstate`.",
                checks.state_key,
                explain="Object key of stack `wandb`'s state; other stacks keep theirs beside it as `<stack>.tfstate`.",
                shown_default='`"wandb/terraform.tfstate"`; `"wandb/<deployment>/terraform.tfstate"` in a deployments folder',
            ),
            Key(
                "state_region",
                "string",
                None,
                "Region of `state_bucket` (default: `region`).",
                checks.region,
                explain="Region of `state_bucket`.",
                shown_default="`region`",
            ),
            Key(
                "state_lock_table",
                "string",
                None,
                "DynamoDB table for state locking (deprecated since Terraform 1.11: synth warns). Unset: S3-native locking "
                "(`use_lockfile`, Terraform >= 1.10).",
                checks.dynamodb_table,
                explain="DynamoDB table for locking. Deprecated since Terraform 1.11 (synth warns); without it, S3-native "
                "locking (`use_lockfile`).",
            ),
            Key(
                "state_role_arn",
                "string",
                None,
                "IAM role Terraform assumes to reach the state (the S3 backend's `assume_role`).",
                checks.iam_role_arn,
                explain="IAM role Terraform assumes to reach the state (the backend's `assume_role`).",
            ),
            Key(
                "state_profile",
                "string",
                None,
                "AWS profile for the state backend (its `profile`).",
                checks.aws_profile,
                explain="AWS profile for the state backend.",
            ),
            Key(
                "state_kms_key_id",
                "string",
                None,
                "KMS key (ARN) the state object is encrypted with (its `kms_key_id`). Unset: SSE-S3.",
                checks.kms_key_arn,
                explain="KMS key ARN the state object is encrypted with.",
                shown_default="none (SSE-S3)",
            ),
            # HCP Terraform / Terraform Enterprise: the state and run engine instead of `state_bucket`.
            *HCP_KEYS,
            # The `wandb-storage` stack: the guide's manual (bring-your-own bucket) file storage.
            Key(
                "storage_bucket_name",
                "string",
                None,
                "S3 bucket for W&B files. Unset: `<namespace>-wandb-files-<account id>`.",
                checks.file_bucket_name,
                explain="S3 bucket for W&B files (stack `wandb-storage`: see [docs/storage.md](docs/storage.md)). Unset: "
                "`<namespace>-wandb-files-<account id>`.",
            ),
            Key(
                "storage_queue_name",
                "string",
                None,
                "SQS queue receiving the bucket's object-created events. Unset: `<namespace>-wandb-file-events`.",
                checks.queue_name,
            ),
            Key(
                "storage_cors_origins",
                "list(string)",
                None,
                "Origins allowed to GET/PUT files from a browser. Unset: `https://<subdomain>.<domain_name>`.",
                checks.cors_origins,
            ),
            Key(
                "storage_node_role_name",
                "string",
                None,
                "IAM role of the nodes running W&B; the storage access policy is attached to it. Unset: not attached.",
                checks.iam_role_name,
            ),
            Key(
                "storage_noncurrent_version_days",
                "number",
                30,
                "Days an overwritten or deleted file's old version is kept before S3 expires it.",
                checks.positive_days,
            ),
            Key(
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
# The names the license may have in a settings file: `license` and the guide's.
LICENSE_FILE_KEYS = ("license", *(alias for alias, name in ALIASES.items() if name == "license"))

# Guide snippets that name keys no release declares; the hint beats a fuzzy match.
KNOWN_MISTAKES: Mapping[str, str] = MappingProxyType({"create_elasticache_subnet": "create_elasticache"})

# Checks for module inputs beyond their declared type.
MODULE_INPUT_CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "kubernetes_public_access_cidrs": checks.cidr_list(None),
        "bucket_name": lambda v: checks.bucket_name(v) if v else None,
        "size": lambda v: (
            None if v in STANDARD_SIZES else f"{v!r} is not a size the module defines; use one of {', '.join(STANDARD_SIZES)}"
        ),
    }
)

# Keys only the pre-operator layout reads (its separate `wandb/wandb/kubernetes` app module).
PRE_OPERATOR_ONLY = tuple(name for name, key in APP_KEYS.items() if key.layouts == _PRE_OPERATOR)

# The remote state settings that mean nothing without `state_bucket`.
STATE_BUCKET_OPTIONS = ("state_key", "state_region", "state_lock_table", "state_role_arn", "state_profile", "state_kms_key_id")

# The settings table's rows for module inputs (any other key): (key, type, default, layouts, what it does).
MODULE_INPUT_ROWS = (
    (
        "`kubernetes_legacy_cluster_creator_admin`",
        "bool",
        "required on 8.x, never guessed",
        Layout.V8.value,
        "An 8.x input: `true` when upgrading a cluster that 7.x created (AWS keeps the creator's implicit admin access), "
        '`false` for a new deployment. The wrong value ends in "Unauthorized" from the kubernetes and helm providers, '
        "or a 409, during the deploy.",
    ),
    (
        "`preserve_aws_auth_configmap`, `eks_addons_preroll_version`",
        "bool, string",
        "module defaults",
        Layout.V8.value,
        "8.x inputs, checked like every module input; the upgrade runbook sets the first. `kubernetes_map_accounts` must "
        "be empty on 8.x (the module rejects a list).",
    ),
    (
        "any input of the chosen `wandb/wandb/aws` release",
        "its declared type",
        "the app's default below, else the module's",
        "all",
        "Passed to module `wandb_infra` under its own name, e.g. `create_elasticache`, `use_internal_queue`, `size` "
        f"({', '.join(f'`{size}`' for size in STANDARD_SIZES)}), `deletion_protection`, `bucket_name`.",
    ),
)


def settings_table_markdown() -> str:
    """The README's settings table: every key of `APP_KEYS`, then the module inputs."""
    rows = ["| key | type | default | layouts | what it does |", "| --- | --- | --- | --- | --- |"]
    for key in APP_KEYS.values():
        aliases = "".join(f" (or `{alias}`)" for alias, name in ALIASES.items() if name == key.name)
        cells = (f"`{key.name}`{aliases}", key.type, _shown_default(key), _shown_layouts(key.layouts), key.explain or key.doc)
        rows.append("| " + " | ".join(cells) + " |")
    rows += ["| " + " | ".join(cells) + " |" for cells in MODULE_INPUT_ROWS]
    return "\n".join(rows) + "\n"


def _shown_default(key: Key) -> str:
    if key.shown_default is not None:
        return key.shown_default
    if key.default is REQUIRED:
        return "required"
    return "none" if key.default is None else f"`{json.dumps(key.default)}`"


def _shown_layouts(used_by: frozenset[Layout]) -> str:
    return "all" if used_by == ALL_LAYOUTS else ", ".join(sorted(layout.value for layout in used_by))
