"""The recreatable resource types: a deletion or replacement loses nothing that the same apply
does not make again (plan_review/data_bearing.py has the other classes). A replacement that
changes a risky setting of one of them is still judged (plan_review/risky.py)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

_NETWORK = "network plumbing, made again from the configuration; what runs in it is judged by its own type"
_ACCESS = "an access grant made again from the configuration (an interruption at most while it is replaced)"
_SETTING = "a setting of another resource, made again from the configuration; it stores nothing"
_NODES = "compute: nodes and their templates are replaced (create before destroy in the module upgrades); they keep no data"
_VALUE = (
    "a generated value: a new one is generated, and what uses it (a name, a password) is updated or replaced and judged by its own type"
)
_BALANCER = "the load balancer and its wiring, made again in the same apply (the DNS record follows it)"
_NOTHING = "holds nothing outside Terraform (a wait, a trigger, a local file)"

RECREATABLE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "tfe_variable": "a workspace variable, made again from the configuration (the license read from the settings file again)",
        "tfe_workspace_settings": _SETTING,
        "aws_acm_certificate": "a certificate: a new one is issued and validated through DNS",
        "aws_acm_certificate_validation": _NOTHING,
        "aws_appautoscaling_policy": _SETTING,
        "aws_appautoscaling_target": _SETTING,
        "aws_autoscaling_attachment": _NODES,
        "aws_autoscaling_group": _NODES,
        "aws_autoscaling_schedule": _NODES,
        "aws_customer_gateway": _NETWORK,
        "aws_db_parameter_group": _SETTING,
        "aws_db_subnet_group": _NETWORK,
        "aws_default_network_acl": "the VPC's default ACL: Terraform only adopts it, deleting takes it out of the state",
        "aws_default_route_table": "the VPC's default route table: Terraform only adopts it, deleting takes it out of the state",
        "aws_default_security_group": "the VPC's default group: Terraform only adopts it, deleting takes it out of the state",
        "aws_default_vpc": "the account's default VPC: Terraform only adopts it, deleting takes it out of the state",
        "aws_ec2_tag": _SETTING,
        "aws_efs_backup_policy": "the file system's automatic backups switch; the backups made stay",
        "aws_efs_mount_target": _NETWORK,
        "aws_egress_only_internet_gateway": _NETWORK,
        "aws_eip": "a public address: a new one is allocated (outbound traffic through NAT gets a new address)",
        "aws_eks_access_entry": _ACCESS,
        "aws_eks_access_policy_association": _ACCESS,
        "aws_eks_addon": "a cluster add-on (CNI, CoreDNS, EBS CSI driver), installed again in the same apply",
        "aws_eks_fargate_profile": _NODES,
        "aws_eks_identity_provider_config": _ACCESS,
        "aws_eks_node_group": _NODES,
        "aws_elasticache_subnet_group": _NETWORK,
        "aws_flow_log": "the flow-log switch; the logs are in the log group, which is data-bearing",
        "aws_iam_instance_profile": _ACCESS,
        "aws_iam_openid_connect_provider": _ACCESS,
        "aws_iam_policy": _ACCESS,
        "aws_iam_policy_attachment": _ACCESS,
        "aws_iam_role": _ACCESS,
        "aws_iam_role_policy": _ACCESS,
        "aws_iam_role_policy_attachment": _ACCESS,
        "aws_internet_gateway": _NETWORK,
        "aws_kms_alias": "a name for a key; the key is judged by its own type",
        "aws_kms_grant": _ACCESS,
        "aws_launch_configuration": _NODES,
        "aws_launch_template": _NODES,
        "aws_lb": _BALANCER,
        "aws_lb_listener": _BALANCER,
        "aws_lb_target_group": _BALANCER,
        "aws_lb_target_group_attachment": _BALANCER,
        "aws_nat_gateway": _NETWORK,
        "aws_network_acl": _NETWORK,
        "aws_network_acl_rule": _NETWORK,
        "aws_placement_group": _NODES,
        "aws_rds_cluster_endpoint": "a custom endpoint of the Aurora cluster; the data is in the cluster",
        "aws_rds_cluster_instance": "an Aurora instance: the data lives in the cluster's volume, not in the instance",
        "aws_rds_cluster_parameter_group": _SETTING,
        "aws_rds_cluster_role_association": _ACCESS,
        "aws_redshift_subnet_group": _NETWORK,
        "aws_route": _NETWORK,
        "aws_route53_record": "a DNS record, written again from the configuration",
        "aws_route_table": _NETWORK,
        "aws_route_table_association": _NETWORK,
        "aws_s3_bucket_acl": _SETTING,
        "aws_s3_bucket_cors_configuration": _SETTING,
        "aws_s3_bucket_lifecycle_configuration": f"{_SETTING} (an expiration added or shortened is a risky update)",
        "aws_s3_bucket_notification": _SETTING,
        "aws_s3_bucket_ownership_controls": _SETTING,
        "aws_s3_bucket_policy": _SETTING,
        "aws_s3_bucket_public_access_block": _SETTING,
        "aws_s3_bucket_server_side_encryption_configuration": _SETTING,
        "aws_secretsmanager_secret_version": "a version of a secret, written again with the value the configuration gives",
        "aws_security_group": _NETWORK,
        "aws_security_group_rule": _NETWORK,
        "aws_sqs_queue_policy": _ACCESS,
        "aws_subnet": _NETWORK,
        "aws_vpc": _NETWORK,
        "aws_vpc_dhcp_options": _NETWORK,
        "aws_vpc_dhcp_options_association": _NETWORK,
        "aws_vpc_endpoint": _NETWORK,
        "aws_vpc_endpoint_service": _NETWORK,
        "aws_vpc_ipv4_cidr_block_association": _NETWORK,
        "aws_vpn_gateway": _NETWORK,
        "aws_vpn_gateway_attachment": _NETWORK,
        "aws_vpn_gateway_route_propagation": _NETWORK,
        "kubernetes_annotations": _SETTING,
        "kubernetes_priority_class": _SETTING,
        "kubernetes_secret": "a Kubernetes secret written again from the configuration's values",
        "kubernetes_service": "a Kubernetes service, made again in the same apply (a short interruption)",
        "kubernetes_service_account": _ACCESS,
        "kubernetes_storage_class": "a storage class: volumes already made keep their class's settings",
        "local_file": _NOTHING,
        "null_resource": _NOTHING,
        "random_id": _VALUE,
        "random_password": _VALUE,
        "random_pet": _VALUE,
        "random_string": _VALUE,
        "time_sleep": _NOTHING,
    }
)
