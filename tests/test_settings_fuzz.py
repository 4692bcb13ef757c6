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

from hypothesis import HealthCheck, assume, event, example, given, settings, strategies as st

from constructs_lib import module_releases as releases
from helpers import GUIDE_SETTINGS, SENTINEL_LICENSE, run_main, to_hcl
from settings import APP_KEYS, SettingsError, load_settings

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
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(string.ascii_letters + "_-", min_size=1, max_size=10), inner, max_size=4)),
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
    "wandb_infra_version": st.sampled_from([releases.RECOMMENDED, "~>7.0", releases.PRE_OPERATOR, releases.POST_OPERATOR, "8.0.0", "7.18.2"]),
    "wandb_version": st.sampled_from(["0.51.2", "0.52.0", ""]),
    "size": st.sampled_from([*releases.STANDARD_SIZES, "huge", ""]),
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
    {**{k: v for k, v in GUIDE_SETTINGS.items() if k != "eks_cluster_version"}, "wandb_infra_version": releases.PRE_OPERATOR, "wandb_version": "0.51.2"},
    {**GUIDE_SETTINGS, "wandb_infra_version": releases.POST_OPERATOR, "eks_cluster_version": "1.25", "size": "small",
     "enable_dummy_dns": True, "enable_operator_alb": True, "custom_domain_filter": "wandb.ml"},
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


HCL_FRAGMENTS = ["{", "}", "[", "]", '"', "=", "${", "}", "#", "//", "/*", "*/", "<<EOF\n", "\n", ",", "var.x", "null",
                 'module "m" {\n}\n', "\\", "é", "\u200b", "\ufeff", "0x1F", "1e400", "true", "namespace = \"dup\"\n"]


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
            text = text[:position] + text[position + draw(st.integers(1, 12)):]
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
    import main
    from cdktf import App

    from constructs_lib.rules import Level, run_rules
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

    # Loaded: the app must build and synthesize, as main.py does (rules first).
    app = App(outdir=str(outdir))
    build_app(app, loaded)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        passed = main.rules_pass(app, [str(outdir / "stacks"), str(outdir)])
    if not passed:
        errors = [f for f in run_rules(app) if f.level is Level.ERROR and f.suppressed is None]
        # The one rule a settings value can break: a module input that looks like a credential.
        assert errors and all(f.rule_id == "NO-SECRET-LITERALS" and "input `" in f.message for f in errors), stderr.getvalue()
        assert "Traceback" not in stderr.getvalue()
        assert not outdir.exists()
        event("stopped by a rule")
        return
    app.synth()
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
