"""The settings file as Terraform sees it at deploy time.

The app reads the settings file at synth and never writes a secret from it into the JSON. What
Terraform needs of the file at deploy time, it reads from the file itself:

- secrets (the W&B license): a local that decodes the file with Terraform's built-in
  `provider::terraform::decode_tfvars(file(...))` (Terraform >= 1.8, no download) and takes the
  first key that is set, else a sensitive variable (e.g. `TF_VAR_license`, or the only source
  where the file is absent, such as an HCP Terraform remote run). The built-in provider those
  functions need is declared in an override file beside the stack's JSON, which every synth
  writes (output_folder): the cdktf CLI refuses a required_providers entry without a version.
  The JSON names the file, never the value, and the value stays sensitive.
- the cdktf CLI passes the project's `terraform.tfvars` to Terraform as a var file on every
  deploy, diff and destroy; every key of the file is declared as a variable (unused), so
  Terraform prints no "Value for undeclared variable" warnings.
- a settings file that must not be deployed (the example's placeholders) makes every plan fail,
  through a variable validation, before anything changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformLocal, TerraformVariable, TerraformVariableValidationConfig, Token
from constructs import Construct

# The variable whose validation refuses a plan (see SettingsFileProps.refuse_plan).
REFUSE_PLAN_VARIABLE = "settings_file_refused"


@dataclass(frozen=True)
class SecretFromFile:
    """A secret Terraform reads at deploy time.

    name: the variable (the fallback, e.g. TF_VAR_license) and the local holding the value.
    file_keys: the keys of the settings file to read, first set wins (e.g. license, wandb_license).
    description: the variable's description."""

    name: str
    file_keys: Sequence[str]
    description: str


@dataclass(frozen=True)
class SettingsFileProps:
    """paths: the settings file, then any file it overrides key by key (a deployments folder's
        defaults), each relative to the stack's working directory (Terraform resolves `file()`
        there). A secret is taken from the first file that sets one of its keys.
    keys: every key the file sets; each is declared as an unused variable, so Terraform accepts
        the file as a var file without warnings (default: none).
    sensitive_keys: keys whose variables are sensitive, whether or not this stack reads them
        (default: none; the keys of `secrets` are sensitive anyway).
    secrets: the secrets Terraform reads from the file (default: none).
    refuse_plan: when set, every plan of the stack fails with this message (default: None)."""

    paths: Sequence[str]
    keys: Sequence[str] = ()
    sensitive_keys: frozenset[str] = frozenset()
    secrets: Sequence[SecretFromFile] = ()
    refuse_plan: str | None = None


class SettingsFile(Construct):
    def __init__(self, scope: Construct, id: str, props: SettingsFileProps):
        super().__init__(scope, id)
        self._values: dict[str, str] = {}
        sensitive = props.sensitive_keys | {key for secret in props.secrets for key in secret.file_keys}
        declared: set[str] = set()

        for secret in props.secrets:
            self._variable(secret.name, type="string", sensitive=True, description=secret.description)
            declared.add(secret.name)
            # try(): a file may be absent (remote runs upload only the stack folder) or not set the key.
            candidates = [
                f'provider::terraform::decode_tfvars(file("{path}")).{key}' for path in props.paths for key in secret.file_keys
            ] + [f"var.{secret.name}"]
            local = TerraformLocal(self, f"{secret.name}_local", f"${{sensitive(try({', '.join(candidates)}))}}")
            local.override_logical_id(secret.name)
            self._values[secret.name] = f"${{local.{secret.name}}}"

        for key in props.keys:
            if key in declared:
                continue
            declared.add(key)
            self._variable(
                key,
                sensitive=True if key in sensitive else None,
                description="A key of the settings file, read at synth; declared so that Terraform takes the file as a var file.",
            )

        if props.refuse_plan is not None:
            self._variable(
                REFUSE_PLAN_VARIABLE,
                type="bool",
                default=True,
                description="Refuses every plan of a stack synthesized from settings that must not be deployed.",
                validation=[
                    TerraformVariableValidationConfig(condition=f"${{!var.{REFUSE_PLAN_VARIABLE}}}", error_message=props.refuse_plan)
                ],
            )

    def secret(self, name: str) -> str:
        """A reference to a secret of `props.secrets` (e.g. for a module input); never its value."""
        return self._values[name]

    def _variable(self, name: str, **config: Any) -> TerraformVariable:
        """A variable named `name`; without a `default` in `config`, its default is null (optional)."""
        variable = TerraformVariable(self, name, **{k: v for k, v in config.items() if v is not None})
        variable.override_logical_id(name)
        if "default" not in config:
            variable.add_override("default", Token.null_value())
        return variable
