"""tools/diff_configs.py and upstream.config_diff on small configs written in tmp_path."""
import json
import re
import runpy
import sys
from pathlib import Path

import pytest

from upstream.config_diff import (
    diff_config_dicts,
    flatten,
    format_config_diff,
    load_config_dict,
)

TOOL = Path(__file__).resolve().parents[3] / "tools" / "diff_configs.py"

BASE = """
window = 8
model = dict(type="Detector", window=window, anchors=(2, 4), decoder=dict(type="Dec", layers=2),
             loss=dict(type="L1", weight=1.0))
custom_hooks = [dict(type="EMAHook", momentum=0.1)]
lr = 0.1
"""
# Wraps the model (one inner change), changes a list item and a value, adds a list item,
# and asks for a plugin that does not exist: diffing must not import it.
WRAPPED = """
_base_ = "./base.py"
custom_imports = dict(imports=["no_such_plugin_module"], allow_failed_imports=False)
_base_.model.decoder.type = "CalibratedDec"
model = dict(_delete_=True, type="Wrapper", student=_base_.model, head=dict(type="Head"))
custom_hooks = [dict(type="EMAHook", momentum=0.2), dict(type="Extra")]
lr = None
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    """Write a config file into tmp_path; its path."""
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture
def configs(tmp_path) -> tuple[str, str]:
    """(base config, wrapping child config)."""
    return write(tmp_path, "base.py", BASE), write(tmp_path, "wrapped.py", WRAPPED)


def test_flatten_uses_dotted_paths_and_indexes_only_lists_of_dicts():
    flat = flatten(dict(model=dict(anchors=(2, 4), head=dict(type="H")), hooks=[dict(type="E")]))
    assert flat == {("model", "anchors"): (2, 4), ("model", "head", "type"): "H",
                    ("hooks", 0, "type"): "E"}


def test_wrapped_model_is_one_move_plus_its_inner_change(configs):
    diff = diff_config_dicts(load_config_dict(configs[0]), load_config_dict(configs[1]))
    assert diff.moved == [(("model",), ("model", "student"))]
    assert diff.changed[("model", "student", "decoder", "type")] == ("Dec", "CalibratedDec")
    assert diff.added[("model", "type")] == "Wrapper"
    assert diff.added[("model", "head")] == {"type": "Head"}
    assert not any(path[:2] == ("model", "student") for path in diff.added)
    assert not any(path[:1] == ("model",) for path in diff.removed)


def test_list_items_compare_by_index_and_plain_values_whole(configs):
    diff = diff_config_dicts(load_config_dict(configs[0]), load_config_dict(configs[1]))
    assert diff.changed[("custom_hooks", 0, "momentum")] == (0.1, 0.2)
    assert diff.added[("custom_hooks", 1)] == {"type": "Extra"}
    assert diff.changed[("lr",)] == (0.1, None)
    assert diff.added[("custom_imports",)]["imports"] == ["no_such_plugin_module"]
    assert "no_such_plugin_module" not in sys.modules


def test_without_move_detection_a_wrap_lists_every_key_removed_and_added(configs):
    diff = diff_config_dicts(load_config_dict(configs[0]), load_config_dict(configs[1]),
                             detect_moves=False)
    assert diff.moved == []
    assert ("model", "window") in diff.removed and ("model", "student") in diff.added


def test_a_dict_that_merely_changes_in_place_is_not_a_move():
    old = dict(optim=dict(type="Adam", lr=1.0))
    new = dict(optim=dict(type="Adam", lr=2.0, extra=dict(type="Adam")))
    diff = diff_config_dicts(old, new)
    assert diff.moved == [] and diff.changed == {("optim", "lr"): (1.0, 2.0)}


def test_report_has_one_line_per_difference_and_expands_long_dicts():
    old = dict(a=1, gone=dict(x=1))
    new = dict(a=2, big=dict(first="x" * 60, second="y" * 60))
    report = format_config_diff(diff_config_dicts(old, new), "A.py", "B.py", width=100)
    assert report.splitlines() == [
        "A: A.py", "B: B.py", "~ a: 1 -> 2",
        f"+ big.first = '{'x' * 60}'", f"+ big.second = '{'y' * 60}'",
        "- gone = {'x': 1}", "1 added, 1 removed, 1 changed, 0 moved",
    ]
    assert format_config_diff(diff_config_dicts(old, old), "A", "A").endswith("no difference")


def run_tool(monkeypatch, *args: str) -> None:
    """Run tools/diff_configs.py in this process with ``args``."""
    monkeypatch.setattr(sys, "argv", [str(TOOL), *args])
    runpy.run_path(str(TOOL), run_name="__main__")


def test_cli_prints_the_report_and_json(configs, monkeypatch, capsys):
    run_tool(monkeypatch, *configs)
    printed = capsys.readouterr().out
    assert "> model -> model.student" in printed
    assert "~ model.student.decoder.type: 'Dec' -> 'CalibratedDec'" in printed
    run_tool(monkeypatch, *configs, "--json")
    document = json.loads(capsys.readouterr().out)
    assert document["moved"] == [dict(source="model", target="model.student")]
    assert document["changed"]["custom_hooks.0.momentum"] == dict(old=0.1, new=0.2)
    assert "model.student" not in document["added"]
    assert document["added"]["model.head"] == {"type": "Head"}


def test_cli_reports_a_missing_config_in_one_line_and_exits_1(configs, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_tool(monkeypatch, configs[0], "missing.py")
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip() == "error: config not found: missing.py"


def test_readme_snippet_resolves_to_the_onpoint_benchmark_config(tmp_path):
    repo = TOOL.parents[1]
    snippet = re.search(r"```python\n(.*?)```", (repo / "README.md").read_text(),
                        flags=re.DOTALL).group(1)
    base = repo / "configs" / "oat" / "oat_bench-thumos14-mini.py"
    snippet = snippet.replace('"../oat/oat_bench-thumos14-mini.py"', f'"{base}"')
    diff = diff_config_dicts(
        load_config_dict(str(repo / "configs" / "onpoint" / "onpoint_bench-thumos14-mini.py")),
        load_config_dict(write(tmp_path, "snippet.py", snippet)))
    assert (diff.added, diff.changed, diff.moved) == ({}, {}, [])
    # only the config's own named variables are absent from the snippet
    assert set(diff.removed) <= {("horizon",), ("teacher_cache",), ("points_file",)}
