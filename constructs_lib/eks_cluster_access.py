"""Access to the EKS cluster the W&B module creates: the kubernetes and helm providers, with the
cluster's endpoint and CA certificate either from `data "aws_eks_cluster"` (as the guide writes
it) or, when given, from the module's own outputs (8.x), and credentials as `auth` chooses
(release_catalog.layouts.KubernetesAuth):

- exec: `aws eks get-token` in the providers' exec block, a fresh token whenever a provider is
  configured (plan, and again at apply, however long after the plan);
- ephemeral: `ephemeral "aws_eks_cluster_auth"`, opened at apply, never in the plan or state;
- token: `data "aws_eks_cluster_auth"`, read at plan time and valid for 15 minutes (the guide's).

Terraform addresses stay the guide's (`data.aws_eks_cluster.eks_cluster_id`,
`data.aws_eks_cluster_auth.eks_cluster_auth`) wherever this construct sits in the tree. Only the
provider configuration and data sources differ between the three: no managed resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_aws.data_aws_eks_cluster_auth import DataAwsEksClusterAuth
from cdktf_cdktf_provider_helm.provider import HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec
from constructs import Construct

from release_catalog.layouts import KubernetesAuth

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
# The guide's name for the token source, kept for the ephemeral resource too.
AUTH_NAME = "eks_cluster_auth"


@dataclass(frozen=True)
class EksClusterAccessProps:
    """cluster_name: the EKS cluster (usually a module output token).
    region: the cluster's region, passed to `aws eks get-token` (so a different default region
        of the AWS CLI does not matter).
    auth: how the providers authenticate (default: exec).
    helm: also configure the helm provider (the operator layouts install charts; default True).
    token_with_exec: with `auth` token, also write an exec block beside the token, as the guide's
        pre- and post-operator providers do (default False).
    endpoint, certificate_authority_data: the cluster's API endpoint and base64 CA certificate,
        e.g. the module's outputs (default None: read by `data "aws_eks_cluster"`). Give both for a
        module that names the cluster before creating it (8.x): that data source would be read
        during the first plan of a new deployment, and fail."""

    cluster_name: str
    region: str
    auth: KubernetesAuth = KubernetesAuth.EXEC
    helm: bool = True
    token_with_exec: bool = False
    endpoint: str | None = None
    certificate_authority_data: str | None = None


@dataclass(frozen=True)
class _Credentials:
    token: str | None
    exec_args: list[str] | None


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
        self.auth: DataAwsEksClusterAuth | None = None
        credentials = self._credentials(props, cluster_name)
        ca_certificate = Fn.base64decode(ca_data)
        exec_args = credentials.exec_args

        self.kubernetes = KubernetesProvider(
            self,
            "kubernetes",
            host=host,
            cluster_ca_certificate=ca_certificate,
            token=credentials.token,
            exec=[KubernetesProviderExec(api_version=EXEC_API_VERSION, command="aws", args=exec_args)] if exec_args else None,
        )
        self.helm = None
        if props.helm:
            self.helm = HelmProvider(
                self,
                "helm",
                kubernetes=HelmProviderKubernetes(
                    host=host,
                    cluster_ca_certificate=ca_certificate,
                    token=credentials.token,
                    exec=HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command="aws", args=exec_args) if exec_args else None,
                ),
            )

    def _credentials(self, props: EksClusterAccessProps, cluster_name: str) -> _Credentials:
        if props.auth is KubernetesAuth.EXEC:
            return _Credentials(None, ["eks", "get-token", "--cluster-name", cluster_name, "--region", props.region])
        if props.auth is KubernetesAuth.EPHEMERAL:
            # cdktf 0.21 and its prebuilt bindings know no ephemeral resources: written as Terraform
            # JSON (`ephemeral` blocks need Terraform 1.10, the app's floor).
            TerraformStack.of(self).add_override(f"ephemeral.aws_eks_cluster_auth.{AUTH_NAME}", {"name": props.cluster_name})
            return _Credentials(f"${{ephemeral.aws_eks_cluster_auth.{AUTH_NAME}.token}}", None)
        self.auth = DataAwsEksClusterAuth(self, "auth", name=props.cluster_name)
        self.auth.override_logical_id(AUTH_NAME)
        exec_args = ["eks", "get-token", "--cluster-name", cluster_name] if props.token_with_exec else None
        return _Credentials(self.auth.token, exec_args)
