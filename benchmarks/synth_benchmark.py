#!/usr/bin/env python
"""Synth benchmark: the whole app with the fast_imports speed-up on and off.

    .venv/bin/python benchmarks/synth_benchmark.py [--rounds 3] [--warmup 1] [--only main|cli|deployments|scale]

Runs `python main.py` (every stack stacks.build_app registers) and `cdktf synth` through the CLI
(node_modules/.bin/cdktf), each with WANDB_CDKTF_FAST_IMPORTS=1 and =0, alternating the two in
every round (the order flips each round, so drift on a shared machine hits both alike). Prints
per mode the median wall time (with min and max), the ratio on/off, and peak memory:
- tree: the largest sum of RSS over the process and all its descendants (python, the jsii
  kernel's two node processes, and for the CLI the cdktf node process), sampled every 20 ms;
- largest process: the peak RSS of the single largest process in that tree (exact, from
  wait4's rusage, which covers descendants that were waited for).
Then (`deployments`) `python main.py` with the speed-up on, for a deployments folder of one and
of three deployments (the example settings as `_defaults.tfvars`, each deployment its own
namespace and subdomain), alternating: the median wall times and their ratio (issue: at most 2).
Then (`scale`) `python main.py` in a temporary copy of the project (tests/helpers.copy_project)
whose `deployments/` holds one deployment, and in another whose `deployments/` holds twenty (the
examples' layouts: mostly new 8.x and recommended 7.x, one pre-operator, one post-operator, shared
values in `_defaults.tfvars`), alternating: the median wall times, their ratio (at most 4) and the
peak RSS of the process tree (under 600 MB); exits with status 1 past either limit.
Checks that every run wrote the same output: every stack's cdk.tf.json byte for byte, the other
files (manifest.json) byte for byte once the names of the jsii kernel's per-run temporary folders
are masked, should annotation stack traces show them (they differ between any two runs, on or off). Exits with
status 1 if not, or if a run failed. Standard library only (the scale part reads the examples with
the project's settings package, so run it with the project's .venv); Linux (/proc).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SWITCH = "WANDB_CDKTF_FAST_IMPORTS"
MODES = {"on": "1", "off": "0"}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.02

# Annotations (warnings) in manifest.json carry stack traces unless the app turns them off
# (cdktf's default is on); their paths name the jsii kernel's temporary folders, which differ
# between any two runs, with or without the speed-up.
RUN_TEMP_DIR = re.compile(rb"/(jsii-kernel-[A-Za-z0-9]{6}|tmp[a-z0-9_]{8})/")


@dataclass
class Run:
    target: str
    mode: str
    seconds: float
    tree_peak_bytes: int
    largest_process_peak_bytes: int
    returncode: int
    stderr: str
    output: dict[str, bytes]


def descendants(pid: int) -> list[int]:
    """pid and every process below it, from /proc/<pid>/task/<tid>/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def measure(command: list[str], env: dict[str, str], outdir: Path, target: str, mode: str, cwd: Path = PROJECT_ROOT) -> Run:
    if outdir.exists():
        shutil.rmtree(outdir)
    with tempfile.TemporaryFile() as stderr_file:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr_file)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, sum(rss_bytes(pid) for pid in descendants(process.pid)))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr_file.seek(0)
        stderr = stderr_file.read().decode(errors="replace")
    output = {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()} if outdir.exists() else {}
    return Run(target, mode, seconds, peak, usage.ru_maxrss * 1024, process.returncode, stderr, output)


def machine() -> str:
    cpu = "unknown CPU"
    memory = "unknown memory"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() or "no node"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Node.js {node}"
    )


def base_env(settings: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (SWITCH, "CDKTF_OUTDIR", "NODE_OPTIONS")}
    if os.environ.get("NODE_OPTIONS") and "lazy_provider_index" not in os.environ["NODE_OPTIONS"]:
        env["NODE_OPTIONS"] = os.environ["NODE_OPTIONS"]
    env["WANDB_TFVARS"] = str(settings)
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    env["CHECKPOINT_DISABLE"] = "1"  # no cdktf CLI telemetry / version check
    return env


def gib(value: int) -> str:
    return f"{value / 1024**3:.2f} GiB" if value >= 1024**3 else f"{value / 1024**2:.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds; each runs on and off (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (default 1)")
    parser.add_argument(
        "--only",
        choices=("main", "cli", "deployments", "scale"),
        help="only `python main.py`, only `cdktf synth`, only 1 vs 3 deployments, or only 1 vs 20 deployments",
    )
    parser.add_argument(
        "--settings", type=Path, default=PROJECT_ROOT / "terraform.tfvars.example", help="settings file (default: the example)"
    )
    args = parser.parse_args()

    cli = PROJECT_ROOT / "node_modules" / ".bin" / "cdktf"
    targets = {
        "main": ("python main.py", lambda out: [sys.executable, str(PROJECT_ROOT / "main.py")]),
        "cli": ("cdktf synth (CLI)", lambda out: [str(cli), "synth", "--output", str(out)]),
    }
    if args.only in ("deployments", "scale"):
        targets = {}
    elif args.only:
        targets = {args.only: targets[args.only]}
    elif not cli.exists():
        print(f"note: {cli} is missing (run ./scripts/setup); benchmarking python main.py only", file=sys.stderr)
        del targets["cli"]

    print(f"machine: {machine()}")
    print(f"settings: {args.settings}; {args.rounds} rounds (+{args.warmup} warm-up), on/off alternating")
    env = base_env(args.settings.resolve())
    failed = False
    with tempfile.TemporaryDirectory(prefix="synth-benchmark-") as scratch:
        for target, (label, command) in targets.items():
            runs: list[Run] = []
            for round_index in range(args.warmup + args.rounds):
                order = ["on", "off"] if round_index % 2 == 0 else ["off", "on"]
                for mode in order:
                    outdir = Path(scratch) / f"{target}-{mode}-{round_index}"
                    run_env = {**env, SWITCH: MODES[mode]}
                    if target == "main":
                        run_env["CDKTF_OUTDIR"] = str(outdir)
                    run = measure(command(outdir), run_env, outdir, target, mode)
                    warm = " (warm-up)" if round_index < args.warmup else ""
                    print(
                        f"  {label:18} {mode:3} {run.seconds:7.2f} s  tree {gib(run.tree_peak_bytes):>9}  "
                        f"largest process {gib(run.largest_process_peak_bytes):>9}{warm}",
                        flush=True,
                    )
                    if run.returncode != 0 or not run.output:
                        print(f"error: {label} ({mode}) exited {run.returncode}:\n{run.stderr[-3000:]}", file=sys.stderr)
                        return 1
                    if mode == "on" and "fast_imports:" in run.stderr:
                        print(f"warning: the speed-up fell back to plain imports:\n{run.stderr}", file=sys.stderr)
                    if round_index >= args.warmup:
                        runs.append(run)
            failed |= report(label, runs)
        if args.only in (None, "deployments"):
            failed |= deployments_benchmark(Path(scratch), env, args.settings.resolve(), args.rounds, args.warmup)
        if args.only in (None, "scale"):
            failed |= scale_benchmark(Path(scratch), env, args.rounds, args.warmup)
    return 1 if failed else 0


DEPLOYMENT_NAMES = ("alpha", "beta", "gamma")


def deployments_folder(scratch: Path, settings: Path, count: int) -> Path:
    """A deployments folder: `settings` as the defaults, `count` deployments overriding the
    namespace and subdomain (which must differ between deployments)."""
    folder = scratch / f"deployments-{count}"
    folder.mkdir()
    (folder / "_defaults.tfvars").write_text(settings.read_text())
    for name in DEPLOYMENT_NAMES[:count]:
        (folder / f"{name}.tfvars").write_text(f'namespace = "{name}"\nsubdomain = "{name}"\n')
    return folder


@dataclass
class CountRuns:
    """The measured runs of `python main.py` for one number of deployments."""

    seconds: list[float]
    tree_peak_bytes: int = 0
    largest_process_peak_bytes: int = 0


def alternate_counts(
    counts: tuple[int, int], setup: Callable[[int, int], tuple[Path, dict[str, str], Path]], rounds: int, warmup: int
) -> dict[int, CountRuns] | None:
    """`python main.py` (speed-up on) for each number of deployments, the two alternating; `setup`
    gives (project root, environment, output folder) for (count, round). None when a run failed or
    did not write two stacks per deployment."""
    found = {count: CountRuns([]) for count in counts}
    for round_index in range(warmup + rounds):
        for count in counts if round_index % 2 == 0 else counts[::-1]:
            root, run_env, outdir = setup(count, round_index)
            run = measure([sys.executable, str(root / "main.py")], {**run_env, SWITCH: MODES["on"]}, outdir, "deployments", "on", cwd=root)
            warm = " (warm-up)" if round_index < warmup else ""
            stacks = sorted({name.split("/")[1] for name in run.output if name.startswith("stacks/")})
            print(
                f"  python main.py, {count:2} deployment(s) {run.seconds:7.2f} s  tree {gib(run.tree_peak_bytes):>9}  "
                f"largest process {gib(run.largest_process_peak_bytes):>9}{warm}",
                flush=True,
            )
            if run.returncode != 0 or len(stacks) != 2 * count:
                print(f"error: {count} deployment(s) exited {run.returncode} with stacks {stacks}:\n{run.stderr[-3000:]}", file=sys.stderr)
                return None
            if round_index >= warmup:
                runs = found[count]
                runs.seconds.append(run.seconds)
                runs.tree_peak_bytes = max(runs.tree_peak_bytes, run.tree_peak_bytes)
                runs.largest_process_peak_bytes = max(runs.largest_process_peak_bytes, run.largest_process_peak_bytes)
    return found


def deployments_benchmark(scratch: Path, env: dict[str, str], settings: Path, rounds: int, warmup: int) -> bool:
    """`python main.py` (speed-up on) for one deployment and for three; True when a run failed."""
    folders = {count: deployments_folder(scratch, settings, count) for count in (1, 3)}
    base = {k: v for k, v in env.items() if k != "WANDB_TFVARS"}

    def setup(count: int, round_index: int) -> tuple[Path, dict[str, str], Path]:
        outdir = scratch / f"deployments-out-{count}-{round_index}"
        return PROJECT_ROOT, {**base, "WANDB_DEPLOYMENTS": str(folders[count]), "CDKTF_OUTDIR": str(outdir)}, outdir

    found = alternate_counts((1, 3), setup, rounds, warmup)
    if found is None:
        return True
    one, three = statistics.median(found[1].seconds), statistics.median(found[3].seconds)
    print(f"\npython main.py, deployments folder: median of {rounds} runs each (speed-up on)")
    print(f"  1 deployment  (2 stacks): {one:6.2f} s   peak RSS tree {gib(found[1].tree_peak_bytes)}")
    print(f"  3 deployments (6 stacks): {three:6.2f} s   peak RSS tree {gib(found[3].tree_peak_bytes)}")
    print(f"  ratio 3/1: {three / one:.2f} (at most 2: the bindings load once, whatever the number of deployments)\n")
    return False


# Twenty deployments of one organisation: (name, layout: the examples/<layout>.tfvars it starts
# from, region). Mostly new 8.x and recommended 7.x; one of each operator generation.
SCALE_DEPLOYMENTS = (
    *((name, "new-8x", region) for name, region in (
        ("prod-eu", "eu-west-1"), ("prod-us", "us-east-1"), ("prod-ap", "ap-southeast-1"), ("staging", "eu-central-1"),
        ("dev", "eu-central-1"), ("research", "us-west-2"), ("vision", "us-east-2"), ("nlp", "eu-west-2"),
        ("robotics", "us-west-2"), ("speech", "eu-north-1"), ("qa", "eu-central-1"), ("sandbox", "us-east-1"),
    )),
    *((name, "guide", region) for name, region in (
        ("legacy-eu", "eu-west-1"), ("legacy-us", "us-east-1"), ("finance", "eu-central-1"), ("health", "us-east-2"),
        ("partner-a", "eu-west-3"), ("partner-b", "ca-central-1"),
    )),
    ("ops-pre", "pre-operator", "us-west-1"),
    ("ops-post", "post-operator", "us-west-1"),
)  # fmt: skip
# Shared by every deployment: _defaults.tfvars (each deployment's file overrides any key), with a
# stand-in license (not a real one), as an organisation with one license keeps it.
SCALE_DEFAULTS = {
    "license": "benchmark-stand-in-license",
    "domain_name": "wandb.acme.dev",
    "zone_id": "Z032246913CW32RVRY0WU",
    "allowed_inbound_cidr": ["203.0.113.0/24"],
    "allowed_inbound_ipv6_cidr": ["2001:db8::/32"],
    "default_tags": {"Team": "ml-platform"},
    "state_bucket": "acme-terraform-state",
    "state_region": "eu-central-1",
}
SCALE_COUNTS = (1, 20)
SCALE_MAX_RATIO = 4.0
SCALE_MAX_PEAK_BYTES = 600 * 1000**2


def scale_project(scratch: Path, count: int) -> Path:
    """A copy of the project, as the tests make one, whose deployments/ holds the first `count`
    deployments of SCALE_DEPLOYMENTS."""
    for folder in (PROJECT_ROOT / "tests", PROJECT_ROOT):  # the app's packages, as tests/conftest.py adds them
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    from helpers import copy_project, example, to_hcl  # type: ignore[import-not-found]  # tests/helpers.py, on sys.path now

    root: Path = copy_project(scratch / f"scale-{count}" / "project")
    folder = root / "deployments"
    folder.mkdir()
    (folder / "_defaults.tfvars").write_text(to_hcl(SCALE_DEFAULTS))
    for index, (name, layout, region) in enumerate(SCALE_DEPLOYMENTS[:count]):
        values = {k: v for k, v in example(layout).items() if k not in SCALE_DEFAULTS}
        values.update(namespace=f"wandb-{name}", subdomain=name, region=region)
        if layout in ("new-8x", "guide"):
            values["size"] = ("small", "medium", "large")[index % 3]
        if layout == "guide":  # a 7.x cluster kept at the last version of its Amazon Linux 2 nodes
            values["eks_cluster_version"] = "1.32"
        (folder / f"{name}.tfvars").write_text(to_hcl(values))
    return root


def scale_benchmark(scratch: Path, env: dict[str, str], rounds: int, warmup: int) -> bool:
    """`python main.py` (speed-up on) in a project whose deployments/ holds one deployment and in
    one that holds twenty; True when a run failed or a limit was passed."""
    roots = {count: scale_project(scratch, count) for count in SCALE_COUNTS}
    base = {k: v for k, v in env.items() if k not in ("WANDB_TFVARS", "WANDB_DEPLOYMENTS")}

    def setup(count: int, round_index: int) -> tuple[Path, dict[str, str], Path]:
        outdir = roots[count] / "cdktf.out"
        return roots[count], {**base, "CDKTF_OUTDIR": str(outdir)}, outdir

    found = alternate_counts(SCALE_COUNTS, setup, rounds, warmup)
    if found is None:
        return True
    one, many = (statistics.median(found[count].seconds) for count in SCALE_COUNTS)
    ratio = many / one
    print(f"\npython main.py, a deployments folder in a copy of the project: median of {rounds} runs each (speed-up on)")
    for count, runs in found.items():
        print(
            f"  {count:2} deployment(s) ({2 * count:2} stacks): {statistics.median(runs.seconds):6.2f} s "
            f"(min {min(runs.seconds):.2f}, max {max(runs.seconds):.2f})   peak RSS tree {gib(runs.tree_peak_bytes)}, "
            f"largest process {gib(runs.largest_process_peak_bytes)}"
        )
    peak = found[SCALE_COUNTS[-1]].tree_peak_bytes
    over = []
    if ratio > SCALE_MAX_RATIO:
        over.append(f"ratio above {SCALE_MAX_RATIO:g}")
    if peak >= SCALE_MAX_PEAK_BYTES:
        over.append(f"peak RSS tree at or above {SCALE_MAX_PEAK_BYTES // 1000**2} MB")
    verdict = "; ".join(over) if over else f"within at most {SCALE_MAX_RATIO:g} and under {SCALE_MAX_PEAK_BYTES // 1000**2} MB"
    print(f"  ratio {SCALE_COUNTS[-1]}/{SCALE_COUNTS[0]}: {ratio:.2f}, peak {peak / 1000**2:.0f} MB: {verdict}\n")
    return bool(over)


def report(label: str, runs: list[Run]) -> bool:
    by_mode = {mode: [r for r in runs if r.mode == mode] for mode in MODES}
    median = {mode: statistics.median(r.seconds for r in rs) for mode, rs in by_mode.items()}
    print(f"\n{label}: median of {len(by_mode['on'])} runs per mode")
    print(f"  {'':4} {'median':>9} {'min':>8} {'max':>8} {'peak RSS tree':>14} {'peak RSS largest process':>25}")
    for mode, rs in by_mode.items():
        seconds = [r.seconds for r in rs]
        print(
            f"  {mode:4} {median[mode]:8.2f}s {min(seconds):7.2f}s {max(seconds):7.2f}s "
            f"{gib(max(r.tree_peak_bytes for r in rs)):>14} {gib(max(r.largest_process_peak_bytes for r in rs)):>25}"
        )
    print(f"  ratio on/off (median wall time): {median['on'] / median['off']:.3f}  ({median['off'] / median['on']:.1f}x faster)")
    reference = by_mode["off"][0].output
    different = [f"{r.mode} run {i}" for i, r in enumerate(runs) if not same_output(r.output, reference)]
    stacks = sorted({name.split("/")[1] for name in reference if name.startswith("stacks/")})
    if different:
        print(f"  OUTPUT DIFFERS from the first off run: {', '.join(different)}")
        return True
    masked = sorted({name for r in runs for name in r.output if r.output[name] != reference[name]})
    note = f"; per-run temp folder names masked in {', '.join(masked)}" if masked else ""
    print(f"  output: identical in all {len(runs)} runs ({len(reference)} files, stacks: {', '.join(stacks)}{note})\n")
    return False


def same_output(output: dict[str, bytes], reference: dict[str, bytes]) -> bool:
    if sorted(output) != sorted(reference):
        return False
    for name, content in output.items():
        if name.endswith("cdk.tf.json"):
            if content != reference[name]:
                return False
        elif RUN_TEMP_DIR.sub(b"/<tmp>/", content) != RUN_TEMP_DIR.sub(b"/<tmp>/", reference[name]):
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
