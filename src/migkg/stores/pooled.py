"""The served store: an on-disk Oxigraph database read by worker processes, written by the server.

:class:`PooledOxigraphBackend` speaks the :class:`~migkg.stores.base.Backend` protocol; its
``aexecute`` waits on a worker's pipe, not on a thread. Endpoint queries run in a :class:`WorkerPool`
(hard timeout), and so do the library's reads (pages, explorer, statistics): every query has a
deadline. Only graph listings and dumps read in-process, on a read-only handle. An update pauses
every reader, opens the database writable, applies the update in one transaction, closes it and
reopens the readers, so that they see the change and never read while it is written.
"""

from __future__ import annotations

import gc
import logging
import threading
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
    UpdateRequest,
)
from migkg.stores.limits import QueryPolicy
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.sparql_text import check_remote
from migkg.stores.workers import WorkerPool

log = logging.getLogger(__name__)

_NT = rdf_format("nt")  # graphs cross the worker pipe as N-Triples


class PooledOxigraphBackend(StoreBackend):
    """Queries in worker processes over ``store_dir``; updates applied atomically by the server."""

    def __init__(self, store_dir: Path, policy: QueryPolicy, workers: int = 2,
                 admission: AdmissionPolicy | None = None, journal: Journal | None = None) -> None:
        self.store_dir = store_dir
        self.policy = policy
        self.journal = journal
        self.pool = WorkerPool(store_dir, workers, policy, admission)
        self._local: OxigraphBackend | None = self._open_local()
        self._readers = 0
        self._gate = threading.Condition()
        self._writing = False
        self._graphs: list[GraphInfo] | None = None

    def _open_local(self) -> OxigraphBackend:
        return OxigraphBackend(ox.Store.read_only(str(self.store_dir)), self.policy)

    @contextmanager
    def _reading(self) -> Iterator[OxigraphBackend]:
        wait_s = self._timeout(None)
        with self._gate:
            if not self._gate.wait_for(lambda: not self._writing, timeout=wait_s):
                raise QueryTimeout(f"an update was still being applied after {wait_s:g} s")
            self._readers += 1
            local = self._local
        try:
            assert local is not None
            yield local
        finally:
            with self._gate:
                self._readers -= 1
                self._gate.notify_all()

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
        """Apply an update atomically; readers are paused meanwhile and see it afterwards."""
        wait_s = self._timeout(None)
        with self._gate:
            if not self._gate.wait_for(lambda: not self._writing, timeout=wait_s):
                raise QueryTimeout(f"another update was still being applied after {wait_s:g} s")
            self._writing = True
            if not self._gate.wait_for(lambda: self._readers == 0, timeout=wait_s):
                self._writing = False
                self._gate.notify_all()
                raise QueryTimeout(f"the store was still being read after {wait_s:g} s; try again")
            self._local = None
        try:
            with self.pool.paused(self._timeout(None)):
                self._apply(request)
        finally:
            with self._gate:
                self._local = self._open_local()
                self._graphs = None
                self._writing = False
                self._gate.notify_all()

    def _apply(self, request: UpdateRequest) -> None:
        """Open the store writable, update, close it. No traceback may keep the writable handle
        alive (RocksDB's lock is per process, so a second writer here would not be stopped)."""
        writable = OxigraphBackend(ox.Store(str(self.store_dir)), self.policy)
        writable.journal = self.journal
        failure: StoreError | None = None
        try:
            writable.update(request)
        except StoreError as err:
            failure = type(err)(str(err))  # a fresh exception: no frames holding the store
        writable.store.flush()
        del writable
        gc.collect()  # the original exception's frames form cycles that may still hold the store
        if failure is not None:
            raise failure

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
        """Stop the workers and drop the read-only handle."""
        self.pool.close()
        with self._gate:
            self._local = None

