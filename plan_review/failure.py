"""Exit statuses (README, Reviewed plans) and the exception that stops a command with one."""

from __future__ import annotations

PASSED, FAILED, BAD_INPUT, REFUSED = 0, 1, 2, 3


class Failure(Exception):
    """Stops a command with an exit status and a one-line message (None: already shown)."""

    def __init__(self, status: int, message: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
