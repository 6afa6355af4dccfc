"""The plugin boundary: ``oat`` never knows about ``onpoint_ext``; the plugin only adds names."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OAT_FILES = sorted((REPO / "oat").rglob("*.py"))
OAT_CONFIGS = sorted((REPO / "configs" / "oat").glob("*.py"))

# One fresh process (imports persist in ``sys.modules``, so in-process checks would see whatever
# earlier tests imported). Part 1 builds the model of every config given on the command line and
# lists the plugin names MODELS then holds. Part 2 imports every module of oat, then of
# onpoint_ext (a name registered twice raises KeyError, whichever side comes second), and lists
# what each package registered in every oat registry node.
_PROBE = """
import importlib, json, pkgutil, sys
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
import oat.registry as reg

init_default_scope("oat")
for path in sys.argv[1:]:
    with torch.device("meta"):  # structure only: no weight memory, fast at paper size
        reg.MODELS.build(Config.fromfile(path).model)
built = dict(
    names=[k for k, c in reg.MODELS.module_dict.items() if c.__module__.startswith("onpoint_ext")],
    imported="onpoint_ext" in sys.modules,
)

def import_tree(package):
    pkg = importlib.import_module(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        importlib.import_module(info.name)

import_tree("oat")
import_tree("onpoint_ext")
registered = {}
for name in dir(reg):
    node = getattr(reg, name)
    if isinstance(node, type(reg.MODELS)):
        for key, cls in node.module_dict.items():
            package = cls.__module__.split(".")[0]
            registered.setdefault(package, []).append([name, key])
            if package == "onpoint_ext" and key in node.parent.module_dict:
                registered.setdefault("plugin_shadows_root", []).append([name, key])
print(json.dumps(dict(built=built, registered=registered)))
"""


@pytest.fixture(scope="module")
def probe() -> dict:
    """What the fresh process saw (see ``_PROBE``)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *map(str, OAT_CONFIGS)], cwd=REPO, capture_output=True,
        text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _imports_reaching(tree: ast.AST, packages: set[str]) -> list[str]:
    """Module names of ``import``/``from`` statements and ``import_module("...")`` /
    ``__import__("...")`` calls that reach one of the top-level ``packages``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(node.module or "")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", "")
            if function in ("import_module", "__import__"):
                found.append(str(node.args[0].value))
    return [name for name in found if name.split(".")[0] in packages]


def test_no_oat_module_imports_the_plugin():
    assert OAT_FILES, "oat/ has no python files"
    offenders = {
        str(path.relative_to(REPO)): imports
        for path in OAT_FILES
        if (imports := _imports_reaching(ast.parse(path.read_text(), filename=str(path)),
                                         {"onpoint_ext"}))
    }
    assert offenders == {}


def test_neither_library_nor_plugin_imports_the_developer_tools():
    """``tools/pipeline`` and ``tools/upstream`` (importable from ``tools/``) and the scripts of
    ``tools/`` and ``benchmarks/`` sit above both packages; nothing installed may need them."""
    developer_tools = {"pipeline", "upstream", "tools", "benchmarks"}
    files = OAT_FILES + sorted((REPO / "onpoint_ext").rglob("*.py"))
    offenders = {
        str(path.relative_to(REPO)): imports
        for path in files
        if (imports := _imports_reaching(ast.parse(path.read_text(), filename=str(path)),
                                         developer_tools))
    }
    assert offenders == {}


def test_no_oat_file_mentions_onpoint_even_in_comments():
    offenders = [
        str(path.relative_to(REPO))
        for path in OAT_FILES
        if "onpoint" in path.read_text().lower()
    ]
    assert offenders == []


def test_plugin_registers_only_new_names_that_shadow_nothing(probe):
    registered = probe["registered"]
    plugin = {tuple(entry) for entry in registered.get("onpoint_ext", [])}
    assert ("MODELS", "OnPointDistiller") in plugin and ("DATASETS", "WithTeacherTargets") in plugin
    assert not plugin & {tuple(entry) for entry in registered.get("oat", [])}
    assert registered.get("plugin_shadows_root", []) == []


def test_building_every_oat_config_registers_no_plugin_name(probe):
    if not OAT_CONFIGS:
        pytest.skip("configs/oat/ has no config yet")
    assert probe["built"] == dict(names=[], imported=False)
