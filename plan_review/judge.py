"""Judging a plan: a `terraform show -json` document in, a verdict and a summary out.

Pure functions over the documented JSON plan format (format_version 1.x): nothing here runs
Terraform or reads a file. What is read from each resource change is its address, module, mode,
type, actions, action_reason, replace_paths, previous_address, importing and deposed: never an
attribute value (`before`, `after` and the sensitivity maps are not looked at), so the summary
cannot show a secret.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from plan_review.data_bearing import DATA_BEARING

SUPPORTED_FORMAT_MAJOR = 1

# What each `change.actions` list means (Terraform's plans.Action, as jsonplan writes it).
KINDS: Mapping[tuple[str, ...], str] = {
    ("no-op",): "no-op",
    ("create",): "create",
    ("read",): "read",
    ("update",): "update",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("delete",): "delete",
    ("forget",): "forget",  # Terraform 1.7+ `removed` with destroy = false: out of the state, not destroyed
    ("create", "forget"): "forget",  # a new object; the old one is forgotten, not destroyed
}
ORDER: Mapping[tuple[str, ...], str] = {("delete", "create"): " (destroy, then create)", ("create", "delete"): " (create, then destroy)"}
# The summary's columns, in order; those after "delete" only when some change has them.
COLUMNS = ("create", "update", "replace", "delete", "forget", "read", "other", "no-op", "moved", "imported")
ALWAYS_SHOWN = frozenset({"create", "update", "replace", "delete", "no-op"})
HEADINGS = {"no-op": "unchanged"}

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


class PlanFormatError(Exception):
    """The document is not a plan this judge can read (exit status 2)."""


@dataclass(frozen=True)
class Change:
    """One entry of `resource_changes`, reduced to what the review reads."""

    address: str
    module: str  # "" for the stack's root module
    mode: str  # "managed" or "data"
    type: str
    actions: tuple[str, ...]
    action_reason: str | None = None
    replace_paths: tuple[str, ...] = ()
    previous_address: str | None = None
    importing: bool = False
    deposed: str | None = None

    @property
    def kind(self) -> str:
        return KINDS.get(self.actions, "other")

    @property
    def data_bearing(self) -> bool:
        return self.mode == "managed" and self.type in DATA_BEARING

    @property
    def needs_consent(self) -> bool:
        """Destroys the object (a delete or either kind of replace), or does something this
        judge does not know (a future action): for a data-bearing resource, refused unless allowed."""
        return self.data_bearing and ("delete" in self.actions or self.kind == "other")

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
    version = document.get("format_version")
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
        raise PlanFormatError('not a Terraform plan: no format_version (expected the output of `terraform show -json PLANFILE`, "1.x")')
    if int(version.split(".")[0]) != SUPPORTED_FORMAT_MAJOR:
        raise PlanFormatError(f"unsupported plan format_version {version}: this review reads format 1.x (Terraform 1.x)")
    if "planned_values" not in document and "resource_changes" not in document:
        raise PlanFormatError("not a Terraform plan: no planned_values or resource_changes (a state? use terraform show -json PLANFILE)")
    if document.get("errored") is True:
        raise PlanFormatError("the plan is errored: Terraform could not finish planning, so it cannot be reviewed or applied")
    entries = document.get("resource_changes", [])
    if not isinstance(entries, list):
        raise PlanFormatError("malformed plan: resource_changes is not a list")
    return tuple(_change(entry, index) for index, entry in enumerate(entries))


def _change(entry: object, index: int) -> Change:
    where = f"resource_changes[{index}]"
    if not isinstance(entry, dict):
        raise PlanFormatError(f"malformed plan: {where} is not an object")
    fields = {}
    for name in ("address", "mode", "type"):
        value = entry.get(name)
        if not isinstance(value, str) or not value:
            raise PlanFormatError(f"malformed plan: {where} has no {name}")
        fields[name] = value
    change = entry.get("change")
    actions = change.get("actions") if isinstance(change, dict) else None
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise PlanFormatError(f"malformed plan: {where} ({fields['address']}) has no change.actions list")
    assert isinstance(change, dict)
    module = entry.get("module_address", "")
    reason = entry.get("action_reason")
    previous = entry.get("previous_address")
    deposed = entry.get("deposed")
    return Change(
        address=fields["address"],
        module=module if isinstance(module, str) else "",
        mode=fields["mode"],
        type=fields["type"],
        actions=tuple(actions),
        action_reason=reason if isinstance(reason, str) else None,
        replace_paths=tuple(_path_text(p) for p in change.get("replace_paths") or () if isinstance(p, list) and p),
        previous_address=previous if isinstance(previous, str) and previous != fields["address"] else None,
        importing=isinstance(change.get("importing"), dict),
        deposed=deposed if isinstance(deposed, str) else None,
    )


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _path_text(steps: Sequence[object]) -> str:
    """A replace path as Terraform writes attribute paths: `bucket`, `tags["Name"]`, `rule[0].id`.
    Path steps are attribute names, map keys and list indexes, never values."""
    text = ""
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int | str):
            text += "[?]"
        elif isinstance(step, int):
            text += f"[{step}]"
        elif _NAME.fullmatch(step):
            text += f".{step}" if text else step
        else:
            text += '["' + step.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"]'
    return text


# --- the verdict -------------------------------------------------------------------------------


def allow_matches(pattern: str, address: str) -> bool:
    """An --allow names an address exactly, or is a pattern in which `*` stands for any run of
    characters (dots and brackets included); everything else is literal, so `[0]` in an address
    is just that. The whole address must match."""
    if "*" not in pattern:
        return pattern == address
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, address, re.DOTALL) is not None


def review(changes: Iterable[Change], allows: Sequence[str] = ()) -> Review:
    """Refuses every deletion or replacement of a data-bearing resource no --allow names."""
    changes = tuple(changes)
    refused: list[Change] = []
    allowed: list[tuple[Change, str]] = []
    used: set[str] = set()
    for change in changes:
        if not change.needs_consent:
            continue
        matching = [pattern for pattern in allows if allow_matches(pattern, change.address)]
        used.update(matching)
        if matching:
            allowed.append((change, matching[0]))
        else:
            refused.append(change)
    unused = tuple(dict.fromkeys(pattern for pattern in allows if pattern not in used))
    return Review(changes=changes, refused=tuple(refused), allowed=tuple(allowed), unused_allows=unused)


# --- the summary -------------------------------------------------------------------------------


def render(result: Review, subject: str) -> str:
    """The summary a person takes in at once: the data-bearing changes first (refused, allowed,
    the rest), then the counts per module, then the verdict. Addresses, types, actions, reasons
    and the names of the attributes forcing a replacement: no value of any attribute."""
    lines = [f"Plan review: {subject}", ""]
    lines += _data_bearing_lines(result)
    lines += _module_lines(result.changes)
    lines.append("")
    lines += _verdict_lines(result)
    return "\n".join(lines) + "\n"


def _data_bearing_lines(result: Review) -> list[str]:
    allowed_by = {id(change): pattern for change, pattern in result.allowed}
    refused = {id(change) for change in result.refused}
    shown = [c for c in result.changes if c.data_bearing and c.kind != "no-op"]
    if not shown:
        return ["Data-bearing resources: none changed.", ""]

    def rank(change: Change) -> int:  # refused, allowed, the rest; each in the plan's order (by address)
        return 0 if id(change) in refused else 1 if id(change) in allowed_by else 2

    lines = [f"Data-bearing resources changed ({len(result.refused)} refused, {len(result.allowed)} allowed):"]
    for change in sorted(shown, key=rank):
        verdict = "REFUSED" if id(change) in refused else "allowed" if id(change) in allowed_by else "ok"
        extra = f"  (deposed object {change.deposed})" if change.deposed else ""
        lines.append(f"  {verdict:<8} {change.action_text:<30}  {change.address}  [{change.type}]{extra}")
        details = []
        if change.replace_paths:
            details.append("forced by: " + ", ".join(change.replace_paths))
        if change.action_reason and not (change.action_reason == "replace_because_cannot_update" and change.replace_paths):
            details.append("why: " + REASONS.get(change.action_reason, change.action_reason))
        if change.previous_address:
            details.append(f"moved from {change.previous_address}")
        if id(change) in allowed_by:
            details.append(f"allowed by --allow {allowed_by[id(change)]}")
        lines += [f"{'':11}{detail}" for detail in details]
    return [*lines, ""]


def _module_lines(changes: Sequence[Change]) -> list[str]:
    if not changes:
        return ["Changes by module: none (no resource changes)."]
    counts: dict[str, Counter[str]] = {}
    for change in changes:
        tally = counts.setdefault(change.module, Counter())
        tally[change.kind] += 1
        tally["moved"] += change.previous_address is not None
        tally["imported"] += change.importing
    columns = [c for c in COLUMNS if c in ALWAYS_SHOWN or any(t[c] for t in counts.values())]
    modules = sorted(counts, key=lambda m: (m != "", m))
    names = [m or "(root)" for m in modules]
    width = max(len("module"), *(len(n) for n in names))
    headings = [HEADINGS.get(c, c) for c in columns]
    lines = ["Changes by module:", "  " + "module".ljust(width) + "".join(f"  {h}" for h in headings)]
    for module, name in zip(modules, names, strict=True):
        lines.append("  " + name.ljust(width) + "".join(f"  {counts[module][c]:>{len(h)}}" for c, h in zip(columns, headings, strict=True)))
    return lines


def _verdict_lines(result: Review) -> list[str]:
    if result.refused:
        count = len(result.refused)
        lines = [f"REFUSED: {count} data-bearing resource{'s' if count > 1 else ''} would be destroyed or replaced without consent:"]
        lines += [f"  {change.address}  [{change.type}]" for change in result.refused]
        lines.append("If that is intended, plan again with --allow ADDRESS for each (README, Reviewed plans).")
        return lines
    if result.allowed:
        return [f"PASSED: every data-bearing resource destroyed or replaced ({len(result.allowed)}) is allowed by --allow."]
    return ["PASSED: no data-bearing resource is destroyed or replaced."]
