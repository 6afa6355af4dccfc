"""A copy of a source tree addressed by repository paths and dotted module names.

The base of :class:`upstream.package_move.PluginMover`: reading and writing files (and which
were written), finding modules and packages, following imports, and listing what is left in a
folder.
"""
from __future__ import annotations

import ast
from pathlib import Path

from upstream.import_rewrite import module_of, statements_of

Export = tuple  # ("module", module) or ("symbol", defining module, name there)


def absolute_imports(tree: ast.AST):
    """Every absolute import statement of a parsed module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.level == 0):
            yield node, statements_of(node)


class SourceTree:
    """The files under ``root``; paths are relative, with ``/``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.written: set[str] = set()  # files written since the last reset

    def read(self, rel: str) -> str:
        """Text of a repository path."""
        return (self.root / rel).read_text()

    def write(self, rel: str, text: str) -> None:
        """Write a repository path (folders created) and remember it was written."""
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.root / rel).write_text(text)
        self.written.add(rel)

    def python_files(self) -> list[str]:
        """Repository paths of every Python file in the tree."""
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.py"))

    def module_exists(self, module: str) -> bool:
        """Whether ``a.b.c`` is a module file or a package in the tree."""
        return self._module_path(module) is not None

    def package_inits(self, package: str) -> list[str]:
        """Paths of the ``__init__`` files of a top-level package and its subpackages."""
        return [p for p in self.python_files()
                if p.startswith(package + "/") and p.endswith("/__init__.py")]

    def package_exports(self, package: str) -> dict[tuple[str, str], Export]:
        """``(package module, name)`` -> what each name imported by one of ``package``'s
        ``__init__`` files is: a submodule, or a symbol followed to the module defining it."""
        direct: dict[tuple[str, str], Export] = {}
        for path in self.package_inits(package):
            hub = module_of(path)
            for _, statements in absolute_imports(ast.parse(self.read(path))):
                for statement in statements:
                    for name, alias in statement.names or ():
                        full = f"{statement.module}.{name}"
                        direct[(hub, alias or name)] = (
                            ("module", full) if self.module_exists(full)
                            else ("symbol", statement.module, name))
        resolved = {}
        for key, export in direct.items():
            seen = 0
            while export[0] == "symbol" and (export[1], export[2]) in direct and seen < 20:
                export, seen = direct[(export[1], export[2])], seen + 1
            resolved[key] = export
        return resolved

    # -- one component --------------------------------------------------------------------
    def _module_path(self, module: str) -> str | None:
        """Repository path of an in-tree module or package, None when absent."""
        base = module.replace(".", "/")
        for path in (f"{base}.py", f"{base}/__init__.py"):
            if (self.root / path).is_file():
                return path
        return None

    def imported_by(self, start: str) -> set[str]:
        """In-tree modules of ``start``'s top package that importing ``start`` imports."""
        seen, todo = set(), [start]
        while todo:
            module = todo.pop()
            path = self._module_path(module)
            if module in seen or path is None:
                continue
            seen.add(module)
            parts = module.split(".")
            todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages
            for _, statements in absolute_imports(ast.parse(self.read(path))):
                for statement in statements:
                    if statement.module.split(".")[0] == start.split(".")[0]:
                        todo.append(statement.module)
                        todo += [f"{statement.module}.{name}" for name, _ in
                                 statement.names or ()]
        return seen

    def leftovers(self, folders: list[str]) -> list[str]:
        """Files still under ``folders`` (all of them should have moved by the end)."""
        return sorted(p.relative_to(self.root).as_posix() for folder in folders
                      for p in (self.root / folder).rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts)


def remove_empty_folders(root: Path) -> None:
    """Delete folders left empty by moves (git does not track them anyway)."""
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if ".git" not in folder.parts and not any(folder.iterdir()):
            folder.rmdir()
