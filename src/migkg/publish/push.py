"""Push the built dataset into a remote store, one named graph at a time.

Each graph is replaced whole, so pushing twice leaves the same data (idempotent), and a failure stops
at one graph: the graphs pushed before it hold the new data, the others keep what they had.

* With a Graph Store Protocol URL, each graph is one ``PUT ?graph=<iri>`` of N-Triples (atomic on
  Oxigraph server and Virtuoso).
* Otherwise, SPARQL Update in bounded batches (:mod:`migkg.publish.push_update`): the graph is written into a
  staging graph and moved over the old one in a last request, so a failure mid-graph leaves even the
  failing graph as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from migkg.build import memory_backend
from migkg.config import Settings
from migkg.formats import rdf_format
from migkg.publish.push_update import DEFAULT_BATCH, UpdateWriter
from migkg.stores.base import StoreError
from migkg.stores.graph_store import GraphStore, RemoteEndpoints
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.remote import RemoteBackend

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushedGraph:
    """A graph now in the remote store."""

    iri: str
    triples: int
    seconds: float


@dataclass(frozen=True)
class PushSummary:
    """What a push wrote, and how."""

    method: str
    graphs: tuple[PushedGraph, ...]
    pruned: tuple[str, ...]
    seconds: float

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)


class PushError(Exception):
    """A graph could not be pushed; the graphs before it were, the ones after it were not touched."""

    def __init__(self, graph: str, pushed: Sequence[str], cause: Exception) -> None:
        self.graph = graph
        self.pushed = tuple(pushed)
        self.cause = cause
        super().__init__(
            f"pushing graph <{graph}> failed: {cause}\n"
            f"{len(self.pushed)} graph(s) pushed before it hold the new data; <{graph}> and the graphs "
            "after it keep their previous content. Fix the cause and push again (pushing is idempotent)."
        )


class GraphWriter(Protocol):
    """Replaces one named graph of the remote store with the given triples."""

    method: str

    def replace(self, iri: str, triples: Sequence[ox.Triple]) -> None:
        """Make ``iri`` hold exactly ``triples``; raise a StoreError on failure."""
        ...

    def drop(self, iri: str) -> None:
        """Remove ``iri`` (no error when absent)."""
        ...


class GspWriter:
    """One Graph Store Protocol ``PUT`` of N-Triples per graph."""

    method = "graph-store-protocol"

    def __init__(self, graph_store: GraphStore) -> None:
        self.graph_store = graph_store

    def replace(self, iri: str, triples: Sequence[ox.Triple]) -> None:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        self.graph_store.put(iri, body, rdf_format("nt").media_type)

    def drop(self, iri: str) -> None:
        self.graph_store.delete(iri)


ProgressFn = Callable[[int, int, PushedGraph], None]


def source_triples(source: OxigraphBackend, iri: str) -> list[ox.Triple]:
    """The triples of one named graph of the embedded store."""
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in source.store.quads_for_pattern(None, None, None, ox.NamedNode(iri))
    ]


def push_dataset(
    source: OxigraphBackend,
    writer: GraphWriter,
    *,
    remote: RemoteBackend | None = None,
    prune_prefix: str | None = None,
    progress: ProgressFn | None = None,
) -> PushSummary:
    """Replace every named graph of ``source`` in the remote store, in IRI order.

    Args:
        source: the built dataset.
        writer: how graphs are written (:class:`GspWriter` or
            :class:`~migkg.publish.push_update.UpdateWriter`).
        remote: the remote store, needed only to find graphs to prune.
        prune_prefix: also drop remote graphs under this prefix that ``source`` does not have.
        progress: called after each graph with (index from 1, total, graph).

    Raises:
        PushError: naming the graph that failed, and the graphs already pushed.
    """
    started = time.monotonic()
    iris = [g.iri for g in source.graphs()]
    done: list[PushedGraph] = []
    for index, iri in enumerate(iris, start=1):
        begun = time.monotonic()
        triples = source_triples(source, iri)
        try:
            writer.replace(iri, triples)
        except (StoreError, OSError) as err:
            raise PushError(iri, [g.iri for g in done], err) from err
        pushed = PushedGraph(iri, len(triples), time.monotonic() - begun)
        done.append(pushed)
        log.info("pushed %s (%d triples)", iri, pushed.triples)
        if progress is not None:
            progress(index, len(iris), pushed)
    pruned = _prune(remote, writer, prune_prefix, set(iris)) if prune_prefix else ()
    return PushSummary(writer.method, tuple(done), pruned, time.monotonic() - started)


def _prune(remote: RemoteBackend | None, writer: GraphWriter, prefix: str, keep: set[str]) -> tuple[str, ...]:
    if remote is None:
        raise ValueError("pruning needs the remote store's query URL")
    stale = [g.iri for g in remote.graphs() if g.iri.startswith(prefix) and g.iri not in keep]
    for iri in stale:
        try:
            writer.drop(iri)
        except (StoreError, OSError) as err:
            raise PushError(iri, sorted(keep), err) from err
    return tuple(stale)


def verify(source: OxigraphBackend, remote: RemoteBackend) -> list[str]:
    """Graphs whose triple count differs between ``source`` and ``remote`` (empty: all match)."""
    there = {g.iri: g.triples for g in remote.graphs()}
    return [
        f"<{g.iri}>: {g.triples} triples here, {there.get(g.iri, 0)} in the remote store"
        for g in source.graphs()
        if there.get(g.iri, 0) != g.triples
    ]


def open_source(settings: Settings) -> OxigraphBackend:
    """The dataset to push: the store built under ``settings.store_dir``, else built in memory.

    Raises:
        FileNotFoundError: ``store_dir`` is given but holds no store.
        migkg.sources.SourceErrors: a source file does not parse.
    """
    if settings.store_dir is not None:
        if not settings.store_dir.is_dir():
            raise FileNotFoundError(
                f"no store at {settings.store_dir}: run `migkg build --store-dir {settings.store_dir}`"
            )
        return OxigraphBackend(ox.Store.read_only(str(settings.store_dir)))
    return memory_backend(settings)


def open_remote(settings: Settings) -> RemoteBackend:
    """The remote store named by ``settings`` (its graphs listed under ``settings.public_base``)."""
    return RemoteBackend(RemoteEndpoints.from_settings(settings), graph_prefix=settings.public_base)


def writer_for(remote: RemoteBackend, batch_size: int = DEFAULT_BATCH) -> GraphWriter:
    """GSP ``PUT`` when the store has a Graph Store URL, else batched SPARQL Update."""
    if remote.graph_store is not None:
        return GspWriter(remote.graph_store)
    if not remote.endpoints.update_url:
        raise ValueError("pushing needs a Graph Store Protocol URL or an update URL")
    return UpdateWriter(remote.client, remote.endpoints.update_url, batch_size)
