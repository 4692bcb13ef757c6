"""scripts/regenerate_interfaces on two tiny synthetic module repositories (tags with
variables.tf / outputs.tf / versions.tf), made with git in a temporary folder: no network, no
checkout of the real modules."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT_ROOT / "scripts" / "regenerate_interfaces"
TOOL = PROJECT_ROOT / "tools" / "regenerate_interfaces.py"

_spec = importlib.util.spec_from_file_location("regenerate_interfaces", TOOL)
assert _spec is not None
assert _spec.loader is not None
regenerate_interfaces = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = regenerate_interfaces  # dataclasses look their module up by name
_spec.loader.exec_module(regenerate_interfaces)

# The developer's git configuration (signing, hooks, templates) stays out of the fixture repos.
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}

AWS_V1_VARIABLES = """
variable "namespace" {
  type        = string
  description = "String used for prefix resources."
}

variable "allowed_inbound_cidr" {
  description = "CIDRs allowed to access wandb-server."
  nullable    = false
  type        = list(string)
}

variable "size" {
  type     = string
  default  = "small"
  nullable = true # Terraform's default: not recorded
}

variable "kubernetes_map_roles" {
  type = list(object({
    rolearn  = string
    username = string
    groups   = list(string)
  }))
  default = []
}

variable "database_master_password" {
  type      = string
  default   = null
  sensitive = true
}

variable "tags" {
  type    = map(string)
  default = { "zeta" = "z", "alpha" = "a" }
}

variable "external_redis_params" {
  type    = object({})
  default = null
}
"""

AWS_V1_OUTPUTS = """
output "url" {
  value = "https://example.com"
}

output "bucket_name" {
  value = "bucket"
}
"""

AWS_V1_VERSIONS = """
terraform {
  required_version = "~> 1.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 3.60"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.6"
    }
  }
}
"""

AWS_V1_INTERFACE = {
    "outputs": ["bucket_name", "url"],
    "variables": {
        "allowed_inbound_cidr": {"nullable": False, "required": True, "type": "list(string)"},
        "database_master_password": {"default": None, "required": False, "sensitive": True, "type": "string"},
        "external_redis_params": {"default": None, "required": False, "type": "object({})"},
        "kubernetes_map_roles": {
            "default": [],
            "required": False,
            "type": "list(object({'rolearn': '${string}', 'username': '${string}', 'groups': '${list(string)}'}))",
        },
        "namespace": {"required": True, "type": "string"},
        "size": {"default": "small", "required": False, "type": "string"},
        "tags": {"default": {"alpha": "a", "zeta": "z"}, "required": False, "type": "map(string)"},
    },
    "version_constraints": {"aws": "~> 3.60", "kubernetes": "~> 2.6", "terraform": "~> 1.0"},
}

# 2.0.0: one more variable (in a second file), one more output, new constraints and providers.
AWS_V2_EXTRA_VARIABLES = """
variable "license" {
  type = string
}

variable "use_internal_queue" {
  type    = bool
  default = false
}
"""

AWS_V2_VERSIONS = """
terraform {
  required_version = "~> 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 4.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.23"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "< 3.0.0"
    }
  }
}
"""

AWS_V2_INTERFACE = {
    "outputs": ["bucket_name", "cluster_name", "url"],
    "variables": {
        **AWS_V1_INTERFACE["variables"],
        "license": {"required": True, "type": "string"},
        "use_internal_queue": {"default": False, "required": False, "type": "bool"},
    },
    "version_constraints": {"aws": "~> 4.0", "helm": "< 3.0.0", "kubernetes": "~> 2.23", "terraform": "~> 1.9"},
}

KUBERNETES_VARIABLES = """
variable "license" {
  type        = string
  description = "Your wandb/local license"
}

variable "other_wandb_env" {
  type    = map(any)
  default = {}
}

variable "service_port" {
  type    = number
  default = 8080
}
"""

KUBERNETES_INTERFACE = {
    "outputs": ["service"],
    "variables": {
        "license": {"required": True, "type": "string"},
        "other_wandb_env": {"default": {}, "required": False, "type": "map(any)"},
        "service_port": {"default": 8080, "required": False, "type": "number"},
    },
    "version_constraints": {"kubernetes": "~> 2.23", "terraform": "~> 1.0"},
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=GIT_ENV)


def _commit_and_tag(repo: Path, files: dict[str, str], tag: str) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "-m", tag)
    _git(repo, "tag", tag)


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(aws, kubernetes): the aws one a work tree, the kubernetes one a bare clone."""
    base = tmp_path_factory.mktemp("modules")
    aws = base / "terraform-aws-wandb"
    aws.mkdir()
    _git(aws, "init", "--quiet")
    _commit_and_tag(
        aws,
        {
            "variables.tf": AWS_V1_VARIABLES,
            "outputs.tf": AWS_V1_OUTPUTS,
            "versions.tf": AWS_V1_VERSIONS,
            "README.md": "# not HCL\n",
            # Not at the root: a submodule's inputs are not the module's.
            "modules/app/variables.tf": 'variable "inner" {\n  type = string\n}\n',
        },
        "v1.0.0",
    )
    _commit_and_tag(
        aws,
        {
            "queue.tf": AWS_V2_EXTRA_VARIABLES,
            "outputs.tf": AWS_V1_OUTPUTS + 'output "cluster_name" {\n  value = "c"\n}\n',
            "versions.tf": AWS_V2_VERSIONS,
        },
        "v2.0.0",
    )
    # Untagged work after the last release, and in the work tree: neither may be read.
    _commit_and_tag(aws, {"later.tf": 'variable "unreleased" {\n  type = string\n}\n'}, "scratch")
    _git(aws, "tag", "-d", "scratch")
    (aws / "variables.tf").write_text('variable "uncommitted" {\n  type = string\n}\n')

    source = base / "kubernetes-work"
    source.mkdir()
    _git(source, "init", "--quiet")
    _commit_and_tag(
        source,
        {
            "variables.tf": KUBERNETES_VARIABLES,
            "outputs.tf": 'output "service" {\n  value = "s"\n}\n',
            # required_providers in main.tf, as some releases have it
            "main.tf": 'terraform {\n  required_version = "~> 1.0"\n  required_providers {\n'
            '    kubernetes = {\n      source  = "hashicorp/kubernetes"\n      version = "~> 2.23"\n    }\n  }\n}\n',
        },
        "1.12.0",  # a tag without the "v": found as well
    )
    kubernetes = base / "terraform-kubernetes-wandb.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(source), str(kubernetes)], check=True, env=GIT_ENV)
    return aws, kubernetes


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def test_generates_the_named_releases(repos: tuple[Path, Path], tmp_path: Path) -> None:
    aws, kubernetes = repos
    out = tmp_path / "data" / "interfaces.json"
    result = _run(
        "--aws-repo", aws, "--kubernetes-repo", kubernetes, "--out", out,
        "--aws-version", "1.0.0", "--aws-version", "v2.0.0", "--kubernetes-version", "1.12.0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    expected = {
        "wandb/wandb/aws": {"1.0.0": AWS_V1_INTERFACE, "2.0.0": AWS_V2_INTERFACE},
        "wandb/wandb/kubernetes": {"1.12.0": KUBERNETES_INTERFACE},
    }
    text = out.read_text()
    assert json.loads(text) == expected
    # The committed file's layout: sorted keys, one-space indent, no final newline.
    assert text == json.dumps(expected, indent=1, sort_keys=True)


def test_regenerates_the_versions_already_in_the_file_and_adds_one(repos: tuple[Path, Path], tmp_path: Path) -> None:
    aws, kubernetes = repos
    out = tmp_path / "interfaces.json"
    stale = {"outputs": [], "variables": {}, "version_constraints": {}}
    out.write_text(json.dumps({"wandb/wandb/aws": {"1.0.0": stale}, "wandb/wandb/kubernetes": {"1.12.0": stale}}))

    check = _run("--aws-repo", aws, "--kubernetes-repo", kubernetes, "--out", out, "--check")
    assert check.returncode == 1
    assert "wandb/wandb/aws/1.0.0/outputs" in check.stdout

    assert _run("--aws-repo", aws, "--kubernetes-repo", kubernetes, "--out", out).returncode == 0
    assert json.loads(out.read_text()) == {
        "wandb/wandb/aws": {"1.0.0": AWS_V1_INTERFACE},
        "wandb/wandb/kubernetes": {"1.12.0": KUBERNETES_INTERFACE},
    }
    check = _run("--aws-repo", aws, "--kubernetes-repo", kubernetes, "--out", out, "--check")
    assert check.returncode == 0, check.stdout

    assert _run("--aws-repo", aws, "--kubernetes-repo", kubernetes, "--out", out, "--aws-version", "2.0.0").returncode == 0
    assert list(json.loads(out.read_text())["wandb/wandb/aws"]) == ["1.0.0", "2.0.0"]


def test_a_missing_release_is_an_error(repos: tuple[Path, Path], tmp_path: Path) -> None:
    aws, kubernetes = repos
    out = tmp_path / "interfaces.json"
    result = _run(
        "--aws-repo", aws, "--kubernetes-repo", kubernetes, "--out", out,
        "--aws-version", "9.9.9", "--kubernetes-version", "1.12.0",
    )  # fmt: skip
    assert result.returncode == 2
    assert "no tag v9.9.9 or 9.9.9" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("string", "string"),
        ('"string"', "string"),
        ("any", "any"),
        ("list(string)", "list(string)"),
        ("map(any)", "map(any)"),
        ("object({})", "object({})"),
        (
            "list(object({\n  userarn = string\n  username = string\n  groups = list(string)\n}))",
            "list(object({'userarn': '${string}', 'username': '${string}', 'groups': '${list(string)}'}))",
        ),
        (
            'map(object({ name = optional(string, "x"), ports = set(number) }))',
            """map(object({'name': '${optional(string, "x")}', 'ports': '${set(number)}'}))""",
        ),
        ("tuple([string, object({ k = bool })])", "tuple([string, object({'k': '${bool}'})])"),
    ],
)
def test_type_strings(declared: str, expected: str) -> None:
    parsed = hcl2.loads(f'variable "v" {{\n  type = {declared}\n}}\n')
    assert regenerate_interfaces.normalise_type(parsed["variable"][0]["v"]["type"]) == expected


# --- --types-out: every managed resource type ---------------------------------------------------

TYPES_ROOT = """
resource "aws_s3_bucket" "files" {}
data "aws_caller_identity" "me" {}
module "sub" {
  source = "./modules/sub"
}
module "eks" {
  source  = "example/eks/aws"
  version = "~> 1.2"
}
"""


@pytest.fixture(scope="module")
def typed_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A root module (local submodules, an example no call reaches, a registry call) and the
    registry module it calls, with releases below, within and above its constraint."""
    base = tmp_path_factory.mktemp("typed")
    root = base / "root"
    root.mkdir()
    _git(root, "init", "--quiet")
    _commit_and_tag(
        root,
        {
            "main.tf": TYPES_ROOT,
            "modules/sub/main.tf": 'resource "aws_sqs_queue" "q" {}\nmodule "other" {\n  source = "../other"\n}\n',
            "modules/other/main.tf": 'resource "aws_kms_key" "k" {}\nresource "aws_sqs_queue" "dead_letter" {}\n',
            "examples/complete/main.tf": 'resource "aws_iam_role" "never_called" {}\n',
        },
        "v1.0.0",
    )
    eks = base / "eks"
    eks.mkdir()
    _git(eks, "init", "--quiet")
    _commit_and_tag(eks, {"main.tf": 'resource "aws_too_old" "x" {}\n'}, "v1.1.0")
    _commit_and_tag(eks, {"main.tf": 'resource "aws_eks_cluster" "this" {}\n'}, "v1.2.0")
    newest = 'resource "aws_eks_cluster" "this" {}\nmodule "kms" {\n  source  = "example/eks/aws//modules/kms"\n  version = "1.3.5"\n}\n'
    _commit_and_tag(eks, {"main.tf": newest, "modules/kms/main.tf": 'resource "aws_kms_alias" "a" {}\n'}, "v1.3.5")
    _commit_and_tag(eks, {"main.tf": 'resource "aws_too_new" "x" {}\n'}, "v2.0.0")
    _commit_and_tag(eks, {"main.tf": 'resource "aws_pre_release" "x" {}\n'}, "v1.4.0-rc1")
    app = base / "app"
    (app / "constructs_lib").mkdir(parents=True)
    (app / "stacks").mkdir()
    (app / "constructs_lib" / "files.py").write_text(
        "from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket\n"
        "from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity\n"
        "from cdktf_cdktf_provider_aws.provider import AwsProvider\n"
    )
    (app / "stacks" / "k8s.py").write_text("import cdktf_cdktf_provider_kubernetes.namespace_v1\n")
    return {"root": root, "eks": eks, "app": app}


def _types_run(repos: tuple[Path, Path], typed: dict[str, Path], out: Path, *extra: str | Path) -> subprocess.CompletedProcess[str]:
    _, kubernetes = repos
    return _run(
        "--aws-repo", typed["root"], "--kubernetes-repo", kubernetes, "--out", out.parent / "interfaces.json",
        "--aws-version", "1.0.0", "--kubernetes-version", "1.12.0", "--types-out", out, "--app-root", typed["app"], *extra,
    )  # fmt: skip


def test_types_out_lists_every_resource_type_the_releases_reach(repos: tuple[Path, Path], typed_repos: dict[str, Path], tmp_path: Path):
    out = tmp_path / "types.json"
    result = _types_run(repos, typed_repos, out, "--module-repo", f"example/eks/aws={typed_repos['eks']}")
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["app"] == {"constructs_lib/files.py": ["aws_s3_bucket"], "stacks/k8s.py": ["kubernetes_namespace_v1"]}
    root = data["modules"]["wandb/wandb/aws"]["1.0.0"]
    assert root["resource_types"] == {
        "aws_kms_key": ["modules/other"],
        "aws_s3_bucket": ["."],
        "aws_sqs_queue": ["modules/other", "modules/sub"],
    }  # no data source, nothing from the example no call reaches
    assert root["calls"] == [{"constraint": "~> 1.2", "from": ".", "resolved": "1.3.5", "source": "example/eks/aws"}]
    assert data["modules"]["example/eks/aws"] == {
        "1.3.5": {
            "calls": [{"constraint": "1.3.5", "from": ".", "resolved": "1.3.5", "source": "example/eks/aws//modules/kms"}],
            "resource_types": {"aws_eks_cluster": ["."]},
        }
    }
    assert data["modules"]["example/eks/aws//modules/kms"]["1.3.5"]["resource_types"] == {"aws_kms_alias": ["modules/kms"]}
    assert data["modules"]["wandb/wandb/kubernetes"]["1.12.0"] == {"calls": [], "resource_types": {}}
    assert out.read_text() == json.dumps(data, indent=1, sort_keys=True)

    check = _types_run(repos, typed_repos, out, "--module-repo", f"example/eks/aws={typed_repos['eks']}", "--check")
    assert check.returncode == 0, check.stdout
    (typed_repos["app"] / "stacks" / "more.py").write_text("from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue\n")
    try:
        check = _types_run(repos, typed_repos, out, "--module-repo", f"example/eks/aws={typed_repos['eks']}", "--check")
    finally:
        (typed_repos["app"] / "stacks" / "more.py").unlink()
    assert check.returncode == 1 and "only in the regenerated data: /app/stacks/more.py" in check.stdout


def test_types_out_without_the_called_modules_repository_is_an_error(
    repos: tuple[Path, Path], typed_repos: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "types.json"
    result = _types_run(repos, typed_repos, out)
    assert result.returncode == 2
    assert "no repository given for it (--module-repo example/eks/aws=PATH)" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [("~> 1.2", "1.3.5"), ("~> 1.2.0", "1.2.0"), ("1.1.0", "1.1.0"), ("= 1.2.0", "1.2.0"), (">= 1.0, < 2.0", "1.3.5"),
     (">= 1.2", "2.0.0"), ("!= 2.0.0", "1.3.5"), ("~> 2.0", "2.0.0"), ("<= 1.2.0", "1.2.0"), ("> 1.3.5", "2.0.0")],
)  # fmt: skip
def test_version_constraints_resolve_as_terraform_init_does(typed_repos: dict[str, Path], constraint: str, expected: str) -> None:
    tags = regenerate_interfaces.resource_types.release_tags(typed_repos["eks"])
    assert regenerate_interfaces.resource_types.version_text(regenerate_interfaces.resource_types.resolve(constraint, tags)) == expected


def test_a_constraint_no_release_admits_is_an_error(typed_repos: dict[str, Path]) -> None:
    tags = regenerate_interfaces.resource_types.release_tags(typed_repos["eks"])
    with pytest.raises(regenerate_interfaces.resource_types.TypesError, match="no release tag admits"):
        regenerate_interfaces.resource_types.resolve("~> 3.0", tags)
