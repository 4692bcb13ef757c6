# shellcheck shell=bash
# The environment every script that runs the app, the cdktf CLI or Terraform starts with; sourced
# by scripts/plan, scripts/apply, scripts/test and .ci/run.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# The cdktf CLI and Terraform check for updates at checkpoint-api.hashicorp.com; this machine
# (and CI) reach only the package registries.
export CHECKPOINT_DISABLE=1
# A TF_CLI_CONFIG_FILE naming a missing file makes every terraform call print a warning.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi
