"""Publishing the linked data: ``export`` (the dataset), ``docs`` (the ontology's HTML) and ``release``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from migkg.cli.common import EXIT_FAIL, app, built, exits_on, settings_of, write_output


class ExportFormat(str, Enum):
    ttl = "ttl"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"
    nt = "nt"
    rdf = "rdf"


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
    write_output(data, output)


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
    write_output(html.encode("utf-8"), output)


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
