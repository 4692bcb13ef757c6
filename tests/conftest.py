import sys
from pathlib import Path

# The app's packages (settings, stacks, constructs_lib) live at the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Before any test imports cdktf or a provider binding (docs/performance.md). The switch
# WANDB_CDKTF_FAST_IMPORTS=0 turns it off here and in the main.py runs the tests start.
import fast_imports

fast_imports.install()


import pytest  # noqa: E402
from syrupy.extensions.json import JSONSnapshotExtension  # noqa: E402


@pytest.fixture
def json_snapshot(snapshot):
    """Snapshots as JSON files (tests/__snapshots__/<module>/<test>.json): a synthesized stack reads
    there as it does in cdktf.out. The one snapshot fixture of the suite."""
    return snapshot.use_extension(JSONSnapshotExtension)
