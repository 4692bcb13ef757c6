"""Stack `wandb-storage`: W&B file storage the guide's "manual configuration" describes.

The bucket, its object-created queue, CORS and the node access policy (constructs_lib.file_storage),
deployable on its own (`cdktf deploy wandb-storage`). Its outputs are what the W&B system settings
page (`https://<host>/system-admin`) asks for: the bucket as `s3://<bucket>`, its region and the
notification subscription as `sqs://<queue>`. See docs/storage.md.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from constructs import Construct

from constructs_lib.aws_provider import AwsProviderProps, aws_provider
from constructs_lib.file_storage import FileStorage, FileStorageProps
from constructs_lib.terraform_block import configure_state, pin_versions
from settings import Settings

STACK_ID = "wandb-storage"

# S3-native state locking (`use_lockfile`) needs Terraform 1.10 (as for the `wandb` stack).
TERRAFORM_CONSTRAINT = ">= 1.10"

# The stack does not use the W&B module, so it is not bound by the module's `~> 4.0`. 5.100 is the
# oldest release it is tested with (the provider mirror on the build machine); 6.x is current.
AWS_PROVIDER_CONSTRAINT = ">= 5.100.0, < 7.0.0"


class WandbStorageStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, settings: Settings):
        super().__init__(scope, id)
        storage = settings.storage
        pin_versions(self, TERRAFORM_CONSTRAINT, {"aws": AWS_PROVIDER_CONSTRAINT})
        configure_state(self, id, settings.state)
        aws_provider(self, AwsProviderProps(region=settings.region, tags=settings.default_tags))

        account = DataAwsCallerIdentity(self, "account")
        bucket_name = storage.bucket_name or f"{settings.namespace}-wandb-files-{account.account_id}"
        self.files = FileStorage(
            self,
            "files",
            FileStorageProps(
                bucket_name=bucket_name,
                queue_name=storage.queue_name,
                cors_origins=storage.cors_origins,
                node_policy_name=f"{settings.namespace}-wandb-file-storage",
                account_id=account.account_id,
                noncurrent_version_days=storage.noncurrent_version_days,
                force_destroy=storage.force_destroy,
            ),
        )
        if storage.node_role_name:
            self.files.grant_node_access(storage.node_role_name)

        # What the W&B system settings page asks for, in its order (docs/storage.md).
        outputs = {
            "file_storage_bucket": (self.files.bucket_url, "System settings > File storage bucket"),
            "file_storage_region": (self.files.bucket.region, "System settings > File storage region (AWS only)"),
            "notification_subscription": (self.files.queue_subscription, "System settings > Notification subscription"),
            "node_policy_arn": (self.files.node_policy.arn, "IAM policy to attach to the role of the nodes running W&B"),
        }
        for name, (value, description) in outputs.items():
            TerraformOutput(self, name, value=value, description=description)
