"""Every module block the app can synthesize is valid for the release it pins: each literal the
app writes fits the input's declared type (WandbModule itself checks names and required inputs;
the settings loader checks the user's values, not the app's own), each output referenced exists,
and the root's Terraform and provider constraints can be met together with the modules' own
(else `terraform init` fails)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, synth_app

from release_catalog import layouts
from release_catalog.releases import AWS_MODULE_SOURCE
from settings.tftypes import type_error

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "wandb-module-interfaces.json"
PROJECT_COPY = Path(layouts.__file__).parent / "data" / "wandb_module_interfaces.json"

LAYOUTS = {
    "recommended": {},
    "pre-operator": {"wandb_infra_version": "1.16.10", "wandb_version": "0.51.2"},
    "pre-operator-app-1.x": {"wandb_infra_version": "1.16.10", "wandb_app_version": "~>1.0"},
    "post-operator": {"wandb_infra_version": "4.7.2", "size": "small"},
    "7.18.2": {"wandb_infra_version": "7.18.2", "eks_cluster_version": "1.32"},
    "v8": {"wandb_infra_version": "8.0.0", "eks_cluster_version": "1.35", "kubernetes_legacy_cluster_creator_admin": False},
}
OPTIONS = {
    "default": {},
    "redis_off": {"create_elasticache": False},
    "external_queue": {"use_internal_queue": False},
    "both": {"create_elasticache": False, "use_internal_queue": False},
}
META_KEYS = {"//", "source", "version", "depends_on", "providers", "count", "for_each"}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory):
    out = {}
    for layout, layout_settings in LAYOUTS.items():
        for option, option_settings in OPTIONS.items():
            outdir = tmp_path_factory.mktemp(f"{layout}-{option}")
            out[(layout, option)] = synth_app({**GUIDE_SETTINGS, **layout_settings, **option_settings}, outdir)["wandb"]
    return out


def _release_of(block):
    source, constraint = block["source"], block["version"]
    if source == AWS_MODULE_SOURCE:
        return layouts.INFRA_RELEASES[constraint].release
    return layouts.app_release(constraint)


def test_every_literal_the_app_writes_fits_the_declared_type(stacks):
    checked = 0
    for key, stack in stacks.items():
        for name, block in stack["module"].items():
            release = _release_of(block)
            for input_name, value in block.items():
                if input_name in META_KEYS or "${" in json.dumps(value):
                    continue  # references: Terraform checks them
                assert type_error(value, release.variables[input_name].type) is None, (key, name, input_name)
                checked += 1
    assert checked > 100


def test_every_module_output_referenced_exists(stacks):
    for key, stack in stacks.items():
        releases_by_name = {name: _release_of(block) for name, block in stack["module"].items()}
        for ref_module, output in re.findall(r"module\.(\w+)\.(\w+)", json.dumps(stack)):
            assert output in releases_by_name[ref_module].outputs, (key, ref_module, output)


def test_the_guides_missing_license_is_passed(stacks):
    for (layout, _), stack in stacks.items():
        modules = stack["module"]
        holder = "wandb_app" if layout.startswith("pre-operator") else "wandb_infra"
        assert modules[holder]["license"] == "${local.license}"


# --- constraints --------------------------------------------------------------------------


def _parse(constraint: str):
    """A Terraform version constraint as a predicate over (major, minor, patch)."""
    checks = []
    for part in constraint.split(","):
        op, version = re.match(r"\s*(~>|>=|<=|!=|=|>|<)?\s*([\d.]+)\s*$", part).groups()
        nums = [int(x) for x in version.split(".")]
        padded = tuple(nums + [0] * (3 - len(nums)))
        if op == "~>":
            upper = list(nums[:-1])
            upper[-1] += 1
            upper_t = tuple(upper + [0] * (3 - len(upper)))
            checks.append(lambda v, lo=padded, hi=upper_t: lo <= v < hi)
        else:
            checks.append(
                {
                    None: lambda v, p=padded: v == p,
                    "=": lambda v, p=padded: v == p,
                    "!=": lambda v, p=padded: v != p,
                    ">": lambda v, p=padded: v > p,
                    ">=": lambda v, p=padded: v >= p,
                    "<": lambda v, p=padded: v < p,
                    "<=": lambda v, p=padded: v <= p,
                }[op]
            )
    return lambda v: all(c(v) for c in checks)


CANDIDATES = [(major, minor, patch) for major in range(0, 8) for minor in range(0, 130) for patch in (0, 1, 2)]


def _satisfiable(*constraints: str) -> bool:
    predicates = [_parse(c) for c in constraints]
    return any(all(p(v) for p in predicates) for v in CANDIDATES)


def test_constraint_parser_itself():
    assert _satisfiable("~> 4.0", "< 5.0")
    assert not _satisfiable("~> 4.0", "6.25.0")
    assert not _satisfiable("< 3.0.0", "3.1.1")
    assert _satisfiable("~> 2.6", "~> 2.23")
    assert not _satisfiable("~> 3.60", "~> 4.0")


def test_root_constraints_can_be_met_with_every_modules_own(stacks):
    for key, stack in stacks.items():
        terraform = stack["terraform"]
        root_providers = {name: spec["version"] for name, spec in terraform["required_providers"].items() if "version" in spec}
        module_releases = [_release_of(block) for block in stack["module"].values()]
        for provider, root_constraint in root_providers.items():
            module_constraints = [r.version_constraints[provider] for r in module_releases if provider in r.version_constraints]
            assert _satisfiable(root_constraint, *module_constraints), (key, provider)
        module_tf = [r.version_constraints["terraform"] for r in module_releases]
        assert _satisfiable(terraform["required_version"], *module_tf), key
        assert _parse(terraform["required_version"])((1, 11, 4)), key  # the Terraform on this machine


def test_bindings_default_pins_are_replaced(stacks):
    """Left alone, the bindings would write aws 6.25.0 / helm 3.1.1, which no module admits."""
    for key, stack in stacks.items():
        versions = {name: spec.get("version") for name, spec in stack["terraform"]["required_providers"].items()}
        assert versions["aws"] != "6.25.0", key
        assert versions.get("helm") != "3.1.1", key
        assert versions["kubernetes"] != "2.38.0", key


def test_project_copy_of_interfaces_matches_the_reference():
    if not REFERENCE.exists():
        pytest.skip(f"the shared reference {REFERENCE} is not beside this checkout")
    reference = json.loads(REFERENCE.read_text())
    copy = json.loads(PROJECT_COPY.read_text())
    for source, versions in copy.items():
        for version, interface in versions.items():
            assert interface == reference[source][version], (source, version)
