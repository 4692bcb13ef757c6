"""The release catalog's facts and helpers, value for value: the releases each
`wandb_infra_version` selects, what each layout writes and supplies, the Kubernetes versions the
nodes run and AWS's EKS calendar at its boundaries, W&B's requirements, the version constraints a
stack's root declares, what a secret looks like. In-process, no Terraform: a few milliseconds.

The facts are the project's reading of their sources (the module releases, AWS's calendar,
docs.wandb.ai); a change to one is a decision, made here as well.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from release_catalog import constraints, layouts
from release_catalog import requirements as req
from release_catalog.eks_versions import EKS_CALENDAR, LAST_AL2_VERSION, calendar_note, minor
from release_catalog.layouts import INFRA_RELEASES, Layout, kubernetes_version_problem
from release_catalog.releases import STANDARD_SIZES, ModuleRelease, ModuleVariable, module_release, normalize_constraint
from release_catalog.secret_patterns import SECRET_NAME, secret_kind, strings_in
from release_catalog.tags import APP_TAGS, MAX_TAGS_PER_RESOURCE

DAY = timedelta(days=1)


def test_infra_releases():
    found = {c: (i.resolved, i.layout, i.max_kubernetes, i.min_kubernetes, i.release.label) for c, i in INFRA_RELEASES.items()}
    assert found == {
        "~> 7.0": ("7.18.2", Layout.RECOMMENDED, "1.32", None, "wandb/wandb/aws ~> 7.0 (resolves to 7.18.2)"),
        "7.18.2": ("7.18.2", Layout.RECOMMENDED, "1.32", None, "wandb/wandb/aws 7.18.2"),
        "~> 8.0": ("8.0.0", Layout.V8, "1.35", "1.30", "wandb/wandb/aws ~> 8.0 (resolves to 8.0.0)"),
        "8.0.0": ("8.0.0", Layout.V8, "1.35", "1.30", "wandb/wandb/aws 8.0.0"),
        "1.16.10": ("1.16.10", Layout.PRE_OPERATOR, "1.32", None, "wandb/wandb/aws 1.16.10"),
        "4.7.2": ("4.7.2", Layout.POST_OPERATOR, "1.32", None, "wandb/wandb/aws 4.7.2"),
    }
    assert layouts.DEFAULT_INFRA_VERSION == "~> 7.0"
    assert LAST_AL2_VERSION == "1.32"
    assert layouts.APP_RELEASES == {"1.12.0": "1.12.0", "~> 1.0": "1.14.1"}
    assert layouts.DEFAULT_APP_VERSION == "1.12.0"
    assert layouts.app_release("~> 1.0").label == "wandb/wandb/kubernetes ~> 1.0 (resolves to 1.14.1)"
    assert layouts.app_release("1.12.0").label == "wandb/wandb/kubernetes 1.12.0"


def test_layouts():
    found = {
        layout: (
            layout.has_app_module,
            layout.uses_helm,
            layout.guide_adds_exec,
            layout.has_ephemeral_cluster_auth,
            layout.providers_from_module_outputs,
        )
        for layout in Layout
    }
    assert found == {
        Layout.RECOMMENDED: (False, True, False, False, False),
        Layout.PRE_OPERATOR: (True, False, True, False, False),
        Layout.POST_OPERATOR: (False, True, True, False, False),
        Layout.V8: (False, True, False, True, True),
    }
    assert [a.value for a in layouts.KubernetesAuth] == ["exec", "ephemeral", "token"]
    assert layouts.DEFAULT_KUBERNETES_AUTH is layouts.KubernetesAuth.EXEC


COMMON = [
    "public_access",
    "external_dns",
    "kubernetes_public_access",
    "kubernetes_public_access_cidrs",
    "create_elasticache",
    "use_internal_queue",
]


def test_written_inputs_and_setting_defaults():
    written = {layout: [w.name for w in layouts.written_inputs(layout)] for layout in Layout}
    assert written == {
        Layout.RECOMMENDED: [*COMMON, "license"],
        Layout.PRE_OPERATOR: [*COMMON, "database_performance_insights_kms_key_arn"],
        Layout.POST_OPERATOR: [*COMMON, "license", "size", "enable_dummy_dns", "enable_operator_alb", "custom_domain_filter"],
        Layout.V8: [*COMMON, "license"],
    }
    assert layouts.written_default(Layout.POST_OPERATOR, "size") == "small"
    assert layouts.written_default(Layout.RECOMMENDED, "size") is None
    assert layouts.written_default(Layout.RECOMMENDED, "kubernetes_public_access_cidrs") == ["0.0.0.0/0"]
    assert layouts.written_default(Layout.PRE_OPERATOR, "database_performance_insights_kms_key_arn") is layouts.NULL
    assert layouts.written_default(Layout.V8, "license") is layouts.LICENSE
    assert layouts.written_default(Layout.POST_OPERATOR, "custom_domain_filter") == layouts.FromSetting("domain_name")
    assert {layout: dict(layouts.setting_defaults(layout)) for layout in Layout} == {
        Layout.RECOMMENDED: {},
        Layout.PRE_OPERATOR: {"allowed_inbound_cidr": ["0.0.0.0/0"], "allowed_inbound_ipv6_cidr": ["::/0"], "eks_cluster_version": "1.25"},
        Layout.POST_OPERATOR: {"allowed_inbound_cidr": ["0.0.0.0/0"], "allowed_inbound_ipv6_cidr": ["::/0"]},
        Layout.V8: {},
    }
    assert [repr(layouts.NULL), repr(layouts.LICENSE)] == ["null", "the license"]


def test_always_written_values_as_the_table_shows_them():
    assert layouts.always_written_markdown().startswith(
        "| input | value | layouts | why |\n| --- | --- | --- | --- |\n"
        "| `public_access` | `true` | all | the guide's recommended `main.tf` |\n"
    )
    shown = [layouts._markdown_value(w.value) for w in layouts.ALWAYS_WRITTEN]
    assert shown == [
        "`true`",
        "`true`",
        "`true`",
        '`["0.0.0.0/0"]`',
        "`true`",
        "`true`",
        "the license (`local.license`)",
        "`null`",
        '`"small"`',
        "`true`",
        "`true`",
        "the value of `domain_name`",
    ]


@pytest.mark.parametrize(
    "constraint, version, problem",
    [
        ("~> 7.0", "1.32", None),
        ("~> 7.0", "1.33", "AL2"),
        ("4.7.2", "1.25", None),
        ("~> 8.0", "1.30", None),
        ("~> 8.0", "1.35", None),
        ("~> 8.0", "1.36", "wandb/wandb/aws 8.0.0 supports Kubernetes 1.30 to 1.35 (its upgrade guide); 1.36 is newer"),
        (
            "8.0.0",
            "1.29",
            "wandb/wandb/aws 8.0.0 supports Kubernetes 1.30 to 1.35 (its upgrade guide); 1.29 is older: upgrade the cluster on "
            "7.x first, one minor version per deploy",
        ),
        ("1.16.10", "1.9", None),
        ("1.16.10", "2.0", "AL2"),
    ],
)
def test_kubernetes_version_problem(constraint, version, problem):
    if problem == "AL2":
        problem = (
            f"wandb/wandb/aws {INFRA_RELEASES[constraint].resolved} runs Amazon Linux 2 nodes, and AWS publishes no Amazon "
            'Linux 2 node images for Kubernetes 1.33 or later; use 1.32 or older, or wandb_infra_version = "~> 8.0" (Amazon '
            "Linux 2023 nodes)"
        )
    assert kubernetes_version_problem(INFRA_RELEASES[constraint], version) == problem


def test_eks_calendar():
    """AWS's calendar as read on 2026-11-30 (CALENDAR_SOURCE)."""
    found = {v: (w.standard_end.isoformat(), w.extended_end.isoformat()) for v, w in EKS_CALENDAR.items()}
    assert found == {
        "1.29": ("2025-03-23", "2026-03-23"),
        "1.30": ("2025-07-23", "2026-07-23"),
        "1.31": ("2025-11-26", "2026-11-26"),
        "1.32": ("2026-03-23", "2027-03-23"),
        "1.33": ("2026-07-29", "2027-07-29"),
        "1.34": ("2026-12-02", "2027-12-02"),
        "1.35": ("2027-03-27", "2028-03-27"),
    }


def test_calendar_notes_at_the_boundaries():
    window = EKS_CALENDAR["1.30"]
    extended = (
        "Kubernetes 1.30 is in extended support, which costs extra, until 2026-07-23 (standard support ended 2025-07-23); plan the upgrade"
    )
    past = (
        "Kubernetes 1.30 is past the end of extended support (2026-07-23): AWS no longer creates clusters at it and upgrades "
        "existing ones itself; raise it one minor version per deploy"
    )
    assert calendar_note("1.30", window.standard_end) is None
    assert calendar_note("1.30", window.standard_end + DAY) == extended
    assert calendar_note("1.30", window.extended_end) == extended
    assert calendar_note("1.30", window.extended_end + DAY) == past
    assert calendar_note("1.28", date(2020, 1, 1)) == (
        "Kubernetes 1.28 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates "
        "clusters at it and upgrades existing ones itself; raise it one minor version per deploy"
    )
    assert calendar_note("1.29", date(2020, 1, 1)) is None
    assert calendar_note("1.99", date(2030, 1, 1)) is None
    assert calendar_note("2.0", date(2030, 1, 1)) is None
    assert calendar_note("1.100", date(2030, 1, 1)) is None


def test_minor():
    assert minor("1.29") == (1, 29)
    assert minor("10.2") == (10, 2)
    with pytest.raises(ValueError, match=r"^not a Kubernetes minor version: '1\.29\.1'$"):
        minor("1.29.1")


def test_wandb_requirements():
    """docs.wandb.ai's Self-Managed requirements as read on 2026-12-02 (REQUIREMENTS_SOURCE)."""
    assert (req.MIN_AURORA_MYSQL, req.MIN_AURORA_MYSQL_TEXT) == ((3, 5, 2), "3.05.2")
    assert req.MIN_AURORA_ENGINE_VERSION == "8.0.mysql_aurora.3.05.2"
    assert (req.REDIS_MAJOR, req.MIN_KUBERNETES, req.MIN_KUBERNETES_NEWEST_COPY) == (7, "1.32", "1.34")
    assert req.MODULE_REDIS_VERSION == {"1.16.10": "6.x", "4.7.2": "6.x", "7.18.2": "7.1", "8.0.0": "7.1"}
    assert req.aurora_release("8.0.mysql_aurora.3.05.2") == (3, 5, 2)
    assert req.aurora_release(" 5.7.mysql_aurora.2.11.2 ") == (2, 11, 2)
    assert req.aurora_release("8.0") is None
    assert req.aurora_release("8.0.mysql_aurora.3.05") is None
    assert req.leaves_release_to_aws("8.0") and req.leaves_release_to_aws(" 5.7 ")
    assert not req.leaves_release_to_aws("8.0.mysql_aurora.3.05.2") and not req.leaves_release_to_aws("8")
    assert req.aurora_text((3, 3, 0)) == "3.03.0"
    assert req.aurora_text((3, 10, 1)) == "3.10.1"
    assert [req.redis_major(v) for v in ("6.x", "7.1", "12", "x")] == [6, 7, 12, None]


def test_version_constraints():
    recommended = INFRA_RELEASES["~> 7.0"].release
    app = layouts.app_release("1.12.0")
    assert constraints.TERRAFORM_FLOOR == ">= 1.10"
    assert constraints.terraform_constraint([recommended]) == "~> 1.9, >= 1.10"
    assert constraints.terraform_constraint([recommended, recommended, app]) == "~> 1.9, ~> 1.0, >= 1.10"
    assert constraints.terraform_constraint([]) == ">= 1.10"
    assert constraints.provider_constraints(["aws", "helm", "kubernetes"], [recommended, recommended]) == {
        "aws": "~> 4.0",
        "helm": "< 3.0.0",
        "kubernetes": "~> 2.23",
    }
    with pytest.raises(KeyError):
        constraints.provider_constraint("random", [recommended])


def test_releases():
    release = module_release("wandb/wandb/aws", "~> 7.0", "7.18.2")
    assert isinstance(release, ModuleRelease)
    assert release.declares("namespace") and not release.declares("frobnicate")
    assert release.undeclared({"namespace": 1, "b": 2, "a": 3}) == ["a", "b"]
    assert release.missing_required({}) == sorted(release.required_inputs)
    assert release.missing_required(dict.fromkeys(release.required_inputs)) == []
    assert "namespace" in release.required_inputs and "size" not in release.required_inputs
    assert release.variables["eks_cluster_version"].nullable is False
    assert release.variables["size"].nullable is True
    # A variable is its name, type and flags; the module's default is not compared.
    assert ModuleVariable("a", "string", False, default="x") == ModuleVariable("a", "string", False, default="y")
    assert STANDARD_SIZES == ("small", "medium", "large", "xlarge", "xxlarge")
    cases = {"~>7.0": "~> 7.0", " ~> 7.0 ": "~> 7.0", ">=1.2": ">= 1.2", "1.16.10": "1.16.10", "=1.0": "= 1.0", "<2": "< 2", "!= 3": "!= 3"}
    assert {text: normalize_constraint(text) for text in cases} == cases


def test_secret_patterns():
    value = {"a": ["x", {"b": "y"}], "//": {"c": "skipped"}, "n": 1}
    assert list(strings_in(value, "v")) == [("v.a", "x"), ("v.a.b", "y")]
    assert list(strings_in("s", "p")) == [("p", "s")]
    assert secret_kind("key AKIAIOSFODNN7EXAMPLE here") == "an AWS access key id"
    assert secret_kind("ASIAIOSFODNN7EXAMPLE") == "an AWS access key id"
    assert secret_kind("-----BEGIN RSA PRIVATE KEY-----") == "a private key"
    assert secret_kind("https://user:pw@example.com/") == "a URL with a password in it"
    assert secret_kind("https://example.com/a:b@c") is None
    assert secret_kind("AKIAIOSFODNN7EXAMPL") is None
    names = ["db_password", "license", "api_key", "client_secret", "credentials", "secrets", "token_x", "passwords", "tokenizer", "x"]
    assert [bool(SECRET_NAME.search(n)) for n in names] == [True, True, True, True, True, True, True, False, False, False]


def test_tags():
    assert dict(APP_TAGS) == {"Application": "wandb", "ManagedBy": "cdktf"}
    assert MAX_TAGS_PER_RESOURCE == 50
