"""Settings fuzzing: random and mutated tfvars files fed to the settings loader and on through the
app, as main.py runs it. Each file must either synthesize, or fail with the one clear message
the recommended issue defines (SettingsError: the file, the setting when there is one, one line,
no traceback, no license echoed) and leave no output behind.

- `test_loader_and_synth`: in-process, many examples: load, build, rules, synth into a fresh
  outdir; a failure must be a SettingsError (or, for a value that looks like a credential, the
  NO-SECRET-LITERALS rule naming the input) and must not have created the outdir.
- `test_main_py_on_broken_files`: a handful through `python main.py` (the error path never imports
  the provider bindings, so each run is fast): exit code 2, one `error:` line on stderr, no
  traceback, and the outdir neither created nor changed.
- `test_a_value_its_rule_refuses_is_refused_naming_the_setting`: in-process, the loader alone: one
  setting of one layout's guide settings set to a plausible value with a slip in it (or junk); when
  that setting's own rule (its type, its check, the release declaring it) refuses the value,
  `parse_settings` refuses the file naming that setting, with the rule's sentence.

In CI (CI set) the examples are derandomized, so a run is reproducible; locally each run explores
new ones (and hypothesis keeps failures in .hypothesis/ to replay them first).
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import os
import re
import string
from pathlib import Path

from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, run_main, to_hcl
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from release_catalog import layouts
from release_catalog.releases import STANDARD_SIZES, ModuleRelease, normalize_constraint
from settings import APP_KEYS, SettingsError, load_settings, parse_settings
from settings.schema import MODULE_INPUT_CHECKS
from settings.tftypes import type_error

IN_CI = bool(os.environ.get("CI"))
EXAMPLE_TEXT = (Path(__file__).resolve().parent.parent / "terraform.tfvars.example").read_text()

FUZZ = settings(
    max_examples=int(os.environ.get("WANDB_FUZZ_EXAMPLES", 200)),
    deadline=None,
    derandomize=IN_CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ_MAIN = settings(FUZZ, max_examples=int(os.environ.get("WANDB_FUZZ_MAIN_EXAMPLES", 12)))

# --- values ----------------------------------------------------------------------------------------

scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
)
junk_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(string.ascii_letters + "_-", min_size=1, max_size=10), inner, max_size=4)
    ),
    max_leaves=8,
)


@st.composite
def cidr(draw, version: int) -> str:
    address = draw(st.ip_addresses(v=version))
    prefix = draw(st.integers(0, 32 if version == 4 else 128))
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


namespaces = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,5})?", fullmatch=True)
labels = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)

# Values a user would plausibly write for each setting, valid and near-valid alike.
PLAUSIBLE = {
    "namespace": namespaces,
    "license": st.text(min_size=1, max_size=40),
    "subdomain": labels,
    "domain_name": st.builds(lambda a, b: f"{a}.{b}", labels, st.sampled_from(["com", "ml", "example.com", "io"])),
    "zone_id": st.from_regex(r"Z[A-Z0-9]{4,20}", fullmatch=True),
    "allowed_inbound_cidr": st.lists(cidr(4), max_size=3),
    "allowed_inbound_ipv6_cidr": st.lists(cidr(6), max_size=3),
    "kubernetes_public_access_cidrs": st.lists(st.one_of(cidr(4), cidr(6)), max_size=3),
    "eks_cluster_version": st.sampled_from(["1.29", "1.30", "1.31", "1.25", "v1.29", "1.29.3", ""]),
    "region": st.sampled_from(["eu-central-1", "us-east-1", "us-west-2", "ap-northeast-2", "Frankfurt", ""]),
    "default_tags": st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True), st.text(max_size=12), max_size=3),
    "wandb_infra_version": st.sampled_from(["~> 7.0", "~>7.0", "1.16.10", "4.7.2", "8.0.0", "7.18.2"]),
    "wandb_version": st.sampled_from(["0.51.2", "0.52.0", ""]),
    "size": st.sampled_from([*STANDARD_SIZES, "huge", ""]),
    "create_elasticache": st.booleans(),
    "use_internal_queue": st.booleans(),
    "deletion_protection": st.booleans(),
    "kubernetes_public_access": st.booleans(),
    "public_access": st.booleans(),
    "external_dns": st.booleans(),
    "state_bucket": st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True),
    "state_key": st.sampled_from(["wandb/terraform.tfstate", "a/b.tfstate", "/abs", ""]),
    "storage_bucket_name": st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True),
    "storage_force_destroy": st.booleans(),
    "storage_noncurrent_version_days": st.integers(-2, 400),
}
KNOWN_KEYS = sorted(set(APP_KEYS) | set(PLAUSIBLE) | {"wandb_license", "create_elasticache_subnet"})
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True))


# The guide's settings for each layout (recommended, pre-operator, post-operator).
BASES = [
    GUIDE_SETTINGS,
    {
        **{k: v for k, v in GUIDE_SETTINGS.items() if k != "eks_cluster_version"},
        "wandb_infra_version": "1.16.10",
        "wandb_version": "0.51.2",
    },
    {
        **GUIDE_SETTINGS,
        "wandb_infra_version": "4.7.2",
        "eks_cluster_version": "1.25",
        "size": "small",
        "enable_dummy_dns": True,
        "enable_operator_alb": True,
        "custom_domain_filter": "wandb.ml",
    },
]


@st.composite
def settings_values(draw) -> dict:
    """The guide's settings (for one of the layouts) with a few keys removed, set (plausibly or to
    junk) or added."""
    values = dict(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["plausible", "plausible", "plausible", "junk", "remove"]))
        if action == "remove" and values:
            values.pop(draw(st.sampled_from(sorted(values))))
            continue
        key = draw(st.sampled_from(sorted(PLAUSIBLE)) if action == "plausible" else keys)
        values[key] = draw(PLAUSIBLE[key] if action == "plausible" and key in PLAUSIBLE else junk_values)
    return values


HCL_FRAGMENTS = [
    "{",
    "}",
    "[",
    "]",
    '"',
    "=",
    "${",
    "}",
    "#",
    "//",
    "/*",
    "*/",
    "<<EOF\n",
    "\n",
    ",",
    "var.x",
    "null",
    'module "m" {\n}\n',
    "\\",
    "é",
    "\u200b",
    "\ufeff",
    "0x1F",
    "1e400",
    "true",
    'namespace = "dup"\n',
]


@st.composite
def mutated_text(draw) -> str:
    """A tfvars file (the example or generated settings) with text-level damage."""
    text = draw(st.one_of(st.just(EXAMPLE_TEXT), settings_values().map(to_hcl)))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "truncate", "duplicate_line", "swap_lines", "unquote", "single_quotes"]))
        if kind == "insert":
            piece = draw(st.one_of(st.sampled_from(HCL_FRAGMENTS), st.text(max_size=6)))
            text = text[:position] + piece + text[position:]
        elif kind == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 12)) :]
        elif kind == "truncate":
            text = text[:position]
        elif kind in ("unquote", "single_quotes"):  # common slips: no quotes, Python's quotes
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines[i] = lines[i].replace('"', "" if kind == "unquote" else "'")
                text = "".join(lines)
        else:
            lines = text.splitlines(keepends=True)
            if len(lines) >= 2:
                i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
                if kind == "duplicate_line":
                    lines.insert(j, lines[i])
                else:
                    lines[i], lines[j] = lines[j], lines[i]
                text = "".join(lines)
    return text


tfvars_files = st.one_of(
    settings_values().map(lambda v: to_hcl(v).encode()),
    mutated_text().map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),  # anything at all, invalid UTF-8 included
)

# --- the properties --------------------------------------------------------------------------------


def license_only(text: bytes) -> bool:
    """Whether the stand-in license is in the file, and only as the value of a license line (a
    mutation may also have moved it into another setting or into junk, where echoing is fine)."""
    lines = [line for line in text.splitlines() if SENTINEL_LICENSE.encode() in line]
    return bool(lines) and all(re.match(rb"\s*(wandb_)?license\s*=", line) for line in lines)


def assert_clear(err: SettingsError, path: Path, text: bytes) -> None:
    message = str(err)
    assert err.file.endswith(path.name) and message.startswith(f"{err.file}: "), message
    if err.setting:
        assert f"setting `{err.setting}`" in message
    assert "\n" not in message, message
    assert "Traceback" not in message
    if license_only(text):
        assert SENTINEL_LICENSE not in message


@FUZZ
@given(content=tfvars_files)
# Found by this test: an unquoted license parses as an expression, and the message echoed it;
# so did the syntax error for a single-quoted one or an unterminated heredoc.
@example(content=to_hcl(GUIDE_SETTINGS).replace(f'"{SENTINEL_LICENSE}"', SENTINEL_LICENSE).encode())
@example(content=to_hcl(GUIDE_SETTINGS).replace(f'"{SENTINEL_LICENSE}"', f"'{SENTINEL_LICENSE}'").encode())
@example(content=to_hcl(GUIDE_SETTINGS).replace(f'"{SENTINEL_LICENSE}"', f"<<EOF\n{SENTINEL_LICENSE}").encode())
# Found by this test: null for a required setting (or one with a default) crashed the loader.
@example(content=to_hcl({**GUIDE_SETTINGS, "allowed_inbound_cidr": None}).encode())
@example(content=to_hcl({**GUIDE_SETTINGS, "region": None, "wandb_infra_version": None}).encode())
@example(content=b"")
@example(content=EXAMPLE_TEXT.encode())
def test_loader_and_synth(tmp_path_factory, content):
    from cdktf import App

    import main
    from constructs_lib.rules import Level, run_rules
    from output_folder import stage
    from stacks import build_app

    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "terraform.tfvars"
    path.write_bytes(content)
    outdir = folder / "cdktf.out"
    try:
        loaded = load_settings(path)
    except SettingsError as err:
        event(f"refused: {err.setting or 'the file'}" if err.setting in (None, *APP_KEYS) else "refused: a module input")
        assert_clear(err, path, content)
        assert not outdir.exists()
        return

    # Loaded: the app must build and synthesize, as main.py does (staging folder, rules first).
    staging = stage(outdir)
    app = App(outdir=str(staging.folder), stack_traces=False)
    build_app(app, loaded, outdir)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        passed = main.rules_pass(app)
    if not passed:
        staging.discard()
        errors = [f for f in run_rules(app) if f.level is Level.ERROR and f.suppressed is None]
        # The one rule a settings value can break: a module input that looks like a credential.
        assert errors and all(f.rule_id == "NO-SECRET-LITERALS" and "input `" in f.message for f in errors), stderr.getvalue()
        assert "Traceback" not in stderr.getvalue()
        assert list(outdir.iterdir()) == []
        event("stopped by a rule")
        return
    app.synth()
    staging.commit(folder / "no-locks")
    event(f"synthesized ({loaded.layout})")
    for stack in ("wandb", "wandb-storage"):
        synthesized = outdir / "stacks" / stack / "cdk.tf.json"
        if stack == "wandb" or synthesized.parent.exists():
            json.loads(synthesized.read_text())
    if loaded.license:
        for file in outdir.rglob("*.json"):
            assert loaded.license not in file.read_text() or len(loaded.license) < 4


@FUZZ_MAIN
@given(content=st.one_of(mutated_text().map(str.encode), st.binary(max_size=120)), outdir_exists=st.booleans())
def test_main_py_on_broken_files(tmp_path_factory, content, outdir_exists):
    folder = tmp_path_factory.mktemp("fuzz-main")
    path = folder / "terraform.tfvars"
    path.write_bytes(content)
    try:
        load_settings(path)
        assume(False)  # only files the loader refuses: a good one would synthesize (~seconds)
    except SettingsError:
        pass
    outdir = folder / "cdktf.out"
    if outdir_exists:
        (outdir / "stacks" / "wandb").mkdir(parents=True)
        (outdir / "stacks" / "wandb" / "cdk.tf.json").write_text('{"earlier": true}')
    before = sorted((p.relative_to(folder), p.read_bytes() if p.is_file() else None) for p in folder.rglob("*"))

    result = run_main(path, outdir, cwd=folder)

    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: terraform.tfvars: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    after = sorted((p.relative_to(folder), p.read_bytes() if p.is_file() else None) for p in folder.rglob("*"))
    assert after == before  # no new output, nothing changed


# --- a value its setting's rule refuses never gets through ----------------------------------------

FUZZ_RULES = settings(FUZZ, max_examples=int(os.environ.get("WANDB_FUZZ_RULE_EXAMPLES", 300)))

# Settings with a rule of their own: every key of the app's (a type, most a check), the module
# inputs with a check beyond their type, and a few module inputs with only their type.
RULED_KEYS = sorted(set(APP_KEYS) | set(MODULE_INPUT_CHECKS) | {"create_elasticache", "use_internal_queue", "deletion_protection"})

# Valid values to start from, for the settings PLAUSIBLE has none for.
VALID_SEEDS = {
    "state_region": st.sampled_from(["eu-central-1", "us-gov-west-1"]),
    "state_lock_table": st.sampled_from(["terraform-locks", "tf.lock_table"]),
    "state_role_arn": st.sampled_from(["arn:aws:iam::123456789012:role/terraform-state"]),
    "state_profile": st.sampled_from(["default", "team-admin"]),
    "state_kms_key_id": st.sampled_from(["arn:aws:kms:eu-central-1:123456789012:alias/tf-state"]),
    "storage_queue_name": st.sampled_from(["wandb-file-events", "events_1"]),
    "storage_cors_origins": st.lists(
        st.sampled_from(["https://wandb.example.com", "http://localhost:8080", "https://*.example.com"]), min_size=1, max_size=2
    ),
    "storage_node_role_name": st.sampled_from(["wandb-node-role", "eks_node+=,.@-"]),
    "bucket_name": st.sampled_from(["", "my-existing-bucket", "my.bucket"]),
    "wandb_image": st.sampled_from(["wandb/local", "registry.example.com/wandb/local"]),
    "wandb_app_version": st.sampled_from(["1.12.0", "~> 1.0"]),
    "kubernetes_auth": st.sampled_from(["exec", "token", "ephemeral"]),
}
SEEDS = {**PLAUSIBLE, **VALID_SEEDS}
assert set(RULED_KEYS) <= set(SEEDS), set(RULED_KEYS) - set(SEEDS)

# Characters a slip brings in: separators, case, whitespace, a newline, non-ASCII look-alikes.
SLIP_CHARS = "-._/:*@% \nAZaz09\u00e9\u212a"


@st.composite
def slipped(draw, value):
    """`value` with one slip in it: a character inserted, dropped or changed, the case changed; a
    number off by a fraction, negated, quoted; one list item or map entry slipped."""
    if isinstance(value, bool):
        return draw(st.sampled_from([str(value).lower(), int(value)]))
    if isinstance(value, (int, float)):
        return draw(st.sampled_from([value + 0.5, value - 1, -value, 0, value / 3, str(value)]))
    if isinstance(value, str):
        i = draw(st.integers(0, len(value)))
        char = draw(st.sampled_from(SLIP_CHARS))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "upper", "append"]))
        if kind == "insert":
            return value[:i] + char + value[i:]
        if kind == "delete":
            return value[:i] + value[i + 1 :]
        if kind == "replace":
            return value[:i] + char + value[i + 1 :]
        return value.upper() if kind == "upper" else value + char
    if isinstance(value, list):
        if not value:
            return [draw(st.text(SLIP_CHARS, max_size=6))]
        items = list(value)
        i = draw(st.integers(0, len(items) - 1))
        items[i] = draw(slipped(items[i]))
        return items
    if isinstance(value, dict):
        if not value:
            return {draw(st.sampled_from(["", "aws:team", "k" * 129])): "x"}
        entries = dict(value)
        key = draw(st.sampled_from(sorted(entries)))
        if draw(st.booleans()):
            entries[draw(slipped(key))] = entries.pop(key)
        else:
            entries[key] = draw(slipped(entries[key]))
        return entries
    return value


@st.composite
def ruled_cases(draw) -> tuple[int, str, object]:
    """(which of BASES, a setting with a rule, a value for it: valid, slipped or junk)."""
    name = draw(st.sampled_from(RULED_KEYS))
    seed = SEEDS[name]
    value = draw(st.one_of(seed, seed.flatmap(slipped), seed.flatmap(slipped).flatmap(slipped), junk_values))
    return draw(st.integers(0, len(BASES) - 1)), name, value


def release_of(values: dict) -> ModuleRelease:
    return layouts.INFRA_RELEASES[normalize_constraint(values.get("wandb_infra_version", layouts.DEFAULT_INFRA_VERSION))].release


def own_rule(release: ModuleRelease, name: str, value: object) -> str | None:
    """What the setting's own rule says against `value`: its type, its check, the release declaring
    it (None: nothing; null is a question of whether the setting may be unset, not of its rule)."""
    if value is None:
        return None
    if name in APP_KEYS:
        tf_type, check = APP_KEYS[name].type, APP_KEYS[name].check
    elif not release.declares(name):
        return f"not declared by {release.label}"
    else:
        tf_type, check = release.variables[name].type, MODULE_INPUT_CHECKS.get(name)
    return type_error(value, tf_type) or (check(value) if check is not None else None)


@FUZZ_RULES
@given(case=ruled_cases())
@example(case=(0, "storage_noncurrent_version_days", 1.5))
@example(case=(0, "storage_noncurrent_version_days", True))
@example(case=(0, "namespace", "wandb\n"))
@example(case=(0, "allowed_inbound_cidr", ["10.0.0.0/255.0.0.0"]))
@example(case=(0, "storage_queue_name", "events.fifo"))
@example(case=(1, "size", "small"))  # 1.16.10 has no `size`
@example(case=(1, "wandb_image", ""))
@example(case=(0, "allowed_inbound_cidr", [None]))  # crashed the loader (null inside a list); found in CI
def test_a_value_its_rule_refuses_is_refused_naming_the_setting(case):
    base, name, value = case
    values = {**BASES[base], name: value}
    rule = own_rule(release_of(BASES[base]), name, value)
    try:
        parse_settings(values, "fuzz.tfvars")  # anything but a SettingsError fails the test
        refused = None
    except SettingsError as err:
        refused = err
    if rule is None:
        event("accepted by its rule: " + ("loaded" if refused is None else "refused for another reason"))
        return
    event("refused by its rule")
    assert refused is not None, f"{name} = {value!r} was accepted although its rule says: {rule}"
    if "wandb_infra_version" not in values and refused.setting == "wandb_infra_version":
        # A key of another layout in a file without wandb_infra_version: the one message says
        # which release to add (the guide's pre- and post-operator files).
        assert f"sets `{name}`" in refused.message, str(refused)
        return
    assert refused.setting == name, str(refused)
    if not rule.startswith("not declared by"):
        # The user reads the rule's sentence (for the license, without the value in it).
        masked = name in APP_KEYS and APP_KEYS[name].secret and refused.message == "the value is not valid"
        assert rule in refused.message or masked, str(refused)
