"""Admission control: who may use a query worker, for how long, and in which lane.

One :class:`Ledger` per server keeps, for each client (an address, see :mod:`migkg.web.admission`):

* a **budget** of worker-seconds, a token bucket holding ``budget_s`` and refilled at
  ``budget_s / window_s`` per second; every query is charged the CPU time its worker used (a query
  stopped at the deadline: the time it held the worker), and a client
  whose bucket is empty is refused with **429** and ``Retry-After`` (the time until it refills);
* the requests it has **in flight** (the web layer refuses more than ``max_parallel`` with 429);
* whether it is **suspect**: one of its queries ran to its deadline and was stopped (the runaway
  loop's mark) within ``slow_memory_s``. A suspect client gets no overflow place in the slow lane,
  and its queries without a record of answering quickly start there (see below); its other
  queries still run in the fast pool. Neither a long query that finishes, nor a query stopped for
  want of a slow-lane place, makes a client suspect.
* whether it is **trusted**: it has quick queries to its name and is not suspect. Clients not
  trusted (new ones included) share all but ``reserved_workers`` of the fast pool's workers (the
  pool keeps the rest, and the head of its queue, for trusted clients); nothing else is withheld
  from a new client.

Queries are judged too, by their **fingerprint** (:func:`fingerprint`: the text with its white space
collapsed), in two bounded records of the last ``_MAX_QUERIES`` texts each (long or runaway texts;
texts that answered quickly):

* a query that has not answered after ``slow_after_s`` and has used ``slow_cpu_s`` of CPU, or after
  twice ``slow_after_s`` whatever it used (a cheap query slow only because the machine is busy gets
  the extra time), moves to the **slow lane**: its worker is reniced and a fresh worker takes its
  place in the fast pool, so cheap queries, pages and the explorer always find one. The lane has
  ``slow_lane`` places, and ``overflow`` further places for queries of clients that are not suspect
  and whose text has not been stopped at the deadline; one long query per client at a time. With no
  place left the query is stopped with **503** (or 429: the client's one long query runs already)
  and ``Retry-After``;
* a text that went to the slow lane, or used ``suspect_after_s`` of CPU, is **long** for
  ``slow_memory_s``: its next runs, by any client, start in the slow lane (in a worker of their own)
  instead of taking a fast-pool worker first; a text stopped at its deadline is **runaway** for as
  long and never gets an overflow place. A run that answers quickly clears both marks.

The client of the running request is a context variable set by the web layer (:data:`current`);
library callers outside a request (the CLI, builds) have none and are not accounted.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass, field

from migkg.stores.base import StoreError
from migkg.stores.settings_map import FromSettings, setting


class Refused(StoreError):
    """A request refused for now; ``retry_after`` (seconds) goes into the ``Retry-After`` header."""

    status = 503

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


class Overloaded(Refused):
    """The server is busy (503): every worker taken, the wait queue or the slow lane full."""

    status = 503


class OverBudget(Refused):
    """The client has used its share (429): its worker-second budget, its parallel requests, or its
    one slow query."""

    status = 429


@dataclass(frozen=True)
class AdmissionPolicy(FromSettings):
    """The admission settings (``MIGKG_CLIENT_*``, ``MIGKG_SLOW_*``, ``MIGKG_MAX_WAIT*``)."""

    budget_s: float = setting("client_budget_s", 120.0)
    window_s: float = setting("client_budget_window_s", 60.0)
    max_parallel: int = setting("client_max_parallel", 8)
    slow_after_s: float = setting("slow_query_after_s", 0.5)
    slow_cpu_s: float = setting("slow_query_cpu_s", 0.25)
    suspect_after_s: float = setting("slow_client_after_s", 5.0)
    overflow: int = setting("slow_lane_overflow", 8)
    slow_lane: int = setting("slow_lane_workers", 2)
    slow_memory_s: float = setting("slow_client_memory_s", 60.0)
    slow_nice: int = setting("slow_lane_nice", 19)
    max_waiting: int = setting("max_waiting_queries", 64)
    max_wait_s: float = setting("max_wait_s", 10.0)
    max_inflight: int = setting("max_inflight_requests", 256)
    reserved_workers: int = setting("reserved_workers", 2)


@dataclass
class _Client:
    tokens: float
    updated: float
    spent: float = 0.0
    in_flight: int = 0
    slow_until: float = 0.0
    slow_running: int = 0
    quick: int = 0  # queries answered within slow_after_s: a record that earns overflow places


@dataclass(frozen=True)
class Ticket:
    """The client a request runs for, and the ledger it is accounted in."""

    client: str
    ledger: Ledger


#: The client of the request being served (set by the web layer; None outside a request).
current: ContextVar[Ticket | None] = ContextVar("migkg_admission", default=None)

_MAX_CLIENTS = 10_000  # past this many remembered clients, idle ones with full buckets are dropped
_MAX_QUERIES = 4_096  # query fingerprints remembered (least recently seen dropped first)


def fingerprint(sparql: str) -> str:
    """What identifies a query's text for its cost record: a digest of it, white space collapsed.

    >>> fingerprint("SELECT *  WHERE {\\n ?s ?p ?o }") == fingerprint("SELECT * WHERE { ?s ?p ?o }")
    True
    """
    return hashlib.blake2b(" ".join(sparql.split()).encode("utf-8"), digest_size=12).hexdigest()


@dataclass
class _Query:
    long_until: float = 0.0  # went to the slow lane or used much CPU: start there
    stopped_until: float = 0.0  # stopped at its deadline: a runaway text, no overflow place


@dataclass
class Ledger:
    """Budgets, parallel requests and slow-lane places of every client (thread-safe)."""

    policy: AdmissionPolicy = field(default_factory=AdmissionPolicy)
    _clients: dict[str, _Client] = field(default_factory=dict)
    _queries: OrderedDict[str, _Query] = field(default_factory=OrderedDict)  # long and runaway
    # Texts whose last run answered quickly: a record of their own, so that a stream of distinct
    # lookups never pushes the few long and runaway texts out of theirs.
    _quick: OrderedDict[str, None] = field(default_factory=OrderedDict)
    _slow_running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def _rate(self) -> float:
        return self.policy.budget_s / self.policy.window_s

    def _get(self, client: str, now: float) -> _Client:
        state = self._clients.get(client)
        if state is None:
            if len(self._clients) >= _MAX_CLIENTS:
                self._prune(now)
            state = self._clients[client] = _Client(self.policy.budget_s, now)
        else:
            state.tokens = min(self.policy.budget_s,
                               state.tokens + (now - state.updated) * self._rate)
            state.updated = now
        return state

    def _prune(self, now: float) -> None:
        for name, state in list(self._clients.items()):
            refilled = state.tokens + (now - state.updated) * self._rate
            if (not state.in_flight and not state.slow_running and state.slow_until < now
                    and refilled >= self.policy.budget_s):
                del self._clients[name]

    # --- budget ----------------------------------------------------------------------------------

    def check_budget(self, client: str) -> None:
        """Raise :class:`OverBudget` when ``client``'s bucket is empty."""
        now = time.monotonic()
        with self._lock:
            state = self._get(client, now)
            if state.tokens > 0:
                return
            wait = (1.0 - state.tokens) / self._rate  # until a second of work is back
        raise OverBudget(
            f"client {client} has used its budget of {self.policy.budget_s:g} worker-seconds per "
            f"{self.policy.window_s:g} s (its queries ran {state.spent:.1f} s in all); retry after "
            f"{math.ceil(wait)} s, or make the queries cheaper (add LIMIT, bind more variables)",
            wait)

    def charge(self, client: str, seconds: float) -> None:
        """Take ``seconds`` of worker time out of ``client``'s bucket (it may go below zero)."""
        with self._lock:
            state = self._get(client, time.monotonic())
            state.tokens -= seconds
            state.spent += seconds

    def tokens(self, client: str) -> float:
        """What is left of ``client``'s budget (for tests and monitoring)."""
        with self._lock:
            return self._get(client, time.monotonic()).tokens

    # --- parallel requests (the web layer) -------------------------------------------------------

    def enter(self, client: str) -> None:
        """Count a request of ``client`` in; :class:`OverBudget` past ``max_parallel``."""
        with self._lock:
            state = self._get(client, time.monotonic())
            if state.in_flight >= self.policy.max_parallel:
                raise OverBudget(f"client {client} has {state.in_flight} requests in progress, the "
                                 f"most allowed at once (MIGKG_CLIENT_MAX_PARALLEL); send fewer in "
                                 f"parallel")
            state.in_flight += 1

    def leave(self, client: str) -> None:
        """Count a request of ``client`` out."""
        with self._lock:
            state = self._clients.get(client)
            if state is not None:
                state.in_flight = max(0, state.in_flight - 1)

    # --- suspect and trusted clients, long and runaway queries ------------------------------------

    def is_suspect(self, client: str) -> bool:
        """Whether a query of ``client`` was stopped at its deadline within ``slow_memory_s``."""
        with self._lock:
            state = self._clients.get(client)
            return state is not None and state.slow_until > time.monotonic()

    def mark_suspect(self, client: str) -> None:
        """Make ``client`` suspect for ``slow_memory_s`` (a query of it ran to its deadline)."""
        with self._lock:
            self._get(client, time.monotonic()).slow_until = (
                time.monotonic() + self.policy.slow_memory_s)

    def is_trusted(self, client: str) -> bool:
        """Whether ``client`` has quick queries to its name and is not suspect."""
        with self._lock:
            state = self._clients.get(client)
            return state is not None and state.quick > 0 and state.slow_until <= time.monotonic()

    def _query(self, key: str) -> _Query:
        """The record of the query ``key`` (lock held), made when missing; least recent dropped."""
        record = self._queries.get(key)
        if record is None:
            record = self._queries[key] = _Query()
            while len(self._queries) > _MAX_QUERIES:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(key)
        return record

    def note_quick(self, client: str, query: str | None = None) -> None:
        """A query of ``client`` (fingerprint ``query``) answered within ``slow_after_s``: a record
        for the client, and the query's long and runaway marks cleared."""
        with self._lock:
            self._get(client, time.monotonic()).quick += 1
            if query is not None:
                self._queries.pop(query, None)
                self._quick[query] = None
                self._quick.move_to_end(query)
                while len(self._quick) > _MAX_QUERIES:
                    self._quick.popitem(last=False)

    def note_long(self, query: str) -> None:
        """The query ``query`` ran long (the slow lane, or much CPU): its next runs start there."""
        with self._lock:
            self._query(query).long_until = time.monotonic() + self.policy.slow_memory_s
            self._quick.pop(query, None)

    def note_stopped(self, client: str, query: str) -> None:
        """The query ``query`` of ``client`` was stopped at its deadline: the client is suspect,
        the text runaway (and long)."""
        until = time.monotonic() + self.policy.slow_memory_s
        with self._lock:
            self._get(client, time.monotonic()).slow_until = until
            record = self._query(query)
            record.long_until = record.stopped_until = until
            self._quick.pop(query, None)

    def starts_slow(self, client: str, query: str) -> str | None:
        """Why a query of ``client`` starts in the slow lane (None: it starts in the fast pool): its
        text is long or runaway, or the client is suspect and the text has no record of answering
        quickly."""
        now = time.monotonic()
        with self._lock:
            record = self._queries.get(query)
            state = self._clients.get(client)
            if record is not None and record.long_until > now:
                runaway = record.stopped_until > now
                return (f"this query {'was stopped at its deadline' if runaway else 'ran long'} "
                        f"within the last {self.policy.slow_memory_s:g} s, so it runs in the slow lane")
            if query not in self._quick and state is not None and state.slow_until > now:
                return (f"a query of client {client} was stopped at its deadline within the last "
                        f"{self.policy.slow_memory_s:g} s, so its queries not known to be quick run "
                        "in the slow lane")
        return None

    # --- the slow lane ---------------------------------------------------------------------------

    def enter_slow(self, client: str, why: str, query: str | None = None) -> None:
        """Take a place in the slow lane for ``client``'s query ``query``, or raise why there is none
        (``why`` starts the message). A query of a client that is not suspect, whose text was not
        stopped at its deadline, may take one of the overflow places too."""
        with self._lock:
            now = time.monotonic()
            state = self._get(client, now)
            record = self._queries.get(query) if query is not None else None
            runaway = record is not None and record.stopped_until > now
            overflow = state.slow_until <= now and not runaway
            if state.slow_running >= 1:
                raise OverBudget(f"{why}; client {client} already has a long query running, and "
                                 "long queries run one at a time per client", 5)
            places = self.policy.slow_lane + (self.policy.overflow if overflow else 0)
            if self._slow_running >= places:
                raise Overloaded(f"{why}; the slow lane is full ({self._slow_running} long queries "
                                 "running): retry later, or make the query cheaper", 5)
            state.slow_running += 1
            self._slow_running += 1

    def leave_slow(self, client: str) -> None:
        """Give ``client``'s place in the slow lane back."""
        with self._lock:
            state = self._clients.get(client)
            if state is not None and state.slow_running:
                state.slow_running -= 1
                self._slow_running -= 1

    @property
    def slow_running(self) -> int:
        """Queries in the slow lane now."""
        with self._lock:
            return self._slow_running
