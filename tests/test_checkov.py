"""Policy scan: checkov over every stack the app synthesizes, in every layout and option the
settings choose between, with zero failed checks. A check the app deliberately does not meet is
skipped in tests/checkov_skips.toml, for named resources, with a reason (docs/security.md).

checkov runs from its own virtualenv (.venv-checkov, made by scripts/setup from
tests/checkov_requirements.txt; its pins conflict with the Pipfile's), offline: no platform API key,
no policy-metadata download, no update check, no module download.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, PROJECT_ROOT, synth_app

SKIPS_FILE = Path(__file__).with_name("checkov_skips.toml")
SECURITY_DOC = PROJECT_ROOT / "docs" / "security.md"
CHECKOV = Path(os.environ.get("CHECKOV_BIN", PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"))

PRE_OPERATOR = {
    **{k: v for k, v in GUIDE_SETTINGS.items() if k not in ("eks_cluster_version", "allowed_inbound_cidr", "allowed_inbound_ipv6_cidr")},
    "allowed_inbound_cidr": ["0.0.0.0/0"],
    "allowed_inbound_ipv6_cidr": ["::/0"],
    "wandb_infra_version": "1.16.10",
    "wandb_version": "0.51.2",
}

# Every layout and every option that changes what is synthesized.
VARIANTS = {
    "guide": GUIDE_SETTINGS,
    "options": {**GUIDE_SETTINGS, "use_internal_queue": False, "create_elasticache": False, "deletion_protection": False},
    "remote_state": {**GUIDE_SETTINGS, "state_bucket": "acme-tf-state", "state_lock_table": "tf-locks"},
    "pre_operator": PRE_OPERATOR,
    "post_operator": {
        **{k: v for k, v in PRE_OPERATOR.items() if k != "wandb_version"},
        "wandb_infra_version": "4.7.2",
        "eks_cluster_version": "1.25",
        "size": "small",
    },
    "v8": {
        **GUIDE_SETTINGS,
        "wandb_infra_version": "8.0.0",
        "eks_cluster_version": "1.35",
        "kubernetes_legacy_cluster_creator_admin": False,
    },
    "storage_options": {
        **GUIDE_SETTINGS,
        "storage_bucket_name": "acme-wandb-files",
        "storage_node_role_name": "wandb-node-role",
        "storage_force_destroy": True,
        "storage_noncurrent_version_days": 7,
    },
}

# checkov 3.3.30's terraform_json parser fails on a `terraform` block holding a plain string
# (`required_version`; bridgecrewio/checkov#7454, fix pending in #7467) and then reports a parsing
# error and no checks. No checkov check reads that key, so the scanned copy leaves it out.
UNPARSEABLE_TERRAFORM_KEYS = ("required_version",)


def checkov_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_", "CKV_", "CHECKOV_"))}
    env.update(
        BC_SKIP_MAPPING="TRUE",  # no policy-metadata download from the platform
        CKV_SKIP_PACKAGE_UPDATE_CHECK="true",  # no version check against PyPI
        DOWNLOAD_EXTERNAL_MODULES="false",
        LOG_LEVEL="WARNING",
    )
    return env


def checkov_command(scan_dir: Path) -> list[str]:
    return [
        str(CHECKOV),
        "--directory",
        str(scan_dir),
        "--framework",
        "terraform_json",
        "--output",
        "json",
        "--skip-download",  # nothing from the platform (guidelines, custom policies, suppressions)
        "--download-external-modules",
        "false",  # the W&B modules stay unresolved registry calls
    ]


def load_skips() -> list[dict]:
    return tomllib.loads(SKIPS_FILE.read_text())["skip"]


def _known(settings: dict) -> bool:
    from release_catalog import layouts
    from release_catalog.releases import normalize_constraint
    from settings import APP_KEYS

    release = layouts.INFRA_RELEASES[normalize_constraint(settings.get("wandb_infra_version", layouts.DEFAULT_INFRA_VERSION))].release
    return all(k in APP_KEYS or k == "wandb_license" or release.declares(k) for k in settings)


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """Synthesizes every variant once, runs checkov once over all of the stacks (under the network
    guard below); returns (report, {scanned file: (variant, stack)}, the scanned folder, what the
    guard saw)."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}; run ./scripts/setup (it makes .venv-checkov)")
    root = tmp_path_factory.mktemp("checkov")
    scan_dir = root / "scan"
    files = {}
    for variant, settings in VARIANTS.items():
        if not _known(settings):
            continue  # a setting this tree does not have yet
        (root / "synth" / variant).mkdir(parents=True)
        stacks = synth_app(settings, root / "synth" / variant)
        for stack, config in stacks.items():
            terraform = config.get("terraform", {})
            dropped = [k for k in terraform if not isinstance(terraform[k], dict)]
            assert set(dropped) <= set(UNPARSEABLE_TERRAFORM_KEYS), dropped
            config["terraform"] = {k: v for k, v in terraform.items() if k not in dropped}
            target = scan_dir / variant / stack / "cdk.tf.json"
            target.parent.mkdir(parents=True)
            target.write_text(json.dumps(config, indent=2))
            files[f"/{variant}/{stack}/cdk.tf.json"] = (variant, stack)
    # The one scan every test reads, under the network guard: test_checkov_makes_no_network_connection
    # checks what the guard saw.
    result, network = run_guarded(checkov_command(scan_dir), checkov_env(), root)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov printed no JSON report (exit {result.returncode}):\n{result.stderr[-3000:]}")
    if isinstance(report, list):  # one report per framework; we ask for one
        assert len(report) == 1, [r.get("check_type") for r in report]
        report = report[0]
    shutil.rmtree(root / "synth", ignore_errors=True)
    return report, files, scan_dir, network


def covering_skip(check: dict, skips: list[dict]) -> dict | None:
    for skip in skips:
        if skip["check"] == check["check_id"] and any(fnmatch.fnmatchcase(check["resource"], p) for p in skip["resources"]):
            return skip
    return None


def test_checkov_parses_every_stack(scan):
    report, files, _, _ = scan
    assert report["summary"]["parsing_errors"] == 0, report["results"].get("parsing_errors")
    scanned = {c["file_path"] for kind in ("passed_checks", "failed_checks") for c in report["results"][kind]}
    assert set(files) <= scanned, f"checkov ran no check on {sorted(set(files) - scanned)}"
    assert {stack for _, stack in files.values()} >= {"wandb"}


def test_checkov_finds_no_failure_that_is_not_skipped_with_a_reason(scan):
    report, files, _, _ = scan
    skips = load_skips()
    unexcused = [
        f"{files.get(c['file_path'], c['file_path'])}: {c['check_id']} {c['check_name']} on {c['resource']}"
        for c in report["results"]["failed_checks"]
        if covering_skip(c, skips) is None
    ]
    assert unexcused == [], "checkov failures with no entry in tests/checkov_skips.toml:\n" + "\n".join(unexcused)


def test_every_skip_still_excuses_a_failure(scan):
    report, _, _, _ = scan
    failed = report["results"]["failed_checks"]
    stale = [s["check"] for s in load_skips() if not any(covering_skip(c, [s]) is s for c in failed)]
    assert stale == [], f"skips that excuse nothing any more (remove them and their docs/security.md entry): {stale}"


def test_every_skip_is_narrow_and_has_a_reason():
    for skip in load_skips():
        assert skip["check"].startswith(("CKV_", "CKV2_")), skip
        assert skip["resources"], f"{skip['check']}: name the resources it is skipped for"
        assert all(p.strip() not in ("*", "") and "." in p for p in skip["resources"]), (
            f"{skip['check']}: no blanket skips; name the resource type and name (globs allowed after the type)"
        )
        assert len(" ".join(skip["reason"].split())) >= 120, f"{skip['check']}: the reason is too short to review"


def test_every_skip_is_documented():
    text = SECURITY_DOC.read_text()
    missing = [s["check"] for s in load_skips() if s["check"] not in text]
    assert missing == [], f"docs/security.md does not explain {missing}"


# Runs checkov with Python's socket layer refusing (and logging) every name lookup and every
# IPv4/IPv6 connection, so any attempt to reach the network shows up, whatever library makes it.
NETWORK_GUARD = r"""
import socket, sys
log = sys.argv.pop(1)
def record(what):
    with open(log, "a") as f:
        f.write(what + "\n")
def getaddrinfo(host, *args, **kwargs):
    record(f"getaddrinfo {host!r}")
    raise socket.gaierror(socket.EAI_NONAME, "network disabled by the test")
real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        record(f"connect {address!r}")
        raise OSError("network disabled by the test")
    return real_connect(self, address)
def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        record(f"connect {address!r}")
        return 101
    return real_connect_ex(self, address)
socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = getaddrinfo, connect, connect_ex
sys.argv[0] = "checkov"
from checkov.main import Checkov
sys.exit(Checkov().run())
"""


def run_guarded(command: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    """checkov's `command` under the guard: its result, and every lookup and connection it tried."""
    log = cwd / "network.log"
    python = CHECKOV.parent / "python"
    result = subprocess.run(
        [str(python), "-c", NETWORK_GUARD, str(log), *command[1:]], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )
    assert result.stdout.lstrip().startswith(("{", "[")), result.stderr[-2000:]
    return result, log.read_text().splitlines() if log.exists() else []


def test_checkov_makes_no_network_connection(scan, tmp_path):
    """The scan neither needs nor talks to the Prisma Cloud platform, PyPI or a module registry:
    with the options and environment above, checkov makes no name lookup and opens no internet
    connection (the guard is shown to work: without them, checkov does both)."""
    _, _, scan_dir, network = scan  # the scan ran under the guard with checkov_command and checkov_env
    env = checkov_env()
    assert not any(k in env for k in ("BC_API_KEY", "PRISMA_API_URL"))
    assert network == []

    defaults = {k: v for k, v in env.items() if k not in ("BC_SKIP_MAPPING", "CKV_SKIP_PACKAGE_UPDATE_CHECK")}
    (tmp_path / "defaults").mkdir()
    _, attempts = run_guarded(
        [str(CHECKOV), "--directory", str(scan_dir), "--framework", "terraform_json", "--output", "json"], defaults, tmp_path / "defaults"
    )
    assert attempts, "the guard saw nothing even with checkov's defaults: it no longer sees checkov's calls"
