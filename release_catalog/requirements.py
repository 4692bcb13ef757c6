"""W&B's own requirements for a Self-Managed installation, and what each module release creates
against them. Settings below a requirement get a warning at synth (settings.requirements).

Source: docs.wandb.ai, "Self-Managed infrastructure requirements", as read for
shared/reference/FACTS.md on 2026-12-02. Re-check the page before relying on a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

REQUIREMENTS_SOURCE = 'docs.wandb.ai, "Self-Managed infrastructure requirements", read 2026-12-02'

# Aurora MySQL 3.x, at least 3.05.2 (the page also asks for MySQL 8.0.32 or newer).
MIN_AURORA_MYSQL = (3, 5, 2)
MIN_AURORA_MYSQL_TEXT = "3.05.2"
# The `database_engine_version` form AWS takes for that release of Aurora MySQL 3.
MIN_AURORA_ENGINE_VERSION = "8.0.mysql_aurora.3.05.2"

# Redis 7.x.
REDIS_MAJOR = 7

# Kubernetes: docs.wandb.ai lists v1.32 or newer; the page's newer copy (docs.coreweave.com) v1.34.
MIN_KUBERNETES = "1.32"
MIN_KUBERNETES_NEWEST_COPY = "1.34"

# The Redis each release of wandb/wandb/aws creates (with `create_elasticache`): no release has an
# input for it; `modules/redis/main.tf` hard-codes `local.redis_version` (read at the v1.16.10,
# v4.7.2, v7.18.2 and v8.0.0 tags of wandb/terraform-aws-wandb, 2026-12-02; FACTS.md: 8.0.0
# hard-codes Redis 7.1).
MODULE_REDIS_VERSION: Mapping[str, str] = {"1.16.10": "6.x", "4.7.2": "6.x", "7.18.2": "7.1", "8.0.0": "7.1"}

# `8.0.mysql_aurora.3.05.2` -> (3, 5, 2); `5.7.mysql_aurora.2.11.2` -> (2, 11, 2).
_AURORA_VERSION = re.compile(r"\d+\.\d+\.mysql_aurora\.(\d+)\.(\d+)\.(\d+)", re.ASCII)
# `8.0` (or `5.7`): only the MySQL line; AWS picks the Aurora release (its default for new clusters).
_MYSQL_LINE = re.compile(r"\d+\.\d+", re.ASCII)


def aurora_release(engine_version: str) -> tuple[int, int, int] | None:
    """The Aurora MySQL release an `engine_version` names, or None when it names none (e.g. "8.0",
    which leaves the release to AWS, or a form the app does not know)."""
    match = _AURORA_VERSION.fullmatch(engine_version.strip())
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def leaves_release_to_aws(engine_version: str) -> bool:
    """Whether `engine_version` names only the MySQL line ("8.0"), so AWS picks the Aurora release."""
    return _MYSQL_LINE.fullmatch(engine_version.strip()) is not None


def aurora_text(release: tuple[int, int, int]) -> str:
    """(3, 3, 0) -> "3.03.0", as AWS writes Aurora MySQL releases."""
    return f"{release[0]}.{release[1]:02d}.{release[2]}"


def redis_major(version: str) -> int | None:
    """ "6.x" -> 6, "7.1" -> 7."""
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else None
