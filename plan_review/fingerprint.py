"""What a reviewed plan depends on, as hashes: a file's, and the settings files' of a run
(`settings.settings_files()`: the settings file, the deployments folder's *.tfvars and the var
files the cdktf CLI passes), so that apply sees what changed since the plan."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from plan_review.project import Project
from settings import settings_files

ABSENT = "absent"


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes; ABSENT when there is no such file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ABSENT


def settings_fingerprint(project: Project) -> dict[str, str]:
    """{the file as shown: its sha256} for every settings file of a run of the project."""
    return {project.shown(path): file_sha256(path) for path in settings_files(project.environ, project.root)}


def changed_files(before: Mapping[str, str], now: Mapping[str, str]) -> str:
    """What differs between two fingerprints, in words ("" when nothing does)."""
    changes = [f"{name} changed" for name in now if name in before and before[name] != now[name]]
    changes += [f"{name} {'appeared' if now[name] != ABSENT else 'is absent'}" for name in now if name not in before]
    changes += [f"{name} is no longer read" for name in before if name not in now]
    return ", ".join(changes)
