"""Where the rules find IAM policy documents, as Python data.

A policy argument (`policy`, `assume_role_policy`, `inline_policy[].policy`) reaches the stack's
JSON in one of these shapes, and is read so:

- built with `constructs_lib.policy_document.policy_json({...})`: `${jsonencode({...})}` in the
  JSON. The construct that synthesized the block holds the token policy_json returned (read
  through the binding's `<argument>_input` getter); the rules read the Python document recorded
  for that token, once they have checked that the token resolves to what the JSON holds (an
  override may have replaced it). In that document a literal "*" is a plain str and a reference
  is a token string (`cdktf.Token.is_unresolved`).
- a JSON string (`json.dumps(...)`): parsed as JSON.
- a plain reference, e.g. `${data.aws_iam_policy_document.x.json}`: not read here; the data
  source is read from its own `statement` blocks (`iam_policy_document_statements`).
- anything else, e.g. `${jsonencode({...})}` from Fn.jsonencode without the helper: unreadable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cdktf import Token

from constructs_lib.policy_document import recorded_document
from constructs_lib.rules.base import Block, StackView

# One statement of a policy document, as written ("Effect", "Action", "Resource", "Principal", ...).
Statement = Mapping[str, Any]

# The arguments of a resource block that hold a policy document.
POLICY_ATTRIBUTES = ("policy", "assume_role_policy")

# The nested blocks of a resource that hold a policy document in their own `policy` argument.
POLICY_BLOCKS = ("inline_policy",)

# "${a.b.c}", "${data.x.y.json}", "${module.m.out[0]}": one reference, no function call.
_REFERENCE = re.compile(r"^\$\{[A-Za-z_][\w-]*(\.[\w-]+|\[\d+\])+\}$")


class UnreadablePolicy(ValueError):
    """The rules cannot read the policy (see the module's docstring for what they read)."""


def read_policy(view: StackView, block: Block, where: Sequence[str | int], value: Any) -> Mapping[str, Any] | None:
    """The policy document at `where` of `block` (its resolved JSON value is `value`), or None
    when it is a reference to a document read on its own. Raises UnreadablePolicy otherwise."""
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        raise UnreadablePolicy(f"a policy of type {type(value).__name__}")
    text = value.strip()
    if _REFERENCE.match(text):
        return None
    if text.startswith("${"):
        written = view.written(block, where)
        document = recorded_document(written)
        if document is None:
            if text.startswith("${jsonencode("):
                raise UnreadablePolicy("it is built with Fn.jsonencode() outside policy_json()")
            raise UnreadablePolicy("it is a Terraform expression, not a document")
        if view.resolve(written) != value:
            raise UnreadablePolicy("the stack's JSON does not hold the document policy_json() built (an override?)")
        return document
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as err:
        raise UnreadablePolicy(f"not JSON ({err.msg})") from None
    if not isinstance(parsed, dict):
        raise UnreadablePolicy("a JSON document that is not an object")
    return parsed


def policy_documents(view: StackView, block: Block) -> Iterator[tuple[str, Mapping[str, Any] | None, str | None]]:
    """(argument, document, problem) for every policy argument of a resource block; `problem` is
    set (and the document None) for a policy the rules cannot read; both are None for a reference."""
    found: list[tuple[str, tuple[str | int, ...], Any]] = [
        (attr, (attr,), block.attr(attr)) for attr in POLICY_ATTRIBUTES if block.attr(attr) is not None
    ]
    for name in POLICY_BLOCKS:
        for index, nested in enumerate(as_list(block.attr(name))):
            if isinstance(nested, dict) and nested.get("policy") is not None:
                found.append((name, (name, index, "policy"), nested["policy"]))
    for attr, where, value in found:
        try:
            yield attr, read_policy(view, block, where, value), None
        except UnreadablePolicy as err:
            yield attr, None, f"the {attr} of {block.address} cannot be read ({err})"


def policy_statements(view: StackView) -> Iterator[tuple[Block, Statement | None, str | None]]:
    """(block, statement, problem) for every statement of every policy in the stack; `problem`
    is set (and the statement None) for a policy the rules cannot read."""
    for block in view.resources():
        for _, document, problem in policy_documents(view, block):
            if problem is not None:
                yield block, None, problem
            elif document is not None:
                for statement in statements(document):
                    yield block, statement, None
    for block in view.data("aws_iam_policy_document"):
        for statement in iam_policy_document_statements(block.config):
            yield block, statement, None


def statements(document: Mapping[str, Any]) -> list[Statement]:
    """The document's statements (a single statement object counts as a list of one)."""
    found = document.get("Statement", [])
    if isinstance(found, Mapping):
        return [found]
    if isinstance(found, list):
        return [s for s in found if isinstance(s, Mapping)]
    return []


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def iam_policy_document_statements(config: Mapping[str, Any]) -> Iterator[Statement]:
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


def principal_values(principal: Any) -> list[Any]:
    """Every identifier a statement's Principal names (`"*"`, ARNs, service names, tokens)."""
    if principal is None:
        return []
    if isinstance(principal, list):
        return [v for p in principal for v in principal_values(p)]
    if isinstance(principal, Mapping):
        return [v for p in principal.values() for v in as_list(p)]
    return [principal]


def is_literal_wildcard(value: Any) -> bool:
    """A literal "*": a plain str, not a token (a reference, even one that might turn out "*")."""
    return isinstance(value, str) and value.strip() == "*" and not Token.is_unresolved(value)
