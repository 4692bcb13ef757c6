"""Where the settings come from, and what a good file turns into."""

from __future__ import annotations

import shutil

from helpers import GUIDE_SETTINGS, PROJECT_ROOT, SENTINEL_LICENSE, run_main, to_hcl

from release_catalog.layouts import Layout
from settings import load_app_settings, load_settings, parse_settings, settings_path


def test_own_settings_file_wins_over_the_example(tmp_path):
    (tmp_path / "terraform.tfvars").write_text("x = 1\n")
    (tmp_path / "terraform.tfvars.example").write_text("x = 1\n")
    assert settings_path({}, tmp_path) == (tmp_path / "terraform.tfvars", False)


def test_environment_names_another_file(tmp_path):
    assert settings_path({"WANDB_TFVARS": "/elsewhere/prod.tfvars"}, tmp_path)[0].as_posix() == "/elsewhere/prod.tfvars"


def test_fresh_clone_falls_back_to_the_example_and_says_so(tmp_path, capsys):
    shutil.copy(PROJECT_ROOT / "terraform.tfvars.example", tmp_path / "terraform.tfvars.example")
    loaded = load_app_settings(environ={}, root=tmp_path)
    (note,) = loaded.notes  # a diagnostic like the warnings: main.py prints it as "note: ..."
    assert str(note) == (
        "no terraform.tfvars (and WANDB_TFVARS is not set): using terraform.tfvars.example. "
        "Copy it to terraform.tfvars and fill in your own values."
    )
    assert capsys.readouterr().err == ""  # the loader itself prints nothing
    (settings,) = loaded.deployments
    assert settings.namespace == "wandb"
    assert settings.layout is Layout.V8  # the example is a new deployment
    assert settings.from_example


def test_the_guides_minimal_file_parses(tmp_path):
    path = tmp_path / "terraform.tfvars"
    path.write_text(to_hcl(GUIDE_SETTINGS))
    settings = load_settings(path)
    assert settings.fqdn == "wandb-aws.wandb.ml"
    assert settings.allowed_inbound_cidr == ("0.0.0.0/0",)
    assert settings.region == "eu-central-1"
    assert settings.license == SENTINEL_LICENSE
    assert not settings.from_example
    assert settings.source == path
    assert settings.file_keys == tuple(GUIDE_SETTINGS)
    assert settings.module_inputs == {}


def test_license_is_kept_out_of_repr():
    settings = parse_settings(GUIDE_SETTINGS, "t.tfvars")
    assert SENTINEL_LICENSE not in repr(settings)
    assert SENTINEL_LICENSE not in str(settings)


def test_constraint_spelling_is_normalized():
    assert parse_settings({**GUIDE_SETTINGS, "wandb_infra_version": "~>7.0"}, "t").infra.constraint == "~> 7.0"


def test_no_note_for_a_settings_file_of_ones_own(tmp_path):
    (tmp_path / "terraform.tfvars").write_text(to_hcl(GUIDE_SETTINGS))
    assert load_app_settings(environ={}, root=tmp_path).notes == ()


def test_main_prints_the_note_first(tmp_path):
    """`python main.py` on a fresh clone prints the note as its first line on stderr, before it
    looks at the output folder (a file here: it stops there, before any synth)."""
    (tmp_path / "out").write_text("")
    result = run_main(None, tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0] == (
        "note: no terraform.tfvars (and WANDB_TFVARS is not set): using terraform.tfvars.example. "
        "Copy it to terraform.tfvars and fill in your own values."
    )
