"""Mutation testing of the judge: does every small change to its code make a test fail?

    .venv/bin/python tests/mutate_plan_review.py [--jobs N] [--only judge.py] [--list]

For each module of the judge (judge.py, data_bearing.py, risky.py, reading.py, summary.py) it makes
one mutant per site and operator, from the syntax tree: a comparison turned (== and !=, < and <=,
< and >, in and not in, is and is not), `and` and `or` swapped, a `not` dropped, True and False
swapped, a number plus one, a string emptied (docstrings aside), + and - swapped, an entry
dropped from a table (dict literal, tuple of rows), a `raise` or `continue` turned into `pass`.
Each mutant runs the judge's tests in a forked child that imports the mutated module in place of
the file (nothing on disk changes), stopping at the first failure; a mutant no test notices
survives and is printed with its line. Tests that run ./scripts/plan in a subprocess cannot see
a mutant and are left out. Exit status 0 when at least --min-score of the mutants are killed.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("judge.py", "data_bearing.py", "risky.py", "reading.py", "summary.py")
TESTS = ["tests/test_plan_review_promise.py", "tests/test_plan_review.py", "tests/test_resource_classes.py"]
DESELECT = "not memory_sized and not wrapper and not the_wrapper"
TIMEOUT = 120

COMPARE_SWAPS: dict[type, list[type]] = {
    ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq], ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt], ast.Gt: [ast.GtE, ast.Lt],
    ast.GtE: [ast.Gt], ast.In: [ast.NotIn], ast.NotIn: [ast.In], ast.Is: [ast.IsNot], ast.IsNot: [ast.Is],
}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    module: str
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


def _mutated_tree(module: str, index: int) -> ast.Module:
    tree = ast.parse((ROOT / "plan_review" / module).read_text())
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


def mutants(only: str | None = None) -> list[Mutant]:
    found = []
    for module in MODULES:
        if only and module not in only.split(","):
            continue
        tree = ast.parse((ROOT / "plan_review" / module).read_text())
        for index, (node, operator, description) in enumerate(_sites(tree)):
            found.append(Mutant(module, index, operator, getattr(node, "lineno", 0), description))
    return found


def _child(mutant: Mutant) -> int:
    """In the forked child: the mutated module in place of the file, then the tests."""
    import importlib.util

    import pytest

    name = f"plan_review.{mutant.module.removesuffix('.py')}"
    path = ROOT / "plan_review" / mutant.module
    tree = ast.fix_missing_locations(_mutated_tree(mutant.module, mutant.index))
    import plan_review  # the package first; its __init__ imports nothing

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        exec(compile(tree, str(path), "exec"), module.__dict__)
    except Exception:
        return 1  # the mutant does not even import: killed
    setattr(plan_review, name.rsplit(".", 1)[1], module)
    signal.alarm(TIMEOUT)
    sink = io.StringIO()
    with redirect_stdout(sink), redirect_stderr(sink):
        args = [*TESTS, "-x", "-q", "-p", "no:cacheprovider", "-k", DESELECT, "--hypothesis-seed=0", "-o", "addopts="]
        return int(pytest.main(args))


def run(mutant: Mutant) -> bool:
    """Whether a test killed the mutant (failed, errored or timed out)."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            status = _child(mutant)
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="modules of plan_review, comma-separated (e.g. judge.py,risky.py)")
    parser.add_argument("--first", type=int, default=0, help="only the first N mutants (a quick look)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--min-score", type=float, default=0.9)
    args = parser.parse_args()
    os.chdir(ROOT)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import helpers  # noqa: F401  (what every child would import: once, before the forks)
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401

    found = mutants(args.only)
    found = found[: args.first] if args.first else found
    if args.list:
        for m in found:
            print(f"{m.module}:{m.line}  {m.description}")
        return 0
    if any(run(Mutant(module, -1, "none", 0, "baseline")) for module in {m.module for m in found}):
        print("the tests fail without any mutant: fix them first")
        return 2
    survivors = _run_all(found, args.jobs)
    killed = len(found) - len(survivors)
    for m in survivors:
        print(f"SURVIVED {m.module}:{m.line}  {m.description}")
    print(f"{killed}/{len(found)} mutants killed ({killed / max(len(found), 1):.1%}); {len(survivors)} survived")
    return 0 if killed >= args.min_score * len(found) else 1


def _run_all(found: list[Mutant], jobs: int) -> list[Mutant]:
    survivors: list[Mutant] = []
    running: dict[int, Mutant] = {}
    queue = list(found)
    done = 0
    while queue or running:
        while queue and len(running) < jobs:
            mutant = queue.pop(0)
            pid = os.fork()
            if pid == 0:
                os._exit(0 if not run(mutant) else 1)
            running[pid] = mutant
        pid, status = os.wait()
        mutant = running.pop(pid)
        done += 1
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            survivors.append(mutant)
            print(f"[{done}/{len(found)}] survived {mutant.module}:{mutant.line} {mutant.description}", flush=True)
    return sorted(survivors, key=lambda m: (m.module, m.line))


if __name__ == "__main__":
    sys.exit(main())
