"""The journal of accepted updates: reviewable ``.ru`` files, replayed after the sources on every build.

An update the endpoint accepts (``/sparql`` with the bearer token) is applied to the served store and
written, before the client hears 204, to ``data/journal/NNNN-<UTC timestamp>.ru`` (the setting
``journal_dir``). The file is a SPARQL Update with a comment header (number, time, client address, a
fingerprint of the token, never the token; base IRI; the net number of quads it added), so it can be
read in a review and run by any SPARQL tool. Every build (``migkg build``, ``make run``, the store
``migkg serve`` rebuilds when the sources changed) loads the Turtle sources, then replays the journal
in order, so an update survives restarts, rebuilds and edits of the sources.

The header also records what the update did: the quads it added and removed, counted and as a
digest of their N-Quads (``# content: sha256:...``; blank-node labels, fresh on every run, are
written ``_:b``). A replay must add and remove the very same quads: an entry that changes other
quads, or other numbers of them, no longer applies (the sources moved under it, or it was folded
into a curated file and not deleted), and the build fails with :class:`JournalError` naming the
file, never skipping it silently. (Entries written before digests were kept are checked on their
net count only.)
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from migkg.sources import SourceError, SourceErrors

if TYPE_CHECKING:
    from migkg.config import Settings

_NAME = re.compile(r"^(\d{4,})-[0-9TZ]+\.ru$")
_HEADER = re.compile(r"^#\s*([a-z-]+):\s*(.*?)\s*$")


@dataclass(frozen=True)
class Author:
    """Who sent an update: the client's address and a fingerprint of the token it used."""

    client: str
    token_id: str


#: The author of the update being applied (set by the web layer around the update).
author: ContextVar[Author | None] = ContextVar("migkg_journal_author", default=None)


def token_id(token: str) -> str:
    """A fingerprint that tells tokens apart without revealing them.

    >>> token_id("secret")
    'sha256:2bb80d537b1d'
    """
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Entry:
    """One journal file."""

    path: Path
    number: int
    accepted: str
    client: str
    token: str
    base_iri: str | None
    effect: int
    sparql: str
    content: str | None = None  # the digest of the quads it added and removed (None: not recorded)

    @property
    def name(self) -> str:
        return self.path.name


class JournalError(SourceErrors):
    """A journal entry that cannot be read or no longer applies (the build stops, exit 2)."""


def _error(path: Path, message: str) -> JournalError:
    return JournalError([SourceError(str(path), None, None, message)])


def read_entry(path: Path) -> Entry:
    """Parse one journal file (its header and its update text)."""
    match = _NAME.match(path.name)
    if match is None:
        raise _error(path, "a journal file is named NNNN-<timestamp>.ru")
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header = _HEADER.match(line)
        if header:
            fields[header.group(1)] = header.group(2)
    try:
        effect = int(fields["effect"].split()[0])
    except (KeyError, ValueError, IndexError):
        raise _error(path, "the header has no '# effect: +N quads' line") from None
    return Entry(path, int(match.group(1)), fields.get("accepted", ""), fields.get("client", ""),
                 fields.get("token", ""), fields.get("base") or None, effect, text,
                 (fields.get("content") or "").partition(" ")[0] or None)


@dataclass(frozen=True)
class Effect:
    """What an update did to a store: how many quads it added and removed, and their digest."""

    added: int
    removed: int
    digest: str

    @property
    def net(self) -> int:
        """Quads added less quads removed."""
        return self.added - self.removed

    def __str__(self) -> str:
        return f"{self.added} added, {self.removed} removed, content {self.digest}"


_BLANK = re.compile(r"_:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-]")
# Strings and comments (dropped before looking for graph names), and IRIs (kept: a '#' in one is no
# comment), as SPARQL lexes them.
_SKIP = re.compile(
    r"""
    (?P<keep><[^<>"{}|^`\\\x00-\x20]*>)
  | '\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
  | "\"\"(?:[^"\\]|\\.|"(?!""))*"\"\"
  | '(?:[^'\\\n\r]|\\.)*'
  | "(?:[^"\\\n\r]|\\.)*"
  | \#[^\n]*
    """,
    re.VERBOSE,
)
# A keyword that names a graph, and what follows it.
_NAMES_GRAPH = re.compile(r"\b(?:GRAPH|WITH|INTO|USING|TO|ADD|MOVE|COPY|CREATE|DROP|CLEAR)\b\s*"
                          r"(?:SILENT\b\s*)?(?:NAMED\b\s*)?(?:GRAPH\b\s*)?(\S+)", re.IGNORECASE)


def touched_graphs(sparql: str) -> list[ox.NamedNode] | None:
    """The named graphs an update can change, read from its text (every ``<IRI>`` after ``GRAPH``,
    ``WITH``, ``INTO``, ``USING``, ``TO``, ``ADD``, ...); None when it may change others (a graph
    variable, a prefixed or relative graph name, ``ALL``, ``NAMED``): then every graph is compared.
    The default graph is always compared besides.

    >>> touched_graphs('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "to me" } }')
    [<NamedNode value=urn:g>]
    >>> touched_graphs("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }") is None
    True
    """
    text = _SKIP.sub(lambda m: m.group("keep") or " ", sparql)
    graphs: set[str] = set()
    for match in _NAMES_GRAPH.finditer(text):
        target = match.group(1)
        if target.upper().startswith(("DEFAULT", "{", "DATA", "WHERE", "INSERT", "DELETE")):
            continue
        if not (target.startswith("<") and ">" in target):
            return None
        graphs.add(target[1:target.index(">")])
    try:
        return [ox.NamedNode(iri) for iri in sorted(graphs)]
    except ValueError:  # a relative IRI: resolved against a base
        return None


def content(store: ox.Store, graphs: Sequence[ox.NamedNode] | None = None) -> set[str]:
    """The quads of ``graphs`` and of the default graph (None: of every graph) as N-Quads lines:
    what :func:`effect` compares."""
    if graphs is None:
        return {str(quad) for quad in store}
    found: set[str] = set()
    every: list[ox.NamedNode | ox.DefaultGraph] = [*graphs, ox.DefaultGraph()]
    for graph in every:
        found.update(str(quad) for quad in store.quads_for_pattern(None, None, None, graph))
    return found


def effect(before: set[str], after: set[str]) -> Effect:
    """The quads added and removed between two :func:`content` sets, counted and digested."""
    added = sorted(_BLANK.sub("_:b", line) for line in after - before)
    removed = sorted(_BLANK.sub("_:b", line) for line in before - after)
    digest = hashlib.sha256()
    for sign, lines in (("+ ", added), ("- ", removed)):
        for line in lines:
            digest.update(f"{sign}{line}\n".encode())
    return Effect(len(added), len(removed), "sha256:" + digest.hexdigest()[:16])


class Journal:
    """The journal folder: list, append, replay."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def entries(self) -> list[Entry]:
        """Every entry, in order."""
        if not self.folder.is_dir():
            return []
        found = [read_entry(p) for p in sorted(self.folder.glob("*.ru"))]
        numbers = [e.number for e in found]
        if len(set(numbers)) != len(numbers):
            raise _error(self.folder, "two journal entries have the same number")
        return sorted(found, key=lambda e: e.number)

    def files(self) -> list[Path]:
        """The entry files (for fingerprints), in order."""
        return sorted(self.folder.glob("*.ru")) if self.folder.is_dir() else []

    def record(self, sparql: str, base_iri: str | None, change: Effect) -> Entry:
        """Write an accepted update and what it did as the next entry (atomically: a whole file
        or none)."""
        who = author.get() or Author("local", "none")
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            number = max((e.number for e in self.entries()), default=0) + 1
            now = datetime.now(UTC)
            path = self.folder / f"{number:04d}-{now:%Y%m%dT%H%M%SZ}.ru"
            header = [
                f"# migkg journal entry {number:04d}: an update accepted by the endpoint, replayed "
                "after the sources on every build (see data/README.md).",
                f"# accepted: {now:%Y-%m-%dT%H:%M:%SZ}",
                f"# client: {who.client}",
                f"# token: {who.token_id} (a fingerprint of the bearer token; never the token)",
                f"# base: {base_iri or ''}",
                f"# effect: {change.net:+d} quads ({change.added} added, {change.removed} removed)",
                f"# content: {change.digest} (a digest of the quads added and removed)",
                "",
            ]
            body = "\n".join(header) + "\n" + sparql.rstrip("\n") + "\n"
            temporary = path.with_suffix(".tmp")
            with temporary.open("w", encoding="utf-8") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(path)
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        return read_entry(path)


_FOLD = ("(the sources changed under it, or it was folded into a curated file and not deleted): "
         "fold it by hand and delete it (see data/README.md)")


def replay(store: ox.Store, entries: Sequence[Entry]) -> int:
    """Apply ``entries`` to ``store`` in order; return how many. Raises :class:`JournalError` when one
    fails, or adds or removes other quads than when it was accepted (its ``content`` digest; an
    entry without one: another net number of quads)."""
    for entry in entries:
        graphs = touched_graphs(entry.sparql)
        before = content(store, graphs)
        try:
            store.update(entry.sparql, base_iri=entry.base_iri)
        except (SyntaxError, ValueError, OSError, RuntimeError) as err:
            raise _error(entry.path, f"the update no longer runs: {err}") from None
        now = effect(before, content(store, graphs))
        if entry.content is not None and now.digest != entry.content:
            raise _error(entry.path, (
                f"no longer applies: when accepted it changed {entry.effect:+d} quads (content "
                f"{entry.content}), now it changes other quads ({now}) {_FOLD}"))
        if now.net != entry.effect:
            raise _error(entry.path, (
                f"no longer applies: it changed {entry.effect:+d} quads when accepted and "
                f"{now.net:+d} now {_FOLD}"))
    return len(entries)


def graph_changes(old: set[ox.Quad], new: set[ox.Quad]) -> Iterable[tuple[str, list[ox.Quad],
                                                                         list[ox.Quad]]]:
    """Per graph, the quads removed and added from ``old`` to ``new`` (default graph: "")."""
    removed, added = old - new, new - old
    graphs = sorted({_graph(q) for q in removed | added})
    for graph in graphs:
        yield (graph, sorted((q for q in removed if _graph(q) == graph), key=str),
               sorted((q for q in added if _graph(q) == graph), key=str))


def _graph(quad: ox.Quad) -> str:
    return "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name.value)


def _triple(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def triple_delta(settings: Settings) -> tuple[set[ox.Triple], set[ox.Triple]] | None:
    """The triples the journal removes from and adds to the sources, graph names dropped (for
    validating the union as the validators see it); None when the journal is empty."""
    from migkg.build import build_backend

    entries = Journal(settings.journal_folder).entries()
    if not entries:
        return None
    backend, _ = build_backend(settings.model_copy(update={"store_dir": None}), journal=False)
    old = set(backend.store)
    replay(backend.store, entries)
    new = set(backend.store)
    backend.close()
    before, after = {q.triple for q in old}, {q.triple for q in new}
    return before - after, after - before


def export_patch(settings: Settings) -> str:
    """The net change of the whole journal against the sources, per graph, as TriG: the added
    triples in ``GRAPH`` blocks, the removed ones as comments, each graph with its source file.

    Raises :class:`migkg.sources.SourceErrors` (a source does not parse) and :class:`JournalError`.
    """
    from migkg.build import build_backend  # build replays the journal: imported here, not above
    from migkg.sources import discover

    entries = Journal(settings.journal_folder).entries()
    backend, _ = build_backend(settings.model_copy(update={"store_dir": None}), journal=False)
    old = set(backend.store)
    replay(backend.store, entries)
    files = {s.graph_iri: str(s.relative) for s in discover(settings.root_dir, settings.source_dirs)}
    numbers = f"{entries[0].number:04d}-{entries[-1].number:04d}" if entries else "none"
    lines = [
        f"# migkg journal export: the net change of {len(entries)} journal entries ({numbers}) "
        "against the sources.",
        "# To fold it into the curated files: add each graph's added triples to its file, remove its",
        "# removed ones, delete the journal entries, run make test, and commit files and deletions",
        "# together (see data/README.md).",
    ]
    for graph, removed, added in graph_changes(old, set(backend.store)):
        where = files.get(graph, "no source file: a new graph") if graph else "the default graph"
        lines += ["", f"# graph <{graph}> = {where}" if graph else f"# {where}",
                  f"# removed ({len(removed)}):"]
        lines += [f"#   {_triple(q)}" for q in removed]
        lines.append(f"# added ({len(added)}):")
        if added:
            lines.append(f"GRAPH <{graph}> {{" if graph else "{")
            lines += [f"  {_triple(q)}" for q in added]
            lines.append("}")
    backend.close()
    return "\n".join(lines) + "\n"
