"""Build: parse every source file into its named graph and load the lot into a store.

Every embedded backend is made here: :func:`build_backend` writes a store (on disk or in memory),
:func:`memory_backend` is the in-memory one the CLI commands query, :func:`ensure_store` keeps the
on-disk store up to date with the sources and :func:`embedded_backend` is the one the app serves.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from migkg import __version__
from migkg.config import Settings
from migkg.journal import Journal, replay
from migkg.sources import discover, parse_all, provenance_quads
from migkg.stores.admission import AdmissionPolicy
from migkg.stores.base import Backend
from migkg.stores.limits import QueryPolicy
from migkg.stores.oxigraph import OxigraphBackend, open_store
from migkg.stores.pooled import PooledOxigraphBackend

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildSummary:
    """What a build loaded."""

    files: int
    graphs: int
    quads: int
    journal: int = 0  # journal entries replayed after the sources


def build_backend(
    settings: Settings, *, fresh: bool = True, policy: QueryPolicy | None = None,
    journal: bool = True,
) -> tuple[OxigraphBackend, BuildSummary]:
    """Parse ``ontology/``, ``data/`` and ``shapes/`` into a new embedded store queried under ``policy``.

    With ``settings.store_dir`` the store is written on disk (emptied first when ``fresh``), else it
    lives in memory. Then (unless not ``journal``) the journal of accepted updates
    (:mod:`migkg.journal`) is replayed in order.
    Raises :class:`migkg.sources.SourceErrors` when a file does not parse or a journal entry cannot
    be read, before anything is written, and :class:`migkg.journal.JournalError` when an entry no
    longer applies.
    """
    sources = discover(settings.root_dir, settings.source_dirs)
    parsed = parse_all(sources)
    entries = Journal(settings.journal_folder).entries() if journal else []
    if settings.store_dir is not None and fresh and settings.store_dir.exists():
        shutil.rmtree(settings.store_dir)
    backend = OxigraphBackend(open_store(settings.store_dir), policy)
    quads = 0
    for item in parsed:
        backend.add_quads(item.quads)
        quads += len(item.quads)
    provenance = list(provenance_quads(parsed, settings.root_dir))
    backend.add_quads(provenance)
    quads += len(provenance)
    replay(backend.store, entries)
    quads += sum(entry.effect for entry in entries)
    if settings.store_dir is not None:
        backend.store.optimize()
    summary = BuildSummary(files=len(parsed), graphs=len(parsed) + 1, quads=quads,
                           journal=len(entries))
    log.info("built %d graphs, %d quads, %d journal entries replayed", summary.graphs,
             summary.quads, summary.journal)
    return backend, summary


def memory_backend(settings: Settings, policy: QueryPolicy | None = None) -> OxigraphBackend:
    """The sources built into a store in memory, whatever ``settings.store_dir`` says.

    Raises:
        migkg.sources.SourceErrors: a source file does not parse.
    """
    backend, _ = build_backend(settings.model_copy(update={"store_dir": None}), policy=policy)
    return backend


def sources_fingerprint(settings: Settings) -> str:
    """A hash of every source file's and journal entry's path, size and modification time, and of
    the migkg version."""
    digest = hashlib.sha256(__version__.encode())
    for source in discover(settings.root_dir, settings.source_dirs):
        stat = source.path.stat()
        digest.update(f"{source.relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    for path in Journal(settings.journal_folder).files():
        stat = path.stat()
        digest.update(f"journal/{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp_path(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + ".stamp.json")


def ensure_store(settings: Settings, *, rebuild: bool = False) -> Path:
    """Build ``settings.store_dir`` when missing, stale or ``rebuild``; return its path."""
    store_dir = settings.store_dir
    assert store_dir is not None, "ensure_store needs settings.store_dir"
    fingerprint = sources_fingerprint(settings)
    stamp = _stamp_path(store_dir)
    current = json.loads(stamp.read_text()) if stamp.is_file() else {}
    if not rebuild and store_dir.is_dir() and current.get("sources") == fingerprint:
        log.info("store %s is up to date", store_dir)
        return store_dir
    log.info("building the store in %s", store_dir)
    backend, summary = build_backend(settings)
    backend.close()
    del backend  # release the writable handle before any reader opens the store
    stamp.write_text(json.dumps({"sources": fingerprint, "quads": summary.quads}))
    return store_dir


def embedded_backend(settings: Settings, policy: QueryPolicy) -> Backend:
    """The embedded store to serve under ``policy``.

    With ``settings.store_dir``: the on-disk store (rebuilt when missing or stale, see
    :func:`ensure_store`) queried by worker processes killed at ``query_timeout_s``. Without it: built
    in memory and queried in-process (a query cannot be stopped at its timeout).
    """
    journal = Journal(settings.journal_folder) if settings.update_token is not None else None
    if settings.store_dir is None:
        backend = memory_backend(settings, policy)
        backend.journal = journal
        return backend
    return PooledOxigraphBackend(ensure_store(settings), policy, settings.query_workers,
                                 AdmissionPolicy.from_settings(settings), journal)
