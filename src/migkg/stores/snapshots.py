"""Read snapshots of the served store: readers never open the database that updates write.

RocksDB forbids a read-only open of a database another process writes, so the readers (the query
workers and the server's own read-only handle) read a *snapshot*: a checkpoint of the store made by
``Store.backup`` (hard links to its immutable files, a few milliseconds). An accepted update is
applied to the store itself, then a new snapshot is taken; a reader busy with a query finishes it on
the snapshot it started on and moves to the new one when it is free. A snapshot no reader uses any
more is deleted. Snapshots live next to the store, in ``.<store name>.readers/<server pid>/gen-N``;
those of servers that are no longer running are deleted when the next one starts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Collection
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class Snapshots:
    """Numbered snapshots (generations) of the store in ``store_dir``, taken by this process."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.parent = store_dir.parent / f".{store_dir.name}.readers"
        self.root = self.parent / str(os.getpid())
        self.generation = 0
        self._sweep_dead()
        shutil.rmtree(self.root, ignore_errors=True)  # a previous server with this pid
        self.root.mkdir(parents=True)

    def _sweep_dead(self) -> None:
        """Delete the snapshots of servers that are no longer running."""
        if not self.parent.is_dir():
            return
        for entry in self.parent.iterdir():
            if entry.name.isdigit() and not _alive(int(entry.name)):
                shutil.rmtree(entry, ignore_errors=True)

    def path(self, generation: int) -> Path:
        """The folder of snapshot ``generation``."""
        return self.root / f"gen-{generation}"

    def take(self, store: ox.Store | None = None) -> tuple[int, Path]:
        """Snapshot ``store`` (or the store on disk, opened read-only: only when nobody writes it)
        as the next generation; its number and folder."""
        source = store if store is not None else ox.Store.read_only(str(self.store_dir))
        generation = self.generation + 1
        path = self.path(generation)
        source.backup(str(path))
        del source
        self.generation = generation
        return generation, path

    def prune(self, in_use: Collection[int]) -> None:
        """Delete every snapshot but the current one and those in ``in_use``."""
        keep = {self.generation, *in_use}
        for entry in self.root.iterdir() if self.root.is_dir() else ():
            number = entry.name.removeprefix("gen-")
            if number.isdigit() and int(number) not in keep:
                shutil.rmtree(entry, ignore_errors=True)

    def close(self) -> None:
        """Delete every snapshot of this process."""
        shutil.rmtree(self.root, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.parent.rmdir()  # only when no other server has snapshots there
