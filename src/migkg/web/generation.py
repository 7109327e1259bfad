"""The store generation: a value that changes whenever the data served may have changed.

Views cache expensive figures under it (:class:`migkg.views.cache.ViewCache`). The embedded store
changes only through this app's SPARQL Update (which calls :func:`bump_generation`); a remote store
may be written by others, so its generation is also a time bucket of :data:`REMOTE_TTL_S` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Hashable

from fastapi import FastAPI, Request

from migkg.views.cache import ViewCache

REMOTE_TTL_S = 300


def install(app: FastAPI) -> None:
    """Give ``app`` its generation counter and view cache."""
    app.state.store_generation = 0
    app.state.view_cache = ViewCache()


def bump_generation(app: FastAPI) -> None:
    """Mark the data as changed (after an update): cached views are recomputed on next read."""
    app.state.store_generation = getattr(app.state, "store_generation", 0) + 1


def store_generation(request: Request) -> Hashable:
    """The generation the request reads."""
    counter = getattr(request.app.state, "store_generation", 0)
    if request.app.state.settings.store == "remote":
        return (counter, int(time.time() // REMOTE_TTL_S))
    return counter


def counter_of(generation: Hashable) -> int:
    """The update counter in a generation (a remote store's also holds a time bucket).

    >>> counter_of(3), counter_of((3, 5873))
    (3, 3)
    """
    if isinstance(generation, tuple):
        return int(generation[0])
    return int(generation) if isinstance(generation, int) else 0


def view_cache(request: Request) -> ViewCache:
    """The app's view cache (created on first use when the app was not given one)."""
    cache: ViewCache | None = getattr(request.app.state, "view_cache", None)
    if cache is None:
        cache = request.app.state.view_cache = ViewCache()
    return cache
