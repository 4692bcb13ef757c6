"""The checks of a deployments folder, read in-process (no synth): deployment names at their
limits, and state objects shared across deployments by any of their stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import GUIDE_SETTINGS, to_hcl

from settings import SettingsError, load_app_settings

DEPLOYMENT = {k: v for k, v in GUIDE_SETTINGS.items() if k != "license"}


def load(tmp_path: Path, files: dict[str, dict[str, Any]], defaults: dict[str, Any] | None = None) -> Any:
    folder = tmp_path / "deployments"
    folder.mkdir()
    (folder / "_defaults.tfvars").write_text(to_hcl(defaults or DEPLOYMENT))
    for name, values in files.items():
        (folder / name).write_text(to_hcl(values))
    return load_app_settings(environ={"WANDB_DEPLOYMENTS": str(folder)}, root=tmp_path)


def one(name: str) -> dict[str, dict[str, Any]]:
    return {f"{name}.tfvars": {"namespace": "wandb-x", "subdomain": "x"}}


@pytest.mark.parametrize("name", ["a" * 20, "p" + "-1" * 9 + "z", "prod-eu"])
def test_names_up_to_20_characters_are_accepted(tmp_path, name):
    assert len(name) <= 20
    (settings,) = load(tmp_path, one(name)).deployments
    assert settings.deployment == name


@pytest.mark.parametrize("name", ["a" * 21, "prod-", "prod-eu-", "a-"])
def test_longer_names_and_a_trailing_hyphen_are_refused(tmp_path, name):
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, one(name))
    assert caught.value.file.endswith(f"{name}.tfvars")
    assert "lowercase letters, digits and single hyphens" in caught.value.message


def refused_state_keys(tmp_path: Path, alpha_key: str, beta_key: str) -> SettingsError:
    """Two deployments in one state bucket, with these state keys: the error."""
    files = {
        "alpha.tfvars": {"namespace": "wandb-alpha", "subdomain": "alpha", "state_key": alpha_key},
        "beta.tfvars": {"namespace": "wandb-beta", "subdomain": "beta", "state_key": beta_key},
    }
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, files, {**DEPLOYMENT, "state_bucket": "acme-tf-state"})
    return caught.value


def test_two_deployments_whose_storage_stacks_share_a_state_object_are_refused(tmp_path):
    """The `wandb` stacks' keys differ, but both storage stacks keep theirs beside them, as
    wandb/shared/wandb-storage.tfstate."""
    err = refused_state_keys(tmp_path, "wandb/shared/alpha.tfstate", "wandb/shared/beta.tfstate")
    assert err.setting == "state_key" and err.file.endswith("beta.tfvars")
    assert "s3://acme-tf-state/wandb/shared/wandb-storage.tfstate would hold the state of both" in err.message


def test_a_wandb_stack_on_the_other_deployments_storage_state_is_refused(tmp_path):
    err = refused_state_keys(tmp_path, "wandb/a/terraform.tfstate", "wandb/a/wandb-storage.tfstate")
    assert "s3://acme-tf-state/wandb/a/wandb-storage.tfstate would hold the state of both" in err.message


def test_separate_folders_in_one_bucket_are_fine(tmp_path):
    defaults = {**DEPLOYMENT, "state_bucket": "acme-tf-state"}
    files = {
        "alpha.tfvars": {"namespace": "wandb-alpha", "subdomain": "alpha"},
        "beta.tfvars": {"namespace": "wandb-beta", "subdomain": "beta"},
    }
    loaded = load(tmp_path, files, defaults)
    assert [d.state.key_for("wandb-storage") for d in loaded.deployments] == [
        "wandb/alpha/wandb-storage.tfstate",
        "wandb/beta/wandb-storage.tfstate",
    ]
