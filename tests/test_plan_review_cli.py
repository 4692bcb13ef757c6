"""The command lines of ./scripts/plan and ./scripts/apply (plan_review/cli.py) and the messages
of the plan/apply workflow (plan_review/workflow.py), exactly: the usage and its errors, the help,
the last-resort messages, Terraform's failures and the progress lines, with the stand-ins of
tests/test_plan_review.py for the app and Terraform. In process, for tools/mutate.py."""

from __future__ import annotations

import io
import json
import stat
import sys
from collections.abc import Sequence
from typing import Any

import pytest
from test_plan_review import UPGRADE, Fake, run_cli, write_json

import plan_review.cli
from plan_review.cli import main
from plan_review.terraform import Terraform


@pytest.fixture
def fake(tmp_path) -> Fake:
    return Fake(tmp_path / "project")


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The last line argparse prints for a usage error (exit 2)."""
    with pytest.raises(SystemExit) as exit_info:
        run_cli(*args)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.splitlines()[-1]


USAGE_ERRORS = [
    (["--json", "x.json", "wandb"],
     "--json FILE reviews a saved plan: give no STACK and no --destroy with it (a STACK only with a change set)"),
    (["--json", "-", "wandb", "--expect-changes", "x.json"],
     "--changes-out and --expect-changes read the plan twice: give a plan file, not - (standard input)"),
    (["--json", "a.json", "--json", "b.json"], "--json FILE: give one plan file (each is judged on its own)"),
    (["--allow", " ", "wandb"], "--allow needs an address (or a pattern with *)"),
    (["--allow", "a\tb", "wandb"], "--allow takes an address as the summary prints it: no control or unprintable characters"),
    ([], "give a STACK to plan, or --json FILE"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_name_the_problem(capsys, args, message):
    assert usage_error(capsys, "plan", *args) == f"./scripts/plan: error: {message}"


def test_apply_takes_a_stack_and_nothing_else(capsys):
    assert usage_error(capsys, "apply", "demo", "--destroy") == "./scripts/apply: error: unrecognized arguments: --destroy"


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["frobnicate", "plan"]])
def test_no_command_is_a_usage_line(args):
    assert run_cli(*args) == (2, "", "usage: python -m plan_review {plan,apply} ... (./scripts/plan, ./scripts/apply)\n")


def test_the_command_line_defaults_to_sys_argv(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["plan_review", "plan", "--json", str(write_json(tmp_path, UPGRADE))])
    out = io.StringIO()
    assert main(out=out) == 0 and "PASSED" in out.getvalue()


HELP = {
    "plan": [
        "usage: ./scripts/plan",
        "Plan one stack (synthesize, terraform init, terraform plan -out) and review it",
        "the stack to plan (wandb, wandb-storage, ...)",
        "--json FILE",
        "review this `terraform show -json` plan (- for standard input); runs nothing",
        "--allow ADDRESS",
        "consent to the change at ADDRESS that needs it",
        "review a destroy plan (terraform plan -destroy)",
        "--changes-out FILE",
        "write the plan's change set to FILE: each changed address and its actions, no value",
        "--expect-changes FILE",
        "refuse (exit 3, and ./scripts/apply refuses too) unless the plan's change set equals the reviewed one in FILE",
        "exit status: 0 passed, 1 Terraform or the synthesis failed, 2 bad input, 3 refused",
    ],
    "apply": [
        "usage: ./scripts/apply",
        "Apply exactly the plan the last ./scripts/plan STACK saved",
        "the stack to apply",
        "exit status: 0 applied, 1 Terraform or the synthesis failed, 2 bad input, 3 refused (nothing applied)",
    ],
}


@pytest.mark.parametrize("command", HELP)
def test_the_help(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per option
    with pytest.raises(SystemExit) as exit_info:
        run_cli(command, "--help")
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for phrase in HELP[command]:
        assert phrase in text, phrase


@pytest.mark.parametrize(
    ("error", "message", "status"),
    [
        (RecursionError(), "error: the input is too deeply nested to judge\n", 2),
        (MemoryError(), "error: the input is too large to judge\n", 2),
        (KeyboardInterrupt(), "interrupted; nothing more was run\n", 130),
    ],
)
def test_last_resort_messages(tmp_path, monkeypatch, error, message, status):
    def judge_file(*_: object) -> int:
        raise error

    monkeypatch.setattr(plan_review.cli, "judge_file", judge_file)
    assert run_cli("plan", "--json", str(write_json(tmp_path, UPGRADE))) == (status, "", message)


# --- the workflow's messages, with the stand-ins ------------------------------------------------------


def test_plan_and_apply_print_what_they_run(fake):
    status, out, err = fake.run("plan", "demo", "--destroy")
    assert status == 0, err
    assert "\nterraform plan -out=plan-review.tfplan -destroy (var files: terraform.tfvars) ...\n" in err
    assert "Plan review: stack demo (destroy plan)" in out
    assert "Terraform's own rendering of the plan: terraform -chdir=cdktf.out/stacks/demo show plan-review.tfplan\n" in out
    planned_at = fake.record()["planned_at"]
    status, out, err = fake.run("apply", "demo")
    assert status == 0 and err == f"terraform apply plan-review.tfplan: the reviewed destroy plan of {planned_at} ...\n"
    (fake.root / "terraform.tfvars").unlink()
    (fake.root / "b.auto.tfvars").write_text("")
    status, out, err = fake.run("plan", "demo")
    assert status == 0 and err.startswith("terraform plan -out=plan-review.tfplan (var files: b.auto.tfvars) ...\n")
    (fake.root / "terraform.tfvars").write_text("")
    status, out, err = fake.run("plan", "demo")
    assert status == 0 and err.startswith("terraform plan -out=plan-review.tfplan (var files: terraform.tfvars, b.auto.tfvars) ...\n")
    (fake.root / "terraform.tfvars").unlink()
    (fake.root / "b.auto.tfvars").unlink()
    status, out, err = fake.run("plan", "demo")
    assert status == 0 and err.startswith("terraform plan -out=plan-review.tfplan (var files: none) ...\n")
    assert "Plan review: stack demo\n" in out
    status, out, err = fake.run("apply", "demo")
    assert status == 0 and err == f"terraform apply plan-review.tfplan: the reviewed plan of {fake.record()['planned_at']} ...\n"


def test_a_plan_failing_in_a_folder_initialized_elsewhere_is_not_retried(fake):
    """Only a failure that asks for `terraform init` runs init and the plan again."""
    fake.run("plan", "demo")
    (fake.stack_dir / ".terraform" / "plan-review-init.sha256").unlink()
    fake.calls()
    status, _, err = fake.run("plan", "demo", FAKE_PLAN_EXIT="1")
    assert status == 1 and [call.split()[0] for call in fake.calls()] == ["plan"]
    assert err.endswith(
        "error: terraform plan failed in cdktf.out/stacks/demo (exit status 1; Terraform's message is above); nothing to review\n"
    )


def test_the_retried_plan_is_captured_as_the_first(fake):
    fake.run("plan", "demo")
    (fake.stack_dir / ".terraform" / "plan-review-init.sha256").unlink()
    (fake.stack_dir / ".terraform" / "fresh").unlink()
    status, out, err = fake.run("plan", "demo", FAKE_NEEDS_INIT="1")
    assert status == 0, err
    assert "Refreshing state" not in out + err and "None" not in err  # stdout captured, stderr shown as printed
    assert "Warning: Argument is deprecated\n\nUse something else." in err
    assert stat.S_IMODE((fake.stack_dir / "plan-review.tfplan").stat().st_mode) == 0o600  # it holds the variables' values


def test_show_failing_or_printing_nothing_exits_1_and_leaves_no_plan(fake):
    terraform = fake.root / "terraform"
    script = terraform.read_text()
    terraform.write_text(script.replace('show) cat "$FAKE_PLAN_JSON" ;;', 'show) [ -n "${SHOW_EXIT:-}" ] && exit "$SHOW_EXIT"; exit 0 ;;'))
    for env, message in (
        ({"SHOW_EXIT": "4"}, "terraform show -json plan-review.tfplan failed (exit status 4; Terraform's message is above)"),
        ({}, "terraform show -json plan-review.tfplan printed no JSON"),
    ):
        status, _, err = fake.run("plan", "demo", **env)
        assert status == 1 and err.endswith(f"error: {message}\n"), err
        assert not (fake.stack_dir / "plan-review.tfplan").exists() and not (fake.stack_dir / ".plan-review.json").exists()


def test_a_failing_apply_exits_1_and_the_plan_is_used(fake):
    assert fake.run("plan", "demo")[0] == 0
    terraform = fake.root / "terraform"
    terraform.write_text(terraform.read_text().replace('apply) echo "Apply complete!', 'apply) exit 5; echo "'))
    status, _, err = fake.run("apply", "demo")
    assert status == 1 and err.endswith("error: terraform apply failed (exit status 5; Terraform's message is above)\n")
    assert fake.record()["verdict"] == "applied" and fake.record()["apply_exit_status"] == 5
    status, _, err = fake.run("apply", "demo")
    assert (status, err) == (3, "error: the last reviewed plan of stack 'demo' was already applied: run ./scripts/plan demo again; "
                                "nothing was applied\n")  # fmt: skip


def test_an_unreadable_configuration_is_no_cloud_block(fake):
    """uses_hcp_terraform: a cdk.tf.json that is not JSON has no `cloud` block: var files, no show on exit 0."""
    (fake.root / "config.json").write_text("not json")
    status, _, err = fake.run("plan", "demo", FAKE_PLAN_EXIT="0")
    assert status == 0, err
    assert [call.split()[0] for call in fake.calls()] == ["init", "plan"]
    assert "(var files: terraform.tfvars)" in err
    (fake.root / "config.json").write_text(json.dumps({"terraform": ["cloud"]}))
    assert fake.run("plan", "demo", FAKE_PLAN_EXIT="0")[0] == 0
    assert [call.split()[0] for call in fake.calls()] == ["init", "plan"]


def test_a_malformed_resource_drift_from_terraform_show_exits_2(fake, tmp_path):
    fake.plan_json({**UPGRADE, "resource_drift": {"a": 1}})
    status, _, err = fake.run("plan", "demo", "--changes-out", str(tmp_path / "out.json"))
    assert status == 2 and err.endswith("error: terraform show -json plan-review.tfplan: malformed plan: resource_drift is not a list\n")
    assert not (tmp_path / "out.json").exists()


def test_apply_shows_terraform_and_marks_the_plan_used_before_it_runs(fake, capfd):
    """Terraform's apply output goes straight to the terminal; the record says applied before it runs."""
    assert fake.run("plan", "demo")[0] == 0
    terraform = fake.root / "terraform"
    terraform.write_text(terraform.read_text().replace("  apply) ", "  apply) cat .plan-review.json; "))
    capfd.readouterr()
    assert fake.run("apply", "demo")[0] == 0
    shown = capfd.readouterr().out
    assert '"verdict": "applied"' in shown and "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in shown


def test_apply_after_the_manifest_is_gone_reads_the_record_and_synthesizes(fake):
    assert fake.run("plan", "demo")[0] == 0
    (fake.root / "cdktf.out" / "manifest.json").unlink()
    assert fake.run("apply", "demo")[0] == 0
    (fake.root / "cdktf.out" / "manifest.json").unlink()
    (fake.stack_dir / ".plan-review.json").unlink()
    status, _, err = fake.run("apply", "demo")
    assert (status, err) == (3, "error: no reviewed plan for stack 'demo': run ./scripts/plan demo first; nothing was applied\n")


def test_apply_refusals_and_failures_say_nothing_was_applied(fake):
    assert fake.run("plan", "demo")[0] == 0
    status, _, err = fake.run("apply", "demo", SYNTH_EXIT="1")
    assert status == 1 and err.endswith("(`./app.sh` exited with status 1; its message is above); nothing was applied\n")
    (fake.root / "config.json").write_text('{"resource": {"aws_s3_bucket": {}}}')
    status, _, err = fake.run("apply", "demo")
    assert (status, err) == (
        3,
        "error: the synthesized configuration of stack 'demo' changed since its plan (the app's code or what it reads): "
        "run ./scripts/plan demo again; nothing was applied\n",
    )


@pytest.mark.parametrize(
    ("error", "what"),
    [(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "x"), "no UTF-8 text"), (MemoryError(), "more than this machine's memory holds")],
)
def test_terraform_show_printing_what_cannot_be_read_exits_2(fake, monkeypatch, error, what):
    run = Terraform.run

    def show_fails(self: Terraform, args: Sequence[str], *rest: Any, **options: Any) -> Any:
        if args[0] == "show":
            raise error
        return run(self, args, *rest, **options)

    monkeypatch.setattr(Terraform, "run", show_fails)
    status, _, err = fake.run("plan", "demo")
    assert status == 2 and err.endswith(f"error: terraform show -json plan-review.tfplan printed {what}\n")
    assert not (fake.stack_dir / "plan-review.tfplan").exists()


def test_a_malformed_plan_from_terraform_show_exits_2_naming_it(fake):
    fake.plan_json([])
    status, _, err = fake.run("plan", "demo")
    assert status == 2
    assert err.endswith("error: terraform show -json plan-review.tfplan: not a Terraform plan: the JSON document is not an object\n")
