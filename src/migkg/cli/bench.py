"""``migkg bench``: the load benchmark (``benchmarks/run.py``), run from the project folder."""

from __future__ import annotations

import sys

import typer

from migkg.cli.common import app, settings_of


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Run the load benchmark (benchmarks/run.py; options after `bench` are passed on, e.g. --help)."""
    import subprocess

    settings = settings_of(ctx)
    command = [sys.executable, "-m", "benchmarks.run", *ctx.args]
    raise typer.Exit(subprocess.call(command, cwd=settings.root_dir))
