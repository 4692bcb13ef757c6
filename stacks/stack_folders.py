"""Where Terraform runs each stack: `<outdir>/stacks/<id>` in cdktf's output folder, or
`<folder>/<id>` in an export (`./scripts/export`, output_folder.export): plain Terraform folders,
committed for the engines that run Terraform from a folder of the repository (docs/engines.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    _ConcretePath = Path
else:
    _ConcretePath = type(Path())  # PosixPath or WindowsPath: Path itself cannot be subclassed before 3.12


class ExportFolder(_ConcretePath):
    """A folder of exported stacks: stack `<id>` runs in `<folder>/<id>`, with no `stacks/` level.
    A Path, so that it reaches the stacks where they take the output folder (working_dir)."""
