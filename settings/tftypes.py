"""Checks a settings value against a Terraform type expression, as a module declares it.

The module interfaces write types the way `terraform-config-inspect` reports them: `string`,
`bool`, `number`, `any`, `list(T)`, `set(T)`, `map(T)`, `object({...})`, and for object
attributes the nested form `'${string}'`. Terraform converts between primitive types when it
can ("true" to a bool, "5" to a number); we refuse that on purpose, since a quoted `"false"` in
a settings file is almost always a mistake that would turn a feature on.
"""

from __future__ import annotations

import ast
import re
from typing import Any

_WRAPPER = re.compile(r"^(list|set|map)\((.*)\)$", re.S)


def describe(value: Any) -> str:
    """A short name for a value's type, as a user of tfvars would say it."""
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a map"
    if value is None:
        return "null"
    return type(value).__name__


def type_error(value: Any, tf_type: str, path: str = "") -> str | None:
    """None when `value` fits `tf_type`, else a sentence saying what is wrong (and where)."""
    tf_type = tf_type.strip()
    if tf_type.startswith("'${") and tf_type.endswith("}'"):
        tf_type = tf_type[3:-2]
    where = f" at {path}" if path else ""
    if tf_type == "any":
        return None
    if value is None:
        # null for a whole setting means "unset" (the caller decides); inside a list or map it is
        # a mistake that would reach the module (e.g. allowed_inbound_cidr = [null]).
        return f"expected {_a(tf_type)}{where}, got null" if path else None
    if tf_type == "string":
        return None if isinstance(value, str) else f"expected a string{where}, got {describe(value)}"
    if tf_type == "bool":
        return None if isinstance(value, bool) else f"expected a bool (true or false, unquoted){where}, got {describe(value)}"
    if tf_type == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"expected a number{where}, got {describe(value)}"
    wrapper = _WRAPPER.match(tf_type)
    if wrapper:
        kind, inner = wrapper.groups()
        if kind in ("list", "set"):
            if not isinstance(value, list):
                return f"expected a list{where}, got {describe(value)}"
            for i, item in enumerate(value):
                err = type_error(item, inner, f"{path}[{i}]")
                if err:
                    return err
            return None
        if not isinstance(value, dict):
            return f"expected a map{where}, got {describe(value)}"
        for key, item in value.items():
            err = type_error(item, inner, f"{path}.{key}" if path else str(key))
            if err:
                return err
        return None
    if tf_type.startswith("object(") and tf_type.endswith(")"):
        if not isinstance(value, dict):
            return f"expected an object (a map){where}, got {describe(value)}"
        attrs = _object_attributes(tf_type[len("object(") : -1])
        if attrs is None:  # a shape we cannot read: let Terraform judge it
            return None
        for key, item in value.items():
            if key not in attrs:
                return f"unexpected attribute {key!r}{where}; expected {', '.join(sorted(attrs)) or 'none'}"
            err = type_error(item, attrs[key], f"{path}.{key}" if path else str(key))
            if err:
                return err
        return None
    return None  # tuple(...), optional(...) and other rare shapes: Terraform checks them


def _a(tf_type: str) -> str:
    """ "string" -> "a string", "list(string)" -> "a list"."""
    kind = tf_type.split("(", 1)[0]
    return {"string": "a string", "bool": "a bool", "number": "a number", "object": "an object"}.get(kind, f"a {kind}")


def _object_attributes(body: str) -> dict[str, str] | None:
    """`{'rolearn': '${string}', ...}` (the interface file's form) to {'rolearn': 'string'}."""
    try:
        parsed = ast.literal_eval(body)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(parsed, dict):
        return None
    return {str(k): str(v) for k, v in parsed.items()}
