"""Stack `wandb`: the guide's deployment, in the layout `wandb_infra_version` chooses
(release_catalog.layouts).

- recommended (`~> 7.0`): module `wandb_infra`, the EKS data sources, kubernetes and helm
  providers wired from them, outputs `url` and `bucket`.
- pre-operator (`1.16.10`): module `wandb_infra`, module `wandb_app` (`wandb/wandb/kubernetes`)
  fed from `wandb_infra`'s outputs, the EKS data sources and a kubernetes provider that also
  authenticates through `aws eks get-token`; no helm provider.
- post-operator (`4.7.2`): module `wandb_infra` with the operator inputs; kubernetes and helm
  providers that also authenticate through `aws eks get-token`.
- v8 (`~> 8.0`, `8.0.0`): module `wandb_infra`; kubernetes and helm providers configured from
  the module's outputs `cluster_endpoint` and `cluster_certificate_authority_data`, with the
  token from `data.aws_eks_cluster_auth`; no `data.aws_eks_cluster`.

All layouts share the stack id, the backend and the addresses of what persists, so moving
between them is a settings change followed by `cdktf diff wandb` and `cdktf deploy wandb`.
"""

from __future__ import annotations

from pathlib import Path

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib.aws_provider import aws_provider
from constructs_lib.eks_cluster_access import EksClusterAccess
from constructs_lib.settings_file import SettingsFile
from constructs_lib.terraform_block import configure_state, pin_versions
from constructs_lib.wandb_module import WandbInfra, WandbModule, WandbModuleProps
from settings import DEFAULT_OUTDIR, Settings
from settings.naming import MAIN_STACK_KIND
from stacks import from_settings as props

KIND = MAIN_STACK_KIND


class WandbStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, settings: Settings, outdir: Path = DEFAULT_OUTDIR):
        super().__init__(scope, id)
        layout = settings.layout
        stack_dir = props.working_dir(outdir, id)
        pin_versions(self, *props.wandb_version_constraints(settings))
        configure_state(self, props.state_backend(settings, KIND, stack_dir))
        aws_provider(self, props.aws_provider_props(settings))
        # The license reaches Terraform from the settings file at deploy time (never synthesized).
        self.settings_file = SettingsFile(self, "settings_file", props.settings_file_props(settings, stack_dir, (props.LICENSE_SECRET,)))
        license = self.settings_file.secret(props.LICENSE_SECRET.name)

        self.infra = WandbInfra(
            self, "wandb_infra", WandbModuleProps(release=settings.infra_release, inputs=props.infra_inputs(settings, license))
        )
        self.cluster_access = EksClusterAccess(self, "eks", props.cluster_access_props(settings, self.infra))
        self.app: WandbModule | None = None
        if layout.has_app_module:
            self.app = WandbModule(
                self,
                "wandb_app",
                WandbModuleProps(
                    release=settings.app_release,
                    inputs=props.app_inputs(settings, self.infra, license),
                    depends_on=[self.infra.module],
                ),
            )

        TerraformOutput(self, "url", value=self.infra.output("url"), description="URL of the W&B server")
        TerraformOutput(self, "bucket", value=self.infra.output("bucket_name"), description="S3 bucket of W&B files")
