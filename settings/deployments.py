"""Several deployments from one app: a folder of settings files, one per deployment.

    deployments/_defaults.tfvars   shared values (domain, zone, tags, state bucket); optional
    deployments/staging.tfvars     deployment `staging`: overrides the defaults key by key
    deployments/prod-eu.tfvars     deployment `prod-eu`

The folder is `deployments/` at the project root, or the one `WANDB_DEPLOYMENTS` names. Each
deployment's file, over the defaults, is a full settings file: the same keys, types and checks
as `terraform.tfvars`. A key of the deployment's file replaces the defaults' value, except
`default_tags`, which merges tag by tag (synth shows the result). Other files whose names almost
match (`prod.tfvar`, `prod.tfvars.bak`) are not read, and named in a warning. Every file is read
and checked, and the deployments checked against each other, before anything is written.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from release_catalog.tags import APP_TAGS
from settings.errors import SettingsError, SettingsNote, SettingsWarning
from settings.naming import STACK_KINDS
from settings.parse import parse_settings
from settings.schema import ALIASES
from settings.sources import TAGS, merge_deployment
from settings.tfvars import read_tfvars
from settings.values import Settings, fqdn

DEFAULTS_FILE = "_defaults.tfvars"  # the leading underscore: no deployment can be named so

# Stack ids are `<deployment>--wandb` and `<deployment>--wandb-storage`: a name never holds "--",
# so the shell pattern '<deployment>--*' selects one deployment's stacks and no other's.
NAME_MAX = 20
_NAME = re.compile(r"[a-z](?:[a-z0-9]|-(?!-))*", re.ASCII)


@dataclass(frozen=True)
class LoadedSettings:
    """What the app deploys: one Settings per deployment (one, named None, for a single
    settings file), each with its warnings (its own, and those across deployments)."""

    deployments: tuple[Settings, ...]
    notes: tuple[SettingsNote, ...] = ()  # e.g. that the example is read (main.py prints them)

    @property
    def warnings(self) -> tuple[SettingsWarning, ...]:
        return tuple(w for d in self.deployments for w in d.warnings)


def name_problem(name: str) -> str | None:
    if len(name) > NAME_MAX or not _NAME.fullmatch(name) or name.endswith("-"):
        return (
            f"the deployment name {name!r} (the file's name) must be 1-{NAME_MAX} lowercase letters, digits and single "
            "hyphens, starting with a letter and not ending with a hyphen: it names the deployment's stacks and state"
        )
    return None


def load_folder(folder: Path, display: Any, today: date | None = None) -> LoadedSettings:
    """Reads, merges and checks every deployment file of `folder`. `display(path)` is how messages
    name a file. Raises SettingsError naming the file (and setting) of the first problem."""
    shown_folder = display(folder)
    if not folder.is_dir():
        raise SettingsError(shown_folder, None, "the deployments folder does not exist")
    defaults_path = folder / DEFAULTS_FILE
    files = sorted(p for p in folder.glob("*.tfvars") if p.name != DEFAULTS_FILE)
    near_misses = sorted(p for p in folder.iterdir() if _near_miss(p.name) and not p.is_dir())
    if not files:
        unread = f"; not read: {', '.join(display(p) for p in near_misses)}" if near_misses else ""
        message = f"the deployments folder holds no deployment file (<name>.tfvars besides {DEFAULTS_FILE}){unread}"
        raise SettingsError(shown_folder, None, message)
    defaults: dict[str, Any] = {}
    if defaults_path.exists():
        defaults = read_tfvars(defaults_path, display(defaults_path))

    deployments = []
    own_keys: dict[str, set[str]] = {}
    for path in files:
        name = path.name.removesuffix(".tfvars")
        problem = name_problem(name)
        if problem:
            meant = _meant(name)
            hint = f"; rename it to {meant}" if meant != path.name and (meant == DEFAULTS_FILE or not name_problem(name.lower())) else ""
            raise SettingsError(display(path), None, problem + hint)
        own = read_tfvars(path, display(path))
        own_keys[name] = {ALIASES.get(k, k) for k in own}
        deployments.append(_parse_deployment(name, path, own, defaults_path if defaults else None, defaults, display, today))
    if near_misses:
        # A file the app does not read, although its name says it holds settings: on the first
        # deployment's warnings, so that `cdktf synth` shows it too.
        skipped = tuple(SettingsWarning(display(p), None, _near_miss_message(p.name)) for p in near_misses)
        deployments[0] = replace(deployments[0], warnings=(*skipped, *deployments[0].warnings))
    loaded = tuple(deployments)
    return LoadedSettings(_check_across(loaded, own_keys, display(defaults_path), display))


def _near_miss(file_name: str) -> bool:
    """Whether a file of the deployments folder that the app does not read looks as if it was
    meant to be read: `prod.tfvar`, `prod.tfvars.bak`, `prod.TFVARS`, `prod.tfvars.json`. Hidden
    files (an editor's `.prod.tfvars.swp`) are left alone."""
    if file_name.startswith(".") or file_name.endswith(".tfvars"):
        return False  # hidden, or read (a bad name, such as Prod.tfvars, is an error then)
    stem, dot, extension = file_name.partition(".")
    if not dot or not stem:
        return False
    if "tfvar" in extension.lower():
        return True
    return difflib.SequenceMatcher(None, extension.lower(), "tfvars").ratio() >= 0.75


def _near_miss_message(file_name: str) -> str:
    return (
        f"is not read: only <name>.tfvars files are deployments (and {DEFAULTS_FILE} their shared values); rename it to "
        f"{_meant(file_name.partition('.')[0])} if it should be read, or move it out of the folder"
    )


def _meant(stem: str) -> str:
    """The file name a near miss was probably meant to have."""
    if difflib.SequenceMatcher(None, stem.lower(), DEFAULTS_FILE.removesuffix(".tfvars")).ratio() >= 0.8:
        return DEFAULTS_FILE
    return f"{stem.lower()}.tfvars"


def _parse_deployment(
    name: str,
    path: Path,
    own: Mapping[str, Any],
    defaults_path: Path | None,
    defaults: Mapping[str, Any],
    display: Any,
    today: date | None,
) -> Settings:
    raw = merge_deployment(path, own, defaults_path, defaults)
    try:
        settings = parse_settings(raw.values, path, display=display(path), today=today, deployment=name, defaults_source=defaults_path)
    except SettingsError as err:
        if defaults_path is not None and err.setting is not None and raw.origin(err.setting) == defaults_path:
            # The value came from the defaults file: name that file (and the deployment it broke).
            raise SettingsError(display(defaults_path), err.setting, f"{err.message} (for deployment {name!r})") from None
        if raw.tags_merged and err.setting == TAGS and defaults_path is not None:
            raise SettingsError(
                f"{display(path)} (with {display(defaults_path)})", TAGS, f"{err.message} (the two files' tags merged)"
            ) from None
        raise
    if raw.tags_merged and defaults_path is not None:
        on_resources = {**APP_TAGS, **settings.default_tags}
        shown_tags = ", ".join(f"{k} = {json.dumps(v)}" for k, v in sorted(on_resources.items()))
        note = SettingsWarning(
            display(path),
            TAGS,
            f"merged tag by tag with {display(defaults_path)}'s (a tag both set takes this file's value): every AWS "
            f"resource of deployment {name!r} gets {{ {shown_tags} }}",
        )
        settings = replace(settings, warnings=(note, *settings.warnings))
    return settings


def _check_across(
    deployments: Sequence[Settings], own_keys: Mapping[str, set[str]], defaults_shown: str, display: Any
) -> tuple[Settings, ...]:
    """Two deployments must not share a state object or a host name; sharing a namespace is
    fine only in separate AWS accounts (IAM names are global to an account): a warning, added to
    the later deployment's."""

    def where_set(settings: Settings, name: str) -> str:
        """The file that set `name` for a deployment: its own, or the defaults file."""
        assert settings.deployment is not None
        return display(settings.source) if name in own_keys[settings.deployment] else defaults_shown

    checked = []
    seen_hosts: dict[str, Settings] = {}
    seen_namespaces: dict[str, Settings] = {}
    seen_state: dict[tuple[str, str], Settings] = {}
    for settings in deployments:
        shown = display(settings.source)
        # DNS names compare without regard to case: `Alpha` and `alpha` are one host.
        host = fqdn(settings.subdomain, settings.domain_name).lower()
        if host in seen_hosts:
            first = seen_hosts[host]
            other = display(first.source)
            spelled = f" ({first.fqdn} and {settings.fqdn}: DNS ignores case)" if first.fqdn != settings.fqdn else ""
            raise SettingsError(
                where_set(settings, "subdomain"),
                "subdomain",
                f"{settings.fqdn} is the W&B host name of both {other} and {shown}{spelled}; give each deployment its own subdomain",
            )
        seen_hosts[host] = settings
        if settings.state.bucket is not None:
            for kind in STACK_KINDS:
                where = (settings.state.bucket, settings.state.key_for(kind))
                if where in seen_state:
                    other = display(seen_state[where].source)
                    raise SettingsError(
                        where_set(settings, "state_key"),
                        "state_key",
                        f"s3://{where[0]}/{where[1]} would hold the state of both {other} and {shown}: their stacks would "
                        "overwrite each other's state. Leave state_key unset (each deployment then keeps its state under "
                        "wandb/<deployment>/) or give each deployment its own folder",
                    )
                seen_state[where] = settings
        if settings.namespace in seen_namespaces:
            other = display(seen_namespaces[settings.namespace].source)
            warning = SettingsWarning(
                shown,
                "namespace",
                f"{settings.namespace!r} is also the namespace of {other}: the AWS resource names collide (IAM names are "
                "global to an account), so this works only when the two deploy to separate AWS accounts",
            )
            settings = replace(settings, warnings=(*settings.warnings, warning))
        seen_namespaces.setdefault(settings.namespace, settings)
        checked.append(settings)
    return tuple(checked)
