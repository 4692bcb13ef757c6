"""Deployment settings: where the settings file is, how it is read, what it may say."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from settings.errors import SettingsError, SettingsWarning
from settings.model import APP_KEYS, Settings, StateSettings, StorageSettings, parse_settings
from settings.tfvars import read_tfvars

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = "terraform.tfvars"
EXAMPLE_FILE = "terraform.tfvars.example"
ENV_VAR = "WANDB_TFVARS"

__all__ = [
    "APP_KEYS",
    "Settings",
    "SettingsError",
    "SettingsWarning",
    "StateSettings",
    "StorageSettings",
    "load_settings",
    "parse_settings",
    "settings_path",
]


def settings_path(environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT) -> tuple[Path, bool]:
    """The settings file to read, and whether it is the example (the fallback on a fresh clone)."""
    named = environ.get(ENV_VAR)
    if named:
        return Path(named), False
    own = root / SETTINGS_FILE
    if own.exists():
        return own, False
    return root / EXAMPLE_FILE, True


def load_settings(
    path: Path | None = None, environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT, today: date | None = None
) -> Settings:
    """Reads and validates the settings file (default: `settings_path()`). Raises SettingsError
    naming the file and setting."""
    if path is None:
        path, is_example = settings_path(environ, root)
        if is_example:
            print(
                f"note: no {SETTINGS_FILE} (and {ENV_VAR} is not set): using {EXAMPLE_FILE}. "
                f"Copy it to {SETTINGS_FILE} and fill in your own values.",
                file=sys.stderr,
            )
    # The example's made-up values must never reach a deploy (the stacks refuse to plan).
    is_example = path.resolve() == (root / EXAMPLE_FILE).resolve()
    display = _display(path)
    return parse_settings(read_tfvars(path, display), path, from_example=is_example, display=display, today=today)


def _display(path: Path) -> str:
    """The file as the user would name it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
