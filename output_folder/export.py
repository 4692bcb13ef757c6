"""`./scripts/export [DIR]`: every stack of the app as a plain Terraform folder, `DIR/<stack>/`, for
the engines that run Terraform from a folder of the repository (Atlantis, Spacelift, Terrateam, HCP
Terraform's VCS-driven mode: docs/engines.md). Default DIR: `terraform/` at the project root.

Each folder holds what `terraform init` and `plan` need there and nothing else: the stack's
`cdk.tf.json`, what every synth writes beside it (the built-in provider's override file), and the
committed lock file (`locks/<stack>.terraform.lock.hcl`, as `.terraform.lock.hcl`). The paths a
stack names (its local state, the settings file) are relative to `DIR/<stack>`, so an engine running
the folder from a checkout of the repository finds them. The bytes are the same on every machine;
the export refuses to write a license or an absolute path of this machine.

The synthesis is main.py's own (the settings, the security rules, the lock files), run with
`WANDB_EXPORT_DIR` naming DIR and `CDKTF_OUTDIR` a temporary folder. The new export is staged beside
DIR and swapped in whole: an error leaves the previous export as it was.

`--check`: compares DIR with a fresh export, writes nothing; exit 1 listing each stale, missing or
extra file. `--atlantis`: prints an `atlantis.yaml` with one project per exported stack.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from output_folder import STACKS, _signals_held
from output_folder.engines import atlantis_yaml
from settings import LICENSE_VARIABLE, PROJECT_ROOT, SettingsError, settings_files
from settings.schema import LICENSE_FILE_KEYS
from settings.tfvars import read_tfvars

EXPORT_ENV = "WANDB_EXPORT_DIR"  # main.py: the stacks run in `<it>/<id>` (stacks.stack_folders)
DEFAULT_DIR = PROJECT_ROOT / "terraform"

# What Terraform and the engines leave in a stack's folder when they run it there: never part of an
# export, not compared by --check (`.terraform/` is git-ignored; Atlantis writes `*.tfplan`).
RUN_DIRS = (".terraform",)
RUN_SUFFIXES = (".tfplan", ".tfstate", ".tfstate.backup", ".terraform.tfstate.lock.info")


class ExportError(Exception):
    """Bad input or an export that must not be written: one line, exit 2."""


class SynthesisFailed(Exception):
    """main.py failed; it printed why. Its exit status is the export's."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(prog="./scripts/export", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare DIR with a fresh export; write nothing; exit 1 when stale")
    mode.add_argument("--atlantis", action="store_true", help="print an atlantis.yaml for the stacks exported in DIR")
    parser.add_argument("dir", nargs="?", metavar="DIR", help="the export folder (default: terraform/ at the project root)")
    options = parser.parse_args(argv)
    target = Path(options.dir).absolute() if options.dir else DEFAULT_DIR
    try:
        target = export_folder(target)
        if options.atlantis:
            sys.stdout.write(atlantis_yaml(shown(target), exported_stacks(target)))
            return 0
        return check(target, environ) if options.check else export(target, environ)
    except ExportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except SynthesisFailed as failed:
        return failed.status
    except KeyboardInterrupt:
        print(f"interrupted: nothing was written; {shown(target)} is as it was", file=sys.stderr)
        return 130


def fresh_export(target: Path, environ: Mapping[str, str]) -> dict[str, bytes]:
    """The files of an export to `target`, synthesized in a temporary folder: `<stack>/<name>` → bytes."""
    with tempfile.TemporaryDirectory(prefix="wandb-export-") as scratch:
        status = synthesize(target, Path(scratch), environ)
        if status != 0:
            raise SynthesisFailed(status)
        return fresh_files(Path(scratch) / "out" / STACKS, environ, Path(scratch))


def export(target: Path, environ: Mapping[str, str]) -> int:
    files = fresh_export(target, environ)
    refuse_to_replace(target)
    staged = target.parent / f".{target.name}.export-{os.getpid()}"
    try:
        shutil.rmtree(staged, ignore_errors=True)
        write_files(staged, files)
        with _signals_held():  # Ctrl-C waits for the two renames
            swap_in(staged, target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    stacks = sorted({name.split("/")[0] for name in files})
    local = [stack for stack in stacks if keeps_local_state(files[f"{stack}/cdk.tf.json"])]
    if local:
        print(
            f"warning: {', '.join(local)}: local state (no state_bucket, no hcp_organization); an engine running "
            "the exported folders needs remote state (docs/engines.md)",
            file=sys.stderr,
        )
    for ignored in git_ignored(settings_files(environ)):
        print(
            f"note: {shown(ignored)} is git-ignored: an engine's checkout will not have it, and the stacks then take the "
            "license from TF_VAR_license; commit a settings file without the license (docs/engines.md)",
            file=sys.stderr,
        )
    print(f"exported {len(stacks)} stacks to {shown(target)}: {', '.join(stacks)}")
    return 0


def check(target: Path, environ: Mapping[str, str]) -> int:
    fresh = fresh_export(target, environ)
    differences = compare(fresh, files_under(target))
    for line in differences:
        kind, name = line.split(" ", 1)
        print(f"{kind} {shown(target)}/{name}")
    if not differences:
        print(f"{shown(target)} is up to date ({len({name.split('/')[0] for name in fresh})} stacks)")
        return 0
    files = f"{len(differences)} file{'' if len(differences) == 1 else 's'}"
    print(f"error: the export in {shown(target)} is stale ({files}): run ./scripts/export and commit it", file=sys.stderr)
    return 1


def export_folder(target: Path) -> Path:
    """DIR, checked: inside the project (the engines check the repository out, and the stacks name
    the project's files from it), not the project itself, not a file."""
    resolved = target.resolve()
    if resolved == PROJECT_ROOT or not resolved.is_relative_to(PROJECT_ROOT):
        raise ExportError(f"{target}: the export folder must be a folder inside the project ({PROJECT_ROOT}), not the project itself")
    if resolved.exists() and not resolved.is_dir():
        raise ExportError(f"{shown(resolved)}: is a file; the export folder must be a folder")
    if not resolved.parent.is_dir():
        raise ExportError(f"{shown(resolved)}: cannot be made: {shown(resolved.parent)} does not exist; create it first")
    return resolved


def shown(path: Path) -> str:
    """`path` as the messages name it: relative to the project root."""
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else str(path)


def synthesize(target: Path, scratch: Path, environ: Mapping[str, str]) -> int:
    """main.py, as `cdktf synth` runs it (from the project root), into `scratch/out`, with the
    stacks' paths computed for `target/<id>`. Its messages (a settings error: one line, exit 2)
    reach the caller's stderr as main.py prints them."""
    env = {**environ, "CDKTF_OUTDIR": str(scratch / "out"), EXPORT_ENV: str(target)}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    main_py = PROJECT_ROOT / "main.py"
    return subprocess.run([sys.executable, str(main_py)], cwd=PROJECT_ROOT, env=env, check=False).returncode


def fresh_files(stacks: Path, environ: Mapping[str, str], scratch: Path) -> dict[str, bytes]:
    """Every file of every synthesized stack folder, `<stack>/<name>` → bytes; refused when it
    holds a license or an absolute path of this machine (ExportError)."""
    files = files_under(stacks)
    if not files:
        raise ExportError(f"the synthesis wrote no stack into {stacks}")
    outside = [path for path in settings_files(environ) if path.is_file() and not path.resolve().is_relative_to(PROJECT_ROOT)]
    if outside:
        raise ExportError(
            f"{outside[0]}: the settings file is outside the project; an exported stack would name it by this machine's "
            "absolute path: keep it in the repository (WANDB_TFVARS or WANDB_DEPLOYMENTS inside the project)"
        )
    for name in refused(files, licenses(environ), machine_paths(scratch)):
        raise ExportError(f"{name}: holds a license or an absolute path of this machine; nothing was written")
    return files


def files_under(folder: Path) -> dict[str, bytes]:
    """`folder`'s files, by path relative to it, without what Terraform leaves when it runs there."""
    found: dict[str, bytes] = {}
    if not folder.is_dir():
        return found
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if name not in RUN_DIRS)
        for name in sorted(names):
            if not name.endswith(RUN_SUFFIXES):
                path = Path(root, name)
                found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def licenses(environ: Mapping[str, str]) -> list[str]:
    """Every license value the run can see: in the settings files, and TF_VAR_license."""
    values = [environ.get(LICENSE_VARIABLE, "")]
    for path in settings_files(environ):
        try:
            values += [str(value) for key, value in read_tfvars(path).items() if key in LICENSE_FILE_KEYS]
        except (SettingsError, OSError):
            continue  # main.py read every file it uses; the others have no say in the export
    return [value for value in values if len(value) >= 8]


def machine_paths(scratch: Path) -> list[str]:
    """Absolute paths of this machine that an export must never hold."""
    home = str(Path.home())
    return [str(PROJECT_ROOT), str(scratch), *([home] if home not in ("/", "") else [])]


def refused(files: Mapping[str, bytes], secrets: Iterable[str], paths: Iterable[str]) -> list[str]:
    """The names of the files holding any of `secrets` or `paths`."""
    needles = [needle.encode() for needle in (*secrets, *paths) if needle]
    return [name for name, data in files.items() if any(needle in data for needle in needles)]


def compare(fresh: Mapping[str, bytes], committed: Mapping[str, bytes]) -> list[str]:
    """`stale NAME`, `missing NAME`, `extra NAME`: one per file that differs, in name order."""
    lines = []
    for name in sorted(set(fresh) | set(committed)):
        if name not in committed:
            lines.append(f"missing {name}")
        elif name not in fresh:
            lines.append(f"extra {name}")
        elif fresh[name] != committed[name]:
            lines.append(f"stale {name}")
    return lines


def keeps_local_state(stack_json: bytes) -> bool:
    terraform = json.loads(stack_json).get("terraform", {})
    return "cloud" not in terraform and set(terraform.get("backend", {"local": {}})) <= {"local"}


def git_ignored(paths: Iterable[Path]) -> list[Path]:
    """The files of `paths` that git ignores in the project's repository (none without git or a repository)."""
    files = [path for path in paths if path.is_file()]
    try:
        found = subprocess.run(
            ["git", "check-ignore", "--", *map(str, files)], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return []
    ignored = {Path(line).resolve() for line in found.stdout.splitlines() if line}
    return [path for path in files if path.resolve() in ignored]


def exported_stacks(target: Path) -> list[str]:
    stacks = sorted(path.parent.name for path in target.glob("*/cdk.tf.json"))
    if not stacks:
        raise ExportError(f"{shown(target)}: no exported stack there; run ./scripts/export first")
    return stacks


def refuse_to_replace(target: Path) -> None:
    """The export replaces DIR whole: refused when DIR holds anything but exported stack folders."""
    if not target.is_dir():
        return
    for entry in sorted(target.iterdir()):
        if not (entry / "cdk.tf.json").is_file():
            raise ExportError(
                f"{shown(entry)}: not an exported stack; the export replaces {shown(target)} whole: move it away or choose another folder"
            )


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def swap_in(staged: Path, target: Path) -> None:
    """Replaces `target` with `staged` by two renames; the old export is removed after."""
    retired = target.parent / f".{target.name}.previous-{os.getpid()}"
    if target.exists():
        target.rename(retired)
    try:
        staged.rename(target)
    except OSError:
        if retired.exists():
            retired.rename(target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
