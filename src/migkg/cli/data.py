"""The commands over the project's sources: ``build``, ``validate``, ``check`` and ``stats``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from migkg import __version__
from migkg.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    app,
    built,
    exits_on,
    full_settings,
    layout_of,
    leave_to_exit,
    progress,
    settings_of,
)
from migkg.quality.engine import Engine

if TYPE_CHECKING:
    from migkg.config import Settings
    from migkg.layout import ProjectFolders


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
    from migkg.sources import SourceErrors

    settings = settings_of(ctx, store_dir=store_dir)
    progress("building the store ...")
    how = "built"
    with exits_on(SourceErrors):
        if settings.store_dir is not None:
            summary, how = update_store(settings, full=full)
        else:
            backend, summary = build_backend(settings)
            backend.close()
            leave_to_exit(backend)  # thrown away with the process, not freed quad by quad
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
    summary = "summary"  # Violations in full, Warnings and Infos counted by rule (serve --prepare)
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
    raise typer.Exit(run_validate(layout_of(ctx), paths, report_format, engine, full))


def run_validate(folders: ProjectFolders, paths: list[Path] | None, report_format: ReportFormat,
                 engine: Engine, full: bool) -> int:
    """``migkg validate``: print the report; the exit code (exit 2 on a file that does not parse).

    Only the project's ``folders`` are needed, unless the journal holds updates: then the whole
    Settings, to build the store the journal is replayed on.
    """
    from migkg.journal import Journal
    from migkg.quality.incremental import validate_project
    from migkg.quality.validation import load_ontology_graph, load_shapes
    from migkg.quality.validation import validate as run_validation
    from migkg.sources import SourceErrors, load_rdflib_graph, load_store

    targets = list(paths) if paths else [folders.data_dir]
    progress(f"validating ({engine.value}) ...")
    with exits_on(SourceErrors):
        journaled = bool(Journal(folders.journal_folder).files())
        if not paths and not full and report_format is not ReportFormat.turtle and not journaled:
            # The whole project: incremental, results cached per focus node (text and JSON only; the
            # Turtle report graph is the engine's own, from a run over everything).
            outcome = validate_project(folders.root_dir, folders.ontology_dir, folders.data_dir,
                                       folders.shapes_dir, engine)
            progress(f"{outcome.mode}: {outcome.revalidated} focus nodes revalidated")
            report = outcome.report
        else:
            # The schemes and places are context the shapes look into (skos:inScheme, broader).
            load = load_store if engine is Engine.NATIVE else load_rdflib_graph
            data = load(folders.root_dir, [folders.ontology_dir, *targets])
            if not paths and journaled:  # the whole data with the journal's updates, as builds have it
                apply_journal(data, full_settings(folders))
            report = run_validation(
                data, load_shapes(folders.shapes_dir), load_ontology_graph(folders.ontology_dir),
                engine=engine,
            )
    rendered = {
        ReportFormat.text: report.to_text,
        ReportFormat.summary: report.to_summary,
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
