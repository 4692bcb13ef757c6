"""Mutation testing: does every small change to the code make a test fail?

    .venv/bin/python tools/mutate.py SCOPE [--jobs N] [--only FILE,...] [--sample N] [--seed S] [--list]

SCOPE is one of the scopes below: a set of product files and the fast, in-process tests that
guard them. For each file it makes one mutant per site and operator, from the syntax tree: a
comparison turned (== and !=, < and <=, < and >, in and not in, is and is not), `and` and `or`
swapped, a `not` dropped, True and False swapped, a number plus one, a string emptied (docstrings
aside), + and - swapped, an entry dropped from a table (dict literal, tuple of rows), a `raise` or
`continue` turned into `pass`. Each mutant runs the scope's tests in a forked child in which the
app's modules are forgotten and the mutated one is served by an import hook in place of the file
(nothing on disk changes), stopping at the first failure; a mutant no test notices survives and is
printed with its line. Tests that run the app in a subprocess cannot see a mutant: the scopes name
in-process tests. `--sample N` runs N mutants drawn at random (seeded) for an estimate when the
whole scope takes too long. Exit status 0 when at least --min-score of the mutants are killed.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.util
import io
import os
import random
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("settings", "release_catalog", "plan_review", "constructs_lib", "stacks", "output_folder", "fast_imports")
TIMEOUT = 120


@dataclass(frozen=True)
class Scope:
    files: tuple[str, ...]  # product files, from the project root
    tests: tuple[str, ...]
    deselect: str = ""  # a pytest -k expression leaving out tests that cannot see a mutant
    # Mutants that cannot change behaviour, reviewed one by one: {"file:line description": why}.
    # They are not run and not counted (the score is over behaviour-changing mutants).
    equivalent: dict[str, str] = field(default_factory=dict)


def _files(folder: str) -> tuple[str, ...]:
    return tuple(sorted(str(p.relative_to(ROOT)) for p in (ROOT / folder).glob("*.py")))


SETTINGS_TESTS = (
    "tests/test_settings_messages.py",
    "tests/test_settings_near_misses.py",
    "tests/test_settings_loading.py",
    "tests/test_settings_careful.py",
    "tests/test_settings_versions.py",
    "tests/test_settings_sources.py",
    "tests/test_settings_example_guard.py",
    "tests/test_deployments_checks.py",
    "tests/test_requirements.py",
    "tests/test_settings_fuzz.py",
    "tests/test_docs.py",
)
# Tests that run main.py in a subprocess, or synthesize with cdktf, see no mutant: left out (slow).
IN_PROCESS = "not main_py and not python_main and not main_prints and not loader_and_synth and not app_tags_are"
# Key.doc of an optional key whose README row has its own text (`explain`): no code reads it.
_UNREAD_DOC = "Key.doc of an optional key with `explain`: only a required key's doc is quoted (fields.py), the table shows explain"
SCOPES: dict[str, Scope] = {
    # The judge of reviewed plans (issue 16): pure functions, its own tests.
    "judge": Scope(
        tuple(f"plan_review/{name}" for name in ("judge.py", "data_bearing.py", "risky.py", "reading.py", "summary.py")),
        ("tests/test_plan_review_promise.py", "tests/test_plan_review.py", "tests/test_resource_classes.py"),
        "not memory_sized and not wrapper and not the_wrapper",
    ),
    "plan_review": Scope(
        _files("plan_review"),
        (
            "tests/test_plan_review_promise.py",
            "tests/test_plan_review.py",
            "tests/test_resource_classes.py",
            "tests/test_lock_files.py",
            "tests/test_change_sets.py",
            "tests/test_hcp_terraform.py",
            "tests/test_plan_review_cli.py",
        ),
        "not memory_sized and not wrapper and not the_wrapper",
        {
            "plan_review/changes.py:89 'the plan' -> ''": "change_set's default `where`: both callers name the plan (the file, "
            "or terraform show -json plan-review.tfplan)",
            "plan_review/changes.py:106 'surrogatepass' -> ''": "_drift reads text judge_text has read already with surrogatepass: "
            "it holds no lone surrogate (Terraform's output is decoded strictly), so no error handler is ever consulted",
            "plan_review/cli.py:90 False -> True": "apply's `destroy`: _run_stack passes it only to plan_stack; an apply applies "
            "the plan as recorded",
        },
    ),
    "settings": Scope(
        _files("settings"),
        SETTINGS_TESTS,
        IN_PROCESS,
        {
            "settings/schema.py:44 'W&B license (or `wandb_license' -> ''": _UNREAD_DOC,  # license
            "settings/schema.py:55 'Subdomain of the W&B FQDN (`<s' -> ''": _UNREAD_DOC,  # subdomain
            "settings/schema.py:97 'Kubernetes version of the EKS ' -> ''": _UNREAD_DOC,  # eks_cluster_version
            "settings/schema.py:109 'How the kubernetes and helm pr' -> ''": _UNREAD_DOC,  # kubernetes_auth
            "settings/schema.py:124 'AWS region of the deployment.' -> ''": _UNREAD_DOC,  # region
            "settings/schema.py:132 'Tags added to every AWS resour' -> ''": _UNREAD_DOC,  # default_tags
            "settings/schema.py:143 '.' -> ''": _UNREAD_DOC,  # wandb_infra_version
            "settings/schema.py:143 'Release of `wandb/wandb/aws`: ' -> ''": _UNREAD_DOC,  # wandb_infra_version
            "settings/schema.py:143 ', ' -> ''": _UNREAD_DOC,  # wandb_infra_version
            "settings/schema.py:143 '\"' -> ''": _UNREAD_DOC,  # wandb_infra_version
            "settings/schema.py:153 'Release of `wandb/wandb/kubern' -> ''": _UNREAD_DOC,  # wandb_app_version
            "settings/schema.py:161 'W&B server version the pre-ope' -> ''": _UNREAD_DOC,  # wandb_version
            "settings/schema.py:171 'W&B server image for the pre-o' -> ''": _UNREAD_DOC,  # wandb_image
            "settings/schema.py:182 'S3 bucket for the remote state' -> ''": _UNREAD_DOC,  # state_bucket
            "settings/schema.py:191 'Object key of the `wandb` stac' -> ''": _UNREAD_DOC,  # state_key
            "settings/schema.py:201 'Region of `state_bucket` (defa' -> ''": _UNREAD_DOC,  # state_region
            "settings/schema.py:210 'DynamoDB table for state locki' -> ''": _UNREAD_DOC,  # state_lock_table
            "settings/schema.py:220 'IAM role Terraform assumes to ' -> ''": _UNREAD_DOC,  # state_role_arn
            "settings/schema.py:228 'AWS profile for the state back' -> ''": _UNREAD_DOC,  # state_profile
            "settings/schema.py:236 'KMS key (ARN) the state object' -> ''": _UNREAD_DOC,  # state_kms_key_id
            "settings/schema.py:246 'S3 bucket for W&B files. Unset' -> ''": _UNREAD_DOC,  # storage_bucket_name
            "settings/hcp_keys.py:77 'HCP Terraform / Terraform Ente' -> ''": _UNREAD_DOC,  # hcp_organization
            "settings/hcp_keys.py:119 'Where the runs execute: \"remot' -> ''": _UNREAD_DOC,  # hcp_execution_mode
            "settings/hcp_keys.py:130 'true adds stack `hcp-workspace' -> ''": _UNREAD_DOC,  # hcp_manage_workspaces
            "settings/rules.py:88 'add it to the settings file' -> ''": "the fallback advice: every required input of today's releases "
            "that the app does not write (kubernetes_legacy_cluster_creator_admin) has its own",
            "settings/tftypes.py:92 drop entry 0 of a table": '_a: without the "string" entry, f"a {kind}" gives the same "a string"',
            "settings/tftypes.py:92 drop entry 1 of a table": '_a: without the "bool" entry the fallback gives the same "a bool"',
            "settings/tftypes.py:92 drop entry 2 of a table": '_a: without the "number" entry the fallback gives the same "a number"',
            "settings/tftypes.py:92 'string' -> ''": '_a: the fallback gives the same "a string" (and no Terraform type is empty)',
            "settings/tftypes.py:92 'bool' -> ''": '_a: the fallback gives the same "a bool" (and no Terraform type is empty)',
            "settings/tftypes.py:92 'number' -> ''": '_a: the fallback gives the same "a number" (and no Terraform type is empty)',
            "settings/fields.py:114 False -> True": "has_default's default: only _app_value(wandb_infra_version) relies on it, a key whose "
            "default is a string, for which has_default changes nothing",
            "settings/rules.py:131 '1.32' -> ''": 'the fallback of `ctx.infra.max_kubernetes or "1.32"`: every release in '
            "INFRA_RELEASES has a max_kubernetes",
            "settings/tftypes.py:39 \"'${\" -> ''": "a type ending in }' is the interface file's nested form, which starts with '${",
            "settings/tftypes.py:39 \"}'\" -> ''": "a type starting with '${ is the interface file's nested form, which ends with }'",
            "settings/tftypes.py:39 and <-> or": "a type starts with '${ exactly when it ends with }' (the interface file's nested form)",
            "settings/tftypes.py:91 1 -> 1 + 1": 'tf_type.split("(", 2)[0] is tf_type.split("(", 1)[0]',
            "settings/tfvars.py:119 0 -> 0 + 1": 'text.find("\\n", i) at a "#" is neither 0 nor -1: `end < 1` is `end < 0`',
            "settings/tfvars.py:119 Lt -> LtE": 'end = text.find("\\n", i) at a "#" is never 0: `end <= 0` is `end < 0`',
            "settings/tfvars.py:127 1 -> 1 + 1": "searching from one character earlier: that character ends the marker, it starts no line",
            "settings/tfvars.py:122 0 -> 0 + 1": 'end = text.find("*/", i + 2) is -1 or at least 2: `end < 1` is `end < 0`',
            "settings/tfvars.py:122 Lt -> LtE": 'end = text.find("*/", i + 2) is -1 or at least 2: `end <= 0` is `end < 0`',
        },
    ),
    "release_catalog": Scope(
        _files("release_catalog"),
        (
            "tests/test_release_catalog_facts.py",
            *SETTINGS_TESTS,
            "tests/test_module_interfaces.py",
            "tests/test_secret_patterns.py",
            "tests/test_structure.py",
        ),
        IN_PROCESS,
        {
            "release_catalog/releases.py:35 True -> False": "ModuleVariable's nullable default: its one constructor "
            "(module_release) always passes nullable",
        },
    ),
    "settings_file": Scope(
        ("constructs_lib/settings_file.py",),
        (
            "tests/test_settings_file_synth.py",
            "tests/test_wandb_stack.py",
            "tests/test_settings_file_terraform.py",
        ),
    ),
}


COMPARE_SWAPS: dict[type, list[type]] = {
    ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq], ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt], ast.Gt: [ast.GtE, ast.Lt],
    ast.GtE: [ast.Gt], ast.In: [ast.NotIn], ast.NotIn: [ast.In], ast.Is: [ast.IsNot], ast.IsNot: [ast.Is],
}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    file: str
    index: int  # which site of the walk
    operator: str
    line: int
    description: str


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            found.add(id(body[0].value))
    return found


def _skipped(tree: ast.AST) -> set[int]:
    """Nodes whose mutants cannot change behaviour: docstrings, `__all__` (names for `import *`,
    which nothing does) and decorator arguments (`@dataclass(frozen=True)`: nothing assigns)."""
    skipped = _docstrings(tree)
    for node in ast.walk(tree):
        roots: list[ast.AST] = []
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            roots.append(node.value)
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            roots += node.decorator_list
        skipped |= {id(inner) for root in roots for inner in ast.walk(root)}
    return skipped


def _sites(tree: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, operator, description) for each mutation of the tree, in a stable order."""
    docstrings = _skipped(tree)
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                for swap in COMPARE_SWAPS.get(type(op), []):
                    yield node, f"compare:{position}:{swap.__name__}", f"{type(op).__name__} -> {swap.__name__}"
        elif isinstance(node, ast.BoolOp):
            yield node, "boolop", "and <-> or"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "not", "drop not"
        elif isinstance(node, ast.Constant) and id(node) not in docstrings:
            if isinstance(node.value, bool):
                yield node, "bool", f"{node.value} -> {not node.value}"
            elif isinstance(node.value, int | float):
                yield node, "number", f"{node.value} -> {node.value} + 1"
            elif isinstance(node.value, str) and node.value:
                yield node, "string", f"{node.value[:30]!r} -> ''"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            yield node, "binop", "+ <-> -"
        elif isinstance(node, ast.Dict) and len(node.keys) > 1:
            for position in range(len(node.keys)):
                yield node, f"dropkey:{position}", f"drop entry {position} of a table"
        elif isinstance(node, ast.Tuple) and len(node.elts) > 3 and all(isinstance(e, ast.Call | ast.Starred) for e in node.elts):
            for position in range(len(node.elts)):
                yield node, f"droprow:{position}", f"drop row {position}"
        elif isinstance(node, ast.Raise | ast.Continue):
            yield node, "pass", f"{type(node).__name__.lower()} -> pass"


def _apply(node: ast.AST, operator: str) -> None:
    kind, _, arg = operator.partition(":")
    if kind == "compare":
        position, swap = arg.split(":")
        node.ops[int(position)] = getattr(ast, swap)()  # type: ignore[attr-defined]
    elif kind == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()  # type: ignore[attr-defined]
    elif kind == "bool":
        node.value = not node.value  # type: ignore[attr-defined]
    elif kind == "number":
        node.value = node.value + 1  # type: ignore[attr-defined]
    elif kind == "string":
        node.value = ""  # type: ignore[attr-defined]
    elif kind == "binop":
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()  # type: ignore[attr-defined]
    elif kind == "dropkey":
        del node.keys[int(arg)], node.values[int(arg)]  # type: ignore[attr-defined]
    elif kind == "droprow":
        del node.elts[int(arg)]  # type: ignore[attr-defined]


def _mutated_tree(file: str, index: int) -> ast.Module:
    tree = ast.parse((ROOT / file).read_text())
    if index < 0:
        return tree  # the baseline: unmutated, every test must pass
    node, operator, _ = list(_sites(tree))[index]
    if operator == "not":
        return _replace(tree, node, node.operand)  # type: ignore[attr-defined]
    if operator == "pass":
        return _replace(tree, node, ast.Pass())
    _apply(node, operator)
    return tree


def _replace(tree: ast.Module, old: ast.AST, new: ast.AST) -> ast.Module:
    class Replacer(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            return new if node is old else super().visit(node)

    return ast.fix_missing_locations(Replacer().visit(tree))


def mutants(scope: Scope, only: str | None = None) -> list[Mutant]:
    found = []
    for file in scope.files:
        if only and Path(file).name not in only.split(","):
            continue
        tree = ast.parse((ROOT / file).read_text())
        for index, (node, operator, description) in enumerate(_sites(tree)):
            found.append(Mutant(file, index, operator, getattr(node, "lineno", 0), description))
    return found


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the mutated module under its own name; every other import is left to the others."""

    def __init__(self, name: str, path: Path, code: Any):
        self.name, self.path, self.code = name, path, code

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != self.name:
            return None
        package = [str(self.path.parent)] if self.path.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, self.path, loader=self, submodule_search_locations=package)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        exec(self.code, module.__dict__)


def _module_name(file: str) -> str:
    parts = Path(file).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _child(mutant: Mutant, scope: Scope) -> int:
    """In the forked child: the app's modules forgotten, the mutant served in place of its file,
    then the scope's tests."""
    import pytest

    tree = ast.fix_missing_locations(_mutated_tree(mutant.file, mutant.index))
    try:
        code = compile(tree, str(ROOT / mutant.file), "exec")
    except Exception:
        return 1  # the mutant does not even compile: killed
    for name in list(sys.modules):
        if name.split(".")[0] in (*APP_PACKAGES, "helpers", "terraform_cli"):
            del sys.modules[name]
    sys.meta_path.insert(0, _MutantFinder(_module_name(mutant.file), ROOT / mutant.file, code))
    signal.alarm(TIMEOUT)
    sink = io.StringIO()
    with redirect_stdout(sink), redirect_stderr(sink):
        args = [*scope.tests, "-x", "-q", "-p", "no:cacheprovider", "--hypothesis-seed=0", "-o", "addopts="]
        if scope.deselect:
            args += ["-k", scope.deselect]
        try:
            return int(pytest.main(args))
        except Exception:
            return 1  # the mutant broke an import: killed


def run(mutant: Mutant, scope: Scope) -> bool:
    """Whether a test killed the mutant (failed, errored or timed out)."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            status = _child(mutant, scope)
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scope", choices=sorted(SCOPES))
    parser.add_argument("--only", help="files of the scope by name, comma-separated (e.g. judge.py,risky.py)")
    parser.add_argument("--sample", type=int, default=0, help="only N mutants drawn at random (an estimate)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--min-score", type=float, default=0.85)
    args = parser.parse_args()
    scope = SCOPES[args.scope]
    os.chdir(ROOT)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import hypothesis  # noqa: F401  (what every child would import: once, before the forks)
    import pytest  # noqa: F401

    found = [m for m in mutants(scope, args.only) if f"{m.file}:{m.line} {m.description}" not in scope.equivalent]
    if args.sample and args.sample < len(found):
        found = sorted(random.Random(args.seed).sample(found, args.sample), key=lambda m: (m.file, m.index))
    if args.list:
        for m in found:
            print(f"{m.file}:{m.line}  {m.description}")
        return 0
    if run(Mutant(scope.files[0], -1, "none", 0, "baseline"), scope):
        print("the tests fail without any mutant: fix them first")
        return 2
    survivors = _run_all(found, scope, args.jobs)
    killed = len(found) - len(survivors)
    for m in survivors:
        print(f"SURVIVED {m.file}:{m.line}  {m.description}")
    sampled = f" (a sample of {len(found)}, seed {args.seed})" if args.sample else ""
    print(f"{args.scope}: {killed}/{len(found)} mutants killed{sampled} ({killed / max(len(found), 1):.1%}); {len(survivors)} survived")
    return 0 if killed >= args.min_score * len(found) else 1


def _run_all(found: list[Mutant], scope: Scope, jobs: int) -> list[Mutant]:
    survivors: list[Mutant] = []
    running: dict[int, Mutant] = {}
    queue = list(found)
    done = 0
    while queue or running:
        while queue and len(running) < jobs:
            mutant = queue.pop(0)
            pid = os.fork()
            if pid == 0:
                os._exit(0 if not run(mutant, scope) else 1)
            running[pid] = mutant
        pid, status = os.wait()
        mutant = running.pop(pid)
        done += 1
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            survivors.append(mutant)
            print(f"[{done}/{len(found)}] survived {mutant.file}:{mutant.line} {mutant.description}", flush=True)
    return sorted(survivors, key=lambda m: (m.file, m.line))


if __name__ == "__main__":
    sys.exit(main())
