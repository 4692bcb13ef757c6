"""Reviewed plans: nothing that holds W&B's data or runs W&B is destroyed or replaced, and no
setting that loses data is changed, without explicit consent.

`./scripts/plan STACK` plans a stack and judges the plan by the reviewed tables; `./scripts/plan
--json FILE` judges a saved plan; `./scripts/apply STACK` applies exactly the plan that last passed
(README, Reviewed plans).

    data_bearing.py   the classes: data-bearing and service-bearing types, each with its reason
    recreatable.py    the recreatable types, each with its reason
    risky.py          the risky-updates table: type, attribute, condition, reason
    reading.py        bytes -> JSON document, strictly (one line for any bad input)
    judge.py          plan JSON -> changes -> verdict (pure; reads only the risky attributes' values)
    summary.py        verdict -> the summary a person reads
    saved_plan.py     judging a saved plan (--json) and the judging both commands share
    failure.py        exit statuses
    workflow.py       synthesis, terraform init/plan/show/apply, the record beside the plan
    cli.py            the command lines and exit statuses

It imports nothing of the app but `settings.settings_path` (which settings file the app reads).
"""
