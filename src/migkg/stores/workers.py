"""Worker processes that run queries over a read-only snapshot of the store, killed at their deadline.

pyoxigraph cannot cancel a query, so a query that must be stoppable runs in a process of its own:
each worker opens a snapshot of the store (:mod:`migkg.stores.snapshots`) with ``Store.read_only``
(several processes can), answers one request at a time over a pipe with the result already
serialised, and is killed and replaced when its deadline passes. The event loop waits on the pipe's
file descriptor (no thread per query); synchronous callers block on the pipe instead. After an update
:meth:`WorkerPool.switch` names the new snapshot: idle workers open it at once, busy ones finish
their query on the old one and open the new one before their next query, so an update never stops
or waits for a reader, and every query sent after the update sees it.
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

from migkg.stores.admission import (
    AdmissionPolicy,
    Overloaded,
    Refused,
    Ticket,
    current,
    fingerprint,
)
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
    generation: int  # the snapshot it reads
    slow: bool = False  # in the slow lane: retired once its query is done
    untrusted: bool = False  # runs a query of a client without a record of quick queries
    pending: int = 1  # snapshots it was told to open and has not yet said it opened (its first)


@dataclass
class _Run:
    """One query's accounting: its client, its lane, the time it held a worker, its CPU time."""

    ticket: Ticket | None
    query: str  # the fingerprint of its text
    slow: bool
    held: float | None = None
    cpu: float | None = None


class _Waiter:
    """Someone waiting for an idle worker: a future on an event loop, or a blocked thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None, trusted: bool = True) -> None:
        self.loop = loop
        self.trusted = trusted
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


_CPU_CHECK_S = 0.25  # past the wall-clock threshold, how often a query's CPU time is looked at
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(worker: _Worker) -> float | None:
    """CPU time (user + system) the worker process has used, from /proc; None where unknown."""
    try:
        fields = Path(f"/proc/{worker.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


def _worker_time(header: tuple[object, ...]) -> float | None:
    """The seconds the worker says the query took (the last field of its answer)."""
    last = header[-1]
    return float(last) if isinstance(last, float) else None


def _result(header: tuple[str, ...], body: bytes) -> SerializedResult:
    return SerializedResult(QueryForm(header[1]), header[2], body)


def _error(header: tuple[str, ...]) -> StoreError:
    return _ERRORS.get(header[1], StoreError)(header[2])


class WorkerCrashed(StoreError):
    """The worker process died while it ran the query (400: the query made it crash, e.g. a stack
    overflow the text limits did not foresee; the worker is replaced and the server goes on)."""

    status = 400


def _crashed(worker: _Worker) -> StoreError:
    """A worker killed by a signal while it ran the query (a stack overflow is SIGSEGV) was killed
    by the query: 400. Any other end (it could not start, it exited) is the server's: 500."""
    worker.process.join(1)
    code = worker.process.exitcode
    if code is not None and code < 0:
        return WorkerCrashed(f"the query stopped its worker process (signal {-code}); it is too "
                             "complex for this server: simplify it")
    return StoreError(f"the query worker ended (exit code {code})")


def _timeout(timeout_s: float) -> QueryTimeout:
    return QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped")


class WorkerPool:
    """``size`` worker processes over the store in ``store_dir``; one request per worker at a time.

    Admission (:mod:`migkg.stores.admission`): a request of an accounted client is charged the worker
    time it used; a query still running after ``slow_after_s`` leaves the fast pool for the slow lane
    (its worker reniced, a fresh worker spawned in its place, the old one retired after the query),
    or is stopped when the lane has no place for it. At most ``max_waiting`` requests wait for a
    worker, each at most ``max_wait_s``. ``store_dir`` is the snapshot the workers read first, its
    number ``generation``; :meth:`switch` names the next.
    """

    def __init__(self, store_dir: Path, size: int, policy: QueryPolicy,
                 admission: AdmissionPolicy | None = None, generation: int = 0) -> None:
        self.store_dir = store_dir
        self.generation = generation
        self.size = size
        self.policy = policy
        self.admission = admission or AdmissionPolicy()
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["migkg.stores.worker_process"])
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._slow: set[_Worker] = set()
        self._live: set[_Worker] = set()  # every worker not yet reaped (they hold snapshots open)
        self._waiters: deque[_Waiter] = deque()
        self._untrusted_waiters: deque[_Waiter] = deque()
        self._untrusted_busy = 0
        # Workers untrusted clients may hold at once: the others are kept for known clients.
        self.untrusted_cap = max(1, size - self.admission.reserved_workers)
        self._closed = False
        self._idle.extend(self._spawn() for _ in range(size))

    def _spawn(self) -> _Worker:
        with self._lock:
            path, generation = self.store_dir, self.generation
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=worker_main, args=(child, str(path), self.policy),
                                    name="migkg-query-worker", daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent, generation)
        with self._lock:
            self._live.add(worker)
        return worker

    def _reaped(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._lock:
            return [w.process.pid for w in self._idle if w.process.pid is not None]

    def slow_pids(self) -> list[int]:
        """Process ids of the workers in the slow lane."""
        with self._lock:
            return [w.process.pid for w in self._slow if w.process.pid is not None]

    def waiting(self) -> tuple[int, int]:
        """Requests waiting for a worker: of trusted clients, of the others."""
        with self._lock:
            return len(self._waiters), len(self._untrusted_waiters)

    # --- snapshots -------------------------------------------------------------------------------

    def switch(self, store_dir: Path, generation: int) -> None:
        """Read the snapshot in ``store_dir`` from now on: idle workers open it now, busy ones
        when they are given back (a query running on the old snapshot finishes there)."""
        with self._lock:
            self.store_dir, self.generation = store_dir, generation
            for worker in self._idle:
                self._refresh(worker)

    def _refresh(self, worker: _Worker) -> bool:
        """Make an idle ``worker`` open the current snapshot before its next query (lock held);
        True when it had to. The message needs no answer: the worker reads the next query after
        it."""
        if worker.generation == self.generation:
            return False
        with contextlib.suppress(OSError):  # a dead worker: its next query says so
            worker.conn.send(("open", str(self.store_dir)))
            worker.pending += 1
        worker.generation = self.generation
        return True

    def generations_in_use(self) -> set[int]:
        """The snapshots some worker (idle, busy, or not yet reaped) still reads."""
        with self._lock:
            return {worker.generation for worker in self._live}

    # --- handing workers out ---------------------------------------------------------------------

    def _take(self, waiter: _Waiter) -> _Worker | None:
        """An idle worker, or None when ``waiter`` was queued. A client not trusted (no record of
        quick queries: a new client, a runaway loop) gets one only while fewer than
        ``untrusted_cap`` workers run such clients' queries: the rest are kept for known clients."""
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the store is shutting down")
            if self._idle and (waiter.trusted or self._untrusted_busy < self.untrusted_cap):
                return self._mark(self._idle.pop(), waiter)
            waiting = len(self._waiters) + len(self._untrusted_waiters)
            if waiting >= self.admission.max_waiting:
                raise Overloaded(f"all {self.size} query workers are busy and {waiting} "
                                 "requests are waiting (MIGKG_MAX_WAITING_QUERIES); retry shortly")
            (self._waiters if waiter.trusted else self._untrusted_waiters).append(waiter)
            return None

    def _mark(self, worker: _Worker, waiter: _Waiter) -> _Worker:
        """Count ``worker`` as running an untrusted client's query when it does (lock held)."""
        if not waiter.trusted:
            worker.untrusted = True
            self._untrusted_busy += 1
        return worker

    def _unmark(self, worker: _Worker) -> None:
        """``worker`` no longer runs an untrusted client's query in the fast pool."""
        with self._lock:
            if worker.untrusted:
                worker.untrusted = False
                self._untrusted_busy -= 1

    def _next_waiter(self) -> _Waiter | None:
        """Who gets a free worker (lock held): a known client first, then an untrusted one when
        the untrusted clients' share is not used up."""
        if self._waiters:
            return self._waiters.popleft()
        if self._untrusted_waiters and self._untrusted_busy < self.untrusted_cap:
            return self._untrusted_waiters.popleft()
        return None

    def _busy(self, waited_s: float) -> Overloaded:
        return Overloaded(f"no query worker became free within {waited_s:g} s (MIGKG_MAX_WAIT_S); "
                          "retry shortly", 2)

    def release(self, worker: _Worker) -> None:
        """Give a worker back: to the first waiter, or to the idle list (a slow one is retired)."""
        if worker.slow:
            self._retire(worker)
            return
        self._unmark(worker)
        with self._lock:
            reopening = self._refresh(worker)
            waiter = None if self._closed else self._next_waiter()
            if waiter is None:
                if reopening:  # busy opening the snapshot: the last to be handed out (pop())
                    self._idle.insert(0, worker)
                else:
                    self._idle.append(worker)
                return
            self._mark(worker, waiter)
        waiter.deliver(worker, self)

    def _forget(self, waiter: _Waiter) -> None:
        with self._lock:
            for queue in (self._waiters, self._untrusted_waiters):
                with contextlib.suppress(ValueError):
                    queue.remove(waiter)

    def _retire(self, worker: _Worker) -> None:
        """Stop a worker of the slow lane (its replacement is already in the fast pool); reaped in
        a thread, so that the event loop never waits on it."""
        with self._lock:
            self._slow.discard(worker)
        worker.process.kill()

        def reap() -> None:
            worker.process.join(5)
            worker.conn.close()
            self._reaped(worker)

        threading.Thread(target=reap, name="migkg-reap-worker", daemon=True).start()

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (its query is abandoned) and put a fresh one in its place."""
        if worker.slow:
            self._retire(worker)
            return
        self._unmark(worker)
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._reaped(worker)
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

    # --- lanes -----------------------------------------------------------------------------------

    def _admit(self, ticket: Ticket | None, query: str) -> bool:
        """Check the client's budget; True when the query starts in the slow lane (its text ran
        long or was stopped lately, or its client is suspect and the text has no quick record)."""
        if ticket is None:
            return False
        ticket.ledger.check_budget(ticket.client)
        why = ticket.ledger.starts_slow(ticket.client, query)
        if why is None:
            return False
        ticket.ledger.enter_slow(ticket.client, why, query)
        return True

    def _demote(self, run: _Run, worker: _Worker) -> bool:
        """The query on ``worker`` passed the threshold: its text is remembered as long, and it
        takes a place in the slow lane (True), or it is stopped and the refusal raised (its client
        is not held to blame: the lane was full)."""
        assert run.ticket is not None
        run.ticket.ledger.note_long(run.query)
        why = f"the query ran past {self.admission.slow_after_s:g} s"
        try:
            run.ticket.ledger.enter_slow(run.ticket.client, why, run.query)
            return True
        except Refused:
            self._replace(worker)
            raise

    def _detach(self, worker: _Worker) -> None:
        """Move ``worker`` to the slow lane (reniced); the caller spawns its replacement."""
        self._unmark(worker)
        with self._lock:
            worker.slow = True
            self._slow.add(worker)
        self._renice(worker)

    def _renice(self, worker: _Worker) -> None:
        if worker.process.pid is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, worker.process.pid, self.admission.slow_nice)

    def _settle(self, run: _Run) -> None:
        """Charge the client (the CPU time its worker reported, else the time it held the worker);
        a query that used ``suspect_after_s`` of CPU is remembered as long (its text, not its
        client), one that answered within ``slow_after_s`` as quick (both)."""
        ticket, held_s, cpu_s = run.ticket, run.held, run.cpu
        if ticket is None:
            return
        if held_s is not None:
            ticket.ledger.charge(ticket.client, cpu_s if cpu_s is not None else held_s)
        if cpu_s is not None and cpu_s >= self.admission.suspect_after_s:
            ticket.ledger.note_long(run.query)
        elif cpu_s is not None and held_s is not None and held_s < self.admission.slow_after_s:
            ticket.ledger.note_quick(ticket.client, run.query)
        if run.slow:
            ticket.ledger.leave_slow(ticket.client)

    def _used_enough(self, worker: _Worker, cpu_at_start: float | None) -> bool:
        """Whether the query has used ``slow_cpu_s`` of CPU time (unknown: assume so). A cheap query
        that is slow only because the machine is busy keeps its place in the fast pool."""
        now = _cpu_seconds(worker)
        if now is None or cpu_at_start is None:
            return True
        return now - cpu_at_start >= self.admission.slow_cpu_s

    async def _runs_long(self, loop: asyncio.AbstractEventLoop, worker: _Worker, first: float,
                         deadline: float) -> bool:
        """Wait for the answer until ``first``, then while the query has not used ``slow_cpu_s``
        of CPU, up to twice ``first``'s delay: True when it is long, False when the answer came (or
        the deadline did)."""
        cpu_at_start = _cpu_seconds(worker)
        until, last = first, first + self.admission.slow_after_s
        while not await _wait_readable(loop, worker.conn, min(until, deadline)):
            now = loop.time()
            if now >= deadline or now >= last or self._used_enough(worker, cpu_at_start):
                return now < deadline
            until = now + _CPU_CHECK_S
        return False

    def _runs_long_sync(self, worker: _Worker, first: float, deadline: float) -> bool:
        """:meth:`_runs_long` for a blocked thread (times from ``time.monotonic``)."""
        cpu_at_start = _cpu_seconds(worker)
        until, last = first, first + self.admission.slow_after_s
        while not worker.conn.poll(max(min(until, deadline) - time.monotonic(), 0)):
            now = time.monotonic()
            if now >= deadline or now >= last or self._used_enough(worker, cpu_at_start):
                return now < deadline
            until = now + _CPU_CHECK_S
        return False

    def _limits(self, run: _Run, started: float, timeout_s: float) -> tuple[float, float | None]:
        """The query's deadline, and when it moves to the slow lane (None: it never does, being
        there already, or not accounted)."""
        after = self.admission.slow_after_s
        moves = not (run.ticket is None or run.slow or after >= timeout_s)
        return started + timeout_s, started + after if moves else None

    @contextlib.contextmanager
    def _accounted(self, request: QueryRequest) -> Iterator[_Run]:
        """Around one query: the client's budget checked (and its lane chosen) before, the client
        charged and the query judged after; a query that ran to its deadline makes its text
        runaway and its client suspect."""
        ticket = current.get()
        query = fingerprint(request.sparql) if ticket is not None else ""
        run = _Run(ticket, query, self._admit(ticket, query))
        try:
            yield run
        except QueryTimeout:
            if ticket is not None:
                ticket.ledger.note_stopped(ticket.client, query)
            raise
        finally:
            self._settle(run)

    def _spawn_slow(self) -> _Worker:
        """A worker of its own for a query that starts in the slow lane (the fast pool keeps all
        of its workers)."""
        worker = self._spawn()
        with self._lock:
            worker.slow = True
            self._slow.add(worker)
        self._renice(worker)
        return worker

    @staticmethod
    def _opened(worker: _Worker) -> None:
        """Read one "opened" message of ``worker`` (it says so after opening a snapshot)."""
        message = worker.conn.recv()
        if message[0] != "opened":
            raise EOFError(f"unexpected message from a query worker: {message[0]!r}")
        worker.pending -= 1

    async def _aready(self, loop: asyncio.AbstractEventLoop, worker: _Worker, until: float) -> None:
        """Wait until ``worker`` has opened the snapshots it was told to (a fresh worker: its
        first), so that no query's time includes opening one."""
        while worker.pending > 0:
            if not await _wait_readable(loop, worker.conn, until):
                raise TimeoutError
            self._opened(worker)

    def _ready(self, worker: _Worker, until: float) -> None:
        """:meth:`_aready` for a blocked thread (``until`` from ``time.monotonic``)."""
        while worker.pending > 0:
            if not worker.conn.poll(max(until - time.monotonic(), 0)):
                raise TimeoutError
            self._opened(worker)

    @staticmethod
    def _trusted(ticket: Ticket | None) -> bool:
        """Library callers outside a request, and clients with quick queries to their name."""
        return ticket is None or ticket.ledger.is_trusted(ticket.client)

    def _header(self, worker: _Worker, run: _Run) -> tuple[str, ...]:
        """The worker's answer header (its CPU time noted); an error answer is raised."""
        header: tuple[str, ...] = worker.conn.recv()
        run.cpu = _worker_time(header)
        if header[0] != "ok":
            self.release(worker)
            raise _error(header)
        return header

    # --- async use (the web app) -----------------------------------------------------------------

    async def arun(self, request: QueryRequest, results_name: str, rdf_name: str,
                   timeout_s: float) -> SerializedResult:
        """Run a query in a worker without blocking the event loop; kill it at ``timeout_s``."""
        loop = asyncio.get_running_loop()
        with self._accounted(request) as run:
            if run.slow:  # it starts in the slow lane, in a worker of its own
                worker = await loop.run_in_executor(None, self._spawn_slow)
            else:
                worker = await self._atake(loop, run, timeout_s)
            started = loop.time()
            try:
                with self._guarded(worker, timeout_s):
                    await self._aready(loop, worker, started + timeout_s)
                    started = loop.time()
                    deadline, threshold = self._limits(run, started, timeout_s)
                    worker.conn.send(("query", request, results_name, rdf_name))
                    if threshold is not None and run.ticket is not None:
                        run.slow = (await self._runs_long(loop, worker, threshold, deadline)
                                    and self._demote(run, worker))
                        if run.slow:  # it leaves the fast pool for the slow lane
                            self._detach(worker)
                            self.release(await loop.run_in_executor(None, self._spawn))
                    if not await _wait_readable(loop, worker.conn, deadline):
                        raise TimeoutError
                    header = self._header(worker, run)
                    if int(header[3]) > _LARGE_BODY:
                        body = await loop.run_in_executor(None, worker.conn.recv_bytes)
                    else:
                        body = worker.conn.recv_bytes()
            finally:
                run.held = loop.time() - started
            self.release(worker)
            return _result(header, body)

    async def _atake(self, loop: asyncio.AbstractEventLoop, run: _Run,
                     timeout_s: float) -> _Worker:
        """A fast-pool worker: an idle one, or the first given back within ``max_wait_s``."""
        waiter = _Waiter(loop, self._trusted(run.ticket))
        worker = self._take(waiter)
        if worker is not None:
            return worker
        assert waiter.future is not None
        wait_s = min(timeout_s, self.admission.max_wait_s)
        try:
            return await asyncio.wait_for(waiter.future, wait_s)
        except TimeoutError:
            self._forget(waiter)
            raise self._busy(wait_s) from None

    # --- sync use (library callers in threads) ---------------------------------------------------

    def run(self, request: QueryRequest, results_name: str, rdf_name: str,
            timeout_s: float) -> SerializedResult:
        """Run a query in a worker, blocking the calling thread; kill it at ``timeout_s``."""
        with self._accounted(request) as run:
            worker = self._spawn_slow() if run.slow else self._take_sync(run, timeout_s)
            started = time.monotonic()
            try:
                with self._guarded(worker, timeout_s):
                    self._ready(worker, started + timeout_s)
                    started = time.monotonic()
                    deadline, threshold = self._limits(run, started, timeout_s)
                    worker.conn.send(("query", request, results_name, rdf_name))
                    if threshold is not None and run.ticket is not None:
                        run.slow = (self._runs_long_sync(worker, threshold, deadline)
                                    and self._demote(run, worker))
                        if run.slow:  # it leaves the fast pool for the slow lane
                            self._detach(worker)
                            self.release(self._spawn())
                    if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                        raise TimeoutError
                    header = self._header(worker, run)
                    body = worker.conn.recv_bytes()
            finally:
                run.held = time.monotonic() - started
            self.release(worker)
            return _result(header, body)

    def _take_sync(self, run: _Run, timeout_s: float) -> _Worker:
        """:meth:`_atake` for a blocked thread."""
        waiter = _Waiter(trusted=self._trusted(run.ticket))
        worker = self._take(waiter)
        if worker is not None:
            return worker
        wait_s = min(timeout_s, self.admission.max_wait_s)
        if not waiter.event.wait(wait_s):
            self._forget(waiter)
            if not waiter.event.is_set():
                raise self._busy(wait_s)
        assert waiter.worker is not None
        return waiter.worker

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
            slow = list(self._slow)
            self._live.clear()
        for worker in slow:
            worker.process.kill()
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(("stop",))
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
            worker.conn.close()


async def _wait_readable(loop: asyncio.AbstractEventLoop, conn: Connection, until: float) -> bool:
    """Wait until ``conn`` has data (True) or ``until`` passes (False; event-loop time)."""
    if conn.poll(0):
        return True
    future: asyncio.Future[bool] = loop.create_future()

    def wake() -> None:
        if not future.done():
            future.set_result(True)

    def expire() -> None:
        if not future.done():
            future.set_result(False)

    fd = conn.fileno()
    loop.add_reader(fd, wake)
    timer = loop.call_at(until, expire)
    try:
        return await future
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        if not os.get_blocking(fd):  # uvloop makes watched descriptors non-blocking
            os.set_blocking(fd, True)
