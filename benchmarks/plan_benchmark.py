#!/usr/bin/env python
"""Reviewed-plan benchmark: `./scripts/plan wandb-storage` of an unchanged, deployed storage stack
against `terraform plan` alone plus one synth (issue: at most 1.5 times their sum).

    .venv/bin/python benchmarks/plan_benchmark.py [--rounds 5]

Deploys the storage stack of a temporary copy of the project to a local AWS emulator (moto on a
loopback port, as tests/test_storage_e2e.py does, with the same offline Terraform setup: the
provider mirror, nothing but loopback reachable) with ./scripts/plan and ./scripts/apply, then
measures in every round, in turn: the synth alone (cdktf.json's app, `python main.py`), `terraform
plan -input=false -out=...` alone in the stack's folder (with the var file ./scripts/plan passes),
and `./scripts/plan wandb-storage`. Prints the median of each (with min and max) and the ratio of
the third to the sum of the first two; exits with status 1 when a run fails or the ratio exceeds
1.5. Needs what the e2e test needs (tests/terraform_cli.py says what is missing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT_ROOT / "tests"), str(PROJECT_ROOT)]  # tests/helpers.py reads the app's settings package

from helpers import GUIDE_SETTINGS, write_settings  # noqa: E402
from terraform_cli import missing_tools, offline_env, write_cli_config  # noqa: E402

STACK = "wandb-storage"
REGION = "eu-central-1"
BOUND = 1.5
# What the copy leaves out (as tests/test_storage_e2e.py's NOT_COPIED, and the tool caches).
COPIED_OUT = (
    ".git", ".venv*", "node_modules", "cdktf.out", ".terraform", "*.tfstate*", "terraform.tfvars", ".state", "tests", "docs",
    "benchmarks", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"moto_server did not listen on port {port}")


def timed(command: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(command[:3])} exited with {result.returncode}:\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5), after one unmeasured")
    options = parser.parse_args()
    if reason := missing_tools():
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="plan-benchmark-") as folder:
        work = Path(folder)
        moto, endpoint = start_moto(work / "moto.log")
        try:
            root = work / "project"
            shutil.copytree(PROJECT_ROOT, root, ignore=shutil.ignore_patterns(*COPIED_OUT))
            (root / ".venv").symlink_to(PROJECT_ROOT / ".venv")
            settings = {**GUIDE_SETTINGS, "namespace": "bench", "region": REGION}
            write_settings(root, settings)
            env = offline_env(
                write_cli_config(work),
                {
                    "AWS_ENDPOINT_URL": endpoint,
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": REGION,
                },
            )
            print("deploying the storage stack to the emulator (./scripts/plan, ./scripts/apply) ...", file=sys.stderr)
            timed([str(root / "scripts" / "plan"), STACK], root, env)
            timed([str(root / "scripts" / "apply"), STACK], root, env)
            stack_dir = root / "cdktf.out" / "stacks" / STACK
            app = json.loads((root / "cdktf.json").read_text())["app"]
            synth_env = {**env, "CDKTF_OUTDIR": str(root / "cdktf.out")}
            commands = {
                "synth (python main.py)": (["/bin/sh", "-c", app], root, synth_env, (0,)),
                "terraform plan": (
                    ["terraform", "plan", "-input=false", "-no-color", "-out=bench.tfplan", f"-var-file={root / 'terraform.tfvars'}"],
                    stack_dir,
                    env,
                    (0,),
                ),
                "./scripts/plan wandb-storage": ([str(root / "scripts" / "plan"), STACK], root, env, (0,)),
            }
            times: dict[str, list[float]] = {name: [] for name in commands}
            for round_number in range(options.rounds + 1):
                for name, (command, cwd, run_env, ok) in commands.items():
                    elapsed = timed(command, cwd, run_env, ok)
                    if round_number:
                        times[name].append(elapsed)
        finally:
            moto.terminate()
            moto.wait(timeout=10)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:<30} median {medians[name]:6.2f} s  (min {min(values):.2f}, max {max(values):.2f}; {len(values)} runs)")
    names = list(commands)
    ratio = medians[names[2]] / (medians[names[0]] + medians[names[1]])
    print(f"ratio ./scripts/plan / (terraform plan + synth): {ratio:.2f} (bound {BOUND}); {os.cpu_count()} CPUs")
    return 0 if ratio <= BOUND else 1


if __name__ == "__main__":
    sys.exit(main())
