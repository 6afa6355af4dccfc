"""Source edits that make a moved module registered by its new package: registry locations,
package ``__init__`` imports, and configs that no longer need ``custom_imports``.

mmengine imports a registry node's ``locations`` on the first lookup in scope ``oat``; a class
is found when its module is imported from one of them, so a module moved into ``oat`` needs a
location that covers it and an import chain from that location's ``__init__`` down to it.
"""
from __future__ import annotations

import ast

from upstream.import_rewrite import (
    LINE_WIDTH,
    Statement,
    all_names,
    render,
    replace_all_list,
    rewrite_imports,
    statements_of,
)


def registered_classes(text: str, path: str = "<source>") -> list[tuple[str, str]]:
    """``(registry node, class name)`` of every ``@NODE.register_module(...)`` class."""
    found = []
    for node in ast.walk(ast.parse(text, filename=path)):
        if isinstance(node, ast.ClassDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (isinstance(call, ast.Attribute) and call.attr == "register_module"
                        and isinstance(call.value, ast.Name)):
                    found.append((call.value.id, node.name))
    return found


def _node_calls(text: str) -> dict[str, ast.Call]:
    """``NODE = factory(parent, "location", ...)`` assignments of a registry module by name."""
    calls = {}
    for node in ast.parse(text).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call)):
            calls[node.targets[0].id] = node.value
    return calls


def registry_locations(text: str) -> dict[str, list[str]]:
    """Registry node name -> the module names it imports on first lookup (string arguments)."""
    return {name: [arg.value for arg in call.args
                   if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            for name, call in _node_calls(text).items()}


def add_registry_location(text: str, node_name: str, location: str, path: str) -> str:
    """``text`` of the registry module with ``location`` added to node ``node_name``."""
    calls = _node_calls(text)
    if node_name not in calls:
        raise KeyError(f"{path}: no registry node {node_name!r}")
    if location in registry_locations(text)[node_name]:
        return text
    call = calls[node_name]
    lines = text.split("\n")
    line = lines[call.end_lineno - 1]
    close = call.end_col_offset - 1
    if line[close] != ")":
        raise ValueError(f"{path}: cannot find the closing parenthesis of {node_name}'s call")
    lines[call.end_lineno - 1] = f'{line[:close]}, "{location}"{line[close:]}'
    if len(lines[call.end_lineno - 1]) > LINE_WIDTH:
        raise ValueError(f"{path}: adding {location!r} to {node_name} exceeds {LINE_WIDTH} "
                         f"columns; wrap that call over several lines first")
    return "\n".join(lines)


def imports_child(text: str, package: str, child: str) -> bool:
    """Whether a package ``__init__`` imports its submodule ``child`` (any import form)."""
    full = f"{package}.{child}"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and (
                isinstance(node, ast.Import) or node.level == 0):
            for statement in statements_of(node):
                if statement.module == full or statement.module.startswith(full + "."):
                    return True
                if statement.module == package and statement.names and any(
                        name == child for name, _ in statement.names):
                    return True
    return False


def add_child_import(text: str, package: str, child: str, names: list[str], path: str) -> str:
    """``text`` of ``package``'s ``__init__`` importing submodule ``child`` (to register it).

    With an ``__all__`` list the init re-exports ``names`` (``from package.child import ...``
    and ``__all__`` extended); else ``child`` joins an existing ``from package import a, b``
    statement, or a new ``from package import child`` line is added after the imports.
    """
    if imports_child(text, package, child):
        return text
    tree = ast.parse(text, filename=path)
    top_imports = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 0]
    exported = all_names(text)
    if exported is not None and names:
        addition = Statement(f"{package}.{child}", tuple((name, None) for name in names))
        siblings = [n for n in top_imports if n.module.startswith(package + ".")]
        text = (_add_next_to(text, siblings[-1], addition, path) if siblings
                else _insert_after_imports(text, render(addition)))
        merged = exported + [name for name in names if name not in exported]
        return replace_all_list(text, sorted(merged) if exported == sorted(exported) else merged)
    modules = [n for n in top_imports if n.module == package]
    if modules:
        return _add_next_to(text, modules[0], Statement(package, ((child, None),)), path)
    return _insert_after_imports(
        text, [f"from {package} import {child}  # noqa: F401  (registers its classes)"])


def _insert_after_imports(text: str, new_lines: list[str]) -> str:
    """``new_lines`` inserted after the last top-level import (or the docstring)."""
    tree = ast.parse(text)
    after = [n.end_lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        after.append(first.end_lineno)
    lines = text.split("\n")
    lines[max(after, default=0):max(after, default=0)] = new_lines
    return "\n".join(lines)


def _add_next_to(text: str, anchor: ast.ImportFrom, addition: Statement, path: str) -> str:
    """Add ``addition`` to the import block of ``anchor`` (merged and re-sorted with it)."""
    anchor_statement = statements_of(anchor)[0]

    def resolve(statement: Statement) -> list[Statement] | None:
        """The anchor statement gains ``addition`` beside it; all else is kept."""
        return [statement, addition] if statement == anchor_statement else None

    return rewrite_imports(text, resolve, path)


def remove_custom_imports(text: str, module: str, path: str) -> str:
    """``text`` of a config without its ``custom_imports`` when it imports only ``module``."""
    tree = ast.parse(text, filename=path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
                "custom_imports"]:
            imports = next((ast.literal_eval(k.value) for k in getattr(node.value, "keywords", [])
                            if k.arg == "imports"), None)
            if imports is None or module not in imports:
                return text
            if list(imports) != [module]:
                raise ValueError(f"{path}: custom_imports imports {imports}; only a config that "
                                 f"imports just {module!r} can drop it")
            lines = text.split("\n")
            del lines[node.lineno - 1:node.end_lineno]
            return "\n".join(lines)
    return text
