"""The summary of a review a person takes in at once (README, Reviewed plans): the judged changes
(refused, allowed, the rest), every address destroyed or replaced (grouped by module, long
groups capped with a count), the counts per module, the verdict. Addresses, types, actions,
reasons, attribute names, and the values of the risky-updates table unless marked sensitive:
no other value."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from plan_review.data_bearing import CONSENT_CLASSES
from plan_review.judge import DESTRUCTIVE, REASONS, Change, Review

# The summary's columns, in order; those after "delete" only when some change has them.
COLUMNS = ("create", "update", "replace", "delete", "forget", "read", "other", "no-op", "moved", "imported")
ALWAYS_SHOWN = frozenset({"create", "update", "replace", "delete", "no-op"})
HEADINGS = {"no-op": "unchanged"}
GROUP_CAP = 10  # addresses shown per module in "Destroyed or replaced"; the rest are counted


def render(result: Review, subject: str) -> str:
    lines = [f"Plan review: {subject}", ""]
    lines += _judged_lines(result)
    lines += _destroyed_lines(result.changes)
    lines += _module_lines(result.changes)
    lines.append("")
    lines += _verdict_lines(result)
    return "\n".join(lines) + "\n"


def judged(change: Change) -> bool:
    """Shown among the judged changes: a change that needs consent, and any other change of a
    data- or service-bearing (or unclassified) resource but a read or no-op."""
    if change.needs_consent:
        return True
    return change.mode == "managed" and change.resource_class[0] in CONSENT_CLASSES and change.kind not in ("no-op", "read")


def _judged_lines(result: Review) -> list[str]:
    allowed_by = {id(change): pattern for change, pattern in result.allowed}
    refused = {id(change) for change in result.refused}
    shown = [c for c in result.changes if judged(c)]
    if not shown:
        return ["Data-bearing resources: none changed. Service-bearing resources: none changed. Risky updates: none.", ""]

    def rank(change: Change) -> int:  # refused, allowed, the rest; each in the plan's order (by address)
        return 0 if id(change) in refused else 1 if id(change) in allowed_by else 2

    lines = [f"Data- and service-bearing resources changed, risky updates ({len(result.refused)} refused, {len(result.allowed)} allowed):"]
    for change in sorted(shown, key=rank):
        verdict = "REFUSED" if id(change) in refused else "allowed" if id(change) in allowed_by else "ok"
        extra = f"  (deposed object {change.deposed})" if change.deposed else ""
        lines.append(f"  {verdict:<8} {change.action_text:<30}  {change.address}  [{change.type}]{extra}")
        lines += [f"{'':11}{detail}" for detail in _details(change, allowed_by.get(id(change)))]
    return [*lines, ""]


def _details(change: Change, allowed_by: str | None) -> list[str]:
    details = []
    if change.replace_paths:
        details.append("forced by: " + ", ".join(change.replace_paths))
    if change.action_reason and not (change.action_reason == "replace_because_cannot_update" and change.replace_paths):
        details.append("why: " + REASONS.get(change.action_reason, change.action_reason))
    if change.previous_address:
        details.append(f"moved from {change.previous_address}")
    klass, reason = change.resource_class
    if change.needs_consent and klass in CONSENT_CLASSES and change.kind in DESTRUCTIVE:
        details.append(f"{klass}: {reason}")
    for risk in change.risks:
        row = risk.row
        details.append(f"risky update: {row.attribute} {row.condition} ({risk.detail}): {row.reason}")
    if change.deposed and change.needs_consent and allowed_by is None:
        details.append(f"consent for this deposed object: --allow '{change.consent_name}'")
    if allowed_by is not None:
        details.append(f"allowed by --allow {allowed_by}")
    return details


def _destroyed_lines(changes: Sequence[Change]) -> list[str]:
    """Every managed resource destroyed or replaced, whatever its class, grouped by module."""
    gone = [c for c in changes if c.mode == "managed" and (c.kind == "replace" or "delete" in c.actions)]
    if not gone:
        return []
    groups: dict[str, list[Change]] = {}
    for change in gone:
        groups.setdefault(change.module, []).append(change)
    lines = [f"Destroyed or replaced ({len(gone)}):"]
    for module in sorted(groups, key=lambda m: (m != "", m)):
        members = groups[module]
        tally = Counter(c.kind if c.kind != "other" else "+".join(c.actions) for c in members)
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(tally.items()))
        lines.append(f"  {module or '(root)'}  ({counts})")
        for change in members[:GROUP_CAP]:
            local = change.address.removeprefix(f"{module}.") if module else change.address
            deposed = f"  (deposed object {change.deposed})" if change.deposed else ""
            lines.append(f"    {change.kind if change.kind != 'other' else '+'.join(change.actions):<8} {local}{deposed}")
        if len(members) > GROUP_CAP:
            lines.append(f"    ... and {len(members) - GROUP_CAP} more in this module")
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


# The verdict's groups: (key, what is refused, what is allowed), in this order.
GROUPS = (
    ("data-bearing", "{n} data-bearing resource{s} would be destroyed or replaced without consent:",
     "every data-bearing resource destroyed or replaced ({n}) is allowed by --allow."),
    ("service-bearing", "{n} service-bearing resource{s} would be destroyed or replaced without consent (W&B goes down):",
     "every service-bearing resource destroyed or replaced ({n}) is allowed by --allow."),
    ("unclassified", "{n} resource{s} of a type this review has not classified would be destroyed or replaced without consent:",
     "every resource of an unclassified type destroyed or replaced ({n}) is allowed by --allow."),
    ("risky", "{n} risky update{s} without consent:", "every risky update ({n}) is allowed by --allow."),
)  # fmt: skip


def group(change: Change) -> str:
    """Which group of the verdict a change that needs consent is in."""
    klass = change.resource_class[0]
    return klass if klass in CONSENT_CLASSES and change.kind in DESTRUCTIVE else "risky"


def _verdict_lines(result: Review) -> list[str]:
    if result.refused:
        lines = []
        for key, refused, _ in GROUPS:
            members = [c for c in result.refused if group(c) == key]
            if members:
                lines.append("REFUSED: " + refused.format(n=len(members), s="s" if len(members) > 1 else ""))
                lines += [f"  {change.consent_name}  [{change.type}]{_risky_text(change)}" for change in members]
        lines.append("If that is intended, plan again with --allow ADDRESS for each (README, Reviewed plans).")
        return lines
    if result.allowed:
        counts = Counter(group(change) for change, _ in result.allowed)
        return ["PASSED: " + allowed.format(n=counts[key]) for key, _, allowed in GROUPS if counts[key]]
    return ["PASSED: no data-bearing resource is destroyed or replaced. Nor a service-bearing or unclassified one, and no update is risky."]


def _risky_text(change: Change) -> str:
    return "".join(f"  {risk.row.attribute} {risk.row.condition}" for risk in change.risks)
