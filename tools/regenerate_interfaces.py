"""Regenerate the W&B module interface data from git checkouts of the module repositories.

For each release of `wandb/wandb/aws` (repository wandb/terraform-aws-wandb) and
`wandb/wandb/kubernetes` (repository wandb/terraform-kubernetes-wandb) it reads the `*.tf` files
at the module root of the release's tag (`git ls-tree` / `git show`, so a bare clone will do),
parses them with python-hcl2 and writes, per module source and version:

- `variables`: name -> {type, default (only when declared), required (no default),
  `nullable: false` and `sensitive: true` (only when so declared: Terraform's defaults are
  nullable = true and sensitive = false)};
- `outputs`: the sorted output names;
- `version_constraints`: `terraform` (required_version) and each provider's version constraint
  from `terraform { required_providers { ... } }`.

Type strings keep the form the data has always had (python-hcl2's rendering without the outer
`${...}`, object attributes as a Python dict repr with every attribute type in `'${...}'`, e.g.
`list(object({'name': '${string}', 'groups': '${list(string)}'}))`).

The versions to write are the ones already in `--out` plus any named with `--aws-version` /
`--kubernetes-version`; so adding a release is one flag. `--check` compares instead of writing.

With `--types-out FILE` it also lists every managed resource type of those releases, of the local
submodules they call and of the registry modules they call at the versions they pin (each module's
repository named with `--module-repo SOURCE=PATH`), and of the app's own constructs
(tools/resource_types.py); plan_review classifies each (tests/test_resource_classes.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import resource_types  # beside this file (tools/ is not a package)

# The module sources have one home, the release catalog the app reads.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from release_catalog.releases import AWS_MODULE_SOURCE as AWS_SOURCE
from release_catalog.releases import KUBERNETES_MODULE_SOURCE as KUBERNETES_SOURCE

JSONValue = Any  # what json.loads gives: dict, list, str, int, float, bool or None


class RegenerateError(Exception):
    """A problem with the inputs (a missing tag, a duplicate declaration, an unreadable type)."""


# --- git ----------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> bytes:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if result.returncode != 0:
        raise RegenerateError(f"git {' '.join(args)} in {repo}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def resolve_tag(repo: Path, version: str) -> str:
    """The tag of a release: `v<version>` (the modules' convention) or `<version>`."""
    for tag in (f"v{version}", version):
        check = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"],
            capture_output=True,
            check=False,
        )
        if check.returncode == 0:
            return tag
    raise RegenerateError(f"{repo} has no tag v{version} or {version}")


def root_tf_files(repo: Path, tag: str) -> dict[str, str]:
    """The `*.tf` files at the root of the tree of `tag`, by name."""
    files: dict[str, str] = {}
    for entry in _git(repo, "ls-tree", "-z", tag).split(b"\0"):
        if not entry:
            continue
        meta, name = entry.decode().split("\t", 1)
        kind = meta.split()[1]
        if kind == "blob" and name.endswith(".tf"):
            files[name] = _git(repo, "show", f"{tag}:{name}").decode()
    return files


# --- type strings ---------------------------------------------------------------------------
#
# python-hcl2 7 renders `list(object({ a = string, b = list(string) }))` as
# `${list(object({"a": "string", "b": "${list(string)}"}))}`: a bare type keyword inside an
# object is a plain quoted string, anything else is `"${...}"` with its own quotes unescaped.
# The data renders the same type as `list(object({'a': '${string}', 'b': '${list(string)}'}))`.
# A small parser over the first form gives a tree, rendered again in the second.


@dataclass(frozen=True)
class Name:
    text: str  # a keyword (string, number, bool, any) or a literal argument (3, [a], "x")


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[TypeNode, ...]


@dataclass(frozen=True)
class Attributes:
    items: tuple[tuple[str, TypeNode], ...]


@dataclass(frozen=True)
class TupleNode:
    items: tuple[TypeNode, ...]


TypeNode = Name | Call | Attributes | TupleNode


class _TypeParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> RegenerateError:
        return RegenerateError(f"type {self.text!r}: {what} at offset {self.pos}")

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def expect(self, token: str) -> None:
        if not self.peek(token):
            raise self.fail(f"expected {token!r}")
        self.pos += len(token)

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def parse(self) -> TypeNode:
        node = self.expression()
        self.skip_spaces()
        if self.pos != len(self.text):
            raise self.fail("unexpected text")
        return node

    def expression(self) -> TypeNode:
        self.skip_spaces()
        if self.peek("${"):
            self.pos += 2
            node = self.expression()
            self.skip_spaces()
            self.expect("}")
            return node
        if self.peek("{"):
            return self.attributes()
        if self.peek("["):
            self.pos += 1
            return TupleNode(tuple(self.sequence("]")))
        if self.peek('"'):
            return Name(self.quoted_literal())
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_-."):
            self.pos += 1
        word = self.text[start : self.pos]
        if not word:
            raise self.fail("expected a type")
        if self.peek("("):
            self.pos += 1
            return Call(word, tuple(self.sequence(")")))
        return Name(word)

    def sequence(self, close: str) -> list[TypeNode]:
        items: list[TypeNode] = []
        self.skip_spaces()
        while not self.peek(close):
            items.append(self.expression())
            self.skip_spaces()
            if self.peek(","):
                self.pos += 1
                self.skip_spaces()
            elif not self.peek(close):
                raise self.fail(f"expected ',' or {close!r}")
        self.pos += 1
        return items

    def attributes(self) -> Attributes:
        self.expect("{")
        items: list[tuple[str, TypeNode]] = []
        self.skip_spaces()
        while not self.peek("}"):
            key = self.quoted_literal()[1:-1]
            self.skip_spaces()
            self.expect(":")
            self.skip_spaces()
            items.append((key, self.attribute_value()))
            self.skip_spaces()
            if self.peek(","):
                self.pos += 1
                self.skip_spaces()
            elif not self.peek("}"):
                raise self.fail("expected ',' or '}'")
        self.pos += 1
        return Attributes(tuple(items))

    def attribute_value(self) -> TypeNode:
        """`"string"` (a bare keyword) or `"${...}"` (any other type expression)."""
        self.expect('"')
        if self.peek("${"):
            node = self.expression()
            self.expect('"')
            return node
        end = self.text.find('"', self.pos)
        if end < 0:
            raise self.fail("unterminated string")
        word = self.text[self.pos : end]
        self.pos = end + 1
        return Name(word)

    def quoted_literal(self) -> str:
        """A `"..."` string with its quotes; `${...}` inside it may hold further quotes."""
        start = self.pos
        self.expect('"')
        depth = 0
        while self.pos < len(self.text):
            if self.peek("${"):
                depth += 1
                self.pos += 2
                continue
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                self.pos += 1
            elif char == "}" and depth:
                depth -= 1
            elif char == '"' and not depth:
                return self.text[start : self.pos]
        raise self.fail("unterminated string")


def _render(node: TypeNode) -> str:
    if isinstance(node, Name):
        return node.text
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_render(arg) for arg in node.args)})"
    if isinstance(node, TupleNode):
        return f"[{', '.join(_render(item) for item in node.items)}]"
    return repr({key: "${" + _render(value) + "}" for key, value in node.items})


def normalise_type(hcl2_type: str) -> str:
    """A type as python-hcl2 7 renders it, in the data's form (see the comment above)."""
    return _render(_TypeParser(hcl2_type).parse())


# --- one release ----------------------------------------------------------------------------


def _blocks(parsed: dict[str, JSONValue], kind: str) -> Iterable[tuple[str, dict[str, JSONValue]]]:
    """(label, body) of each `kind "label" { ... }` block python-hcl2 parsed."""
    for block in parsed.get(kind, []):
        yield from block.items()


def _variable(name: str, body: dict[str, JSONValue]) -> dict[str, JSONValue]:
    if "type" not in body:
        # No release declares one; better to stop than to guess how the data would write it.
        raise RegenerateError(f"variable {name!r} declares no type")
    variable: dict[str, JSONValue] = {"type": normalise_type(body["type"]), "required": "default" not in body}
    if "default" in body:
        variable["default"] = body["default"]
    # Only where they differ from Terraform's defaults (nullable = true, sensitive = false),
    # as in the data: an explicit `nullable = true` is not recorded.
    if body.get("nullable") is False:
        variable["nullable"] = False
    if body.get("sensitive") is True:
        variable["sensitive"] = True
    return variable


def interface_from_files(files: dict[str, str]) -> dict[str, JSONValue]:
    """The interface (variables, outputs, version_constraints) of a module from its root files."""
    variables: dict[str, dict[str, JSONValue]] = {}
    outputs: set[str] = set()
    constraints: dict[str, str] = {}
    for file_name, text in sorted(files.items()):
        try:
            parsed = hcl2.loads(text)
        except Exception as error:  # python-hcl2 raises lark's exceptions, no base of its own
            raise RegenerateError(f"{file_name}: {error}") from error
        for name, body in _blocks(parsed, "variable"):
            if name in variables:
                raise RegenerateError(f"{file_name}: variable {name!r} declared twice")
            try:
                variables[name] = _variable(name, body)
            except RegenerateError as error:
                raise RegenerateError(f"{file_name}: {error}") from error
        for name, _ in _blocks(parsed, "output"):
            if name in outputs:
                raise RegenerateError(f"{file_name}: output {name!r} declared twice")
            outputs.add(name)
        for terraform in parsed.get("terraform", []):
            if "required_version" in terraform:
                constraints["terraform"] = terraform["required_version"]
            for providers in terraform.get("required_providers", []):
                for provider, spec in providers.items():
                    if isinstance(spec, str):  # the pre-0.13 form `aws = "~> 3.0"`
                        constraints[provider] = spec
                    elif "version" in spec:
                        constraints[provider] = spec["version"]
    return {
        "outputs": sorted(outputs),
        "variables": dict(sorted(variables.items())),
        "version_constraints": dict(sorted(constraints.items())),
    }


def release_interface(repo: Path, version: str) -> dict[str, JSONValue]:
    tag = resolve_tag(repo, version)
    files = root_tf_files(repo, tag)
    if not files:
        raise RegenerateError(f"{repo} at {tag} has no *.tf file at its root")
    try:
        return interface_from_files(files)
    except RegenerateError as error:
        raise RegenerateError(f"{repo} at {tag}: {error}") from error


# --- the whole file -------------------------------------------------------------------------


def _clean_version(version: str) -> str:
    return version.removeprefix("v")


def regenerate(repos: dict[str, Path], existing: dict[str, JSONValue], extra_versions: dict[str, Sequence[str]]) -> dict[str, JSONValue]:
    unknown = set(existing) - set(repos)
    if unknown:
        raise RegenerateError(f"{', '.join(sorted(unknown))} in the existing file: no repository option for it")
    data: dict[str, JSONValue] = {}
    for source, repo in repos.items():
        versions = {*existing.get(source, {}), *(_clean_version(v) for v in extra_versions.get(source, ()))}
        if not versions:
            raise RegenerateError(f"no version of {source} to generate: name one with the version option")
        data[source] = {version: release_interface(repo, version) for version in sorted(versions)}
    return data


def dump(data: dict[str, JSONValue]) -> str:
    # The committed file's layout: keys sorted at every level, one-space indent, no final newline.
    return json.dumps(data, indent=1, sort_keys=True)


def describe_differences(old: JSONValue, new: JSONValue, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            where = f"{path}/{key}"
            if key not in new:
                lines.append(f"only in the existing file: {where}")
            elif key not in old:
                lines.append(f"only in the regenerated data: {where}")
            else:
                lines.extend(describe_differences(old[key], new[key], where))
        return lines
    if old != new or type(old) is not type(new):
        return [f"{path or '/'}: {json.dumps(old)} -> {json.dumps(new)}"]
    return []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate the W&B module interface data (variables, outputs, version "
        "constraints per release) from git checkouts of the module repositories."
    )
    parser.add_argument("--aws-repo", type=Path, required=True, help="git checkout (bare is fine) of wandb/terraform-aws-wandb")
    parser.add_argument(
        "--kubernetes-repo", type=Path, required=True, help="git checkout (bare is fine) of wandb/terraform-kubernetes-wandb"
    )
    parser.add_argument("--out", type=Path, required=True, help="the JSON file; the versions already in it are regenerated")
    parser.add_argument(
        "--aws-version", action="append", default=[], metavar="VERSION", help=f"a release of {AWS_SOURCE} to add (repeatable)"
    )
    parser.add_argument(
        "--kubernetes-version",
        action="append",
        default=[],
        metavar="VERSION",
        help=f"a release of {KUBERNETES_SOURCE} to add (repeatable)",
    )
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if --out differs from the regenerated data")
    _types_options(parser)
    args = parser.parse_args(argv)

    existing: dict[str, JSONValue] = json.loads(args.out.read_text()) if args.out.exists() else {}
    try:
        data = regenerate(
            {AWS_SOURCE: args.aws_repo, KUBERNETES_SOURCE: args.kubernetes_repo},
            existing,
            {AWS_SOURCE: args.aws_version, KUBERNETES_SOURCE: args.kubernetes_version},
        )
    except RegenerateError as error:
        print(f"regenerate_interfaces: {error}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{source} {' '.join(versions)}" for source, versions in data.items())
    outputs = [(args.out, data, summary)]
    if args.types_out is not None:
        try:
            types = _types(args, data)
        except (RegenerateError, resource_types.TypesError) as error:
            print(f"regenerate_interfaces: {error}", file=sys.stderr)
            return 2
        outputs.append((args.types_out, types, f"{len(resource_types.all_types(types))} resource types"))
    status = 0
    for path, content, what in outputs:
        if args.check:
            old = json.loads(path.read_text()) if path.exists() else {}
            differences = describe_differences(old, content)
            for line in differences:
                print(line)
            print(f"{path}: {'differs from' if differences else 'matches'} the regenerated data ({what})")
            status = max(status, 1 if differences else 0)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump(content))
            print(f"wrote {path}: {what}")
    return status


def _types_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--types-out", type=Path, help="also write every managed resource type of these releases and what they call to this JSON file"
    )
    parser.add_argument(
        "--module-repo",
        action="append",
        default=[],
        metavar="SOURCE=PATH",
        help="git checkout of a registry module the releases call, e.g. terraform-aws-modules/eks/aws=PATH (repeatable)",
    )
    parser.add_argument("--app-root", type=Path, default=Path(__file__).resolve().parent.parent, help="the app (its constructs)")


def _types(args: argparse.Namespace, data: dict[str, JSONValue]) -> dict[str, JSONValue]:
    repos = {AWS_SOURCE: args.aws_repo, KUBERNETES_SOURCE: args.kubernetes_repo}
    for item in args.module_repo:
        source, separator, path = item.partition("=")
        if not separator or not source or not path:
            raise RegenerateError(f"--module-repo {item!r}: expected SOURCE=PATH")
        repos[source] = Path(path)
    roots = {source: list(versions) for source, versions in data.items()}
    return resource_types.catalog(roots, repos, args.app_root)


if __name__ == "__main__":
    sys.exit(main())
