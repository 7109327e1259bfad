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
from typing import Any

import pyoxigraph as ox

from migkg import __version__
from migkg.config import Settings
from migkg.journal import Journal, replay
from migkg.namespaces import PROVENANCE_GRAPH, graph_iri_for
from migkg.sources import (
    SourceErrors,
    SourceFile,
    add_provenance,
    bulk_load,
    check_syntax,
    discover,
)
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

    Each file goes through pyoxigraph's bulk loader straight into its named graph (no Python object
    per triple), then (on disk, after ``optimize()``) one query collects the ``dcterms:source`` IRIs
    for the provenance graph, which the bulk loader writes. With
    ``settings.store_dir`` the store is written on disk (replacing the old one when ``fresh``; it is
    built beside it and swapped in, so a failed build leaves the old store as it was), else it lives in
    memory. Then (unless not ``journal``) the journal of accepted updates (:mod:`migkg.journal`) is
    replayed in order.

    Raises:
        SourceErrors: a file does not parse (every one is named) or a journal entry cannot be read.
        JournalError: a journal entry no longer applies (an on-disk old store is kept).
    """
    sources = discover(settings.root_dir, settings.source_dirs)
    entries = Journal(settings.journal_folder).entries() if journal else []
    target = settings.store_dir
    building = target
    if target is not None and fresh and target.exists():
        building = target.with_name(target.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
    store = open_store(building)
    errors = bulk_load(store, sources)
    if errors:
        del store
        if building is not None and building != target:
            shutil.rmtree(building, ignore_errors=True)
        raise SourceErrors(errors)
    if building is not None:
        store.optimize()  # before the provenance query, which then reads compacted files
    add_provenance(store, sources, settings.root_dir, on_disk=building is not None)
    try:
        replay(store, entries)
    except Exception:
        del store
        if building is not None and building != target:
            shutil.rmtree(building, ignore_errors=True)
        raise
    if building is not None and target is not None and building != target:
        store.flush()
        del store
        shutil.rmtree(target)
        building.rename(target)
        store = open_store(target)
    summary = BuildSummary(files=len(sources), graphs=len(sources) + 1, quads=len(store),
                           journal=len(entries))
    log.info("built %d graphs, %d quads, %d journal entries replayed", summary.graphs,
             summary.quads, summary.journal)
    return OxigraphBackend(store, policy), summary


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


STAMP_FORMAT = 2


def _read_stamp(store_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(_stamp_path(store_dir).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def update_store(settings: Settings, *, full: bool = False) -> tuple[BuildSummary, str]:
    """Bring the on-disk store ``settings.store_dir`` up to date with the sources.

    The stamp beside the store (``<store>.stamp.json``) records each file's SHA-256. Unchanged
    sources (same paths, sizes and times): nothing to do. Otherwise only the named graphs of files
    added, changed or removed are reloaded (each changed file parsed first: one that does not parse
    raises :class:`migkg.sources.SourceErrors` and leaves the store as it was), then the provenance
    graph is rewritten; the store then holds what a full build would. A full build when ``full``, or
    without a usable stamp or store.

    Returns:
        The summary, and what was done: ``built``, ``updated`` or ``up to date``.
    """
    store_dir = settings.store_dir
    assert store_dir is not None, "update_store needs settings.store_dir"
    fingerprint = sources_fingerprint(settings)
    stamp = _read_stamp(store_dir)
    # With journal entries a full build replays them on the sources; graph by graph they could not be.
    journaled = bool(Journal(settings.journal_folder).files())
    usable = not full and store_dir.is_dir() and stamp.get("format") == STAMP_FORMAT
    summary_then = BuildSummary(**stamp["summary"]) if usable else None
    if usable and summary_then is not None and stamp.get("sources") == fingerprint:
        log.info("store %s is up to date", store_dir)
        return summary_then, "up to date"
    sources = discover(settings.root_dir, settings.source_dirs)
    hashes = {str(s.relative): hashlib.sha256(s.path.read_bytes()).hexdigest() for s in sources}
    old: dict[str, str] = stamp.get("files", {}) if usable else {}
    if not usable or journaled:
        log.info("building the store in %s", store_dir)
        backend, summary = build_backend(settings)
        backend.close()
        del backend  # release the writable handle before any reader opens the store
        how = "built"
    else:
        changed = [s for s in sources if hashes[str(s.relative)] != old.get(str(s.relative))]
        removed = [name for name in old if name not in hashes]
        summary, how = _update(settings, store_dir, sources, changed, removed)
    _stamp_path(store_dir).write_text(json.dumps({
        "format": STAMP_FORMAT, "sources": fingerprint, "files": hashes,
        "summary": {"files": summary.files, "graphs": summary.graphs, "quads": summary.quads,
                    "journal": summary.journal},
        "quads": summary.quads}))
    return summary, how


def _update(settings: Settings, store_dir: Path, sources: list[SourceFile], changed: list[SourceFile],
            removed: list[str]) -> tuple[BuildSummary, str]:
    """Reload the named graphs of ``changed`` and drop those of ``removed``; rewrite the provenance."""
    if not changed and not removed:
        store = ox.Store(str(store_dir))
        summary = BuildSummary(files=len(sources), graphs=len(sources) + 1, quads=len(store))
        return summary, "up to date"
    errors = check_syntax(changed)
    if errors:
        raise SourceErrors(errors)
    store = ox.Store(str(store_dir))
    for name in removed:
        store.remove_graph(ox.NamedNode(graph_iri_for(name)))
    for source in changed:
        graph = ox.NamedNode(source.graph_iri)
        store.remove_graph(graph)
        store.load(path=source.path, format=ox.RdfFormat.TURTLE, to_graph=graph)
    provenance = ox.NamedNode(str(PROVENANCE_GRAPH))
    store.remove_graph(provenance)
    add_provenance(store, sources, settings.root_dir, on_disk=True)
    store.flush()
    summary = BuildSummary(files=len(sources), graphs=len(sources) + 1, quads=len(store))
    log.info("updated %d graphs of %s", len(changed) + len(removed), store_dir)
    return summary, f"updated {len(changed) + len(removed)} graphs"


def ensure_store(settings: Settings, *, rebuild: bool = False) -> Path:
    """Bring ``settings.store_dir`` up to date (see :func:`update_store`); return its path."""
    assert settings.store_dir is not None, "ensure_store needs settings.store_dir"
    update_store(settings, full=rebuild)
    return settings.store_dir


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
