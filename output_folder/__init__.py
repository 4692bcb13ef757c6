"""The output folder (`cdktf.out`): where it is, and how a synth replaces it as a whole.

A synth writes into a staging folder inside the output folder, adds what Terraform needs beside
each stack's `cdk.tf.json` (the committed provider lock file, the built-in provider override), checks
that no stack's local state moved, and only then swaps the new stacks in, with Ctrl-C held back for
the few renames that takes. The output folder so always holds the stacks of one run: the new ones,
or, after an error or an interrupt, the previous ones. What Terraform and the app's scripts keep in a
stack's folder between runs (`.terraform/`, saved plans, an errored state) moves over to the new one.

Nothing here imports cdktf: main.py checks the folder before it loads the provider bindings.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from settings import DEFAULT_OUTDIR

STACKS = "stacks"
MANIFEST = "manifest.json"
STACK_FILE = "cdk.tf.json"
STAGING_PREFIX = ".synth-"

# The cdktf CLI requires a `version` on every `terraform.required_providers` entry of cdk.tf.json,
# and Terraform refuses any version on its built-in provider, which `provider::terraform::*`
# functions (the license, constructs_lib.settings_file) need declared. Terraform merges the entries
# of an override file into the stack's own block; the CLI never reads it.
BUILTIN_PROVIDER_OVERRIDE = "builtin_providers_override.tf.json"
BUILTIN_PROVIDER_SOURCE = "terraform.io/builtin/terraform"
BUILTIN_FUNCTION_PREFIX = "provider::terraform::"

# Files a synth writes into a stack's folder (and `*_override.tf.json`); everything else there
# (Terraform's `.terraform/`, the lock file `init` wrote, saved plans, an errored state, ...)
# belongs to the runs and moves into the new folder, unless the synth wrote its own (a lock file).
SYNTHESIZED = (STACK_FILE, "assets")


class OutputFolderError(Exception):
    """The output folder cannot be used, or a stack's state would move: one line, exit 2."""


def outdir_from(environ: Mapping[str, str], cwd: Path) -> Path:
    """The output folder: CDKTF_OUTDIR (the cdktf CLI sets it; relative to the working directory,
    as cdktf's App takes it), else the project's `cdktf.out` wherever main.py is started from."""
    named = environ.get("CDKTF_OUTDIR")
    if not named:
        return DEFAULT_OUTDIR
    path = Path(named)
    return (path if path.is_absolute() else cwd / path).resolve()


@dataclass
class Staging:
    """A synth's new output, `<outdir>/.synth-<pid>`, until `commit()` swaps it in."""

    outdir: Path
    folder: Path
    committed: bool = False

    def commit(self, locks: Path) -> list[str]:
        """Completes the stacks (lock files, overrides), refuses a moved local state, then swaps
        the new stacks and manifest in. Returns the stacks that got a committed lock file."""
        stacks = self.folder / STACKS
        installed = install_lock_files(stacks, locks)
        write_builtin_provider_overrides(stacks)
        check_state_paths(self.outdir / STACKS, stacks)
        with _signals_held():
            _swap(self.outdir, self.folder)
            self.committed = True
        return installed

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def stage(outdir: Path) -> Staging:
    """Makes the staging folder inside `outdir` (and `outdir` itself on a first synth; its parent
    must exist). Raises OutputFolderError with one line when the folder cannot be written."""
    shown = str(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise OutputFolderError(f"the output folder {shown} is a file, not a folder (CDKTF_OUTDIR or cdktf.json's output)")
    if not outdir.parent.is_dir():
        raise OutputFolderError(f"the output folder {shown} cannot be made: {outdir.parent} does not exist; create it first")
    try:
        outdir.mkdir(exist_ok=True)
        folder = outdir / f"{STAGING_PREFIX}{os.getpid()}"
        shutil.rmtree(folder, ignore_errors=True)  # left by a killed run of the same pid
        folder.mkdir()
        (folder / ".write-check").touch()
        (folder / ".write-check").unlink()
    except OSError as error:
        raise OutputFolderError(f"the output folder {shown} is not writable ({error.strerror or error})") from None
    _remove_stale_staging(outdir, folder)
    return Staging(outdir, folder)


def _remove_stale_staging(outdir: Path, keep: Path) -> None:
    """Staging folders of runs that were killed (SIGKILL leaves no chance to clean up)."""
    for other in outdir.glob(f"{STAGING_PREFIX}*"):
        pid = other.name.removeprefix(STAGING_PREFIX)
        if other != keep and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(other, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# The provider lock files: Terraform's own in each stack folder, and the committed copy of each at
# the project root, `locks/<stack>.terraform.lock.hcl` (`./scripts/plan` records it there, every
# synth puts it back).
LOCK_FILE = ".terraform.lock.hcl"
LOCKS_DIR = "locks"


def committed_lock_file(locks: Path, stack: str) -> Path:
    """Where the committed lock file of `stack` is kept in the folder `locks` (LOCKS_DIR)."""
    return locks / f"{stack}{LOCK_FILE}"


def install_lock_files(stacks: Path, locks: Path) -> list[str]:
    """Puts `locks/<stack>.terraform.lock.hcl` into each stack folder that has one, as its
    `.terraform.lock.hcl`, so `terraform init` (under `cdktf deploy` or `./scripts/plan`)
    installs exactly the locked provider versions. Returns the stacks that got one."""
    installed: list[str] = []
    if not locks.is_dir() or not stacks.is_dir():
        return installed
    for stack_dir in sorted(stacks.iterdir()):
        lock = committed_lock_file(locks, stack_dir.name)
        if lock.is_file():
            shutil.copyfile(lock, stack_dir / LOCK_FILE)
            installed.append(stack_dir.name)
    return installed


def builtin_provider_override(stack_json: str) -> dict[str, object] | None:
    """The override file a stack needs beside its cdk.tf.json: the built-in `terraform` provider
    declared when the stack calls one of its functions; else None."""
    if BUILTIN_FUNCTION_PREFIX not in stack_json:
        return None
    return {"terraform": {"required_providers": {"terraform": {"source": BUILTIN_PROVIDER_SOURCE}}}}


def write_builtin_provider_overrides(stacks: Path) -> list[str]:
    """Writes BUILTIN_PROVIDER_OVERRIDE into every stack folder whose JSON needs it. Returns those stacks."""
    written = []
    for stack_dir in sorted(stacks.iterdir()) if stacks.is_dir() else []:
        override = builtin_provider_override((stack_dir / STACK_FILE).read_text())
        if override is not None:
            (stack_dir / BUILTIN_PROVIDER_OVERRIDE).write_text(json.dumps(override, indent=2) + "\n")
            written.append(stack_dir.name)
    return written


def local_state_path(stack_file: Path, working_dir: Path) -> Path | None:
    """Where the stack synthesized as `stack_file` keeps a local state when Terraform runs it in
    `working_dir`, resolved; None for a remote backend or no readable stack."""
    try:
        relative = json.loads(stack_file.read_text())["terraform"]["backend"]["local"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (working_dir / relative).resolve() if isinstance(relative, str) else None


def check_state_paths(current: Path, new: Path) -> None:
    """Refuses a synth after which a stack would keep its local state somewhere else than the last
    synth's stack did, while a state is there: Terraform would start from an empty state and plan
    to create everything again. `new` holds the new stacks, which will run in `current`."""
    for stack_dir in sorted(new.iterdir()) if new.is_dir() else []:
        working_dir = current / stack_dir.name
        before = local_state_path(working_dir / STACK_FILE, working_dir)
        after = local_state_path(stack_dir / STACK_FILE, working_dir)
        if before is None or after is None or before == after or not before.is_file():
            continue
        raise OutputFolderError(
            f"stack {stack_dir.name}: the last synth kept its state in {before}, this one would keep it in {after}, "
            f"where Terraform would start from an empty state; move {before} to {after} (or synthesize as before), "
            "then run again. Nothing was written"
        )


def _swap(outdir: Path, folder: Path) -> None:
    """Moves the new stacks and manifest from `folder` into `outdir`, carrying each old stack
    folder's run files into its new folder; stacks the new synth no longer has stay as they were."""
    old_stacks, new_stacks = outdir / STACKS, folder / STACKS
    if old_stacks.is_dir():
        for old in old_stacks.iterdir():
            target = new_stacks / old.name
            if not target.is_dir():
                old.rename(target)  # a stack this synth does not have (the cdktf CLI removes such folders)
                continue
            for entry in old.iterdir():
                if entry.name not in SYNTHESIZED and not entry.name.endswith("_override.tf.json") and not (target / entry.name).exists():
                    entry.rename(target / entry.name)
    retired = folder / "previous"
    if old_stacks.exists():
        old_stacks.rename(retired)
    new_stacks.rename(old_stacks)
    if (folder / MANIFEST).exists():
        (folder / MANIFEST).replace(outdir / MANIFEST)
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM wait until the block is done: the renames then all happen, and
    the signal takes effect after. (A handler, not a signal mask: the mask is per thread, and the
    jsii runtime's threads would take the signal.)"""
    received: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {signum: signal.signal(signum, hold) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])
