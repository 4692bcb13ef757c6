"""The recipes of docs/engines.md (docs/recipes/), checked offline: every file parses as YAML; the
Atlantis repo config holds to a schema written from Atlantis's own config parser
(server/core/config/raw: repo_cfg.go, project.go, workflow.go, stage.go, step.go) and its projects
are the stacks of the example settings; every directory a recipe names is `terraform/<stack>`;
every script a recipe or docs/engines.md runs exists and is executable. (test_export.py checks that
each directory exists in a fresh export and that the Atlantis file is what the export generates.)"""

from __future__ import annotations

import os
import re

import jsonschema
import pytest
import yaml
from helpers import PROJECT_ROOT

from output_folder.engines import atlantis_yaml
from settings.naming import STACK_KINDS, stack_id

RECIPES = PROJECT_ROOT / "docs" / "recipes"
ENGINES_DOC = PROJECT_ROOT / "docs" / "engines.md"
EXPORT_DIR = "terraform"
EXAMPLE_STACKS = [stack_id(kind, None) for kind in STACK_KINDS]  # a single settings file's stacks

BUILT_IN_STEPS = ["init", "plan", "apply", "show", "policy_check", "import", "state_rm", "env", "multienv"]
_STEP = {
    "oneOf": [
        {"enum": BUILT_IN_STEPS},  # a built-in step: `- init`
        {  # a custom command: `- run: CMD`, or `- run: {command: CMD, output: ...}`
            "type": "object",
            "properties": {
                "run": {
                    "oneOf": [
                        {"type": "string", "minLength": 1},
                        {"type": "object", "required": ["command"], "properties": {"command": {"type": "string"}}},
                    ]
                }
            },
            "required": ["run"],
            "additionalProperties": False,
        },
        {  # a built-in step with extra arguments: `- plan: {extra_args: [...]}`
            "type": "object",
            "propertyNames": {"enum": BUILT_IN_STEPS},
            "additionalProperties": {
                "type": "object",
                "properties": {"extra_args": {"type": "array", "items": {"type": "string"}}},
                "additionalProperties": False,
            },
            "minProperties": 1,
            "maxProperties": 1,
        },
    ]
}
_STAGE = {"type": "object", "properties": {"steps": {"type": "array", "items": _STEP}}, "additionalProperties": False}
_REQUIREMENTS = {"type": "array", "items": {"enum": ["approved", "mergeable", "undiverged"]}}
ATLANTIS_REPO_CONFIG_SCHEMA = {
    "type": "object",
    "required": ["version"],
    "properties": {
        "version": {"enum": [2, 3]},
        "automerge": {"type": "boolean"},
        "parallel_plan": {"type": "boolean"},
        "parallel_apply": {"type": "boolean"},
        "projects": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["dir"],
                "properties": {
                    "name": {"type": "string", "pattern": r"^[A-Za-z0-9_.~/-]+$"},  # URL-safe (project.go)
                    "dir": {"type": "string", "not": {"pattern": r"\.\."}},
                    "workspace": {"type": "string"},
                    "workflow": {"type": "string"},
                    "autoplan": {
                        "type": "object",
                        "properties": {"enabled": {"type": "boolean"}, "when_modified": {"type": "array", "items": {"type": "string"}}},
                        "additionalProperties": False,
                    },
                    "plan_requirements": _REQUIREMENTS,
                    "apply_requirements": _REQUIREMENTS,
                },
                "additionalProperties": False,
            },
        },
        "workflows": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"enum": ["plan", "apply", "policy_check", "import", "state_rm"]},
                "additionalProperties": _STAGE,
            },
        },
    },
    "additionalProperties": False,
}


def load(name: str) -> dict:
    return yaml.safe_load((RECIPES / name).read_text())


@pytest.mark.parametrize("name", sorted(p.name for p in RECIPES.iterdir()))
def test_every_recipe_parses_as_yaml(name):
    assert isinstance(load(name), dict)


def test_the_atlantis_repo_config_follows_atlantis_schema_and_names_every_stack_once():
    config = load("atlantis.yaml")
    jsonschema.validate(config, ATLANTIS_REPO_CONFIG_SCHEMA)
    assert [p["dir"] for p in config["projects"]] == [f"{EXPORT_DIR}/{stack}" for stack in EXAMPLE_STACKS]
    assert {p["workflow"] for p in config["projects"]} <= set(config["workflows"])
    steps = config["workflows"]["wandb"]["plan"]["steps"]
    assert steps[:2] == ["init", "plan"] and 'scripts/plan" --json' in steps[2]["run"]
    # The committed file is the one the export generates for the example settings' stacks.
    assert (RECIPES / "atlantis.yaml").read_text() == atlantis_yaml(EXPORT_DIR, EXAMPLE_STACKS)


@pytest.mark.parametrize(
    "bad",
    [
        {"projects": [{"dir": "terraform/wandb"}]},  # no version
        {"version": 3, "projects": [{"dir": "../wandb"}]},
        {"version": 3, "workflows": {"w": {"plan": {"steps": ["terraform plan"]}}}},  # a command without `run`
        {"version": 3, "workflows": {"w": {"plan": {"steps": [{"plan": {"args": []}}]}}}},
    ],
)
def test_the_schema_refuses_what_atlantis_refuses(bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, ATLANTIS_REPO_CONFIG_SCHEMA)


def test_the_server_side_config_allows_the_workflow_and_checks_the_export_first():
    (repo,) = load("atlantis-repos.yaml")["repos"]
    assert repo["allow_custom_workflows"] is True and "workflow" in repo["allowed_overrides"]
    assert [hook["run"] for hook in repo["pre_workflow_hooks"]] == ["./scripts/setup && ./scripts/export --check"]


def test_terrateam_and_spacelift_run_each_exported_stack_folder_with_the_guard():
    terrateam = load("terrateam-config.yml")
    assert sorted(terrateam["dirs"]) == sorted(f"{EXPORT_DIR}/{stack}" for stack in EXAMPLE_STACKS)
    (workflow,) = terrateam["workflows"]
    assert [step["type"] for step in workflow["plan"]] == ["init", "plan", "run"]
    assert 'scripts/plan" --json' in workflow["plan"][2]["cmd"][-1]
    spacelift = load("spacelift-config.yml")
    assert {slug: stack["project_root"] for slug, stack in spacelift["stacks"].items()} == {
        stack: f"{EXPORT_DIR}/{stack}" for stack in EXAMPLE_STACKS
    }
    assert any("scripts/export --check" in hook for hook in spacelift["stack_defaults"]["before_init"])
    assert any("scripts/plan --json" in hook for hook in spacelift["stack_defaults"]["after_plan"])


def test_every_script_the_recipes_run_exists_and_is_executable():
    texts = [path.read_text() for path in sorted(RECIPES.iterdir())] + [ENGINES_DOC.read_text()]
    scripts = {name for text in texts for name in re.findall(r"scripts/([a-z_]+)", text)}
    assert {"export", "plan", "setup"} <= scripts
    for name in sorted(scripts):
        path = PROJECT_ROOT / "scripts" / name
        assert path.is_file() and os.access(path, os.X_OK), path
