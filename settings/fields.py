"""Field typing: the aliases resolved, the release chosen, every key known to it, and each value
checked against its key's Terraform type and value check. Each step raises SettingsError on the
first problem, naming the setting."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from release_catalog import layouts
from release_catalog.layouts import InfraRelease
from release_catalog.releases import ModuleRelease, normalize_constraint
from settings.errors import SettingsError
from settings.keys import REQUIRED, Check
from settings.schema import ALIASES, APP_KEYS, KNOWN_MISTAKES, MODULE_INPUT_CHECKS, PRE_OPERATOR_ONLY
from settings.tftypes import type_error

Fail = Callable[[str | None, str], SettingsError]


def choose_release(values: Mapping[str, Any], fail: Fail) -> InfraRelease:
    """The `wandb/wandb/aws` release `wandb_infra_version` chooses; every key must be the app's own
    or an input of that release."""
    infra_version = _app_value(values, "wandb_infra_version", fail)
    normalized = normalize_constraint(infra_version)
    if normalized not in layouts.INFRA_RELEASES:
        raise fail(
            "wandb_infra_version",
            f"{infra_version!r} is not a supported release of wandb/wandb/aws; use one of "
            + ", ".join(f'"{v}"' for v in layouts.INFRA_RELEASES),
        )
    infra = layouts.INFRA_RELEASES[normalized]
    if "wandb_infra_version" not in values:
        _refuse_other_layouts_keys(values, fail)
    for name in values:
        if name not in APP_KEYS and not infra.release.declares(name):
            raise fail(name, _unknown_key_message(name, infra.release))
    return infra


def type_app_keys(values: Mapping[str, Any], infra: InfraRelease, fail: Fail) -> dict[str, Any]:
    """Every key of APP_KEYS: the checked value, else the layout's default, else the key's."""
    layout_defaults = layouts.setting_defaults(infra.layout)
    typed: dict[str, Any] = {}
    for name, key in APP_KEYS.items():
        if name in values:
            _refuse_null(name, values, fail, has_default=name in layout_defaults)
            typed[name] = _checked(name, values[name], key.type, key.check, key.secret, fail)
        elif name in layout_defaults:
            typed[name] = layout_defaults[name]
        elif key.default is REQUIRED:
            raise fail(name, f"is required; add it to the settings file ({key.doc})")
        else:
            typed[name] = key.default
    return typed


def type_module_inputs(values: Mapping[str, Any], release: ModuleRelease, fail: Fail) -> dict[str, Any]:
    """Every other key: an input of the release, checked against its declared type."""
    module_inputs = {}
    for name, value in values.items():
        if name in APP_KEYS:
            continue
        variable = release.variables[name]
        if value is None and not variable.nullable:
            raise fail(name, f"must not be null ({release.label} declares it non-nullable)")
        module_inputs[name] = _checked(name, value, variable.type, MODULE_INPUT_CHECKS.get(name), False, fail)
    return module_inputs


def apply_aliases(values: dict[str, Any], fail: Fail) -> dict[str, Any]:
    for alias, name in ALIASES.items():
        if alias in values:
            if name in values:
                raise fail(alias, f"is another name for `{name}`; set only one of them")
            values[name] = values.pop(alias)
    return values


def _refuse_other_layouts_keys(values: Mapping[str, Any], fail: Fail) -> None:
    """Without `wandb_infra_version`, the guide's default layout applies; a file holding keys only
    another layout uses (the guide's pre- and post-operator files hold no `wandb_infra_version`)
    gets one message naming the release to add, instead of one wrong-way error at a time."""
    default = layouts.INFRA_RELEASES[layouts.DEFAULT_INFRA_VERSION]
    for name in values:
        if name in PRE_OPERATOR_ONLY:
            wanted = "1.16.10"
        elif name in APP_KEYS or default.release.declares(name):
            continue
        else:
            declaring = [c for c, r in layouts.INFRA_RELEASES.items() if r.release.declares(name)]
            exact = [c for c in declaring if not c.startswith("~>")]
            if not declaring:
                continue  # an unknown key: its own message says so
            wanted = (exact or declaring)[0]
        layout = layouts.INFRA_RELEASES[wanted].layout.value
        raise fail(
            "wandb_infra_version",
            f'is not set, so the app takes the guide\'s default "{layouts.DEFAULT_INFRA_VERSION}" (the recommended layout); '
            f'but this file sets `{name}`, which the {layout} layout uses: add wandb_infra_version = "{wanted}" '
            '(e.g. the guide\'s pre-operator.tfvars wants "1.16.10", its post-operator.tfvars "4.7.2")',
        )


def _app_value(values: Mapping[str, Any], name: str, fail: Fail) -> Any:
    key = APP_KEYS[name]
    if name not in values:
        return key.default
    _refuse_null(name, values, fail)
    return _checked(name, values[name], key.type, key.check, key.secret, fail)


def _refuse_null(name: str, values: Mapping[str, Any], fail: Fail, has_default: bool = False) -> None:
    """`null` stands for "unset" only where unset means None; elsewhere it is refused, naming the
    setting, instead of reaching code that expects a value."""
    key = APP_KEYS[name]
    if values[name] is not None or (key.default is None and not has_default):
        return
    if key.default is REQUIRED and not has_default:
        raise fail(name, f"must not be null: it is required ({key.doc})")
    raise fail(name, "must not be null; remove the line to use the default")


def _checked(name: str, value: Any, tf_type: str, check: Check | None, secret: bool, fail: Fail) -> Any:
    if value is None:
        return None
    err = type_error(value, tf_type)
    if err:
        raise fail(name, err)
    if check is not None:
        err = check(value)
        if err:
            # A secret's own value never appears in a message.
            raise fail(name, "the value is not valid" if secret and str(value).strip() and str(value) in err else err)
    return value


def _unknown_key_message(name: str, release: ModuleRelease) -> str:
    other = [c for c, r in layouts.INFRA_RELEASES.items() if c != release.constraint and r.release.declares(name)]
    if other:
        return f"is not an input of {release.label}, the release `wandb_infra_version` chooses (it is an input of {', '.join(other)})"
    if name in KNOWN_MISTAKES:
        return f"is not a setting: no release of wandb/wandb/aws declares it; did you mean `{KNOWN_MISTAKES[name]}`?"
    candidates = sorted(set(APP_KEYS) | set(ALIASES) | set(release.variables))
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    hint = f"; did you mean `{close[0]}`?" if close else f" and not an input of {release.label}"
    return f"is not a known setting{hint}"
