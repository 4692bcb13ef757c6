"""Where a run's settings come from: the single settings file, or a deployments folder, and the
var files the cdktf CLI passes to Terraform beside them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from settings.schema import ALIASES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = "terraform.tfvars"
EXAMPLE_FILE = "terraform.tfvars.example"
ENV_VAR = "WANDB_TFVARS"
DEPLOYMENTS_ENV = "WANDB_DEPLOYMENTS"
DEPLOYMENTS_DIR = "deployments"

# The files the cdktf CLI passes to Terraform as -var-file on diff, deploy and destroy, from the
# folder it runs in (cdktf-cli 0.21: its handlers' var-file list).
CLI_VAR_FILES = (SETTINGS_FILE, "terraform.tfvars.json")
CLI_VAR_FILE_SUFFIXES = (".auto.tfvars", ".auto.tfvars.json")
CLI_VAR_FILE_PATTERNS = tuple(f"*{suffix}" for suffix in CLI_VAR_FILE_SUFFIXES)


def settings_path(environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT) -> tuple[Path, bool]:
    """The settings file to read, and whether it is the example (the fallback on a fresh clone)."""
    named = environ.get(ENV_VAR)
    if named:
        return Path(named), False
    own = root / SETTINGS_FILE
    if own.exists():
        return own, False
    return root / EXAMPLE_FILE, True


def deployments_folder(environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT) -> Path | None:
    """The deployments folder the app reads, or None for the single settings file: the folder
    `WANDB_DEPLOYMENTS` names, else `deployments/` at the project root when it exists."""
    named = environ.get(DEPLOYMENTS_ENV)
    if named:
        return Path(named)
    folder = root / DEPLOYMENTS_DIR
    return folder if folder.is_dir() else None


def cli_var_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """What the cdktf CLI passes as -var-file from `root`: terraform.tfvars, terraform.tfvars.json
    and every *.auto.tfvars / *.auto.tfvars.json (hidden files left out)."""
    files = [root / name for name in CLI_VAR_FILES if (root / name).is_file()]
    for pattern in CLI_VAR_FILE_PATTERNS:
        files += sorted(p for p in root.glob(pattern) if p.is_file() and not p.name.startswith("."))
    return files


def settings_files(environ: Mapping[str, str] = os.environ, root: Path = PROJECT_ROOT) -> list[Path]:
    """Every file the app or Terraform may read settings from for a run, absolute and each once:
    the settings file (`settings_path()`: WANDB_TFVARS, terraform.tfvars or the example), every
    *.tfvars of the deployments folder (WANDB_DEPLOYMENTS, else deployments/) and the CLI's var
    files at `root`. Relative names in the environment are taken from `root`, where the cdktf CLI
    runs the app."""

    def from_root(name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else root / path

    named, _example = settings_path(environ, root)
    files = [from_root(str(named))]
    folder = from_root(environ.get(DEPLOYMENTS_ENV) or DEPLOYMENTS_DIR)
    if folder.is_dir():
        files += sorted(folder.glob("*.tfvars"))
    files += cli_var_files(root)
    return list(dict.fromkeys(path.absolute() for path in files))


TAGS = "default_tags"  # the one map setting that merges with the defaults' key by key


@dataclass(frozen=True)
class MergedSettings:
    """A deployment's settings as one raw value: its own file's keys over the defaults file's, key
    by key (an alias counts as its key), `default_tags` merged tag by tag; and where each value
    came from (`origin`)."""

    values: Mapping[str, Any]
    own: Path
    defaults: Path | None  # None: no defaults file, or an empty one
    own_keys: frozenset[str]  # as written in the deployment's file
    defaults_keys: frozenset[str]  # as written in the defaults file
    tags_merged: bool  # both files set `default_tags`

    def origin(self, name: str) -> Path:
        """The file the value of setting `name` came from: the defaults file for a key only it
        writes, else the deployment's own."""
        if self.defaults is not None and name not in self.own_keys and name in self.defaults_keys:
            return self.defaults
        return self.own


def merge_deployment(own_path: Path, own: Mapping[str, Any], defaults_path: Path | None, defaults: Mapping[str, Any]) -> MergedSettings:
    """One deployment's file over its folder's defaults file (`defaults_path` None: none)."""
    own_names = {ALIASES.get(k, k) for k in own}
    merged = {k: v for k, v in defaults.items() if ALIASES.get(k, k) not in own_names} | dict(own)
    tags_merged = defaults_path is not None and all(isinstance(f.get(TAGS), dict) for f in (own, defaults))
    if tags_merged:
        # `default_tags` merges tag by tag: the deployment's tags over the shared ones.
        merged[TAGS] = {**defaults[TAGS], **own[TAGS]}
    return MergedSettings(merged, own_path, defaults_path, frozenset(own), frozenset(defaults), tags_merged)
