"""The record beside a saved plan, `.plan-review.json` in the stack's folder: the verdict, the
--allow patterns used, and the hashes of what the plan was made from (the plan file, the
synthesized cdk.tf.json, every settings file), so that apply applies exactly a plan that passed."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

PLAN_FILE = "plan-review.tfplan"
RECORD_FILE = ".plan-review.json"
RECORD_FORMAT = 1

Verdict = Literal["passed", "refused", "applied"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)


class UnreadableRecord(Exception):
    """The record is there but is not one this version wrote: no JSON, another format, a field
    missing or of the wrong type."""


@dataclass(frozen=True)
class PlanRecord:
    stack: str
    verdict: Verdict
    destroy: bool
    allow: tuple[str, ...]
    refused: tuple[str, ...]  # the addresses that needed consent and had none
    planned_at: str  # ISO 8601, UTC, to the second
    plan_sha256: str
    config_sha256: str  # the synthesized cdk.tf.json
    settings_sha256: Mapping[str, str]  # {settings file as shown: sha256}
    plan_file: str = PLAN_FILE
    apply_exit_status: int | None = None  # once applied

    def with_verdict(self, verdict: Verdict, apply_exit_status: int | None = None) -> PlanRecord:
        return dataclasses.replace(self, verdict=verdict, apply_exit_status=apply_exit_status)

    def to_json(self) -> str:
        data: dict[str, Any] = {"format": RECORD_FORMAT, **dataclasses.asdict(self)}
        data["allow"], data["refused"] = list(self.allow), list(self.refused)
        data["settings_sha256"] = dict(self.settings_sha256)
        if self.apply_exit_status is None:
            del data["apply_exit_status"]
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> PlanRecord:
        """Raises UnreadableRecord for anything but a record of RECORD_FORMAT."""
        try:
            data = json.loads(text)
        except ValueError:
            raise UnreadableRecord from None
        if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or data.get("verdict") not in VERDICTS:
            raise UnreadableRecord
        settings = _typed(data, "settings_sha256", dict)
        exit_status = data.get("apply_exit_status")
        if not all(isinstance(v, str) for v in [*settings, *settings.values()]) or not isinstance(exit_status, int | None):
            raise UnreadableRecord
        return cls(
            stack=_typed(data, "stack", str),
            verdict=data["verdict"],
            destroy=_typed(data, "destroy", bool),
            allow=_strings(data, "allow"),
            refused=_strings(data, "refused"),
            planned_at=_typed(data, "planned_at", str),
            plan_sha256=_typed(data, "plan_sha256", str),
            config_sha256=_typed(data, "config_sha256", str),
            settings_sha256=settings,
            plan_file=_typed(data, "plan_file", str),
            apply_exit_status=exit_status,
        )


def _typed(data: Mapping[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise UnreadableRecord
    return value


def _strings(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    values = _typed(data, name, list)
    if not all(isinstance(value, str) for value in values):
        raise UnreadableRecord
    return tuple(values)


def read_record(stack_dir: Path) -> PlanRecord | None:
    """The stack's record; None when there is none. Raises UnreadableRecord."""
    try:
        text = (stack_dir / RECORD_FILE).read_text()
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise UnreadableRecord from None
    return PlanRecord.from_json(text)


def write_record(stack_dir: Path, record: PlanRecord) -> None:
    path = stack_dir / RECORD_FILE
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(record.to_json())
    os.replace(temporary, path)


def forget_plan(stack_dir: Path) -> None:
    """Removes the record and the saved plan: apply only ever applies the latest plan."""
    for name in (RECORD_FILE, PLAN_FILE):
        with contextlib.suppress(FileNotFoundError):
            (stack_dir / name).unlink()
