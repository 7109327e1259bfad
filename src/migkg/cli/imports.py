"""``migkg import ...``: the importers (Hub listings, bilateral labour agreements, APLA, and the
regenerated reference data: States, GCM, SDG, treaties, ILO ratifications)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from migkg.cli.common import EXIT_FAIL, EXIT_OK, app, exits_on, settings_of

if TYPE_CHECKING:
    from migkg.config import Settings
    from migkg.importers.common import Summary

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


#: The options of the BLA and APLA imports that read the States and curated records the same way.
STATES_OPTION = typer.Option(
    None, "--states", help="Turtle files or folders with the States and curated records "
                           "(default: data/ without data/imported/bla and apla).")
STRICT_OPTION = typer.Option(False, "--strict", help="Exit 1 when a row was skipped.")


def _finish(summary: Summary, written: Iterable[Path], strict: bool) -> NoReturn:
    """Name the files written, print the summary; exit 1 under ``--strict`` when a row was skipped."""
    for path in written:
        typer.echo(f"wrote {path}", err=True)
    typer.echo(summary.to_text())
    raise typer.Exit(EXIT_FAIL if strict and summary.skipped else EXIT_OK)


@import_app.command("bla")
def import_bla_command(
    ctx: typer.Context,
    source_dir: Path | None = typer.Option(
        None, "--source-dir", help="Folder with the raw files (default: data/sources/raw/bla-chilton-woda)."),
    output_dir: Path | None = typer.Option(
        None, "--output-dir", "-o", help="Where to write (default: data/imported/bla)."),
    states: list[Path] | None = STATES_OPTION,
    strict: bool = STRICT_OPTION,
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
    _finish(result.summary, write_bla(result, target), strict)


@import_app.command("apla")
def import_apla_command(
    ctx: typer.Context,
    source_dir: Path | None = typer.Option(
        None, "--source-dir", help="Folder with APLA_Database.csv (default: data/sources/raw/apla)."),
    output_dir: Path | None = typer.Option(
        None, "--output-dir", "-o", help="Where to write (default: data/imported/apla)."),
    states: list[Path] | None = STATES_OPTION,
    strict: bool = STRICT_OPTION,
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
    _finish(result.summary, write_apla(result, target), strict)


def _import_frame(ctx: typer.Context, what: str) -> None:
    """Run a data importer (deterministic; prints what it could not map, row by row)."""
    from migkg.importers import frame
    from migkg.importers.common import ImportFailure

    # A raw file missing or unreadable: "error: FILE: …" and exit 2, never a traceback.
    with exits_on(ImportFailure, OSError, UnicodeDecodeError):
        reports = frame.run(settings_of(ctx).root_dir, what)
    for report in reports:
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


@import_app.command("ilo")
def import_ilo(ctx: typer.Context) -> None:
    """Regenerate the ratifications of ILO C097, C143 and C189 from the vendored quoted rows."""
    _import_frame(ctx, "ilo")
