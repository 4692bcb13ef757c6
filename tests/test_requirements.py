"""W&B's own requirements for Self-Managed (release_catalog.requirements): a setting below one, or a
release whose own default is below one, gets a warning naming the setting and saying what to
change; the synth goes on."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import GUIDE_SETTINGS, run_main, to_hcl

from release_catalog import requirements
from release_catalog.layouts import INFRA_RELEASES
from settings import parse_settings

CALENDAR_DAY = date(2026, 11, 30)
V8 = {**GUIDE_SETTINGS, "wandb_infra_version": "8.0.0", "eks_cluster_version": "1.35", "kubernetes_legacy_cluster_creator_admin": False}
ON_7X = {**GUIDE_SETTINGS, "eks_cluster_version": "1.32"}
PRE_OPERATOR = {**GUIDE_SETTINGS, "wandb_infra_version": "1.16.10", "eks_cluster_version": "1.32"}
POST_OPERATOR = {**GUIDE_SETTINGS, "wandb_infra_version": "4.7.2", "eks_cluster_version": "1.32"}


def warned(values: dict, setting: str) -> list[str]:
    return [w.message for w in parse_settings(values, "t.tfvars", today=CALENDAR_DAY).warnings if w.setting == setting]


def test_the_requirements_carry_their_source_and_date():
    assert "docs.wandb.ai" in requirements.REQUIREMENTS_SOURCE and "2026-12-02" in requirements.REQUIREMENTS_SOURCE
    assert requirements.MIN_AURORA_MYSQL == (3, 5, 2) and requirements.MIN_AURORA_MYSQL_TEXT == "3.05.2"
    assert requirements.aurora_release(requirements.MIN_AURORA_ENGINE_VERSION) == requirements.MIN_AURORA_MYSQL
    assert (requirements.REDIS_MAJOR, requirements.MIN_KUBERNETES, requirements.MIN_KUBERNETES_NEWEST_COPY) == (7, "1.32", "1.34")


def test_every_supported_release_has_its_redis_version():
    assert {r.resolved for r in INFRA_RELEASES.values()} <= set(requirements.MODULE_REDIS_VERSION)


# --- Aurora MySQL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [PRE_OPERATOR, POST_OPERATOR], ids=["1.16.10", "4.7.2"])
def test_a_release_whose_default_is_older_warns(values):
    release = INFRA_RELEASES[values["wandb_infra_version"]].release
    assert release.variables["database_engine_version"].default == "8.0.mysql_aurora.3.03.0"  # the interface data
    (message,) = warned(values, "database_engine_version")
    assert "is not set" in message and "8.0.mysql_aurora.3.03.0" in message and "Aurora MySQL 3.03.0" in message
    assert "at least 3.05.2" in message and 'database_engine_version = "8.0.mysql_aurora.3.05.2" or newer' in message


@pytest.mark.parametrize("values", [ON_7X, V8], ids=["7.x", "8.x"])
def test_a_release_defaulting_to_the_mysql_line_does_not_warn(values):
    release = INFRA_RELEASES[values.get("wandb_infra_version", "~> 7.0")].release
    assert release.variables["database_engine_version"].default == "8.0"  # AWS picks the Aurora release
    assert warned(values, "database_engine_version") == []
    assert warned({**values, "database_engine_version": "8.0"}, "database_engine_version") == []


@pytest.mark.parametrize(
    "version, named",
    [
        ("8.0.mysql_aurora.3.05.1", "Aurora MySQL 3.05.1"),
        ("8.0.mysql_aurora.3.04.3", "Aurora MySQL 3.04.3"),
        ("5.7.mysql_aurora.2.11.2", "Aurora MySQL 2.11.2"),
        ("8.0.mysql_aurora.3", "no Aurora MySQL 3 release the app recognizes"),
    ],
)
def test_a_setting_below_the_minimum_warns(version, named):
    for values in (V8, POST_OPERATOR):
        (message,) = warned({**values, "database_engine_version": version}, "database_engine_version")
        assert message.startswith(f"is '{version}' ({named})"), message
        assert "8.0.mysql_aurora.3.05.2" in message


@pytest.mark.parametrize("version", ["8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.10.0", "8.0.mysql_aurora.3.12.0"])
def test_a_setting_at_or_above_the_minimum_does_not_warn(version):
    for values in (V8, PRE_OPERATOR, POST_OPERATOR):
        assert warned({**values, "database_engine_version": version}, "database_engine_version") == []


# --- Redis ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [PRE_OPERATOR, POST_OPERATOR], ids=["1.16.10", "4.7.2"])
def test_a_release_creating_redis_6_warns(values):
    (message,) = warned(values, "wandb_infra_version")
    assert "creates Redis 6.x" in message and "Redis 7.x" in message
    assert 'wandb_infra_version = "~> 7.0"' in message and "create_elasticache = false" in message
    assert warned({**values, "create_elasticache": False}, "wandb_infra_version") == []  # no Redis created
    assert warned({**values, "create_elasticache": None}, "wandb_infra_version") == [message]  # null: the module's default, true


@pytest.mark.parametrize("values", [ON_7X, V8], ids=["7.x", "8.x"])
def test_a_release_creating_redis_7_does_not_warn(values):
    assert warned(values, "wandb_infra_version") == []


# --- Kubernetes -----------------------------------------------------------------------------------


def test_kubernetes_below_1_32_warns_and_names_1_34():
    (message,) = warned({**V8, "eks_cluster_version": "1.31"}, "eks_cluster_version")
    assert "Kubernetes 1.32 or newer" in message and "1.34" in message and "1.31 is older" in message
    assert "past the end of extended support" in message  # AWS's calendar too: one warning for the setting


def test_kubernetes_below_1_32_without_a_calendar_note_says_what_to_do():
    (message,) = warned({**V8, "eks_cluster_version": "1.31"}, "eks_cluster_version")
    assert message.count("Kubernetes 1.32 or newer") == 1
    (alone,) = [
        w.message
        for w in parse_settings({**V8, "eks_cluster_version": "1.31"}, "t.tfvars", today=date(2025, 1, 1)).warnings
        if w.setting == "eks_cluster_version"
    ]
    assert alone.startswith("W&B's Self-Managed requirements") and "raise eks_cluster_version one minor version per deploy" in alone


@pytest.mark.parametrize("version", ["1.32", "1.33", "1.34", "1.35"])
def test_kubernetes_at_or_above_1_32_does_not_warn_for_the_requirement(version):
    values = {**V8, "eks_cluster_version": version}
    assert not any("1.32 or newer" in m for m in warned(values, "eks_cluster_version"))


def test_the_pre_operator_default_of_1_25_warns():
    values = {k: v for k, v in PRE_OPERATOR.items() if k != "eks_cluster_version"}
    (message,) = warned(values, "eks_cluster_version")
    assert "1.25 is older" in message


def test_main_prints_the_requirement_warnings_and_synthesizes(tmp_path):
    settings_file = tmp_path / "post.tfvars"
    settings_file.write_text(to_hcl(POST_OPERATOR))
    result = run_main(settings_file, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("warning: post.tfvars: setting `database_engine_version`: ") for line in lines), result.stderr
    assert any(line.startswith("warning: post.tfvars: setting `wandb_infra_version`: ") and "Redis" in line for line in lines)
    assert (tmp_path / "out" / "stacks" / "wandb" / "cdk.tf.json").exists()
