"""Atomic file writes for the pipeline's own files (report, plots, overlay configs)."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def replaced_atomically(path: str) -> Iterator[str]:
    """Yield a temp path in ``path``'s folder; on success it replaces ``path`` (``os.replace``),
    on error it is deleted and ``path`` keeps its previous content."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; these are ordinary output files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: str, text: str) -> None:
    """Write a text file atomically."""
    with replaced_atomically(path) as tmp, open(tmp, "w") as f:
        f.write(text)
