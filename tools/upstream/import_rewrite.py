"""Rewrite the import statements of Python source text, keeping isort/black layout.

Used by :mod:`upstream.package_move` to move modules between packages: every ``import`` /
``from ... import`` statement is offered to a resolver that keeps it, drops it or replaces it by
other statements. A block of top-level imports with a rewritten statement is re-sorted the way
isort (profile black) orders it: ``import x`` lines first, then ``from x import`` lines by
module, names ordered CONSTANTS, Classes, functions; statements of one module are merged, and a
statement longer than 100 columns is wrapped one name per line. Unchanged statements keep their
text, comments included.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

LINE_WIDTH = 100


class Statement(NamedTuple):
    """``import module [as alias]`` (``names`` None) or ``from module import names``."""

    module: str
    names: tuple[tuple[str, str | None], ...] | None = None  # (name, alias or None)
    alias: str | None = None


Resolver = Callable[[Statement], "list[Statement] | None"]  # None keeps, [] drops


def module_of(path: str) -> str:
    """Dotted module of a repository path: ``a/b/c.py`` -> ``a.b.c``; ``a/b/__init__.py``,
    ``a/b/`` -> ``a.b``."""
    parts = path[:-3].split("/") if path.endswith(".py") else path.rstrip("/").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def statements_of(node: ast.stmt) -> list[Statement]:
    """The statements an ``ast.Import`` / absolute ``ast.ImportFrom`` node makes."""
    if isinstance(node, ast.Import):
        return [Statement(alias.name, None, alias.asname) for alias in node.names]
    return [Statement(node.module, tuple((a.name, a.asname) for a in node.names))]


def _name_key(name: tuple[str, str | None]) -> tuple:
    """isort's ``order_by_type``: CONSTANTS, then Classes, then functions; case-insensitive."""
    text = name[0]
    kind = 0 if text.isupper() and len(text) > 1 else 1 if text[:1].isupper() else 2
    return kind, text.lower(), text


def _statement_key(statement: Statement) -> tuple:
    """isort (profile black) order in a section: ``import x`` first, then by module."""
    return statement.names is not None, statement.module.lower(), statement.module


def render(statement: Statement, indent: str = "", comment: str | None = None) -> list[str]:
    """Source lines of a statement; wrapped one name per line when over the line width."""
    if statement.names is None:
        alias = f" as {statement.alias}" if statement.alias else ""
        return [f"{indent}import {statement.module}{alias}" + (f"  {comment}" if comment else "")]
    names = sorted(dict.fromkeys(statement.names), key=_name_key)
    texts = [name if alias is None else f"{name} as {alias}" for name, alias in names]
    line = f"{indent}from {statement.module} import {', '.join(texts)}"
    line += f"  {comment}" if comment else ""
    if len(line) <= LINE_WIDTH:
        return [line]
    opening = f"{indent}from {statement.module} import (" + (f"  {comment}" if comment else "")
    return [opening] + [f"{indent}    {text}," for text in texts] + [f"{indent})"]


Commented = tuple[Statement, "str | None"]  # a statement and its trailing comment


def _merge(statements: Iterable[Commented]) -> list[Commented]:
    """One ``from`` statement per module (names united, first comment kept); plain imports kept."""
    merged: dict[tuple, Commented] = {}
    for statement, comment in statements:
        key = (statement.module, "from" if statement.names is not None else statement.alias)
        if key in merged and statement.names is not None:
            first, first_comment = merged[key]
            statement = statement._replace(names=first.names + statement.names)
            comment = first_comment or comment
        merged[key] = (statement, comment)
    return list(merged.values())


def _trailing_comment(line: str) -> str | None:
    """The ``# ...`` comment at the end of a one-line statement, if any."""
    match = re.search(r"\s#.*$", line)
    return match.group(0).strip() if match else None


def _import_blocks(tree: ast.Module) -> list[list[ast.stmt]]:
    """Runs of top-level import statements on consecutive lines (no blank line between)."""
    blocks: list[list[ast.stmt]] = []
    for node in tree.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if blocks and blocks[-1][-1].end_lineno + 1 == node.lineno:
            blocks[-1].append(node)
        else:
            blocks.append([node])
    return blocks


def _is_absolute(node: ast.stmt) -> bool:
    """An import node whose statements a resolver may see (relative imports are left alone)."""
    return isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.level == 0)


def rewrite_imports(text: str, resolve: Resolver, path: str = "<source>") -> str:
    """``text`` with every absolute import offered to ``resolve`` (see the module docstring)."""
    tree = ast.parse(text, filename=path)
    lines = text.split("\n")
    replacement: dict[ast.stmt, list[Statement]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _is_absolute(node):
            statements, changed = [], False
            for statement in statements_of(node):
                resolved = resolve(statement)
                changed |= resolved is not None
                statements += [statement] if resolved is None else resolved
            if changed:
                replacement[node] = statements
    if not replacement:
        return text
    edits: list[tuple[int, int, list[str]]] = []  # (first line, last line) 1-based, new lines
    in_blocks = set()
    for block in _import_blocks(tree):
        if any(node in replacement for node in block):
            in_blocks.update(block)
            edits.append((block[0].lineno, block[-1].end_lineno,
                          _rebuilt_block(block, replacement, lines)))
    for node, statements in replacement.items():
        if node not in in_blocks:
            new_lines = [line for statement, note in _merge(_with_comment(node, statements, lines))
                         for line in render(statement, " " * node.col_offset, note)]
            edits.append((node.lineno, node.end_lineno, new_lines))
    return _apply_line_edits(lines, edits)


def _with_comment(node: ast.stmt, statements: list[Statement],
                  lines: list[str]) -> list[Commented]:
    """The node's trailing comment goes to its replacement of the same module (or the only one)."""
    comment = _trailing_comment(lines[node.lineno - 1])
    same = [s for s in statements if s.module in {o.module for o in statements_of(node)}]
    owner = same[0] if same else statements[0] if len(statements) == 1 else None
    return [(statement, comment if statement is owner else None) for statement in statements]


def _rebuilt_block(block: list[ast.stmt], replacement: dict, lines: list[str]) -> list[str]:
    """New lines of an import block: rewritten statements rendered, all sorted and merged."""
    rebuilt: list[Commented] = []
    kept = []
    for node in block:
        if node in replacement:
            rebuilt += _with_comment(node, replacement[node], lines)
        else:
            kept.append(node)
    # an untouched statement keeps its text unless a rewritten one of its module merges into it
    new_modules = {statement.module for statement, _ in rebuilt if statement.names is not None}
    merged_away = [n for n in kept if isinstance(n, ast.ImportFrom) and n.module in new_modules]
    rebuilt += [(statement, _trailing_comment(lines[n.lineno - 1]))
                for n in merged_away for statement in statements_of(n)]
    entries = [(_statement_key(statement), render(statement, comment=comment))
               for statement, comment in _merge(rebuilt)]
    entries += [(_statement_key(statements_of(n)[0]), lines[n.lineno - 1:n.end_lineno])
                for n in kept if n not in merged_away]
    return [line for _, text_lines in sorted(entries, key=lambda entry: entry[0])
            for line in text_lines]


def _apply_line_edits(lines: list[str], edits: Sequence[tuple[int, int, list[str]]]) -> str:
    """Replace line ranges (bottom-up); a removed block takes one surrounding blank line along."""
    for first, last, new_lines in sorted(edits, key=lambda edit: edit[0], reverse=True):
        if not new_lines and last < len(lines) and not lines[last].strip() and (
                first == 1 or not lines[first - 2].strip()):
            last += 1  # keep a single blank line where a whole import section disappeared
        lines[first - 1:last] = new_lines
    return "\n".join(lines)


def replace_mentions(text: str, renames: dict[str, str]) -> str:
    """Replace dotted module names and ``a/b/c.py`` paths (keys of ``renames``) as whole words."""
    if not renames:
        return text
    keys = sorted(renames, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, keys)) + r")(?!\w)")
    return pattern.sub(lambda match: renames[match.group(1)], text)


def replace_all_list(text: str, names: Sequence[str]) -> str:
    """``text`` with its top-level ``__all__`` list set to ``names`` (same line layout)."""
    tree = ast.parse(text)
    lines = text.split("\n")
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
                "__all__"]:
            if node.lineno == node.end_lineno:
                new_lines = [f"__all__ = [{', '.join(repr(n) for n in names)}]".replace("'", '"')]
            else:
                new_lines = ["__all__ = ["] + [f'    "{name}",' for name in names] + ["]"]
            return _apply_line_edits(lines, [(node.lineno, node.end_lineno, new_lines)])
    return text


def all_names(text: str) -> list[str] | None:
    """The strings of the top-level ``__all__`` list, or None without one."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
                "__all__"]:
            return [ast.literal_eval(element) for element in node.value.elts]
    return None
