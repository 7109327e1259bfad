"""The data behind the world map and the timeline, computed in SPARQL on the store.

The map colours each country by a measure: the number of instruments a browser selection picks that
concern it (the ``country`` facet's counts, so the map takes the browser's URL parameters: e.g.
``objective=5`` for instruments under an objective), the number of bilateral labour agreements, or
the status of one chosen treaty (``mig:PartyStatus`` kinds; a party without a recorded status is
"party"). Countries world-atlas has no shape for (historic States such as Yugoslavia, the USSR or
Czechoslovakia, and a few small ones) are listed beside the map with their values
(:func:`without_shape`), never dropped. The timeline counts a selection's instruments by year and
governance level.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import pick_label
from migkg.views.facets import PREFIXES, YEAR, Context, Selection, where
from migkg.views.instrument_browser import BrowseResult, Vocabulary

BLA = "https://w3id.org/migkg/concept/instrument-type/bilateral-labour-agreement"
#: The vendored shapes map.js draws (world-atlas, features identified by ISO 3166 numeric code).
SHAPES = Path(__file__).resolve().parents[1] / "web/static/vendor/world-atlas/countries-50m.json"
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


@lru_cache(maxsize=4)
def shape_ids(path: Path = SHAPES) -> frozenset[str]:
    """The ISO 3166 numeric codes that have a shape in the world-atlas topology at ``path``."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(str(g["id"]) for g in topology["objects"]["countries"]["geometries"] if g.get("id"))


def without_shape(values: Sequence[MapValue], ids: frozenset[str] | None = None) -> tuple[MapValue, ...]:
    """The countries the map cannot draw: no ISO numeric code, or one world-atlas has no shape for.

    >>> v = MapValue("p:yu", "Yugoslavia", "YUG", "YUG", "891", 19, "")
    >>> [x.label for x in without_shape([v], frozenset({"504"}))]
    ['Yugoslavia']
    """
    found = shape_ids() if ids is None else ids
    return tuple(v for v in values if not v.numeric or v.numeric.zfill(3) not in found)
