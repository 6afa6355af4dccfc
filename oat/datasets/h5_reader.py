"""Read-only h5 files opened lazily, once per process.

An open h5py handle must not cross a fork or a pickle: every process (the main one and each
dataloader worker) opens the file itself on its first read, and a pickled reader carries no
handle. Shared by the feature store and by the files built on it (e.g. a teacher cache).
"""
from __future__ import annotations

import os

import h5py


class LazyH5Reader:
    """Base of the read-only h5 views: existence check at construction, per-process handle.

    Subclasses name their kind of file for the error messages: ``kind`` in
    "``<kind> not found: <path>``" (FileNotFoundError) and ``unreadable`` in
    "``<path>: <unreadable>: <h5py error>``" (ValueError, on the first read).
    """

    kind = "h5 file"
    unreadable = "not a readable h5 file"

    def __init__(self, path: str):
        self.path = str(path)
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"{self.kind} not found: {self.path}")
        self._file: h5py.File | None = None
        self._pid: int | None = None

    def _handle(self) -> h5py.File:
        """This process's open handle (opened now when there is none yet)."""
        if self._file is None or self._pid != os.getpid():
            try:
                self._file = h5py.File(self.path, "r")
            except OSError as err:
                raise ValueError(f"{self.path}: {self.unreadable}: {err}") from None
            self._pid = os.getpid()
        return self._file

    def close(self) -> None:
        """Close the handle of this process (it reopens on the next read)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __getstate__(self) -> dict:
        # h5py handles cannot be pickled: each worker reopens the file.
        return {**self.__dict__, "_file": None, "_pid": None}
