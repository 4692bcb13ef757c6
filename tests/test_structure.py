"""The structure the README shows: the imports point one way (main -> stacks -> constructs_lib ->
release_catalog, and settings -> release_catalog; output_folder beside main; plan_review beside
them, taking from the app only the project root, the settings files and the lock-file layout), the
constructs and the catalog read no environment and name no stack, and the README's table of inputs
the app always writes is the catalog's own."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import PROJECT_ROOT

PACKAGES = ("main", "stacks", "constructs_lib", "settings", "release_catalog", "fast_imports", "plan_review", "output_folder")

# Which of the app's packages each may import (itself included).
ALLOWED = {
    "release_catalog": {"release_catalog"},
    "settings": {"settings", "release_catalog"},
    "constructs_lib": {"constructs_lib", "release_catalog"},
    "stacks": {"stacks", "constructs_lib", "settings", "release_catalog"},
    "main": {"fast_imports", "settings", "stacks", "constructs_lib", "output_folder"},
    # The output folder is handled before the bindings load: no cdktf, no construct.
    "output_folder": {"output_folder", "settings"},
    "fast_imports": {"fast_imports"},
    # Reviewed plans run Terraform on what main.py synthesized: no stack, construct or binding.
    # From the app: the project root and the settings files of a run (settings), the lock-file
    # layout (output_folder).
    "plan_review": {"plan_review", "settings", "output_folder"},
}


def sources(package: str) -> list[Path]:
    if package == "main":
        return [PROJECT_ROOT / "main.py"]
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names if name.split(".")[0] in PACKAGES}
    return found


def test_imports_point_one_way():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sources(package):
            for imported in imported_packages(path) - allowed:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)} imports {imported}")
    assert wrong == []


def test_plan_review_takes_only_the_project_root_and_the_settings_files_from_settings():
    """plan_review may ask `settings` for the project root, the files a run's settings come from
    and the var files the cdktf CLI passes, nothing else; it imports no cdktf, no construct and no
    provider binding."""
    taken = set()
    for path in sources("plan_review"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "settings":
                taken |= {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                taken |= {alias.name for alias in node.names if alias.name.split(".")[0] == "settings"}
        roots = {name.split(".")[0] for name in _all_import_names(path)}
        assert not {r for r in roots if r in ("cdktf", "constructs", "jsii") or r.startswith("cdktf_cdktf_provider")}, path
    assert taken == {"settings.PROJECT_ROOT", "settings.settings_files", "settings.sources.cli_var_files"}


def test_the_catalog_and_the_output_folder_import_no_cdktf():
    for path in sources("release_catalog") + sources("output_folder"):
        assert not {"cdktf", "constructs", "jsii"} & {name.split(".")[0] for name in _all_import_names(path)}, path


def _all_import_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_constructs_stacks_and_catalog_read_no_environment():
    for package in ("constructs_lib", "stacks", "release_catalog"):
        for path in sources(package):
            text = path.read_text()
            for needle in ("os.environ", "getenv", "environ.get"):
                assert needle not in text, f"{path.relative_to(PROJECT_ROOT)} reads the environment ({needle})"


def test_constructs_name_no_stack():
    for path in sources("constructs_lib"):
        literals = {
            node.value for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not {"wandb", "wandb-storage"} & literals or path.name == "aws_provider.py", path  # BASE_TAGS' Application = "wandb"


def test_readme_table_of_always_written_inputs_is_the_catalogs():
    from release_catalog.layouts import always_written_markdown

    assert always_written_markdown() in (PROJECT_ROOT / "README.md").read_text()


def test_the_stack_kinds_settings_knows_are_the_stacks_built():
    from settings.naming import STACK_KINDS
    from stacks import storage_stack, wandb_stack

    assert (wandb_stack.KIND, storage_stack.KIND) == STACK_KINDS
