"""IAM and resource policies written as Python data, which the security rules read as written.

    from constructs_lib.policy_document import policy_json

    IamPolicy(self, "node_policy", name=..., policy=policy_json({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": [bucket.arn, f"{bucket.arn}/*"]}],
    }))

`policy_json(document)` returns `Fn.jsonencode(document)`, the string token a `policy`,
`assume_role_policy` or `inline_policy.policy` argument takes: Terraform gets
`jsonencode({...})` with the references in it, exactly as with Fn.jsonencode. It also records
(a copy of) `document` under that token. The construct keeps the token as its argument, so the
rules (constructs_lib/rules) find the construct that synthesized a policy, take the token from
its argument and read the Python document recorded for it, instead of parsing the synthesized
HCL. In that document a literal "*" is a plain str, and a reference (`bucket.arn`,
`f"{bucket.arn}/*"`) is a token string: `cdktf.Token.is_unresolved` tells them apart.

Policies written as JSON strings (`json.dumps(...)`) and `aws_iam_policy_document` data sources
are read too. A policy built with Fn.jsonencode (or any other Terraform function) without this
helper is opaque to the rules, and reported as unreadable (IAM-NO-WILDCARD-RESOURCE).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf import Fn

# A policy document: {"Version": ..., "Statement": [...]}; values may hold cdktf tokens.
PolicyDocument = Mapping[str, Any]

# The documents policy_json() built, by the token it returned. A token is unique in the process
# (cdktf numbers them), and stays valid however many apps the process builds.
_DOCUMENTS: dict[str, PolicyDocument] = {}


def policy_json(document: PolicyDocument) -> str:
    """`Fn.jsonencode(document)`, with the document recorded for the rules.

    `document` is copied first (dicts, lists and tuples; tuples become lists, which is also what
    jsii can pass on), so changing it afterwards changes neither the policy nor what the rules read.
    """
    if not isinstance(document, Mapping):
        raise TypeError(f"policy_json() takes the policy document as a dict, not {type(document).__name__}")
    copied = {key: _copy(item) for key, item in document.items()}
    token = Fn.jsonencode(copied)
    _DOCUMENTS[token] = copied
    return token


def recorded_document(value: object) -> PolicyDocument | None:
    """The document `policy_json` returned `value` for, or None (not a token it returned)."""
    if not isinstance(value, str):
        return None
    return _DOCUMENTS.get(value)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(item) for item in value]
    return value
