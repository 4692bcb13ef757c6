"""Rules for the IAM statements in the app's own resources: identity policies, resource policies
(bucket, queue, topic) and `aws_iam_policy_document` data sources."""

from __future__ import annotations

from typing import Iterable, Iterator

from constructs_lib.rules.base import Block, Level, Rule, StackView
from constructs_lib.rules.policy_documents import (
    UnreadablePolicy,
    as_list,
    iam_policy_document_statements,
    is_literal_string,
    parse_policy,
    principal_values,
    statements,
)

POLICY_ATTRIBUTES = ("policy", "assume_role_policy")

# Key policies name the key they are attached to as Resource "*": that is the grammar, not a grant
# on every resource.
KEY_POLICY_TYPES = ("aws_kms_key", "aws_kms_key_policy", "aws_kms_replica_key")


def policy_statements(view: StackView) -> Iterator[tuple[Block, dict | None, str | None]]:
    """(block, statement, problem) for every statement of every policy in the stack; `problem`
    is set (and the statement None) for a policy the rules cannot read."""
    for block in view.resources():
        documents = [(attr, block.attr(attr)) for attr in POLICY_ATTRIBUTES if block.attr(attr) is not None]
        for inline in as_list(block.attr("inline_policy")):
            if isinstance(inline, dict) and inline.get("policy") is not None:
                documents.append(("inline_policy", inline["policy"]))
        for attr, value in documents:
            try:
                document = parse_policy(value)
            except UnreadablePolicy as err:
                yield block, None, f"the {attr} of {block.address} cannot be read ({err})"
                continue
            if document is None:
                continue  # a reference, e.g. to an aws_iam_policy_document checked on its own
            for statement in statements(document):
                yield block, statement, None
    for block in view.data("aws_iam_policy_document"):
        for statement in iam_policy_document_statements(block.config):
            yield block, statement, None


def _allows(statement: dict) -> bool:
    return statement.get("Effect", "Allow") == "Allow"


class NoWildcardResource(Rule):
    id = "IAM-NO-WILDCARD-RESOURCE"
    level = Level.ERROR
    description = (
        'No Allow statement grants on Resource "*" (or uses NotResource): every grant names the '
        "resources it is for. KMS key policies, where \"*\" means the key itself, are exempt."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for block, statement, problem in policy_statements(view):
            if problem:
                yield block.path, (
                    f"{problem}; write policies as Fn.jsonencode({{...}}), JSON, or an aws_iam_policy_document "
                    "so they can be checked"
                )
                continue
            if block.type in KEY_POLICY_TYPES or not _allows(statement):
                continue
            sid = f" (Sid {statement['Sid']})" if statement.get("Sid") else ""
            if statement.get("NotResource"):
                yield block.path, f"{block.address}: an Allow statement{sid} uses NotResource; name the resources instead"
            wildcards = [r for r in as_list(statement.get("Resource")) if is_literal_string(r) and r.strip() == "*"]
            if wildcards:
                yield block.path, (
                    f'{block.address}: an Allow statement{sid} grants {statement.get("Action")!s} on Resource "*"; '
                    "name the buckets, queues, keys it is for"
                )


class NoPublicPrincipal(Rule):
    id = "IAM-NO-PUBLIC-PRINCIPAL"
    level = Level.ERROR
    description = (
        'No Allow statement of a resource policy names Principal "*" without a Condition that narrows '
        "it (e.g. aws:SourceArn); prefer naming the service principal, e.g. s3.amazonaws.com."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for block, statement, problem in policy_statements(view):
            if problem or not _allows(statement) or statement.get("Condition"):
                continue
            principals = principal_values(statement.get("Principal"))
            if any(is_literal_string(p) and p.strip() == "*" for p in principals):
                sid = f" (Sid {statement['Sid']})" if statement.get("Sid") else ""
                yield block.path, (
                    f'{block.address}: an Allow statement{sid} lets Principal "*" (anyone) in without a Condition; '
                    "name the principal (e.g. {\"Service\": \"s3.amazonaws.com\"}) or add an aws:SourceArn condition"
                )
