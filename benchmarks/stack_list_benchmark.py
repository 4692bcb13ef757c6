#!/usr/bin/env python
"""Stack-list benchmark: `./scripts/stacks --json` on a deployments folder of 20 deployments (issue
18: under 1 s), beside the same command on one deployment.

    .venv/bin/python benchmarks/stack_list_benchmark.py [--rounds 10] [--deployments 20]

Writes, in a temporary folder, a deployments folder as examples/deployments/ has it: its
`_defaults.tfvars`, and one file per deployment overriding the namespace, the subdomain and the
region (the deployments are checked against each other, so these must differ). Then runs the
command as CI does, a new process each time (Python's start, the settings package, every file
read and checked, the JSON printed), and prints the median wall time (with min and max) of each
folder. Exits with status 1 when a run fails, lists other stacks than expected, or the median for
the large folder is 1 s or more.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMMAND = [str(PROJECT_ROOT / "scripts" / "stacks"), "--json"]
BOUND_SECONDS = 1.0
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")


def deployments_folder(scratch: Path, count: int) -> Path:
    """examples/deployments' defaults and `count` deployments `team-01`, `team-02`, ..."""
    folder = scratch / f"deployments-{count}"
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "examples" / "deployments" / "_defaults.tfvars", folder / "_defaults.tfvars")
    for index in range(1, count + 1):
        name = f"team-{index:02d}"
        region = REGIONS[index % len(REGIONS)]
        (folder / f"{name}.tfvars").write_text(f'namespace = "wandb-{name}"\nsubdomain = "wandb-{name}"\nregion = "{region}"\n')
    return folder


def run_once(folder: Path, count: int) -> float:
    """One run of the command on `folder`: its wall time. Exits on a failed or wrong listing."""
    env = {k: v for k, v in os.environ.items() if k not in ("WANDB_TFVARS", "PYTHONPATH")}
    env["WANDB_DEPLOYMENTS"] = str(folder)
    started = time.perf_counter()
    result = subprocess.run(COMMAND, env=env, capture_output=True, text=True, cwd=folder.parent)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(COMMAND)} exited {result.returncode}: {result.stderr.strip()}")
    stacks = [entry["stack"] for entry in json.loads(result.stdout)]
    expected = [f"team-{i:02d}--{kind}" for i in range(1, count + 1) for kind in ("wandb", "wandb-storage")]
    if stacks != expected:
        sys.exit(f"error: listed {stacks}, expected {expected}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="measured runs per folder (default 10)")
    parser.add_argument("--deployments", type=int, default=20, help="deployments in the large folder (default 20)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stack-list-benchmark-") as scratch:
        folders = {count: deployments_folder(Path(scratch), count) for count in (1, options.deployments)}
        seconds: dict[int, list[float]] = {count: [] for count in folders}
        for count, folder in folders.items():
            run_once(folder, count)  # warm-up: the file system cache, Python's compiled modules
        for _ in range(options.rounds):
            for count, folder in folders.items():
                seconds[count].append(run_once(folder, count))
    print(f"{' '.join(Path(c).name if i == 0 else c for i, c in enumerate(COMMAND))}: median of {options.rounds} runs (min-max)")
    for count, runs in seconds.items():
        print(f"  {count:3d} deployment(s) ({2 * count:3d} stacks): {statistics.median(runs):.3f} s  ({min(runs):.3f}-{max(runs):.3f} s)")
    large = statistics.median(seconds[options.deployments])
    print(f"  bound: under {BOUND_SECONDS:.1f} s for {options.deployments} deployments: {'met' if large < BOUND_SECONDS else 'MISSED'}")
    return 0 if large < BOUND_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
