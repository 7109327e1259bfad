"""The home page's figures and entry points: concepts by governance level, GCM objective and region.

Label search is :func:`migkg.views.explorer.search`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from migkg.namespaces import SCHEME, sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import pick_label, short_name
from migkg.views.resource_page import rows_labels
from migkg.views.stats import Headline, compute_headline

_P = sparql_prefix_block()
_LEVELS = _P + """
SELECT ?c ?l ?no (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?c skos:inScheme """ + SCHEME["governance-level"].n3() + """ . OPTIONAL { ?c skos:notation ?no }
  OPTIONAL { ?i mig:governanceLevel ?c } OPTIONAL { ?c skos:prefLabel ?l }
} GROUP BY ?c ?l ?no ORDER BY xsd:integer(?no)"""
_OBJECTIVES = _P + """
SELECT ?c ?l ?no (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?c skos:inScheme """ + SCHEME["gcm-objectives"].n3() + """ . OPTIONAL { ?c skos:notation ?no }
  OPTIONAL { ?i mig:contributesTo ?c } OPTIONAL { ?c skos:prefLabel ?l }
} GROUP BY ?c ?l ?no ORDER BY xsd:integer(?no)"""
_REGIONS = _P + """
SELECT ?c ?l (COUNT(DISTINCT ?i) AS ?n) ("" AS ?no) WHERE {
  ?c skos:broader place:world . OPTIONAL { ?c skos:prefLabel ?l }
  OPTIONAL { ?i eli:jurisdiction/skos:broader* ?c }
} GROUP BY ?c ?l"""


@dataclass(frozen=True)
class Entry:
    """An entry point: a concept and how many instruments it leads to."""

    iri: str
    label: str
    count: int
    notation: str


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


@dataclass(frozen=True)
class HomeFigures:
    """Everything the home page computes from the store: its figures and entry points."""

    stats: Headline
    entries: dict[str, list[Entry]]


def home_figures(backend: Backend, languages: Sequence[str]) -> HomeFigures:
    """The home page's figures and entry points (seven queries)."""
    return HomeFigures(compute_headline(backend), entry_points(backend, languages))


def _num(notation: str) -> tuple[int, str]:
    return (int(notation), "") if notation.isdigit() else (10_000, notation)

