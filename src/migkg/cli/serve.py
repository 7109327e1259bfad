"""``migkg serve``: the SPARQL endpoint, pages and explorer (``--prepare``: validate and check first)."""

from __future__ import annotations

import logging
from enum import Enum
from pathlib import Path

import typer

from migkg.cli.common import EXIT_OK, app, exits_on, fail, settings_of
from migkg.cli.data import ReportFormat, run_check, run_validate
from migkg.quality.engine import Engine


class StoreKind(str, Enum):
    embedded = "embedded"
    remote = "remote"


@app.command()
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address [default: 127.0.0.1, or MIGKG_HOST]."),
    port: int | None = typer.Option(None, "--port", help="Port [default: 8000, or MIGKG_PORT]."),
    store_dir: Path | None = typer.Option(
        None, "--store-dir",
        help="On-disk store to serve (default: build/store under --root); built if missing or stale."),
    store: StoreKind | None = typer.Option(None, "--store",
                                           help="embedded (default) or remote (a SPARQL server)."),
    query_url: str | None = typer.Option(None, "--query-url", help="Remote SPARQL query endpoint."),
    update_url: str | None = typer.Option(None, "--update-url", help="Remote SPARQL update endpoint."),
    graph_store_url: str | None = typer.Option(None, "--graph-store-url",
                                               help="Remote Graph Store Protocol endpoint."),
    prepare: bool = typer.Option(
        False, "--prepare",
        help="First validate and check (as `migkg validate` and `migkg check`, incrementally), and "
             "stop with their exit code if either fails; `make run` does this, in one process."),
) -> None:
    """Serve the SPARQL endpoint, linked-data pages and explorer (over the embedded or a remote store).

    Credentials for a remote store come from MIGKG_REMOTE_USER / MIGKG_REMOTE_PASSWORD or
    MIGKG_REMOTE_TOKEN, never from the command line.
    """
    import uvicorn

    from migkg.sources import SourceErrors
    from migkg.web.server import make_app

    settings = settings_of(ctx, host=host, port=port, store_dir=store_dir, store=store and store.value,
                           query_url=query_url, update_url=update_url, graph_store_url=graph_store_url)
    if settings.store == "remote" and not settings.query_url:
        raise fail("--store remote needs --query-url")
    if settings.store == "embedded" and settings.store_dir is None:  # always served from disk
        settings = settings.model_copy(update={"store_dir": settings.root_dir / "build" / "store"})
    if prepare:
        code = run_validate(settings, None, ReportFormat.summary, Engine.NATIVE, False)
        if code == EXIT_OK:
            code = run_check(settings, False)
        if code != EXIT_OK:
            raise typer.Exit(code)
    with exits_on(SourceErrors):
        application = make_app(settings)
    logging.getLogger("migkg.web.access_log").setLevel(logging.INFO)  # one line per request
    typer.echo(f"serving http://{settings.host}:{settings.port}/", err=True)
    # loop/http "auto" pick uvloop and httptools (uvicorn[standard]); our access log replaces uvicorn's.
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="info",
                access_log=False, loop="auto", http="auto")
