"""The ``migkg`` command: a thin Typer layer over the library.

Exit codes follow pyshacl: 0 success / conforms, 1 does not conform or a check failed, 2 cannot load.
Machine output goes to stdout, diagnostics to stderr.

One module per group of commands, each registering them on the one :data:`app` of
:mod:`migkg.cli.common`: :mod:`~migkg.cli.data` (build, validate, check, stats),
:mod:`~migkg.cli.serve`, :mod:`~migkg.cli.bench`, :mod:`~migkg.cli.store` (push, query),
:mod:`~migkg.cli.publish` (export, docs, release), :mod:`~migkg.cli.imports` (``import ...``) and
:mod:`~migkg.cli.journal` (``journal ...``). Importing them is cheap: a command imports what it uses
when it runs, so ``migkg validate`` loads neither pydantic-settings nor the web app.
"""

from __future__ import annotations

# The modules register their commands when imported, in the order `migkg --help` lists them.
# isort: off
from migkg.cli import data, serve, bench, store, publish, imports, journal  # noqa: F401
# isort: on
from migkg.cli.common import app

__all__ = ["app"]
