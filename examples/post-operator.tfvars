# The guide's post-operator.tfvars: wandb/wandb/aws 4.7.2, the W&B operator inside the module, on
# the state pre-operator.tfvars made; eks_cluster_version is the cluster's current version (4.7.2
# requires it; the guide's files made the cluster at 1.25), so the migration upgrades nothing.
namespace            = "operator-upgrade"
domain_name          = "sandbox-aws.wandb.ml"
zone_id              = "Z032246913CW32RVRY0WU"
subdomain            = "operator-upgrade"
wandb_infra_version  = "4.7.2"
size                 = "small"
enable_dummy_dns     = true
enable_operator_alb  = true
custom_domain_filter = "sandbox-aws.wandb.ml"
eks_cluster_version  = "1.25"
