"""Stack `wandb`: the guide's deployment, in whichever layout `wandb_infra_version` chooses.

- recommended (`~> 7.0`): module `wandb_infra`, the EKS data sources, kubernetes and helm
  providers wired from them, outputs `url` and `bucket`.
- pre-operator (`1.16.10`): module `wandb_infra`, module `wandb_app` (`wandb/wandb/kubernetes`)
  fed from `wandb_infra`'s outputs, the EKS data sources and a kubernetes provider that also
  authenticates through `aws eks get-token`; no helm provider.
- post-operator (`4.7.2`): module `wandb_infra` with the operator inputs; kubernetes and helm
  providers that also authenticate through `aws eks get-token`.

All layouts share the stack id, the backend and the addresses of what persists, so moving
between them is a settings change followed by `cdktf diff wandb` and `cdktf deploy wandb`.
"""

from __future__ import annotations

from typing import Any

from cdktf import TerraformOutput, TerraformStack, TerraformVariable
from constructs import Construct

from constructs_lib import module_releases as releases
from constructs_lib.aws_provider import AwsProviderProps, aws_provider
from constructs_lib.eks_cluster_access import EksClusterAccess, EksClusterAccessProps
from constructs_lib.terraform_block import configure_state, pin_versions
from constructs_lib.wandb_module import NULL, WandbInfra, WandbModule, WandbModuleProps
from settings import Settings

STACK_ID = "wandb"

# S3-native state locking (`use_lockfile`) needs Terraform 1.10.
TERRAFORM_FLOOR = ">= 1.10"

# The root's own constraint for a provider no module constrains. helm: the provider block is
# written in the helm 2.x form (`kubernetes { ... }` block), and 7.x requires helm < 3.0.0.
ROOT_ONLY_CONSTRAINTS = {"helm": "< 3.0.0"}

# The guide's recommended deployment sets these; each stays overridable from the settings.
GUIDE_INPUTS: dict[str, Any] = {
    "public_access": True,
    "external_dns": True,
    "kubernetes_public_access": True,
    "kubernetes_public_access_cidrs": ["0.0.0.0/0"],
}

# The options, always explicit so behaviour never rests on a module default: Redis on (the
# module's default), the internal queue (the guide's default; 7.x would create SQS otherwise).
OPTION_DEFAULTS: dict[str, Any] = {"create_elasticache": True, "use_internal_queue": True}


class WandbStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, settings: Settings):
        super().__init__(scope, id)
        layout = settings.layout
        infra_release = settings.infra_release
        modules = [infra_release] + ([settings.app_release] if layout == "pre-operator" else [])
        providers = ["aws", "kubernetes"] + (["helm"] if layout != "pre-operator" else [])
        pin_versions(self, _terraform_constraint(modules), {p: _provider_constraint(p, modules) for p in providers})
        configure_state(self, id, settings.state)

        aws_provider(self, AwsProviderProps(region=settings.region, tags=settings.default_tags))
        self.license = TerraformVariable(
            self,
            "license",
            type="string",
            sensitive=True,
            description="W&B license. Pass it at deploy time (TF_VAR_license or --var-file); it is never synthesized.",
        )

        self.infra = WandbInfra(
            self, "wandb_infra", WandbModuleProps(release=infra_release, inputs=infra_inputs(settings, self.license.string_value))
        )
        self.cluster_access = EksClusterAccess(
            self,
            "eks",
            EksClusterAccessProps(
                cluster_name=self.infra.cluster_name,
                helm=layout != "pre-operator",
                # The guide's pre- and post-operator files add `aws eks get-token` auth.
                exec_auth=layout != "recommended",
            ),
        )
        self.app = None
        if layout == "pre-operator":
            self.app = WandbModule(
                self,
                "wandb_app",
                WandbModuleProps(
                    release=settings.app_release,
                    inputs=app_inputs(settings, self.infra, self.license.string_value),
                    depends_on=[self.infra.module],
                ),
            )

        TerraformOutput(self, "url", value=self.infra.output("url"), description="URL of the W&B server")
        TerraformOutput(self, "bucket", value=self.infra.output("bucket_name"), description="S3 bucket of W&B files")


def infra_inputs(settings: Settings, license_ref: str) -> dict[str, Any]:
    """The `wandb_infra` module arguments for the chosen release, from the settings."""
    release = settings.infra_release
    inputs: dict[str, Any] = {
        "namespace": settings.namespace,
        "domain_name": settings.domain_name,
        "zone_id": settings.zone_id,
        "allowed_inbound_cidr": list(settings.allowed_inbound_cidr),
        "allowed_inbound_ipv6_cidr": list(settings.allowed_inbound_ipv6_cidr),
        **GUIDE_INPUTS,
        **OPTION_DEFAULTS,
    }
    if settings.subdomain is not None:
        inputs["subdomain"] = settings.subdomain
    if settings.eks_cluster_version is not None:
        inputs["eks_cluster_version"] = settings.eks_cluster_version
    if settings.layout == "pre-operator":
        # Required by 1.16.10 with no default; the module's own pre-operator example passes null.
        inputs["database_performance_insights_kms_key_arn"] = NULL
    if settings.layout == "post-operator":
        # The guide's post-operator.tfvars.
        inputs.update(size="small", enable_dummy_dns=True, enable_operator_alb=True, custom_domain_filter=settings.domain_name)
    inputs.update(settings.module_inputs)
    if release.declares("license"):
        inputs["license"] = license_ref  # required in 4.7.2 and 7.x; the guide forgets to pass it
    return inputs


def app_inputs(settings: Settings, infra: WandbInfra, license_ref: str) -> dict[str, Any]:
    """The pre-operator `wandb_app` arguments, wired from `wandb_infra` as FACTS.md lists them."""
    uses_internal_queue = infra_inputs_value(settings, "use_internal_queue")
    inputs: dict[str, Any] = {
        "license": license_ref,
        "host": infra.output("url"),
        "bucket": f"s3://{infra.output('bucket_name')}",
        "bucket_aws_region": infra.output("bucket_region"),
        "bucket_queue": "internal://" if uses_internal_queue else f"sqs://{infra.output('bucket_queue_name')}",
        "bucket_kms_key_arn": infra.output("kms_key_arn"),
        "database_connection_string": f"mysql://{infra.output('database_connection_string')}",
        "service_port": infra.output_any("internal_app_port"),
    }
    if infra_inputs_value(settings, "create_elasticache"):
        inputs["redis_connection_string"] = (
            f"redis://{infra.output('elasticache_connection_string')}?tls=true&ttlInSeconds=604800"
        )
    if settings.wandb_version is not None:
        inputs["wandb_version"] = settings.wandb_version
    if settings.wandb_image is not None:
        inputs["wandb_image"] = settings.wandb_image
    return inputs


def infra_inputs_value(settings: Settings, name: str) -> Any:
    return settings.module_inputs.get(name, OPTION_DEFAULTS.get(name))


def _terraform_constraint(modules: list[releases.ModuleRelease]) -> str:
    return ", ".join(_unique([m.version_constraints["terraform"] for m in modules if "terraform" in m.version_constraints] + [TERRAFORM_FLOOR]))


def _provider_constraint(provider: str, modules: list[releases.ModuleRelease]) -> str:
    """Every module's constraint on the provider, joined: satisfiable exactly when theirs are."""
    found = _unique([m.version_constraints[provider] for m in modules if provider in m.version_constraints])
    return ", ".join(found) if found else ROOT_ONLY_CONSTRAINTS[provider]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
