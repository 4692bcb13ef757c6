"""Terraform in a stack's folder: the binary (TERRAFORM_BINARY_NAME, as the cdktf CLI honours it),
its runs, `terraform init` skipped while the key of what it depends on is unchanged, and the
warnings a plan printed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from output_folder import LOCK_FILE
from plan_review.failure import FAILED, Failure
from plan_review.fingerprint import file_sha256

INIT_MARK = "plan-review-init.sha256"  # inside .terraform: gone with it


@dataclass(frozen=True)
class Terraform:
    """Terraform run with `environ`; `shown` names a folder in messages."""

    environ: Mapping[str, str]
    out: TextIO
    err: TextIO
    shown: Callable[[Path], str]

    def run(
        self, args: Sequence[str], cwd: Path, capture: bool, capture_stderr: bool = False, private: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Terraform in `cwd`. Its output goes straight to the terminal unless captured.
        `private`: the files it writes are the user's alone (a saved plan holds the values of the
        variables)."""
        binary = self.binary()
        self.err.flush()
        self.out.flush()
        return subprocess.run(
            [binary, *args, *self._color()],
            cwd=cwd,
            env=dict(self.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture_stderr else None,
            text=True,
            check=False,
            umask=0o077 if private else -1,
        )

    def binary(self) -> str:
        binary = self.environ.get("TERRAFORM_BINARY_NAME") or "terraform"
        if shutil.which(binary, path=self.environ.get("PATH")) is None:
            raise Failure(FAILED, f"{binary} not found on PATH: install Terraform >= 1.10 (developer.hashicorp.com/terraform/install)")
        return binary

    def _color(self) -> list[str]:
        tty = self.out.isatty() and self.err.isatty()
        return [] if tty and not self.environ.get("NO_COLOR") else ["-no-color"]

    # --- init ---------------------------------------------------------------------------------

    def init_key(self, stack_dir: Path) -> str:
        """What `terraform init` depends on: the synthesized terraform block (backend, required
        providers and version), the modules' sources and versions, the providers, the lock file
        and the CLI configuration (provider installation)."""
        try:
            config = json.loads((stack_dir / "cdk.tf.json").read_text())
        except (OSError, ValueError):
            return "unreadable"
        modules = config.get("module") or {}
        cli_config = self.environ.get("TF_CLI_CONFIG_FILE") or ""
        key = {
            "terraform": config.get("terraform"),
            "modules": {name: [spec.get("source"), spec.get("version")] for name, spec in modules.items() if isinstance(spec, dict)},
            "providers": sorted(config.get("provider") or {}),
            "lock": file_sha256(stack_dir / LOCK_FILE),
            "cli_config": [cli_config, file_sha256(Path(cli_config)) if cli_config else ""],
        }
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()

    def init(self, stack_dir: Path, force: bool = False) -> bool:
        """`terraform init -input=false` unless the folder is initialized: skipped (returns False)
        when INIT_MARK holds the key of exactly this configuration, or, without a mark, when the
        folder has been initialized before (by `cdktf deploy`, say): the plan then says whether it
        needs an init, and plan_stack runs one and plans again. An init that would change nothing
        still hashes every provider binary."""
        mark = stack_dir / ".terraform" / INIT_MARK
        if not force:
            if mark.is_file() and mark.read_text() == self.init_key(stack_dir):
                return False
            if not mark.is_file() and mark.parent.is_dir() and (stack_dir / LOCK_FILE).is_file():
                return False
        with contextlib.suppress(FileNotFoundError):
            mark.unlink()
        where = self.shown(stack_dir)
        print(f"terraform init in {where} ...", file=self.err)
        result = self.run(["init", "-input=false"], stack_dir, capture=True)
        if result.returncode != 0:
            print(result.stdout, end="", file=self.out)
            raise Failure(FAILED, f"terraform init failed in {where} (exit status {result.returncode}; Terraform's message is above)")
        return True

    def mark_initialized(self, stack_dir: Path) -> None:
        """After a plan Terraform made without asking for an init: the folder suits this configuration."""
        mark = stack_dir / ".terraform" / INIT_MARK
        if mark.parent.is_dir():  # a configuration without providers, modules or backend has none
            mark.write_text(self.init_key(stack_dir))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def warnings_of(stdout: str) -> str:
    """The warnings Terraform printed on stdout after a plan (the errors go to stderr), as it
    printed them: from the first diagnostic (`Warning: ...`, or `╷` when coloured) to the rule
    (`───`) or "Saved the plan to", without the plan and the progress lines before them."""
    lines = stdout.splitlines()
    plain = [_ANSI.sub("", line) for line in lines]
    start = next((i for i, line in enumerate(plain) if line.startswith(("╷", "Warning: ", "Error: "))), None)
    if start is None:
        return ""
    end = next((i for i in range(start, len(plain)) if plain[i].startswith(("─", "Saved the plan to:"))), len(lines))
    return "\n".join(lines[start:end]).rstrip()
