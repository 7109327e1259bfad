"""What every importer shares: raw files and their rows, source IRIs, problems, States, Turtle output.

An importer reads raw files vendored under ``data/sources/raw/<name>/`` (each folder has a
PROVENANCE.md; nothing is fetched), reports every row it cannot use (:class:`Problem` and
:class:`Summary` for the dataset importers, :class:`Report` for the frame's), and writes Turtle files
whose bytes depend only on the input (:func:`write_turtle`), so a rerun is idempotent and a review
diff shows only what changed in the source. The dataset a file comes from is described once, from a
:class:`Dataset` (:func:`describe_dataset`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, SKOS, XSD

from migkg.namespaces import BASE, CONCEPT, DISPLAY_PREFIXES, ID, MIG

RAW_DIR = Path("data") / "sources" / "raw"
INSTRUMENT = Namespace(str(ID) + "instrument/")
CLAIM = Namespace(str(ID) + "claim/")
SOURCE = Namespace(str(ID) + "source/")
PARTY_STATUS = Namespace(str(ID) + "party-status/")
PARTY_LIST = Namespace(str(ID) + "party-list/")
ORGID = Namespace(str(ID) + "org/")
PLACE = Namespace(BASE + "concept/place/")
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
    """An empty graph with the project's prefixes bound (:data:`migkg.namespaces.DISPLAY_PREFIXES`)."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in sorted(DISPLAY_PREFIXES.items()):
        graph.bind(prefix, iri, replace=True)
    return graph


def generated_header(command: str, source: str) -> str:
    """The comment that opens a file an importer writes (with SUMMARY.md beside it).

    >>> print(generated_header("bla", "data/sources/raw/bla-chilton-woda/ (Chilton & Woda 2022)"))
    Generated by `migkg import bla` from data/sources/raw/bla-chilton-woda/ (Chilton & Woda 2022);
    regenerated on every run: never edit by hand. See data/README.md and SUMMARY.md beside this file.
    """
    return (f"Generated by `migkg import {command}` from {source};\n"
            "regenerated on every run: never edit by hand. "
            "See data/README.md and SUMMARY.md beside this file.")


def write_turtle(graph: Graph, path: Path, header: str) -> None:
    """Write ``graph`` as Turtle after a ``#`` comment ``header``; unused prefixes are dropped.

    The bytes depend only on the triples (rdflib orders subjects and predicates itself; blank nodes
    are not used by the importers, they would break the ordering). Parent folders are created.
    """
    body = graph.serialize(format="turtle")
    prefixes = [line for line in body.splitlines() if line.startswith("@prefix")]
    rest = "\n".join(line for line in body.splitlines() if not line.startswith("@prefix"))
    used = [p for p in prefixes if re.search(rf"(?<![\w-]){re.escape(p.split()[1])}", rest)]
    comment = "\n".join(f"# {line}".rstrip() for line in header.strip().splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{comment}\n\n" + "\n".join(sorted(used)) + "\n" + rest.rstrip() + "\n",
                    encoding="utf-8")


def write_outputs(output_dir: Path, graphs: dict[str, Graph], summary: Summary, header: str) -> list[Path]:
    """Write each graph as ``{name}.ttl`` and the summary as SUMMARY.md into ``output_dir``."""
    written = []
    for name, graph in graphs.items():
        path = output_dir / f"{name}.ttl"
        write_turtle(graph, path, header)
        written.append(path)
    path = output_dir / "SUMMARY.md"
    path.write_text(summary.to_markdown(), encoding="utf-8")
    return [*written, path]


def csv_rows(path: Path, encoding: str = "utf-8") -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with a header, each with its 1-based row number (the header is row 1)."""
    with path.open(encoding=encoding, newline="") as handle:
        return [(n, row) for n, row in enumerate(csv.DictReader(handle), start=2)]


def slug(text: str) -> str:
    """Kebab-case slug of ``text`` (ASCII letters and digits).

    >>> slug("Decree 1067 of 2015")
    'decree-1067-of-2015'
    >>> slug("Ley Orgánica 5")
    'ley-organica-5'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower())) or "untitled"


def dataset_iri(name: str) -> URIRef:
    """The IRI of a vendored dataset (``data/sources/raw/<name>/``) as a source.

    >>> str(dataset_iri("gcm-text"))
    'https://w3id.org/migkg/id/source/gcm-text'
    """
    return SOURCE[name]


def row_iri(name: str, file: str, row: int) -> URIRef:
    """A row of a vendored CSV file (RFC 7111 fragment; the header is row 1).

    >>> str(row_iri("un-hr-treaty-status", "hr_status_icmw.csv", 3))
    'https://w3id.org/migkg/id/source/un-hr-treaty-status/hr_status_icmw.csv#row=3'
    """
    return URIRef(f"{SOURCE}{name}/{file}#row={row}")


def line_iri(name: str, file: str, line: int) -> URIRef:
    """A line of a vendored text file (RFC 5147 fragment, lines counted from 0).

    >>> str(line_iri("gcm-text", "gcms_long.md", 11))
    'https://w3id.org/migkg/id/source/gcm-text/gcms_long.md#line=11,12'
    """
    return URIRef(f"{SOURCE}{name}/{file}#line={line},{line + 1}")


def slugify(text: str) -> str:
    """Lower-case kebab case without accents or apostrophes.

    >>> slugify("Côte d'Ivoire")
    'cote-divoire'
    >>> slugify("Micronesia (Federated States of)")
    'micronesia'
    """
    text = re.sub(r"\s*\(.*?\)", "", text)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip (the only change made to verbatim text).

    >>> normalise_space("  accurate ,\\n reliable  ")
    'accurate , reliable'
    """
    return " ".join(text.split())


@dataclass
class Report:
    """What an importer could not map or had to decide, row by row; printed and returned."""

    name: str
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report as text lines."""
        out = [f"{self.name}: " + ", ".join(f"{k} {v}" for k, v in self.counts.items())]
        out += [f"  unmapped: {line}" for line in self.unmapped]
        out += [f"  note: {line}" for line in self.notes]
        return out


@dataclass(frozen=True)
class Dataset:
    """A published dataset an importer reads, described as it was published (licence as published)."""

    name: str
    title: str
    creator: str
    landing_page: str
    version: str
    license: str | None = None  # IRI of the licence as published
    rights: str | None = None  # what is said when no licence is stated, or about the content
    modified: str | None = None  # xsd:date
    vendored: bool = True  # raw files under data/sources/raw/{name}/ (else a dependency, e.g. pycountry)
    citation: str | None = None  # the publication to cite (dcterms:bibliographicCitation)
    iri_name: str | None = None  # the source IRI's name when it is not the folder's (``apla-2022``)

    @property
    def iri(self) -> URIRef:
        """The dataset's IRI as a source: ``<id/source/{iri_name or name}>``."""
        return dataset_iri(self.iri_name or self.name)


def describe_dataset(graph: Graph, dataset: Dataset) -> URIRef:
    """Add ``dataset`` as a ``dcat:Dataset`` and ``prov:Entity`` (``<id/source/{iri_name}>``) to ``graph``."""
    node = dataset.iri
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="en")))
    graph.add((node, DCTERMS.creator, Literal(dataset.creator)))
    graph.add((node, DCAT.landingPage, URIRef(dataset.landing_page)))
    graph.add((node, OWL.versionInfo, Literal(dataset.version)))
    if dataset.license:
        graph.add((node, DCTERMS.license, URIRef(dataset.license)))
    if dataset.rights:
        graph.add((node, DCTERMS.rights, Literal(dataset.rights, lang="en")))
    if dataset.citation:
        graph.add((node, DCTERMS.bibliographicCitation, Literal(dataset.citation)))
    if dataset.modified:
        graph.add((node, DCTERMS.modified, Literal(dataset.modified, datatype=XSD.date)))
    where = (f"Vendored as data/sources/raw/{dataset.name}/ (see its PROVENANCE.md)." if dataset.vendored
             else "A Python dependency of the importer (the 'import' extra), pinned in pyproject.toml.")
    graph.add((node, RDFS.comment, Literal(where, lang="en")))
    return node
