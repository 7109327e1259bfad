"""Figures computed from the store, kept until the store changes (or served stale while recomputed).

The web app gives each read a *generation*: a value that changes whenever the data may have changed
(:func:`migkg.web.generation.store_generation`: a counter bumped by every SPARQL Update the app
applies; a time bucket for a remote store, which others may write to). A :class:`ViewCache` keeps
each value with the generation it was computed from. Two policies:

* :meth:`ViewCache.get` (files, the ontology page, profiles): a value of an older generation is never
  served; the first reader of the new generation computes it, and readers that come meanwhile wait
  for that one computation instead of starting their own.
* :meth:`ViewCache.get_stale` (figures that may lag an update by one recomputation, e.g. the home
  page's): *stale-while-revalidate*. The value of the previous generation is served at once and a
  single recomputation runs in a background thread (never two at once for a key); once it is done
  the value follows the data. The caller is told which generation its value is from.

When the generation moves on, values of the old one are dropped, except those kept for
:meth:`~ViewCache.get_stale`, which stay until their recomputation replaces them.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cached(Generic[T]):
    """A value and the generation it was computed from (``fresh``: that is the current one)."""

    value: T
    generation: Hashable
    fresh: bool


@dataclass
class _Entry:
    value: object
    generation: Hashable
    stale_ok: bool


@dataclass
class _Flight:
    """One computation in progress: who waits for it learns its value (or that it failed)."""

    generation: Hashable
    done: threading.Event = field(default_factory=threading.Event)
    value: object = None
    failed: bool = False


class ViewCache:
    """A bounded, thread-safe map from keys to values of the store generation they were made from.

    >>> cache = ViewCache(maxsize=2)
    >>> cache.get(1, ("n", 1), lambda: "a"), cache.get(1, ("n", 1), lambda: "b")
    ('a', 'a')
    >>> cache.get(2, ("n", 1), lambda: "c")  # a new generation: never the old value
    'c'
    """

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._generation: Hashable = None
        self._items: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._refreshing: dict[Hashable, threading.Thread] = {}
        self._lock = threading.Lock()

    def _advance(self, generation: Hashable) -> None:
        """Move to ``generation`` (lock held): drop the old values no stale reader may use."""
        if generation == self._generation:
            return
        self._generation = generation
        for key in [k for k, e in self._items.items() if not e.stale_ok]:
            del self._items[key]

    def _keep(self, key: Hashable, value: object, generation: Hashable, stale_ok: bool) -> None:
        """Store ``value`` unless a newer generation's is there already (lock held)."""
        entry = self._items.get(key)
        if entry is not None and entry.generation == self._generation != generation:
            return
        if generation != self._generation and not stale_ok:
            return  # computed for a generation already gone
        self._items[key] = _Entry(value, generation, stale_ok)
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def get(self, generation: Hashable, key: Hashable, compute: Callable[[], T]) -> T:
        """The value under ``key`` computed for ``generation``: kept, or computed now (once, however
        many readers ask for it meanwhile)."""
        return self._fresh(generation, key, compute, stale_ok=False)

    def _fresh(self, generation: Hashable, key: Hashable, compute: Callable[[], T],
               stale_ok: bool) -> T:
        while True:
            with self._lock:
                self._advance(generation)
                entry = self._items.get(key)
                if entry is not None and entry.generation == generation:
                    self._items.move_to_end(key)
                    return cast(T, entry.value)
                flight = self._flights.get(key)
                leader = flight is None or flight.generation != generation
                if leader:
                    flight = self._flights[key] = _Flight(generation)
            assert flight is not None
            if leader:
                return self._compute(key, flight, compute, stale_ok)
            flight.done.wait()
            if not flight.failed and flight.generation == generation:
                return cast(T, flight.value)
            # the leader failed: try again (as the leader this time, unless another one is at it)

    def _compute(self, key: Hashable, flight: _Flight, compute: Callable[[], T],
                 stale_ok: bool) -> T:
        try:
            value = compute()
        except BaseException:
            flight.failed = True
            raise
        else:
            flight.value = value
            with self._lock:
                self._keep(key, value, flight.generation, stale_ok)
            return value
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()

    def get_stale(self, generation: Hashable, key: Hashable,
                  compute: Callable[[], T]) -> Cached[T]:
        """The value under ``key``: of ``generation`` when there is one; else the previous
        generation's at once, while one background thread computes the new one (a second reader
        meanwhile starts none); with no value at all, computed now."""
        with self._lock:
            self._advance(generation)
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
                fresh = entry.generation == generation
                if not fresh and key not in self._refreshing:
                    thread = threading.Thread(target=self._refresh, args=(generation, key, compute),
                                              name="migkg-view-refresh", daemon=True)
                    self._refreshing[key] = thread
                    thread.start()
                return Cached(cast(T, entry.value), entry.generation, fresh)
        value = self._fresh(generation, key, compute, stale_ok=True)
        return Cached(value, generation, True)

    def _refresh(self, generation: Hashable, key: Hashable, compute: Callable[[], object]) -> None:
        """Recompute ``key`` for ``generation`` in the background; a failure keeps the old value
        (the next reader tries again)."""
        try:
            self._fresh(generation, key, compute, stale_ok=True)
        except Exception as err:  # logged; the stale value stays served
            log.warning("recomputing %r failed: %s", key, err)
        finally:
            with self._lock:
                self._refreshing.pop(key, None)

    def wait_refreshed(self, timeout_s: float | None = None) -> bool:
        """Wait for the background recomputations in progress (True when none is left)."""
        with self._lock:
            threads = list(self._refreshing.values())
        for thread in threads:
            thread.join(timeout_s)
        with self._lock:
            return not any(t.is_alive() for t in self._refreshing.values())

    def refreshing(self) -> int:
        """Background recomputations in progress."""
        with self._lock:
            return len(self._refreshing)
