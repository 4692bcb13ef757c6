"""Provider selections are reproducible: `./scripts/plan` keeps the lock file `terraform init`
wrote as `locks/<stack>.terraform.lock.hcl`, and every synth puts it back into the stack folder,
where `terraform init` (under `cdktf deploy` too) then installs exactly those versions."""

from __future__ import annotations

import io
from pathlib import Path

from output_folder import install_lock_files, stage
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


def test_a_stale_lock_file_in_the_stack_folder_is_replaced_by_the_committed_one(tmp_path):
    """As a synth runs: the last run's folder holds Terraform's files and an older lock file; the
    new folder gets the committed one, the rest of the runs' files move over."""
    outdir, locks = tmp_path / "cdktf.out", tmp_path / "locks"
    stacks(outdir, "wandb", "wandb-storage")
    for name in ("wandb", "wandb-storage"):
        (outdir / "stacks" / name / ".terraform.lock.hcl").write_text(LOCK.replace("5.100.0", "5.82.0"))
        (outdir / "stacks" / name / ".terraform").mkdir()
    locks.mkdir()
    (locks / "wandb.terraform.lock.hcl").write_text(LOCK)
    staging = stage(outdir)
    stacks(staging.folder, "wandb", "wandb-storage")
    assert staging.commit(locks) == ["wandb"]
    assert (outdir / "stacks" / "wandb" / ".terraform.lock.hcl").read_text() == LOCK
    assert (outdir / "stacks" / "wandb" / ".terraform").is_dir()
    # No committed lock file: the one `terraform init` wrote stays.
    assert "5.82.0" in (outdir / "stacks" / "wandb-storage" / ".terraform.lock.hcl").read_text()
    # And without the staging folder, on a folder that already has one:
    (outdir / "stacks" / "wandb" / ".terraform.lock.hcl").write_text("stale\n")
    assert install_lock_files(outdir / "stacks", locks) == ["wandb"]
    assert (outdir / "stacks" / "wandb" / ".terraform.lock.hcl").read_text() == LOCK


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
