"""``python -m migkg.cli``: the ``migkg`` command."""

from migkg.cli import app

app()
