"""The root ``migkg`` Typer app, its global options, and what the commands share.

Every command module imports only this and the standard library at the top: what a command
needs (pydantic-settings, pyoxigraph, the web app, ...) it imports when it runs, so
``migkg validate`` does not pay for ``migkg serve``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from migkg import __version__
from migkg.layout import Layout, ProjectFolders

if TYPE_CHECKING:
    from migkg.config import Settings
    from migkg.stores.oxigraph import OxigraphBackend

# Objects a command leaves to the end of the process, which then ends without freeing them.
_left_to_exit: list[object] = []


def leave_to_exit(*objects: object) -> None:
    """Keep ``objects`` (an in-memory store and what was built from it) until the process ends, and end
    it without tearing them down.

    Why: freeing a store of a million quads, one allocation at a time, is a tenth of building it
    (0.6 s of the 5.9 s of ``migkg build`` at 1M triples, measured alone on the machine), and when
    the command is done nothing needs it: the process's memory goes back to the system at once when
    it exits. So after a command that called this, :class:`_Command` flushes stdout, stderr and the
    log handlers and calls :func:`os._exit` with the command's exit code, skipping the interpreter's
    teardown (atexit handlers and object finalizers, which for these commands only free memory:
    what they write is written and closed before they return).

    Only for what lives in memory and only when the command is the whole process (``app()`` called
    without arguments, reading ``sys.argv``: the console script, ``python -m migkg.cli``, the
    benchmarks): on-disk stores are closed as usual (their files must be complete), the library never
    does this, and under the tests' ``CliRunner`` or a program that calls ``app(args)`` nothing is
    kept: the objects are freed as usual and the caller goes on.
    """
    if _process.whole:
        _left_to_exit.extend(objects)


@dataclass
class _Process:
    whole: bool = False  # the command runs as the process (``migkg ...``), not inside another program


_process = _Process()


class _Command(typer.Typer):
    """The ``migkg`` app: a command that left objects to the exit ends the process without teardown."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _process.whole = not args and not kwargs  # the console script's call: app()
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit as stop:
            if _left_to_exit:
                _exit_at_once(stop.code)
            raise
        finally:
            _process.whole = False


def _exit_at_once(code: object) -> None:
    """End the process with ``code`` as :func:`sys.exit` would (None 0, an int itself, else printed
    on stderr and 1), after flushing what it wrote, without the interpreter's teardown."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what the normal exit would not write either
            status = status or 120
    os._exit(status)


app = _Command(
    help="migkg: a knowledge graph of migration governance instruments.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
log = logging.getLogger("migkg")

EXIT_OK, EXIT_FAIL, EXIT_LOAD = 0, 1, 2

ENV_PREFIX = "MIGKG_"  # Settings' env_prefix (pydantic-settings reads it case-insensitively)


@dataclass
class Invocation:
    """What the global options gave (the project folder); the Settings, built on first use."""

    root: Path
    settings: Settings | None = field(default=None)


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
    ctx.obj = Invocation(root.resolve())


def settings_of(ctx: typer.Context, **overrides: object) -> Settings:
    """The command's settings (``MIGKG_*`` variables, ``--root``), with the options it was given applied.

    Built once per invocation, on first use: pydantic-settings is imported only by the commands
    that need more than the project's folders.
    """
    from migkg.config import Settings

    invocation = ctx.find_object(Invocation)
    if invocation is None:
        base = Settings()
    else:
        if invocation.settings is None:
            invocation.settings = Settings(root_dir=invocation.root)
        base = invocation.settings
    given = {k: v for k, v in overrides.items() if v is not None}
    return base.model_copy(update=given)


def layout_of(ctx: typer.Context) -> ProjectFolders:
    """The project's folders, for a command that needs nothing else.

    With no ``MIGKG_*`` variable in the environment, :class:`~migkg.config.Settings` would hold its
    defaults but for ``root_dir`` (``--root``), and its folders are exactly :class:`Layout`'s: this
    returns that light object without importing pydantic-settings. When any such variable is set
    (it may be ``MIGKG_JOURNAL_DIR``, or one that does not validate), the real Settings, so the
    variables are read, and checked, exactly as for every other command.
    """
    invocation = ctx.find_object(Invocation)
    if invocation is None or any(name.upper().startswith(ENV_PREFIX) for name in os.environ):
        return settings_of(ctx)
    return invocation.settings or Layout(root_dir=invocation.root)


def full_settings(folders: ProjectFolders) -> Settings:
    """``folders`` as Settings (they are already, or a :class:`Layout` from :func:`layout_of`)."""
    from migkg.config import Settings

    if isinstance(folders, Settings):
        return folders
    return Settings(root_dir=folders.root_dir)


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
        from migkg.sources import SourceErrors  # here: only the commands that read sources load it

        for line in err.errors if isinstance(err, SourceErrors) else [err]:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(code(err) if callable(code) else code) from None


def built(settings: Settings) -> OxigraphBackend:
    """The sources built into an in-memory store; exit 2 naming every file that does not parse."""
    from migkg.build import memory_backend
    from migkg.sources import SourceErrors

    with exits_on(SourceErrors):
        return memory_backend(settings)


def progress(message: str) -> None:
    """A progress line on a terminal; nothing when stderr is a pipe or a file."""
    if sys.stderr.isatty():
        typer.echo(message, err=True)


def write_output(data: bytes, output: str) -> None:
    """``data`` into the file ``output``, or on stdout for ``-``."""
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(output).write_bytes(data)
