"""Which Kubernetes versions a release's EKS nodes can run, and AWS's EKS version calendar.

AWS creates clusters only at versions in standard support (14 months) or extended support (12
more months, at extra cost); it upgrades a cluster left past the end of extended support itself.
Releases of `wandb/wandb/aws` before 8.0 run Amazon Linux 2 nodes, and AWS publishes no AL2 node
images for Kubernetes 1.33 or later; 8.x runs Amazon Linux 2023 nodes, and its upgrade guide
names 1.30 to 1.35 as supported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

# Source: AWS's EKS Kubernetes version calendar (docs.aws.amazon.com,
# eks/latest/userguide/kubernetes-versions.html), as read for shared/reference/FACTS.md on
# 2026-11-30. Re-check it before relying on a date; add a row per new version.
CALENDAR_SOURCE = "AWS's EKS Kubernetes version calendar, read 2026-11-30"


@dataclass(frozen=True)
class SupportWindow:
    standard_end: date  # after this day: extended support, at extra cost
    extended_end: date  # after this day: AWS no longer creates clusters at it, and upgrades existing ones


# Versions before the table's first have all left extended support (before 1.29's end).
# 1.29-1.31: standard end = extended end less 12 months (FACTS.md gives the extended end only).
EKS_CALENDAR: Mapping[str, SupportWindow] = {
    "1.29": SupportWindow(date(2025, 3, 23), date(2026, 3, 23)),
    "1.30": SupportWindow(date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": SupportWindow(date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": SupportWindow(date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": SupportWindow(date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": SupportWindow(date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": SupportWindow(date(2027, 3, 27), date(2028, 3, 27)),
}

# The last Kubernetes version with Amazon Linux 2 EKS node images.
LAST_AL2_VERSION = "1.32"


def minor(version: str) -> tuple[int, int]:
    """ "1.29" -> (1, 29)."""
    match = re.fullmatch(r"(\d+)\.(\d+)", version)
    if not match:
        raise ValueError(f"not a Kubernetes minor version: {version!r}")
    return int(match.group(1)), int(match.group(2))


def calendar_note(version: str, today: date) -> str | None:
    """What AWS's calendar says about `version` on `today`, when it is worth a warning: past the
    end of extended support, or in extended support. None in standard support (or unknown)."""
    first = min(EKS_CALENDAR, key=minor)
    if minor(version) < minor(first):
        ended = EKS_CALENDAR[first].extended_end
        return (
            f"Kubernetes {version} is past the end of extended support (before {ended.isoformat()}, when {first}'s ended): "
            "AWS no longer creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy"
        )
    window = EKS_CALENDAR.get(version)
    if window is None:
        return None
    if today > window.extended_end:
        return (
            f"Kubernetes {version} is past the end of extended support ({window.extended_end.isoformat()}): AWS no longer "
            "creates clusters at it and upgrades existing ones itself; raise it one minor version per deploy"
        )
    if today > window.standard_end:
        return (
            f"Kubernetes {version} is in extended support, which costs extra, until {window.extended_end.isoformat()} "
            f"(standard support ended {window.standard_end.isoformat()}); plan the upgrade"
        )
    return None
