"""The names other packages imported from here before the settings were split into a pipeline
(schema, fields, rules, values, naming, parse): kept so that their imports still work."""

from __future__ import annotations

from settings.naming import MAIN_STACK_KIND, STACK_KINDS, stack_id
from settings.parse import parse_settings
from settings.schema import ALIASES, APP_KEYS, KNOWN_MISTAKES, PRE_OPERATOR_ONLY, STATE_BUCKET_OPTIONS, Key
from settings.values import Settings, StateSettings, StorageSettings, fqdn

__all__ = [
    "ALIASES",
    "APP_KEYS",
    "KNOWN_MISTAKES",
    "MAIN_STACK_KIND",
    "PRE_OPERATOR_ONLY",
    "STACK_KINDS",
    "STATE_BUCKET_OPTIONS",
    "Key",
    "Settings",
    "StateSettings",
    "StorageSettings",
    "fqdn",
    "parse_settings",
    "stack_id",
]
