"""Judging a plan: a `terraform show -json` document in, a verdict and a summary out.

Pure functions over the documented JSON plan format (format_version 1.x): nothing here runs
Terraform or reads a file. What is read from each resource change is its address, module, mode,
type, actions, action_reason, replace_paths, previous_address, importing and deposed; of the
values (`before`, `after`, `after_unknown`, the sensitivity maps) only the attributes of the risky
updates table (plan_review/risky.py), and only of a change that keeps an old object. Nothing
else: the summary cannot show a secret, and a sensitive value of the table is never printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plan_review.data_bearing import CONSENT_CLASSES, classify
from plan_review.reading import PlanFormatError, printable
from plan_review.risky import Risk, risks

__all__ = ["Change", "PlanFormatError", "Review", "allow_matches", "parse_plan", "review"]

SUPPORTED_FORMAT_MAJOR = 1
MODES = ("managed", "data")

# What each `change.actions` list means (Terraform's plans.Action, as jsonplan writes it). Any
# other list that creates a new object while the old one goes (deleted or forgotten) is a replace.
KINDS: Mapping[tuple[str, ...], str] = {
    ("no-op",): "no-op",
    ("create",): "create",
    ("read",): "read",
    ("update",): "update",
    ("delete",): "delete",
    ("forget",): "forget",  # Terraform 1.7+ `removed` with destroy = false: out of the state, not destroyed
}
ORDER: Mapping[tuple[str, ...], str] = {
    ("delete", "create"): " (destroy, then create)",
    ("create", "delete"): " (create, then destroy)",
    ("create", "forget"): " (create, old one forgotten)",
}
DESTRUCTIVE = frozenset({"delete", "replace", "other"})  # what a consent class needs consent for
KEEPS_OLD = frozenset({"update", "replace"})  # the changes whose risky values are read

# Why Terraform plans an action (`action_reason`), in words. An unknown reason is shown as it is.
REASONS = {
    "replace_because_tainted": "the object is tainted",
    "replace_by_request": "replacement requested (-replace)",
    "replace_by_triggers": "replace_triggered_by",
    "delete_because_no_resource_config": "no longer in the configuration",
    "delete_because_no_module": "its module is no longer in the configuration",
    "delete_because_wrong_repetition": "count or for_each changed",
    "delete_because_count_index": "count no longer includes this index",
    "delete_because_each_key": "for_each no longer includes this key",
    "delete_because_no_move_target": "the target of its moved block is not in the configuration",
}


def kind_of(actions: tuple[str, ...]) -> str:
    """What an action list does: KINDS, or a replace (a new object while the old one goes), or other."""
    if actions in KINDS:
        return KINDS[actions]
    if "create" in actions and {"delete", "forget"} & set(actions):
        return "replace"
    return "other"


@dataclass(frozen=True)
class Change:
    """One entry of `resource_changes`, reduced to what the review reads."""

    address: str
    module: str  # "" for the stack's root module
    mode: str  # "managed" or "data"
    type: str
    actions: tuple[str, ...]
    action_reason: str | None
    replace_paths: tuple[str, ...]
    previous_address: str | None
    importing: bool
    deposed: str | None
    risks: tuple[Risk, ...]

    @property
    def kind(self) -> str:
        return kind_of(self.actions)

    @property
    def resource_class(self) -> tuple[str, str]:
        """(class, reason) of the type (plan_review/data_bearing.py); a data source's is never used."""
        return classify(self.type)

    @property
    def needs_consent(self) -> bool:
        """A risky update; or, for a data- or service-bearing type (or one not classified), a
        deletion, a replacement of any kind, or an action this judge does not know."""
        if self.mode != "managed":
            return False
        return bool(self.risks) or (self.resource_class[0] in CONSENT_CLASSES and self.kind in DESTRUCTIVE)

    @property
    def consent_name(self) -> str:
        """What an --allow names: the address; for a deposed object, `ADDRESS deposed KEY`."""
        return f"{self.address} deposed {self.deposed}" if self.deposed else self.address

    @property
    def action_text(self) -> str:
        if self.kind == "other":
            return "+".join(self.actions) or "(no action)"
        return self.kind + ORDER.get(self.actions, "")


@dataclass(frozen=True)
class Review:
    changes: tuple[Change, ...]
    refused: tuple[Change, ...]
    allowed: tuple[tuple[Change, str], ...]  # each with the --allow that admitted it
    unused_allows: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.refused


# --- reading the document ----------------------------------------------------------------------


def parse_plan(document: object) -> tuple[Change, ...]:
    """The resource changes of a `terraform show -json` plan. Raises PlanFormatError naming what
    is wrong: not an object, no or an unsupported format_version, not a plan, a malformed entry."""
    if not isinstance(document, dict):
        raise PlanFormatError("not a Terraform plan: the JSON document is not an object")
    _check_format_version(document.get("format_version"))
    if "planned_values" not in document and "resource_changes" not in document:
        raise PlanFormatError("not a Terraform plan: no planned_values or resource_changes (a state? use terraform show -json PLANFILE)")
    if document.get("errored") is True:
        raise PlanFormatError("the plan is errored: Terraform could not finish planning, so it cannot be reviewed or applied")
    entries = document.get("resource_changes", [])
    if not isinstance(entries, list):
        raise PlanFormatError("malformed plan: resource_changes is not a list")
    return tuple(_change(entry, index) for index, entry in enumerate(entries))


def _check_format_version(version: object) -> None:
    expected = '(expected the output of `terraform show -json PLANFILE`, "1.x")'
    if version is None:
        raise PlanFormatError(f"not a Terraform plan: no format_version {expected}")
    if not isinstance(version, str):
        raise PlanFormatError(f"not a Terraform plan: format_version is {_json_kind(version)}, not a string {expected}")
    if not re.fullmatch(r"\d{1,9}\.\d{1,9}", version, re.ASCII):
        raise PlanFormatError(f"not a Terraform plan: format_version {printable(version)!r} is not MAJOR.MINOR {expected}")
    if int(version.split(".")[0]) != SUPPORTED_FORMAT_MAJOR:
        raise PlanFormatError(f"unsupported plan format_version {version}: this review reads format 1.x (Terraform 1.x)")


def _json_kind(value: object) -> str:
    """What a JSON value is, with its article: `a string`, `an object`, `null`, ..."""
    if isinstance(value, bool):
        return "a boolean"
    return {int: "a number", float: "a number", list: "a list", dict: "an object", str: "a string"}.get(type(value), "null")


_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs"})  # control, format (bidi overrides, zero-width), lone surrogates


def _text(entry: Mapping[str, Any], name: str, where: str, required: bool = True) -> str | None:
    """A string field the summary may print: a non-empty string without control characters or
    lone surrogates; absent only when not required. Anything else is a malformed plan."""
    value = entry.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        found = "nothing" if name not in entry else "an empty string" if value == "" else _json_kind(value)
        raise PlanFormatError(f"malformed plan: {where} has no {name}: expected a non-empty string, found {found}")
    if any(unicodedata.category(c) in _UNPRINTABLE for c in value):
        raise PlanFormatError(f"malformed plan: {where} {name} {printable(value)!r} holds an unprintable character")
    return value


def _change(entry: object, index: int) -> Change:
    where = f"resource_changes[{index}]"
    if not isinstance(entry, dict):
        raise PlanFormatError(f"malformed plan: {where} is not an object")
    address = str(_text(entry, "address", where))
    where = f"{where} ({address})"
    mode, kind = str(_text(entry, "mode", where)), str(_text(entry, "type", where))
    if mode not in MODES:
        raise PlanFormatError(f"malformed plan: {where} has mode {printable(mode)!r}: a plan's modes are managed and data")
    change = entry.get("change")
    actions = change.get("actions") if isinstance(change, dict) else None
    if not isinstance(change, dict) or not isinstance(actions, list):
        raise PlanFormatError(f"malformed plan: {where} has no change.actions list")
    paths = change.get("replace_paths") or []
    if not isinstance(paths, list):
        raise PlanFormatError(f"malformed plan: {where} change.replace_paths is not a list")
    action_list = tuple(_action(a, where) for a in actions)
    previous = _text(entry, "previous_address", where, required=False)
    return Change(
        address=address,
        module=_text(entry, "module_address", where, required=False) or "",
        mode=mode,
        type=kind,
        actions=action_list,
        action_reason=_text(entry, "action_reason", where, required=False),
        replace_paths=tuple(_path_text(p, where) for p in paths if p != []),
        previous_address=previous if previous != address else None,
        importing=isinstance(change.get("importing"), dict),
        deposed=_text(entry, "deposed", where, required=False),
        risks=risks(kind, change) if mode == "managed" and kind_of(action_list) in KEEPS_OLD else (),
    )


def _action(action: object, where: str) -> str:
    if not isinstance(action, str) or not re.fullmatch(r"[a-z-]{1,20}", action, re.ASCII):
        shown = repr(printable(action)) if isinstance(action, str) else _json_kind(action)
        raise PlanFormatError(f"malformed plan: {where} has an action that is not one: {shown}")
    return action


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _path_text(steps: object, where: str) -> str:
    """A replace path as Terraform writes attribute paths: `bucket`, `tags["Name"]`, `rule[0].id`.
    Path steps are attribute names, map keys and list indexes, never values."""
    if not isinstance(steps, list):
        raise PlanFormatError(f"malformed plan: {where} change.replace_paths holds {_json_kind(steps)}, not a path")
    text = ""
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int | str):
            text += "[?]"
        elif isinstance(step, int):
            text += f"[{step}]" if 0 <= step < 10**9 else "[?]"
        elif _NAME.fullmatch(step):
            text += f".{step}" if text else step
        else:
            text += '["' + printable(step).replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return text


# --- the verdict -------------------------------------------------------------------------------


def allow_matches(pattern: str, address: str) -> bool:
    """An --allow names an address exactly, or is a pattern in which `*` stands for any run of
    characters (dots and brackets included); everything else is literal, so `[0]` in an address
    is just that. The whole address must match. Linear: the literal parts are found left to right
    (the leftmost place for each is always the right one), with no backtracking."""
    if "*" not in pattern:
        return pattern == address
    first, *middle, last = pattern.split("*")
    if len(first) + len(last) > len(address) or not address.startswith(first) or not address.endswith(last):
        return False
    position, end = len(first), len(address) - len(last)
    for part in middle:
        found = address.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def admits(pattern: str, change: Change) -> bool:
    """Whether an --allow consents to a change: a deposed object only by a pattern that says
    `deposed` (`ADDRESS deposed KEY`), so consent to an address never covers its deposed objects."""
    if change.deposed and "deposed" not in pattern:
        return False
    return allow_matches(pattern, change.consent_name)


def review(changes: Iterable[Change], allows: Sequence[str] = ()) -> Review:
    """Refuses every change that needs consent (Change.needs_consent) no --allow admits."""
    changes = tuple(changes)
    refused: list[Change] = []
    allowed: list[tuple[Change, str]] = []
    used: set[str] = set()
    for change in changes:
        if not change.needs_consent:
            continue
        matching = [pattern for pattern in allows if admits(pattern, change)]
        used.update(matching)
        if matching:
            allowed.append((change, matching[0]))
        else:
            refused.append(change)
    unused = tuple(dict.fromkeys(pattern for pattern in allows if pattern not in used))
    return Review(changes=changes, refused=tuple(refused), allowed=tuple(allowed), unused_allows=unused)
