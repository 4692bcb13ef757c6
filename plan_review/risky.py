"""Risky updates: the second reviewed table. An update in place (or a replacement) that keeps the
object but loses data later, or makes the next deletion final: each row is a type, an attribute,
the condition and the reason. Such a change needs consent like a deletion of a data-bearing
resource (README "Reviewed plans" shows this table; tests/test_plan_review.py keeps them equal).

These attributes are the only values the review reads, and only of changes that keep an old
object (update, replace): `before`, `after`, `after_unknown` and the sensitivity maps at exactly
these paths. A value unknown until apply counts as risky. A value marked sensitive is shown as
`(sensitive)`, never printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

Step = str | int
Path = tuple[Step, ...]
RULE: Final = "*"  # a path step: each rule of a list of lifecycle rules


@dataclass(frozen=True)
class Row:
    type: str
    path: Path  # where the value is; a RULE step means "in each enabled rule, by its id"
    condition: str
    reason: str
    risky: Callable[[Any, Any], bool]  # (before, after) -> risky; for rule rows over {rule id: days}

    @property
    def attribute(self) -> str:
        return ".".join(f"{s}" if isinstance(s, str) else f"[{s}]" for s in self.path).replace(".[", "[").replace(".*.", "[*].")


@dataclass(frozen=True)
class Risk:
    row: Row
    detail: str  # "7 -> 1", "unknown until apply", "(sensitive)"


def _number(value: object) -> int | float | None:
    """A JSON number (an int of any size, a float), else None (reading.py refuses NaN and Infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def lowered(before: object, after: object) -> bool:
    old, new = _number(before), _number(after)
    return old is not None and (new is None or new < old)


def turned_off(before: object, after: object) -> bool:
    return before is True and after is not True


def turned_on(before: object, after: object) -> bool:
    return before is not True and after is True


def left_enabled(before: object, after: object) -> bool:
    return before == "Enabled" and after != "Enabled"


def set_to_zero(before: object, after: object) -> bool:
    return _number(after) == 0 and _number(before) != 0


def _minor(version: object) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{1,4})\.(\d{1,4})", version) if isinstance(version, str) else None
    return (int(match[1]), int(match[2])) if match else None


def raised_more_than_one_minor(before: object, after: object) -> bool:
    old, new = _minor(before), _minor(after)
    if old is None or new is None:
        return before != after  # a version this review cannot compare: counted as risky
    return new[0] != old[0] or new[1] - old[1] > 1


def added_or_shortened(before: Mapping[str, int | float], after: Mapping[str, int | float]) -> bool:
    return any(rule not in before or days < before[rule] for rule, days in after.items())


_EXPIRING = "files (or their previous versions) are deleted by S3, sooner than before or for the first time"
_LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"
_RDS = ("aws_rds_cluster", "aws_db_instance")
_KMS_ENABLED = "what the key encrypted (the bucket, the database, the secrets) cannot be read while it is disabled"

ROWS: Final[tuple[Row, ...]] = (
    Row(_LIFECYCLE, ("rule", RULE, "expiration", 0, "days"), "added or shortened", _EXPIRING, added_or_shortened),
    Row(
        _LIFECYCLE,
        ("rule", RULE, "noncurrent_version_expiration", 0, "noncurrent_days"),
        "added or shortened",
        _EXPIRING,
        added_or_shortened,
    ),
    Row("aws_s3_bucket", ("lifecycle_rule", RULE, "expiration", 0, "days"), "added or shortened", _EXPIRING, added_or_shortened),
    Row(
        "aws_s3_bucket",
        ("lifecycle_rule", RULE, "noncurrent_version_expiration", 0, "days"),
        "added or shortened",
        _EXPIRING,
        added_or_shortened,
    ),
    Row(
        "aws_s3_bucket_versioning",
        ("versioning_configuration", 0, "status"),
        "no longer Enabled",
        "an overwritten or deleted file keeps no previous version",
        left_enabled,
    ),
    Row(
        "aws_s3_bucket", ("versioning", 0, "enabled"), "turned off", "an overwritten or deleted file keeps no previous version", turned_off
    ),
    Row(
        "aws_s3_bucket",
        ("force_destroy",),
        "turned on",
        "a later deletion of the bucket deletes every file in it instead of failing",
        turned_on,
    ),
    *(Row(kind, ("backup_retention_period",), "lowered", "fewer days of backups to restore the database from", lowered) for kind in _RDS),
    *(Row(kind, ("deletion_protection",), "turned off", "the database can then be deleted by a later apply", turned_off) for kind in _RDS),
    *(
        Row(kind, ("skip_final_snapshot",), "turned on", "a later deletion of the database keeps no final snapshot", turned_on)
        for kind in _RDS
    ),
    Row("aws_kms_key", ("is_enabled",), "turned off", _KMS_ENABLED, turned_off),
    *(
        Row(kind, ("enabled",), "turned off", _KMS_ENABLED, turned_off)
        for kind in ("aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key")
    ),
    Row(
        "aws_secretsmanager_secret",
        ("recovery_window_in_days",),
        "set to 0",
        "a later deletion of the secret is immediate, with no window to restore it",
        set_to_zero,
    ),
    Row("aws_sqs_queue", ("message_retention_seconds",), "lowered", "messages not yet processed are deleted sooner", lowered),
    Row(
        "aws_eks_cluster",
        ("version",),
        "raised by more than one minor version",
        "EKS upgrades one minor version at a time: AWS refuses the update half-way through an apply",
        raised_more_than_one_minor,
    ),
)

BY_TYPE: Final[Mapping[str, tuple[Row, ...]]] = {
    kind: tuple(r for r in ROWS if r.type == kind) for kind in dict.fromkeys(r.type for r in ROWS)
}


def risky_markdown() -> str:
    """The README's table of risky updates, generated from ROWS."""
    rows = ["| type | attribute | risky when | why |", "| --- | --- | --- | --- |"]
    rows += [f"| `{row.type}` | `{row.attribute}` | {row.condition} | {row.reason} |" for row in ROWS]
    return "\n".join(rows) + "\n"


# --- reading exactly these paths ----------------------------------------------------------------


def _at(value: object, path: Sequence[Step]) -> object:
    """The value at `path` (attribute names and list indexes), or None where there is none."""
    for step in path:
        if isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        elif isinstance(step, int) and isinstance(value, list) and 0 <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def _marked(marks: object, path: Sequence[Step]) -> bool:
    """Whether an `after_unknown` / `*_sensitive` structure marks `path` or anything on the way
    to it (or below it) as true."""
    for step in path:
        if marks is True:
            return True
        marks = _at(marks, (step,))
    below = [marks]
    while below:  # a walk, not a recursion: any depth
        mark = below.pop()
        if mark is True:
            return True
        below += mark.values() if isinstance(mark, dict) else mark if isinstance(mark, list) else []
    return False


def _rules(value: object, block: str, rest: Path) -> dict[str, int | float]:
    """{rule id: days} of the enabled rules of a lifecycle list that set the field at `rest`.
    An expiration `date` counts as the shortest (0 days); a rule without an id is keyed by position."""
    rules = _at(value, (block,))
    found: dict[str, int | float] = {}
    for position, rule in enumerate(rules if isinstance(rules, list) else ()):
        enabled = _at(rule, ("status",)) == "Enabled" or _at(rule, ("enabled",)) is True
        days = _number(_at(rule, rest))
        if days is None and _at(rule, (*rest[:-1], "date")) not in (None, ""):
            days = 0
        if enabled and days is not None:
            rule_id = _at(rule, ("id",))
            found[rule_id if isinstance(rule_id, str) else f"#{position}"] = days
    return found


def _shown(value: object) -> str:
    """A value the table reads, for the summary: short, one line, printable."""
    if value is None or isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value) if len(str(value)) <= 20 else "(a huge number)"
    text = "".join(c if c.isprintable() else "?" for c in str(value)[:40])
    return f'"{text}"'


def _rules_unknown(marks: object, block: str, rest: Path) -> bool:
    """Whether the rules are unknown, or in one of them its id, its switch or anything of the
    expiration block that holds the field at `rest` (days, date)."""
    rules = _at(marks, (block,))
    if rules is True:
        return True
    # A rule's id, its switch, or anything of its expiration block (days, date).
    paths = (("id",), ("status",), ("enabled",), rest[:-1])
    return any(_marked(rule, path) for rule in (rules if isinstance(rules, list) else []) for path in paths)


def risks(kind: str, change: Mapping[str, Any]) -> tuple[Risk, ...]:
    """The risky updates among a change's values (the change object of a resource change that
    keeps an old object)."""
    found = []
    for row in BY_TYPE.get(kind, ()):
        path = row.path[:1] if RULE in row.path else row.path
        sensitive = _marked(change.get("before_sensitive"), path) or _marked(change.get("after_sensitive"), path)
        rules = RULE in row.path
        unknown = change.get("after_unknown")
        if _rules_unknown(unknown, str(path[0]), row.path[2:]) if rules else _marked(unknown, path):
            found.append(Risk(row, "unknown until apply"))
            continue
        risk = _rule_risk(row, change) if rules else _value_risk(row, change)
        if risk is not None:
            found.append(Risk(row, "(sensitive)" if sensitive else risk))
    return tuple(found)


def _rule_risk(row: Row, change: Mapping[str, Any]) -> str | None:
    block, rest = str(row.path[0]), row.path[2:]
    before, after = _rules(change.get("before"), block, rest), _rules(change.get("after"), block, rest)
    if not row.risky(before, after):
        return None
    changed = [r for r in after if r not in before or after[r] < before[r]]
    return ", ".join(f"rule {_shown(r)}: {_shown(before.get(r))} -> {_shown(after[r])} days" for r in changed[:3])


def _value_risk(row: Row, change: Mapping[str, Any]) -> str | None:
    before, after = _at(change.get("before"), row.path), _at(change.get("after"), row.path)
    return f"{_shown(before)} -> {_shown(after)}" if row.risky(before, after) else None
