"""Every message the settings loader prints, word for word: for a representative bad value of each
check, rule, type and file problem, the whole text a user reads (file, setting and sentence), and
the warnings of each layout's example. The other settings tests ask for a few words of a message;
these pin the rest of it, its boundaries and its types (a dropped clause, an emptied name or a
changed limit fails here). In-process, a few milliseconds a case.

After changing a message on purpose, update its row of EXPECTED below.
"""

# ruff: noqa: E501, RUF001  (the expected messages: one line each, as a user reads them, look-alike letters included)

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import GUIDE_SETTINGS, NEW_V8, POST_OPERATOR, PRE_OPERATOR, SENTINEL_LICENSE, to_hcl

from settings import APP_KEYS, SettingsError, load_app_settings, load_settings, parse_settings
from settings.keys import REQUIRED
from settings.tftypes import describe, type_error
from settings.tfvars import read_tfvars

FILE = "m.tfvars"
TODAY = date(2026, 1, 15)


def without(base: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in base.items() if k not in names}


def parsed(values: Mapping[str, Any]) -> str:
    """The error message for `values`, else the warnings, one a line."""
    try:
        settings = parse_settings(values, FILE, today=TODAY)
    except SettingsError as err:
        return str(err)
    return "\n".join(str(w) for w in settings.warnings)


# Settings that use HCP Terraform (remote runs, the guide's token credentials).
ON_HCP = {**GUIDE_SETTINGS, "hcp_organization": "acme", "kubernetes_auth": "token"}
POLICY = "arn:aws:iam::aws:policy/PowerUserAccess"

# Each case: (id, the settings) -> the text parse_settings gives.
PARSE_CASES: dict[str, Mapping[str, Any]] = {
    **{f"missing {name}": without(GUIDE_SETTINGS, name) for name, key in APP_KEYS.items() if key.default is REQUIRED},
    **{f"null {name}": {**GUIDE_SETTINGS, name: None} for name, key in APP_KEYS.items() if key.default is REQUIRED},
    "null with a default": {**GUIDE_SETTINGS, "kubernetes_auth": None},
    "alias and key": {**GUIDE_SETTINGS, "wandb_license": "x"},
    "unsupported release": {**GUIDE_SETTINGS, "wandb_infra_version": "9.9.9"},
    "pre-operator key, no release": {**without(GUIDE_SETTINGS, "wandb_infra_version"), "wandb_version": "0.51.2"},
    "known mistake": {**GUIDE_SETTINGS, "create_elasticache_subnet": True},
    "typo": {**GUIDE_SETTINGS, "domian_name": "x.y"},
    "nothing close": {**GUIDE_SETTINGS, "frobnicate": 1},
    "input of another release": {**NEW_V8, "wandb_infra_version": "~> 7.0", "kubernetes_legacy_cluster_creator_admin": False},
    "string for bool": {**GUIDE_SETTINGS, "create_elasticache": "true"},
    "bool for string": {**GUIDE_SETTINGS, "namespace": True},
    "string for number": {**GUIDE_SETTINGS, "storage_noncurrent_version_days": "30"},
    "map for list": {**GUIDE_SETTINGS, "allowed_inbound_cidr": {"a": "b"}},
    "null in a list": {**GUIDE_SETTINGS, "allowed_inbound_cidr": [None]},
    "number in a list": {**GUIDE_SETTINGS, "allowed_inbound_cidr": [1]},
    "list in a map": {**GUIDE_SETTINGS, "default_tags": {"a": ["b"]}},
    "license in another value": {**GUIDE_SETTINGS, "default_tags": {"note": SENTINEL_LICENSE}},
    "secret by its name": {**GUIDE_SETTINGS, "default_tags": {"password": "hunter2-hunter2"}},
    "secret by its shape": {**GUIDE_SETTINGS, "default_tags": {"k": "AKIAIOSFODNN7EXAMPLE"}},
    "too many tags": {**GUIDE_SETTINGS, "default_tags": {f"t{i}": "v" for i in range(60)}},
    "aws-auth accounts on 8.x": {**NEW_V8, "kubernetes_map_accounts": ["123456789012"]},
    "pre-operator key on 7.x": {**GUIDE_SETTINGS, "wandb_infra_version": "~> 7.0", "wandb_version": "0.51.2"},
    "unsupported app release": {**PRE_OPERATOR, "wandb_app_version": "0.0.1"},
    "no eks version, post-operator": without(POST_OPERATOR, "eks_cluster_version"),
    "state option without bucket": {**GUIDE_SETTINGS, "state_key": "a/b"},
    "ephemeral auth on 7.x": {**GUIDE_SETTINGS, "kubernetes_auth": "ephemeral"},
    "eks version too new": {**GUIDE_SETTINGS, "eks_cluster_version": "1.99"},
    "old eks version": {**GUIDE_SETTINGS, "eks_cluster_version": "1.25"},
    "a size the module lacks": {**GUIDE_SETTINGS, "size": "huge"},
    "non-nullable input null": {**GUIDE_SETTINGS, "allowed_private_endpoint_cidr": None},
    "guide": GUIDE_SETTINGS,
    "pre-operator": PRE_OPERATOR,
    "post-operator": POST_OPERATOR,
    "new 8.x": NEW_V8,
    "lock table": {**GUIDE_SETTINGS, "state_bucket": "acme-tf-state", "state_lock_table": "locks"},
    "old database": {**GUIDE_SETTINGS, "database_engine_version": "8.0.mysql_aurora.3.01.0"},
    "database left to AWS": {**GUIDE_SETTINGS, "database_engine_version": "8.0"},
    "database new enough": {**GUIDE_SETTINGS, "database_engine_version": "8.0.mysql_aurora.3.05.2"},
    "database form unknown": {**GUIDE_SETTINGS, "database_engine_version": "8.0.aurora.9"},
    "database not a string": {**GUIDE_SETTINGS, "database_engine_version": None},
    "8.x, old eks version": {**NEW_V8, "eks_cluster_version": "1.30"},
    "8.x, eks version too old": {**NEW_V8, "eks_cluster_version": "1.29"},
    "8.x, eks version too new": {**NEW_V8, "eks_cluster_version": "1.36"},
    "pre-operator, no redis": {**PRE_OPERATOR, "create_elasticache": False},
    "eks version on pre-operator": {**PRE_OPERATOR, "eks_cluster_version": "1.26"},
    "8.x without eks version": without(NEW_V8, "eks_cluster_version"),
    "8.x key, no release": {**GUIDE_SETTINGS, "kubernetes_legacy_cluster_creator_admin": False},
    **{
        f"{name} without state_bucket": {**GUIDE_SETTINGS, name: value}
        for name, value in {
            "state_key": "a/terraform.tfstate",
            "state_region": "eu-west-1",
            "state_lock_table": "locks",
            "state_role_arn": "arn:aws:iam::123456789012:role/terraform-state",
            "state_profile": "p",
            "state_kms_key_id": "arn:aws:kms:eu-central-1:123456789012:key/abc",
        }.items()
    },
    "too many cluster tags": {**GUIDE_SETTINGS, "eks_cluster_tags": {f"t{i}": "v" for i in range(49)}},
    "required input, 8.x": without(NEW_V8, "kubernetes_legacy_cluster_creator_admin"),
    # HCP Terraform (settings/hcp_keys.py, the hcp_* rules of settings/rules.py).
    "hcp and state_bucket": {**ON_HCP, "state_bucket": "acme-tf-state"},
    "hcp option without organization": {**GUIDE_SETTINGS, "hcp_project": "wandb"},
    "hcp workspace name too long": {**ON_HCP, "hcp_workspace_prefix": "w" * 78},
    "hcp, exec on remote runs": {**ON_HCP, "kubernetes_auth": "exec"},
    "hcp, exec on 8.x remote runs": {**NEW_V8, "hcp_organization": "acme"},
    "hcp, exec on agents": {**ON_HCP, "kubernetes_auth": "exec", "hcp_execution_mode": "agent"},
    "hcp, exec locally": {**ON_HCP, "kubernetes_auth": "exec", "hcp_execution_mode": "local"},
    "hcp, remote runs": ON_HCP,
    "hcp, managed remote runs": {**ON_HCP, "hcp_manage_workspaces": True, "hcp_aws_run_role_policy_arns": [POLICY]},
    "hcp, managed without policies": {**ON_HCP, "hcp_manage_workspaces": True},
    "hcp, managed agents without a pool": {
        **ON_HCP,
        "hcp_manage_workspaces": True,
        "hcp_execution_mode": "agent",
        "hcp_aws_run_role_policy_arns": [POLICY],
    },
    "hcp, agent pool on remote runs": {**ON_HCP, "hcp_agent_pool_id": "apool-ZjT6A7mVFm5WHT5a"},
    "hcp, workspace option unmanaged": {**ON_HCP, "hcp_terraform_version": "1.11.4"},
    "hcp_organization null: no HCP": {**GUIDE_SETTINGS, "hcp_organization": None},
    "hcp workspace name of 90 characters": {**ON_HCP, "hcp_workspace_prefix": "w" * 77},
    **{
        f"hcp, {name} unmanaged": {**ON_HCP, name: value}
        for name, value in {
            "hcp_aws_run_role_policy_arns": [POLICY],
            "hcp_aws_oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/app.terraform.io",
        }.items()
    },
    "hcp, hcp_agent_pool_id unmanaged": {**ON_HCP, "hcp_execution_mode": "agent", "hcp_agent_pool_id": "apool-ZjT6A7mVFm5WHT5a"},
    "hcp, oidc provider on local runs": {
        **ON_HCP,
        "hcp_manage_workspaces": True,
        "hcp_execution_mode": "local",
        "hcp_aws_oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/app.terraform.io",
    },
    "hcp, run role on local runs": {
        **ON_HCP,
        "hcp_manage_workspaces": True,
        "hcp_execution_mode": "local",
        "hcp_aws_run_role_policy_arns": [POLICY],
    },
}


def check_messages() -> dict[str, str]:
    """One bad value per check of a key, and per module-input check: the whole message."""
    from test_settings_near_misses import NEAR_MISSES, parse_with

    found = {}
    for name, rows in NEAR_MISSES.items():
        for value, why, *_ in rows:
            try:
                parse_with(name, value)
            except SettingsError as err:
                found[f"{name}: {why}"] = str(err)
    return found


# (id, the tfvars file's text) -> the message read_tfvars gives.
TFVARS_CASES: dict[str, str] = {
    "malformed": 'namespace = "wandb"\nzone_id = \n',
    "unclosed list": 'a = ["x"\n',
    "unclosed string": 'a = 1\nlicense = "abc\nb = 2\n',
    "block": 'a = 1\nmodule "x" {\n  a = 1\n}\n',
    "expression": "size = var.size\n",
    "secret expression": "license = abc123\n",
    "expression in a list": "a = [var.x]\n",
    "expression in a map": "a = { b = var.x }\n",
    "duplicate": "a = 1\na = 2\n",
    "single quotes": "namespace = 'abc'\n",
    "single-quoted secret": "license = 'abc'\n",
    "stray character": "a = 1\n@\n",
    "unclosed string first": '"a\n',
    "quote in a # comment first": '# "\na = 1\n',
    "quote in a // comment": 'a = 1 // "\nb = 2\n',
    "quote at a block comment's end": '/* a "*/\nb = 1\n',
    "block comment over lines": '/*\n\n*/\na = "x\n',
    "unclosed block comment": 'a = 1\n/* "\n',
    "escaped line break": 'a = "x\\\nb"\n',
    "escaped quote": 'a = "x\\"y"\nb = "z\n',
    "template": 'a = "${x}"\nb = "y\n',
    "empty template": 'a = "${}"\nb = "y\n',
    "template over lines": 'a = "${\nx}"\nb = "y\n',
    "directive": 'a = "%{ if true }x%{ endif }"\nb = "y\n',
    "escaped template": 'a = "$${x"\nb = "y\n',
    "template and more": 'a = "${var.x}-suffix"\n',
    "heredoc with a quote": 'a = <<EOT\n"\nEOT\nb = "y\n',
    "indented heredoc": 'a = <<-EOT\n  "\n  EOT\nb = "y\n',
    "unclosed heredoc": 'a = <<EOT\n"\n',
    "no final newline": 'a = "x"',
    "comment, then an unclosed string": 'a = 1 # c\nb = "y\n',
    "heredoc, a line that starts with its marker": 'a = <<EOT\nEOTX "\nEOT\nb = "y\n',
    "unclosed template at the end": 'a = "${x\n',
    "a long unexpected token": "a = [1 " + "y" * 50 + "]\n",
    "empty heredoc": 'a = <<EOT\nEOT\nb = "y\n',
    "escaped template before the closing quote": 'a = "$${"\nb = "y\n',
    "heredoc closed with trailing blanks": 'a = <<EOT\n"\nEOT \t\nb = "y\n',
}


def tfvars_message(text: str, folder: Path) -> str:
    path = folder / "f.tfvars"
    path.write_text(text)
    try:
        return repr(read_tfvars(path, "f.tfvars"))
    except SettingsError as err:
        return str(err)


@pytest.mark.parametrize("case", PARSE_CASES)
def test_parse_message(case):
    assert parsed(PARSE_CASES[case]) == EXPECTED[case]


def test_a_deployments_workspace_name_over_the_limit_names_the_deployment_too():
    """Prefix + `production-eu--wandb` is 90 characters, accepted; `...--wandb-storage` is 98."""
    with pytest.raises(SettingsError) as caught:
        parse_settings({**ON_HCP, "hcp_workspace_prefix": "w" * 70}, FILE, today=TODAY, deployment="production-eu")
    assert str(caught.value) == (
        f"m.tfvars: setting `hcp_workspace_prefix`: makes the workspace name '{'w' * 70}production-eu--wandb-storage' 98 "
        "characters long; HCP Terraform takes at most 90: shorten the prefix or the deployment's name"
    )


def test_check_messages():
    found = check_messages()
    assert {k: v for k, v in found.items() if k in EXPECTED_CHECKS} == EXPECTED_CHECKS
    assert set(EXPECTED_CHECKS) <= set(found)


@pytest.mark.parametrize("case", TFVARS_CASES)
def test_tfvars_message(case, tmp_path):
    assert tfvars_message(TFVARS_CASES[case], tmp_path) == EXPECTED_TFVARS[case]


def test_line_of_a_node():
    from types import SimpleNamespace

    from settings.tfvars import _line

    assert _line(SimpleNamespace(meta=SimpleNamespace(empty=False, line=7))) == "7"
    assert _line(SimpleNamespace(meta=SimpleNamespace(empty=False))) == "?"
    assert _line(SimpleNamespace(meta=SimpleNamespace(empty=True, line=7))) == "?"
    assert _line(SimpleNamespace(meta=SimpleNamespace(line=7))) == "?"
    assert _line(SimpleNamespace(meta=None)) == "?"
    assert _line(object()) == "?"


def test_a_parse_that_is_not_name_value_lines(tmp_path, monkeypatch):
    """python-hcl2 gives a dict for every file it parses; should a release not, the message says so."""
    import settings.tfvars

    class Transformer:
        def transform(self, tree: Any) -> Any:
            return ["a"]

    monkeypatch.setattr(settings.tfvars, "DictTransformer", Transformer)
    (tmp_path / "f.tfvars").write_text("a = 1\n")
    with pytest.raises(SettingsError) as caught:
        read_tfvars(tmp_path / "f.tfvars", "f.tfvars")
    assert str(caught.value) == "f.tfvars: not valid HCL: expected `name = value` lines"


def test_another_parse_error(tmp_path, monkeypatch):
    """A parse error lark reports other than the three read_tfvars knows: the line, when lark gives one."""
    from lark.exceptions import UnexpectedInput

    import settings.tfvars

    class Odd(UnexpectedInput):
        line = 3

    class Parser:
        def parse(self, text: str) -> Any:
            raise Odd()

    monkeypatch.setattr(settings.tfvars, "hcl2_parser", lambda: Parser())
    (tmp_path / "f.tfvars").write_text("a = 1\n")
    with pytest.raises(SettingsError) as caught:
        read_tfvars(tmp_path / "f.tfvars", "f.tfvars")
    assert str(caught.value) == "f.tfvars: not valid HCL near line 3"
    del Odd.line
    with pytest.raises(SettingsError) as caught:
        read_tfvars(tmp_path / "f.tfvars", "f.tfvars")
    assert str(caught.value) == "f.tfvars: not valid HCL near line ?"


def test_setting_on_a_line():
    from settings.tfvars import _setting_on_line

    text = 'a = 1\n  b-c= "x"\n# d = 2\n'
    assert [_setting_on_line(text, line) for line in (0, 1, 2, 3, 4, "?", None)] == ["", "a", "b-c", "", "", "", ""]


def test_stack_naming():
    from settings.naming import MAIN_STACK_KIND, STACK_KINDS, stack_id, state_key_for

    assert (MAIN_STACK_KIND, STACK_KINDS) == ("wandb", ("wandb", "wandb-storage"))
    assert [stack_id(kind, None) for kind in ("wandb", "wandb-storage")] == ["wandb", "wandb-storage"]
    assert [stack_id(kind, "prod") for kind in ("wandb", "wandb-storage")] == ["prod--wandb", "prod--wandb-storage"]
    assert state_key_for("wandb/prod/terraform.tfstate", "wandb") == "wandb/prod/terraform.tfstate"
    assert state_key_for("wandb/prod/terraform.tfstate", "wandb-storage") == "wandb/prod/wandb-storage.tfstate"
    assert state_key_for("terraform.tfstate", "wandb-storage") == "wandb-storage.tfstate"


def test_the_cli_var_files(tmp_path):
    from settings.sources import cli_var_files

    for name in ("terraform.tfvars", "terraform.tfvars.json", "a.auto.tfvars", "b.auto.tfvars.json", ".h.auto.tfvars", "c.tfvars", "n.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "d.auto.tfvars").mkdir()
    found = [p.name for p in cli_var_files(tmp_path)]
    assert found == ["terraform.tfvars", "terraform.tfvars.json", "a.auto.tfvars", "b.auto.tfvars.json"]


def test_reprs():
    from settings.errors import SettingsNote, SettingsWarning

    assert repr(SettingsNote("a note")) == "SettingsNote('a note')"
    assert str(SettingsNote("a note")) == "a note"
    assert repr(SettingsWarning("f", "k", "m")) == "SettingsWarning('f: setting `k`: m')"
    assert repr(SettingsWarning("f", None, "m")) == "SettingsWarning('f: m')"


SETTINGS_CASES: dict[str, Mapping[str, Any]] = {
    "guide": GUIDE_SETTINGS,
    "pre-operator": PRE_OPERATOR,
    "post-operator": POST_OPERATOR,
    "new 8.x": NEW_V8,
    "remote state": {**GUIDE_SETTINGS, "state_bucket": "acme-tf-state"},
    "storage": {**GUIDE_SETTINGS, "storage_bucket_name": "acme-files", "storage_queue_name": "q", "storage_cors_origins": ["https://a.b"]},
    "hcp terraform": {
        **NEW_V8,
        "kubernetes_auth": "ephemeral",
        "hcp_organization": "acme",
        "hcp_project": "ML platform",
        "hcp_workspace_prefix": "wandb-",
        "hcp_manage_workspaces": True,
        "hcp_aws_run_role_policy_arns": ["arn:aws:iam::aws:policy/PowerUserAccess"],
    },
}


def settings_repr(values: Mapping[str, Any]) -> str:
    return repr(parse_settings(values, FILE, today=TODAY)).replace(str(Path(FILE).resolve()), FILE)


@pytest.mark.parametrize("case", SETTINGS_CASES)
def test_settings_values(case):
    """The whole value (the license never in its repr), defaults included."""
    assert settings_repr(SETTINGS_CASES[case]) == EXPECTED_SETTINGS[case]


def test_kubernetes_notes():
    from settings.requirements import with_kubernetes_note

    assert with_kubernetes_note("the calendar", "1.32") == "the calendar"
    assert with_kubernetes_note(None, "1.32") is None
    assert with_kubernetes_note(None, "1.31") == (
        "W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and "
        "1.31 is older: raise eks_cluster_version one minor version per deploy"
    )


def test_a_secret_never_appears_in_its_check_message():
    from settings.fields import _checked

    def fail(name: str | None, message: str) -> SettingsError:
        return SettingsError(FILE, name, message)

    def echo(value: str) -> str:
        return f"{value!r} is wrong"

    with pytest.raises(SettingsError) as caught:
        _checked("license", "s3cret", "string", echo, True, fail)
    assert str(caught.value) == "m.tfvars: setting `license`: the value is not valid"
    with pytest.raises(SettingsError) as caught:
        _checked("namespace", "s3cret", "string", echo, False, fail)
    assert str(caught.value) == "m.tfvars: setting `namespace`: 's3cret' is wrong"


def test_the_settings_table_ends_with_its_last_row():
    from settings.schema import settings_table_markdown

    table = settings_table_markdown()
    assert table.endswith(" |\n") and "\n\n" not in table


def test_infra_input():
    settings = parse_settings({**GUIDE_SETTINGS, "size": "medium"}, FILE, today=TODAY)
    assert settings.infra_input("size") == "medium"
    assert settings.infra_input("public_access") is True
    assert settings.infra_input("frobnicate") is None


def test_eks_version_on_a_release_that_does_not_declare_it():
    """Every release of the catalog declares eks_cluster_version today; one that did not refuses it."""
    from types import SimpleNamespace

    from release_catalog.layouts import Layout
    from release_catalog.releases import ModuleRelease
    from settings.rules import Context, eks_version_where_required

    release = ModuleRelease("wandb/wandb/aws", "9.0.0", "9.0.0", {}, frozenset(), {})
    infra = SimpleNamespace(release=release, layout=Layout.V8, max_kubernetes="1.35")
    ctx = Context(FILE, {"eks_cluster_version": "1.30"}, infra, {"eks_cluster_version": "1.30"}, {}, TODAY)  # type: ignore[arg-type]
    assert [str(p) for p in eks_version_where_required(ctx)] == [
        "m.tfvars: setting `eks_cluster_version`: is not an input of wandb/wandb/aws 9.0.0"
    ]


def test_license_is_not_compared():
    import dataclasses

    settings = parse_settings(GUIDE_SETTINGS, FILE, today=TODAY)
    assert settings.license == SENTINEL_LICENSE
    assert dataclasses.replace(settings, license="other") == settings


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(SettingsError) as caught:
        read_tfvars(tmp_path / "nope.tfvars")
    assert str(caught.value) == f"{tmp_path / 'nope.tfvars'}: the settings file does not exist"
    (tmp_path / "latin.tfvars").write_bytes(b'a = "\xe9"\n')
    with pytest.raises(SettingsError) as caught:
        read_tfvars(tmp_path / "latin.tfvars", "latin.tfvars")
    assert str(caught.value) == (
        "latin.tfvars: cannot read the settings file (UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 5: "
        "invalid continuation byte)"
    )
    (tmp_path / "nl.tfvars").write_text('a = 1\nb = "x"')  # no final newline
    assert read_tfvars(tmp_path / "nl.tfvars") == {"a": 1, "b": "x"}


TYPE_CASES: list[tuple[Any, str]] = [
    (True, "string"),
    ("x", "bool"),
    (True, "number"),
    (1.5, "string"),
    ("x", "list(string)"),
    (["x", 1], "list(string)"),
    ([None], "set(number)"),
    ([None], "list(bool)"),
    ([None], "list(map(string))"),
    ([None], "list(object({'a': '${string}'}))"),
    ([None], "list(list(string))"),
    ("x", "map(string)"),
    ({"a": {"b": 1}}, "map(map(string))"),
    ({"a": 1}, "map(string)"),
    ([1], "object({'a': '${string}'})"),
    ({"b": 1}, "object({'a': '${string}', 'c': '${number}'})"),
    ({"a": 1}, "object({'a': '${string}'})"),
    ({"a": {"b": "x"}}, "object({'a': '${object({\\'c\\': \\'${string}\\'})}'})"),
    ({"b": 1}, "object({})"),
    ({"b": 1}, "object(not python)"),
    (1, "any"),
    (None, "string"),
    (1, "tuple([string])"),
    ("x", "'${number}'"),
    (["a", None], "list(string)"),
]


def test_type_errors():
    found = [type_error(value, tf_type) for value, tf_type in TYPE_CASES]
    assert found == EXPECTED_TYPES


def test_describe():
    values = [True, 1, 1.5, "x", [], {}, None, (1,)]
    assert [describe(v) for v in values] == ["a bool", "a number", "a number", "a string", "a list", "a map", "null", "tuple"]


def load_messages(tmp_path: Path) -> dict[str, str]:
    """load_settings and load_app_settings: the whole-file messages and warnings."""
    found = {}

    def run(case: str, call: Callable[[], Any]) -> None:
        try:
            result = call()
        except SettingsError as err:
            found[case] = str(err).replace(str(tmp_path), "<tmp>")
            return
        settings = result.deployments if hasattr(result, "deployments") else (result,)
        notes = getattr(result, "notes", ())
        lines = [str(w) for s in settings for w in s.warnings] + [str(n) for n in notes]
        found[case] = "\n".join(lines).replace(str(tmp_path), "<tmp>")

    root = tmp_path / "root"
    root.mkdir()
    no_license = to_hcl(without(GUIDE_SETTINGS, "license"))
    (root / "own.tfvars").write_text(no_license)
    env = {"WANDB_TFVARS": str(root / "own.tfvars")}
    run("no license", lambda: load_app_settings(env, root, TODAY))
    run("no license, TF_VAR_license", lambda: load_app_settings({**env, "TF_VAR_license": "x"}, root, TODAY))
    (root / "terraform.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    run("second settings file", lambda: load_app_settings(env, root, TODAY))
    (root / "terraform.tfvars").unlink()
    (root / "x.auto.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    run("second var file", lambda: load_app_settings(env, root, TODAY))
    (root / "terraform.tfvars").write_text(no_license)  # x.auto.tfvars holds other settings
    run("a var file beside terraform.tfvars, no WANDB_TFVARS", lambda: load_app_settings({}, root, TODAY))
    (root / "terraform.tfvars").unlink()
    (root / "x.auto.tfvars").write_text(no_license)
    run("an identical var file", lambda: load_app_settings(env, root, TODAY))
    (root / "x.auto.tfvars").unlink()
    (root / "x.auto.tfvars.json").write_text("{}")
    run("second var file, json", lambda: load_app_settings(env, root, TODAY))
    (root / "x.auto.tfvars.json").unlink()
    folder = root / "deployments"
    folder.mkdir()
    run("empty folder", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "prod.tfvar").write_text(no_license)
    run("only a near miss", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "prod.tfvars").write_text(no_license)
    run("folder", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    run("folder and file", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder), **env}, root, TODAY))
    run("no folder", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(root / "none")}, root, TODAY))
    (folder / "prod.tfvar").unlink()
    (folder / "Prod_1.tfvars").write_text(no_license)
    run("bad deployment name", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "Prod_1.tfvars").unlink()
    (folder / "_defaults.tfvars").write_text('default_tags = { team = "ml" }\nnamespace = "Bad"\n')
    (folder / "prod.tfvars").write_text(to_hcl(without(GUIDE_SETTINGS, "namespace", "license")))
    run("bad value from defaults", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "_defaults.tfvars").write_text('default_tags = { team = "ml" }\n')
    (folder / "prod.tfvars").write_text(to_hcl({**without(GUIDE_SETTINGS, "license"), "default_tags": {"a": "b"}}))
    (folder / "prod.tfvars").write_text(to_hcl({**without(GUIDE_SETTINGS, "license"), "namespace": "Bad"}))
    run("own bad value beside defaults", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "prod.tfvars").write_text(to_hcl({**without(GUIDE_SETTINGS, "license"), "default_tags": {"a": "b"}}))
    run("tags merged", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "prod.tfvars").write_text(to_hcl({**without(GUIDE_SETTINGS, "license"), "default_tags": {"aws:x": "b"}}))
    run("bad merged tags", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    for name in ("_defaults.tfvars", "prod.tfvars"):
        (folder / name).unlink()
    alpha = {**without(GUIDE_SETTINGS, "license"), "subdomain": "alpha"}
    (folder / "a.tfvars").write_text(to_hcl(alpha))
    (folder / "b.tfvars").write_text(to_hcl({**alpha, "subdomain": "Alpha"}))
    run("one host", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "b.tfvars").write_text(to_hcl({**alpha, "subdomain": "beta"}))
    run("one namespace", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "_defaults.tfvars").write_text('state_bucket = "acme-tf-state"\nstate_key = "x/terraform.tfstate"\n')
    run("one state object", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "_defaults.tfvars").write_text('state_bucket = "acme-tf-state"\n')
    (folder / "b.tfvars").write_text(to_hcl({**alpha, "subdomain": "beta", "namespace": "other", "state_key": "a/terraform.tfstate"}))
    run("one state object, own key", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "b.tfvars").unlink()
    (folder / "_default.tfvar").write_text("")
    run("near miss of the defaults", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    (folder / "_default.tfvar").unlink()
    (folder / ("a" * 21 + ".tfvars")).write_text("")
    run("name too long", lambda: load_app_settings({"WANDB_DEPLOYMENTS": str(folder)}, root, TODAY))
    example = tmp_path / "fresh"
    example.mkdir()
    (example / "terraform.tfvars.example").write_text(to_hcl(GUIDE_SETTINGS))
    run("example", lambda: load_app_settings({}, example, TODAY))
    run("example, load_settings", lambda: load_settings(None, {}, example, TODAY))
    return found


def test_load_messages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_messages(tmp_path) == EXPECTED_LOAD


EXPECTED: dict[str, str] = {
    "missing namespace": "m.tfvars: setting `namespace`: is required; add it to the settings file (Prefix of every AWS resource name.)",
    "missing domain_name": "m.tfvars: setting `domain_name`: is required; add it to the settings file (Domain the W&B FQDN lives in.)",
    "missing zone_id": "m.tfvars: setting `zone_id`: is required; add it to the settings file (Route 53 hosted zone where the FQDN record is created.)",
    "missing allowed_inbound_cidr": "m.tfvars: setting `allowed_inbound_cidr`: is required; add it to the settings file (IPv4 CIDR blocks allowed to reach W&B.)",
    "missing allowed_inbound_ipv6_cidr": "m.tfvars: setting `allowed_inbound_ipv6_cidr`: is required; add it to the settings file (IPv6 CIDR blocks allowed to reach W&B.)",
    "null namespace": "m.tfvars: setting `namespace`: must not be null: it is required (Prefix of every AWS resource name.)",
    "null domain_name": "m.tfvars: setting `domain_name`: must not be null: it is required (Domain the W&B FQDN lives in.)",
    "null zone_id": "m.tfvars: setting `zone_id`: must not be null: it is required (Route 53 hosted zone where the FQDN record is created.)",
    "null allowed_inbound_cidr": "m.tfvars: setting `allowed_inbound_cidr`: must not be null: it is required (IPv4 CIDR blocks allowed to reach W&B.)",
    "null allowed_inbound_ipv6_cidr": "m.tfvars: setting `allowed_inbound_ipv6_cidr`: must not be null: it is required (IPv6 CIDR blocks allowed to reach W&B.)",
    "null with a default": "m.tfvars: setting `kubernetes_auth`: must not be null; remove the line to use the default",
    "alias and key": "m.tfvars: setting `wandb_license`: is another name for `license`; set only one of them",
    "unsupported release": 'm.tfvars: setting `wandb_infra_version`: \'9.9.9\' is not a supported release of wandb/wandb/aws; use one of "~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"',
    "pre-operator key, no release": 'm.tfvars: setting `wandb_infra_version`: is not set, so the app takes the guide\'s default "~> 7.0" (the recommended layout); but this file sets `wandb_version`, which the pre-operator layout uses: add wandb_infra_version = "1.16.10" (e.g. the guide\'s pre-operator.tfvars wants "1.16.10", its post-operator.tfvars "4.7.2")',
    "known mistake": "m.tfvars: setting `create_elasticache_subnet`: is not a setting: no release of wandb/wandb/aws declares it; did you mean `create_elasticache`?",
    "typo": "m.tfvars: setting `domian_name`: is not a known setting; did you mean `domain_name`?",
    "nothing close": "m.tfvars: setting `frobnicate`: is not a known setting and not an input of wandb/wandb/aws ~> 7.0 (resolves to 7.18.2)",
    "input of another release": "m.tfvars: setting `kubernetes_legacy_cluster_creator_admin`: is not an input of wandb/wandb/aws ~> 7.0 (resolves to 7.18.2), the release `wandb_infra_version` chooses (it is an input of ~> 8.0, 8.0.0)",
    "string for bool": "m.tfvars: setting `create_elasticache`: expected a bool (true or false, unquoted), got a string",
    "bool for string": "m.tfvars: setting `namespace`: expected a string, got a bool",
    "string for number": "m.tfvars: setting `storage_noncurrent_version_days`: expected a number, got a string",
    "map for list": "m.tfvars: setting `allowed_inbound_cidr`: expected a list, got a map",
    "null in a list": "m.tfvars: setting `allowed_inbound_cidr`: expected a string at [0], got null",
    "number in a list": "m.tfvars: setting `allowed_inbound_cidr`: expected a string at [0], got a number",
    "list in a map": "m.tfvars: setting `default_tags`: expected a string at a, got a list",
    "license in another value": "m.tfvars: setting `default_tags`: holds the license (at default_tags.note); the license goes only in `license`, which is never synthesized",
    "secret by its name": "m.tfvars: setting `default_tags`: default_tags.password looks like a secret, by its name; settings other than `license` are written to cdktf.out in clear text, so keep secrets out of the settings file (pass AWS credentials through the environment or a profile)",
    "secret by its shape": "m.tfvars: setting `default_tags`: default_tags.k looks like an AWS access key id; settings other than `license` are written to cdktf.out in clear text, so keep secrets out of the settings file (pass AWS credentials through the environment or a profile)",
    "too many tags": "m.tfvars: setting `default_tags`: every AWS resource would carry 62 tags, the app's own Application, ManagedBy among them: AWS allows 50 on one resource, so remove 12 or more",
    "aws-auth accounts on 8.x": "m.tfvars: setting `kubernetes_map_accounts`: must be empty with wandb/wandb/aws 8.0.0: the module rejects a non-empty list (aws-auth account mappings are gone with the EKS module v20; grant access with EKS access entries instead)",
    "pre-operator key on 7.x": 'm.tfvars: setting `wandb_version`: is used only by the pre-operator layout (wandb_infra_version = "1.16.10"); with wandb/wandb/aws ~> 7.0 (resolves to 7.18.2) the W&B version is managed by the operator\'s release channel, so remove it',
    "unsupported app release": 'm.tfvars: setting `wandb_app_version`: \'0.0.1\' is not a supported release of wandb/wandb/kubernetes; use one of "1.12.0", "~> 1.0"',
    "no eks version, post-operator": 'm.tfvars: setting `eks_cluster_version`: is required by wandb/wandb/aws 4.7.2; add e.g. eks_cluster_version = "1.32". When migrating from the pre-operator layout, give the cluster\'s current version (`aws eks describe-cluster --name <cluster> --query cluster.version`) so the migration does not upgrade the cluster by accident (the guide\'s pre-operator.tf created it at "1.25").',
    "state option without bucket": "m.tfvars: setting `state_key`: has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it",
    "ephemeral auth on 7.x": 'm.tfvars: setting `kubernetes_auth`: "ephemeral" needs the aws provider\'s ephemeral aws_eks_cluster_auth (aws provider 5.84 or later), and wandb/wandb/aws ~> 7.0 (resolves to 7.18.2) requires an older aws provider; use "exec" (needs the AWS CLI where Terraform runs) or "token", or wandb_infra_version = "~> 8.0"',
    "eks version too new": 'm.tfvars: setting `eks_cluster_version`: wandb/wandb/aws 7.18.2 runs Amazon Linux 2 nodes, and AWS publishes no Amazon Linux 2 node images for Kubernetes 1.33 or later; use 1.32 or older, or wandb_infra_version = "~> 8.0" (Amazon Linux 2023 nodes)',
    "old eks version": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.25 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.25 is older",
    "a size the module lacks": "m.tfvars: setting `size`: 'huge' is not a size the module defines; use one of small, medium, large, xlarge, xxlarge",
    "non-nullable input null": "m.tfvars: setting `allowed_private_endpoint_cidr`: must not be null (wandb/wandb/aws ~> 7.0 (resolves to 7.18.2) declares it non-nullable)",
    "guide": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "pre-operator": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.25 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.25 is older\nm.tfvars: setting `database_engine_version`: is not set, so wandb/wandb/aws 1.16.10 uses its default, '8.0.mysql_aurora.3.03.0' (Aurora MySQL 3.03.0); W&B's Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region's). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window\nm.tfvars: setting `wandb_infra_version`: wandb/wandb/aws 1.16.10 creates Redis 6.x (no input changes it), and W&B's Self-Managed requirements (docs.wandb.ai) ask for Redis 7.x: finish the operator migration to wandb_infra_version = \"~> 7.0\" (Redis 7.1), or set create_elasticache = false and give W&B a Redis 7 of your own",
    "post-operator": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.25 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.25 is older\nm.tfvars: setting `database_engine_version`: is not set, so wandb/wandb/aws 4.7.2 uses its default, '8.0.mysql_aurora.3.03.0' (Aurora MySQL 3.03.0); W&B's Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region's). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window\nm.tfvars: setting `wandb_infra_version`: wandb/wandb/aws 4.7.2 creates Redis 6.x (no input changes it), and W&B's Self-Managed requirements (docs.wandb.ai) ask for Redis 7.x: finish the operator migration to wandb_infra_version = \"~> 7.0\" (Redis 7.1), or set create_elasticache = false and give W&B a Redis 7 of your own",
    "new 8.x": "",
    "lock table": "m.tfvars: setting `state_lock_table`: DynamoDB state locking (the S3 backend's dynamodb_table) is deprecated since Terraform 1.11; remove state_lock_table to lock with S3 itself (use_lockfile, the app's default)\nm.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "old database": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nm.tfvars: setting `database_engine_version`: is '8.0.mysql_aurora.3.01.0' (Aurora MySQL 3.01.0); W&B's Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region's). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window",
    "database left to AWS": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "database new enough": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "database form unknown": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nm.tfvars: setting `database_engine_version`: is '8.0.aurora.9' (no Aurora MySQL 3 release the app recognizes); W&B's Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region's). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window",
    "database not a string": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "8.x, old eks version": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.30 is in extended support, which costs extra, until 2026-07-23 (standard support ended 2025-07-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.30 is older",
    "8.x, eks version too old": "m.tfvars: setting `eks_cluster_version`: wandb/wandb/aws 8.0.0 supports Kubernetes 1.30 to 1.35 (its upgrade guide); 1.29 is older: upgrade the cluster on 7.x first, one minor version per deploy",
    "8.x, eks version too new": "m.tfvars: setting `eks_cluster_version`: wandb/wandb/aws 8.0.0 supports Kubernetes 1.30 to 1.35 (its upgrade guide); 1.36 is newer",
    "pre-operator, no redis": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.25 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.25 is older\nm.tfvars: setting `database_engine_version`: is not set, so wandb/wandb/aws 1.16.10 uses its default, '8.0.mysql_aurora.3.03.0' (Aurora MySQL 3.03.0); W&B's Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region's). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window",
    "eks version on pre-operator": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.26 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.26 is older\nm.tfvars: setting `database_engine_version`: is not set, so wandb/wandb/aws 1.16.10 uses its default, '8.0.mysql_aurora.3.03.0' (Aurora MySQL 3.03.0); W&B's Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region's). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window\nm.tfvars: setting `wandb_infra_version`: wandb/wandb/aws 1.16.10 creates Redis 6.x (no input changes it), and W&B's Self-Managed requirements (docs.wandb.ai) ask for Redis 7.x: finish the operator migration to wandb_infra_version = \"~> 7.0\" (Redis 7.1), or set create_elasticache = false and give W&B a Redis 7 of your own",
    "8.x without eks version": 'm.tfvars: setting `eks_cluster_version`: is required by wandb/wandb/aws 8.0.0; add e.g. eks_cluster_version = "1.35".',
    "8.x key, no release": 'm.tfvars: setting `wandb_infra_version`: is not set, so the app takes the guide\'s default "~> 7.0" (the recommended layout); but this file sets `kubernetes_legacy_cluster_creator_admin`, which the v8 layout uses: add wandb_infra_version = "8.0.0" (e.g. the guide\'s pre-operator.tfvars wants "1.16.10", its post-operator.tfvars "4.7.2")',
    "state_key without state_bucket": "m.tfvars: setting `state_key`: has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it",
    "state_region without state_bucket": "m.tfvars: setting `state_region`: has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it",
    "state_lock_table without state_bucket": "m.tfvars: setting `state_lock_table`: has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it",
    "state_role_arn without state_bucket": "m.tfvars: setting `state_role_arn`: has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it",
    "state_profile without state_bucket": "m.tfvars: setting `state_profile`: has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it",
    "state_kms_key_id without state_bucket": "m.tfvars: setting `state_kms_key_id`: has no effect without `state_bucket`; the state would stay local: set `state_bucket`, or remove it",
    "too many cluster tags": "m.tfvars: setting `eks_cluster_tags`: the resources `eks_cluster_tags` tags would carry 51 tags, the app's own Application, ManagedBy among them: AWS allows 50 on one resource, so remove 1 or more",
    "required input, 8.x": 'm.tfvars: setting `kubernetes_legacy_cluster_creator_admin`: is required by wandb/wandb/aws 8.0.0; set it to true when upgrading a cluster that 7.x created (AWS keeps the creator\'s implicit admin access), or false for a new deployment (the module creates an access entry for the creator). The wrong value ends in "Unauthorized" from the kubernetes and helm providers, or a 409 ResourceInUseException, during the deploy',
    "hcp and state_bucket": "m.tfvars: setting `hcp_organization`: is set together with `state_bucket`, and both say where the state lives (HCP Terraform workspaces, an S3 bucket); keep one of them (moving a state from one to the other: README, HCP Terraform)",
    "hcp option without organization": "m.tfvars: setting `hcp_project`: has no effect without `hcp_organization`: set `hcp_organization`, or remove it",
    "hcp workspace name too long": "m.tfvars: setting `hcp_workspace_prefix`: makes the workspace name 'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwandb-storage' 91 characters long; HCP Terraform takes at most 90: shorten the prefix",
    "hcp, exec on remote runs": 'm.tfvars: setting `kubernetes_auth`: "exec" runs the AWS CLI where Terraform runs, and HCP Terraform\'s workers (hcp_execution_mode "remote") have none: set kubernetes_auth = "token" (the guide\'s)',
    "hcp, exec on 8.x remote runs": 'm.tfvars: setting `kubernetes_auth`: "exec" runs the AWS CLI where Terraform runs, and HCP Terraform\'s workers (hcp_execution_mode "remote") have none: set kubernetes_auth = "ephemeral"',
    "hcp, exec on agents": 'm.tfvars: setting `kubernetes_auth`: "exec" runs the AWS CLI where Terraform runs: install it on your HCP Terraform agents, or set kubernetes_auth = "token" (the guide\'s)\nm.tfvars: setting `hcp_execution_mode`: "agent": the settings file does not travel with HCP Terraform\'s runs, so the license comes from each workspace\'s sensitive Terraform variable `license` (set it in each workspace; README, HCP Terraform)\nm.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B\'s Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page\'s newest copy: 1.34), and 1.29 is older',
    "hcp, exec locally": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "hcp, remote runs": "m.tfvars: setting `hcp_execution_mode`: \"remote\": the settings file does not travel with HCP Terraform's runs, so the license comes from each workspace's sensitive Terraform variable `license` (set it in each workspace; README, HCP Terraform)\nm.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "hcp, managed remote runs": "m.tfvars: setting `hcp_execution_mode`: \"remote\": the settings file does not travel with HCP Terraform's runs, so the license comes from each workspace's sensitive Terraform variable `license` (stack hcp-workspaces sets it from this file; README, HCP Terraform)\nm.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "hcp, managed without policies": 'm.tfvars: setting `hcp_aws_run_role_policy_arns`: is required with hcp_manage_workspaces: the IAM policies of the role HCP Terraform\'s runs assume (e.g. ["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/IAMFullAccess"]; the W&B module creates IAM roles)',
    "hcp, managed agents without a pool": 'm.tfvars: setting `hcp_agent_pool_id`: is required with hcp_execution_mode = "agent" and hcp_manage_workspaces: the workspaces run on that pool',
    "hcp, agent pool on remote runs": 'm.tfvars: setting `hcp_agent_pool_id`: is used only with hcp_execution_mode = "agent" (it is "remote"); remove it',
    "hcp, workspace option unmanaged": "m.tfvars: setting `hcp_terraform_version`: is used only by stack hcp-workspaces: set hcp_manage_workspaces = true, or remove it",
    "hcp, run role on local runs": 'm.tfvars: setting `hcp_aws_run_role_policy_arns`: is used only when HCP Terraform runs Terraform (hcp_execution_mode "remote" or "agent"); remove it',
    "hcp_organization null: no HCP": "m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "hcp workspace name of 90 characters": "m.tfvars: setting `hcp_execution_mode`: \"remote\": the settings file does not travel with HCP Terraform's runs, so the license comes from each workspace's sensitive Terraform variable `license` (set it in each workspace; README, HCP Terraform)\nm.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "hcp, hcp_aws_run_role_policy_arns unmanaged": "m.tfvars: setting `hcp_aws_run_role_policy_arns`: is used only by stack hcp-workspaces: set hcp_manage_workspaces = true, or remove it",
    "hcp, hcp_aws_oidc_provider_arn unmanaged": "m.tfvars: setting `hcp_aws_oidc_provider_arn`: is used only by stack hcp-workspaces: set hcp_manage_workspaces = true, or remove it",
    "hcp, hcp_agent_pool_id unmanaged": "m.tfvars: setting `hcp_agent_pool_id`: is used only by stack hcp-workspaces: set hcp_manage_workspaces = true, or remove it",
    "hcp, oidc provider on local runs": 'm.tfvars: setting `hcp_aws_oidc_provider_arn`: is used only when HCP Terraform runs Terraform (hcp_execution_mode "remote" or "agent"); remove it',
}
EXPECTED_CHECKS: dict[str, str] = {
    "namespace: 21 characters": "near-miss.tfvars: setting `namespace`: 'aaaaaaaaaaaaaaaaaaaaa' is 21 characters long; keep it to 20 so derived AWS names stay within their limits",
    "namespace: trailing hyphen": "near-miss.tfvars: setting `namespace`: 'wandb-' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: double hyphen": "near-miss.tfvars: setting `namespace`: 'wan--db' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: leading hyphen": "near-miss.tfvars: setting `namespace`: '-wandb' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: starts with a digit": "near-miss.tfvars: setting `namespace`: '1wandb' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: uppercase": "near-miss.tfvars: setting `namespace`: 'Wandb' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: underscore": "near-miss.tfvars: setting `namespace`: 'wan_db' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: dot": "near-miss.tfvars: setting `namespace`: 'wan.db' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: non-ASCII letter": "near-miss.tfvars: setting `namespace`: 'wandé' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: trailing newline": "near-miss.tfvars: setting `namespace`: 'wandb\\n' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "namespace: empty": "near-miss.tfvars: setting `namespace`: must not be empty: it prefixes the name of every AWS resource the module creates",
    "license: empty": "near-miss.tfvars: setting `license`: must not be empty",
    "license: blank": "near-miss.tfvars: setting `license`: must not be empty",
    "kubernetes_auth: capitalised": 'near-miss.tfvars: setting `kubernetes_auth`: \'Exec\' is not one of "exec", "ephemeral", "token"',
    "kubernetes_auth: trailing space": 'near-miss.tfvars: setting `kubernetes_auth`: \'exec \' is not one of "exec", "ephemeral", "token"',
    "kubernetes_auth: the command, not the mode": 'near-miss.tfvars: setting `kubernetes_auth`: \'get-token\' is not one of "exec", "ephemeral", "token"',
    "kubernetes_auth: empty": 'near-miss.tfvars: setting `kubernetes_auth`: \'\' is not one of "exec", "ephemeral", "token"',
    "subdomain: trailing hyphen": "near-miss.tfvars: setting `subdomain`: 'wandb-' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "subdomain: leading hyphen": "near-miss.tfvars: setting `subdomain`: '-wandb' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "subdomain: underscore": "near-miss.tfvars: setting `subdomain`: 'wan_db' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "subdomain: empty label after a dot": "near-miss.tfvars: setting `subdomain`: 'wandb.' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "subdomain: label of 64 characters": "near-miss.tfvars: setting `subdomain`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "subdomain: Kelvin sign, a K only under Unicode case folding": "near-miss.tfvars: setting `subdomain`: 'wandb-K' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "subdomain: trailing newline": "near-miss.tfvars: setting `subdomain`: 'wandb\\n' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "subdomain: empty": "near-miss.tfvars: setting `subdomain`: '' is not a DNS label such as \"wandb\" (letters, digits and hyphens)",
    "domain_name: trailing dot": "near-miss.tfvars: setting `domain_name`: 'wandb.ml.' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: scheme": "near-miss.tfvars: setting `domain_name`: 'https://wandb.ml' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: trailing slash": "near-miss.tfvars: setting `domain_name`: 'wandb.ml/' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: port": "near-miss.tfvars: setting `domain_name`: 'wandb.ml:443' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: single label": "near-miss.tfvars: setting `domain_name`: 'localhost' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: empty label": "near-miss.tfvars: setting `domain_name`: 'wandb..ml' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: label with a leading hyphen": "near-miss.tfvars: setting `domain_name`: '-wandb.ml' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: wildcard": "near-miss.tfvars: setting `domain_name`: '*.wandb.ml' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: label of 64 characters": "near-miss.tfvars: setting `domain_name`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ml' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: 254 characters": "near-miss.tfvars: setting `domain_name`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "domain_name: trailing newline": "near-miss.tfvars: setting `domain_name`: 'wandb.ml\\n' is not a DNS domain name such as \"wandb.example.com\" (no scheme, no trailing dot)",
    "zone_id: lowercase z": "near-miss.tfvars: setting `zone_id`: 'z032246913CW32RVRY0WU' is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")",
    "zone_id: lowercase id": "near-miss.tfvars: setting `zone_id`: 'Z032246913cw32rvry0wu' is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")",
    "zone_id: the API's path form": "near-miss.tfvars: setting `zone_id`: '/hostedzone/Z032246913CW32RVRY0WU' is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")",
    "zone_id: leading space": "near-miss.tfvars: setting `zone_id`: ' Z032246913CW32RVRY0WU' is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")",
    "zone_id: trailing newline": "near-miss.tfvars: setting `zone_id`: 'Z032246913CW32RVRY0WU\\n' is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")",
    "zone_id: no id after the Z": "near-miss.tfvars: setting `zone_id`: 'Z' is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")",
    "zone_id: 33 characters": "near-miss.tfvars: setting `zone_id`: 'ZAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' is not a Route 53 hosted zone id (they look like \"Z032246913CW32RVRY0WU\")",
    "allowed_inbound_cidr: host bits set": "near-miss.tfvars: setting `allowed_inbound_cidr`: '10.0.0.1/8' has host bits set; the block is '10.0.0.0/8'",
    "allowed_inbound_cidr: the second block has host bits set": "near-miss.tfvars: setting `allowed_inbound_cidr`: '10.0.0.1/8' has host bits set; the block is '10.0.0.0/8'",
    "allowed_inbound_cidr: IPv6 block in the IPv4 list": "near-miss.tfvars: setting `allowed_inbound_cidr`: '::/0' is an IPv6 block in a list of IPv4 blocks (it belongs in `allowed_inbound_ipv6_cidr`)",
    "allowed_inbound_cidr: no prefix length": "near-miss.tfvars: setting `allowed_inbound_cidr`: '10.0.0.0' is not a CIDR block: give a prefix length, e.g. \"10.0.0.0/32\"",
    "allowed_inbound_cidr: prefix length 33": "near-miss.tfvars: setting `allowed_inbound_cidr`: '10.0.0.0/33' is not a CIDR block",
    "allowed_inbound_cidr: netmask instead of a prefix length": "near-miss.tfvars: setting `allowed_inbound_cidr`: '10.0.0.0/255.0.0.0' is not a CIDR block: give the prefix as a length in bits, such as \"/8\" (not a netmask, no leading zero)",
    "allowed_inbound_cidr: zero-padded prefix length": "near-miss.tfvars: setting `allowed_inbound_cidr`: '10.0.0.0/08' is not a CIDR block: give the prefix as a length in bits, such as \"/8\" (not a netmask, no leading zero)",
    "allowed_inbound_cidr: zero-padded octet": "near-miss.tfvars: setting `allowed_inbound_cidr`: '010.0.0.0/8' is not a CIDR block",
    "allowed_inbound_cidr: trailing space": "near-miss.tfvars: setting `allowed_inbound_cidr`: '10.0.0.0/8 ' is not a CIDR block: give the prefix as a length in bits, such as \"/8\" (not a netmask, no leading zero)",
    "allowed_inbound_ipv6_cidr: IPv4 block in the IPv6 list": "near-miss.tfvars: setting `allowed_inbound_ipv6_cidr`: '0.0.0.0/0' is an IPv4 block in a list of IPv6 blocks (it belongs in `allowed_inbound_cidr`)",
    "allowed_inbound_ipv6_cidr: host bits set": "near-miss.tfvars: setting `allowed_inbound_ipv6_cidr`: '2001:db8::1/32' has host bits set; the block is '2001:db8::/32'",
    "allowed_inbound_ipv6_cidr: prefix length 129": "near-miss.tfvars: setting `allowed_inbound_ipv6_cidr`: '2001:db8::/129' is not a CIDR block",
    "allowed_inbound_ipv6_cidr: no prefix length": "near-miss.tfvars: setting `allowed_inbound_ipv6_cidr`: '2001:db8::' is not a CIDR block: give a prefix length, e.g. \"2001:db8::/32\"",
    "allowed_inbound_ipv6_cidr: zone index": "near-miss.tfvars: setting `allowed_inbound_ipv6_cidr`: '2001:db8::%eth0/32' is not a CIDR block: an IPv6 zone (after '%') has no place in one",
    "allowed_inbound_ipv6_cidr: the second block has host bits set": "near-miss.tfvars: setting `allowed_inbound_ipv6_cidr`: '2001:db8::1/32' has host bits set; the block is '2001:db8::/32'",
    "eks_cluster_version: patch version": "near-miss.tfvars: setting `eks_cluster_version`: '1.29.3' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: v prefix": "near-miss.tfvars: setting `eks_cluster_version`: 'v1.29' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: minor 0": "near-miss.tfvars: setting `eks_cluster_version`: '1.0' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: zero-padded minor": "near-miss.tfvars: setting `eks_cluster_version`: '1.05' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: three-digit minor": "near-miss.tfvars: setting `eks_cluster_version`: '1.100' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: major 2": "near-miss.tfvars: setting `eks_cluster_version`: '2.0' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: no minor": "near-miss.tfvars: setting `eks_cluster_version`: '1' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: trailing space": "near-miss.tfvars: setting `eks_cluster_version`: '1.29 ' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: trailing newline": "near-miss.tfvars: setting `eks_cluster_version`: '1.29\\n' is not a Kubernetes minor version such as \"1.29\"",
    "eks_cluster_version: a number, not a string": "near-miss.tfvars: setting `eks_cluster_version`: expected a string, got a number",
    "region: no number": "near-miss.tfvars: setting `region`: 'eu-central' is not an AWS region name such as \"eu-central-1\"",
    "region: trailing hyphen": "near-miss.tfvars: setting `region`: 'eu-central-' is not an AWS region name such as \"eu-central-1\"",
    "region: an availability zone": "near-miss.tfvars: setting `region`: 'eu-central-1a' is not an AWS region name such as \"eu-central-1\"",
    "region: two-digit number": "near-miss.tfvars: setting `region`: 'eu-central-10' is not an AWS region name such as \"eu-central-1\"",
    "region: uppercase": "near-miss.tfvars: setting `region`: 'EU-CENTRAL-1' is not an AWS region name such as \"eu-central-1\"",
    "region: underscores": "near-miss.tfvars: setting `region`: 'eu_central_1' is not an AWS region name such as \"eu-central-1\"",
    "region: one hyphen": "near-miss.tfvars: setting `region`: 'eucentral-1' is not an AWS region name such as \"eu-central-1\"",
    "region: a city": "near-miss.tfvars: setting `region`: 'Frankfurt' is not an AWS region name such as \"eu-central-1\"",
    "region: trailing newline": "near-miss.tfvars: setting `region`: 'eu-central-1\\n' is not an AWS region name such as \"eu-central-1\"",
    "default_tags: empty key": "near-miss.tfvars: setting `default_tags`: tag key '' is not allowed (1-128 characters, not starting with 'aws:')",
    "default_tags: key of 129 characters": "near-miss.tfvars: setting `default_tags`: tag key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk' is not allowed (1-128 characters, not starting with 'aws:')",
    "default_tags: key with the reserved aws: prefix": "near-miss.tfvars: setting `default_tags`: tag key 'aws:team' is not allowed (1-128 characters, not starting with 'aws:')",
    "default_tags: reserved prefix in uppercase": "near-miss.tfvars: setting `default_tags`: tag key 'AWS:team' is not allowed (1-128 characters, not starting with 'aws:')",
    "default_tags: value of 257 characters": "near-miss.tfvars: setting `default_tags`: the value of tag 'Team' is longer than 256 characters",
    "default_tags: a list as a value": "near-miss.tfvars: setting `default_tags`: expected a string at Team, got a list",
    "default_tags: a number as a value": "near-miss.tfvars: setting `default_tags`: expected a string at Team, got a number",
    "wandb_version: empty": "near-miss.tfvars: setting `wandb_version`: must not be empty",
    "wandb_version: blank": "near-miss.tfvars: setting `wandb_version`: must not be empty",
    "wandb_image: empty": "near-miss.tfvars: setting `wandb_image`: must not be empty",
    "wandb_image: blank": "near-miss.tfvars: setting `wandb_image`: must not be empty",
    "state_bucket: 2 characters": "near-miss.tfvars: setting `state_bucket`: 'ab' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: 64 characters": "near-miss.tfvars: setting `state_bucket`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: uppercase": "near-miss.tfvars: setting `state_bucket`: 'My-state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: underscore": "near-miss.tfvars: setting `state_bucket`: 'my_state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: leading hyphen": "near-miss.tfvars: setting `state_bucket`: '-state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: trailing hyphen": "near-miss.tfvars: setting `state_bucket`: 'state-' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: two dots": "near-miss.tfvars: setting `state_bucket`: 'my..state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: an IP address": "near-miss.tfvars: setting `state_bucket`: '192.168.1.1' is formatted as an IP address, which S3 does not accept as a bucket name",
    "state_bucket: a URL": "near-miss.tfvars: setting `state_bucket`: 's3://my-state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved prefix xn--": "near-miss.tfvars: setting `state_bucket`: 'xn--state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved prefix sthree-": "near-miss.tfvars: setting `state_bucket`: 'sthree-state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved prefix amzn-s3-demo-": "near-miss.tfvars: setting `state_bucket`: 'amzn-s3-demo-state' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved suffix -s3alias": "near-miss.tfvars: setting `state_bucket`: 'state-s3alias' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved suffix --ol-s3": "near-miss.tfvars: setting `state_bucket`: 'state--ol-s3' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved suffix .mrap": "near-miss.tfvars: setting `state_bucket`: 'state.mrap' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved suffix --x-s3": "near-miss.tfvars: setting `state_bucket`: 'state--x-s3' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: reserved suffix --table-s3": "near-miss.tfvars: setting `state_bucket`: 'state--table-s3' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_bucket: trailing newline": "near-miss.tfvars: setting `state_bucket`: 'my-state\\n' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "state_key: leading slash": "near-miss.tfvars: setting `state_key`: '/wandb/terraform.tfstate' is not an object key: it must be non-empty and not start or end with '/'",
    "state_key: trailing slash": "near-miss.tfvars: setting `state_key`: 'wandb/' is not an object key: it must be non-empty and not start or end with '/'",
    "state_key: empty": "near-miss.tfvars: setting `state_key`: '' is not an object key: it must be non-empty and not start or end with '/'",
    "state_key: blank": "near-miss.tfvars: setting `state_key`: '  ' is not an object key: it must be non-empty and not start or end with '/'",
    "state_region: an availability zone": "near-miss.tfvars: setting `state_region`: 'eu-central-1a' is not an AWS region name such as \"eu-central-1\"",
    "state_region: no number": "near-miss.tfvars: setting `state_region`: 'eu-central' is not an AWS region name such as \"eu-central-1\"",
    "state_role_arn: a role name, not an ARN": "near-miss.tfvars: setting `state_role_arn`: 'terraform-state' is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/terraform-state\"",
    "state_role_arn: 11-digit account": "near-miss.tfvars: setting `state_role_arn`: 'arn:aws:iam::12345678901:role/tf' is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/terraform-state\"",
    "state_role_arn: a user": "near-miss.tfvars: setting `state_role_arn`: 'arn:aws:iam::123456789012:user/tf' is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/terraform-state\"",
    "state_role_arn: trailing newline": "near-miss.tfvars: setting `state_role_arn`: 'arn:aws:iam::123456789012:role/tf\\n' is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/terraform-state\"",
    "state_profile: space": "near-miss.tfvars: setting `state_profile`: 'my profile' is not an AWS profile name (letters, digits and _ . @ + = , -)",
    "state_profile: empty": "near-miss.tfvars: setting `state_profile`: '' is not an AWS profile name (letters, digits and _ . @ + = , -)",
    "state_profile: 129 characters": "near-miss.tfvars: setting `state_profile`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not an AWS profile name (letters, digits and _ . @ + = , -)",
    "state_kms_key_id: a key id, not an ARN": "near-miss.tfvars: setting `state_kms_key_id`: '1234abcd-12ab-34cd-56ef-1234567890ab' is not a KMS key or alias ARN such as \"arn:aws:kms:eu-central-1:123456789012:key/<key id>\"",
    "state_kms_key_id: not a key or alias": "near-miss.tfvars: setting `state_kms_key_id`: 'arn:aws:kms:eu-central-1:123456789012:secret/x' is not a KMS key or alias ARN such as \"arn:aws:kms:eu-central-1:123456789012:key/<key id>\"",
    "state_kms_key_id: another service": "near-miss.tfvars: setting `state_kms_key_id`: 'arn:aws:s3:::bucket' is not a KMS key or alias ARN such as \"arn:aws:kms:eu-central-1:123456789012:key/<key id>\"",
    "state_lock_table: 2 characters": "near-miss.tfvars: setting `state_lock_table`: 'ab' is not a DynamoDB table name (3-255 of letters, digits, '_', '-', '.')",
    "state_lock_table: 256 characters": "near-miss.tfvars: setting `state_lock_table`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a DynamoDB table name (3-255 of letters, digits, '_', '-', '.')",
    "state_lock_table: space": "near-miss.tfvars: setting `state_lock_table`: 'my table' is not a DynamoDB table name (3-255 of letters, digits, '_', '-', '.')",
    "state_lock_table: colon": "near-miss.tfvars: setting `state_lock_table`: 'locks:1' is not a DynamoDB table name (3-255 of letters, digits, '_', '-', '.')",
    "state_lock_table: trailing newline": "near-miss.tfvars: setting `state_lock_table`: 'locks\\n' is not a DynamoDB table name (3-255 of letters, digits, '_', '-', '.')",
    "storage_bucket_name: dots (fine for S3, not for browsers over HTTPS)": "near-miss.tfvars: setting `storage_bucket_name`: 'my.files.bucket' contains dots; browsers reject S3's TLS certificate for dotted bucket names in W&B's file URLs, so use hyphens",
    "storage_bucket_name: 2 characters": "near-miss.tfvars: setting `storage_bucket_name`: 'ab' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "storage_bucket_name: 64 characters": "near-miss.tfvars: setting `storage_bucket_name`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "storage_bucket_name: uppercase": "near-miss.tfvars: setting `storage_bucket_name`: 'My-files' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "storage_bucket_name: reserved suffix -s3alias": "near-miss.tfvars: setting `storage_bucket_name`: 'files-s3alias' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "storage_queue_name: a FIFO queue": "near-miss.tfvars: setting `storage_queue_name`: 'events.fifo' names a FIFO queue; S3 event notifications need a standard queue (drop the \".fifo\")",
    "storage_queue_name: 81 characters": "near-miss.tfvars: setting `storage_queue_name`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not an SQS queue name: 1-80 letters, digits, hyphens and underscores",
    "storage_queue_name: space": "near-miss.tfvars: setting `storage_queue_name`: 'my queue' is not an SQS queue name: 1-80 letters, digits, hyphens and underscores",
    "storage_queue_name: dot": "near-miss.tfvars: setting `storage_queue_name`: 'my.queue' is not an SQS queue name: 1-80 letters, digits, hyphens and underscores",
    "storage_queue_name: an ARN": "near-miss.tfvars: setting `storage_queue_name`: 'arn:aws:sqs:eu-central-1:123456789012:events' is not an SQS queue name: 1-80 letters, digits, hyphens and underscores",
    "storage_queue_name: a queue URL": "near-miss.tfvars: setting `storage_queue_name`: 'https://sqs.eu-central-1.amazonaws.com/123456789012/events' is not an SQS queue name: 1-80 letters, digits, hyphens and underscores",
    "storage_queue_name: empty": "near-miss.tfvars: setting `storage_queue_name`: '' is not an SQS queue name: 1-80 letters, digits, hyphens and underscores",
    "storage_queue_name: trailing newline": "near-miss.tfvars: setting `storage_queue_name`: 'events\\n' is not an SQS queue name: 1-80 letters, digits, hyphens and underscores",
    "storage_cors_origins: no origin": 'near-miss.tfvars: setting `storage_cors_origins`: must name at least one origin (the W&B server\'s, e.g. "https://wandb.example.com"); leave the setting out for the default',
    "storage_cors_origins: every origin": 'near-miss.tfvars: setting `storage_cors_origins`: "*" lets every web site read and write W&B files from a browser; name the W&B server\'s origin, such as "https://wandb.example.com" (scheme, host and optional port)',
    "storage_cors_origins: trailing slash": 'near-miss.tfvars: setting `storage_cors_origins`: \'https://wandb.example.com/\' is not a web origin such as "https://wandb.example.com" (scheme, host and optional port); remove the path or trailing slash: "https://wandb.example.com"',
    "storage_cors_origins: a path": 'near-miss.tfvars: setting `storage_cors_origins`: \'https://wandb.example.com/files\' is not a web origin such as "https://wandb.example.com" (scheme, host and optional port); remove the path or trailing slash: "https://wandb.example.com"',
    "storage_cors_origins: no scheme": 'near-miss.tfvars: setting `storage_cors_origins`: \'wandb.example.com\' is not a web origin such as "https://wandb.example.com" (scheme, host and optional port); add the scheme: "https://wandb.example.com"',
    "storage_cors_origins: not http(s)": "near-miss.tfvars: setting `storage_cors_origins`: 'ftp://wandb.example.com' is not a web origin such as \"https://wandb.example.com\" (scheme, host and optional port)",
    "storage_cors_origins: two wildcards": "near-miss.tfvars: setting `storage_cors_origins`: 'https://*.*.example.com' has more than one '*'; S3 allows one wildcard in an origin",
    "storage_cors_origins: port 0": "near-miss.tfvars: setting `storage_cors_origins`: 'https://wandb.example.com:0' has port 0, outside 1-65535",
    "storage_cors_origins: port 65536": "near-miss.tfvars: setting `storage_cors_origins`: 'https://wandb.example.com:65536' has port 65536, outside 1-65535",
    "storage_cors_origins: empty port": "near-miss.tfvars: setting `storage_cors_origins`: 'https://wandb.example.com:' is not a web origin such as \"https://wandb.example.com\" (scheme, host and optional port)",
    "storage_cors_origins: empty label": "near-miss.tfvars: setting `storage_cors_origins`: 'https://wandb..example.com' is not a web origin such as \"https://wandb.example.com\" (scheme, host and optional port)",
    "storage_cors_origins: user info": "near-miss.tfvars: setting `storage_cors_origins`: 'https://user@wandb.example.com' is not a web origin such as \"https://wandb.example.com\" (scheme, host and optional port)",
    "storage_cors_origins: query": "near-miss.tfvars: setting `storage_cors_origins`: 'https://wandb.example.com?x=1' is not a web origin such as \"https://wandb.example.com\" (scheme, host and optional port)",
    "storage_cors_origins: Kelvin sign": "near-miss.tfvars: setting `storage_cors_origins`: 'https://K.example.com' is not a web origin such as \"https://wandb.example.com\" (scheme, host and optional port)",
    "storage_cors_origins: trailing newline": "near-miss.tfvars: setting `storage_cors_origins`: 'https://wandb.example.com\\n' is not a web origin such as \"https://wandb.example.com\" (scheme, host and optional port)",
    "storage_cors_origins: the second origin has a trailing slash": 'near-miss.tfvars: setting `storage_cors_origins`: \'http://bad.example.com/\' is not a web origin such as "https://wandb.example.com" (scheme, host and optional port); remove the path or trailing slash: "http://bad.example.com"',
    "storage_node_role_name: a role ARN": "near-miss.tfvars: setting `storage_node_role_name`: 'arn:aws:iam::123456789012:role/wandb-node' is an ARN; give the role's name (the part after \"role/\")",
    "storage_node_role_name: path form": "near-miss.tfvars: setting `storage_node_role_name`: 'role/wandb-node' is not an IAM role name: 1-64 letters, digits and + = , . @ _ -",
    "storage_node_role_name: 65 characters": "near-miss.tfvars: setting `storage_node_role_name`: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not an IAM role name: 1-64 letters, digits and + = , . @ _ -",
    "storage_node_role_name: space": "near-miss.tfvars: setting `storage_node_role_name`: 'wandb node' is not an IAM role name: 1-64 letters, digits and + = , . @ _ -",
    "storage_node_role_name: non-ASCII letter": "near-miss.tfvars: setting `storage_node_role_name`: 'wandé' is not an IAM role name: 1-64 letters, digits and + = , . @ _ -",
    "storage_node_role_name: trailing newline": "near-miss.tfvars: setting `storage_node_role_name`: 'wandb\\n' is not an IAM role name: 1-64 letters, digits and + = , . @ _ -",
    "storage_node_role_name: empty": "near-miss.tfvars: setting `storage_node_role_name`: '' is not an IAM role name: 1-64 letters, digits and + = , . @ _ -",
    "storage_noncurrent_version_days: a day and a half": "near-miss.tfvars: setting `storage_noncurrent_version_days`: 1.5 is not a whole number of days (1 or more)",
    "storage_noncurrent_version_days: just under a day": "near-miss.tfvars: setting `storage_noncurrent_version_days`: 0.999 is not a whole number of days (1 or more)",
    "storage_noncurrent_version_days: zero days": "near-miss.tfvars: setting `storage_noncurrent_version_days`: 0 is not a whole number of days (1 or more)",
    "storage_noncurrent_version_days: negative": "near-miss.tfvars: setting `storage_noncurrent_version_days`: -1 is not a whole number of days (1 or more)",
    "storage_noncurrent_version_days: a string, not a number": "near-miss.tfvars: setting `storage_noncurrent_version_days`: expected a number, got a string",
    "storage_noncurrent_version_days: a bool, not a number": "near-miss.tfvars: setting `storage_noncurrent_version_days`: expected a number, got a bool",
    "kubernetes_public_access_cidrs: host bits set": "near-miss.tfvars: setting `kubernetes_public_access_cidrs`: '10.0.0.1/8' has host bits set; the block is '10.0.0.0/8'",
    "kubernetes_public_access_cidrs: not a CIDR block": "near-miss.tfvars: setting `kubernetes_public_access_cidrs`: 'everyone' is not a CIDR block: give a prefix length, e.g. \"everyone/32\"",
    "kubernetes_public_access_cidrs: no prefix length": "near-miss.tfvars: setting `kubernetes_public_access_cidrs`: '10.0.0.0' is not a CIDR block: give a prefix length, e.g. \"10.0.0.0/32\"",
    "kubernetes_public_access_cidrs: the second block has host bits set": "near-miss.tfvars: setting `kubernetes_public_access_cidrs`: '2001:db8::1/32' has host bits set; the block is '2001:db8::/32'",
    "bucket_name: uppercase and underscore": "near-miss.tfvars: setting `bucket_name`: 'My_Bucket' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "bucket_name: 2 characters": "near-miss.tfvars: setting `bucket_name`: 'ab' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "bucket_name: two dots": "near-miss.tfvars: setting `bucket_name`: 'a..b' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "bucket_name: reserved prefix": "near-miss.tfvars: setting `bucket_name`: 'sthree-files' is not a valid S3 bucket name: 3-63 characters, lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit",
    "size: capitalized": "near-miss.tfvars: setting `size`: 'Small' is not a size the module defines; use one of small, medium, large, xlarge, xxlarge",
    "size: not a size the module defines": "near-miss.tfvars: setting `size`: 'huge' is not a size the module defines; use one of small, medium, large, xlarge, xxlarge",
    "size: empty": "near-miss.tfvars: setting `size`: '' is not a size the module defines; use one of small, medium, large, xlarge, xxlarge",
    "size: trailing space": "near-miss.tfvars: setting `size`: 'small ' is not a size the module defines; use one of small, medium, large, xlarge, xxlarge",
    "wandb_infra_version: an older 7.x release": 'near-miss.tfvars: setting `wandb_infra_version`: \'7.18.1\' is not a supported release of wandb/wandb/aws; use one of "~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"',
    "wandb_infra_version: a constraint no release matches": 'near-miss.tfvars: setting `wandb_infra_version`: \'~> 8.1\' is not a supported release of wandb/wandb/aws; use one of "~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"',
    "wandb_infra_version: a release without its patch": 'near-miss.tfvars: setting `wandb_infra_version`: \'8.0\' is not a supported release of wandb/wandb/aws; use one of "~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"',
    "wandb_infra_version: another constraint": 'near-miss.tfvars: setting `wandb_infra_version`: \'~> 7.1\' is not a supported release of wandb/wandb/aws; use one of "~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"',
    "wandb_infra_version: a patch off": 'near-miss.tfvars: setting `wandb_infra_version`: \'1.16.9\' is not a supported release of wandb/wandb/aws; use one of "~> 7.0", "7.18.2", "~> 8.0", "8.0.0", "1.16.10", "4.7.2"',
    "wandb_app_version: a patch off": 'near-miss.tfvars: setting `wandb_app_version`: \'1.12.1\' is not a supported release of wandb/wandb/kubernetes; use one of "1.12.0", "~> 1.0"',
    "wandb_app_version: another constraint": 'near-miss.tfvars: setting `wandb_app_version`: \'~> 1.1\' is not a supported release of wandb/wandb/kubernetes; use one of "1.12.0", "~> 1.0"',
    "hcp_organization: space": "near-miss.tfvars: setting `hcp_organization`: 'acme ml' is not an HCP Terraform organization name: letters, digits, `-` and `_` only",
    "hcp_hostname: scheme": 'near-miss.tfvars: setting `hcp_hostname`: \'https://app.terraform.io\' is not a host name such as "app.terraform.io" or "tfe.example.com" (no scheme, no path, lowercase)',
    "hcp_project: 2 characters": "near-miss.tfvars: setting `hcp_project`: 'ab' is not an HCP Terraform project name: 3 to 40 letters, digits, spaces, `-` and `_`, not starting or ending with a space",
    "hcp_workspace_prefix: dot": "near-miss.tfvars: setting `hcp_workspace_prefix`: 'wandb.' cannot start an HCP Terraform workspace name: letters, digits, `-` and `_` only",
    "hcp_workspace_tags: uppercase": "near-miss.tfvars: setting `hcp_workspace_tags`: 'Env' is not an HCP Terraform workspace tag: lowercase letters, digits, `:`, `-` and `_`, starting and ending with a letter or digit",
    "hcp_workspace_tags: 256 characters": "near-miss.tfvars: setting `hcp_workspace_tags`: 'tttttttttttttttttttttttttttttttttttttttt'... is 256 characters long; HCP Terraform takes at most 255",
    "hcp_execution_mode: capitalized": 'near-miss.tfvars: setting `hcp_execution_mode`: \'Remote\' is not one of "remote", "local", "agent"',
    "hcp_terraform_version: no patch": 'near-miss.tfvars: setting `hcp_terraform_version`: \'1.11\' is not a Terraform version such as "1.11.4" (or "~> 1.11.0")',
    "hcp_aws_run_role_policy_arns: a role": "near-miss.tfvars: setting `hcp_aws_run_role_policy_arns`: 'arn:aws:iam::aws:role/PowerUserAccess' is not an IAM policy ARN such as \"arn:aws:iam::aws:policy/PowerUserAccess\"",
    "hcp_aws_oidc_provider_arn: a host": "near-miss.tfvars: setting `hcp_aws_oidc_provider_arn`: 'app.terraform.io' is not an IAM OIDC provider ARN such as \"arn:aws:iam::123456789012:oidc-provider/app.terraform.io\"",
    "hcp_agent_pool_id: too short": "near-miss.tfvars: setting `hcp_agent_pool_id`: 'apool-short' is not an HCP Terraform agent pool id such as \"apool-ZjT6A7mVFm5WHT5a\"",
}
EXPECTED_TFVARS: dict[str, str] = {
    "malformed": "f.tfvars: not valid HCL: unexpected input at line 2, column 11",
    "unclosed list": "f.tfvars: not valid HCL: unexpected input at line 1, column 9",
    "unclosed string": 'f.tfvars: setting `license`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "block": "f.tfvars: setting `module`: line 2: blocks are not allowed in a tfvars file, only `name = value` lines",
    "expression": "f.tfvars: setting `size`: 'var.size' is an expression; a tfvars file takes only literal values (strings in quotes, numbers, true/false, lists, maps)",
    "secret expression": "f.tfvars: setting `license`: the value is an expression; a tfvars file takes only literal values (strings in quotes, numbers, true/false, lists, maps)",
    "expression in a list": "f.tfvars: setting `a`: 'var.x' is an expression; a tfvars file takes only literal values (strings in quotes, numbers, true/false, lists, maps)",
    "expression in a map": "f.tfvars: setting `a`: 'var.x' is an expression; a tfvars file takes only literal values (strings in quotes, numbers, true/false, lists, maps)",
    "duplicate": "f.tfvars: setting `a`: is set more than once",
    "single quotes": "f.tfvars: not valid HCL: unexpected \"'abc'\" at line 1, column 13",
    "single-quoted secret": "f.tfvars: not valid HCL: unexpected input at line 1, column 11",
    "stray character": "f.tfvars: not valid HCL: unexpected '@' at line 2, column 1",
    "unclosed string first": 'f.tfvars: not valid HCL: the quoted string on line 1 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "quote in a # comment first": "{'a': 1}",
    "quote in a // comment": "{'a': 1, 'b': 2}",
    "quote at a block comment's end": "{'b': 1}",
    "block comment over lines": 'f.tfvars: setting `a`: not valid HCL: the quoted string on line 4 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "unclosed block comment": "f.tfvars: not valid HCL: unexpected '/' at line 2, column 1",
    "escaped line break": 'f.tfvars: setting `a`: not valid HCL: the quoted string on line 1 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "escaped quote": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "template": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "empty template": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "template over lines": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 3 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "directive": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "escaped template": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "template and more": "{'a': '${var.x}-suffix'}",
    "heredoc with a quote": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 4 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "indented heredoc": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 4 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "unclosed heredoc": "f.tfvars: not valid HCL: unexpected '<<EOT' at line 1, column 5",
    "no final newline": "{'a': 'x'}",
    "comment, then an unclosed string": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "heredoc, a line that starts with its marker": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 4 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "unclosed template at the end": 'f.tfvars: setting `a`: not valid HCL: the quoted string on line 1 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "a long unexpected token": "f.tfvars: not valid HCL: unexpected 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' at line 1, column 8",
    "empty heredoc": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 3 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "escaped template before the closing quote": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 2 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
    "heredoc closed with trailing blanks": 'f.tfvars: setting `b`: not valid HCL: the quoted string on line 4 is not closed on that line (a string ends on the line it starts: add the closing ", or write a line break as \\n)',
}
EXPECTED_TYPES: list[str | None] = [
    "expected a string, got a bool",
    "expected a bool (true or false, unquoted), got a string",
    "expected a number, got a bool",
    "expected a string, got a number",
    "expected a list, got a string",
    "expected a string at [1], got a number",
    "expected a number at [0], got null",
    "expected a bool at [0], got null",
    "expected a map at [0], got null",
    "expected an object at [0], got null",
    "expected a list at [0], got null",
    "expected a map, got a string",
    "expected a string at a.b, got a number",
    "expected a string at a, got a number",
    "expected an object (a map), got a list",
    "unexpected attribute 'b'; expected a, c",
    None,
    None,
    "unexpected attribute 'b'; expected none",
    None,
    None,
    None,
    None,
    "expected a number, got a string",
    "expected a string at [1], got null",
]
EXPECTED_LOAD: dict[str, str] = {
    "no license": "root/own.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/own.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/own.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)",
    "no license, TF_VAR_license": "root/own.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
    "second settings file": "root/own.tfvars: WANDB_TFVARS names this settings file, but root/terraform.tfvars exists too and holds other settings: the app would read this one while the cdktf CLI passes root/terraform.tfvars to Terraform as a var file on every diff, deploy and destroy. Keep one: unset WANDB_TFVARS to use root/terraform.tfvars, or move root/terraform.tfvars away (or make it a copy of this file)",
    "second var file": "root/own.tfvars: WANDB_TFVARS names this settings file, but root/x.auto.tfvars exists too and holds other settings: the app would read this one while the cdktf CLI passes root/x.auto.tfvars to Terraform as a var file on every diff, deploy and destroy. Keep one: move root/x.auto.tfvars away (or make it a copy of this file)",
    "a var file beside terraform.tfvars, no WANDB_TFVARS": "root/terraform.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/terraform.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/terraform.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)",
    "an identical var file": "root/own.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/own.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/own.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)",
    "second var file, json": "root/own.tfvars: WANDB_TFVARS names this settings file, but root/x.auto.tfvars.json exists too and holds other settings: the app would read this one while the cdktf CLI passes root/x.auto.tfvars.json to Terraform as a var file on every diff, deploy and destroy. Keep one: move root/x.auto.tfvars.json away (or make it a copy of this file)",
    "empty folder": "root/deployments: the deployments folder holds no deployment file (<name>.tfvars besides _defaults.tfvars)",
    "only a near miss": "root/deployments: the deployments folder holds no deployment file (<name>.tfvars besides _defaults.tfvars); not read: root/deployments/prod.tfvar",
    "folder": "root/deployments/prod.tfvar: is not read: only <name>.tfvars files are deployments (and _defaults.tfvars their shared values); rename it to prod.tfvars if it should be read, or move it out of the folder\nroot/deployments/prod.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/deployments/prod.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/deployments/prod.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)",
    "folder and file": "root/deployments: a deployments folder and a single settings file (root/own.tfvars) are both present; the app reads one or the other, never both: move the single file into the folder as <deployment>.tfvars, or remove the folder (or unset WANDB_DEPLOYMENTS/WANDB_TFVARS)",
    "no folder": "root/none: the deployments folder does not exist",
    "bad deployment name": "root/deployments/Prod_1.tfvars: the deployment name 'Prod_1' (the file's name) must be 1-20 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen: it names the deployment's stacks and state",
    "bad value from defaults": "root/deployments/_defaults.tfvars: setting `namespace`: 'Bad' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (for deployment 'prod')",
    "own bad value beside defaults": "root/deployments/prod.tfvars: setting `namespace`: 'Bad' is not usable as an AWS resource name prefix: use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    "tags merged": 'root/deployments/prod.tfvars: setting `default_tags`: merged tag by tag with root/deployments/_defaults.tfvars\'s (a tag both set takes this file\'s value): every AWS resource of deployment \'prod\' gets { Application = "wandb", ManagedBy = "cdktf", a = "b", team = "ml" }\nroot/deployments/prod.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B\'s Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page\'s newest copy: 1.34), and 1.29 is older\nroot/deployments/prod.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/deployments/prod.tfvars, then in root/deployments/_defaults.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)',
    "bad merged tags": "root/deployments/prod.tfvars (with root/deployments/_defaults.tfvars): setting `default_tags`: tag key 'aws:x' is not allowed (1-128 characters, not starting with 'aws:') (the two files' tags merged)",
    "one host": "root/deployments/b.tfvars: setting `subdomain`: Alpha.wandb.ml is the W&B host name of both root/deployments/a.tfvars and root/deployments/b.tfvars (alpha.wandb.ml and Alpha.wandb.ml: DNS ignores case); give each deployment its own subdomain",
    "one namespace": "root/deployments/a.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/deployments/a.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/deployments/a.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)\nroot/deployments/b.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/deployments/b.tfvars: setting `namespace`: 'wandb' is also the namespace of root/deployments/a.tfvars: the AWS resource names collide (IAM names are global to an account), so this works only when the two deploy to separate AWS accounts\nroot/deployments/b.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/deployments/b.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)",
    "one state object": "root/deployments/_defaults.tfvars: setting `state_key`: s3://acme-tf-state/x/terraform.tfstate would hold the state of both root/deployments/a.tfvars and root/deployments/b.tfvars: their stacks would overwrite each other's state. Leave state_key unset (each deployment then keeps its state under wandb/<deployment>/) or give each deployment its own folder",
    "one state object, own key": "root/deployments/a.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/deployments/a.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/deployments/a.tfvars, then in root/deployments/_defaults.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)\nroot/deployments/b.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/deployments/b.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/deployments/b.tfvars, then in root/deployments/_defaults.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)",
    "near miss of the defaults": "root/deployments/_default.tfvar: is not read: only <name>.tfvars files are deployments (and _defaults.tfvars their shared values); rename it to _defaults.tfvars if it should be read, or move it out of the folder\nroot/deployments/a.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nroot/deployments/a.tfvars: setting `license`: no license in the settings and TF_VAR_license is not set: at deploy time Terraform looks for `license` or `wandb_license` in root/deployments/a.tfvars, then in root/deployments/_defaults.tfvars, then for TF_VAR_license; set one of them before you deploy (Terraform has no value for the license otherwise)",
    "name too long": "root/deployments/aaaaaaaaaaaaaaaaaaaaa.tfvars: the deployment name 'aaaaaaaaaaaaaaaaaaaaa' (the file's name) must be 1-20 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen: it names the deployment's stacks and state",
    "example": "fresh/terraform.tfvars.example: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\nno terraform.tfvars (and WANDB_TFVARS is not set): using terraform.tfvars.example. Copy it to terraform.tfvars and fill in your own values.",
    "example, load_settings": "fresh/terraform.tfvars.example: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older",
}
EXPECTED_SETTINGS: dict[str, str] = {
    "guide": "Settings(source=PosixPath('m.tfvars'), defaults_source=None, deployment=None, from_example=False, file_keys=('namespace', 'subdomain', 'domain_name', 'zone_id', 'allowed_inbound_cidr', 'allowed_inbound_ipv6_cidr', 'eks_cluster_version', 'license'), namespace='wandb', domain_name='wandb.ml', zone_id='Z032246913CW32RVRY0WU', allowed_inbound_cidr=('0.0.0.0/0',), allowed_inbound_ipv6_cidr=('::/0',), subdomain='wandb-aws', eks_cluster_version='1.29', kubernetes_auth=<KubernetesAuth.EXEC: 'exec'>, region='eu-central-1', default_tags=mappingproxy({}), infra=InfraRelease(constraint='~> 7.0', resolved='7.18.2', layout=<Layout.RECOMMENDED: 'recommended'>, max_kubernetes='1.32', min_kubernetes=None), app_version='1.12.0', wandb_version=None, wandb_image=None, state=StateSettings(bucket=None, key='wandb/terraform.tfstate', region='eu-central-1', lock_table=None, role_arn=None, profile=None, kms_key_id=None), hcp=None, storage=StorageSettings(bucket_name=None, queue_name='wandb-wandb-file-events', cors_origins=('https://wandb-aws.wandb.ml',), node_role_name=None, noncurrent_version_days=30, force_destroy=False), module_inputs=mappingproxy({}), warnings=(SettingsWarning(\"m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\"),))",
    "pre-operator": "Settings(source=PosixPath('m.tfvars'), defaults_source=None, deployment=None, from_example=False, file_keys=('namespace', 'domain_name', 'zone_id', 'subdomain', 'wandb_version', 'wandb_infra_version', 'wandb_license'), namespace='operator-upgrade', domain_name='sandbox-aws.wandb.ml', zone_id='Z032246913CW32RVRY0WU', allowed_inbound_cidr=('0.0.0.0/0',), allowed_inbound_ipv6_cidr=('::/0',), subdomain='operator-upgrade', eks_cluster_version='1.25', kubernetes_auth=<KubernetesAuth.EXEC: 'exec'>, region='eu-central-1', default_tags=mappingproxy({}), infra=InfraRelease(constraint='1.16.10', resolved='1.16.10', layout=<Layout.PRE_OPERATOR: 'pre-operator'>, max_kubernetes='1.32', min_kubernetes=None), app_version='1.12.0', wandb_version='0.51.2', wandb_image=None, state=StateSettings(bucket=None, key='wandb/terraform.tfstate', region='eu-central-1', lock_table=None, role_arn=None, profile=None, kms_key_id=None), hcp=None, storage=StorageSettings(bucket_name=None, queue_name='operator-upgrade-wandb-file-events', cors_origins=('https://operator-upgrade.sandbox-aws.wandb.ml',), node_role_name=None, noncurrent_version_days=30, force_destroy=False), module_inputs=mappingproxy({}), warnings=(SettingsWarning(\"m.tfvars: setting `eks_cluster_version`: Kubernetes 1.25 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.25 is older\"), SettingsWarning('m.tfvars: setting `database_engine_version`: is not set, so wandb/wandb/aws 1.16.10 uses its default, \\'8.0.mysql_aurora.3.03.0\\' (Aurora MySQL 3.03.0); W&B\\'s Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region\\'s). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window'), SettingsWarning('m.tfvars: setting `wandb_infra_version`: wandb/wandb/aws 1.16.10 creates Redis 6.x (no input changes it), and W&B\\'s Self-Managed requirements (docs.wandb.ai) ask for Redis 7.x: finish the operator migration to wandb_infra_version = \"~> 7.0\" (Redis 7.1), or set create_elasticache = false and give W&B a Redis 7 of your own')))",
    "post-operator": "Settings(source=PosixPath('m.tfvars'), defaults_source=None, deployment=None, from_example=False, file_keys=('namespace', 'domain_name', 'zone_id', 'subdomain', 'wandb_infra_version', 'size', 'enable_dummy_dns', 'enable_operator_alb', 'custom_domain_filter', 'eks_cluster_version', 'wandb_license'), namespace='operator-upgrade', domain_name='sandbox-aws.wandb.ml', zone_id='Z032246913CW32RVRY0WU', allowed_inbound_cidr=('0.0.0.0/0',), allowed_inbound_ipv6_cidr=('::/0',), subdomain='operator-upgrade', eks_cluster_version='1.25', kubernetes_auth=<KubernetesAuth.EXEC: 'exec'>, region='eu-central-1', default_tags=mappingproxy({}), infra=InfraRelease(constraint='4.7.2', resolved='4.7.2', layout=<Layout.POST_OPERATOR: 'post-operator'>, max_kubernetes='1.32', min_kubernetes=None), app_version='1.12.0', wandb_version=None, wandb_image=None, state=StateSettings(bucket=None, key='wandb/terraform.tfstate', region='eu-central-1', lock_table=None, role_arn=None, profile=None, kms_key_id=None), hcp=None, storage=StorageSettings(bucket_name=None, queue_name='operator-upgrade-wandb-file-events', cors_origins=('https://operator-upgrade.sandbox-aws.wandb.ml',), node_role_name=None, noncurrent_version_days=30, force_destroy=False), module_inputs=mappingproxy({'size': 'small', 'enable_dummy_dns': True, 'enable_operator_alb': True, 'custom_domain_filter': 'sandbox-aws.wandb.ml'}), warnings=(SettingsWarning(\"m.tfvars: setting `eks_cluster_version`: Kubernetes 1.25 is past the end of extended support (before 2026-03-23, when 1.29's ended): AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.25 is older\"), SettingsWarning('m.tfvars: setting `database_engine_version`: is not set, so wandb/wandb/aws 4.7.2 uses its default, \\'8.0.mysql_aurora.3.03.0\\' (Aurora MySQL 3.03.0); W&B\\'s Self-Managed requirements (docs.wandb.ai) ask for Aurora MySQL 3.x at least 3.05.2: set database_engine_version = \"8.0.mysql_aurora.3.05.2\" or newer (`aws rds describe-db-engine-versions --engine aurora-mysql` lists your region\\'s). AWS upgrades an existing cluster in place, with a short outage: plan it for a maintenance window'), SettingsWarning('m.tfvars: setting `wandb_infra_version`: wandb/wandb/aws 4.7.2 creates Redis 6.x (no input changes it), and W&B\\'s Self-Managed requirements (docs.wandb.ai) ask for Redis 7.x: finish the operator migration to wandb_infra_version = \"~> 7.0\" (Redis 7.1), or set create_elasticache = false and give W&B a Redis 7 of your own')))",
    "new 8.x": "Settings(source=PosixPath('m.tfvars'), defaults_source=None, deployment=None, from_example=False, file_keys=('namespace', 'subdomain', 'domain_name', 'zone_id', 'allowed_inbound_cidr', 'allowed_inbound_ipv6_cidr', 'eks_cluster_version', 'wandb_infra_version', 'kubernetes_legacy_cluster_creator_admin', 'license'), namespace='wandb', domain_name='wandb.ml', zone_id='Z032246913CW32RVRY0WU', allowed_inbound_cidr=('0.0.0.0/0',), allowed_inbound_ipv6_cidr=('::/0',), subdomain='wandb-aws', eks_cluster_version='1.35', kubernetes_auth=<KubernetesAuth.EXEC: 'exec'>, region='eu-central-1', default_tags=mappingproxy({}), infra=InfraRelease(constraint='8.0.0', resolved='8.0.0', layout=<Layout.V8: 'v8'>, max_kubernetes='1.35', min_kubernetes='1.30'), app_version='1.12.0', wandb_version=None, wandb_image=None, state=StateSettings(bucket=None, key='wandb/terraform.tfstate', region='eu-central-1', lock_table=None, role_arn=None, profile=None, kms_key_id=None), hcp=None, storage=StorageSettings(bucket_name=None, queue_name='wandb-wandb-file-events', cors_origins=('https://wandb-aws.wandb.ml',), node_role_name=None, noncurrent_version_days=30, force_destroy=False), module_inputs=mappingproxy({'kubernetes_legacy_cluster_creator_admin': False}), warnings=())",
    "remote state": "Settings(source=PosixPath('m.tfvars'), defaults_source=None, deployment=None, from_example=False, file_keys=('namespace', 'subdomain', 'domain_name', 'zone_id', 'allowed_inbound_cidr', 'allowed_inbound_ipv6_cidr', 'eks_cluster_version', 'license', 'state_bucket'), namespace='wandb', domain_name='wandb.ml', zone_id='Z032246913CW32RVRY0WU', allowed_inbound_cidr=('0.0.0.0/0',), allowed_inbound_ipv6_cidr=('::/0',), subdomain='wandb-aws', eks_cluster_version='1.29', kubernetes_auth=<KubernetesAuth.EXEC: 'exec'>, region='eu-central-1', default_tags=mappingproxy({}), infra=InfraRelease(constraint='~> 7.0', resolved='7.18.2', layout=<Layout.RECOMMENDED: 'recommended'>, max_kubernetes='1.32', min_kubernetes=None), app_version='1.12.0', wandb_version=None, wandb_image=None, state=StateSettings(bucket='acme-tf-state', key='wandb/terraform.tfstate', region='eu-central-1', lock_table=None, role_arn=None, profile=None, kms_key_id=None), hcp=None, storage=StorageSettings(bucket_name=None, queue_name='wandb-wandb-file-events', cors_origins=('https://wandb-aws.wandb.ml',), node_role_name=None, noncurrent_version_days=30, force_destroy=False), module_inputs=mappingproxy({}), warnings=(SettingsWarning(\"m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\"),))",
    "storage": "Settings(source=PosixPath('m.tfvars'), defaults_source=None, deployment=None, from_example=False, file_keys=('namespace', 'subdomain', 'domain_name', 'zone_id', 'allowed_inbound_cidr', 'allowed_inbound_ipv6_cidr', 'eks_cluster_version', 'license', 'storage_bucket_name', 'storage_queue_name', 'storage_cors_origins'), namespace='wandb', domain_name='wandb.ml', zone_id='Z032246913CW32RVRY0WU', allowed_inbound_cidr=('0.0.0.0/0',), allowed_inbound_ipv6_cidr=('::/0',), subdomain='wandb-aws', eks_cluster_version='1.29', kubernetes_auth=<KubernetesAuth.EXEC: 'exec'>, region='eu-central-1', default_tags=mappingproxy({}), infra=InfraRelease(constraint='~> 7.0', resolved='7.18.2', layout=<Layout.RECOMMENDED: 'recommended'>, max_kubernetes='1.32', min_kubernetes=None), app_version='1.12.0', wandb_version=None, wandb_image=None, state=StateSettings(bucket=None, key='wandb/terraform.tfstate', region='eu-central-1', lock_table=None, role_arn=None, profile=None, kms_key_id=None), hcp=None, storage=StorageSettings(bucket_name='acme-files', queue_name='q', cors_origins=('https://a.b',), node_role_name=None, noncurrent_version_days=30, force_destroy=False), module_inputs=mappingproxy({}), warnings=(SettingsWarning(\"m.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is in extended support, which costs extra, until 2026-03-23 (standard support ended 2025-03-23); plan the upgrade; also, W&B's Self-Managed requirements (docs.wandb.ai) ask for Kubernetes 1.32 or newer (the page's newest copy: 1.34), and 1.29 is older\"),))",
    "hcp terraform": "Settings(source=PosixPath('m.tfvars'), defaults_source=None, deployment=None, from_example=False, file_keys=('namespace', 'subdomain', 'domain_name', 'zone_id', 'allowed_inbound_cidr', 'allowed_inbound_ipv6_cidr', 'eks_cluster_version', 'wandb_infra_version', 'kubernetes_legacy_cluster_creator_admin', 'license', 'kubernetes_auth', 'hcp_organization', 'hcp_project', 'hcp_workspace_prefix', 'hcp_manage_workspaces', 'hcp_aws_run_role_policy_arns'), namespace='wandb', domain_name='wandb.ml', zone_id='Z032246913CW32RVRY0WU', allowed_inbound_cidr=('0.0.0.0/0',), allowed_inbound_ipv6_cidr=('::/0',), subdomain='wandb-aws', eks_cluster_version='1.35', kubernetes_auth=<KubernetesAuth.EPHEMERAL: 'ephemeral'>, region='eu-central-1', default_tags=mappingproxy({}), infra=InfraRelease(constraint='8.0.0', resolved='8.0.0', layout=<Layout.V8: 'v8'>, max_kubernetes='1.35', min_kubernetes='1.30'), app_version='1.12.0', wandb_version=None, wandb_image=None, state=StateSettings(bucket=None, key='wandb/terraform.tfstate', region='eu-central-1', lock_table=None, role_arn=None, profile=None, kms_key_id=None), hcp=HcpSettings(organization='acme', hostname='app.terraform.io', project='ML platform', workspace_prefix='wandb-', workspace_tags=(), execution_mode='remote', manage_workspaces=True, terraform_version='1.11.4', aws_run_role_policy_arns=('arn:aws:iam::aws:policy/PowerUserAccess',), aws_oidc_provider_arn=None, agent_pool_id=None), storage=StorageSettings(bucket_name=None, queue_name='wandb-wandb-file-events', cors_origins=('https://wandb-aws.wandb.ml',), node_role_name=None, noncurrent_version_days=30, force_destroy=False), module_inputs=mappingproxy({'kubernetes_legacy_cluster_creator_admin': False}), warnings=(SettingsWarning('m.tfvars: setting `hcp_execution_mode`: \"remote\": the settings file does not travel with HCP Terraform\\'s runs, so the license comes from each workspace\\'s sensitive Terraform variable `license` (stack hcp-workspaces sets it from this file; README, HCP Terraform)'),))",
}
