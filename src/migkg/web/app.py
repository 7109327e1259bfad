"""The web application: ``create_app(settings)`` assembles the routers over one backend."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from migkg import __version__
from migkg.catalogue.queries import load_catalogue
from migkg.config import Settings
from migkg.stores.base import Backend, StoreError
from migkg.web import (
    access_log,
    admission,
    countries,
    downloads,
    explore,
    generation,
    instruments,
    pictures,
    queries,
    resources,
    sparql,
)
from migkg.web.responses import install_not_found

#: The router modules, each one ``router``: /sparql; /explore; /queries; /instruments; /countries;
#: /map and /timeline; /id, /doc, /ontology, home and search; /downloads and /dataset.
ROUTERS = (sparql, explore, queries, instruments, countries, pictures, resources, downloads)

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent


def create_app(settings: Settings, backend: Backend) -> FastAPI:
    """The FastAPI app serving ``backend``; the app owns the backend and closes it on shutdown.

    Routers are small modules of ``migkg.web`` (:data:`ROUTERS`), each a ``router`` included here;
    they read what is set here through :mod:`migkg.web.state`, never ``app.state`` directly.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        backend.close()

    app = FastAPI(title="migkg", version=__version__, lifespan=lifespan, docs_url="/api")
    app.state.settings = settings
    app.state.backend = backend
    app.state.templates = templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.globals.update(instruments.TEMPLATE_GLOBALS | countries.TEMPLATE_GLOBALS)
    app.state.query_catalogue = load_catalogue(settings.queries_dir / "cq")
    generation.install(app)  # the store generation and the one view cache it keys
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.exception_handler(StoreError)
    async def store_failed(_: Request, err: Exception) -> PlainTextResponse:
        # A timeout, cap or unreachable remote store met by any page: its status, never a 500.
        status = err.status if isinstance(err, StoreError) else 500
        if status >= 500 and not admission.retry_headers(err):  # a refusal is no failure
            log.warning("store failed (%s): %s", type(err).__name__, err)
        return PlainTextResponse(f"{type(err).__name__}: {err}", status_code=status,
                                 headers=admission.retry_headers(err))

    for module in ROUTERS:
        app.include_router(module.router)
    install_not_found(app)  # every other path: 404 with search suggestions
    app.state.admission = admission.install(app, settings)  # budgets, parallel requests, lanes
    access_log.install(app)  # outermost: one log line per request with its timing
    return app
