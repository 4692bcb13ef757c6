"""The README documents every setting the app reads, and the commands it promises exist."""

from __future__ import annotations

from helpers import PROJECT_ROOT

from settings import APP_KEYS

README = (PROJECT_ROOT / "README.md").read_text()
DOCS = README + "".join(p.read_text() for p in sorted((PROJECT_ROOT / "docs").glob("*.md")))


def test_every_setting_is_documented():
    missing = [name for name in APP_KEYS if f"`{name}`" not in DOCS]
    assert missing == []


def test_the_readme_settings_table_is_the_schemas():
    """README.md's settings table is generated from settings.schema (key, type, default, layouts,
    what it does): paste `settings_table_markdown()` there after changing a key."""
    from settings.schema import settings_table_markdown

    table = settings_table_markdown()
    assert table.startswith("| key | type | default | layouts | what it does |\n")
    start = README.index("| key | type | default | layouts | what it does |")
    assert README[start : start + len(table)] == table
    assert README[start + len(table) : start + len(table) + 1] == "\n"  # the table ends there


def test_readme_commands_exist():
    for path in ("scripts/setup", "scripts/test", "scripts/plan", "scripts/apply", ".ci/run", "help", "terraform.tfvars.example"):
        assert (PROJECT_ROOT / path).exists(), path
    assert "./scripts/setup && npx cdktf synth" in README
    assert "./scripts/test" in README


def readme_commands() -> set[str]:
    """Every command the README shows (in sh blocks and inline code), as its command word(s):
    `npx cdktf deploy`, `./scripts/plan`, `.venv/bin/python benchmarks/synth_benchmark.py`."""
    import re

    lines = [line for block in re.findall(r"```sh\n(.*?)```", README, re.S) for line in block.splitlines()]
    lines += re.findall(r"`((?:npx cdktf|\./scripts/|scripts/|\.venv/bin/python )[^`]*)`", README)
    found = set()
    for line in lines:
        for part in line.split("#")[0].split("&&"):
            words = part.split()
            if not words or words[0].startswith(("cd", "cp", "export", "git", "aws", "kubectl", "terraform")):
                continue
            found.add(" ".join(words[:3] if words[0] == "npx" else words[:2] if words[0].endswith("python") else words[:1]))
    return found


def test_help_lists_every_command_the_readme_shows():
    help_text = (PROJECT_ROOT / "help").read_text()
    commands = readme_commands()
    assert {"npx cdktf deploy", "./scripts/test"} <= commands
    missing = sorted(c for c in commands if c.replace("./scripts/", "scripts/") not in help_text.replace("./scripts/", "scripts/"))
    assert missing == []
