"""Every value of `wandb_infra_version` against the Kubernetes versions its nodes can run, and
the last day of AWS's EKS calendar. The expected answers are written here, per release, from the
README and the modules' upgrade guides: not read from release_catalog."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from helpers import GUIDE_SETTINGS, NEW_V8, POST_OPERATOR, PRE_OPERATOR

from release_catalog.layouts import INFRA_RELEASES
from settings import SettingsError, parse_settings

CALENDAR_DAY = date(2026, 11, 30)

# Per release: the settings of its layout, the versions its nodes run, and those refused.
# Before 8.0: Amazon Linux 2 nodes, no node images for 1.33 or later. 8.x: 1.30 to 1.35.
RANGES: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    "~> 7.0": (GUIDE_SETTINGS, ["1.25", "1.29", "1.32"], ["1.33", "1.35"]),
    "7.18.2": (GUIDE_SETTINGS, ["1.29", "1.32"], ["1.33", "1.34"]),
    "~> 8.0": (NEW_V8, ["1.30", "1.32", "1.35"], ["1.25", "1.29", "1.36"]),
    "8.0.0": (NEW_V8, ["1.30", "1.33", "1.35"], ["1.29", "1.36"]),
    "1.16.10": (PRE_OPERATOR, ["1.25", "1.32"], ["1.33"]),
    "4.7.2": (POST_OPERATOR, ["1.25", "1.32"], ["1.33"]),
}


def test_every_release_of_the_table_is_covered_here():
    assert sorted(RANGES) == sorted(INFRA_RELEASES)


def _parse(constraint: str, version: str) -> Any:
    values = {**RANGES[constraint][0], "wandb_infra_version": constraint, "eks_cluster_version": version}
    return parse_settings(values, "ranges.tfvars", today=CALENDAR_DAY)


@pytest.mark.parametrize("constraint, version", [(c, v) for c, (_, ok, _) in RANGES.items() for v in ok])
def test_versions_the_nodes_run_are_accepted(constraint, version):
    assert _parse(constraint, version).eks_cluster_version == version


@pytest.mark.parametrize("constraint, version", [(c, v) for c, (_, _, refused) in RANGES.items() for v in refused])
def test_versions_the_nodes_cannot_run_are_refused(constraint, version):
    with pytest.raises(SettingsError) as caught:
        _parse(constraint, version)
    assert caught.value.setting == "eks_cluster_version"
    assert "Amazon Linux 2 node" in caught.value.message or "supports Kubernetes 1.30 to 1.35" in caught.value.message


def _calendar_warnings(today: date) -> list[str]:
    settings = parse_settings({**NEW_V8, "eks_cluster_version": "1.35"}, "cal.tfvars", today=today)
    return [w.message for w in settings.warnings if w.setting == "eks_cluster_version"]


def test_the_calendars_last_day_is_still_extended_support():
    """1.35's extended support ends 2028-03-27: that day is in it, the next day past it."""
    (last_day,) = _calendar_warnings(date(2028, 3, 27))
    assert "1.35 is in extended support" in last_day and "2028-03-27" in last_day
    (after,) = _calendar_warnings(date(2028, 3, 28))
    assert "1.35 is past the end of extended support (2028-03-27)" in after
