"""Stack `wandb-storage`: W&B file storage the guide's "manual configuration" describes.

The bucket, its object-created queue, CORS and the node access policy (constructs_lib.file_storage),
deployable on its own (`cdktf deploy wandb-storage`). Its outputs are what the W&B system settings
page (`https://<host>/system-admin`) asks for: the bucket as `s3://<bucket>`, its region and the
notification subscription as `sqs://<queue>`. See docs/storage.md.
"""

from __future__ import annotations

from pathlib import Path

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from constructs import Construct

from constructs_lib.aws_provider import aws_provider
from constructs_lib.file_storage import FileStorage
from constructs_lib.settings_file import SettingsFile
from constructs_lib.terraform_block import configure_state, pin_versions
from release_catalog.constraints import TERRAFORM_FLOOR
from settings import DEFAULT_OUTDIR, Settings
from stacks import from_settings as props

KIND = "wandb-storage"

# The stack does not use the W&B module, so it is not bound by the module's `~> 4.0`. 5.100 is the
# oldest release it is tested with (the provider mirror on the build machine); 6.x is current.
AWS_PROVIDER_CONSTRAINT = ">= 5.100.0, < 7.0.0"


class WandbStorageStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, settings: Settings, outdir: Path = DEFAULT_OUTDIR):
        super().__init__(scope, id)
        stack_dir = props.working_dir(outdir, id)
        pin_versions(self, TERRAFORM_FLOOR, {"aws": AWS_PROVIDER_CONSTRAINT})
        configure_state(self, props.state_backend(settings, KIND, stack_dir))
        aws_provider(self, props.aws_provider_props(settings))
        self.settings_file = SettingsFile(self, "settings_file", props.settings_file_props(settings, stack_dir))

        account = DataAwsCallerIdentity(self, "account")
        self.files = FileStorage(self, "files", props.file_storage_props(settings, account.account_id))
        if settings.storage.node_role_name:
            self.files.grant_node_access(settings.storage.node_role_name)

        # What the W&B system settings page asks for, in its order (docs/storage.md).
        outputs = {
            "file_storage_bucket": (self.files.bucket_url, "System settings > File storage bucket"),
            "file_storage_region": (self.files.bucket.region, "System settings > File storage region (AWS only)"),
            "notification_subscription": (self.files.queue_subscription, "System settings > Notification subscription"),
            "node_policy_arn": (self.files.node_policy.arn, "IAM policy to attach to the role of the nodes running W&B"),
        }
        for name, (value, description) in outputs.items():
            TerraformOutput(self, name, value=value, description=description)
