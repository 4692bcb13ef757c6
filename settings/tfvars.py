"""Reads a `terraform.tfvars` file into plain Python values, with python-hcl2.

A tfvars file holds only `name = literal` lines. Terraform refuses blocks, references and
function calls there, and so do we, with a message that names the file and the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hcl2.parser import parser as hcl2_parser  # the cached LALR parser (hcl2.parses builds one: ~2 s)
from hcl2.transformer import DictTransformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from settings.errors import SettingsError
from settings.schema import ALIASES, APP_KEYS


def read_tfvars(path: Path, display: str | None = None) -> dict[str, Any]:
    """The file's `name = value` pairs. `display` is how messages name the file."""
    display = display or str(path)
    try:
        # utf-8-sig: a byte-order mark at the start (Windows editors write one) is dropped, as
        # Terraform drops it; anywhere else it stays and is refused like any stray character.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SettingsError(display, None, "the settings file does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(display, None, f"cannot read the settings file ({err.__class__.__name__}: {err})") from None
    if not text.endswith("\n"):
        text += "\n"  # python-hcl2 wants a final newline; Terraform does not
    open_line = _unterminated_string_line(text)
    if open_line is not None:
        # python-hcl2 lets a quoted string run on over line breaks, so it would report the error
        # lines later (or not at all); Terraform ends a quoted string at its line.
        raise SettingsError(
            display,
            _setting_on_line(text, open_line) or None,
            f"not valid HCL: the quoted string on line {open_line} is not closed on that line (a string ends on the line "
            'it starts: add the closing ", or write a line break as \\n)',
        )
    try:
        tree = hcl2_parser().parse(text)
    except (UnexpectedToken, UnexpectedCharacters, UnexpectedEOF) as err:
        raise SettingsError(display, None, f"not valid HCL: {_syntax_message(err, text)}") from None
    except UnexpectedInput as err:  # any other parse failure lark reports
        raise SettingsError(display, None, f"not valid HCL near line {getattr(err, 'line', '?')}") from None

    for node in _top_level_nodes(tree):
        if node.data == "block":
            name = _block_name(node)
            raise SettingsError(display, name, f"line {_line(node)}: blocks are not allowed in a tfvars file, only `name = value` lines")
    try:
        values = DictTransformer().transform(tree)
    except VisitError as err:
        message = str(err.orig_exc)
        if message.endswith("already defined"):
            name = message.split()[0]
            raise SettingsError(display, name, "is set more than once") from None
        raise SettingsError(display, None, f"not valid HCL: {message}") from None

    if not isinstance(values, dict):
        raise SettingsError(display, None, "not valid HCL: expected `name = value` lines")
    for name, value in values.items():
        _reject_expressions(display, name, value)
    return values


def _top_level_nodes(tree: Any) -> Iterator[Any]:
    for body in tree.children:
        for node in getattr(body, "children", []):
            if hasattr(node, "data"):
                yield node


def _block_name(node: Any) -> str | None:
    first = node.children[0] if node.children else None
    for child in getattr(first, "children", [first]):
        if isinstance(child, str):
            return str(child)
    return None


def _line(node: Any) -> str:
    meta = getattr(node, "meta", None)
    return str(getattr(meta, "line", "?")) if meta is not None and not getattr(meta, "empty", True) else "?"


def _syntax_message(err: UnexpectedInput, text: str = "") -> str:
    line, column = getattr(err, "line", "?"), getattr(err, "column", "?")
    if isinstance(err, UnexpectedEOF):
        return "the file ends in the middle of a value (an unclosed bracket or quote?)"
    token = getattr(err, "token", None)
    shown = str(token).strip().splitlines()[0][:40] if token is not None and str(token).strip() else ""
    if shown and _is_secret(_setting_on_line(text, line)):
        shown = ""  # e.g. license = 'abc' (single quotes): the token is the secret
    found = f" {shown!r}" if shown else ""
    return f"unexpected{found or ' input'} at line {line}, column {column}"


_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\n")


def _unterminated_string_line(text: str) -> int | None:
    """The line (1-based) of the first quoted string that a line break ends before its closing
    quote (Terraform: "Unterminated template string"), or None. Skips comments and heredocs;
    anything else malformed is left to the parser."""
    i, line, n = 0, 1, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
            i += 1
        elif char == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return None
            line += text.count("\n", i, end)
            i = end + 2
        elif heredoc := _HEREDOC.match(text, i):
            closing = re.compile(rf"\n[ \t]*{re.escape(heredoc.group(1))}[ \t]*(?=\n|$)").search(text, heredoc.end() - 1)
            if closing is None:
                return None
            line += text.count("\n", i, closing.end())
            i = closing.end()
        elif char == '"':
            start, depth = line, 0  # depth: inside ${...} or %{...}
            i += 1
            while True:
                if i >= n:
                    return start
                char = text[i]
                if char == "\\":
                    if text.startswith("\n", i + 1):
                        return start
                    i += 2
                    continue
                if char == "\n":
                    if depth == 0:
                        return start
                    line += 1
                elif text.startswith(("$${", "%%{"), i):
                    i += 3
                    continue
                elif text.startswith(("${", "%{"), i):
                    depth += 1
                    i += 2
                    continue
                elif char == "}" and depth:
                    depth -= 1
                elif char == '"' and depth == 0:
                    i += 1
                    break
                i += 1
        else:
            i += 1
    return None


def _setting_on_line(text: str, line: Any) -> str:
    """The name a `name = ...` line (1-based) of the file sets, or ""."""
    lines = text.splitlines()
    if not isinstance(line, int) or not 1 <= line <= len(lines):
        return ""
    match = re.match(r"\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=", lines[line - 1])
    return match.group(1) if match else ""


def _reject_expressions(display: str, name: str, value: Any) -> None:
    """python-hcl2 renders expressions (var.x, upper("a"), "${...}") as "${...}" strings."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        # A secret written without quotes (license = abc123) parses as an expression: never echo it.
        shown = "the value" if _is_secret(name) else repr(value[2:-1])
        raise SettingsError(
            display,
            name,
            f"{shown} is an expression; a tfvars file takes only literal values (strings in quotes, numbers, true/false, lists, maps)",
        )
    if isinstance(value, list):
        for item in value:
            _reject_expressions(display, name, item)
    if isinstance(value, dict):
        for item in value.values():
            _reject_expressions(display, name, item)


def _is_secret(name: str) -> bool:
    key = APP_KEYS.get(ALIASES.get(name, name))
    return key is not None and key.secret
