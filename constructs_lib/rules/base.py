"""The rule engine, in the manner of cdk-nag: rules with an id, a level and a description, run
over every stack by a cdktf Aspect at synth, reporting through cdktf Annotations
(`Annotations.of(construct).add_error(...)` / `add_warning(...)`).

Rules read the stack as Terraform will see it: the stack's resolved JSON (`to_terraform()`),
overrides and escape hatches included, one resource block at a time or across blocks (an S3
bucket and the encryption configuration that names it are two resources). Each finding is
attached to the construct that synthesized the block (the JSON's `//.metadata.path`).

cdktf 0.21 invokes only the Aspects of each stack and its children (an Aspect added to the App
itself is never run), so `apply_rules` adds the aspect to every stack of the app.

A finding can be suppressed on the construct (or any construct above it) with
`suppress(construct, rule_id, reason)`; the reason is mandatory and is kept beside the finding.

An Annotation carries the JavaScript stack trace of the call unless the app's context turns that
off; the trace names the folder jsii unpacks cdktf into, new for every process, so
`cdktf.out/manifest.json` would differ on every run. Build the app as `App(stack_traces=False)`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import jsii
from cdktf import Annotations, Aspects, DefaultTokenResolver, IAspect, StringConcat, TerraformStack, Tokenization
from constructs import Construct, IConstruct

SUPPRESSION_METADATA = "wandb:rules:suppress"

# A reason a reviewer can read: a sentence, not a placeholder.
MIN_REASON_LENGTH = 20


class Level(str, enum.Enum):  # noqa: UP042 (StrEnum would change what str(level) prints)
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    level: Level
    stack: str
    path: str  # the construct path, e.g. wandb-storage/files/bucket
    message: str
    suppressed: str | None = None  # the suppression's reason

    def __str__(self) -> str:
        return f"{self.level.value} [{self.rule_id}] {self.path}: {self.message}"


@dataclass(frozen=True)
class Block:
    """One block of the synthesized JSON."""

    kind: str  # resource | data | module | provider
    type: str  # aws_s3_bucket, ...; the module's name for modules; the provider's name
    name: str  # the block's label (resources, data sources); the alias or "" for providers
    config: dict[str, Any]
    path: str  # the construct path (or the stack's, when the block carries none)

    @property
    def address(self) -> str:
        if self.kind == "module":
            return f"module.{self.type}"
        if self.kind == "provider":
            return f"provider.{self.type}" + (f".{self.name}" if self.name else "")
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    def attr(self, name: str, default: Any = None) -> Any:
        return self.config.get(name, default)


class StackView:
    """The resolved JSON of one stack, with lookups the rules need; with the stack itself, the
    constructs behind the blocks (`node_at`, `written`)."""

    def __init__(self, stack_name: str, config: dict[str, Any], stack: TerraformStack | None = None):
        self.stack_name = stack_name
        self.config = config
        self.stack = stack
        self._nodes: dict[str, tuple[str, IConstruct]] = {}
        self._resolver: DefaultTokenResolver | None = None

    def _path(self, config: Any) -> str:
        if isinstance(config, dict):
            path = config.get("//", {}).get("metadata", {}).get("path")
            if isinstance(path, str) and path:
                return path
        return self.stack_name

    def _blocks(self, kind: str, types: Sequence[str]) -> Iterator[Block]:
        section = self.config.get(kind, {})
        for type_, blocks in section.items():
            if types and type_ not in types:
                continue
            for name, config in blocks.items():
                if isinstance(config, dict):
                    yield Block(kind, type_, name, config, self._path(config))

    def resources(self, *types: str) -> Iterator[Block]:
        return self._blocks("resource", types)

    def data(self, *types: str) -> Iterator[Block]:
        return self._blocks("data", types)

    def modules(self) -> Iterator[Block]:
        for name, config in self.config.get("module", {}).items():
            if isinstance(config, dict):
                yield Block("module", name, name, config, self._path(config))

    def providers(self) -> Iterator[Block]:
        for type_, configs in self.config.get("provider", {}).items():
            for config in configs if isinstance(configs, list) else [configs]:
                if isinstance(config, dict):
                    yield Block("provider", type_, config.get("alias", ""), config, self._path(config))

    @staticmethod
    def refers_to(value: Any, target: Block, attributes: Sequence[str] = ("id", "bucket", "arn")) -> bool:
        """Whether `value` is a reference to one of `target`'s attributes."""
        if not isinstance(value, str):
            return False
        pattern = rf"^\$\{{{re.escape(target.type)}\.{re.escape(target.name)}\.({'|'.join(attributes)})\}}$"
        return re.match(pattern, value) is not None

    def node_at(self, path: str) -> tuple[str, IConstruct]:
        """(path, construct) of the construct at the construct path `path`, or (the stack's path,
        the stack) when there is none."""
        if path not in self._nodes:
            if self.stack is None:
                raise ValueError("this StackView was made without its stack")
            self._nodes[path] = _node_at(self.stack, self.stack_name, path)
        return self._nodes[path]

    def written(self, block: Block, where: Sequence[str | int]) -> Any:
        """The argument at `where` (e.g. ("policy",) or ("inline_policy", 0, "policy")) of the
        construct that synthesized `block`, as the Python code gave it (tokens unresolved), read
        through the binding's public `<argument>_input` getter; None when there is no such
        construct, argument or getter."""
        if self.stack is None or not where or not isinstance(where[0], str):
            return None
        path, node = self.node_at(block.path)
        if path != block.path:
            return None
        value: Any = getattr(node, f"{where[0]}_input", None)
        for step in where[1:]:
            if isinstance(step, int):
                value = value[step] if isinstance(value, list) and 0 <= step < len(value) else None
            elif isinstance(value, dict):
                value = value.get(step)
            else:
                value = getattr(value, step, None)
            if value is None:
                return None
        return value

    def resolve(self, value: Any) -> Any:
        """`value` resolved as the stack's JSON resolves it (what `to_terraform()` would write)."""
        if self.stack is None:
            raise ValueError("this StackView was made without its stack")
        if self._resolver is None:
            self._resolver = DefaultTokenResolver(StringConcat())
        return Tokenization.resolve(value, scope=self.stack, resolver=self._resolver, preparing=False)


class Rule:
    """A rule: `check` yields (construct path, message) for each block that breaks it."""

    id: ClassVar[str]
    level: ClassVar[Level]
    description: ClassVar[str]

    def check(self, view: StackView) -> Iterable[tuple[str, str]]:  # pragma: no cover - abstract
        raise NotImplementedError


def suppress(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Suppresses `rule_id` for `construct` and everything below it. The reason is mandatory
    (at least MIN_REASON_LENGTH characters) and is reported beside the suppressed finding."""
    from constructs_lib.rules import ALL_RULES  # the registry imports this module

    known = {rule.id for rule in ALL_RULES}
    if rule_id not in known:
        raise ValueError(f"unknown rule id {rule_id!r}; the rules are {', '.join(sorted(known))}")
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"suppressing {rule_id} needs a reason a reviewer can read (at least {MIN_REASON_LENGTH} characters)")
    construct.node.add_metadata(SUPPRESSION_METADATA, {"rule": rule_id, "reason": reason.strip()})
    _SUPPRESSIONS_IN_USE[0] = True


# Looking a suppression up costs a few jsii round trips per finding; skip it while none exists.
_SUPPRESSIONS_IN_USE = [False]


def suppression_reason(construct: IConstruct, rule_id: str) -> str | None:
    if not _SUPPRESSIONS_IN_USE[0]:
        return None
    for scope in reversed(construct.node.scopes):
        for entry in scope.node.metadata:
            data = entry.data
            if entry.type == SUPPRESSION_METADATA and isinstance(data, dict) and data.get("rule") == rule_id:
                return str(data.get("reason"))
    return None


def check_stack(stack: TerraformStack, rules: Sequence[Rule]) -> list[Finding]:
    """Runs `rules` over the stack's JSON; annotates the constructs; returns every finding."""
    stack_id = stack.node.id
    view = StackView(stack_id, stack.to_terraform(), stack)
    findings = []
    for rule in rules:
        for path, message in rule.check(view):
            node_path, node = view.node_at(path)
            reason = suppression_reason(node, rule.id)
            findings.append(Finding(rule.id, rule.level, stack_id, node_path, message, reason))
            if reason is not None:
                continue
            annotate(node, rule.level, f"[{rule.id}] {message}")
    return findings


def annotate(node: IConstruct, level: Level, message: str) -> None:
    """Reports `message` on `node` through cdktf's Annotations, at `level`: metadata entries of type
    "@cdktf/error" / "@cdktf/warn", which the synth copies into the manifest; the CLI prints them
    and fails the synth on an error."""
    annotations = Annotations.of(node)
    if level is Level.ERROR:
        annotations.add_error(message)
    else:
        annotations.add_warning(message)


def _node_at(stack: TerraformStack, stack_id: str, path: str) -> tuple[str, IConstruct]:
    """The construct at `path` (a path below the stack), or the stack when there is none."""
    parts = path.split("/")
    if parts[0] != stack_id:
        return stack_id, stack
    node: IConstruct = stack
    for part in parts[1:]:
        child = node.node.try_find_child(part)
        if child is None:
            return stack_id, stack
        node = child
    return path, node


@jsii.implements(IAspect)
class RulesAspect:
    """Runs the rules once per stack, when cdktf (or `run_rules`) visits the stack's node."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules = tuple(rules)
        self.findings: list[Finding] = []
        self._checked: set[str] = set()
        self._stacks: set[str] = set()  # the stacks it was added to

    def visit(self, node: IConstruct) -> None:
        # cdktf calls this for every construct; once every stack is checked it costs nothing.
        if self._stacks and self._stacks <= self._checked:
            return
        if not TerraformStack.is_stack(node):
            return
        path = node.node.path
        if path in self._checked:
            return
        self._checked.add(path)
        self.findings.extend(check_stack(cast(TerraformStack, node), self.rules))


def stacks_of(app: Construct) -> list[TerraformStack]:
    return [cast(TerraformStack, child) for child in app.node.children if TerraformStack.is_stack(child)]


def apply_rules(app: Construct, rules: Sequence[Rule]) -> RulesAspect:
    """Adds one RulesAspect to every stack of `app` (call it once the stacks exist)."""
    aspect = RulesAspect(rules)
    for stack in stacks_of(app):
        Aspects.of(stack).add(aspect)
        aspect._stacks.add(stack.node.path)
    return aspect


def rules_aspects(app: Construct) -> list[RulesAspect]:
    found: list[RulesAspect] = []
    for stack in stacks_of(app):
        for aspect in Aspects.of(stack).all:
            if isinstance(aspect, RulesAspect) and aspect not in found:
                found.append(aspect)
    return found


def run_rules(app: Construct) -> list[Finding]:
    """Runs the rules of every stack now (they do not run again at synth) and returns the
    findings, so a caller can stop before writing anything when one is an error."""
    findings: list[Finding] = []
    for aspect in rules_aspects(app):
        for stack in stacks_of(app):
            if aspect in Aspects.of(stack).all:
                aspect.visit(stack)
        findings.extend(aspect.findings)
    return findings
