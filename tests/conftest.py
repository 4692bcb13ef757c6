import sys
from pathlib import Path

# The app's packages (settings, stacks, constructs_lib) live at the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
