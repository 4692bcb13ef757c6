"""`./scripts/plan --json FILE`: judge a saved `terraform show -json` plan ("-": standard input),
and the judging both commands share. Any input gives a verdict or one line and exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from plan_review.failure import BAD_INPUT, PASSED, REFUSED, Failure
from plan_review.judge import Review, parse_plan, review
from plan_review.reading import PlanFormatError, load_plan
from plan_review.summary import render


def judge_text(data: bytes | str, allows: Sequence[str], where: str) -> Review:
    """The review of a plan document; Failure(BAD_INPUT) naming `where` when it cannot be read."""
    try:
        return review(parse_plan(load_plan(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)), allows)
    except PlanFormatError as error:
        raise Failure(BAD_INPUT, f"{where}: {error}") from None
    except (RecursionError, MemoryError):
        raise Failure(BAD_INPUT, f"{where}: the plan is too large or too deeply nested to judge") from None


def judge_file(path: str, allows: Sequence[str], out: TextIO, err: TextIO) -> int:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise Failure(BAD_INPUT, f"{path}: no such plan file") from None
    except IsADirectoryError:
        raise Failure(BAD_INPUT, f"{path}: a folder, not a plan file") from None
    except OSError as error:
        raise Failure(BAD_INPUT, f"{path}: cannot read it ({error.strerror})") from None
    except MemoryError:
        raise Failure(BAD_INPUT, f"{path}: too large to read in this machine's memory") from None
    result = judge_text(data, allows, path)
    print(render(result, "standard input" if path == "-" else path), end="", file=out)
    warn_unused(result, err)
    return PASSED if result.passed else REFUSED


def warn_unused(result: Review, err: TextIO) -> None:
    for pattern in result.unused_allows:
        print(f"warning: --allow {pattern}: this plan has no change that needs consent at that address", file=err)
