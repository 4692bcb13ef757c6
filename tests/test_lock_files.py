"""Provider selections are reproducible: `./scripts/plan` keeps the lock file `terraform init`
wrote as `locks/<stack>.terraform.lock.hcl`, and every synth puts it back into the stack folder,
where `terraform init` (under `cdktf deploy` too) then installs exactly those versions."""

from __future__ import annotations

import io
from pathlib import Path

from output_folder import install_lock_files
from plan_review.project import Project

LOCK = (
    '# This file is maintained automatically by "terraform init".\n'
    'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.100.0"\n}\n'
)


def stacks(outdir: Path, *names: str) -> None:
    for name in names:
        (outdir / "stacks" / name).mkdir(parents=True)
        (outdir / "stacks" / name / "cdk.tf.json").write_text("{}")


def test_every_synth_puts_the_committed_lock_files_into_the_stack_folders(tmp_path):
    outdir, locks = tmp_path / "cdktf.out", tmp_path / "locks"
    stacks(outdir, "wandb", "wandb-storage", "staging--wandb")
    locks.mkdir()
    (locks / "wandb-storage.terraform.lock.hcl").write_text(LOCK)
    (locks / "staging--wandb.terraform.lock.hcl").write_text(LOCK.replace("5.100.0", "5.99.0"))
    assert install_lock_files(outdir / "stacks", locks) == ["staging--wandb", "wandb-storage"]
    assert (outdir / "stacks" / "wandb-storage" / ".terraform.lock.hcl").read_text() == LOCK
    assert "5.99.0" in (outdir / "stacks" / "staging--wandb" / ".terraform.lock.hcl").read_text()
    assert not (outdir / "stacks" / "wandb" / ".terraform.lock.hcl").exists()


def test_without_a_locks_folder_nothing_changes(tmp_path):
    stacks(tmp_path / "cdktf.out", "wandb")
    assert install_lock_files(tmp_path / "cdktf.out" / "stacks", tmp_path / "locks") == []


def test_a_plan_records_the_lock_file_init_wrote(tmp_path):
    err = io.StringIO()
    project = Project(root=tmp_path, environ={}, out=io.StringIO(), err=err)
    stacks(tmp_path / "cdktf.out", "wandb-storage")
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "wandb-storage"
    project.record_lock_file(stack_dir, "wandb-storage")  # no lock file yet: nothing
    assert not (tmp_path / "locks").exists()
    (stack_dir / ".terraform.lock.hcl").write_text(LOCK)
    project.record_lock_file(stack_dir, "wandb-storage")
    assert (tmp_path / "locks" / "wandb-storage.terraform.lock.hcl").read_text() == LOCK
    assert "locks/wandb-storage.terraform.lock.hcl: commit it" in err.getvalue()
    err.truncate(0)
    project.record_lock_file(stack_dir, "wandb-storage")  # unchanged: said once
    assert err.getvalue().strip("\x00") == ""
