"""Search by label (any language, alt labels and acronyms) and the home page's entry points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Literal

from migkg.describe import pick_label, short_name
from migkg.namespaces import BASE, sparql_prefix_block
from migkg.pages import rows_labels
from migkg.stores.base import Backend, QueryRequest

_P = sparql_prefix_block()
_SEARCH = _P + """
SELECT ?q ?base ?s ?l ?pl ?t ?tl WHERE {
  ?s skos:prefLabel|skos:altLabel|rdfs:label|dcterms:title|skos:notation ?l
  FILTER(STRSTARTS(STR(?s), ?base) && CONTAINS(LCASE(STR(?l)), LCASE(STR(?q))))
  OPTIONAL { ?s skos:prefLabel|rdfs:label|dcterms:title ?pl }
  OPTIONAL { ?s a ?t OPTIONAL { ?t rdfs:label ?tl FILTER(langMatches(lang(?tl), "en")) } }
} LIMIT 5000"""

_LEVELS = _P + """
SELECT ?c ?l ?no (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?c skos:inScheme <https://w3id.org/migkg/scheme/governance-level> . OPTIONAL { ?c skos:notation ?no }
  OPTIONAL { ?i mig:governanceLevel ?c } OPTIONAL { ?c skos:prefLabel ?l }
} GROUP BY ?c ?l ?no ORDER BY xsd:integer(?no)"""
_OBJECTIVES = _P + """
SELECT ?c ?l ?no (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?c skos:inScheme <https://w3id.org/migkg/scheme/gcm-objectives> . OPTIONAL { ?c skos:notation ?no }
  OPTIONAL { ?i mig:contributesTo ?c } OPTIONAL { ?c skos:prefLabel ?l }
} GROUP BY ?c ?l ?no ORDER BY xsd:integer(?no)"""
_REGIONS = _P + """
SELECT ?c ?l (COUNT(DISTINCT ?i) AS ?n) ("" AS ?no) WHERE {
  ?c skos:broader place:world . OPTIONAL { ?c skos:prefLabel ?l }
  OPTIONAL { ?i eli:jurisdiction/skos:broader* ?c }
} GROUP BY ?c ?l"""


@dataclass(frozen=True)
class Hit:
    """A resource whose label matches: its IRI, best label, the label that matched, kinds."""

    iri: str
    label: str
    matched: str
    kinds: tuple[str, ...]
    rank: int


@dataclass(frozen=True)
class Entry:
    """An entry point: a concept and how many instruments it leads to."""

    iri: str
    label: str
    count: int
    notation: str


def search(backend: Backend, text: str, languages: Sequence[str], *, limit: int = 100) -> list[Hit]:
    """Resources of the project whose labels (pref, alt, title, notation) contain ``text``.

    Exact matches come first, then prefix matches, then the rest, each by label.
    """
    needle = text.strip()
    if not needle:
        return []
    bindings = {"q": Literal(needle), "base": Literal(BASE)}
    rows = backend.select(QueryRequest(_SEARCH, bindings=bindings))
    labels = rows_labels(rows, "s", "pl")
    hits: dict[str, Hit] = {}
    for row in rows:
        iri, matched = str(row["s"]), str(row["l"])
        low, want = matched.lower(), needle.lower()
        rank = 0 if low == want else 1 if low.startswith(want) else 2
        kinds = {short_name(str(row["t"])) if "tl" not in row else str(row["tl"])} if "t" in row else set()
        old = hits.get(iri)
        label = pick_label(labels.get(iri, []), languages) or short_name(iri)
        if old is None or rank < old.rank:
            hits[iri] = Hit(iri, label, matched, tuple(sorted(kinds | set(old.kinds if old else ()))),
                            rank)
        else:
            hits[iri] = Hit(old.iri, old.label, old.matched, tuple(sorted(kinds | set(old.kinds))),
                            old.rank)
    return sorted(hits.values(), key=lambda h: (h.rank, h.label.lower()))[:limit]


def _entries(backend: Backend, sparql: str, languages: Sequence[str]) -> list[Entry]:
    rows = backend.select(QueryRequest(sparql))
    labels = rows_labels(rows, "c", "l")
    counts: dict[str, tuple[int, str]] = {}
    for row in rows:
        counts[str(row["c"])] = (int(row["n"]), str(row.get("no", "")))
    return [Entry(iri, pick_label(labels.get(iri, []), languages) or short_name(iri), n, no)
            for iri, (n, no) in counts.items()]


def entry_points(backend: Backend, languages: Sequence[str]) -> dict[str, list[Entry]]:
    """Concepts to start browsing from: by governance level, by GCM objective, by region."""
    by_level = sorted(_entries(backend, _LEVELS, languages), key=lambda e: _num(e.notation))
    by_objective = sorted(_entries(backend, _OBJECTIVES, languages), key=lambda e: _num(e.notation))
    by_region = sorted(_entries(backend, _REGIONS, languages), key=lambda e: (-e.count, e.label))
    return {"level": by_level, "objective": by_objective, "region": by_region}


def _num(notation: str) -> tuple[int, str]:
    return (int(notation), "") if notation.isdigit() else (10_000, notation)

