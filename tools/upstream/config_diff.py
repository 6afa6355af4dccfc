"""What changed between two configs, key by key: the logic behind ``tools/diff_configs.py``.

Both configs are read with ``mmengine.Config.fromfile`` (``_base_`` files and ``{{$ENV:default}}``
resolved; ``custom_imports`` are NOT imported, so a plugin config diffs without its plugin) and
compared as trees of dotted keys (``model.decoder.type``). Lists of dicts are compared index by
index (``custom_hooks.0.type``); lists of plain values are one value (``anchors``).

A dict that a config wraps inside a new dict of the same place (``model`` -> ``model.student``,
``train_dataloader.dataset`` -> ``train_dataloader.dataset.dataset``) is reported as MOVED, and
only its differences under the new key are listed; without that, wrapping a model would list
every one of its keys twice (removed, then added).
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mmengine.config import Config

KeyPath = tuple  # one config key per level: str for dict keys, int for list indices
MOVE_MIN_SIMILARITY = 0.5  # [our choice] share of a dict's leaves that must survive a wrap


@dataclass
class ConfigDiff:
    """Differences from config A to config B; paths are B's, except for ``removed``."""

    added: dict[KeyPath, Any] = field(default_factory=dict)  # in B only (top-most key)
    removed: dict[KeyPath, Any] = field(default_factory=dict)  # in A only (top-most key)
    changed: dict[KeyPath, tuple[Any, Any]] = field(default_factory=dict)  # (A value, B value)
    moved: list[tuple[KeyPath, KeyPath]] = field(default_factory=list)  # (path in A, path in B)

    def counts(self) -> str:
        """``"3 added, 0 removed, 2 changed, 1 moved"``."""
        return (f"{len(self.added)} added, {len(self.removed)} removed, "
                f"{len(self.changed)} changed, {len(self.moved)} moved")


def load_config_dict(path: str) -> dict:
    """The resolved config at ``path`` as plain dicts, without importing ``custom_imports``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"config not found: {path}")
    try:
        cfg = Config.fromfile(path, import_custom_modules=False, format_python_code=False)
    except (SyntaxError, TypeError, AttributeError, ImportError) as err:
        raise ValueError(f"{path}: cannot read the config: {err}") from err
    return cfg.to_dict()


def dotted(path: KeyPath) -> str:
    """``("model", "encoder", "type")`` -> ``"model.encoder.type"``."""
    return ".".join(str(key) for key in path)


def _is_dict_list(value: Any) -> bool:
    """A list or tuple holding at least one dict: compared index by index."""
    return isinstance(value, (list, tuple)) and any(isinstance(item, dict) for item in value)


def _children(value: Any) -> dict | None:
    """Sub-keys of a tree node (dict keys or list indices), or None for a leaf."""
    if isinstance(value, dict) and value:
        return dict(value)
    if _is_dict_list(value):
        return dict(enumerate(value))
    return None


def flatten(value: Any, prefix: KeyPath = ()) -> dict[KeyPath, Any]:
    """Every leaf of a config tree by its path (empty dicts and plain lists are leaves)."""
    children = _children(value)
    if children is None:
        return {prefix: value}
    flat = {}
    for key, child in children.items():
        flat.update(flatten(child, prefix + (key,)))
    return flat


def similarity(old: dict, new: dict) -> float:
    """Share of the leaves of ``old`` found, equal, at the same relative path in ``new``."""
    old_leaves, new_leaves = flatten(old), flatten(new)
    same = sum(1 for path, value in old_leaves.items() if path in new_leaves
               and new_leaves[path] == value)
    return same / max(1, len(old_leaves))


def _wrapping_key(old: dict, new: dict) -> Any | None:
    """The key of ``new`` holding ``old`` wrapped (new key, dict, more alike than in place)."""
    best_key, best_score = None, max(similarity(old, new), MOVE_MIN_SIMILARITY - 1e-12)
    for key, child in new.items():
        if key not in old and isinstance(child, dict):
            score = similarity(old, child)
            if score > best_score:
                best_key, best_score = key, score
    return best_key


def _compare(old: Any, new: Any, path_a: KeyPath, path_b: KeyPath, diff: ConfigDiff,
             detect_moves: bool) -> None:
    """Add the differences between the subtrees ``old`` (A at path_a) and ``new`` (B at path_b)."""
    if isinstance(old, dict) and isinstance(new, dict):
        wrap = _wrapping_key(old, new) if detect_moves and old else None
        if wrap is not None:
            diff.moved.append((path_a, path_b + (wrap,)))
            _compare(old, new[wrap], path_a, path_b + (wrap,), diff, detect_moves)
            diff.added.update({path_b + (key,): value for key, value in new.items()
                               if key != wrap})
            return
        for key, value in old.items():
            if key in new:
                _compare(value, new[key], path_a + (key,), path_b + (key,), diff, detect_moves)
            else:
                diff.removed[path_a + (key,)] = value
        diff.added.update({path_b + (key,): value for key, value in new.items()
                           if key not in old})
        return
    if _is_dict_list(old) and _is_dict_list(new):
        for index in range(max(len(old), len(new))):
            if index >= len(new):
                diff.removed[path_a + (index,)] = old[index]
            elif index >= len(old):
                diff.added[path_b + (index,)] = new[index]
            else:
                _compare(old[index], new[index], path_a + (index,), path_b + (index,), diff,
                         detect_moves)
        return
    if type(old) is not type(new) or old != new:
        diff.changed[path_b] = (old, new)


def diff_config_dicts(old: Mapping, new: Mapping, detect_moves: bool = True) -> ConfigDiff:
    """Differences from config dict ``old`` (A) to ``new`` (B); see the module docstring."""
    diff = ConfigDiff()
    _compare(dict(old), dict(new), (), (), diff, detect_moves)
    return diff


def _entry_lines(sign: str, path: KeyPath, value: Any, width: int) -> list[str]:
    """``+ path = value`` on one line when it fits in ``width``, else one line per sub-key."""
    line = f"{sign} {dotted(path)} = {repr(value)}"
    children = _children(value)
    if len(line) <= width or children is None:
        return [line]
    lines = []
    for key, child in children.items():
        lines += _entry_lines(sign, path + (key,), child, width)
    return lines


def format_config_diff(diff: ConfigDiff, name_a: str, name_b: str, width: int = 100) -> str:
    """Text report: moved (``>``), changed (``~``), added (``+``), removed (``-``), counts."""
    lines = [f"A: {name_a}", f"B: {name_b}"]
    lines += [f"> {dotted(src)} -> {dotted(dst)}  (moved: A's keys now live here)"
              for src, dst in diff.moved]
    lines += [f"~ {dotted(path)}: {repr(old)} -> {repr(new)}"
              for path, (old, new) in diff.changed.items()]
    for path, value in diff.added.items():
        lines += _entry_lines("+", path, value, width)
    for path, value in diff.removed.items():
        lines += _entry_lines("-", path, value, width)
    lines.append(diff.counts() if (diff.added or diff.removed or diff.changed or diff.moved)
                 else "no difference")
    return "\n".join(lines)


def _json_value(value: Any) -> Any:
    """A config value as json (tuples as lists, other objects by their repr)."""
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def config_diff_as_json(diff: ConfigDiff, name_a: str, name_b: str) -> str:
    """Machine-readable form of a diff: dotted keys, json values."""
    document = dict(
        a=name_a,
        b=name_b,
        moved=[dict(source=dotted(src), target=dotted(dst)) for src, dst in diff.moved],
        changed={dotted(p): dict(old=_json_value(o), new=_json_value(n))
                 for p, (o, n) in diff.changed.items()},
        added={dotted(path): _json_value(value) for path, value in diff.added.items()},
        removed={dotted(path): _json_value(value) for path, value in diff.removed.items()},
    )
    return json.dumps(document, indent=2)
