"""The catalog of W&B module releases: the bottom of the app, with no cdktf import.

- `releases`: the module interface data (inputs, outputs, constraints per release).
- `layouts`: the layouts of stack `wandb`, the `wandb_infra_version` values that select them,
  and the inputs the app always writes, each with its reason.
- `constraints`: joining Terraform and provider constraints.
- `secret_patterns`: what a secret looks like (settings loader and security rules).

`settings` and `constructs_lib` depend on it; it depends on nothing of the app's.
"""
