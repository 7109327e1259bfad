"""The ``migkg`` command: a thin Typer layer over the library.

Exit codes follow pyshacl: 0 success / conforms, 1 does not conform or a check failed, 2 cannot load.
Machine output goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from migkg import __version__
from migkg.config import Settings
from migkg.quality.shacl_support import Engine
from migkg.sources import SourceErrors
from migkg.stores.base import Backend

if TYPE_CHECKING:
    from migkg.stores.oxigraph import OxigraphBackend

app = typer.Typer(
    help="migkg: a knowledge graph of migration governance instruments.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
log = logging.getLogger("migkg")

EXIT_OK, EXIT_FAIL, EXIT_LOAD = 0, 1, 2


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress to stderr."),
    root: Path = typer.Option(Path(), "--root", help="Project folder (ontology/, data/, ...)."),
) -> None:
    """migkg: build, validate, query and serve the migration governance knowledge graph."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings(root_dir=root.resolve())


def settings_of(ctx: typer.Context, **overrides: object) -> Settings:
    """The command's settings, with the options it was given applied."""
    base: Settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    given = {k: v for k, v in overrides.items() if v is not None}
    return base.model_copy(update=given)


def fail(message: object, code: int = EXIT_LOAD) -> typer.Exit:
    """Print ``error: message`` on stderr; the exit to raise with ``code``."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def exits_on(*kinds: type[Exception], code: int | Callable[[Exception], int] = EXIT_LOAD) -> Iterator[None]:
    """Turn an error of ``kinds`` into ``error: …`` on stderr and exit ``code`` (or ``code(err)``).

    :class:`~migkg.sources.SourceErrors` prints one line per file that failed to parse
    (``file:line:column: message``), so one run shows every broken file.
    """
    try:
        yield
    except kinds as err:
        for line in err.errors if isinstance(err, SourceErrors) else [err]:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(code(err) if callable(code) else code) from None


def built(settings: Settings) -> OxigraphBackend:
    """The sources built into an in-memory store; exit 2 naming every file that does not parse."""
    from migkg.build import memory_backend

    with exits_on(SourceErrors):
        return memory_backend(settings)


def progress(message: str) -> None:
    """A progress line on a terminal; nothing when stderr is a pipe or a file."""
    if sys.stderr.isatty():
        typer.echo(message, err=True)


@app.command()
def build(
    ctx: typer.Context,
    store_dir: Path | None = typer.Option(None, "--store-dir",
                                          help="Write the store on disk here (default: memory)."),
    full: bool = typer.Option(False, "--full",
                              help="Rebuild the on-disk store from scratch (default: reload only the "
                                   "graphs of files changed since the last build)."),
) -> None:
    """Parse ontology/, data/ and shapes/ (one named graph per file) into the Oxigraph store."""
    from migkg.build import build_backend, update_store

    settings = settings_of(ctx, store_dir=store_dir)
    progress("building the store ...")
    how = "built"
    with exits_on(SourceErrors):
        if settings.store_dir is not None:
            summary, how = update_store(settings, full=full)
        else:
            backend, summary = build_backend(settings)
            backend.close()
    where = settings.store_dir or "memory"
    typer.echo(f"built {summary.graphs} graphs ({summary.files} files), {summary.quads} quads "
               f"in {where}" + ("" if how == "built" else f" ({how})"))


def apply_journal(data: Any, settings: Settings) -> None:
    """Apply the journal's net change (graph names dropped) to a store or graph being validated."""
    import pyoxigraph as ox

    from migkg.journal import triple_delta
    from migkg.stores.terms import to_rdflib

    delta = triple_delta(settings)
    if delta is None:
        return
    removed, added = delta
    for triple, add in [(t, False) for t in removed] + [(t, True) for t in added]:
        if isinstance(data, ox.Store):
            quad = ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
            if add:
                data.add(quad)
            else:
                data.remove(quad)
            continue
        as_rdflib = (to_rdflib(triple.subject), to_rdflib(triple.predicate),
                     to_rdflib(triple.object))
        if add:
            data.add(as_rdflib)
        else:
            data.remove(as_rdflib)


class ReportFormat(str, Enum):
    text = "text"
    turtle = "turtle"
    json = "json"


@app.command()
def validate(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="Files or folders to validate (default: data/)."),
    report_format: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f"),
    engine: Engine = typer.Option(
        Engine.NATIVE, "--engine",
        help="native: pyshacl-turbo (fast; falls back to pyshacl, with a warning, for shapes it is "
             "not trusted with); pyshacl: the reference engine."),
    full: bool = typer.Option(
        False, "--full",
        help="Validate everything, without the cache (default: without PATHS, only the focus nodes "
             "that the files changed since the last run can affect; the cache is under build/cache/)."),
) -> None:
    """Validate data against the SHACL shapes; exit 0 conforms, 1 does not, 2 cannot load."""
    raise typer.Exit(run_validate(settings_of(ctx), paths, report_format, engine, full))


def run_validate(settings: Settings, paths: list[Path] | None, report_format: ReportFormat,
                 engine: Engine, full: bool) -> int:
    """``migkg validate``: print the report; the exit code (exit 2 on a file that does not parse)."""
    from migkg.journal import Journal
    from migkg.quality.incremental import validate_project
    from migkg.quality.validation import load_ontology_graph, load_shapes
    from migkg.quality.validation import validate as run_validation
    from migkg.sources import load_rdflib_graph, load_store

    targets = list(paths) if paths else [settings.data_dir]
    progress(f"validating ({engine.value}) ...")
    with exits_on(SourceErrors):
        journaled = bool(Journal(settings.journal_folder).files())
        if not paths and not full and report_format is not ReportFormat.turtle and not journaled:
            # The whole project: incremental, results cached per focus node (text and JSON only; the
            # Turtle report graph is the engine's own, from a run over everything).
            outcome = validate_project(settings.root_dir, settings.ontology_dir, settings.data_dir,
                                       settings.shapes_dir, engine)
            progress(f"{outcome.mode}: {outcome.revalidated} focus nodes revalidated")
            report = outcome.report
        else:
            # The schemes and places are context the shapes look into (skos:inScheme, broader).
            load = load_store if engine is Engine.NATIVE else load_rdflib_graph
            data = load(settings.root_dir, [settings.ontology_dir, *targets])
            if not paths and journaled:  # the whole data with the journal's updates, as builds have it
                apply_journal(data, settings)
            report = run_validation(
                data, load_shapes(settings.shapes_dir), load_ontology_graph(settings.ontology_dir),
                engine=engine,
            )
    rendered = {
        ReportFormat.text: report.to_text,
        ReportFormat.turtle: report.to_turtle,
        ReportFormat.json: report.to_json,
    }[report_format]()
    typer.echo(rendered)
    return EXIT_OK if report.conforms else EXIT_FAIL


@app.command()
def check(
    ctx: typer.Context,
    full: bool = typer.Option(False, "--full", help="Run the queries even when nothing changed "
                              "(default: the last results while the sources and queries are the same; "
                              "the cache is under build/cache/)."),
) -> None:
    """Run the whole-graph check queries (queries/checks/*-violation.rq); exit 1 if any returns rows."""
    raise typer.Exit(run_check(settings_of(ctx), full))


def run_check(settings: Settings, full: bool) -> int:
    """``migkg check``: print each check and its rows; the exit code."""
    from migkg.quality.checks import (
        cached_results,
        checks_key,
        load_check_queries,
        run_checks,
        save_results,
    )
    from migkg.sources import discover

    checks = load_check_queries(settings.queries_dir / "checks")
    files = [s.path for s in discover(settings.root_dir, settings.source_dirs)]
    key = checks_key(files, checks, __version__)
    cache = settings.root_dir / "build" / "cache" / "check.json"
    results = None if full else cached_results(cache, key, checks)
    if results is None:
        results = run_checks(built(settings), checks)
        save_results(cache, key, results)
    for result in results:
        status = "ok  " if result.passed else "FAIL"
        typer.echo(f"{status} {result.check.name}: {len(result.rows)} rows")
        for row in result.rows[:20]:
            typer.echo("      " + "  ".join(f"{k}={v}" for k, v in row.items()))
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAIL


@app.command()
def stats(ctx: typer.Context) -> None:
    """Print counts and coverage: triples, graphs, instruments by type, level, region, objective."""
    from migkg.views.stats import compute_stats

    typer.echo(compute_stats(built(settings_of(ctx))).to_text())


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

    from migkg.web.server import make_app

    settings = settings_of(ctx, host=host, port=port, store_dir=store_dir, store=store and store.value,
                           query_url=query_url, update_url=update_url, graph_store_url=graph_store_url)
    if settings.store == "remote" and not settings.query_url:
        raise fail("--store remote needs --query-url")
    if settings.store == "embedded" and settings.store_dir is None:  # always served from disk
        settings = settings.model_copy(update={"store_dir": settings.root_dir / "build" / "store"})
    if prepare:
        code = run_validate(settings, None, ReportFormat.text, Engine.NATIVE, False)
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


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Run the load benchmark (benchmarks/run.py; options after `bench` are passed on, e.g. --help)."""
    import subprocess

    settings = settings_of(ctx)
    command = [sys.executable, "-m", "benchmarks.run", *ctx.args]
    raise typer.Exit(subprocess.call(command, cwd=settings.root_dir))


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


import_app = typer.Typer(help="Import source listings as draft RDF for curation.")
app.add_typer(import_app, name="import")


@import_app.command("hub")
def import_hub(
    listing: Path = typer.Argument(..., help="A Hub listing saved as text ('-' for stdin)."),
    output: Path = typer.Option(Path("-"), "--output", "-o", help="Turtle file ('-' for stdout)."),
    source_iri: str | None = typer.Option(
        None, "--source-iri", help="IRI of the listing (default: id/source/<file stem>)."),
) -> None:
    """Parse a Migration Network Hub listing into draft source records; exit 1 if a record was skipped."""
    from migkg.importers.hub import describe_problems, parse_listing, to_graph
    from migkg.namespaces import ID

    text = sys.stdin.read() if str(listing) == "-" else listing.read_text(encoding="utf-8")
    parsed = parse_listing(text)
    iri = source_iri or str(ID["source/" + (listing.stem if str(listing) != "-" else "stdin")])
    turtle = to_graph(parsed, iri).serialize(format="longturtle")
    if str(output) == "-":
        typer.echo(turtle)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(turtle, encoding="utf-8")
    for line in describe_problems(parsed.problems, str(listing)):
        typer.echo(f"warning: {line}", err=True)
    typer.echo(f"imported {len(parsed.practices)} practices under objective {parsed.objective}",
               err=True)
    raise typer.Exit(EXIT_FAIL if parsed.problems else EXIT_OK)


def _state_paths(settings: Settings, extra: list[Path] | None) -> list[Path]:
    """Where importers find the States, curated records and treaty status: data/ without their own
    outputs (data/imported/bla, data/imported/apla)."""
    if extra:
        return extra
    data = settings.data_dir
    if not data.is_dir():
        return []
    paths = [p for p in sorted(data.iterdir()) if p.name != "imported"]
    imported = data / "imported"
    # Other importers' graphs (e.g. treaty status) are read; the BLA and APLA outputs never are.
    if imported.is_dir():
        paths += [p for p in sorted(imported.iterdir()) if p.name not in ("bla", "apla")]
    return paths


@import_app.command("bla")
def import_bla_command(
    ctx: typer.Context,
    source_dir: Path | None = typer.Option(
        None, "--source-dir", help="Folder with the raw files (default: data/sources/raw/bla-chilton-woda)."),
    output_dir: Path | None = typer.Option(
        None, "--output-dir", "-o", help="Where to write (default: data/imported/bla)."),
    states: list[Path] | None = typer.Option(
        None, "--states", help="Turtle files or folders with the States and curated records "
                               "(default: data/ without data/imported/bla and apla)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when a row was skipped."),
) -> None:
    """Import the bilateral labour agreements of Chilton & Woda (2022); print the summary."""
    from migkg.importers.bla import curated_bilateral, import_bla, write_bla
    from migkg.importers.common import ImportFailure, StateIndex, load_graph

    settings = settings_of(ctx)
    source = source_dir or settings.data_dir / "sources" / "raw" / "bla-chilton-woda"
    target = output_dir or settings.data_dir / "imported" / "bla"
    graph = load_graph(_state_paths(settings, states))
    with exits_on(ImportFailure):
        result = import_bla(source, StateIndex(graph), curated_bilateral(graph))
    for path in write_bla(result, target):
        typer.echo(f"wrote {path}", err=True)
    typer.echo(result.summary.to_text())
    raise typer.Exit(EXIT_FAIL if strict and result.summary.skipped else EXIT_OK)


@import_app.command("apla")
def import_apla_command(
    ctx: typer.Context,
    source_dir: Path | None = typer.Option(
        None, "--source-dir", help="Folder with APLA_Database.csv (default: data/sources/raw/apla)."),
    output_dir: Path | None = typer.Option(
        None, "--output-dir", "-o", help="Where to write (default: data/imported/apla)."),
    states: list[Path] | None = typer.Option(
        None, "--states", help="Turtle files or folders with the States and curated records "
                               "(default: data/ without data/imported/bla and apla)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when a row was skipped."),
) -> None:
    """Import the asylum instruments cited by APLA: one per (country, cited instrument); print the summary."""
    from migkg.importers.apla import curated_national, import_apla, treaty_status, write_apla
    from migkg.importers.common import ImportFailure, StateIndex, load_graph

    settings = settings_of(ctx)
    source = source_dir or settings.data_dir / "sources" / "raw" / "apla"
    target = output_dir or settings.data_dir / "imported" / "apla"
    graph = load_graph(_state_paths(settings, states))
    index = StateIndex(graph)
    with exits_on(ImportFailure):
        result = import_apla(source, index, curated_national(graph, index), treaty_status(graph))
    for path in write_apla(result, target):
        typer.echo(f"wrote {path}", err=True)
    typer.echo(result.summary.to_text())
    raise typer.Exit(EXIT_FAIL if strict and result.summary.skipped else EXIT_OK)


def _import_frame(ctx: typer.Context, what: str) -> None:
    """Run a data importer (deterministic; prints what it could not map, row by row)."""
    from migkg.importers import frame

    for report in frame.run(settings_of(ctx).root_dir, what):
        for line in report.lines():
            typer.echo(line)


@import_app.command("states")
def import_states(ctx: typer.Context) -> None:
    """Regenerate the States, their places and the M49 regions (needs the 'import' extra: pycountry)."""
    _import_frame(ctx, "states")


@import_app.command("gcm")
def import_gcm(ctx: typer.Context) -> None:
    """Regenerate the GCM commitment paragraphs and its 187 actions from the vendored text."""
    _import_frame(ctx, "gcm")


@import_app.command("sdg")
def import_sdg(ctx: typer.Context) -> None:
    """Regenerate the SDG goals, targets and indicators from the vendored UN SDG KOS."""
    _import_frame(ctx, "sdg")


@import_app.command("treaties")
def import_treaties(ctx: typer.Context) -> None:
    """Regenerate the core UN human-rights treaties and their party statuses from the status files."""
    _import_frame(ctx, "treaties")


# --- linked data: export, docs, release -----------------------------------------------------------


class ExportFormat(str, Enum):
    ttl = "ttl"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"
    nt = "nt"
    rdf = "rdf"


def _write_output(data: bytes, output: str) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(output).write_bytes(data)


@app.command()
def export(
    ctx: typer.Context,
    export_format: ExportFormat = typer.Option(ExportFormat.nq, "--format", "-f",
                                               help="nq, trig, jsonld keep named graphs."),
    graph: list[str] = typer.Option([], "--graph", "-g", help="Only this named graph (repeat)."),
    output: str = typer.Option("-", "--output", "-o", help="File to write; - for stdout."),
) -> None:
    """Export the dataset (or chosen named graphs) in an RDF format; exit 2 on unknown graphs."""
    from migkg.formats import rdf_format
    from migkg.publish.export import ExportError, export_dataset

    backend = built(settings_of(ctx))
    with exits_on(ExportError):
        data = export_dataset(backend, rdf_format(export_format.value), graph or None)
    _write_output(data, output)


@app.command()
def docs(
    ctx: typer.Context,
    output: str = typer.Option("-", "--output", "-o", help="HTML file to write; - for stdout."),
) -> None:
    """Write the ontology documentation (pyLODE HTML, works offline)."""
    from rdflib import Graph

    from migkg.publish.ontology_docs import ontology_html

    settings = settings_of(ctx)
    graph = Graph().parse(settings.ontology_dir / "migkg.ttl", format="turtle")
    html = ontology_html(graph, settings.public_base, settings.public_base)
    _write_output(html.encode("utf-8"), output)


@app.command(name="release")
def release_command(
    ctx: typer.Context,
    version: str = typer.Option(..., "--version", help="The new version, X.Y.Z."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for the release files."),
    date: str | None = typer.Option(None, "--date", help="Release date (default: last commit)."),
) -> None:
    """Release the ontology: set its version, write every serialisation, HTML docs, SHA256SUMS and
    the CHANGELOG entry; exit 1 if the release cannot be made."""
    from migkg.publish.release import ReleaseError, release

    settings = settings_of(ctx)
    with exits_on(ReleaseError, code=EXIT_FAIL):
        made = release(settings.root_dir, version, output, date)
    for path in made.files:
        typer.echo(str(path))
    typer.echo(str(made.checksums))


journal_app = typer.Typer(help="The journal of updates accepted by the endpoint (data/journal/).",
                          no_args_is_help=True)
app.add_typer(journal_app, name="journal")


@journal_app.command("list")
def journal_list(ctx: typer.Context) -> None:
    """One line per entry: number, time accepted, client, token fingerprint, effect, file."""
    from migkg.journal import Journal

    settings = settings_of(ctx)
    with exits_on(SourceErrors):
        entries = Journal(settings.journal_folder).entries()
    for entry in entries:
        typer.echo(f"{entry.number:04d}\t{entry.accepted}\t{entry.client}\t{entry.token}\t"
                   f"{entry.effect:+d} quads\t{entry.path}")
    typer.echo(f"{len(entries)} entries in {settings.journal_folder}", err=True)


@journal_app.command("export")
def journal_export(
    ctx: typer.Context,
    output: str = typer.Option("-", "--output", "-o", help="Write here ('-': stdout)."),
) -> None:
    """The journal's net change against the sources as TriG (added triples per graph, removed ones
    as comments, each graph with its source file), to fold into the curated files."""
    from migkg.journal import export_patch

    with exits_on(SourceErrors):
        text = export_patch(settings_of(ctx))
    _write_output(text.encode("utf-8"), output)


if __name__ == "__main__":  # pragma: no cover
    app()
