"""The example's made-up values never reach a deploy: the example is recognised however
WANDB_TFVARS names it (relative to the working directory, or absolute)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import PROJECT_ROOT

from settings import load_settings

EXAMPLE = PROJECT_ROOT / "terraform.tfvars.example"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "terraform.tfvars.example")
    (tmp_path / "sub").mkdir()
    (tmp_path / "copy.tfvars").write_bytes(EXAMPLE.read_bytes())
    return tmp_path


@pytest.mark.parametrize("cwd, named", [(".", "terraform.tfvars.example"), ("sub", "../terraform.tfvars.example")])
def test_a_relative_wandb_tfvars_naming_the_example_is_the_example(root, monkeypatch, cwd, named):
    monkeypatch.chdir(root / cwd)
    settings = load_settings(environ={"WANDB_TFVARS": named}, root=root)
    assert settings.from_example


def test_an_absolute_wandb_tfvars_naming_the_example_is_the_example(root, monkeypatch):
    monkeypatch.chdir(root / "sub")
    assert load_settings(environ={"WANDB_TFVARS": str(root / "terraform.tfvars.example")}, root=root).from_example


def test_a_copy_of_the_example_under_another_name_is_not(root, monkeypatch):
    monkeypatch.chdir(root)
    assert not load_settings(environ={"WANDB_TFVARS": "copy.tfvars"}, root=root).from_example
