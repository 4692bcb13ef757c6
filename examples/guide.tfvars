# The guide's terraform.tfvars for its recommended deployment (wandb/wandb/aws "~> 7.0", the
# app's default release), with a well-formed zone id. The guide's eks_cluster_version, 1.29, can
# no longer be created (AWS's calendar; synth warns): for a new deployment see new-8x.tfvars.
# The license goes here as `license = "..."`, or in TF_VAR_license; it is never synthesized.
namespace                 = "wandb"
subdomain                 = "wandb-aws"
domain_name               = "wandb.ml"
zone_id                   = "Z032246913CW32RVRY0WU"
allowed_inbound_cidr      = ["0.0.0.0/0"]
allowed_inbound_ipv6_cidr = ["::/0"]
eks_cluster_version       = "1.29"
