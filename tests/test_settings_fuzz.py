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
  that setting's own rule refuses the value, `parse_settings` refuses the file naming that setting.
  The rules are written in this file (OWN_RULE, from the README and AWS's naming rules), not taken
  from the loader, so a wrong check in the loader cannot pass on both sides.
- `test_the_rules_at_their_edges`: the same rules at their edges as data, (setting, value,
  accepted?), checked both ways against the loader and against OWN_RULE.

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
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, run_main, to_hcl
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from release_catalog import layouts
from release_catalog.releases import STANDARD_SIZES
from settings import APP_KEYS, SettingsError, load_settings, parse_settings

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

# Settings with a rule of their own (OWN_RULE below): every key of the app's, and a few module inputs.
RULED_KEYS = sorted(
    set(APP_KEYS)
    | {"kubernetes_public_access_cidrs", "bucket_name", "size", "create_elasticache", "use_internal_queue", "deletion_protection"}
)

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
    "hcp_organization": st.sampled_from(["acme", "acme_ml-2"]),
    "hcp_hostname": st.sampled_from(["app.terraform.io", "tfe.example.com", "tfe.example.com:8443"]),
    "hcp_project": st.sampled_from(["wandb", "ML platform"]),
    "hcp_workspace_prefix": st.sampled_from(["", "wandb-", "team_a-"]),
    "hcp_workspace_tags": st.lists(st.sampled_from(["wandb", "env:prod", "team_ml"]), max_size=2, unique=True),
    "hcp_execution_mode": st.sampled_from(["remote", "local", "agent"]),
    "hcp_manage_workspaces": st.booleans(),
    "hcp_terraform_version": st.sampled_from(["1.11.4", "~> 1.11.0"]),
    "hcp_aws_run_role_policy_arns": st.lists(
        st.sampled_from(["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::123456789012:policy/wandb-deploy"]), max_size=2
    ),
    "hcp_aws_oidc_provider_arn": st.sampled_from(["arn:aws:iam::123456789012:oidc-provider/app.terraform.io"]),
    "hcp_agent_pool_id": st.sampled_from(["apool-ZjT6A7mVFm5WHT5a"]),
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


# --- the oracle: each setting's own rule, written here from the README and AWS's naming rules ----
#
# Independent of the loader: no table, check or type function of `settings` is used. Each entry
# says whether a (non-null) value passes its setting's own rule: its type, then its form. A rule
# the README leaves open is left out of the entry (accepted here), so the property asserts only
# refusals the README promises.

ASCII = re.ASCII


def is_str(value: object) -> bool:
    return isinstance(value, str)


def is_bool(value: object) -> bool:
    return isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def matches(pattern: str, flags: int = ASCII) -> Callable[[object], bool]:
    return lambda value: is_str(value) and re.fullmatch(pattern, value, flags) is not None


def list_of(item: Callable[[object], bool], non_empty: bool = False) -> Callable[[object], bool]:
    return lambda value: isinstance(value, list) and (bool(value) or not non_empty) and all(item(i) for i in value)


def dns_label(label: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", label, ASCII) is not None


def cidr_block(version: int | None) -> Callable[[object], bool]:
    """A CIDR block as AWS takes it: address/length (a decimal length, no netmask, no leading
    zero), no host bits, of the given IP version (None: either)."""

    def valid(value: object) -> bool:
        if not is_str(value) or "/" not in value or "%" in value:
            return False
        if not re.fullmatch(r"0|[1-9][0-9]{0,2}", value.rpartition("/")[2], ASCII):
            return False
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError:
            return False
        return version is None or network.version == version

    return valid


def s3_bucket(value: object) -> bool:
    """S3's naming rules: 3-63 lowercase letters, digits, dots and hyphens, starting and ending
    with a letter or digit, no "..", not an IP address, no reserved prefix or suffix."""
    if not is_str(value) or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", value, ASCII) or ".." in value:
        return False
    if value.startswith(("xn--", "sthree-", "amzn-s3-demo-")) or value.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")):
        return False
    return re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+", value) is None


def web_origin(value: object) -> bool:
    """scheme://host[:port], one `*` at most, no path; "*" alone is refused."""
    match = is_str(value) and re.fullmatch(r"(https?)://([a-z0-9*](?:[a-z0-9.*-]*[a-z0-9])?)(?::([0-9]{1,5}))?", value, re.I | ASCII)
    if not match:
        return False
    host, port = match.group(2), match.group(3)
    return value.count("*") <= 1 and ".." not in host and (port is None or 0 < int(port) < 65536)


def tags(value: object) -> bool:
    return isinstance(value, dict) and all(
        is_str(v) and 0 < len(k) <= 128 and not k.lower().startswith("aws:") and len(v) <= 256 for k, v in value.items()
    )


def whole_days(value: object) -> bool:
    return is_number(value) and value == int(value) and value >= 1


region = matches(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]")
text = matches(r".*\S.*", re.S)  # a string that is not blank

OWN_RULE: dict[str, Callable[[object], bool]] = {
    "namespace": lambda v: matches(r"[a-z](?:[a-z0-9]|-(?!-))*")(v) and not v.endswith("-") and len(v) <= 20,
    "license": text,
    "subdomain": lambda v: is_str(v) and all(dns_label(label) for label in v.split(".")),
    "domain_name": lambda v: is_str(v) and len(v) <= 253 and len(v.split(".")) >= 2 and all(dns_label(x) for x in v.split(".")),
    "zone_id": matches(r"Z[A-Z0-9]{1,31}"),
    "allowed_inbound_cidr": list_of(cidr_block(4)),
    "allowed_inbound_ipv6_cidr": list_of(cidr_block(6)),
    "kubernetes_public_access_cidrs": list_of(cidr_block(None)),
    "eks_cluster_version": matches(r"1\.[1-9][0-9]?"),
    "kubernetes_auth": lambda v: v in ("exec", "ephemeral", "token"),
    "region": region,
    "default_tags": tags,
    # The releases the README lists; `~>7.0` and `~> 7.0` are one constraint.
    "wandb_infra_version": matches(r"\s*(~>\s*7\.0|7\.18\.2|~>\s*8\.0|8\.0\.0|1\.16\.10|4\.7\.2)\s*", re.ASCII | re.S),
    "wandb_app_version": is_str,  # which releases: a rule across settings, not the value's own
    "wandb_version": text,
    "wandb_image": text,
    "state_bucket": s3_bucket,
    "state_key": lambda v: text(v) and not v.startswith("/") and not v.endswith("/"),
    "state_region": region,
    "state_lock_table": matches(r"[A-Za-z0-9_.-]{3,255}"),
    "state_role_arn": matches(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}"),
    "state_profile": matches(r"[A-Za-z0-9_.@+=,-]{1,128}"),
    "state_kms_key_id": matches(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]{1,128}|alias/[A-Za-z0-9/_-]{1,250})"),
    # HCP Terraform's own name rules (its documentation; settings/hcp_keys.py says which).
    "hcp_organization": matches(r"[A-Za-z0-9_-]+"),
    "hcp_hostname": lambda v: (
        matches(r"[a-z0-9.-]+(:[0-9]{1,5})?")(v)
        and len(v.split(":")[0].split(".")) >= 2
        and all(dns_label(label) for label in v.split(":")[0].split("."))
    ),
    "hcp_project": lambda v: matches(r"[A-Za-z0-9_ -]{3,40}")(v) and v == v.strip(),
    "hcp_workspace_prefix": matches(r"[A-Za-z0-9_-]*"),
    "hcp_workspace_tags": lambda v: (
        list_of(lambda t: matches(r"[a-z0-9]([a-z0-9:_-]*[a-z0-9])?")(t) and len(t) <= 255)(v) and len(set(v)) == len(v)
    ),
    "hcp_execution_mode": lambda v: v in ("remote", "local", "agent"),
    "hcp_manage_workspaces": is_bool,
    "hcp_terraform_version": matches(r"(~> ?)?[0-9]+\.[0-9]+\.[0-9]+"),
    "hcp_aws_run_role_policy_arns": list_of(matches(r"arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/[A-Za-z0-9+=,.@_/-]{1,512}")),
    "hcp_aws_oidc_provider_arn": matches(r"arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[a-z0-9.:/-]+"),
    "hcp_agent_pool_id": matches(r"apool-[A-Za-z0-9]{16}"),
    "storage_bucket_name": lambda v: s3_bucket(v) and "." not in v,
    "storage_queue_name": lambda v: matches(r"[A-Za-z0-9_-]{1,80}")(v),  # so never ".fifo"
    "storage_cors_origins": list_of(lambda o: web_origin(o) and o != "*", non_empty=True),
    "storage_node_role_name": lambda v: matches(r"[A-Za-z0-9_+=,.@-]{1,64}")(v) and not v.startswith("arn:"),
    "storage_noncurrent_version_days": whole_days,
    "storage_force_destroy": is_bool,
    "bucket_name": lambda v: v == "" or s3_bucket(v),
    "size": lambda v: v in ("small", "medium", "large", "xlarge", "xxlarge"),
    "create_elasticache": is_bool,
    "use_internal_queue": is_bool,
    "deletion_protection": is_bool,
}
# Which release each of BASES chooses (the module inputs a release declares are the catalog's).
BASE_RELEASES = ["~> 7.0", "1.16.10", "4.7.2"]
MODULE_INPUTS = ("kubernetes_public_access_cidrs", "bucket_name", "size", "create_elasticache", "use_internal_queue", "deletion_protection")


assert sorted(OWN_RULE) == RULED_KEYS, "every setting the property draws has its rule written here"


def refused_by_own_rule(base: int, name: str, value: object) -> str | None:
    """Why the setting's own rule refuses `value` ("not declared", "its rule"), or None (nothing;
    null is a question of whether the setting may be unset, not of its rule)."""
    if value is None:
        return None
    if name in MODULE_INPUTS and not layouts.INFRA_RELEASES[BASE_RELEASES[base]].release.declares(name):
        return "not declared"
    return None if OWN_RULE[name](value) else "its rule"


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
    rule = refused_by_own_rule(base, name, value)
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


# --- the same rules at their edges, as data: per setting, (values accepted, values refused) --------
# On the guide's settings (the recommended layout, 7.x); the state options with a state bucket, the
# pre-operator settings on the guide's pre-operator file.
EDGES: dict[str, tuple[list[object], list[object]]] = {
    "namespace": (["a" * 20], ["a" * 21, "wandb-", "wandb--x", "9wandb", "Wandb"]),
    "license": ([], [" "]),
    "subdomain": (["wandb-1"], ["-wandb", "a" * 64]),
    "domain_name": (["example.com"], ["example", "example.com."]),
    "zone_id": (["Z032246913CW32RVRY0WU"], ["Z032246913cw32", "z032246913CW32"]),
    "allowed_inbound_cidr": ([["10.0.0.0/8"]], [["10.0.0.1/8"], ["10.0.0.0/08"], ["10.0.0.0/255.0.0.0"], ["::/0"]]),
    "allowed_inbound_ipv6_cidr": ([["2001:db8::/32"]], [["10.0.0.0/8"]]),
    "eks_cluster_version": (["1.32"], ["1.32.1", "v1.32"]),
    "kubernetes_auth": (["token"], ["Token"]),
    "region": (["us-gov-west-1"], ["eu-central"]),
    "default_tags": ([{"team": "ml"}], [{"aws:team": "ml"}, {"k" * 129: "x"}, {"team": "x" * 257}]),
    "wandb_infra_version": (["~>7.0"], ["7.18.1"]),
    "state_key": (["a/b.tfstate"], ["/a/b.tfstate", "a/"]),
    "state_region": (["eu-west-1"], ["Frankfurt"]),
    "state_lock_table": (["tf.lock_table"], ["tf"]),
    "state_role_arn": (["arn:aws:iam::123456789012:role/terraform-state"], ["arn:aws:iam::12345678901:role/terraform-state"]),
    "state_profile": (["team-admin"], ["team admin"]),
    "state_kms_key_id": (["arn:aws:kms:eu-central-1:123456789012:alias/tf-state"], ["alias/tf-state"]),
    "state_bucket": (["my.state-bucket"], ["my..bucket", "192.168.1.1", "xn--bucket", "ab"]),
    "storage_bucket_name": (["my-files"], ["my.files"]),
    "storage_queue_name": (["events_1"], ["events.fifo", "e" * 81]),
    "storage_cors_origins": (
        [["https://*.example.com", "http://localhost:8080"]],
        [[], ["*"], ["https://example.com/"], ["http://localhost:65536"]],
    ),
    "storage_node_role_name": (["wandb-node-role"], ["arn:aws:iam::123456789012:role/x"]),
    "storage_noncurrent_version_days": ([1], [0, 1.5]),
    "storage_force_destroy": ([], ["true"]),
    "bucket_name": ([""], ["My-Bucket"]),
    "size": (["xxlarge"], ["huge"]),
    "create_elasticache": ([], ["false"]),
    "wandb_version": (["0.51.2"], [""]),
    "wandb_image": ([], [" "]),
    "hcp_organization": (["acme_ml-2"], ["acme ml", "acme.ml", ""]),
    "hcp_hostname": (["tfe.example.com:8443"], ["https://app.terraform.io", "localhost", "TFE.example.com", "tfe.example.com/"]),
    "hcp_project": (["ML platform", "abc", "p" * 40], ["ab", "p" * 41, " wandb", "wandb/ml"]),
    "hcp_workspace_prefix": (["", "wandb_"], ["wandb.", "wandb "]),
    "hcp_workspace_tags": ([["env:prod", "a"]], [["Env"], ["env:"], ["a", "a"], ["t" * 256]]),
    "hcp_execution_mode": (["agent"], ["Remote", "cli"]),
    "hcp_manage_workspaces": ([True], ["true"]),
    "hcp_terraform_version": (["~> 1.11.0"], ["1.11", "latest", "v1.11.4"]),
    "hcp_aws_run_role_policy_arns": (
        [["arn:aws:iam::123456789012:policy/path/wandb"]],
        [["arn:aws:iam::aws:role/PowerUserAccess"], ["PowerUserAccess"]],
    ),
    "hcp_aws_oidc_provider_arn": (["arn:aws:iam::123456789012:oidc-provider/app.terraform.io"], ["app.terraform.io"]),
    "hcp_agent_pool_id": (["apool-ZjT6A7mVFm5WHT5a"], ["apool-short", "pool-ZjT6A7mVFm5WHT5a"]),
}
EDGE_ROWS = [(name, value, True) for name, (ok, _) in EDGES.items() for value in ok]
EDGE_ROWS += [(name, value, False) for name, (_, refused) in EDGES.items() for value in refused]
ON_STATE = {"state_bucket": "acme-tf-state"}
# The HCP keys on settings that use HCP Terraform with stack hcp-workspaces (agent pools on agents).
ON_HCP = {
    "hcp_organization": "acme",
    "kubernetes_auth": "token",
    "hcp_manage_workspaces": True,
    "hcp_aws_run_role_policy_arns": ["arn:aws:iam::aws:policy/PowerUserAccess"],
}
ON_AGENTS = {**ON_HCP, "hcp_execution_mode": "agent"}


def edge_context(name: str) -> dict[str, object]:
    if name.startswith("state_"):
        return ON_STATE
    if name == "hcp_agent_pool_id":
        return ON_AGENTS
    if name == "hcp_execution_mode":
        return {**ON_HCP, "hcp_agent_pool_id": "apool-ZjT6A7mVFm5WHT5a"}
    return ON_HCP if name.startswith("hcp_") else {}


@pytest.mark.parametrize("name, value, accepted", EDGE_ROWS, ids=[f"{n}={v!r}"[:60] for n, v, _ in EDGE_ROWS])
def test_the_rules_at_their_edges(name, value, accepted):
    assert OWN_RULE[name](value) is accepted  # the oracle above agrees with the data
    base = 1 if name in ("wandb_version", "wandb_image") else 0
    values = {**BASES[base], **edge_context(name), name: value}
    try:
        parse_settings(values, "edge.tfvars")
    except SettingsError as err:
        assert not accepted and err.setting == name, str(err)
        return
    assert accepted, f"{name} = {value!r} was accepted"
