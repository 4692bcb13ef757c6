"""What a settings key is: its name, Terraform type, default, documentation and value check.
settings.schema lists the app's keys (APP_KEYS), settings.hcp_keys those of HCP Terraform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from release_catalog.layouts import Layout

Check = Callable[[Any], "str | None"]

REQUIRED = object()  # the default of a key that must be given
ALL_LAYOUTS = frozenset(Layout)


@dataclass(frozen=True)
class Key:
    """One of the app's own settings keys. `doc` is what messages quote; `explain` and
    `shown_default`, when set, what the README's settings table says instead."""

    name: str
    type: str  # a Terraform type expression
    default: Any
    doc: str
    check: Check | None = None
    secret: bool = False  # never echo the value in a message
    explain: str | None = None
    shown_default: str | None = None
    layouts: frozenset[Layout] = ALL_LAYOUTS  # the layouts that read it
