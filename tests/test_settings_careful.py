"""Settings a careful user trips over (issue 15): a byte-order mark, a syntax error's line, files of
a deployments folder the app would not read, `WANDB_TFVARS` beside a different `terraform.tfvars`,
AWS's tag limit, host names in another case, `default_tags` in a deployment file, and a missing
license. Errors: one message naming the file (and setting), exit 2, nothing written. Warnings:
named, and the synth goes on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, PROJECT_ROOT, SENTINEL_LICENSE, copy_project, run_main, to_hcl

from release_catalog.tags import APP_TAGS, MAX_TAGS_PER_RESOURCE
from settings import SettingsError, load_app_settings, load_settings

DEPLOYMENT = {k: v for k, v in GUIDE_SETTINGS.items() if k != "license"}
V8 = {"wandb_infra_version": "8.0.0", "eks_cluster_version": "1.35", "kubernetes_legacy_cluster_creator_admin": False}


def assert_refused(tmp_path: Path, text: str, *words: str, setting: str | None = None) -> str:
    """Runs `python main.py` on a settings file holding `text`: exit 2, one message naming the
    file (and `setting`) with `words`, no traceback, no license, nothing written."""
    settings_file = tmp_path / "bad.tfvars"
    settings_file.write_text(text, encoding="utf-8")
    result = run_main(settings_file, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    (message,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert message.startswith("error: bad.tfvars: "), message
    if setting:
        assert f"setting `{setting}`" in message, message
    for word in words:
        assert word in message, message
    assert SENTINEL_LICENSE not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()
    return message


def folder_of(tmp_path: Path, files: dict[str, dict | str], defaults: dict | None = None) -> Path:
    folder = tmp_path / "deployments"
    folder.mkdir(exist_ok=True)
    if defaults is not None:
        (folder / "_defaults.tfvars").write_text(to_hcl(defaults))
    for name, values in files.items():
        (folder / name).write_text(values if isinstance(values, str) else to_hcl(values))
    return folder


def load_folder(folder: Path, **environ: str):
    return load_app_settings(environ={"WANDB_DEPLOYMENTS": str(folder), **environ}, root=folder.parent)


def messages(loaded, setting: str | None) -> list[str]:
    return [str(w) for w in loaded.warnings if w.setting == setting]


# --- a byte-order mark ----------------------------------------------------------------------------


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path):
    plain, marked = tmp_path / "plain.tfvars", tmp_path / "marked.tfvars"
    plain.write_text(to_hcl(GUIDE_SETTINGS), encoding="utf-8")
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())  # what Notepad writes as "UTF-8 with BOM"
    from_marked = load_settings(marked)
    assert from_marked.namespace == "wandb"
    assert from_marked.license == SENTINEL_LICENSE
    assert from_marked.file_keys == load_settings(plain).file_keys  # the first key is `namespace`, not "\ufeffnamespace"


def test_a_byte_order_mark_elsewhere_is_still_refused(tmp_path):
    assert_refused(tmp_path, to_hcl(GUIDE_SETTINGS) + '\ufeffregion = "eu-west-1"\n', "not valid HCL", "line 9")


# --- a syntax error at its own line ---------------------------------------------------------------


UNCLOSED_ON_LINE_3 = (
    'namespace = "wandb"\nregion = "eu-central-1"\nsubdomain = "wandb-aws\nzone_id = "Z032246913CW32RVRY0WU"\ndomain_name = "x.y"\n'
)


def test_an_unterminated_string_is_reported_at_its_own_line(tmp_path):
    message = assert_refused(tmp_path, UNCLOSED_ON_LINE_3, "not valid HCL", "line 3", setting="subdomain")
    assert "line 5" not in message


@pytest.mark.parametrize(
    "text, line",
    [
        ('namespace = "wandb"\nsubdomain = "abc\n', 2),  # the last line: no later quote to pair with
        ('license = "abc\nnamespace = "wandb"\n', 1),  # a secret's line: named, never echoed
        ('namespace = "wandb"\ndefault_tags = {\n  Team = "ml\n  Owner = "me"\n}\n', 3),
        ('# a "comment\nnamespace = "wandb\\\n"\n', 2),  # a backslash does not continue a string
    ],
)
def test_an_unterminated_string_anywhere(tmp_path, text, line):
    message = assert_refused(tmp_path, text, f"line {line}", "not closed")
    assert "abc" not in message


def test_comments_heredocs_and_escapes_are_not_unterminated_strings(tmp_path):
    text = (
        '# a "quote in a comment\n'
        '/* and " in a\n block comment */\n'
        'namespace = "wandb" // trailing "\n'
        'subdomain = "wandb-\\"aws\\""\n'
        "wandb_image = <<EOT\n"
        'wandb/local "quoted"\n'
        "EOT\n"
    )
    path = tmp_path / "ok.tfvars"
    path.write_text(text + to_hcl({k: v for k, v in GUIDE_SETTINGS.items() if k not in ("namespace", "subdomain")}))
    from settings.tfvars import read_tfvars

    values = read_tfvars(path)
    assert values["namespace"] == "wandb" and values["subdomain"] == 'wandb-"aws"'
    assert values["wandb_image"].strip() == 'wandb/local "quoted"'


# --- WANDB_TFVARS and a different terraform.tfvars ------------------------------------------------


def test_wandb_tfvars_beside_a_different_terraform_tfvars_is_refused(tmp_path):
    (tmp_path / "terraform.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    named = tmp_path / "prod.tfvars"
    named.write_text(to_hcl({**GUIDE_SETTINGS, "region": "us-west-2"}))
    with pytest.raises(SettingsError) as caught:
        load_app_settings(environ={"WANDB_TFVARS": str(named)}, root=tmp_path)
    message = str(caught.value)
    assert "prod.tfvars" in message and "terraform.tfvars" in message
    assert "WANDB_TFVARS" in message and "cdktf CLI" in message and "var file" in message
    assert "unset WANDB_TFVARS to use" in message
    assert SENTINEL_LICENSE not in message


def test_python_main_refuses_it_with_exit_2_and_writes_nothing(tmp_path):
    """`python main.py` of a project whose root holds a terraform.tfvars: a copy of the project
    (the real project root is not touched)."""
    project = copy_project(tmp_path / "project")
    (project / "terraform.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    named = tmp_path / "prod.tfvars"
    named.write_text(to_hcl({**GUIDE_SETTINGS, "region": "us-west-2"}))
    env = {k: v for k, v in os.environ.items() if k not in ("WANDB_DEPLOYMENTS", "CDKTF_OUTDIR")}
    env |= {"WANDB_TFVARS": str(named), "CDKTF_OUTDIR": str(tmp_path / "out")}
    result = subprocess.run([sys.executable, "main.py"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    (message,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert message.startswith(f"error: {named}: WANDB_TFVARS names this settings file, but terraform.tfvars exists too"), message
    assert SENTINEL_LICENSE not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_a_hidden_auto_tfvars_is_not_one_of_them(tmp_path):
    """The CLI's glob leaves hidden files out (an editor's `.team.auto.tfvars`): the app does too,
    with the same list (settings.sources.cli_var_files)."""
    named = tmp_path / "prod.tfvars"
    named.write_text(to_hcl(GUIDE_SETTINGS))
    (tmp_path / ".team.auto.tfvars").write_text('region = "us-west-2"\n')
    assert load_app_settings(environ={"WANDB_TFVARS": str(named)}, root=tmp_path).deployments[0].namespace == "wandb"


@pytest.mark.parametrize("passed", ["terraform.tfvars.json", "team.auto.tfvars", "x.auto.tfvars.json"])
def test_the_clis_other_var_files_count_too(tmp_path, passed):
    """The cdktf CLI also passes terraform.tfvars.json and every *.auto.tfvars(.json) of the folder."""
    named = tmp_path / "prod.tfvars"
    named.write_text(to_hcl(GUIDE_SETTINGS))
    (tmp_path / passed).write_text('{"region": "us-west-2"}\n' if passed.endswith(".json") else 'region = "us-west-2"\n')
    with pytest.raises(SettingsError, match=f"{passed} exists too") as caught:
        load_app_settings(environ={"WANDB_TFVARS": str(named)}, root=tmp_path)
    assert "unset WANDB_TFVARS" not in str(caught.value)  # the app never reads these: move them away
    shutil.copy(named, tmp_path / passed)  # an identical copy: fine
    assert load_app_settings(environ={"WANDB_TFVARS": str(named)}, root=tmp_path).deployments[0].namespace == "wandb"


def test_wandb_tfvars_naming_terraform_tfvars_or_an_identical_copy_is_fine(tmp_path):
    own = tmp_path / "terraform.tfvars"
    own.write_text(to_hcl(GUIDE_SETTINGS))
    copy = tmp_path / "copy.tfvars"
    shutil.copy(own, copy)
    for named in (own, copy, tmp_path / "." / "terraform.tfvars"):
        (settings,) = load_app_settings(environ={"WANDB_TFVARS": str(named)}, root=tmp_path).deployments
        assert settings.namespace == "wandb"


def test_wandb_tfvars_alone_is_fine(tmp_path):
    named = tmp_path / "prod.tfvars"
    named.write_text(to_hcl(GUIDE_SETTINGS))
    (settings,) = load_app_settings(environ={"WANDB_TFVARS": str(named)}, root=tmp_path).deployments
    assert settings.source == named


# --- AWS's tag limit ------------------------------------------------------------------------------


def tags(count: int, prefix: str = "t") -> dict[str, str]:
    return {f"{prefix}{i}": "v" for i in range(count)}


def test_the_app_tags_are_the_providers():
    from constructs_lib.aws_provider import BASE_TAGS

    assert dict(BASE_TAGS) == dict(APP_TAGS)
    assert MAX_TAGS_PER_RESOURCE == 50


def test_more_than_50_tags_counting_the_apps_own_is_an_error(tmp_path):
    room = MAX_TAGS_PER_RESOURCE - len(APP_TAGS)
    assert load_settings_from(tmp_path, {**GUIDE_SETTINGS, "default_tags": tags(room)}).default_tags == tags(room)
    assert_refused(
        tmp_path,
        to_hcl({**GUIDE_SETTINGS, "default_tags": tags(room + 1)}),
        "51 tags",
        "Application, ManagedBy",
        "AWS allows 50",
        setting="default_tags",
    )


def test_a_tag_that_overrides_an_app_tag_counts_once(tmp_path):
    values = {**GUIDE_SETTINGS, "default_tags": {**tags(MAX_TAGS_PER_RESOURCE - 2), "ManagedBy": "platform"}}
    assert len(load_settings_from(tmp_path, values).default_tags) == MAX_TAGS_PER_RESOURCE - 1  # 48 + ManagedBy + Application = 50


def test_the_eks_cluster_tags_count_with_the_default_tags(tmp_path):
    values = {**GUIDE_SETTINGS, "default_tags": tags(40), "eks_cluster_tags": tags(8, "c")}
    assert load_settings_from(tmp_path, values).module_inputs["eks_cluster_tags"] == tags(8, "c")  # 2 + 40 + 8
    values["eks_cluster_tags"] = tags(9, "c")
    assert_refused(tmp_path, to_hcl(values), "51 tags", setting="eks_cluster_tags")


def test_tags_merged_from_the_defaults_file_count_together(tmp_path):
    folder = folder_of(
        tmp_path, {"a.tfvars": {"namespace": "wandb-a", "default_tags": tags(20, "own")}}, {**DEPLOYMENT, "default_tags": tags(29)}
    )
    with pytest.raises(SettingsError, match="51 tags") as caught:
        load_folder(folder)
    assert "a.tfvars" in str(caught.value) and "_defaults.tfvars" in str(caught.value)


def load_settings_from(tmp_path: Path, values: dict):
    path = tmp_path / "ok.tfvars"
    path.write_text(to_hcl(values))
    return load_settings(path)


# --- host names compare case-insensitively --------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [({"subdomain": "alpha"}, {"subdomain": "Alpha"}), ({"subdomain": "w"}, {"subdomain": "w", "domain_name": "WANDB.ml"})],
)
def test_two_deployments_whose_host_names_differ_only_in_case_are_refused(tmp_path, a, b):
    folder = folder_of(tmp_path, {"alpha.tfvars": {"namespace": "wandb-a", **a}, "beta.tfvars": {"namespace": "wandb-b", **b}}, DEPLOYMENT)
    result = run_main(None, tmp_path / "out", extra_env={"WANDB_DEPLOYMENTS": str(folder)})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (message,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "beta.tfvars: setting `subdomain`" in message and "alpha.tfvars" in message and "DNS ignores case" in message
    assert not (tmp_path / "out").exists()


# --- files of a deployments folder the app would not read -----------------------------------------

NEAR_MISSES = ["prod.tfvar", "prod.tfvars.bak", "prod.TFVARS", "prod.tfvars.json", "qa.tvfars", "_defaults.tfvar"]
LEFT_ALONE = [".prod.tfvars.swp", "README.md", "notes.txt", "main.tf"]


def test_near_miss_file_names_are_named_in_a_warning(tmp_path):
    folder = folder_of(
        tmp_path, {"a.tfvars": {"namespace": "wandb-a", "subdomain": "a"}} | dict.fromkeys(NEAR_MISSES + LEFT_ALONE, ""), DEPLOYMENT
    )
    loaded = load_folder(folder)
    assert [d.deployment for d in loaded.deployments] == ["a"]
    skipped = messages(loaded, None)
    for name in NEAR_MISSES:
        (line,) = [m for m in skipped if m.startswith(f"deployments/{name}: ") or m.startswith(f"{folder / name}: ")]
        assert "is not read" in line, line
    assert len(skipped) == len(NEAR_MISSES), skipped
    hints = {name: next(m for m in skipped if f"/{name}: " in m) for name in ("prod.TFVARS", "_defaults.tfvar")}
    assert "rename it to prod.tfvars" in hints["prod.TFVARS"]
    assert "rename it to _defaults.tfvars" in hints["_defaults.tfvar"]


def test_a_folder_with_only_near_misses_names_them_in_its_error(tmp_path):
    folder = folder_of(tmp_path, {"prod.tfvar": DEPLOYMENT})
    with pytest.raises(SettingsError, match="holds no deployment file") as caught:
        load_folder(folder)
    assert "prod.tfvar" in str(caught.value)


@pytest.mark.parametrize("bad, meant", [("Prod.tfvars", "prod.tfvars"), ("_Defaults.tfvars", "_defaults.tfvars")])
def test_a_file_read_under_a_bad_name_is_an_error_saying_what_to_rename_it_to(tmp_path, bad, meant):
    folder = folder_of(tmp_path, {bad: {"namespace": "wandb-x", "subdomain": "x"}}, DEPLOYMENT)
    with pytest.raises(SettingsError, match=f"rename it to {meant}"):
        load_folder(folder)


# --- default_tags in a deployment file ------------------------------------------------------------


def test_a_deployments_default_tags_merge_with_the_defaults_tag_by_tag(tmp_path):
    shared = {**DEPLOYMENT, "default_tags": {"Team": "ml-platform", "CostCenter": "42"}}
    files = {
        "a.tfvars": {"namespace": "wandb-a", "subdomain": "a", "default_tags": {"Team": "research", "Env": "a"}},
        "b.tfvars": {"namespace": "wandb-b", "subdomain": "b"},
    }
    a, b = load_folder(folder_of(tmp_path, files, shared)).deployments
    assert dict(a.default_tags) == {"Team": "research", "CostCenter": "42", "Env": "a"}
    assert dict(b.default_tags) == {"Team": "ml-platform", "CostCenter": "42"}  # the defaults' map, as before
    (note,) = [str(w) for w in a.warnings if w.setting == "default_tags"]
    assert "merged tag by tag" in note and "_defaults.tfvars" in note
    assert '{ Application = "wandb", CostCenter = "42", Env = "a", ManagedBy = "cdktf", Team = "research" }' in note
    assert not [w for w in b.warnings if w.setting == "default_tags"]  # nothing merged: nothing to show


def test_a_single_settings_file_keeps_its_default_tags_as_they_are(tmp_path):
    settings = load_settings_from(tmp_path, {**GUIDE_SETTINGS, "default_tags": {"Team": "ml"}})
    assert dict(settings.default_tags) == {"Team": "ml"}
    assert not [w for w in settings.warnings if w.setting == "default_tags"]


def test_a_bad_tag_in_merged_default_tags_names_both_files(tmp_path):
    folder = folder_of(
        tmp_path, {"a.tfvars": {"namespace": "wandb-a", "default_tags": {"Env": "a"}}}, {**DEPLOYMENT, "default_tags": {"aws:team": "x"}}
    )
    with pytest.raises(SettingsError, match="aws:") as caught:
        load_folder(folder)
    assert "a.tfvars" in str(caught.value) and "_defaults.tfvars" in str(caught.value)


# --- a missing license ----------------------------------------------------------------------------


def test_no_license_anywhere_warns_where_terraform_will_look(tmp_path):
    named = tmp_path / "prod.tfvars"
    named.write_text(to_hcl(DEPLOYMENT))
    loaded = load_app_settings(environ={"WANDB_TFVARS": str(named)}, root=tmp_path)
    (warning,) = messages(loaded, "license")
    assert "prod.tfvars" in warning and "`license` or `wandb_license`" in warning and "TF_VAR_license" in warning
    assert warning.index("prod.tfvars: setting") < warning.index("TF_VAR_license")


@pytest.mark.parametrize("environ, values", [({"TF_VAR_license": SENTINEL_LICENSE}, DEPLOYMENT), ({}, GUIDE_SETTINGS)])
def test_a_license_in_the_file_or_the_environment_gives_no_warning(tmp_path, environ, values):
    named = tmp_path / "prod.tfvars"
    named.write_text(to_hcl(values))
    assert messages(load_app_settings(environ={"WANDB_TFVARS": str(named), **environ}, root=tmp_path), "license") == []


def test_the_example_gets_no_license_warning(tmp_path):
    shutil.copy(PROJECT_ROOT / "terraform.tfvars.example", tmp_path / "terraform.tfvars.example")
    assert messages(load_app_settings(environ={}, root=tmp_path), "license") == []  # never deployed: the stacks refuse to plan


def test_a_deployment_names_its_file_then_the_defaults_file(tmp_path):
    folder = folder_of(tmp_path, {"a.tfvars": {"namespace": "wandb-a", "subdomain": "a"}}, DEPLOYMENT)
    (warning,) = messages(load_folder(folder), "license")
    assert warning.index("a.tfvars, then in ") < warning.index("_defaults.tfvars") < warning.index("then for TF_VAR_license")
    shared_license = folder_of(tmp_path, {}, {**DEPLOYMENT, "license": SENTINEL_LICENSE})
    assert messages(load_folder(shared_license), "license") == []


# --- the warnings reach `python main.py`'s output, and the stacks are written ---------------------


def test_main_prints_these_warnings_and_synthesizes(tmp_path):
    folder = folder_of(
        tmp_path,
        {"a.tfvars": {"namespace": "wandb-a", "subdomain": "a", "default_tags": {"Env": "a"}}, "b.tfvar": ""},
        {**DEPLOYMENT, **V8, "default_tags": {"Team": "ml"}},
    )
    env = {"WANDB_DEPLOYMENTS": str(folder), "TF_VAR_license": ""}
    result = run_main(None, tmp_path / "out", extra_env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: deployments/")]
    assert any(line.startswith("warning: deployments/b.tfvar: is not read") for line in warnings), result.stderr
    assert any("setting `default_tags`: merged tag by tag" in line for line in warnings), result.stderr
    assert any("setting `license`: no license" in line for line in warnings), result.stderr
    assert (tmp_path / "out" / "stacks" / "a--wandb" / "cdk.tf.json").exists()
