"""fast_imports: the whole app synthesizes to the same bytes with the speed-up on and off, and
the installed bindings still look the way the speed-up relies on (fast_imports/__init__.py)."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import GUIDE_SETTINGS, PROJECT_ROOT, run_main, write_settings

import fast_imports

ON = {fast_imports.ENV_SWITCH: "1"}
OFF = {fast_imports.ENV_SWITCH: "0"}


# Annotations (warnings) in manifest.json carry stack traces unless the app turns them off
# (cdktf's default is on); their paths name the jsii kernel's temporary folders, which differ
# between any two runs, with or without the speed-up.
RUN_TEMP_DIR = re.compile(rb"/(jsii-kernel-[A-Za-z0-9]{6}|tmp[a-z0-9_]{8})/")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def without_run_temp_dirs(content: bytes) -> bytes:
    return RUN_TEMP_DIR.sub(b"/<run temp dir>/", content)


def test_whole_app_synthesizes_identically_on_and_off(tmp_path):
    """Every stack stacks.build_app registers (whatever they are today): each stack's
    cdk.tf.json byte for byte, the rest byte for byte but for per-run temporary folder names."""
    settings_file = write_settings(tmp_path, GUIDE_SETTINGS)
    outputs = {}
    for label, env in (("on", ON), ("off", OFF)):
        result = run_main(settings_file, tmp_path / label, extra_env=env)
        assert result.returncode == 0, result.stderr
        assert "fast_imports:" not in result.stderr  # no fallback to the plain import
        outputs[label] = tree(tmp_path / label)

    manifest = json.loads(outputs["on"]["manifest.json"])
    stacks = sorted(manifest["stacks"])
    assert stacks and all(f"stacks/{name}/cdk.tf.json" in outputs["on"] for name in stacks)
    assert sorted(outputs["on"]) == sorted(outputs["off"])
    for name in outputs["on"]:
        on, off = outputs["on"][name], outputs["off"][name]
        if name.endswith("cdk.tf.json"):
            assert on == off, f"{name} differs with the speed-up on and off"
        else:
            assert without_run_temp_dirs(on) == without_run_temp_dirs(off), f"{name} differs with the speed-up on and off"


def test_jsii_still_writes_its_type_index_although_the_synth_exits_early(tmp_path):
    """jsii indexes a big assembly in its package cache in a background worker the first time;
    the Node.js hook runs that worker in a detached process so a fast synth does not kill it."""
    cache = tmp_path / "jsii-package-cache"
    settings_file = write_settings(tmp_path, GUIDE_SETTINGS)
    result = run_main(settings_file, tmp_path / "out", extra_env={**ON, "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(cache)})
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + 120
    while not list(cache.glob("@cdktf/provider-aws/*/*/.jsii.runtime.v1.json")):
        assert time.monotonic() < deadline, "jsii never wrote the runtime index of @cdktf/provider-aws"
        time.sleep(0.5)


def _installed_bindings() -> list[Path]:
    found = {}
    for entry in sys.path:
        folder = Path(entry or ".")
        if folder.is_dir():
            for package in folder.glob(f"{fast_imports.PACKAGE_PREFIX}*/__init__.py"):
                found.setdefault(package.parent.name, package.parent)
    return sorted(found.values())


BINDINGS = _installed_bindings()


def test_the_app_uses_bindings_the_speed_up_covers():
    assert {p.name for p in BINDINGS} >= {
        "cdktf_cdktf_provider_aws",
        "cdktf_cdktf_provider_kubernetes",
        "cdktf_cdktf_provider_helm",
    }


@pytest.mark.parametrize("package", BINDINGS, ids=[p.name for p in BINDINGS])
def test_binding_layout_is_what_the_speed_up_relies_on(package):
    """The root ends in plain submodule imports after the marker, and every submodule's jsii
    name is the camelCase of its Python name (so on-demand type registration finds it)."""
    split = fast_imports.lazy_root_source((package / "__init__.py").read_text(encoding="utf-8"))
    assert split is not None
    _, submodules = split
    assert submodules
    assembly = re.search(r'JSIIAssembly\.load\(\s*"([^"]+)"', (package / "_jsii" / "__init__.py").read_text()).group(1)
    for name in submodules:
        source = package / name / "__init__.py"
        with source.open(encoding="utf-8") as handle:
            match = None
            while match is None:
                chunk = handle.read(65536)
                assert chunk, f"{source} declares no jsii type"
                match = re.search(r'jsii_type="([^"]+)"', chunk)
        assert match.group(1).startswith(f"{assembly}.{fast_imports.jsii_submodule_name(name)}."), (name, match.group(1))


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **env}
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=full_env, capture_output=True, text=True, timeout=300)


def test_imports_only_what_is_used_and_the_rest_on_demand():
    code = """
import sys
import fast_imports
assert fast_imports.install()
from cdktf_cdktf_provider_helm.provider import HelmProvider
import cdktf_cdktf_provider_helm as helm
from jsii import _reference_map
assert "cdktf_cdktf_provider_helm.release" not in sys.modules
assert _reference_map._submodule_fqn_map["@cdktf/provider-helm.release"] == "cdktf_cdktf_provider_helm.release"
# what the jsii runtime does when the kernel returns an object of a type nobody imported yet
assert _reference_map._try_import_type_module("@cdktf/provider-helm.release.Release")
assert "@cdktf/provider-helm.release.Release" in _reference_map._types
# attribute access on the root imports the submodule, as the plain root would have it
assert helm.data_helm_template.DataHelmTemplate.__jsii_type__ == "@cdktf/provider-helm.dataHelmTemplate.DataHelmTemplate"
assert "release" in helm.__all__ and "release" in dir(helm)
import inspect
assert "Loading modules to ensure" in inspect.getsource(helm)  # the package's own loader still serves its source
print("ok")
"""
    result = _python(code, ON)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert "fast_imports:" not in result.stderr


def test_switch_turns_it_off_also_for_an_inherited_node_hook():
    code = (
        "import os, fast_imports; "
        "print(fast_imports.install(), fast_imports.is_installed(), 'lazy_provider_index' in os.environ.get('NODE_OPTIONS', ''))"
    )
    on = _python(code, ON)
    assert on.stdout.split() == ["True", "True", "True"], on.stderr
    inherited = {"NODE_OPTIONS": f"--max-old-space-size=2048 {fast_imports._NODE_HOOK_OPTION}"}
    for value in ("0", "false", "off"):
        off = _python(code, {**inherited, fast_imports.ENV_SWITCH: value})
        assert off.stdout.split() == ["False", "False", "False"], off.stderr
    kept = _python("import os, fast_imports; fast_imports.install(); print(os.environ['NODE_OPTIONS'])", {**inherited, **OFF})
    assert kept.stdout.strip() == "--max-old-space-size=2048"


def test_unexpected_layout_falls_back_to_the_plain_import(tmp_path, monkeypatch, capsys):
    package = tmp_path / f"{fast_imports.PACKAGE_PREFIX}zz_not_jsii"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 42\nfrom . import sub\n")
    (package / "sub.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert fast_imports._LazyBindingsFinder().find_spec(package.name) is None  # leaves it to the plain import
    assert f"importing {package.name} the plain way" in capsys.readouterr().err
    try:
        module = importlib.import_module(package.name)
        assert module.VALUE == 42 and module.sub.X == 1
    finally:
        for name in [n for n in sys.modules if n.startswith(package.name)]:
            del sys.modules[name]


def test_lazy_root_source_accepts_only_the_generated_shape():
    head = "import jsii\nfrom ._jsii import *\n__all__ = ['a']\npublication.publish()\n\n"
    marker = fast_imports.SUBMODULE_IMPORTS_MARKER
    assert fast_imports.lazy_root_source(f"{head}{marker}\nfrom . import a\nfrom . import b_c\n") == (head, ["a", "b_c"])
    assert fast_imports.lazy_root_source(f"{head}{marker}\nfrom . import a\nprint('side effect')\n") is None
    assert fast_imports.lazy_root_source(f"{head}from . import a\n") is None
    assert fast_imports.lazy_root_source(f"import jsii\n{marker}\nfrom . import a\n") is None
    assert fast_imports.jsii_submodule_name("data_aws_eks_cluster") == "dataAwsEksCluster"
    assert fast_imports.jsii_submodule_name("wafv2_web_acl") == "wafv2WebAcl"
    assert fast_imports.jsii_submodule_name("provider") == "provider"


# The Node.js side of the probe below: in each process of the jsii kernel (jsii-runtime starts the
# kernel as a child process; both see JSII_AGENT), at exit, the files of the aws provider's npm
# package that the process loaded.
_NODE_PROBE = """\
if (process.env.JSII_AGENT) {
  process.on("exit", () => {
    const loaded = Object.keys(require.cache).filter((f) => /[\\\\/]@cdktf[\\\\/]provider-aws[\\\\/]lib[\\\\/]/.test(f));
    const out = require("path").join(process.env.WANDB_TEST_NODE_PROBE_DIR, `${process.pid}.json`);
    require("fs").writeFileSync(out, JSON.stringify(loaded));
  });
}
"""


def test_a_plain_run_of_main_py_has_the_speed_up_on(tmp_path, monkeypatch):
    """`python main.py` with no WANDB_CDKTF_FAST_IMPORTS (what `cdktf synth` runs) loads only the
    provider submodules the app uses, on both sides of the jsii bridge. Not timed: counted. Python
    reports every import it makes (PYTHONPROFILEIMPORTTIME, on stderr); a Node.js `--require` probe
    lists the aws package files the jsii kernel loaded. Plain imports load all ~2,200 of each."""
    monkeypatch.delenv(fast_imports.ENV_SWITCH, raising=False)
    # This pytest process installed the speed-up (conftest.py), which put the Node.js hook in
    # NODE_OPTIONS; main.py must add it itself.
    probe, probe_out = tmp_path / "probe.cjs", tmp_path / "node-loaded"
    probe_out.mkdir()
    probe.write_text(_NODE_PROBE)
    inherited = " ".join(os.environ.get("NODE_OPTIONS", "").replace(fast_imports._NODE_HOOK_OPTION, " ").split())
    monkeypatch.setenv("NODE_OPTIONS", f"{inherited} --require {json.dumps(str(probe))}".strip())
    settings_file = write_settings(tmp_path, GUIDE_SETTINGS)

    probes = {"PYTHONPROFILEIMPORTTIME": "1", "WANDB_TEST_NODE_PROBE_DIR": str(probe_out)}
    result = run_main(settings_file, tmp_path / "out", extra_env=probes)

    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "out" / "stacks" / "wandb" / "cdk.tf.json").is_file()
    assert "fast_imports:" not in result.stderr  # no fallback to the plain import
    aws = next(p for p in BINDINGS if p.name == "cdktf_cdktf_provider_aws")
    split = fast_imports.lazy_root_source((aws / "__init__.py").read_text(encoding="utf-8"))
    assert split is not None
    every_submodule = set(split[1])
    assert len(every_submodule) > 1000

    # Python: `import time: self | cumulative | name` (indented by depth) for each module imported.
    imported = {line.rpartition("|")[2].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    aws_submodules = {name.split(".")[1] for name in imported if name.startswith("cdktf_cdktf_provider_aws.")} & every_submodule
    assert "provider" in aws_submodules  # the probe sees the binding in use
    python_count = len(aws_submodules)
    assert python_count < len(every_submodule) // 20, f"{python_count} aws submodules imported: the speed-up is off"

    # Node.js: the kernel loaded the package's lazy-index.js, not index.js, and a few submodules.
    node_loaded = [Path(f) for report in probe_out.glob("*.json") for f in json.loads(report.read_text())]
    assert any(f.name == "lazy-index.js" for f in node_loaded), "the jsii kernel ran without the lazy_provider_index hook"
    assert not any(f.name == "index.js" and f.parent.name == "lib" for f in node_loaded)
    node_count = len(node_loaded)
    assert node_count < len(every_submodule) // 20, f"{node_count} aws provider files loaded by the jsii kernel"
