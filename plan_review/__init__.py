"""Reviewed plans: nothing that holds W&B's data is destroyed or replaced without explicit consent.

`./scripts/plan STACK` plans a stack and judges the plan by one table of data-bearing resource
types (data_bearing.py); `./scripts/plan --json FILE` judges a saved plan; `./scripts/apply STACK`
applies exactly the plan that last passed (README, Reviewed plans).

    data_bearing.py   the reviewed table: type -> why its deletion or replacement needs consent
    judge.py          plan JSON -> changes -> verdict -> summary (pure; never reads a value)
    workflow.py       synthesis, terraform init/plan/show/apply, the record beside the plan
    cli.py            the command lines and exit statuses

It imports nothing of the app but `settings.settings_path` (which settings file the app reads).
"""
