"""Every managed resource type a W&B deployment can hold, from the modules' own sources.

Used by tools/regenerate_interfaces.py (`--types-out`). For each release of a root module
(`wandb/wandb/aws`, `wandb/wandb/kubernetes`) it reads the release's tag in a git checkout
(`git ls-tree` / `git show`: a bare clone will do) and follows the module calls as Terraform
would: a local source (`./modules/app_eks`, `../_user_data`) is a folder of the same tree; a
registry source (`terraform-aws-modules/eks/aws`, optionally `//modules/x`) is read from that
module's repository at the newest tag its version constraint admits. Every `resource "TYPE" ...`
block of each module reached is listed (data sources are not resources; folders no call reaches,
such as examples, are not read). The app's own resources (the storage stack) come from the
provider bindings its constructs import (`from cdktf_cdktf_provider_aws.s3_bucket import ...` is
`aws_s3_bucket`).

The result, as written to release_catalog/data/wandb_module_resource_types.json:

    {"app": {FILE: [TYPE, ...]},
     "modules": {SOURCE: {VERSION: {"calls": [{"from", "source", "constraint", "resolved"}],
                                    "resource_types": {TYPE: [FOLDER, ...]}}}}}
"""

from __future__ import annotations

import ast
import posixpath
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

# Where the app declares resources: a construct imports the binding of each resource type it makes.
APP_SOURCE_FOLDERS = ("constructs_lib", "stacks")
APP_FILES = ("main.py",)
_BINDING = re.compile(r"cdktf_cdktf_provider_(?P<provider>[a-z0-9]+)\.(?P<module>[a-z0-9_]+)")
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


class TypesError(Exception):
    """A source that cannot be read: no repository for it, no tag its constraint admits."""


# --- git --------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if result.returncode != 0:
        raise TypesError(f"git {' '.join(args)} in {repo}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode()


def release_tags(repo: Path) -> dict[tuple[int, int, int], str]:
    """The release tags of a repository (`v1.2.3` or `1.2.3`; no pre-releases), by version."""
    tags: dict[tuple[int, int, int], str] = {}
    for tag in _git(repo, "tag", "--list").split():
        match = _VERSION.fullmatch(tag)
        if match:
            tags.setdefault((int(match[1]), int(match[2]), int(match[3])), tag)
    return tags


def _folder_files(repo: Path, tag: str, folder: str) -> dict[str, str]:
    """The `*.tf` files directly in `folder` ("" is the root) of the tree of `tag`."""
    prefix = f"{folder}/" if folder else ""
    files: dict[str, str] = {}
    for entry in _git(repo, "ls-tree", "-z", f"{tag}:{folder}" if folder else tag).split("\0"):
        if not entry:
            continue
        meta, name = entry.split("\t", 1)
        if meta.split()[1] == "blob" and name.endswith(".tf"):
            files[prefix + name] = _git(repo, "show", f"{tag}:{prefix}{name}")
    return files


# --- version constraints ----------------------------------------------------------------------


def _parse_version(text: str) -> tuple[int, ...]:
    parts = text.strip().removeprefix("v").split(".")
    if not parts or not all(p.isdigit() for p in parts) or len(parts) > 3:
        raise TypesError(f"version {text!r}: not a release version")
    return tuple(int(p) for p in parts)


def _admits(term: str, version: tuple[int, int, int]) -> bool:
    """One term of a Terraform version constraint (`= 1.2.0`, `~> 17.23`, `>= 4.0`, `!= 1.0`)."""
    match = re.fullmatch(r"\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*", term)
    if match is None:
        raise TypesError(f"constraint term {term!r}: not understood")
    operator, wanted = match[1] or "=", _parse_version(match[2])
    padded = wanted + (0,) * (3 - len(wanted))
    if operator == "~>":
        # `~> 17.23` admits 17.23 up to (not including) 18.0; `~> 1.2.3` up to 1.3.0.
        upper = wanted[:-1] if len(wanted) > 1 else wanted
        return version >= padded and version[: len(upper)] == upper
    comparisons = {
        "=": version == padded,
        "!=": version != padded,
        ">": version > padded,
        ">=": version >= padded,
        "<": version < padded,
        "<=": version <= padded,
    }
    return comparisons[operator]


def resolve(constraint: str, tags: Mapping[tuple[int, int, int], str]) -> tuple[int, int, int]:
    """The newest release the constraint admits, as `terraform init` picks it."""
    admitted = [v for v in tags if all(_admits(term, v) for term in constraint.split(","))]
    if not admitted:
        raise TypesError(f"no release tag admits {constraint!r}")
    return max(admitted)


def version_text(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


# --- one module release -----------------------------------------------------------------------


@dataclass
class Release:
    """What a module release holds: its resource types (by folder) and its registry calls."""

    types: dict[str, set[str]] = field(default_factory=dict)
    calls: list[dict[str, str]] = field(default_factory=list)


def _parse(name: str, text: str) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = hcl2.loads(text)
    except Exception as error:  # python-hcl2 raises lark's exceptions, no base of its own
        raise TypesError(f"{name}: {error}") from error
    return parsed


def _blocks(parsed: Mapping[str, Any], kind: str) -> Iterable[tuple[str, Any]]:
    for block in parsed.get(kind, []):
        yield from block.items()


def split_source(source: str) -> tuple[str, str]:
    """A registry source and its subfolder: `ns/name/provider//modules/x` -> (`ns/name/provider`, `modules/x`)."""
    base, _, sub = source.partition("//")
    return base, sub.strip("/")


def read_release(repo: Path, tag: str, start: str = "") -> Release:
    """The resource types of the module at `start` in `tag` and every local module it calls."""
    release = Release()
    pending, seen = [start], set()
    while pending:
        folder = pending.pop()
        if folder in seen:
            continue
        seen.add(folder)
        for name, text in sorted(_folder_files(repo, tag, folder).items()):
            parsed = _parse(f"{tag}:{name}", text)
            for kind, _ in _blocks(parsed, "resource"):
                release.types.setdefault(kind, set()).add(folder or ".")
            for call, body in _blocks(parsed, "module"):
                source = body.get("source")
                if not isinstance(source, str):
                    raise TypesError(f"{tag}:{name}: module {call!r} has no literal source")
                if source.startswith(("./", "../")):
                    target = posixpath.normpath(posixpath.join(folder, source))
                    if target.startswith(".."):
                        raise TypesError(f"{tag}:{name}: module {call!r} leaves the repository ({source})")
                    pending.append("" if target == "." else target)
                else:
                    constraint = body.get("version")
                    if not isinstance(constraint, str):
                        raise TypesError(f"{tag}:{name}: module {call!r} ({source}) pins no version")
                    release.calls.append({"from": folder or ".", "source": source, "constraint": constraint})
    return release


# --- the catalog ------------------------------------------------------------------------------


def catalog(roots: Mapping[str, Iterable[str]], repos: Mapping[str, Path], app_root: Path) -> dict[str, Any]:
    """The resource types of each root module release, of every registry module they call (at
    the resolved versions, recursively), and of the app's own constructs."""
    modules: dict[str, dict[str, Any]] = {}
    pending = [(source, version) for source, versions in roots.items() for version in versions]
    while pending:
        source, version = pending.pop()
        entry = modules.setdefault(source, {})
        if version in entry:
            continue
        base, sub = split_source(source)
        if base not in repos:
            raise TypesError(f"{source} {version}: no repository given for {base} (--module-repo {base}=PATH)")
        repo = repos[base]
        tags = release_tags(repo)
        key = _parse_version(version)
        if key not in tags:
            raise TypesError(f"{repo} has no tag v{version} or {version} ({source})")
        release = read_release(repo, tags[key], sub)
        for call in release.calls:
            called_tags = _tags_of(call["source"], repos)
            call["resolved"] = version_text(resolve(call["constraint"], called_tags))
            pending.append((call["source"], call["resolved"]))
        entry[version] = {
            "calls": sorted(release.calls, key=lambda c: (c["from"], c["source"])),
            "resource_types": {kind: sorted(folders) for kind, folders in sorted(release.types.items())},
        }
    return {
        "app": app_types(app_root),
        "modules": {
            source: dict(sorted(versions.items(), key=lambda v: _parse_version(v[0]))) for source, versions in sorted(modules.items())
        },
    }


def _tags_of(source: str, repos: Mapping[str, Path]) -> dict[tuple[int, int, int], str]:
    base, _ = split_source(source)
    if base not in repos:
        raise TypesError(f"{source}: no repository given for it (--module-repo {base}=PATH)")
    return release_tags(repos[base])


def app_types(root: Path) -> dict[str, list[str]]:
    """The resource types the app's own constructs create: each provider binding a file imports
    (`cdktf_cdktf_provider_aws.s3_bucket` -> `aws_s3_bucket`); data sources and providers aside."""
    files = [root / name for name in APP_FILES]
    for folder in APP_SOURCE_FOLDERS:
        files += sorted((root / folder).rglob("*.py"))
    found: dict[str, list[str]] = {}
    for path in files:
        if not path.is_file():
            continue
        types = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                match = _BINDING.fullmatch(name)
                if match and match["module"] != "provider" and not match["module"].startswith("data_"):
                    types.add(f"{match['provider']}_{match['module']}")
        if types:
            found[path.relative_to(root).as_posix()] = sorted(types)
    return found


def all_types(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every type in the catalog, with where it comes from (`SOURCE VERSION` or the app's file)."""
    where: dict[str, list[str]] = {}
    for source, versions in data.get("modules", {}).items():
        for version, release in versions.items():
            for kind in release["resource_types"]:
                where.setdefault(kind, []).append(f"{source} {version}")
    for path, kinds in data.get("app", {}).items():
        for kind in kinds:
            where.setdefault(kind, []).append(path)
    return dict(sorted(where.items()))
