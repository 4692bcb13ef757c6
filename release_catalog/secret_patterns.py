"""What a secret looks like, shared by the settings loader (which refuses one in a setting that
is not the license) and the NO-SECRET-LITERALS rule (which refuses one in the synthesized JSON)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Argument names that hold a secret (matched on whole words of the snake_case name).
SECRET_NAME = re.compile(
    r"(^|_)(license|password|passwd|passphrase|secrets?|token|api_key|apikey|access_key|secret_key|"
    r"private_key|client_key|client_secret|credentials?)($|_)",
    re.IGNORECASE,
)

# Values that are credentials whatever the argument is called: (what it is, pattern).
SECRET_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a URL with a password in it", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@${}]+:[^@\s/${}]+@", re.IGNORECASE)),
)


def strings_in(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(dotted path, string) for every string inside a setting or argument value, e.g.
    ("default_tags.license", "..."). Keys named "//" (cdktf's metadata) are skipped."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "//":
                yield from strings_in(item, f"{path}.{key}")


def secret_kind(value: str) -> str | None:
    """What credential `value` contains ("an AWS access key id", ...), or None."""
    for label, pattern in SECRET_VALUE_PATTERNS:
        if pattern.search(value):
            return label
    return None
