"""Settings to props: the one place where the validated `Settings` become the typed props of the
constructs in `constructs_lib` (which never see `Settings` themselves)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from constructs_lib.aws_provider import AwsProviderProps
from constructs_lib.eks_cluster_access import EksClusterAccessProps
from constructs_lib.file_storage import FileStorageProps
from constructs_lib.settings_file import SecretFromFile, SettingsFileProps
from constructs_lib.terraform_block import CloudState, LocalState, S3State
from constructs_lib.wandb_module import WandbInfra, WandbModule
from release_catalog import constraints, layouts
from release_catalog.layouts import LICENSE, FromSetting
from release_catalog.releases import ModuleRelease
from settings import PROJECT_ROOT, Settings
from settings.naming import stack_id
from settings.schema import LICENSE_FILE_KEYS


def working_dir(outdir: Path, stack: str) -> Path:
    """The folder Terraform runs a stack in: every path the stack's JSON holds is relative to it.
    `<outdir>/stacks/<id>`; `<outdir>/<id>` when `outdir` is an export (stacks.stack_folders)."""
    from stacks.stack_folders import ExportFolder

    if isinstance(outdir, ExportFolder):
        return Path(outdir.resolve(), stack)
    return outdir.resolve() / "stacks" / stack


def path_from(stack_dir: Path, target: Path) -> str:
    """`target` as Terraform, running in `stack_dir`, finds it, wherever the output folder is: a
    relative path for a file of the project (no absolute path of this machine in the JSON, and the
    project folder may move), else the absolute path."""
    target = target.resolve()
    try:
        target.relative_to(PROJECT_ROOT)
    except ValueError:
        return target.as_posix()
    return Path(os.path.relpath(target, stack_dir)).as_posix()


LICENSE_SECRET = SecretFromFile(
    name="license",
    file_keys=LICENSE_FILE_KEYS,
    description=(
        "W&B license, when the settings file holds none (or is not there, as in remote runs): "
        "TF_VAR_license. The settings file's license wins. Never synthesized."
    ),
)


def aws_provider_props(settings: Settings) -> AwsProviderProps:
    return AwsProviderProps(region=settings.region, tags=settings.default_tags)


def state_backend(settings: Settings, stack_kind: str, stack_dir: Path) -> LocalState | S3State | CloudState:
    """HCP Terraform: the stack's own workspace (by name, or by tags with `stack:<id>` among them).
    Local: `terraform.<stack id>.tfstate` at the project root, outside cdktf.out, so deleting
    cdktf.out never loses state. S3: `state_key` for stack `wandb`, `<kind>.tfstate` beside it
    for the others (settings.values.StateSettings.key_for)."""
    hcp, stack = settings.hcp, stack_id(stack_kind, settings.deployment)
    if hcp is not None:
        tags = hcp.workspace_tags_for(stack)
        workspace = None if tags else hcp.workspace_name(stack)
        return CloudState(organization=hcp.organization, hostname=hcp.hostname, workspace=workspace, tags=tags, project=hcp.project)
    state = settings.state
    if state.bucket is None:
        return LocalState(path=path_from(stack_dir, PROJECT_ROOT / f"terraform.{stack}.tfstate"))
    return S3State(
        bucket=state.bucket,
        key=state.key_for(stack_kind),
        region=state.region,
        lock_table=state.lock_table,
        role_arn=state.role_arn,
        profile=state.profile,
        kms_key_id=state.kms_key_id,
    )


def settings_file_props(settings: Settings, stack_dir: Path, secrets: tuple[SecretFromFile, ...] = ()) -> SettingsFileProps:
    refuse = None
    if settings.from_example:
        refuse = (
            "This stack was synthesized from terraform.tfvars.example, whose values are placeholders. "
            "Write your own settings first: cp terraform.tfvars.example terraform.tfvars, fill it in, "
            "and run the command again."
        )
    sources = [settings.source] + ([settings.defaults_source] if settings.defaults_source is not None else [])
    return SettingsFileProps(
        paths=[path_from(stack_dir, source) for source in sources],
        keys=settings.file_keys,
        sensitive_keys=frozenset(LICENSE_SECRET.file_keys),
        secrets=secrets,
        refuse_plan=refuse,
    )


# --- stack `wandb` -------------------------------------------------------------------------------


def wandb_modules(settings: Settings) -> list[ModuleRelease]:
    return [settings.infra_release] + ([settings.app_release] if settings.layout.has_app_module else [])


def wandb_providers(settings: Settings) -> list[str]:
    return ["aws", "kubernetes"] + (["helm"] if settings.layout.uses_helm else [])


def wandb_version_constraints(settings: Settings) -> tuple[str, dict[str, str]]:
    modules = wandb_modules(settings)
    return constraints.terraform_constraint(modules), constraints.provider_constraints(wandb_providers(settings), modules)


def cluster_access_props(settings: Settings, infra: WandbInfra) -> EksClusterAccessProps:
    layout = settings.layout
    endpoint = ca_data = None
    if layout.providers_from_module_outputs:
        endpoint, ca_data = infra.output("cluster_endpoint"), infra.output("cluster_certificate_authority_data")
    return EksClusterAccessProps(
        cluster_name=infra.cluster_name,
        region=settings.region,
        auth=settings.kubernetes_auth,
        helm=layout.uses_helm,
        token_with_exec=layout.guide_adds_exec,
        endpoint=endpoint,
        certificate_authority_data=ca_data,
    )


def infra_inputs(settings: Settings, license_ref: str) -> dict[str, Any]:
    """The `wandb_infra` module arguments: the guide's keys, the inputs the app always writes in
    this layout (release_catalog.layouts.ALWAYS_WRITTEN), then the module inputs the settings set."""
    inputs: dict[str, Any] = {
        "namespace": settings.namespace,
        "domain_name": settings.domain_name,
        "zone_id": settings.zone_id,
        "allowed_inbound_cidr": list(settings.allowed_inbound_cidr),
        "allowed_inbound_ipv6_cidr": list(settings.allowed_inbound_ipv6_cidr),
    }
    if settings.subdomain is not None:
        inputs["subdomain"] = settings.subdomain
    if settings.eks_cluster_version is not None:
        inputs["eks_cluster_version"] = settings.eks_cluster_version
    for written in layouts.written_inputs(settings.layout):
        inputs[written.name] = _written_value(written.value, settings, license_ref)
    # An explicit null in the settings is written as null: the module's own default.
    inputs.update({name: layouts.NULL if value is None else value for name, value in settings.module_inputs.items()})
    return inputs


def _written_value(value: Any, settings: Settings, license_ref: str) -> Any:
    if value is LICENSE:
        return license_ref
    if isinstance(value, FromSetting):
        return getattr(settings, value.setting)
    return value


def app_inputs(settings: Settings, infra: WandbModule, license_ref: str) -> dict[str, Any]:
    """The pre-operator `wandb_app` arguments, wired from `wandb_infra` as FACTS.md lists them."""
    inputs: dict[str, Any] = {
        "license": license_ref,
        "host": infra.output("url"),
        "bucket": f"s3://{infra.output('bucket_name')}",
        "bucket_aws_region": infra.output("bucket_region"),
        "bucket_queue": "internal://" if settings.infra_input("use_internal_queue") else f"sqs://{infra.output('bucket_queue_name')}",
        "bucket_kms_key_arn": infra.output("kms_key_arn"),
        "database_connection_string": f"mysql://{infra.output('database_connection_string')}",
        "service_port": infra.output_any("internal_app_port"),
    }
    if settings.infra_input("create_elasticache"):
        inputs["redis_connection_string"] = f"redis://{infra.output('elasticache_connection_string')}?tls=true&ttlInSeconds=604800"
    if settings.wandb_version is not None:
        inputs["wandb_version"] = settings.wandb_version
    if settings.wandb_image is not None:
        inputs["wandb_image"] = settings.wandb_image
    return inputs


# --- stack `wandb-storage` -----------------------------------------------------------------------


def file_storage_props(settings: Settings, account_id: str) -> FileStorageProps:
    storage = settings.storage
    return FileStorageProps(
        bucket_name=storage.bucket_name or f"{settings.namespace}-wandb-files-{account_id}",
        queue_name=storage.queue_name,
        cors_origins=storage.cors_origins,
        node_policy_name=f"{settings.namespace}-wandb-file-storage",
        account_id=account_id,
        noncurrent_version_days=storage.noncurrent_version_days,
        force_destroy=storage.force_destroy,
    )
