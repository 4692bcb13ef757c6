"""Change sets: what a reviewed plan changes, without a single value (docs/github.md).

`./scripts/plan STACK --changes-out FILE` writes one; `./scripts/plan STACK --expect-changes FILE`
refuses a plan whose change set is not the one in FILE (the one reviewed on the pull request):

    {
      "format": 1,
      "stack": "staging--wandb",              (null: --json FILE without a STACK)
      "changes": [                            (sorted by address, then deposed key)
        {"address": "module.wandb_infra...aws_eks_node_group.this[0]", "actions": ["create", "delete"]},
        {"address": "aws_s3_bucket.b", "actions": ["no-op"], "previous_address": "aws_s3_bucket.a"},
        ...
      ],
      "drift": [{"address": "...", "actions": ["update"]}]   (resource_drift: changed outside Terraform)
    }

A change is a managed resource's entry of the plan's `resource_changes` that does something: its
actions are not `["no-op"]`, or it moves (`previous_address`) or is imported; `deposed` and
`importing: true` are kept when present. Data sources (`read`) are not changes. A plan without a
change has an empty `changes` list. Two change sets are the same when their stacks (when both
name one) and their changes are equal; drift is information and is not compared (time passes
between the pull request's plan and the merge's). Addresses, action names and deposed keys only:
no attribute value, variable, output or setting, so no license.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from plan_review.failure import BAD_INPUT, Failure
from plan_review.judge import Change
from plan_review.reading import PlanFormatError, load_plan, printable

CHANGE_SET_FORMAT = 1
_ACTION = re.compile(r"[a-z-]{1,20}", re.ASCII)


@dataclass(frozen=True)
class Entry:
    """One change: what identifies it (address, deposed key) and what it does."""

    address: str
    deposed: str | None
    actions: tuple[str, ...]
    previous_address: str | None = None
    importing: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.address, self.deposed or "")

    @property
    def name(self) -> str:
        return f"{self.address} deposed {self.deposed}" if self.deposed else self.address

    @property
    def what(self) -> str:
        """The actions as a difference shows them: `[delete, create]`, `[no-op] moved from ADDRESS`."""
        moved = f" moved from {self.previous_address}" if self.previous_address else ""
        return f"[{', '.join(self.actions)}]{moved}{' imported' if self.importing else ''}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"address": self.address, "actions": list(self.actions)}
        optional = {"deposed": self.deposed, "previous_address": self.previous_address, "importing": self.importing or None}
        return data | {name: value for name, value in optional.items() if value is not None}


@dataclass(frozen=True)
class ChangeSet:
    stack: str | None
    changes: tuple[Entry, ...]
    drift: tuple[Entry, ...] = ()

    def to_json(self) -> str:
        data = {
            "format": CHANGE_SET_FORMAT,
            "stack": self.stack,
            "changes": [entry.to_json() for entry in self.changes],
            "drift": [entry.to_json() for entry in self.drift],
        }
        return json.dumps(data, indent=2) + "\n"


def change_set(stack: str | None, changes: Iterable[Change], plan_text: str | bytes | None = None, where: str = "the plan") -> ChangeSet:
    """The change set of a judged plan (Review.changes), with the drift of its document (`plan_text`,
    read from `where`) when given."""
    entries = [
        Entry(c.address, c.deposed, c.actions, c.previous_address, c.importing)
        for c in changes
        if c.mode == "managed" and (c.actions != ("no-op",) or c.previous_address or c.importing)
    ]
    try:
        drift = _drift(plan_text) if plan_text is not None else ()
    except PlanFormatError as error:
        raise Failure(BAD_INPUT, f"{where}: {error}") from None
    return ChangeSet(stack, _sorted(entries), drift)


def _drift(plan_text: str | bytes) -> tuple[Entry, ...]:
    """`resource_drift` of a plan document the judge has read already: each address and actions."""
    document = load_plan(plan_text.encode("utf-8", "surrogatepass") if isinstance(plan_text, str) else plan_text)
    entries = document.get("resource_drift") or []
    if not isinstance(entries, list):
        raise PlanFormatError("malformed plan: resource_drift is not a list")
    drift = []
    for index, entry in enumerate(entries):
        change = entry.get("change") if isinstance(entry, dict) else None
        address, actions = (entry.get("address"), change.get("actions")) if isinstance(change, dict) else (None, None)
        if not isinstance(address, str) or not address.isprintable() or not isinstance(actions, list):
            raise PlanFormatError(f"malformed plan: resource_drift[{index}] has no address or no change.actions list")
        if not all(isinstance(a, str) and _ACTION.fullmatch(a) for a in actions):
            raise PlanFormatError(f"malformed plan: resource_drift[{index}] ({address}) has an action that is not one")
        drift.append(Entry(address, entry.get("deposed") if isinstance(entry.get("deposed"), str) else None, tuple(actions)))
    return _sorted(drift)


def _sorted(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    """By address, then deposed key (an object and its deposed objects share an address)."""
    return tuple(sorted(entries, key=lambda entry: entry.key))


# --- the reviewed change set ---------------------------------------------------------------------


def read_change_set(path: str) -> ChangeSet:
    """The change set in `path`, strictly; Failure(BAD_INPUT) naming the file and the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Failure(BAD_INPUT, f"{path}: no such change set file") from None
    except (OSError, UnicodeDecodeError) as error:
        problem = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise Failure(BAD_INPUT, f"{path}: cannot read the change set ({problem})") from None
    try:
        return _parse(json.loads(text))
    except (ValueError, RecursionError) as error:
        problem = str(error) if isinstance(error, _Malformed) else "not JSON"
        raise Failure(BAD_INPUT, f"{path}: not a change set written by ./scripts/plan --changes-out: {problem}") from None


class _Malformed(ValueError):
    pass


def _parse(data: object) -> ChangeSet:
    if not isinstance(data, dict) or data.get("format") != CHANGE_SET_FORMAT:
        raise _Malformed(f'no "format": {CHANGE_SET_FORMAT}')
    stack = data.get("stack")
    if stack is not None and (not isinstance(stack, str) or not stack.isprintable()):
        raise _Malformed("stack is not a stack name or null")
    changes = tuple(_entry(item, f"changes[{i}]") for i, item in enumerate(_list(data, "changes")))
    drift = tuple(_entry(item, f"drift[{i}]") for i, item in enumerate(_list(data, "drift", required=False)))
    keys = [entry.key for entry in changes]
    if len(set(keys)) != len(keys):
        twice = next(entry.name for i, entry in enumerate(changes) if entry.key in keys[:i])
        raise _Malformed(f"{printable(twice, 200)} is listed twice")
    return ChangeSet(stack, _sorted(changes), _sorted(drift))


def _list(data: Mapping[str, Any], name: str, required: bool = True) -> list[Any]:
    value = data.get(name, None if required else [])
    if not isinstance(value, list):
        raise _Malformed(f"{name} is not a list")
    return value


def _entry(item: object, where: str) -> Entry:
    if not isinstance(item, dict) or not isinstance(item.get("address"), str) or not item["address"].isprintable():
        raise _Malformed(f"{where} has no address")
    actions, deposed, previous = item.get("actions"), item.get("deposed"), item.get("previous_address")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and _ACTION.fullmatch(a) for a in actions):
        raise _Malformed(f"{where} ({printable(item['address'], 200)}) has no actions list")
    if not all(value is None or (isinstance(value, str) and value.isprintable()) for value in (deposed, previous)):
        raise _Malformed(f"{where} ({printable(item['address'], 200)}) has a deposed key or previous address that is not one")
    return Entry(item["address"], deposed, tuple(actions), previous, item.get("importing") is True)


# --- comparing -----------------------------------------------------------------------------------


def differences(reviewed: ChangeSet, planned: ChangeSet) -> list[str]:
    """Each way `planned` is not what was reviewed, one line each; empty when they are the same."""
    lines = []
    if reviewed.stack is not None and planned.stack is not None and reviewed.stack != planned.stack:
        lines.append(f"stack: the reviewed change set is of stack {reviewed.stack}, this plan is of stack {planned.stack}")
    before = {entry.key: entry for entry in reviewed.changes}
    now = {entry.key: entry for entry in planned.changes}
    for key in sorted(before.keys() | now.keys()):
        old, new = before.get(key), now.get(key)
        if new is None and old is not None:
            lines.append(f"missing: {old.name} {old.what} was reviewed; this plan does not change it")
        elif old is None and new is not None:
            lines.append(f"not reviewed: {new.name} {new.what}")
        elif old is not None and new is not None and old != new:
            lines.append(f"changed: {new.name} was reviewed as {old.what}, this plan does {new.what}")
    return lines


@dataclass(frozen=True)
class ChangeSetOptions:
    """--changes-out FILE and --expect-changes FILE of one ./scripts/plan run."""

    write_to: str | None = None
    expected: ChangeSet | None = None
    expected_from: str = ""

    @classmethod
    def of(cls, write_to: str | None, expect: str | None) -> ChangeSetOptions:
        """Reads the reviewed change set now, before anything runs (a bad file: exit 2)."""
        return cls(write_to, read_change_set(expect) if expect is not None else None, expect or "")

    @property
    def wanted(self) -> bool:
        return self.write_to is not None or self.expected is not None

    def finish(self, planned: ChangeSet, out: TextIO) -> bool:
        """Writes the change set (--changes-out) and compares it with the reviewed one
        (--expect-changes), printing each difference: True unless they differ."""
        if self.write_to is not None:
            try:
                Path(self.write_to).write_text(planned.to_json(), encoding="utf-8")
            except OSError as error:
                raise Failure(BAD_INPUT, f"{self.write_to}: cannot write the change set ({error.strerror})") from None
            print(f"Change set ({len(planned.changes)} changes, no values) written to {self.write_to}", file=out)
        if self.expected is None:
            return True
        found = differences(self.expected, planned)
        if not found:
            print(f"Change set: the same as the reviewed one ({self.expected_from}, {len(planned.changes)} changes)", file=out)
            return True
        print(f"\nREFUSED: this plan's changes are not the reviewed ones ({self.expected_from}), {len(found)} differences:", file=out)
        for line in found:
            print(f"  {line}", file=out)
        return False


NO_CHANGE_SETS = ChangeSetOptions()
