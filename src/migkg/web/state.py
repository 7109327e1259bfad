"""What every route reads from the app, typed: its settings, backend, templates and caches.

Routes call these (or declare the ``Annotated`` dependencies) instead of reading ``app.state``;
:func:`migkg.web.app.create_app` is the one place that sets them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, TypeVar, cast

from fastapi import Depends, FastAPI
from fastapi.templating import Jinja2Templates
from starlette.requests import HTTPConnection

from migkg.catalogue.queries import CatalogueQuery
from migkg.config import Settings
from migkg.stores.base import Backend
from migkg.views.cache import Cached
from migkg.web.generation import store_generation, view_cache

T = TypeVar("T")


def _app(where: HTTPConnection | FastAPI) -> FastAPI:
    return where if isinstance(where, FastAPI) else cast(FastAPI, where.app)


def settings_of(where: HTTPConnection | FastAPI) -> Settings:
    """The app's settings."""
    return cast(Settings, _app(where).state.settings)


def backend_of(where: HTTPConnection | FastAPI) -> Backend:
    """The store the app serves."""
    return cast(Backend, _app(where).state.backend)


def templates_of(where: HTTPConnection | FastAPI) -> Jinja2Templates:
    """The page templates."""
    return cast(Jinja2Templates, _app(where).state.templates)


def catalogue_of(where: HTTPConnection | FastAPI) -> dict[str, CatalogueQuery]:
    """The query catalogue (``queries/cq``), loaded when the app is made."""
    return cast(dict[str, CatalogueQuery], _app(where).state.query_catalogue)


def cached(request: HTTPConnection, key: Hashable, compute: Callable[[], T]) -> T:
    """The one cache policy: ``compute()`` kept under ``key`` until the data changes (any update)."""
    return view_cache(request).get(store_generation(request), key, compute)  # type: ignore[arg-type]


def cached_stale(request: HTTPConnection, key: Hashable, compute: Callable[[], T]) -> Cached[T]:
    """Figures that may lag an update by one recomputation: the previous value served at once
    while one background thread recomputes it (stale-while-revalidate), with its generation."""
    return view_cache(request).get_stale(store_generation(request), key, compute)  # type: ignore[arg-type]


SettingsDep = Annotated[Settings, Depends(settings_of)]
BackendDep = Annotated[Backend, Depends(backend_of)]
