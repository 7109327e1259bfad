"""Figures computed from the store, kept until the store changes.

The web app gives each read a *generation*: a value that changes whenever the data may have changed
(:func:`migkg.web.generation.store_generation`: a counter bumped by every SPARQL Update the app
applies; a time bucket for a remote store, which others may write to). A :class:`ViewCache` keeps
values for one generation only and forgets them all when it moves on, so no page recomputes an
expensive figure per request and none serves a figure older than the data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class ViewCache:
    """A bounded, thread-safe map from ``(name, key)`` to values of one store generation.

    >>> cache = ViewCache(maxsize=2)
    >>> cache.get(1, ("n", 1), lambda: "a"), cache.get(1, ("n", 1), lambda: "b")
    ('a', 'a')
    >>> cache.get(2, ("n", 1), lambda: "c")  # a new generation drops what was kept
    'c'
    """

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._generation: Hashable = None
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, generation: Hashable, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under ``key`` for ``generation``, computing (and keeping) it if missing."""
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._generation = generation
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = compute()  # outside the lock: two first readers may both compute; both are right
        with self._lock:
            if generation == self._generation:
                self._items[key] = value
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return value
