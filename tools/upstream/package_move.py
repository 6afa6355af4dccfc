"""Move modules of a plugin package into the host package, inside a copy of the source tree.

One :class:`Component` is one patch: its files move (``git mv`` + import rewriting), the
host registers them (registry location and package ``__init__`` imports, see
:mod:`upstream.registration_edits`), its configs stop importing the plugin, and the rest of
the tree follows: every import of a moved module, direct or through a plugin package
``__init__`` that re-exports it (a "hub"), is rewritten; hubs drop what left them and are
deleted once empty. After each step no host module may import the plugin, and nothing may
import a module that moved away; both are checked (ValueError naming the file).
"""
from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from upstream.import_rewrite import (
    LINE_WIDTH,
    Statement,
    all_names,
    module_of,
    replace_all_list,
    replace_mentions,
    rewrite_imports,
)
from upstream.registration_edits import (
    add_child_import,
    add_registry_location,
    registered_classes,
    registry_locations,
    remove_custom_imports,
)
from upstream.source_tree import SourceTree, absolute_imports, remove_empty_folders


@dataclass(frozen=True)
class Component:
    """One patch of the series.

    Args:
        slug: short file-name part of the patch (``0001-<slug>.patch``).
        subject, body: the commit message.
        moves: ``(source, target)`` repository paths; a path ending in ``/`` moves a folder.
        configs: glob patterns of configs whose ``custom_imports`` of the plugin are dropped.
        deletes: files the patch removes.
        edits: ``(path, old text, new text)`` exact replacements, each matching once.
    """

    slug: str
    subject: str
    body: str
    moves: tuple[tuple[str, str], ...]
    configs: tuple[str, ...] = ()
    deletes: tuple[str, ...] = ()
    edits: tuple[tuple[str, str, str], ...] = ()


class PluginMover(SourceTree):
    """Applies components to the tree at ``root``: plugin package ``plugin`` -> host ``host``."""

    def __init__(self, root: Path, plugin: str, host: str) -> None:
        super().__init__(root)
        self.plugin, self.host = plugin, host
        self.registry_path = f"{host}/registry.py"
        self.notes: list[str] = []  # things a reviewer should fix by hand (long lines)

    def _is_plugin(self, module: str) -> bool:
        """Whether a dotted module name is the plugin package or inside it."""
        return module == self.plugin or module.startswith(self.plugin + ".")

    def _expand(self, component: Component) -> list[tuple[str, str]]:
        """File-level ``(source, target)`` pairs of a component's moves."""
        pairs = []
        for source, target in component.moves:
            if source.endswith("/"):
                files = sorted(p.relative_to(self.root / source).as_posix()
                               for p in (self.root / source).rglob("*")
                               if p.is_file() and "__pycache__" not in p.parts)
                pairs += [(source + rel, target + rel) for rel in files]
            else:
                pairs.append((source, target))
        for source, target in pairs:
            if not (self.root / source).is_file():
                raise FileNotFoundError(f"component {component.slug!r}: {source} not found in "
                                        f"the tree (update the component table)")
            if (self.root / target).exists():
                raise ValueError(f"component {component.slug!r}: target {target} already exists")
        if not pairs:
            raise ValueError(f"component {component.slug!r}: its moves name no file")
        return pairs

    def apply(self, component: Component) -> None:
        """Move the component's files into the host and rewrite the tree (module docstring)."""
        pairs = self._expand(component)
        self.written = set()
        exports = self.package_exports(self.plugin)
        modules = {module_of(s): module_of(t) for s, t in pairs if s.endswith(".py")}
        renames = dict(modules)
        renames.update({s: t for s, t in pairs})
        registrations, public = {}, {}
        for source, target in pairs:
            text = self.read(source)
            if source.endswith(".py"):
                registrations[module_of(target)] = registered_classes(text, source)
                public[module_of(target)] = sorted(
                    {e[2] for e in exports.values()
                     if e[0] == "symbol" and e[1] == module_of(source)})
            self.write(target, text)
            (self.root / source).unlink()
        for path in component.deletes:
            if not (self.root / path).is_file():
                raise FileNotFoundError(f"component {component.slug!r}: cannot delete {path}: "
                                        f"not found")
            (self.root / path).unlink()
        gone = self._prune_hubs(modules)
        targets = {t: s for s, t in pairs}
        for path in self.python_files():
            self._rewrite_file(path, modules, gone, exports, renames, targets.get(path))
        for module, classes in registrations.items():
            if classes:
                self._register(module, classes, public[module] or sorted(c for _, c in classes))
        self._detach_configs(component)
        self._edit(component)
        self.validate(set(modules) | gone)
        remove_empty_folders(self.root)

    def _prune_hubs(self, modules: dict[str, str]) -> set[str]:
        """Drop moved modules from the plugin's hubs; delete hubs left with no import (and
        with no other module in their folder). Returns the deleted hubs' module names."""
        gone: set[str] = set()
        changed = True
        while changed:
            changed = False
            for path in self.package_inits(self.plugin):
                removed = set(modules) | gone
                text = self.read(path)
                new = rewrite_imports(text, lambda s: _without_modules(s, removed), path)
                kept = {alias or name for _, statements in absolute_imports(ast.parse(new))
                        for statement in statements for name, alias in statement.names or ()}
                exported = all_names(new)
                if exported is not None and set(exported) - kept:
                    new = replace_all_list(new, [name for name in exported if name in kept])
                folder = (self.root / path).parent
                others = [p for p in folder.rglob("*.py") if p != self.root / path]
                if not any(True for _ in absolute_imports(ast.parse(new))) and not others:
                    (self.root / path).unlink()
                    gone.add(module_of(path))
                    changed = True
                elif new != text:
                    self.write(path, new)
        return gone

    def _rewrite_file(self, path: str, modules: dict[str, str], gone: set[str],
                      exports: dict, renames: dict[str, str], moved_from: str | None) -> None:
        """Rewrite one file's plugin imports and mentions; fix ``parents[K]`` if it moved."""
        text = self.read(path)
        if self.plugin not in text and moved_from is None:
            return  # neither imports nor mentions anything of the plugin

        def resolve(statement: Statement) -> list[Statement] | None:
            return self._resolve(statement, modules, gone, exports, path, moved_from is not None)

        new = replace_mentions(rewrite_imports(text, resolve, path), renames)
        if moved_from is not None:
            depth = path.count("/") - moved_from.count("/")
            new = re.sub(r"(__file__\)\.resolve\(\)\.parents\[)(\d+)\]",
                         lambda m: f"{m.group(1)}{int(m.group(2)) + depth}]", new)
        if new != text:
            self.write(path, new)
            before = set(text.split("\n"))
            self.notes += [f"{path}:{number}: {len(line)} columns after the rename"
                           for number, line in enumerate(new.split("\n"), start=1)
                           if len(line) > LINE_WIDTH and line not in before]

    def _resolve(self, statement: Statement, modules: dict[str, str], gone: set[str],
                 exports: dict, path: str, moved: bool) -> list[Statement] | None:
        """Where one import statement points after the move (None: unchanged, []: dropped)."""
        module = statement.module
        if not self._is_plugin(module):
            return None
        if statement.names is None:
            if module in modules and statement.alias:
                return [statement._replace(module=modules[module])]
            if module == self.plugin and (moved or module in gone):
                return []  # imported only to register the plugin, which no longer exists here
            if module in modules or module in gone:
                raise ValueError(f"{path}: 'import {module}' cannot be rewritten; import names "
                                 f"from the module instead")
            return None
        if module in modules:
            return [statement._replace(module=modules[module])]
        out, kept = [], []
        for name, alias in statement.names:
            export = exports.get((module, name), ("module", f"{module}.{name}"))
            if export[0] == "module" and export[1] in modules:
                parent, leaf = modules[export[1]].rsplit(".", 1)
                out.append(Statement(parent, ((leaf, alias or (name if leaf != name else None)),)))
            elif export[0] == "symbol" and export[1] in modules:
                symbol = export[2]
                out.append(Statement(modules[export[1]],
                                     ((symbol, alias or (name if symbol != name else None)),)))
            else:
                kept.append((name, alias))
        if kept and module in gone:
            raise ValueError(f"{path}: cannot resolve {[n for n, _ in kept]} of deleted {module}")
        if not out:
            return None
        return out + ([statement._replace(names=tuple(kept))] if kept else [])

    def _register(self, module: str, classes: list[tuple[str, str]], names: list[str]) -> None:
        """Make the host import ``module`` from a location of each registry node it uses."""
        for node in sorted({node for node, _ in classes}):
            registry = self.read(self.registry_path)
            locations = registry_locations(registry)
            if node not in locations:
                raise KeyError(f"{module} registers into {node}, which {self.registry_path} "
                               f"does not define")
            covering = [loc for loc in locations[node]
                        if module == loc or module.startswith(loc + ".")]
            if not covering:
                covering = [".".join(module.split(".")[:2])]
                self.write(self.registry_path, add_registry_location(
                    registry, node, covering[0], self.registry_path))
            if module in self.imported_by(covering[0]):
                continue
            parts = module.split(".")
            for depth in range(len(covering[0].split(".")), len(parts)):
                package = ".".join(parts[:depth])
                init = package.replace(".", "/") + "/__init__.py"
                leaf_names = names if depth == len(parts) - 1 else []
                self.write(init, add_child_import(self.read(init), package, parts[depth],
                                                   leaf_names, init))

    def _detach_configs(self, component: Component) -> None:
        """Drop ``custom_imports`` of the plugin from the component's configs."""
        files = self.python_files()
        for pattern in component.configs:
            matched = [p for p in files if fnmatch.fnmatch(p, pattern)]
            if not matched:
                raise FileNotFoundError(f"component {component.slug!r}: no config matches "
                                        f"{pattern!r}")
            for path in matched:
                self.write(path, remove_custom_imports(self.read(path), self.plugin, path))

    def _edit(self, component: Component) -> None:
        """Apply the component's exact text replacements."""
        for path, old, new in component.edits:
            text = self.read(path) if (self.root / path).is_file() else ""
            if text.count(old) != 1:
                raise ValueError(f"component {component.slug!r}: {path} holds {old!r} "
                                 f"{text.count(old)} times, expected once (update its edits)")
            self.write(path, text.replace(old, new))

    def validate(self, removed: set[str]) -> None:
        """Files written parse; no host module imports the plugin; nothing imports a module
        of ``removed`` (moved away or deleted) any more."""
        for path in self.python_files():
            text = self.read(path)
            if path not in self.written and self.plugin not in text:
                continue
            try:
                tree = ast.parse(text, filename=path)
            except SyntaxError as err:
                raise ValueError(f"{path}: does not parse after the move: {err}") from None
            for _, statements in absolute_imports(tree):
                for statement in statements:
                    if not self._is_plugin(statement.module):
                        continue
                    if path.startswith(self.host + "/"):
                        raise ValueError(f"{path}: still imports {statement.module} (move what "
                                         f"it needs in the same or an earlier component)")
                    if any(statement.module == module or statement.module.startswith(
                            module + ".") for module in removed):
                        raise ValueError(f"{path}: imports {statement.module}, which no longer "
                                         f"exists after the move")


def _without_modules(statement: Statement, removed: set[str]) -> list[Statement] | None:
    """A hub's import statement without the modules in ``removed`` (None: unchanged)."""
    if statement.module in removed:
        return []
    if statement.names is None:
        return None
    names = tuple(n for n in statement.names if f"{statement.module}.{n[0]}" not in removed)
    if names == statement.names:
        return None
    return [statement._replace(names=names)] if names else []
