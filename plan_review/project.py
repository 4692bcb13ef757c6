"""The cdktf project: cdktf.json's "app" and output folder, the synthesis, the stacks of the
manifest, and the provider lock files kept at the project root."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from output_folder import LOCK_FILE, LOCKS_DIR, committed_lock_file
from plan_review.failure import BAD_INPUT, FAILED, Failure


@dataclass(frozen=True)
class Project:
    """The project at `root`, as the cdktf CLI would run it with `environ`; `out` and `err` are
    the command's own output."""

    root: Path
    environ: Mapping[str, str]
    out: TextIO
    err: TextIO

    # --- where things are ---------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        path = self.root / "cdktf.json"
        try:
            config = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise Failure(BAD_INPUT, f"{path}: cannot read the cdktf configuration ({error})") from None
        if not isinstance(config, dict) or not isinstance(config.get("app"), str):
            raise Failure(BAD_INPUT, f'{path}: no "app" command')
        return config

    def outdir(self) -> Path:
        """CDKTF_OUTDIR, else cdktf.json's "output", else cdktf.out; relative names are taken from
        the project root, where the cdktf CLI runs the app."""
        path = Path(str(self.environ.get("CDKTF_OUTDIR") or self.config().get("output") or "cdktf.out"))
        return path if path.is_absolute() else self.root / path

    def shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    # --- synthesis ----------------------------------------------------------------------------

    def synthesize(self, then: str = "nothing was planned") -> dict[str, Path]:
        """Runs cdktf.json's "app" command (`.venv/bin/python main.py`) from the project root, as
        `cdktf synth` does, with CDKTF_OUTDIR set; its messages go straight to the terminal. Its
        exit status 2 (a settings error: main.py printed the one line) is passed through.
        Returns {stack id: its working directory} from the manifest."""
        outdir = self.outdir()
        command = self.config()["app"]
        env = {**self.environ, "CDKTF_OUTDIR": str(outdir)}
        status = subprocess.run(command, shell=True, cwd=self.root, env=env, stdin=subprocess.DEVNULL, check=False).returncode
        if status == BAD_INPUT:
            raise Failure(BAD_INPUT)  # main.py's one line (a settings error) is the message
        if status != 0:
            raise Failure(FAILED, f"synthesis failed (`{command}` exited with status {status}; its message is above); {then}")
        return self.stacks(outdir)

    def stacks(self, outdir: Path) -> dict[str, Path]:
        manifest = outdir / "manifest.json"
        try:
            stacks = json.loads(manifest.read_text())["stacks"]
            return {name: outdir / spec["workingDirectory"] for name, spec in stacks.items()}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise Failure(FAILED, f"{self.shown(manifest)}: no stacks in the synthesized manifest ({error})") from None

    def stack_dir(self, stacks: Mapping[str, Path], stack: str) -> Path:
        if stack not in stacks:
            known = ", ".join(sorted(stacks)) or "none"
            raise Failure(BAD_INPUT, f"unknown stack {stack!r}: the app synthesizes {known}")
        return stacks[stack]

    # --- the provider lock files ----------------------------------------------------------------

    def record_lock_file(self, stack_dir: Path, stack: str) -> None:
        """Keeps the provider selections `terraform init` made as `locks/<stack>.terraform.lock.hcl`
        at the project root (main.py puts it back into the stack folder on every synth): commit it,
        and every machine installs the same provider versions."""
        made = stack_dir / LOCK_FILE
        if not made.is_file():
            return
        kept = committed_lock_file(self.root / LOCKS_DIR, stack)
        if kept.is_file() and kept.read_bytes() == made.read_bytes():
            return
        kept.parent.mkdir(exist_ok=True)
        shutil.copyfile(made, kept)
        print(f"provider selections recorded in {self.shown(kept)}: commit it", file=self.err)
