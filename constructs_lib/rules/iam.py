"""Rules for the IAM statements in the app's own resources: identity policies, resource policies
(bucket, queue, topic) and `aws_iam_policy_document` data sources."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules.base import Level, Rule, StackView
from constructs_lib.rules.policies import Statement, as_list, is_literal_wildcard, policy_statements, principal_values

# Key policies name the key they are attached to as Resource "*": that is the grammar, not a grant
# on every resource.
KEY_POLICY_TYPES = ("aws_kms_key", "aws_kms_key_policy", "aws_kms_replica_key")


def _allows(statement: Statement) -> bool:
    return bool(statement.get("Effect", "Allow") == "Allow")


class NoWildcardResource(Rule):
    id = "IAM-NO-WILDCARD-RESOURCE"
    level = Level.ERROR
    description = (
        'No `Allow` statement grants on `Resource "*"` or uses `NotResource`, in identity policies, resource '
        "policies (bucket, queue, topic, role trust) and `aws_iam_policy_document` data sources: every grant "
        'names the resources it is for. KMS key policies are exempt: there `"*"` means the key itself. A policy '
        "the rule cannot read (built neither with `policy_json({...})` nor as JSON, and not a reference to a "
        "policy document; see [Writing policies](#writing-policies)) is an error too."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for block, statement, problem in policy_statements(view):
            if statement is None:
                yield (
                    block.path,
                    (
                        f"{problem}; build it with constructs_lib.policy_document.policy_json({{...}}) (or as JSON, or "
                        "an aws_iam_policy_document) so the rules can check it"
                    ),
                )
                continue
            if block.type in KEY_POLICY_TYPES or not _allows(statement):
                continue
            sid = f" (Sid {statement['Sid']})" if statement.get("Sid") else ""
            if statement.get("NotResource"):
                yield block.path, (f"{block.address}: an Allow statement{sid} uses NotResource; name the resources instead")
            wildcards = [r for r in as_list(statement.get("Resource")) if is_literal_wildcard(r)]
            if wildcards:
                yield (
                    block.path,
                    (
                        f'{block.address}: an Allow statement{sid} grants {statement.get("Action")!s} on Resource "*"; '
                        "name the buckets, queues, keys it is for"
                    ),
                )


class NoPublicPrincipal(Rule):
    id = "IAM-NO-PUBLIC-PRINCIPAL"
    level = Level.ERROR
    description = (
        'No `Allow` statement of a resource policy names `Principal "*"` without a `Condition` that narrows '
        "it (e.g. `aws:SourceArn`); name the service principal (`s3.amazonaws.com`) instead."
    )

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:
        for block, statement, _ in policy_statements(view):
            if statement is None or not _allows(statement) or statement.get("Condition"):
                continue
            if any(is_literal_wildcard(p) for p in principal_values(statement.get("Principal"))):
                sid = f" (Sid {statement['Sid']})" if statement.get("Sid") else ""
                yield (
                    block.path,
                    (
                        f'{block.address}: an Allow statement{sid} lets Principal "*" (anyone) in without a Condition; '
                        'name the principal (e.g. {"Service": "s3.amazonaws.com"}) or add an aws:SourceArn condition'
                    ),
                )
