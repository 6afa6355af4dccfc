"""A byte-reproducible ``git format-patch`` series built in a throw-away repository.

The source files are copied into a temporary folder, committed there as the base, and every
step is committed on top with a fixed author, committer and date; ``git format-patch`` then
writes the series with zeroed commit hashes, full blob ids and no version signature, so the
output depends only on the files' contents and the step list. The caller's repository is only
read (``git ls-files``), never changed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

FORMAT_OPTIONS = ("--zero-commit", "--full-index", "--no-signature", "-M", "--stat=80",
                  "--subject-prefix=PATCH", "--numbered")
SKIPPED_PARTS = ("__pycache__", ".git")


def git(repo: Path, *args: str, env: dict | None = None, isolated: bool = True) -> str:
    """Run git in ``repo``; its stdout. ``isolated``: without the user's or the system's git
    configuration (so settings like ``format.signature`` cannot change the output)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    if isolated:
        clean.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", HOME=str(repo),
                     XDG_CONFIG_HOME=str(repo), LC_ALL="C", TZ="UTC")
    clean.update(env or {})
    done = subprocess.run(["git", *args], cwd=repo, env=clean, capture_output=True, text=True)
    if done.returncode != 0:
        raise OSError(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()}")
    return done.stdout


def source_files(repo: Path, excluded: Sequence[str] = ()) -> list[str]:
    """Files of the working tree git would track (tracked + untracked, not ignored).

    Falls back to walking the folder when ``repo`` is not a git checkout. ``excluded`` names
    files and folders (``"patches/"``) that are left out.
    """
    if (repo / ".git").exists():
        # the user's own configuration: it may mark this checkout as a safe.directory
        listed = git(repo, "ls-files", "--cached", "--others", "--exclude-standard", "-z",
                     isolated=False)
        files = [path for path in listed.split("\0") if path and (repo / path).is_file()]
    else:
        files = [p.relative_to(repo).as_posix() for p in repo.rglob("*")
                 if p.is_file() and not set(p.relative_to(repo).parts) & set(SKIPPED_PARTS)]
    return sorted(path for path in files if not any(
        path == skip or (skip.endswith("/") and path.startswith(skip)) for skip in excluded))


def copy_files(repo: Path, files: Sequence[str], destination: Path) -> None:
    """Copy ``files`` (repository paths) from ``repo`` into ``destination``, modes kept."""
    for path in files:
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / path, target)


class PatchSeries:
    """A temporary git repository whose commits after the base become the patch series."""

    def __init__(self, tree: Path, author: str, email: str, date: str) -> None:
        self.tree = tree
        self.env = dict(GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE=date,
                        GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL=email,
                        GIT_COMMITTER_DATE=date)
        git(tree, "init", "-q", "-b", "base")
        self.commit("base")
        self.base = git(tree, "rev-parse", "HEAD").strip()

    def commit(self, message: str) -> None:
        """Commit everything in the tree (additions, deletions, renames)."""
        git(self.tree, "add", "-A")
        git(self.tree, "commit", "-q", "--allow-empty", "--no-verify", "-m", message,
            env=self.env)

    def format_patches(self, out: Path, slugs: Sequence[str]) -> list[Path]:
        """Write the commits after the base as ``0001-<slug>.patch``, ... into ``out``."""
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out) as raw:
            git(self.tree, "format-patch", *FORMAT_OPTIONS, "-o", raw, f"{self.base}..HEAD")
            written = sorted(Path(raw).glob("*.patch"))
            if len(written) != len(slugs):
                raise ValueError(f"git wrote {len(written)} patches for {len(slugs)} steps "
                                 f"(a step that changes nothing makes no patch)")
            paths = []
            for index, (patch, slug) in enumerate(zip(written, slugs), start=1):
                path = out / f"{index:04d}-{slug}.patch"
                os.replace(patch, path)
                paths.append(path)
        return paths


def stale_patches(expected: Path, current: Path) -> list[str]:
    """Names of ``*.patch`` files that differ between two folders, or exist in only one."""
    new = {p.name: p.read_bytes() for p in expected.glob("*.patch")}
    old = {p.name: p.read_bytes() for p in current.glob("*.patch")} if current.is_dir() else {}
    return sorted(name for name in new.keys() | old.keys() if new.get(name) != old.get(name))


def install_patches(generated: Path, out: Path) -> None:
    """Replace the ``*.patch`` files of ``out`` by the generated ones (each atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in generated.glob("*.patch")}
    for patch in sorted(generated.glob("*.patch")):
        temporary = out / f".{patch.name}.tmp"
        shutil.copyfile(patch, temporary)
        os.replace(temporary, out / patch.name)
    for old in out.glob("*.patch"):
        if old.name not in names:
            old.unlink()
