#!/usr/bin/env python
"""Entry point of `cdktf synth`: load the settings, build the stacks, synthesize.

Settings are read and validated before the provider bindings are imported, so a bad settings
file fails in well under a second, with one message that names the file and the setting.
"""

from __future__ import annotations

import os
import sys

# jsii warns on every run that Node.js 20 is past its end of life; it still works on 20.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# Before anything imports cdktf or a provider binding: load only the binding modules the app
# uses (docs/performance.md; WANDB_CDKTF_FAST_IMPORTS=0 turns it off).
import fast_imports  # noqa: E402

fast_imports.install()

from settings import SettingsError, load_settings  # noqa: E402


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    from cdktf import App

    from stacks import build_app

    app = App()
    build_app(app, settings)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
