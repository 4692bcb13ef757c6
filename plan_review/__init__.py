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
    project.py        the cdktf project: cdktf.json, the output folder, synthesis, the stacks, lock files
    terraform.py      Terraform: its runs, `terraform init` and the key that lets it be skipped
    record.py         the record beside a saved plan: frozen, typed, a literal verdict, JSON in and out
    fingerprint.py    the hashes a record keeps: a file's, the settings files' of a run
    workflow.py       plan STACK and apply STACK, from those parts
    cli.py            the command lines and exit statuses

It takes from the app only the project root and the settings files of a run (`settings`) and the
lock-file layout (`output_folder`).
"""
