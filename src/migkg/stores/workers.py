"""Worker processes that run queries over a read-only on-disk store, killed at their deadline.

pyoxigraph cannot cancel a query, so a query that must be stoppable runs in a process of its own:
each worker opens the store with ``Store.read_only`` (several processes can), answers one request at a
time over a pipe with the result already serialised, and is killed and replaced when its deadline
passes. The event loop waits on the pipe's file descriptor (no thread per query); synchronous callers
block on the pipe instead. :meth:`WorkerPool.paused` closes every worker's store so that a writer may
open the database (a read-only open while another process writes is undefined behaviour in RocksDB).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from migkg.stores.base import (
    InvalidRequest,
    QueryForm,
    QueryRefused,
    QueryRequest,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    SerializedResult,
    StoreError,
    StoreUnavailable,
)
from migkg.stores.limits import QueryPolicy
from migkg.stores.worker_process import worker_main

log = logging.getLogger(__name__)

_ERRORS: dict[str, type[StoreError]] = {
    cls.__name__: cls
    for cls in (StoreError, QuerySyntaxError, QueryRefused, InvalidRequest, ResultTooLarge)
}
_LARGE_BODY = 256 * 1024  # bigger bodies are read from the pipe in a thread, off the event loop


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection


class _Waiter:
    """Someone waiting for an idle worker: a future on an event loop, or a blocked thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop
        self.future: asyncio.Future[_Worker] | None = loop.create_future() if loop else None
        self.event = threading.Event()
        self.worker: _Worker | None = None

    def deliver(self, worker: _Worker, pool: WorkerPool) -> None:
        if self.loop is None or self.future is None:
            self.worker = worker
            self.event.set()
            return
        future = self.future

        def hand_over() -> None:
            if future.done():  # the waiter gave up meanwhile
                pool.release(worker)
            else:
                future.set_result(worker)

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:  # released on the waiter's own loop: no thread hop needed
            hand_over()
        else:
            self.loop.call_soon_threadsafe(hand_over)


def _result(header: tuple[str, ...], body: bytes) -> SerializedResult:
    return SerializedResult(QueryForm(header[1]), header[2], body)


def _error(header: tuple[str, ...]) -> StoreError:
    return _ERRORS.get(header[1], StoreError)(header[2])


class WorkerCrashed(StoreError):
    """The worker process died while it ran the query (400: the query made it crash, e.g. a stack
    overflow the text limits did not foresee; the worker is replaced and the server goes on)."""

    status = 400


def _crashed(worker: _Worker) -> WorkerCrashed:
    worker.process.join(1)
    code = worker.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return WorkerCrashed(f"the query stopped its worker process ({how}); it is too complex for "
                         "this server: simplify it")


def _timeout(timeout_s: float) -> QueryTimeout:
    return QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped")


class WorkerPool:
    """``size`` worker processes over the store in ``store_dir``; one request per worker at a time."""

    def __init__(self, store_dir: Path, size: int, policy: QueryPolicy) -> None:
        self.store_dir = store_dir
        self.size = size
        self.policy = policy
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["migkg.stores.worker_process"])
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._idle: list[_Worker] = []
        self._waiters: deque[_Waiter] = deque()
        self._paused = False
        self._closed = False
        self._idle.extend(self._spawn() for _ in range(size))

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=worker_main, args=(child, str(self.store_dir), self.policy),
                                    name="migkg-query-worker", daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._lock:
            return [w.process.pid for w in self._idle if w.process.pid is not None]

    # --- handing workers out ---------------------------------------------------------------------

    def _take(self, waiter: _Waiter) -> _Worker | None:
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the store is shutting down")
            if self._idle and not self._paused:
                return self._idle.pop()
            self._waiters.append(waiter)
            return None

    def release(self, worker: _Worker) -> None:
        """Give a worker back: to the first waiter, or to the idle list."""
        with self._lock:
            if self._paused or not self._waiters or self._closed:
                self._idle.append(worker)
                self._changed.notify_all()
                return
            waiter = self._waiters.popleft()
        waiter.deliver(worker, self)

    def _forget(self, waiter: _Waiter) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (its query is abandoned) and put a fresh one in its place."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        log.warning("query worker %s stopped; starting a new one", worker.process.pid)
        if not self._closed:
            self.release(self._spawn())

    @contextlib.contextmanager
    def _guarded(self, worker: _Worker, timeout_s: float) -> Iterator[None]:
        """Map what can go wrong while a worker runs a query; a worker in doubt is replaced."""
        try:
            yield
        except StoreError:
            raise
        except TimeoutError:
            self._replace(worker)
            raise _timeout(timeout_s) from None
        except (EOFError, OSError) as err:
            failure = _crashed(worker)
            self._replace(worker)
            raise failure from err
        except BaseException:  # cancelled: the query is abandoned, so is its worker
            self._replace(worker)
            raise

    # --- async use (the web app) -----------------------------------------------------------------

    async def arun(self, request: QueryRequest, results_name: str, rdf_name: str,
                   timeout_s: float) -> SerializedResult:
        """Run a query in a worker without blocking the event loop; kill it at ``timeout_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        waiter = _Waiter(loop)
        worker = self._take(waiter)
        if worker is None:
            assert waiter.future is not None
            try:
                worker = await asyncio.wait_for(waiter.future, timeout_s)
            except TimeoutError:
                self._forget(waiter)
                raise QueryTimeout(f"no query worker became free within {timeout_s:g} s") from None
        with self._guarded(worker, timeout_s):
            worker.conn.send(("query", request, results_name, rdf_name))
            await _readable(loop, worker.conn, deadline)
            header = worker.conn.recv()
            if header[0] != "ok":
                self.release(worker)
                raise _error(header)
            if header[3] > _LARGE_BODY:
                body = await loop.run_in_executor(None, worker.conn.recv_bytes)
            else:
                body = worker.conn.recv_bytes()
        self.release(worker)
        return _result(header, body)

    # --- sync use (library callers in threads) ---------------------------------------------------

    def run(self, request: QueryRequest, results_name: str, rdf_name: str,
            timeout_s: float) -> SerializedResult:
        """Run a query in a worker, blocking the calling thread; kill it at ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        waiter = _Waiter()
        worker = self._take(waiter)
        if worker is None:
            if not waiter.event.wait(timeout_s):
                self._forget(waiter)
                if not waiter.event.is_set():
                    raise QueryTimeout(f"no query worker became free within {timeout_s:g} s")
            worker = waiter.worker
            assert worker is not None
        with self._guarded(worker, timeout_s):
            worker.conn.send(("query", request, results_name, rdf_name))
            if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                raise TimeoutError
            header = worker.conn.recv()
            if header[0] != "ok":
                self.release(worker)
                raise _error(header)
            body = worker.conn.recv_bytes()
        self.release(worker)
        return _result(header, body)

    # --- exclusive access (updates) --------------------------------------------------------------

    @contextlib.contextmanager
    def paused(self, timeout_s: float) -> Iterator[None]:
        """Wait for every worker to be idle, close their stores, run the block, reopen them."""
        with self._lock:
            self._paused = True
            if not self._changed.wait_for(lambda: len(self._idle) >= self.size, timeout_s):
                self._paused = False
                raise StoreUnavailable("the store is busy; try the update again")
            workers = list(self._idle)
        try:
            for worker in workers:
                worker.conn.send(("close",))
            for worker in workers:
                worker.conn.recv()
            yield
        finally:
            for worker in workers:
                worker.conn.send(("open",))
            self._resume()

    def _resume(self) -> None:
        handed: list[tuple[_Waiter, _Worker]] = []
        with self._lock:
            self._paused = False
            while self._idle and self._waiters:
                handed.append((self._waiters.popleft(), self._idle.pop()))
        for waiter, worker in handed:
            waiter.deliver(worker, self)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(("stop",))
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
            worker.conn.close()


async def _readable(loop: asyncio.AbstractEventLoop, conn: Connection, deadline: float) -> None:
    """Wait until ``conn`` has data, or raise TimeoutError at ``deadline`` (event-loop time)."""
    if conn.poll(0):
        return
    future: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not future.done():
            future.set_result(None)

    def expire() -> None:
        if not future.done():
            future.set_exception(TimeoutError())

    fd = conn.fileno()
    loop.add_reader(fd, wake)
    timer = loop.call_at(deadline, expire)
    try:
        await future
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        if not os.get_blocking(fd):  # uvloop makes watched descriptors non-blocking
            os.set_blocking(fd, True)
