"""`wandb/wandb/aws` 8.x: a new deployment, the in-place upgrade from 7.x, exact pins, the
required `kubernetes_legacy_cluster_creator_admin`, and which Kubernetes versions each release's
nodes can run, with AWS's EKS calendar read for an injected date."""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import GUIDE_SETTINGS, NEW_V8, PROJECT_ROOT, run_main, synth_app, to_hcl

from release_catalog.eks_versions import EKS_CALENDAR
from settings import SettingsError, load_settings, parse_settings

CALENDAR_DAY = date(2026, 11, 30)  # the day FACTS.md read the calendar

# An existing 7.x deployment (nodes on Amazon Linux 2: at most 1.32), and the runbook's first step.
ON_7X = {**GUIDE_SETTINGS, "eks_cluster_version": "1.32"}
UPGRADE_STEP_1 = {
    **ON_7X,
    "wandb_infra_version": "~> 8.0",
    "kubernetes_legacy_cluster_creator_admin": True,
    "preserve_aws_auth_configmap": True,
}
UPGRADE_STEP_2 = {**UPGRADE_STEP_1, "preserve_aws_auth_configmap": False}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    variants = {"new_v8": NEW_V8, "on_7x": ON_7X, "upgrade_step_1": UPGRADE_STEP_1, "upgrade_step_2": UPGRADE_STEP_2}
    return {name: synth_app(values, tmp_path_factory.mktemp(name))["wandb"] for name, values in variants.items()}


@pytest.mark.parametrize("variant", ["new_v8", "upgrade_step_1"])
def test_snapshot(synthesized, json_snapshot, variant):
    assert synthesized[variant] == json_snapshot


# --- the wiring -----------------------------------------------------------------------------------


def test_providers_come_from_the_module_outputs_and_the_token_from_aws_eks_get_token(synthesized):
    stack = synthesized["new_v8"]
    # No data.aws_eks_cluster (it fails on a new deployment's first plan), and no token data source:
    # kubernetes_auth = "exec", the default, fetches a fresh token for every plan and apply.
    assert "data" not in stack
    exec_block = {
        "api_version": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", "${module.wandb_infra.cluster_name}", "--region", "eu-central-1"],
    }
    connection = {
        "host": "${module.wandb_infra.cluster_endpoint}",
        "cluster_ca_certificate": "${base64decode(module.wandb_infra.cluster_certificate_authority_data)}",
    }
    (kubernetes,) = stack["provider"]["kubernetes"]
    (helm,) = stack["provider"]["helm"]
    assert kubernetes == {**connection, "exec": [exec_block]}
    assert helm == {"kubernetes": {**connection, "exec": exec_block}}


def test_constraints(synthesized):
    terraform = synthesized["new_v8"]["terraform"]
    assert terraform["required_version"] == "~> 1.9, >= 1.10"
    versions = {name: spec.get("version") for name, spec in terraform["required_providers"].items()}
    # Every entry has a version (the cdktf CLI refuses one without); the built-in provider the
    # license needs is declared in an override file beside cdk.tf.json.
    assert versions == {"aws": "~> 5.95", "helm": "< 3.0.0", "kubernetes": "~> 2.23"}


def test_kept_as_in_7x(synthesized):
    """Outputs, the backend, module.wandb_infra, the options and the license handling."""
    new, old = synthesized["new_v8"], synthesized["on_7x"]
    assert new["output"] == old["output"]
    assert new["terraform"]["backend"] == old["terraform"]["backend"]
    assert new["locals"] == old["locals"]
    module = new["module"]["wandb_infra"]
    assert (module["source"], module["version"]) == ("wandb/wandb/aws", "8.0.0")
    assert module["license"] == "${local.license}"
    assert (module["create_elasticache"], module["use_internal_queue"]) == (True, True)
    assert module["kubernetes_legacy_cluster_creator_admin"] is False


@pytest.mark.parametrize("pin, written", [("~> 7.0", "~> 7.0"), ("7.18.2", "7.18.2"), ("~>8.0", "~> 8.0"), ("8.0.0", "8.0.0")])
def test_exact_pins_and_constraints_are_written_as_given(tmp_path, pin, written):
    values = ON_7X if pin.startswith(("7", "~> 7")) else NEW_V8
    stack = synth_app({**values, "wandb_infra_version": pin}, tmp_path)["wandb"]
    assert stack["module"]["wandb_infra"]["version"] == written


def test_8x_inputs_pass_through_typed(tmp_path):
    stack = synth_app({**NEW_V8, "preserve_aws_auth_configmap": True, "eks_addons_preroll_version": "1.35"}, tmp_path)["wandb"]
    module = stack["module"]["wandb_infra"]
    assert (module["preserve_aws_auth_configmap"], module["eks_addons_preroll_version"]) == (True, "1.35")


# --- the upgrade from 7.x -------------------------------------------------------------------------


def root_addresses(stack: dict) -> set[str]:
    found = {f"module.{name}" for name in stack.get("module", {})}
    for kind, named in stack.get("data", {}).items():
        found |= {f"data.{kind}.{name}" for name in named}
    for kind, named in stack.get("resource", {}).items():
        found |= {f"{kind}.{name}" for name in named}
    found |= {f"output.{name}" for name in stack.get("output", {})} | {f"provider.{name}" for name in stack.get("provider", {})}
    return found | {f"local.{name}" for name in stack.get("locals", {})}


def test_the_upgrade_keeps_the_stack_and_drops_only_the_cluster_data_source(synthesized):
    before, after = synthesized["on_7x"], synthesized["upgrade_step_1"]
    assert before["//"]["metadata"]["stackName"] == after["//"]["metadata"]["stackName"] == "wandb"
    assert before["terraform"]["backend"] == after["terraform"]["backend"]
    assert root_addresses(before) - root_addresses(after) == {"data.aws_eks_cluster.eks_cluster_id"}
    assert root_addresses(after) - root_addresses(before) == set()


def test_the_upgrade_steps_change_only_what_the_runbook_says(synthesized):
    step1, step2 = synthesized["upgrade_step_1"]["module"]["wandb_infra"], synthesized["upgrade_step_2"]["module"]["wandb_infra"]
    old = synthesized["on_7x"]["module"]["wandb_infra"]
    assert {k for k in set(old) | set(step1) if old.get(k) != step1.get(k)} == {
        "version",
        "kubernetes_legacy_cluster_creator_admin",
        "preserve_aws_auth_configmap",
    }
    assert {k for k in step1 if step1[k] != step2.get(k)} == {"preserve_aws_auth_configmap"}


# --- settings errors ------------------------------------------------------------------------------


def refused(values: dict, today: date = CALENDAR_DAY) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        parse_settings(values, "v8.tfvars", today=today)
    return caught.value


def test_kubernetes_legacy_cluster_creator_admin_is_never_guessed(tmp_path):
    settings_file = tmp_path / "v8.tfvars"
    settings_file.write_text(to_hcl({k: v for k, v in NEW_V8.items() if k != "kubernetes_legacy_cluster_creator_admin"}))
    result = run_main(settings_file, tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert "v8.tfvars: setting `kubernetes_legacy_cluster_creator_admin`: is required by wandb/wandb/aws 8.0.0" in result.stderr
    assert "true when upgrading a cluster that 7.x created" in result.stderr
    assert "false for a new deployment" in result.stderr


def test_kubernetes_map_accounts_must_be_empty_on_8x():
    err = refused({**NEW_V8, "kubernetes_map_accounts": ["123456789012"]})
    assert err.setting == "kubernetes_map_accounts" and "must be empty" in err.message
    parse_settings({**NEW_V8, "kubernetes_map_accounts": []}, "v8.tfvars", today=CALENDAR_DAY)
    parse_settings({**ON_7X, "kubernetes_map_accounts": ["123456789012"]}, "7x.tfvars", today=CALENDAR_DAY)


@pytest.mark.parametrize(
    "values, words",
    [
        ({**ON_7X, "eks_cluster_version": "1.33"}, ["Amazon Linux 2", "1.33", '"~> 8.0"']),
        ({**ON_7X, "wandb_infra_version": "7.18.2", "eks_cluster_version": "1.34"}, ["Amazon Linux 2", '"~> 8.0"']),
        ({**NEW_V8, "eks_cluster_version": "1.29"}, ["1.30 to 1.35", "older"]),
        ({**NEW_V8, "eks_cluster_version": "1.36"}, ["1.30 to 1.35", "newer"]),
        ({**NEW_V8, "preserve_aws_auth_configmap": "true"}, ["expected a bool"]),
    ],
    ids=["7x_at_1.33", "7.18.2_at_1.34", "8x_at_1.29", "8x_at_1.36", "8x_input_typed"],
)
def test_versions_the_nodes_cannot_run_are_settings_errors(values, words):
    err = refused(values)
    assert err.setting in ("eks_cluster_version", "preserve_aws_auth_configmap")
    for word in words:
        assert word in err.message, err.message


# --- AWS's EKS calendar ---------------------------------------------------------------------------


def warnings_for(values: dict, today: date) -> list[str]:
    """The calendar's warnings (W&B's requirements warn about other settings too: test_requirements.py)."""
    warnings = parse_settings(values, "cal.tfvars", today=today).warnings
    return [str(w) for w in warnings if w.setting == "eks_cluster_version"]


def test_calendar_warnings_name_the_setting_and_the_date():
    (past,) = warnings_for({**ON_7X, "eks_cluster_version": "1.29"}, CALENDAR_DAY)
    assert past.startswith("cal.tfvars: setting `eks_cluster_version`: ")
    assert "past the end of extended support (2026-03-23)" in past and "no longer creates clusters" in past
    (extended,) = warnings_for(ON_7X, CALENDAR_DAY)  # 1.32
    assert "in extended support, which costs extra, until 2027-03-23" in extended
    assert warnings_for(NEW_V8, CALENDAR_DAY) == []  # 1.35: standard support
    (older,) = warnings_for(
        {**GUIDE_SETTINGS, "wandb_infra_version": "1.16.10", "wandb_version": "0.51.2"} | {"eks_cluster_version": "1.25"}, CALENDAR_DAY
    )
    assert "Kubernetes 1.25 is past the end of extended support" in older


def test_the_date_is_injectable():
    assert warnings_for(NEW_V8, date(2027, 3, 27)) == []
    (later,) = warnings_for(NEW_V8, date(2027, 3, 28))
    assert "1.35 is in extended support" in later and "2028-03-27" in later
    (gone,) = warnings_for(NEW_V8, date(2028, 3, 28))
    assert "1.35 is past the end of extended support (2028-03-27)" in gone


def test_the_calendar_is_one_table_with_its_source():
    from release_catalog import eks_versions

    assert "AWS" in eks_versions.CALENDAR_SOURCE
    for version, window in EKS_CALENDAR.items():
        assert window.standard_end < window.extended_end, version


def test_main_prints_the_calendar_warning_and_synthesizes(tmp_path):
    settings_file = tmp_path / "guide.tfvars"
    settings_file.write_text(to_hcl(GUIDE_SETTINGS))  # the guide's 1.29, past its end since 2026-03-23
    result = run_main(settings_file, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "setting `eks_cluster_version`" in line]
    assert line.startswith("warning: ") and "guide.tfvars: setting `eks_cluster_version`: Kubernetes 1.29 is past the end" in line
    assert (tmp_path / "out" / "stacks" / "wandb" / "cdk.tf.json").exists()


def test_the_warning_reaches_the_cdktf_cli_as_an_annotation(tmp_path):
    from cdktf import App

    from stacks import build_app

    settings = parse_settings(GUIDE_SETTINGS, PROJECT_ROOT / "test.tfvars", today=CALENDAR_DAY)
    app = App(outdir=str(tmp_path / "out"), stack_traces=False)
    build_app(app, settings)
    app.synth()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    annotations = manifest["stacks"]["wandb"]["annotations"]
    assert any(a["level"] == "@cdktf/warn" and "setting `eks_cluster_version`" in a["message"] for a in annotations), annotations


# --- the example settings -------------------------------------------------------------------------


def test_the_example_is_a_new_8x_deployment_creatable_on_the_calendar_day():
    settings = load_settings(PROJECT_ROOT / "terraform.tfvars.example", today=CALENDAR_DAY)
    assert settings.infra.constraint == "8.0.0"
    assert settings.eks_cluster_version is not None
    assert EKS_CALENDAR[settings.eks_cluster_version].standard_end >= CALENDAR_DAY
    assert settings.warnings == ()
