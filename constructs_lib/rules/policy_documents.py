"""Reading IAM policy documents out of synthesized Terraform JSON.

A policy reaches the JSON in one of three shapes:

- a JSON string (`policy = json.dumps(...)` in Python),
- `${jsonencode({...})}`: what `Fn.jsonencode(...)` synthesizes; the argument is an HCL object
  expression (`{"Effect" = "Allow", "Resource" = aws_s3_bucket.x.arn}`), parsed here,
- a reference (`${data.aws_iam_policy_document.x.json}`): the data source's own `statement`
  blocks are read instead (`iam_policy_document_statements`).

Values that are Terraform expressions (references, function calls) stay as `Expr` objects: a
rule can tell them from literals, and a literal `"*"` from an ARN built from a reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator


@dataclass(frozen=True)
class Expr:
    """A Terraform expression that is not a literal (a reference, a function call)."""

    text: str


class UnreadablePolicy(ValueError):
    """The policy is neither a JSON document nor jsonencode() of an object literal."""


def parse_policy(value: Any) -> dict | None:
    """The policy document as Python data, or None when it is a reference to something else
    (e.g. a data source's `.json`). Raises UnreadablePolicy for anything else."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise UnreadablePolicy(f"a policy of type {type(value).__name__}")
    text = value.strip()
    if text.startswith("${jsonencode(") and text.endswith(")}"):
        parsed = _HclParser(text[len("${jsonencode(") : -2]).parse()
        if not isinstance(parsed, dict):
            raise UnreadablePolicy("jsonencode() of something other than an object")
        return parsed
    if text.startswith("${") and text.endswith("}") and _single_interpolation(text):
        return None  # a reference, e.g. ${data.aws_iam_policy_document.x.json}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as err:
        raise UnreadablePolicy(f"not JSON ({err.msg})") from None
    if not isinstance(parsed, dict):
        raise UnreadablePolicy("a JSON document that is not an object")
    return parsed


def statements(document: dict) -> list[dict]:
    """The document's statements (a single statement object counts as a list of one)."""
    found = document.get("Statement", [])
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list):
        return [s for s in found if isinstance(s, dict)]
    return []


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def iam_policy_document_statements(config: dict) -> Iterator[dict]:
    """The statements of a `data "aws_iam_policy_document"` in the policy grammar's own terms."""
    for block in as_list(config.get("statement")):
        if not isinstance(block, dict):
            continue
        principals = []
        for p in as_list(block.get("principals")):
            if isinstance(p, dict):
                principals.append({p.get("type", "AWS"): p.get("identifiers", [])})
        yield {
            "Effect": block.get("effect", "Allow"),
            "Action": as_list(block.get("actions")),
            "NotAction": as_list(block.get("not_actions")),
            "Resource": as_list(block.get("resources")),
            "NotResource": as_list(block.get("not_resources")),
            "Principal": principals or None,
            "Condition": block.get("condition"),
        }


def principal_values(principal: Any) -> list:
    """Every identifier a statement's Principal names (`"*"`, ARNs, service names)."""
    if principal is None:
        return []
    if isinstance(principal, (str, Expr)):
        return [principal]
    if isinstance(principal, list):
        return [v for p in principal for v in principal_values(p)]
    if isinstance(principal, dict):
        return [v for p in principal.values() for v in as_list(p)]
    return [principal]


def _single_interpolation(text: str) -> bool:
    """True for "${...}" holding one expression (no literal text around it)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return True


class _HclParser:
    """The subset of HCL expressions cdktf writes inside jsonencode(): object and tuple literals,
    JSON-quoted strings, numbers, true/false/null; anything else is kept as an `Expr`."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.decoder = json.JSONDecoder()

    def parse(self) -> Any:
        value = self._value()
        self._space()
        if self.pos != len(self.text):
            raise UnreadablePolicy(f"unexpected text at {self.pos}: {self.text[self.pos:self.pos + 20]!r}")
        return value

    def _space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def _peek(self) -> str:
        self._space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _expect(self, ch: str) -> None:
        if self._peek() != ch:
            raise UnreadablePolicy(f"expected {ch!r} at {self.pos}")
        self.pos += 1

    def _value(self) -> Any:
        ch = self._peek()
        if ch == "{":
            return self._object()
        if ch == "[":
            return self._tuple()
        if ch == '"':
            return self._string()
        return self._bare()

    def _object(self) -> dict:
        self._expect("{")
        result: dict = {}
        while self._peek() != "}":
            key = self._string() if self._peek() == '"' else self._identifier()
            if self._peek() not in ("=", ":"):
                raise UnreadablePolicy(f"expected '=' at {self.pos}")
            self.pos += 1
            result[key] = self._value()
            if self._peek() == ",":
                self.pos += 1
        self._expect("}")
        return result

    def _tuple(self) -> list:
        self._expect("[")
        result = []
        while self._peek() != "]":
            result.append(self._value())
            if self._peek() == ",":
                self.pos += 1
        self._expect("]")
        return result

    def _string(self) -> Any:
        try:
            value, end = self.decoder.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as err:
            raise UnreadablePolicy(f"bad string at {self.pos}: {err.msg}") from None
        self.pos = end
        if isinstance(value, str) and "${" in value:
            return Expr(value) if value.startswith("${") and value.endswith("}") and _single_interpolation(value) else _Template(value)
        return value

    def _identifier(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_-"):
            self.pos += 1
        if start == self.pos:
            raise UnreadablePolicy(f"expected a key at {self.pos}")
        return self.text[start : self.pos]

    def _bare(self) -> Any:
        """A number, true/false/null, or an expression up to the next top-level , } or ]."""
        start = self.pos
        depth = 0
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == '"':
                _, self.pos = self.decoder.raw_decode(self.text, self.pos)
                continue
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                break
            self.pos += 1
        token = self.text[start : self.pos].strip()
        if not token:
            raise UnreadablePolicy(f"expected a value at {start}")
        literals = {"true": True, "false": False, "null": None}
        if token in literals:
            return literals[token]
        try:
            return json.loads(token)
        except json.JSONDecodeError:
            return Expr(token)


class _Template(str):
    """A string with interpolations, e.g. "${aws_s3_bucket.x.arn}/*": literal text around
    references. Compares as its text; `is_literal` is False."""


def is_literal_string(value: Any) -> bool:
    """A plain string with no Terraform interpolation in it."""
    return isinstance(value, str) and not isinstance(value, _Template) and "${" not in value
