"""``migkg journal ...``: the updates the endpoint accepted (list them, export their net change)."""

from __future__ import annotations

import typer

from migkg.cli.common import app, exits_on, settings_of, write_output

journal_app = typer.Typer(help="The journal of updates accepted by the endpoint (data/journal/).",
                          no_args_is_help=True)
app.add_typer(journal_app, name="journal")


@journal_app.command("list")
def journal_list(ctx: typer.Context) -> None:
    """One line per entry: number, time accepted, client, token fingerprint, effect, file."""
    from migkg.journal import Journal
    from migkg.sources import SourceErrors

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
    from migkg.sources import SourceErrors

    with exits_on(SourceErrors):
        text = export_patch(settings_of(ctx))
    write_output(text.encode("utf-8"), output)
