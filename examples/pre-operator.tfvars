# The guide's pre-operator.tfvars: wandb/wandb/aws 1.16.10 with the separate wandb/wandb/kubernetes
# app module (README, Module releases and the operator migration). The guide's license key here
# is wandb_license.
namespace           = "operator-upgrade"
domain_name         = "sandbox-aws.wandb.ml"
zone_id             = "Z032246913CW32RVRY0WU"
subdomain           = "operator-upgrade"
wandb_version       = "0.51.2"
wandb_infra_version = "1.16.10"
