"""The app's security rules (in the manner of cdk-nag), run over every stack at synth.

    apply_rules(app)            # once the stacks exist (stacks.build_app does it)
    findings = run_rules(app)   # main.py: stop before writing anything when one is an error
    suppress(construct, "S3-ENCRYPTED", "why this construct may break the rule")

Build the app as `App(stack_traces=False)`: the findings are cdktf Annotations, and without it
each carries a JavaScript stack trace that makes `cdktf.out/manifest.json` differ on every run.
Policies are written with `constructs_lib.policy_document.policy_json({...})` so the rules can read them.

Errors are things that must hold in the app's own resources; warnings are exposure the settings
chose. See docs/security.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from constructs import Construct

from constructs_lib.rules.base import (
    Finding,
    Level,
    Rule,
    RulesAspect,
    StackView,
    check_stack,
    run_rules,
    suppress,
    suppression_reason,
)
from constructs_lib.rules.base import apply_rules as _apply_rules
from constructs_lib.rules.exposure import DeletionProtectionOff, OpenIngress, PublicKubernetesApi
from constructs_lib.rules.iam import NoPublicPrincipal, NoWildcardResource
from constructs_lib.rules.secrets import NoSecretLiterals
from constructs_lib.rules.storage import S3BucketEncrypted, S3BucketPublicAccessBlocked, SqsQueueEncrypted

ALL_RULES: tuple[Rule, ...] = (
    S3BucketEncrypted(),
    S3BucketPublicAccessBlocked(),
    SqsQueueEncrypted(),
    NoWildcardResource(),
    NoPublicPrincipal(),
    NoSecretLiterals(),
    OpenIngress(),
    PublicKubernetesApi(),
    DeletionProtectionOff(),
)


def apply_rules(app: Construct, rules: Sequence[Rule] = ALL_RULES) -> RulesAspect:
    """Adds the rules (default: all of them) to every stack of `app`, as one cdktf Aspect."""
    return _apply_rules(app, rules)


def report(findings: Sequence[Finding], stream: TextIO, *, warnings: bool = True) -> int:
    """Prints the unsuppressed findings (errors always; warnings when `warnings`), one line each,
    and returns how many errors there were."""
    errors = 0
    for finding in findings:
        if finding.suppressed is not None:
            continue
        if finding.level is Level.ERROR:
            errors += 1
        elif not warnings:
            continue
        print(f"{finding.level.value}: [{finding.rule_id}] {finding.path}: {finding.message}", file=stream)
    return errors


__all__ = [
    "ALL_RULES",
    "Finding",
    "Level",
    "Rule",
    "RulesAspect",
    "StackView",
    "apply_rules",
    "check_stack",
    "report",
    "run_rules",
    "suppress",
    "suppression_reason",
]


def rules_markdown() -> str:
    """docs/security.md's table of the rules, generated from ALL_RULES (tests/test_docs.py compares)."""
    rows = ["| id | level | what must hold |", "| --- | --- | --- |"]
    rows += [f"| `{rule.id}` | {rule.level.value} | {rule.description} |" for rule in ALL_RULES]
    return "\n".join(rows) + "\n"
