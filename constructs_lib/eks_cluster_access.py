"""Access to the EKS cluster the W&B module creates: the kubernetes and helm providers, with the
cluster's endpoint and CA certificate either from `data "aws_eks_cluster"` (as the guide writes
it) or, when given, from the module's own outputs (8.x), and the token from
`data "aws_eks_cluster_auth"`.

Terraform addresses stay the guide's (`data.aws_eks_cluster.eks_cluster_id`,
`data.aws_eks_cluster_auth.eks_cluster_auth`) wherever this construct sits in the tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_aws.data_aws_eks_cluster_auth import DataAwsEksClusterAuth
from cdktf_cdktf_provider_helm.provider import HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec
from constructs import Construct

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


@dataclass(frozen=True)
class EksClusterAccessProps:
    """cluster_name: the EKS cluster (usually a module output token).
    helm: also configure the helm provider (the operator layouts install charts; default True).
    exec_auth: besides the short-lived token, authenticate with an `exec` block running
        `aws eks get-token` (the guide's post-operator providers; default False).
    endpoint, certificate_authority_data: the cluster's API endpoint and base64 CA certificate,
        e.g. the module's outputs (default None: read by `data "aws_eks_cluster"`). Give both for a
        module that names the cluster before creating it (8.x): that data source would be read
        during the first plan of a new deployment, and fail."""

    cluster_name: str
    helm: bool = True
    exec_auth: bool = False
    endpoint: str | None = None
    certificate_authority_data: str | None = None


class EksClusterAccess(Construct):
    def __init__(self, scope: Construct, id: str, props: EksClusterAccessProps):
        super().__init__(scope, id)
        if (props.endpoint is None) != (props.certificate_authority_data is None):
            raise ValueError("EksClusterAccess takes both endpoint and certificate_authority_data, or neither")
        self.cluster: DataAwsEksCluster | None = None
        if props.endpoint is None or props.certificate_authority_data is None:
            self.cluster = DataAwsEksCluster(self, "cluster", name=props.cluster_name)
            self.cluster.override_logical_id("eks_cluster_id")
            host = self.cluster.endpoint
            ca_data = self.cluster.certificate_authority.get(0).data
            cluster_name = self.cluster.name
        else:
            host, ca_data, cluster_name = props.endpoint, props.certificate_authority_data, props.cluster_name
        self.auth = DataAwsEksClusterAuth(self, "auth", name=props.cluster_name)
        self.auth.override_logical_id("eks_cluster_auth")

        ca_certificate = Fn.base64decode(ca_data)
        token = self.auth.token
        exec_args = ["eks", "get-token", "--cluster-name", cluster_name]

        self.kubernetes = KubernetesProvider(
            self,
            "kubernetes",
            host=host,
            cluster_ca_certificate=ca_certificate,
            token=token,
            exec=[KubernetesProviderExec(api_version=EXEC_API_VERSION, command="aws", args=exec_args)] if props.exec_auth else None,
        )
        self.helm = None
        if props.helm:
            self.helm = HelmProvider(
                self,
                "helm",
                kubernetes=HelmProviderKubernetes(
                    host=host,
                    cluster_ca_certificate=ca_certificate,
                    token=token,
                    exec=HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command="aws", args=exec_args)
                    if props.exec_auth
                    else None,
                ),
            )
