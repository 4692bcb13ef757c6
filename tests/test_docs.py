"""The README documents every setting the app reads, and the commands it promises exist."""

from __future__ import annotations

from helpers import PROJECT_ROOT

from settings import APP_KEYS

README = (PROJECT_ROOT / "README.md").read_text()
DOCS = README + "".join(p.read_text() for p in sorted((PROJECT_ROOT / "docs").glob("*.md")))


def test_every_setting_is_documented():
    missing = [name for name in APP_KEYS if f"`{name}`" not in DOCS]
    assert missing == []


def test_readme_commands_exist():
    for path in ("scripts/setup", "scripts/test", ".ci/run", "help", "terraform.tfvars.example"):
        assert (PROJECT_ROOT / path).exists(), path
    assert "./scripts/setup && npx cdktf synth" in README
    assert "./scripts/test" in README
