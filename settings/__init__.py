"""Deployment settings: where the settings file is, how it is read, what it may say.

The pipeline, one module a step:

    sources.py      which files a run reads (settings_files), a deployment over its defaults
    tfvars.py       a file's `name = value` lines, as Terraform reads them
    schema.py       the keys, their aliases, the module-input checks, the README's settings table
    fields.py       the release chosen, every key known to it, each value typed and checked
    rules.py        the cross-field rules (RULES, in order), each yielding errors or warnings
    values.py       the value classes (Settings, StateSettings, StorageSettings)
    naming.py       the stacks of a deployment, their ids and state keys
    parse.py        parse_settings: the steps above, in order
    deployments.py  a deployments folder, and its deployments checked against each other

This module loads a run's settings (load_app_settings) with the diagnostics main.py prints.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from settings.deployments import LoadedSettings, load_folder
from settings.errors import SettingsError, SettingsNote, SettingsWarning
from settings.parse import parse_settings
from settings.schema import APP_KEYS
from settings.sources import (
    DEPLOYMENTS_ENV,
    ENV_VAR,
    EXAMPLE_FILE,
    PROJECT_ROOT,
    SETTINGS_FILE,
    cli_var_files,
    deployments_folder,
    settings_files,
    settings_path,
)
from settings.tfvars import read_tfvars
from settings.values import Settings, StateSettings, StorageSettings

# Where `cdktf synth` puts the stacks unless CDKTF_OUTDIR says otherwise (cdktf.json's "output").
DEFAULT_OUTDIR = PROJECT_ROOT / "cdktf.out"

__all__ = [
    "APP_KEYS",
    "DEFAULT_OUTDIR",
    "ENV_VAR",
    "EXAMPLE_FILE",
    "PROJECT_ROOT",
    "SETTINGS_FILE",
    "LoadedSettings",
    "Settings",
    "SettingsError",
    "SettingsNote",
    "SettingsWarning",
    "StateSettings",
    "StorageSettings",
    "deployments_folder",
    "example_note",
    "load_app_settings",
    "load_settings",
    "parse_settings",
    "settings_files",
    "settings_path",
]


def load_settings(
    path: Path | None = None, environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT, today: date | None = None
) -> Settings:
    """Reads and validates the settings file (default: `settings_path()`). Raises SettingsError
    naming the file and setting."""
    if path is None:
        path, _example = settings_path(environ, root)
        _refuse_a_second_settings_file(path, environ, root)
    # The example's made-up values must never reach a deploy (the stacks refuse to plan).
    is_example = path.resolve() == (root / EXAMPLE_FILE).resolve()
    display = _display(path)
    return parse_settings(read_tfvars(path, display), path, from_example=is_example, display=display, today=today)


def load_app_settings(environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT, today: date | None = None) -> LoadedSettings:
    """Every deployment the app builds: each file of the deployments folder, or the single
    settings file (exactly as before the folder existed). A folder and a single settings file
    together are an error: the app never mixes the two."""
    folder = deployments_folder(environ, root)
    if folder is None:
        settings = _with_license_warning(load_settings(environ=environ, root=root, today=today), environ)
        return LoadedSettings((settings,), example_note(environ, root))
    single = environ.get(ENV_VAR) or ((root / SETTINGS_FILE) if (root / SETTINGS_FILE).exists() else None)
    if single:
        raise SettingsError(
            _display(folder),
            None,
            f"a deployments folder and a single settings file ({_display(Path(single))}) are both present; the app reads "
            f"one or the other, never both: move the single file into the folder as <deployment>.tfvars, or remove the "
            f"folder (or unset {DEPLOYMENTS_ENV}/{ENV_VAR})",
        )
    loaded = load_folder(folder, _display, today)
    return LoadedSettings(tuple(_with_license_warning(settings, environ) for settings in loaded.deployments))


LICENSE_VARIABLE = "TF_VAR_license"


def example_note(environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT) -> tuple[SettingsNote, ...]:
    """The note that the example is read, on a fresh clone (no settings file of one's own)."""
    if not settings_path(environ, root)[1]:
        return ()
    message = (
        f"no {SETTINGS_FILE} (and {ENV_VAR} is not set): using {EXAMPLE_FILE}. Copy it to {SETTINGS_FILE} and fill in your own values."
    )
    return (SettingsNote(message),)


def _refuse_a_second_settings_file(path: Path, environ: Mapping[str, str], root: Path) -> None:
    """`WANDB_TFVARS` names a settings file while the project root holds a `terraform.tfvars` (or
    another file the cdktf CLI passes as a var file) with other content: the app would read the
    one, and the CLI pass the other to Terraform (always, when it exists). Refused; the same file,
    or an identical copy, is fine."""
    if not environ.get(ENV_VAR) or not path.is_file():
        return  # a missing file: read_tfvars names it
    for other in cli_var_files(root):
        try:
            if path.samefile(other) or path.read_bytes() == other.read_bytes():
                continue
        except OSError:
            return  # unreadable: read_tfvars names it
        shown = _display(other)
        keep = f"unset {ENV_VAR} to use {shown}, or move {shown} away" if other.name == SETTINGS_FILE else f"move {shown} away"
        raise SettingsError(
            _display(path),
            None,
            f"{ENV_VAR} names this settings file, but {shown} exists too and holds other settings: the app would read "
            f"this one while the cdktf CLI passes {shown} to Terraform as a var file on every diff, deploy and destroy. "
            f"Keep one: {keep} (or make it a copy of this file)",
        )


def _with_license_warning(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """A warning when neither the settings nor `TF_VAR_license` (as synth sees it) hold a license,
    naming where Terraform will look at deploy time. Not for the example: it is never deployed."""
    if settings.license is not None or environ.get(LICENSE_VARIABLE) or settings.from_example:
        return settings
    if settings.hcp is not None and settings.hcp.remote:  # the workspace's variable: rule hcp_remote_runs_license
        return settings
    files = [_display(settings.source)] + ([_display(settings.defaults_source)] if settings.defaults_source else [])
    warning = SettingsWarning(
        _display(settings.source),
        "license",
        f"no license in the settings and {LICENSE_VARIABLE} is not set: at deploy time Terraform looks for `license` or "
        f"`wandb_license` in {', then in '.join(files)}, then for {LICENSE_VARIABLE}; set one of them before you deploy "
        "(Terraform has no value for the license otherwise)",
    )
    return dataclasses.replace(settings, warnings=(*settings.warnings, warning))


def _display(path: Path) -> str:
    """The file as the user would name it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
