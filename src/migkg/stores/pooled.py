"""The served store: an on-disk Oxigraph database, snapshots of it read by worker processes.

:class:`PooledOxigraphBackend` speaks the :class:`~migkg.stores.base.Backend` protocol; its
``aexecute`` waits on a worker's pipe, not on a thread. Endpoint queries run in a :class:`WorkerPool`
(hard timeout), and so do the library's reads (pages, explorer, statistics): every query has a
deadline. Only graph listings and dumps read in-process, on a read-only handle. Readers never open
the database itself, only snapshots of it (:mod:`migkg.stores.snapshots`): an update opens the
database writable, applies the update in one transaction, takes a new snapshot and closes it; then
the readers move to the new snapshot as they become free. An update neither waits for a reader nor
stops one, and every query sent after its 204 sees it.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from migkg.formats import RdfFormat, ResultsFormat, rdf_format
from migkg.journal import Journal
from migkg.stores.admission import AdmissionPolicy
from migkg.stores.base import (
    GraphInfo,
    QueryRequest,
    QueryTimeout,
    SerializedResult,
    StoreBackend,
    StoreError,
    StoreUnavailable,
    UpdateRequest,
)
from migkg.stores.limits import QueryPolicy
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.snapshots import Snapshots
from migkg.stores.sparql_text import check_remote
from migkg.stores.workers import WorkerPool

log = logging.getLogger(__name__)

_NT = rdf_format("nt")  # graphs cross the worker pipe as N-Triples


class PooledOxigraphBackend(StoreBackend):
    """Queries in worker processes over snapshots of ``store_dir``; updates applied by the server."""

    def __init__(self, store_dir: Path, policy: QueryPolicy, workers: int = 2,
                 admission: AdmissionPolicy | None = None, journal: Journal | None = None) -> None:
        self.store_dir = store_dir
        self.policy = policy
        self.journal = journal
        self.snapshots = Snapshots(store_dir)
        generation, path = self.snapshots.take()
        self.pool = WorkerPool(path, workers, policy, admission, generation)
        self._gate = threading.Lock()
        self._local: OxigraphBackend | None = self._open_local(path)
        self._local_generation = generation
        self._local_readers: Counter[int] = Counter()
        self._writer = threading.Lock()  # one update at a time
        self._graphs: list[GraphInfo] | None = None

    def _open_local(self, snapshot: Path) -> OxigraphBackend:
        return OxigraphBackend(ox.Store.read_only(str(snapshot)), self.policy)

    @contextmanager
    def _reading(self) -> Iterator[OxigraphBackend]:
        with self._gate:
            local, generation = self._local, self._local_generation
            if local is None:
                raise StoreUnavailable("the store is closed")
            self._local_readers[generation] += 1
        try:
            yield local
        finally:
            with self._gate:
                self._local_readers[generation] -= 1

    def _timeout(self, timeout_s: float | None) -> float:
        return timeout_s or self.policy.timeout_s or 30.0

    # --- queries ---------------------------------------------------------------------------------

    def _check(self, request: QueryRequest) -> None:
        check_remote(request.sparql, self.policy.service_allowlist, request.base_iri)

    async def aexecute(self, request: QueryRequest, *, results_format: ResultsFormat,
                       rdf_format: RdfFormat, timeout_s: float | None = None) -> SerializedResult:
        """Run a query in a worker process; the event loop only waits on its pipe."""
        self._check(request)
        return await self.pool.arun(request, results_format.name, rdf_format.name,
                                    self._timeout(timeout_s))

    def execute(self, request: QueryRequest, *, results_format: ResultsFormat,
                rdf_format: RdfFormat, timeout_s: float | None = None) -> SerializedResult:
        """Run a query in a worker process, blocking the calling thread."""
        self._check(request)
        return self.pool.run(request, results_format.name, rdf_format.name,
                             self._timeout(timeout_s))

    # --- updates ---------------------------------------------------------------------------------

    def update(self, request: UpdateRequest) -> None:
        """Apply an update atomically; queries sent after it returns see it, running ones finish
        on the snapshot they started on."""
        wait_s = self._timeout(None)
        if not self._writer.acquire(timeout=wait_s):
            raise QueryTimeout(f"another update was still being applied after {wait_s:g} s")
        try:
            generation, path = self._apply(request)
            self.pool.switch(path, generation)
            local = self._open_local(path)
            with self._gate:
                self._local, self._local_generation = local, generation
                self._graphs = None
                reading = {g for g, n in self._local_readers.items() if n > 0}
            self.snapshots.prune(self.pool.generations_in_use() | reading)
        finally:
            self._writer.release()

    def _apply(self, request: UpdateRequest) -> tuple[int, Path]:
        """Open the store writable, update, snapshot, close it; the new snapshot. No traceback may
        keep the writable handle alive (RocksDB's lock is per process, so a second writer here
        would not be stopped)."""
        writable = OxigraphBackend(ox.Store(str(self.store_dir)), self.policy)
        writable.journal = self.journal
        failure: StoreError | None = None
        snapshot: tuple[int, Path] | None = None
        try:
            writable.update(request)
        except StoreError as err:
            failure = type(err)(str(err))  # a fresh exception: no frames holding the store
        writable.store.flush()
        if failure is None:
            try:
                snapshot = self.snapshots.take(writable.store)
            except OSError as err:
                failure = StoreError(f"the update was applied and journalled, but no snapshot of "
                                     f"the store could be taken for the readers ({err})")
        del writable
        gc.collect()  # the original exception's frames form cycles that may still hold the store
        if failure is not None:
            raise failure
        assert snapshot is not None
        return snapshot

    # --- dataset ---------------------------------------------------------------------------------

    def graphs(self) -> list[GraphInfo]:
        """Named graphs and their sizes (cached until the next update)."""
        cached = self._graphs
        if cached is None:
            with self._reading() as local:
                cached = self._graphs = local.graphs()
        return list(cached)

    def dump(self, rdf_format: RdfFormat, graphs: Sequence[str] | None = None) -> bytes:
        """Serialise the dataset or some graphs (in-process)."""
        with self._reading() as local:
            return local.dump(rdf_format, graphs)

    def close(self) -> None:
        """Stop the workers, drop the read-only handle and the snapshots."""
        self.pool.close()
        with self._gate:
            self._local = None
        gc.collect()
        self.snapshots.close()

