"""The README's cdktf commands, run as a user runs them: the real cdktf CLI (node_modules) in a copy
of the project, with a stand-in Terraform (`TERRAFORM_BINARY_NAME`) that records every call, since
the real one would need the registry for the W&B module and the kubernetes and helm providers.

What this proves: for every layout of stack `wandb`, in single-file mode and in a deployments
folder (stack patterns too), `diff`, `deploy`, `destroy`, `output` and `list` get past the CLI's own
checks of the synthesized JSON and reach Terraform in the stack's folder, with the settings file
as a var file where the CLI passes one, and the built-in provider's override file beside
`cdk.tf.json`. tests/test_settings_file_terraform.py runs the license expression in real Terraform.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import LAYOUT_SETTINGS, PROJECT_ROOT, SENTINEL_LICENSE, copy_project, to_hcl

CDKTF = PROJECT_ROOT / "node_modules" / ".bin" / "cdktf"
OVERRIDE = "builtin_providers_override.tf.json"

# Records its working directory and arguments, one JSON line per call, and answers what the CLI
# asks before it runs anything (`version -json`, `-v`, `output -json`).
STAND_IN = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps({"cwd": os.getcwd(), "args": sys.argv[1:]}) + "\\n")
args = sys.argv[1:]
if args[:2] == ["version", "-json"]:
    print(json.dumps({"terraform_version": "1.11.4", "platform": "linux_amd64", "provider_selections": {}}))
elif args[:1] in (["version"], ["-v"], ["--version"]):
    print("Terraform v1.11.4")
elif args[:1] == ["output"]:
    print("{}")
"""


def setup_module():
    if not CDKTF.exists():
        pytest.fail(f"{CDKTF} is missing: run ./scripts/setup (the cdktf CLI from package-lock.json)")


class Copy:
    """A copy of the project, and the cdktf CLI run in it with the stand-in Terraform."""

    def __init__(self, root: Path, stand_in: Path):
        self.root = root
        self.log = root.parent / f"{root.name}-terraform-calls.jsonl"
        self.env = {k: v for k, v in os.environ.items() if k not in ("WANDB_TFVARS", "WANDB_DEPLOYMENTS", "CDKTF_OUTDIR")}
        self.env.update(
            TERRAFORM_BINARY_NAME=str(stand_in),
            STAND_IN_LOG=str(self.log),
            CHECKPOINT_DISABLE="1",
            JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
            CI="1",  # plain output, no spinner
        )

    def cdktf(self, *args: str) -> tuple[str, list[dict]]:
        """Runs `npx cdktf ARGS` from the copy's root; returns its output and the Terraform calls it made."""
        self.log.unlink(missing_ok=True)
        result = subprocess.run(
            [str(CDKTF), *args], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"cdktf {shlex.join(args)} exited {result.returncode}:\n{output}"
        assert '"message": "Required"' not in output and "required_providers" not in output, output
        calls = [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []
        return output, calls

    def stack_dir(self, stack: str) -> Path:
        return self.root / "cdktf.out" / "stacks" / stack


def in_stack(calls: list[dict], copy: Copy, stack: str) -> list[list[str]]:
    """The Terraform commands run in `stack`'s folder, in order."""
    return [call["args"] for call in calls if Path(call["cwd"]) == copy.stack_dir(stack)]


def var_files(args: list[str]) -> list[str]:
    return [arg.split("=", 1)[1] for arg in args if arg.startswith("-var-file=")]


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stand-in") / "terraform"
    path.write_text(STAND_IN)
    path.chmod(0o755)
    return path


def assert_reached_terraform(copy: Copy, stack: str, calls: list[dict], command: str, var_file: Path | None) -> None:
    """`command` (plan for diff, apply for deploy, destroy, output) ran in the stack's folder after
    `init`, with exactly `var_file` as its var file (None: none)."""
    run = in_stack(calls, copy, stack)
    assert run and run[0][0] == "init", run
    (main,) = [args for args in run if args[0] == command]
    assert var_files(main) == ([str(var_file)] if var_file else []), main
    stack_dir = copy.stack_dir(stack)
    # The license's built-in provider: declared beside cdk.tf.json wherever the stack reads it.
    uses_builtin = "provider::terraform::" in (stack_dir / "cdk.tf.json").read_text()
    assert (stack_dir / OVERRIDE).is_file() == uses_builtin == (stack.split("--")[-1] == "wandb")
    providers = json.loads((stack_dir / "cdk.tf.json").read_text())["terraform"]["required_providers"]
    assert all(spec.get("version") for spec in providers.values()), providers


def assert_no_license(copy: Copy) -> None:
    for path in (copy.root / "cdktf.out").rglob("*"):
        if path.is_file():
            assert SENTINEL_LICENSE not in path.read_text(errors="replace"), path


# --- single settings file: terraform.tfvars at the project root -----------------------------------


# What each copy runs, in order: (cdktf arguments, the Terraform command it must reach, the stack).
# Every command synthesizes first, as the user types it, for the recommended layout; the other
# layouts synthesize once (deploy) and pass --skip-synth after, to keep the suite fast.
WANDB_COMMANDS = [
    (["deploy", "wandb", "--auto-approve"], "apply"),
    (["diff", "wandb"], "plan"),
    (["output", "wandb"], "output"),
    (["destroy", "wandb", "--auto-approve"], "destroy"),
]
EXTRA = {
    "recommended": [(["list"], None)],
    "v8": [
        (["deploy", "wandb-storage", "--auto-approve", "--skip-synth"], "apply"),
        (["output", "wandb-storage", "--skip-synth"], "output"),
    ],
}


def commands_for(layout: str) -> list[tuple[list[str], str | None]]:
    """The recommended layout (the guide's `wandb` stack) runs every command as typed; the others
    synthesize (deploy) and diff. Every command of every layout also runs in the deployments
    folder below, where one CLI start covers the four layouts (each start costs ~3 s of Node.js)."""
    if layout == "recommended":
        return WANDB_COMMANDS + EXTRA.get(layout, [])
    return [WANDB_COMMANDS[0], (["diff", "wandb", "--skip-synth"], "plan"), *EXTRA.get(layout, [])]


Run = list[tuple[list[str], str | None, str, list[dict]]]


@pytest.fixture(scope="module")
def single(tmp_path_factory, stand_in) -> dict[str, tuple[Copy, Run]]:
    """One copy per layout with its terraform.tfvars; their command sequences run two at a time."""
    copies = {}
    for layout, values in LAYOUT_SETTINGS.items():
        root = copy_project(tmp_path_factory.mktemp(layout) / "project")
        (root / "terraform.tfvars").write_text(to_hcl(values))
        copies[layout] = Copy(root, stand_in)

    def run(layout: str) -> Run:
        return [(args, tf, *copies[layout].cdktf(*args)) for args, tf in commands_for(layout)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(zip(copies, pool.map(run, copies), strict=True))
    return {layout: (copies[layout], runs[layout]) for layout in copies}


@pytest.mark.parametrize("layout", LAYOUT_SETTINGS)
def test_every_command_on_stack_wandb(single, layout):
    """The README's commands for stack `wandb`: diff plans, deploy applies, destroy destroys, output
    reads, all in the stack's folder with the project's terraform.tfvars as the var file."""
    copy, run = single[layout]
    wandb_runs = [(args, tf, calls) for args, tf, _, calls in run if args[1:2] == ["wandb"]]
    expected = ["deploy", "diff", "output", "destroy"] if layout == "recommended" else ["deploy", "diff"]
    assert [args[0] for args, _, _ in wandb_runs] == expected
    for _args, terraform_command, calls in wandb_runs:
        expected_var_file = None if terraform_command == "output" else copy.root / "terraform.tfvars"
        assert_reached_terraform(copy, "wandb", calls, terraform_command, expected_var_file)
    assert_no_license(copy)


def test_list_names_the_stacks_and_runs_no_terraform_command_in_them(single):
    copy, run = single["recommended"]
    ((_, _, output, calls),) = [entry for entry in run if entry[0] == ["list"]]
    assert "wandb-storage" in output and "wandb " in output.replace("\n", " ")
    assert not in_stack(calls, copy, "wandb") and not in_stack(calls, copy, "wandb-storage")


def test_the_storage_stack_too(single):
    copy, run = single["v8"]
    storage_runs = [(tf, calls) for args, tf, _, calls in run if args[1:2] == ["wandb-storage"]]
    assert [tf for tf, _ in storage_runs] == ["apply", "output"]
    for command, calls in storage_runs:
        assert_reached_terraform(copy, "wandb-storage", calls, command, copy.root / "terraform.tfvars" if command == "apply" else None)


# --- a deployments folder: one deployment per layout ----------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory, stand_in) -> Copy:
    root = copy_project(tmp_path_factory.mktemp("folder") / "project")
    (root / "deployments").mkdir()
    for layout, values in LAYOUT_SETTINGS.items():
        name = layout.replace("-operator", "op").replace("recommended", "rec")
        subdomain = {"subdomain": f"{name}-wandb"}
        (root / "deployments" / f"{name}.tfvars").write_text(to_hcl({**values, **subdomain, "namespace": f"wandb-{name}"}))
    return Copy(root, stand_in)


FOLDER_STACKS = [f"{name}--wandb" for name in ("rec", "preop", "postop", "v8")]


def test_every_command_on_every_deployments_wandb_stack(folder):
    """One deployment per layout; patterns where the CLI takes them (deploy, destroy, output),
    one stack at a time for diff. No terraform.tfvars at the root: the CLI passes no var file, and
    the license comes from each deployment's own file."""
    _, calls = folder.cdktf("deploy", "*--wandb", "--auto-approve")
    for stack in FOLDER_STACKS:
        assert_reached_terraform(folder, stack, calls, "apply", None)
    assert not [c for c in calls if Path(c["cwd"]).name.endswith("--wandb-storage")]
    for stack in FOLDER_STACKS:
        _, calls = folder.cdktf("diff", stack, "--skip-synth")
        assert_reached_terraform(folder, stack, calls, "plan", None)
    for command, terraform_command in ((["output"], "output"), (["destroy", "--auto-approve"], "destroy")):
        _, calls = folder.cdktf(command[0], "*--wandb", *command[1:], "--skip-synth")
        for stack in FOLDER_STACKS:
            assert_reached_terraform(folder, stack, calls, terraform_command, None)
    assert_no_license(folder)


def test_a_deployments_pattern_takes_both_its_stacks_and_no_others(folder):
    """`cdktf deploy 'v8--*'` (the README's form): both stacks of the deployment, none of another's."""
    _, calls = folder.cdktf("deploy", "v8--*", "--auto-approve")
    for stack in ("v8--wandb", "v8--wandb-storage"):
        assert_reached_terraform(folder, stack, calls, "apply", None)
    assert {Path(c["cwd"]).name for c in calls if Path(c["cwd"]).parent.name == "stacks"} == {"v8--wandb", "v8--wandb-storage"}


# --- HCP Terraform: the cloud blocks and stack hcp-workspaces (README, HCP Terraform) --------------


def test_hcp_terraform_stacks_and_the_workspaces_stack(tmp_path_factory, stand_in):
    """With `hcp_organization`, the stacks carry `cloud` blocks, which the CLI hands to Terraform like
    any backend; with `hcp_manage_workspaces`, `cdktf deploy hcp-workspaces` (the README's
    bootstrap) reaches Terraform in that stack's folder, and no license is synthesized."""
    from helpers import NEW_V8

    root = copy_project(tmp_path_factory.mktemp("hcp") / "project")
    hcp = {
        "kubernetes_auth": "ephemeral",
        "hcp_organization": "acme",
        "hcp_workspace_prefix": "wandb-",
        "hcp_manage_workspaces": True,
        "hcp_aws_run_role_policy_arns": ["arn:aws:iam::aws:policy/PowerUserAccess"],
    }
    (root / "terraform.tfvars").write_text(to_hcl({**NEW_V8, **hcp}))
    copy = Copy(root, stand_in)
    output, calls = copy.cdktf("deploy", "hcp-workspaces", "--auto-approve")
    assert "the license comes from each workspace's sensitive Terraform variable `license`" in output  # said at synth
    run = in_stack(calls, copy, "hcp-workspaces")
    assert run[0][0] == "init" and [args[0] for args in run].count("apply") == 1, run
    assert (copy.stack_dir("hcp-workspaces") / OVERRIDE).is_file()  # it reads the license with decode_tfvars
    _, calls = copy.cdktf("deploy", "wandb", "--auto-approve", "--skip-synth")
    assert_reached_terraform(copy, "wandb", calls, "apply", root / "terraform.tfvars")
    cloud = json.loads((copy.stack_dir("wandb") / "cdk.tf.json").read_text())["terraform"]["cloud"]
    assert cloud["workspaces"] == {"name": "wandb-wandb"}
    assert_no_license(copy)
