"""settings_files(): every file a run's settings may come from, as plan_review fingerprints them."""

from __future__ import annotations

from pathlib import Path

from settings import settings_files, settings_path
from settings.sources import merge_deployment


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    return path


def test_a_fresh_clone_reads_the_example(tmp_path: Path) -> None:
    assert settings_files({}, tmp_path) == [tmp_path / "terraform.tfvars.example"]
    assert settings_path({}, tmp_path) == (tmp_path / "terraform.tfvars.example", True)


def test_the_settings_file_the_deployments_folder_and_the_cli_var_files(tmp_path: Path) -> None:
    own = _touch(tmp_path / "terraform.tfvars")
    deployments = [_touch(tmp_path / "deployments" / name) for name in ("b.tfvars", "_defaults.tfvars", "a.tfvars")]
    _touch(tmp_path / "deployments" / "c.tfvars.bak")
    json_file = _touch(tmp_path / "terraform.tfvars.json")
    auto = [_touch(tmp_path / name) for name in ("z.auto.tfvars", "a.auto.tfvars", "m.auto.tfvars.json")]
    _touch(tmp_path / ".hidden.auto.tfvars")
    # terraform.tfvars is both the settings file and a var file: listed once.
    assert settings_files({}, tmp_path) == [own, *sorted(deployments), json_file, auto[1], auto[0], auto[2]]


def test_relative_names_in_the_environment_are_taken_from_the_root(tmp_path: Path) -> None:
    named = _touch(tmp_path / "conf" / "prod.tfvars")
    folder_file = _touch(tmp_path / "elsewhere" / "eu.tfvars")
    environ = {"WANDB_TFVARS": "conf/prod.tfvars", "WANDB_DEPLOYMENTS": "elsewhere"}
    assert settings_files(environ, tmp_path) == [named, folder_file]


def test_a_deployment_over_its_defaults_one_raw_value_with_each_values_origin(tmp_path: Path) -> None:
    own, defaults = tmp_path / "prod.tfvars", tmp_path / "_defaults.tfvars"
    raw = merge_deployment(
        own,
        {"namespace": "prod", "wandb_license": "L2", "default_tags": {"team": "ml"}},
        defaults,
        {"namespace": "shared", "license": "L1", "region": "eu-west-1", "default_tags": {"team": "x", "cost": "1"}},
    )
    # The deployment's keys win key by key (an alias counts as its key); the tags merge tag by tag.
    assert dict(raw.values) == {
        "region": "eu-west-1",
        "namespace": "prod",
        "wandb_license": "L2",
        "default_tags": {"team": "ml", "cost": "1"},
    }
    assert raw.tags_merged
    assert (raw.origin("region"), raw.origin("namespace"), raw.origin("wandb_license")) == (defaults, own, own)


def test_without_defaults_every_value_is_the_deployments_own(tmp_path: Path) -> None:
    own = tmp_path / "prod.tfvars"
    raw = merge_deployment(own, {"namespace": "prod", "default_tags": {"a": "b"}}, None, {})
    assert dict(raw.values) == {"namespace": "prod", "default_tags": {"a": "b"}}
    assert not raw.tags_merged and raw.origin("namespace") == own and raw.origin("region") == own
