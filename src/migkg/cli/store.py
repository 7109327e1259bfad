"""The commands that talk to a store: ``push`` (to a remote SPARQL store) and ``query``."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from migkg.cli.common import (
    EXIT_FAIL,
    EXIT_LOAD,
    EXIT_OK,
    app,
    built,
    exits_on,
    fail,
    progress,
    settings_of,
)

if TYPE_CHECKING:
    from migkg.config import Settings
    from migkg.stores.base import Backend


@app.command()
def push(
    ctx: typer.Context,
    query_url: str = typer.Option(..., "--query-url", envvar="MIGKG_QUERY_URL",
                                  help="The remote store's SPARQL query endpoint."),
    update_url: str | None = typer.Option(None, "--update-url", envvar="MIGKG_UPDATE_URL",
                                          help="Its SPARQL update endpoint (used without GSP)."),
    graph_store_url: str | None = typer.Option(
        None, "--graph-store-url", envvar="MIGKG_GRAPH_STORE_URL",
        help="Its Graph Store Protocol endpoint (one PUT per graph; preferred)."),
    store_dir: Path | None = typer.Option(None, "--store-dir",
                                          help="Push the store built here (default: build now)."),
    batch_size: int = typer.Option(500, "--batch-size", min=1,
                                   help="Triples per SPARQL Update request (without GSP)."),
    prune: bool = typer.Option(False, "--prune",
                               help="Also drop the store's graphs under the dataset's base that "
                                    "no source file makes any more."),
) -> None:
    """Load the built dataset into a remote SPARQL store, graph by graph; exit 1 if a graph fails.

    Credentials come from MIGKG_REMOTE_USER / MIGKG_REMOTE_PASSWORD or MIGKG_REMOTE_TOKEN, never from
    the command line (where other users of the machine could read them in the process list).
    """
    from migkg.publish.push import PushError, open_remote, open_source, push_dataset, verify, writer_for
    from migkg.sources import SourceErrors
    from migkg.stores.base import StoreError

    if not (graph_store_url or update_url):
        raise fail("push needs --graph-store-url or --update-url")
    settings = settings_of(
        ctx, store="remote", store_dir=store_dir, query_url=query_url, update_url=update_url,
        graph_store_url=graph_store_url)
    with exits_on(SourceErrors, FileNotFoundError):
        source = open_source(settings)
    remote = open_remote(settings)
    try:
        with exits_on(PushError, StoreError, code=EXIT_FAIL):
            summary = push_dataset(
                source, writer_for(remote, batch_size), remote=remote,
                prune_prefix=settings.public_base if prune else None,
                progress=lambda i, n, g: progress(f"[{i}/{n}] {g.iri} ({g.triples} triples)"),
            )
            mismatches = verify(source, remote)
    finally:
        remote.close()
    for line in mismatches:
        typer.echo(f"error: count differs after push: {line}", err=True)
    typer.echo(f"pushed {len(summary.graphs)} graphs, {summary.triples} triples by {summary.method} "
               f"in {summary.seconds:.1f} s" + (f"; pruned {len(summary.pruned)}" if prune else ""))
    raise typer.Exit(EXIT_FAIL if mismatches else EXIT_OK)


class QueryOutput(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ttl = "ttl"


@app.command()
def query(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="A catalogue query name (e.g. 10-commitment-traceability "
                                           "or commitment-traceability), a .rq file, or - for stdin."),
    param: list[str] = typer.Option([], "--param", "-p", help="A parameter as name=value (repeatable)."),
    output: QueryOutput = typer.Option(QueryOutput.table, "--format", "-f",
                                       help="table, csv, tsv, json (SELECT/ASK); ttl, table (CONSTRUCT)."),
    endpoint: str | None = typer.Option(None, "--endpoint",
                                        help="A remote SPARQL endpoint (default: the embedded store)."),
) -> None:
    """Run a query with typed parameters; exit 0 on success, 1 if the store fails, 2 on bad input.

    Parameters are bound as typed terms (substitutions in the embedded store, an escaped VALUES
    block for a remote endpoint), never pasted into the query text.
    """
    from migkg.catalogue.output import render_result
    from migkg.catalogue.queries import CatalogueError, ParameterError, parse_assignments, resolve_query
    from migkg.stores.base import StoreError

    settings = settings_of(ctx)
    with exits_on(CatalogueError, ParameterError):
        chosen = resolve_query(target, settings.queries_dir / "cq", sys.stdin)
        request = chosen.request(parse_assignments(param))
    backend = _query_backend(settings, endpoint)
    try:
        with exits_on(StoreError, code=_store_exit):
            body = render_result(backend, chosen, request, output.value)
    finally:
        backend.close()
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


def _store_exit(err: Exception) -> int:
    """2 when the store rejected the query (400), 1 when the store failed."""
    return EXIT_LOAD if getattr(err, "status", None) == 400 else EXIT_FAIL


def _query_backend(settings: Settings, endpoint: str | None) -> Backend:
    """The remote store at ``endpoint``, or the embedded store built in memory from the sources."""
    if endpoint:
        from migkg.stores.sparql_client import EndpointBackend

        return EndpointBackend(endpoint, settings.remote_timeout_s)
    return built(settings)
