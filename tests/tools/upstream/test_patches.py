"""patches/ and tools/make_patches.py: the series is current, applies in order, and the moved
OnPoint tests pass against the patched ``oat/`` with no ``onpoint_ext`` package at all; the
moving machinery itself on a tiny hand-made tree."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from upstream.package_move import Component, PluginMover
from upstream.patch_series import (
    PatchSeries,
    copy_files,
    install_patches,
    source_files,
    stale_patches,
)

REPO = Path(__file__).resolve().parents[3]
TOOL = REPO / "tools" / "make_patches.py"

# Runs pytest with onpoint_ext unimportable (and the editable install's finder removed, so
# ``oat`` can only come from PYTHONPATH, the patched copy).
BLOCKED_RUNNER = '''
import importlib.abc, sys
class NoPlugin(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "onpoint_ext":
            raise ModuleNotFoundError(f"{name}: the patched tree must not need the plugin")
sys.meta_path[:] = [NoPlugin()] + [f for f in sys.meta_path
                                   if not type(f).__module__.startswith("__editable__")]
import oat, pytest
assert oat.__file__.startswith(sys.argv[1]), oat.__file__
sys.exit(pytest.main(sys.argv[2:]))
'''


def load_tool():
    """tools/make_patches.py as a module."""
    spec = importlib.util.spec_from_file_location("make_patches_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh_series(tmp_path_factory) -> Path:
    """The series generated now from the working tree."""
    if not (REPO / "onpoint_ext").is_dir():
        pytest.skip("onpoint_ext/ is gone: the series has been applied to this tree")
    out = tmp_path_factory.mktemp("series")
    load_tool().generate(out)
    return out


def test_patches_folder_matches_a_fresh_generation(fresh_series):
    current = {p.name: p.read_bytes() for p in (REPO / "patches").glob("*.patch")}
    fresh = {p.name: p.read_bytes() for p in fresh_series.glob("*.patch")}
    stale = sorted(name for name in current.keys() | fresh.keys()
                   if current.get(name) != fresh.get(name))
    assert stale == [], "patches/ is stale: run python tools/make_patches.py"


def moved_tests(series: Path, tree: Path) -> list[str]:
    """Test files the series moves (or re-creates elsewhere), where they are once applied."""
    found = set()
    for patch in sorted(series.glob("*.patch")):
        text = patch.read_text()
        found.update(re.findall(r"^rename to (tests/\S*/test_\w+\.py)$", text, re.MULTILINE))
        found.update(re.findall(r"^diff --git a/\S+ b/(tests/\S*/test_\w+\.py)\nnew file mode",
                                text, re.MULTILINE))
    return sorted(path for path in found if (tree / path).is_file())


def test_series_applies_in_order_and_moved_tests_pass_without_the_plugin(fresh_series,
                                                                        tmp_path):
    copy = tmp_path / "tree"
    copy_files(REPO, source_files(REPO, excluded=("patches/",)), copy)
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)  # git apply works from here
    for patch in sorted(fresh_series.glob("*.patch")):
        for check in (["--check"], []):
            done = subprocess.run(["git", "apply", *check, str(patch)], cwd=copy,
                                  capture_output=True, text=True)
            assert done.returncode == 0, f"{patch.name}: {done.stderr}"
    assert (copy / "oat" / "models" / "distiller.py").is_file()
    assert not (copy / "tests" / "onpoint_ext" / "test_distiller.py").exists()
    for plugin_folder in ("onpoint_ext", "tests/onpoint_ext"):  # what stays needs the plugin
        shutil.rmtree(copy / plugin_folder, ignore_errors=True)
    tests = moved_tests(fresh_series, copy)
    assert "tests/oat/models/test_distiller.py" in tests
    runner = tmp_path / "run_without_plugin.py"
    runner.write_text(BLOCKED_RUNNER)
    done = subprocess.run(
        [sys.executable, str(runner), str(copy), "-q", "-p", "no:cacheprovider",
         "-k", "not runner and not learns", *tests],
        cwd=copy, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(copy), "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


# A tiny plugin "plug" with a hub re-exporting two registered heads, a module importing through
# the hub, a test, a config, and a hook package; host "host" with a registry and __all__.
TINY = {
    "host/__init__.py": '"""Host."""\n',
    "host/registry.py": (
        'MODELS = _node(root.MODELS, "host.models")\nHOOKS = _node(root.HOOKS)\n'),
    "host/models/__init__.py": (
        '"""Models."""\nfrom host.models.base import Base\n\n__all__ = ["Base"]\n'),
    "host/models/base.py": "class Base:\n    pass\n",
    "plug/__init__.py": '"""Plugin."""\nfrom plug import extras, heads, hooks  # noqa: F401\n',
    "plug/heads/__init__.py": (
        '"""Heads."""\nfrom plug.heads.first import FirstHead, first_target\n'
        'from plug.heads.second import SecondHead\n\n'
        '__all__ = ["FirstHead", "SecondHead", "first_target"]\n'),
    "plug/heads/first.py": (
        '"""See ``plug/heads/second.py``."""\nfrom host.registry import MODELS\n\n\n'
        "@MODELS.register_module()\nclass FirstHead:\n    pass\n\n\n"
        "def first_target():\n    return 1\n"),
    "plug/heads/second.py": (
        "from host.registry import MODELS\nfrom plug.heads.first import first_target\n\n\n"
        "@MODELS.register_module()\nclass SecondHead:\n    pass\n"),
    "plug/extras.py": (
        '"""Uses ``plug.heads.first``."""\nimport numpy as np\n\n'
        "from host.models.base import Base\n"
        "from plug.heads import FirstHead, SecondHead, first_target\n"),
    "plug/hooks/__init__.py": "from plug.hooks import warmup  # noqa: F401\n",
    "plug/hooks/warmup.py": (
        "from host.registry import HOOKS\n\n\n@HOOKS.register_module()\nclass Warmup:\n"
        "    pass\n"),
    "tests/plug/test_first.py": (
        "from pathlib import Path\n\nimport plug  # noqa: F401  (registers)\n"
        "from plug.heads import FirstHead\n\nROOT = Path(__file__).resolve().parents[2]\n"),
    "configs/first.py": (
        '_base_ = "./base.py"\n'
        'custom_imports = dict(imports=["plug"], allow_failed_imports=False)\n'
        'model = dict(type="FirstHead")\n'),
}
FIRST = Component("first", "Add FirstHead", "The first head.",
                  moves=(("plug/heads/first.py", "host/models/first_head.py"),
                         ("tests/plug/test_first.py", "tests/host/models/test_first_head.py")),
                  configs=("configs/*.py",))
SECOND = Component("second", "Add SecondHead", "The second head.",
                   moves=(("plug/heads/second.py", "host/models/second_head.py"),))
HOOKS = Component("hooks", "Add the hooks", "A hook package.",
                  moves=(("plug/hooks/", "host/hooks/"),))


@pytest.fixture
def tiny(tmp_path) -> PluginMover:
    """A mover over a fresh copy of TINY."""
    for path, text in TINY.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return PluginMover(tmp_path, "plug", "host")


def test_moved_module_is_registered_and_every_importer_follows_it(tiny):
    tiny.apply(FIRST)
    read = tiny.read
    assert not (tiny.root / "plug" / "heads" / "first.py").exists()
    assert read("host/models/__init__.py") == (
        '"""Models."""\nfrom host.models.base import Base\n'
        "from host.models.first_head import FirstHead, first_target\n\n"
        '__all__ = ["Base", "FirstHead", "first_target"]\n')
    assert read("plug/heads/__init__.py") == (
        '"""Heads."""\nfrom plug.heads.second import SecondHead\n\n__all__ = ["SecondHead"]\n')
    assert read("plug/heads/second.py").startswith(
        "from host.models.first_head import first_target\nfrom host.registry import MODELS\n")
    assert read("plug/extras.py") == (
        '"""Uses ``host.models.first_head``."""\nimport numpy as np\n\n'
        "from host.models.base import Base\n"
        "from host.models.first_head import FirstHead, first_target\n"
        "from plug.heads import SecondHead\n")
    assert read("host/models/first_head.py").startswith('"""See ``plug/heads/second.py``."""')
    assert read("tests/host/models/test_first_head.py") == (
        "from pathlib import Path\n\nfrom host.models.first_head import FirstHead\n\n"
        "ROOT = Path(__file__).resolve().parents[3]\n")
    assert read("configs/first.py") == '_base_ = "./base.py"\nmodel = dict(type="FirstHead")\n'


def test_emptied_hub_is_deleted_and_dropped_from_its_parent(tiny):
    tiny.apply(FIRST)
    tiny.apply(SECOND)
    assert not (tiny.root / "plug" / "heads").exists()
    assert tiny.read("plug/__init__.py") == (
        '"""Plugin."""\nfrom plug import extras, hooks  # noqa: F401\n')
    assert "from host.models.second_head import SecondHead\n" in tiny.read("plug/extras.py")


def test_moved_package_gets_a_registry_location_and_keeps_its_init(tiny):
    tiny.apply(HOOKS)
    assert tiny.read("host/registry.py").splitlines()[1] == (
        'HOOKS = _node(root.HOOKS, "host.hooks")')
    assert tiny.read("host/hooks/__init__.py") == "from host.hooks import warmup  # noqa: F401\n"
    assert "host.hooks.warmup" in tiny.imported_by("host.hooks")


def test_a_host_module_left_importing_the_plugin_is_an_error(tiny):
    with pytest.raises(ValueError, match="host/models/second_head.py: still imports "
                                         "plug.heads.first"):
        tiny.apply(SECOND)


def test_a_component_naming_a_missing_file_is_an_error(tiny):
    missing = Component("gone", "Add nothing", "", moves=(("plug/nope.py", "host/nope.py"),))
    with pytest.raises(FileNotFoundError, match="plug/nope.py not found"):
        tiny.apply(missing)


def test_series_is_byte_reproducible_with_zeroed_hashes(tmp_path):
    outputs = []
    for attempt in ("one", "two"):
        tree = tmp_path / attempt / "tree"
        for path, text in TINY.items():
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            (tree / path).write_text(text)
        series = PatchSeries(tree, "A U Thor", "a@example.org", "2026-01-01T00:00:00Z")
        mover = PluginMover(tree, "plug", "host")
        for component in (FIRST, SECOND):
            mover.apply(component)
            series.commit(f"{component.subject}\n\n{component.body}\n")
        patches = series.format_patches(tmp_path / attempt / "out", ["first", "second"])
        outputs.append([p.read_bytes() for p in patches])
        assert [p.name for p in patches] == ["0001-first.patch", "0002-second.patch"]
    assert outputs[0] == outputs[1]
    first = outputs[0][0].decode()
    assert first.startswith("From 0000000000000000000000000000000000000000 ")
    assert "Subject: [PATCH 1/2] Add FirstHead" in first
    assert "rename from plug/heads/first.py\nrename to host/models/first_head.py" in first


def test_stale_patches_names_changed_missing_and_extra_files_and_install_replaces_them(tmp_path):
    fresh, current = tmp_path / "fresh", tmp_path / "current"
    fresh.mkdir()
    current.mkdir()
    for name, text in (("0001-a.patch", "a"), ("0002-b.patch", "b"), ("0003-c.patch", "c")):
        (fresh / name).write_text(text)
    (current / "0001-a.patch").write_text("a")
    (current / "0002-b.patch").write_text("old b")
    (current / "0004-gone.patch").write_text("d")
    (current / "README.md").write_text("kept")
    assert stale_patches(fresh, current) == ["0002-b.patch", "0003-c.patch", "0004-gone.patch"]
    install_patches(fresh, current)
    assert stale_patches(fresh, current) == []
    assert sorted(p.name for p in current.iterdir()) == [
        "0001-a.patch", "0002-b.patch", "0003-c.patch", "README.md"]


def test_check_mode_exits_1_naming_the_stale_patch(monkeypatch, capsys):
    tool = load_tool()
    monkeypatch.setattr(tool, "check", lambda out: ["0002-anticipation-head.patch"])
    monkeypatch.setattr(sys, "argv", [str(TOOL), "--check"])
    with pytest.raises(SystemExit) as exit_info:
        tool.main()
    assert exit_info.value.code == 1
    error = capsys.readouterr().err
    assert "stale (0002-anticipation-head.patch)" in error and "make_patches.py" in error
