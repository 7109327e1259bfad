"""What the commitment-frame importers share: raw files, source IRIs, deterministic Turtle output.

Every importer reads raw files vendored under ``data/sources/raw/<name>/`` (each folder has a
PROVENANCE.md) and writes Turtle into ``data/``. The output is a pure function of the raw files, so a
rerun gives the same bytes; nothing is fetched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace, URIRef

from migkg.namespaces import BASE, DISPLAY_PREFIXES, ID

RAW_DIR = Path("data") / "sources" / "raw"
SOURCE = Namespace(str(ID) + "source/")
PARTY_STATUS = Namespace(str(ID) + "party-status/")
PARTY_LIST = Namespace(str(ID) + "party-list/")
INSTRUMENT = Namespace(str(ID) + "instrument/")
ORGID = Namespace(str(ID) + "org/")
PLACE = Namespace(BASE + "concept/place/")

#: Extra prefixes of the conventions used in the generated files.
_EXTRA_PREFIXES = {
    "lc": BASE + "concept/list-completeness/",
    "gcmo": BASE + "gcm/objective/",
    "party-status": str(PARTY_STATUS),
}


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


def new_graph() -> Graph:
    """An empty graph with the conventions' prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in sorted((DISPLAY_PREFIXES | _EXTRA_PREFIXES).items()):
        graph.bind(prefix, iri, replace=True)
    return graph


def write_turtle(graph: Graph, path: Path, header: str) -> None:
    """Write ``graph`` as Turtle after a ``#`` comment header; unused prefixes are dropped."""
    body = graph.serialize(format="turtle")
    prefixes = [line for line in body.splitlines() if line.startswith("@prefix")]
    rest = "\n".join(line for line in body.splitlines() if not line.startswith("@prefix"))
    used = [p for p in prefixes if re.search(rf"(?<![\w-]){re.escape(p.split()[1])}", rest)]
    comment = "\n".join(f"# {line}".rstrip() for line in header.strip().splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{comment}\n\n" + "\n".join(sorted(used)) + "\n" + rest.rstrip() + "\n",
                    encoding="utf-8")


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


def describe_dataset(graph: Graph, dataset: Dataset) -> URIRef:
    """Add ``dataset`` as a ``dcat:Dataset`` and ``prov:Entity`` (``<id/source/{name}>``) to ``graph``."""
    from rdflib import RDF, Literal
    from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDFS, XSD

    node = dataset_iri(dataset.name)
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
    if dataset.modified:
        graph.add((node, DCTERMS.modified, Literal(dataset.modified, datatype=XSD.date)))
    where = (f"Vendored as data/sources/raw/{dataset.name}/ (see its PROVENANCE.md)." if dataset.vendored
             else "A Python dependency of the importer (the 'import' extra), pinned in pyproject.toml.")
    graph.add((node, RDFS.comment, Literal(where, lang="en")))
    return node
