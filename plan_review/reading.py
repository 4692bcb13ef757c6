"""Reading a `terraform show -json` document strictly: any input gives a plan document or one
PlanFormatError line (exit status 2), never a traceback.

Refused: bytes that are not UTF-8, JSON that is not exactly JSON (NaN, Infinity), a key twice in
one object (Terraform never writes one; with the last one winning a second `"type"` could hide
the first), a number with more digits than Python converts (4,300), nesting deeper than the
parser's recursion allows, and a document too large for memory."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


class PlanFormatError(Exception):
    """The document is not a plan this judge can read (exit status 2)."""


def _object(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise PlanFormatError(f"malformed plan: the key {printable(duplicate)!r} appears twice in one object")
    return result


def _constant(name: str) -> Any:
    raise PlanFormatError(f"not JSON: {name} is not a JSON number")


def load_plan(data: bytes) -> Any:
    """The JSON document in `data` (what `terraform show -json` printed)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PlanFormatError(
            f"not JSON: not UTF-8 text (byte {error.start}); a binary plan file? pass the output of `terraform show -json PLANFILE`"
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except RecursionError:
        raise PlanFormatError("malformed plan: nested too deeply to be a Terraform plan") from None
    except MemoryError:
        raise PlanFormatError("the plan is too large to read in this machine's memory") from None
    except PlanFormatError:
        raise
    except ValueError as error:
        message = str(error).split(";")[0] if "integer string conversion" in str(error) else str(error)
        raise PlanFormatError(f"not JSON ({message})") from None


def printable(text: str, limit: int = 60) -> str:
    """Input text for an error message: at most `limit` characters, each unprintable one as `?`."""
    shown = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return shown + ("..." if len(text) > limit else "")
