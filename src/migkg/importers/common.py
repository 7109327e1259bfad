"""What the dataset importers share: problems with file and row, the summary, states by ISO code, output.

An importer reads raw files, reports every row it cannot use (:class:`Problem`, never a silent drop),
and writes Turtle files whose bytes depend only on the input (:func:`write_turtle`), so a rerun is
idempotent and a review diff shows only what changed in the source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG

from migkg.namespaces import BASE, CONCEPT, DISPLAY_PREFIXES, ID, MIG, PREFIXES

INSTRUMENT = Namespace(str(ID) + "instrument/")
CLAIM = Namespace(str(ID) + "claim/")
SOURCE = Namespace(str(ID) + "source/")
STATE = CONCEPT["actor-type/state"]


class ImportFailure(Exception):
    """A raw file the importer cannot read at all (missing file or column, wrong encoding)."""

    def __init__(self, file: str, message: str, row: str | None = None) -> None:
        self.file = file
        self.row = row
        self.message = message
        where = f"{file}:{row}" if row is not None else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, order=True)
class Problem:
    """One row (or value) that was not imported as it stands, and why.

    ``kind`` groups the summary ("unmapped party", "bad date", ...); ``skipped`` says whether the
    whole row was left out (True) or only the value named in ``message``.
    """

    file: str
    row: str
    kind: str
    message: str
    skipped: bool = False

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.kind}: {self.message}"


@dataclass
class Summary:
    """What one import read, wrote, skipped and reported."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def report(self, problem: Problem) -> None:
        self.problems.append(problem)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]

    def to_markdown(self) -> str:
        """The summary as Markdown (deterministic: sorted problems, no clock)."""
        lines = [f"# Import summary: {self.source}", "",
                 "Written by the importer next to its output; regenerated on every run.", "",
                 "| count | n |", "|---|---|"]
        lines += [f"| {name} | {n} |" for name, n in self.counts.items()]
        kinds = Counter(p.kind for p in self.problems)
        if kinds:
            lines += ["", "## Problems by kind", "", "| kind | rows | whole row skipped |", "|---|---|---|"]
            for kind in sorted(kinds):
                skipped = sum(1 for p in self.problems if p.kind == kind and p.skipped)
                lines.append(f"| {kind} | {kinds[kind]} | {skipped} |")
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {note}" for note in self.notes]
        if self.problems:
            lines += ["", "## Every problem (file:row: kind: message)", ""]
            lines += [f"- `{p.file}:{p.row}`: {p.kind}{' (row skipped)' if p.skipped else ''}: "
                      f"{p.message}" for p in sorted(self.problems, key=_problem_key)]
        return "\n".join(lines) + "\n"

    def to_text(self) -> str:
        """A short summary for the terminal: the counts and the problems by kind."""
        lines = [f"{self.source}:"] + [f"  {name}: {n}" for name, n in self.counts.items()]
        kinds = Counter(p.kind for p in self.problems)
        lines += [f"  reported, {kind}: {kinds[kind]}" for kind in sorted(kinds)]
        return "\n".join(lines)


def _problem_key(problem: Problem) -> tuple[str, int, str, str, str]:
    row = problem.row
    number = int(row) if row.isdigit() else -1
    return (problem.file, number, row, problem.kind, problem.message)


@dataclass(frozen=True)
class StateRecord:
    """A State of the graph as an importer needs it."""

    iri: URIRef
    place: URIRef
    label: str


class StateIndex:
    """The graph's States by ISO 3166 alpha-3 code (current and ISO 3166-3 historic codes).

    Follows the shared data contract: ``?place mig:iso3166Alpha3 "XXX" . ?state dcterms:spatial
    ?place ; org:classification at:state``.
    """

    def __init__(self, graph: Graph) -> None:
        self._by_code: dict[str, StateRecord] = {}
        for state in sorted(set(graph.subjects(ORG.classification, STATE)), key=str):
            if not isinstance(state, URIRef):
                continue
            for place in sorted(graph.objects(state, DCTERMS.spatial), key=str):
                if not isinstance(place, URIRef):
                    continue
                label = _english_label(graph, state) or str(state)
                for code in graph.objects(place, MIG.iso3166Alpha3):
                    self._by_code.setdefault(str(code).upper(), StateRecord(state, place, label))

    def __len__(self) -> int:
        return len(self._by_code)

    def code_of_place(self, place: object) -> str | None:
        """The alpha-3 code of a State's place, or None."""
        for code, record in self._by_code.items():
            if record.place == place:
                return code
        return None

    def get(self, alpha3: str) -> StateRecord | None:
        return self._by_code.get(alpha3.upper())


def _english_label(graph: Graph, node: URIRef) -> str | None:
    from rdflib.namespace import SKOS

    for label in sorted(graph.objects(node, SKOS.prefLabel), key=str):
        if isinstance(label, Literal) and label.language == "en":
            return str(label)
    return None


def load_graph(paths: Iterable[Path]) -> Graph:
    """The union of the Turtle files under ``paths`` (``*.ttl`` files, or folders searched for them)."""
    graph = Graph()
    for path in paths:
        if path.is_dir():
            files = sorted(path.rglob("*.ttl"))
        else:
            files = [path] if path.is_file() and path.suffix == ".ttl" else []
        for file in files:
            try:
                graph.parse(file, format="turtle")
            except Exception as err:  # rdflib's BadSyntax and friends
                raise ImportFailure(str(file), f"cannot read the States/curated graph: {err}") from err
    return graph


def new_graph() -> Graph:
    """An empty graph with the project's prefixes (and the display ones: inst, orgid, claim ...)."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in sorted((PREFIXES | DISPLAY_PREFIXES).items()):
        graph.bind(prefix, iri)
    graph.bind("source", str(SOURCE))
    return graph


def turtle_bytes(graph: Graph, header: str) -> bytes:
    """Turtle whose bytes depend only on the triples: N-Triples sorted, then re-serialised.

    rdflib's Turtle writer orders subjects and predicates itself; the comment ``header`` says the
    file is generated. Blank nodes are not used by the importers (they would break the ordering).
    """
    body = graph.serialize(format="turtle")
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return (comment + "\n" + body).encode("utf-8")


def write_turtle(graph: Graph, path: Path, header: str) -> None:
    """Write ``graph`` to ``path`` as deterministic Turtle (parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(turtle_bytes(graph, header))


def slug(text: str) -> str:
    """Kebab-case slug of ``text`` (ASCII letters and digits).

    >>> slug("Decree 1067 of 2015")
    'decree-1067-of-2015'
    >>> slug("Ley Orgánica 5")
    'ley-organica-5'
    """
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower())) or "untitled"


__all__ = [
    "BASE", "CLAIM", "INSTRUMENT", "SOURCE", "ImportFailure", "Problem", "StateIndex", "StateRecord",
    "Summary", "load_graph", "new_graph", "slug", "turtle_bytes", "write_turtle",
]
