"""What a secret looks like, shared by the settings loader (which refuses one in a setting that
is not the license) and the NO-SECRET-LITERALS rule (which refuses one in the synthesized JSON)."""

from __future__ import annotations

import re

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


def secret_kind(value: str) -> str | None:
    """What credential `value` contains ("an AWS access key id", ...), or None."""
    for label, pattern in SECRET_VALUE_PATTERNS:
        if pattern.search(value):
            return label
    return None
