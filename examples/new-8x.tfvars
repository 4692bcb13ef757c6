# A new deployment on the current release, wandb/wandb/aws 8.0.0 (Amazon Linux 2023 nodes), at
# a Kubernetes version AWS creates clusters at. The guide's keys otherwise.
namespace                 = "wandb"
subdomain                 = "wandb-aws"
domain_name               = "wandb.ml"
zone_id                   = "Z032246913CW32RVRY0WU"
allowed_inbound_cidr      = ["0.0.0.0/0"]
allowed_inbound_ipv6_cidr = ["::/0"]
eks_cluster_version       = "1.35"

wandb_infra_version                     = "8.0.0"
kubernetes_legacy_cluster_creator_admin = false # true only when upgrading a cluster 7.x created
