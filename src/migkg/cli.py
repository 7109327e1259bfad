"""The ``migkg`` command: a thin Typer layer over the library.

Exit codes follow pyshacl: 0 success / conforms, 1 does not conform or a check failed, 2 cannot load.
Machine output goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import logging
import sys
from enum import Enum
from pathlib import Path

import typer

from migkg import __version__
from migkg.config import Settings
from migkg.sources import SourceErrors

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


def fail_load(errors: SourceErrors) -> typer.Exit:
    """Report every file that failed to parse (file:line:column: message) and exit 2."""
    for error in errors.errors:
        typer.echo(f"error: {error}", err=True)
    return typer.Exit(EXIT_LOAD)


def progress(message: str) -> None:
    """A progress line on a terminal; nothing when stderr is a pipe or a file."""
    if sys.stderr.isatty():
        typer.echo(message, err=True)


@app.command()
def build(
    ctx: typer.Context,
    store_dir: Path | None = typer.Option(None, "--store-dir",
                                          help="Write the store on disk here (default: memory)."),
) -> None:
    """Parse ontology/, data/ and shapes/ (one named graph per file) into the Oxigraph store."""
    from migkg.build import build_backend

    settings = settings_of(ctx, store_dir=store_dir)
    progress("building the store ...")
    try:
        backend, summary = build_backend(settings)
    except SourceErrors as errors:
        raise fail_load(errors) from None
    backend.close()
    where = settings.store_dir or "memory"
    typer.echo(f"built {summary.graphs} graphs ({summary.files} files), {summary.quads} quads "
               f"in {where}")


class ReportFormat(str, Enum):
    text = "text"
    turtle = "turtle"
    json = "json"


@app.command()
def validate(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="Files or folders to validate (default: data/)."),
    report_format: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f"),
) -> None:
    """Validate data against the SHACL shapes; exit 0 conforms, 1 does not, 2 cannot load."""
    from migkg.sources import load_rdflib_graph
    from migkg.validation import load_ontology_graph, load_shapes
    from migkg.validation import validate as run_validation

    settings = settings_of(ctx)
    targets = list(paths) if paths else [settings.data_dir]
    progress("validating ...")
    try:
        # The schemes and places are context the shapes look into (skos:inScheme, broader).
        data = load_rdflib_graph(settings.root_dir, [settings.ontology_dir, *targets])
        report = run_validation(
            data, load_shapes(settings.shapes_dir), load_ontology_graph(settings.ontology_dir)
        )
    except SourceErrors as errors:
        raise fail_load(errors) from None
    rendered = {
        ReportFormat.text: report.to_text,
        ReportFormat.turtle: report.to_turtle,
        ReportFormat.json: report.to_json,
    }[report_format]()
    typer.echo(rendered)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_FAIL)


@app.command()
def check(ctx: typer.Context) -> None:
    """Run the whole-graph check queries (queries/checks/*-violation.rq); exit 1 if any returns rows."""
    from migkg.build import build_backend
    from migkg.checks import load_check_queries, run_checks

    settings = settings_of(ctx)
    try:
        backend, _ = build_backend(settings.model_copy(update={"store_dir": None}))
    except SourceErrors as errors:
        raise fail_load(errors) from None
    results = run_checks(backend.store, load_check_queries(settings.queries_dir / "checks"))
    for result in results:
        status = "ok  " if result.passed else "FAIL"
        typer.echo(f"{status} {result.check.name}: {len(result.rows)} rows")
        for row in result.rows[:20]:
            typer.echo("      " + "  ".join(f"{k}={v}" for k, v in row.items()))
    raise typer.Exit(EXIT_OK if all(r.passed for r in results) else EXIT_FAIL)


@app.command()
def stats(ctx: typer.Context) -> None:
    """Print counts and coverage: triples, graphs, instruments by type, level, region, objective."""
    from migkg.build import build_backend
    from migkg.stats import compute_stats

    settings = settings_of(ctx)
    try:
        backend, _ = build_backend(settings.model_copy(update={"store_dir": None}))
    except SourceErrors as errors:
        raise fail_load(errors) from None
    typer.echo(compute_stats(backend).to_text())


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    store_dir: Path | None = typer.Option(None, "--store-dir",
                                          help="Serve the store built here (built if missing)."),
) -> None:
    """Serve the SPARQL endpoint, linked-data pages and explorer."""
    import uvicorn

    from migkg.web.server import make_app

    settings = settings_of(ctx, host=host, port=port, store_dir=store_dir)
    try:
        application = make_app(settings)
    except SourceErrors as errors:
        raise fail_load(errors) from None
    typer.echo(f"serving http://{settings.host}:{settings.port}/", err=True)
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="info")


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

    text = sys.stdin.read() if str(listing) == "-" else listing.read_text(encoding="utf-8")
    parsed = parse_listing(text)
    iri = source_iri or f"https://w3id.org/migkg/id/source/{listing.stem if str(listing) != '-' else 'stdin'}"
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


if __name__ == "__main__":  # pragma: no cover
    app()
