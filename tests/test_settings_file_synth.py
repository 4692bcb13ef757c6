"""The settings file's variables as synthesized (constructs_lib/settings_file.py), in-process: the
variable that refuses every plan of a stack from the example, whole, and the sensitivity of a key
that holds the license under another name. tests/test_settings_file_terraform.py runs Terraform on
them; this reads the JSON, in a few seconds."""

from __future__ import annotations

from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, synth_app


def test_a_stack_from_the_example_declares_the_variable_that_refuses_its_plans(tmp_path):
    variables = synth_app(GUIDE_SETTINGS, tmp_path, from_example=True)["wandb"]["variable"]
    refused = variables["settings_file_refused"]
    (validation,) = refused.pop("validation")
    assert refused == {
        "type": "bool",
        "default": True,
        "description": "Refuses every plan of a stack synthesized from settings that must not be deployed.",
    }
    assert validation["condition"] == "${!var.settings_file_refused}"
    assert "terraform.tfvars.example" in validation["error_message"]


def test_a_key_holding_the_license_under_another_name_is_a_sensitive_variable(tmp_path):
    values = {**{k: v for k, v in GUIDE_SETTINGS.items() if k != "license"}, "wandb_license": SENTINEL_LICENSE}
    variables = synth_app(values, tmp_path)["wandb"]["variable"]
    assert variables["wandb_license"]["sensitive"] is True
    assert "sensitive" not in variables["namespace"]
