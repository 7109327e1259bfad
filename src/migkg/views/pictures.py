"""The data behind the world map and the timeline, computed in SPARQL on the store.

The map colours each country by a measure: the number of instruments a browser selection picks that
concern it (the ``country`` facet's counts, so the map takes the browser's URL parameters: e.g.
``objective=5`` for instruments under an objective), the number of bilateral labour agreements, or
the status of one chosen treaty (``mig:PartyStatus`` kinds; a party without a recorded status is
"party"). The timeline counts a selection's instruments by year and governance level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import pick_label
from migkg.views.facets import PREFIXES, YEAR, Context, Selection, where
from migkg.views.instrument_browser import BrowseResult, Vocabulary

BLA = "https://w3id.org/migkg/concept/instrument-type/bilateral-labour-agreement"
STATUS_ORDER = ("ratification", "accession", "ratification-or-accession", "signature", "party")


class Measure(str, Enum):
    """What the map shows."""

    INSTRUMENTS = "instruments"
    BLAS = "blas"
    STATUS = "status"


@dataclass(frozen=True)
class MapValue:
    """One country on the map: its codes, its value (a count) or category (a status)."""

    iri: str
    label: str
    code: str
    alpha3: str
    numeric: str
    value: int | None
    category: str


def counts_by_country(result: BrowseResult) -> dict[str, int]:
    """The ``country`` facet's counts of a browser result."""
    facet = next(f for f in result.facets if f.facet.key == "country")
    return {v.value: v.count for v in facet.values}


def map_values(vocab: Vocabulary, counts: Mapping[str, int] | None, categories: Mapping[str, str] | None,
               languages: Sequence[str]) -> tuple[MapValue, ...]:
    """Every country with its count (``counts``) or category (``categories``)."""
    return tuple(MapValue(
        c.iri, pick_label(c.labels, languages) or c.slug, c.code, c.alpha3, c.numeric,
        (counts or {}).get(c.iri, 0) if counts is not None else None,
        (categories or {}).get(c.iri, "") if categories is not None else "",
    ) for c in vocab.countries)


_STATUS = PREFIXES + """
SELECT ?place ?kind WHERE {
  VALUES ?i { %s }
  { ?s a mig:PartyStatus ; mig:ofInstrument ?i ; mig:partyState ?state .
    OPTIONAL { ?s mig:statusKind ?k } BIND(COALESCE(?k, "ratification-or-accession") AS ?kind) }
  UNION { ?i mig:party ?state BIND("party" AS ?kind) }
  ?state dcterms:spatial ?place .
}"""


def treaty_status(backend: Backend, instrument: str) -> dict[str, str]:
    """Each country's strongest status for ``instrument`` (ratification, accession, …, party)."""
    rows = backend.select(QueryRequest(_STATUS % ox.NamedNode(instrument)))
    found: dict[str, str] = {}
    for row in rows:
        place, kind = str(row["place"]), str(row["kind"])
        rank = STATUS_ORDER.index(kind) if kind in STATUS_ORDER else len(STATUS_ORDER)
        current = found.get(place)
        if current is None or rank < (STATUS_ORDER.index(current) if current in STATUS_ORDER else 99):
            found[place] = kind
    return found


_TREATIES = PREFIXES + """
SELECT ?i (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?state) AS ?n) WHERE {
  { ?s a mig:PartyStatus ; mig:ofInstrument ?i ; mig:partyState ?state } UNION { ?i mig:party ?state }
  ?i mig:governanceLevel ?level FILTER(?level != <https://w3id.org/migkg/concept/governance-level/bilateral>)
  OPTIONAL { ?i skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "en")) }
} GROUP BY ?i ORDER BY DESC(?n) ?label"""


def treaties(backend: Backend) -> tuple[tuple[str, str, int], ...]:
    """Multilateral instruments with parties, most parties first: ``(iri, label, parties)``."""
    return tuple((str(r["i"]), str(r.get("label", r["i"])), int(r["n"]))
                 for r in backend.select(QueryRequest(_TREATIES)))


# --- timeline ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineBar:
    """Instruments of one level in one year."""

    year: int
    level: str
    count: int


def timeline_query(selection: Selection, context: Context) -> str:
    """Counts of the selected instruments by year and governance level (``?year ?level ?n``)."""
    year = YEAR.replace("{v}", "?year").replace("{p}", "_t_")
    return f"""{PREFIXES}
SELECT ?year ?level (COUNT(DISTINCT ?i) AS ?n) WHERE {{
  {where(selection, None, context)}
  {year} FILTER(BOUND(?year))
  OPTIONAL {{ ?i mig:governanceLevel ?level }}
}} GROUP BY ?year ?level ORDER BY ?year ?level"""


def timeline(backend: Backend, selection: Selection, context: Context) -> tuple[TimelineBar, ...]:
    """The selection's instruments counted by year and level (level ``""`` when none is recorded)."""
    rows = backend.select(QueryRequest(timeline_query(selection, context)))
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        counts[(int(row["year"]), str(row.get("level", "")))] += int(row["n"])
    return tuple(TimelineBar(y, level, n) for (y, level), n in sorted(counts.items()))
