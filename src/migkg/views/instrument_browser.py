"""The instrument browser's view model: a selection in, a page of instruments and facet counts out.

:func:`vocabulary` reads, once per store generation, every value each facet can take with its
labels and codes (so ``country=MA``, ``country=Morocco`` and ``level=national`` can be read);
:func:`browse` runs two queries per selection (all counts in one, the page of instruments) and a
third for the facts shown in each row. Every count is the answer of SPARQL on the store.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Literal
from rdflib.namespace import SKOS
from rdflib.term import Identifier

from migkg.namespaces import DISPLAY_PREFIXES, ELI, GCM_OBJECTIVE, MIG, SDG
from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import pick_label, short_name
from migkg.views.facets import (
    FACETS,
    FACETS_BY_KEY,
    REGIONS_QUERY,
    TOTAL,
    YEAR_FACET,
    Context,
    Facet,
    Selection,
    ValueKind,
    counts_query,
    details_query,
    list_query,
)
from migkg.views.places import Country, countries, country_lookup, fold

Term = ox.NamedNode | ox.Literal

_LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?v ?l ?no WHERE {
  VALUES ?v { %s } OPTIONAL { ?v skos:prefLabel ?l } OPTIONAL { ?v skos:notation ?no }
}"""


class SelectionError(ValueError):
    """A parameter value that names nothing the facet knows (``parameter`` is its name)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Vocabulary:
    """What every facet can take, with labels and notations, and the countries by code and name."""

    context: Context
    values: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, tuple[Identifier, ...]]
    notations: Mapping[str, str]
    countries: tuple[Country, ...]
    by_country_key: Mapping[str, Country] = field(default_factory=dict)

    def label(self, value: str, languages: Sequence[str]) -> str:
        """The label of ``value`` in the first of ``languages`` that has one, else a short name."""
        if value.startswith(("http://", "https://")):
            found = pick_label(self.labels.get(value, ()), languages)
            return found or _graph_name(value) or short_name(value)
        return value

    def resolve(self, key: str, text: str) -> Term:
        """The term ``text`` names in facet ``key``: an IRI, a prefixed name, a slug, a notation, a
        label, or for countries an ISO 3166 code.

        Raises:
            SelectionError: nothing in the facet has that name.
        """
        facet = FACETS_BY_KEY[key]
        wanted = text.strip()
        if facet.kind is ValueKind.LITERAL:
            return ox.Literal(wanted)
        if key == "country" and (country := self.by_country_key.get(fold(wanted))):
            return ox.NamedNode(country.iri)
        iri = expand_name(wanted) or _commitment(key, wanted)
        places = {"country": self.context.countries, "region": self.context.regions}.get(key)
        if iri is not None and places is not None and iri not in places:
            raise SelectionError(key, f"{iri} is not a {key} of the graph (see /countries)")
        if iri is not None:
            return ox.NamedNode(iri)
        for value in self.values.get(key, ()):
            names = {value.rsplit("/", 1)[-1], _graph_name(value), fold(self.notations.get(value, ""))}
            names |= {fold(str(label)) for label in self.labels.get(value, ())}
            if fold(wanted) in names - {""}:
                return ox.NamedNode(value)
        raise SelectionError(key, f"{facet.title.lower()} {wanted!r} is not known: give an IRI, a "
                                  "prefixed name, a slug, a notation or a label of a value it lists")


def expand_name(text: str) -> str | None:
    """The IRI of ``<iri>``, an absolute http(s) IRI or a prefixed name of the display prefixes.

    >>> expand_name("gl:national")
    'https://w3id.org/migkg/concept/governance-level/national'
    """
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith(("http://", "https://")):
        ox.NamedNode(text)  # raises ValueError on a malformed IRI
        return text
    prefix, colon, rest = text.partition(":")
    if colon and prefix in DISPLAY_PREFIXES:
        return DISPLAY_PREFIXES[prefix] + rest
    return None


def _commitment(key: str, text: str) -> str | None:
    """The IRI of a GCM objective (``23``), action (``1(f)``) or SDG target (``10.7``) by its number,
    used or not (the data contract fixes these IRIs).

    >>> _commitment("action", "1(f)")
    'https://w3id.org/migkg/gcm/objective/1/action/f'
    """
    if key == "objective" and re.fullmatch(r"[0-9]{1,2}", text):
        return f"{GCM_OBJECTIVE}{int(text)}"
    if key == "action" and (found := re.fullmatch(r"([0-9]{1,2})\(([a-z]{1,2})\)", text)):
        return f"{GCM_OBJECTIVE}{int(found.group(1))}/action/{found.group(2)}"
    if key == "sdg" and re.fullmatch(r"[0-9]{1,2}(\.[0-9a-z]{1,2})?", text):
        return f"{SDG}{text}"
    return None


def _graph_name(iri: str) -> str:
    marker = "/migkg/graph/"
    return iri.split(marker, 1)[1] if marker in iri else ""


def vocabulary(backend: Backend) -> Vocabulary:
    """Every facet value in the store (counted for the empty selection), with labels and codes."""
    found = countries(backend)
    context = Context(tuple(str(r["r"]) for r in backend.select(QueryRequest(REGIONS_QUERY))),
                      tuple(c.iri for c in found))
    values: dict[str, list[str]] = defaultdict(list)
    for row in backend.select(QueryRequest(counts_query(Selection(), context))):
        facet = str(row["facet"])
        if facet not in (TOTAL, YEAR_FACET) and "v" in row:
            values[facet].append(str(row["v"]))
    iris = {v for key, vs in values.items() if FACETS_BY_KEY[key].kind is ValueKind.IRI for v in vs}
    iris |= {c.iri for c in found}
    labels, notations = _labels(backend, sorted(iris))
    ordered = {key: tuple(sorted(vs)) for key, vs in values.items()}
    return Vocabulary(context, ordered, labels, notations, found, country_lookup(found))


Labels = dict[str, tuple[Identifier, ...]]


def _labels(backend: Backend, iris: Sequence[str]) -> tuple[Labels, dict[str, str]]:
    labels: dict[str, set[Identifier]] = defaultdict(set)
    notations: dict[str, str] = {}
    for start in range(0, len(iris), 500):
        chunk = " ".join(str(ox.NamedNode(i)) for i in iris[start:start + 500])
        for row in backend.select(QueryRequest(_LABELS % chunk)):
            if "l" in row:
                labels[str(row["v"])].add(row["l"])
            if "no" in row:
                notations.setdefault(str(row["v"]), str(row["no"]))
    return {k: tuple(sorted(v, key=str)) for k, v in labels.items()}, notations


# --- one selection ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with its count for the current selection."""

    value: str
    label: str
    count: int
    selected: bool
    notation: str = ""


@dataclass(frozen=True)
class FacetCounts:
    """A facet and its values, most frequent first (selected values always listed)."""

    facet: Facet
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class Labelled:
    """An IRI and the label to show for it."""

    iri: str
    label: str


@dataclass(frozen=True)
class InstrumentRow:
    """One instrument of the result list."""

    iri: str
    label: str
    year: int | None
    levels: tuple[Labelled, ...]
    types: tuple[Labelled, ...]
    places: tuple[Labelled, ...]
    status: tuple[Labelled, ...]


@dataclass(frozen=True)
class BrowseResult:
    """A page of the instruments a selection picks, and the counts of every facet."""

    selection: Selection
    total: int
    rows: tuple[InstrumentRow, ...]
    facets: tuple[FacetCounts, ...]
    years: tuple[tuple[int, int], ...]
    counts_sparql: str
    list_sparql: str


def browse(backend: Backend, selection: Selection, vocab: Vocabulary,
           languages: Sequence[str] = ("en",)) -> BrowseResult:
    """The page of instruments ``selection`` picks and every facet's counts (see :mod:`facets`)."""
    counts_sparql = counts_query(selection, vocab.context)
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    total = 0
    for row in backend.select(QueryRequest(counts_sparql)):
        facet, n = str(row["facet"]), int(row["n"])
        if facet == TOTAL:
            total = n
        elif "v" in row:
            counted[facet][str(row["v"])] = n
    list_sparql = list_query(selection, vocab.context)
    listed = backend.select(QueryRequest(list_sparql))
    rows = _rows(backend, [str(r["i"]) for r in listed],
                 {str(r["i"]): int(r["year"]) for r in listed if "year" in r}, vocab, languages)
    facets = tuple(_facet_counts(f, counted.get(f.key, {}), selection, vocab, languages) for f in FACETS)
    years = tuple(sorted((int(y), n) for y, n in counted.get(YEAR_FACET, {}).items()))
    return BrowseResult(selection, total, rows, facets, years, counts_sparql, list_sparql)


def _facet_counts(facet: Facet, counts: Mapping[str, int], selection: Selection, vocab: Vocabulary,
                  languages: Sequence[str]) -> FacetCounts:
    chosen = {t.value for t in selection.values.get(facet.key, ())}
    shown = set(counts) | chosen
    values = [FacetValue(v, vocab.label(v, languages), counts.get(v, 0), v in chosen,
                         vocab.notations.get(v, "")) for v in shown]
    values.sort(key=lambda fv: (-fv.count, fv.label.lower(), fv.value))
    return FacetCounts(facet, tuple(values))


def _rows(backend: Backend, iris: Sequence[str], years: Mapping[str, int], vocab: Vocabulary,
          languages: Sequence[str]) -> tuple[InstrumentRow, ...]:
    if not iris:
        return ()
    facts: dict[str, dict[str, set[Identifier]]] = defaultdict(lambda: defaultdict(set))
    for row in backend.select(QueryRequest(details_query(iris))):
        facts[str(row["i"])][str(row["p"])].add(row["o"])

    shown = {str(o) for f in facts.values() for p, os in f.items() if p in _NAMED for o in os
             if not isinstance(o, Literal)}
    extra, _ = _labels(backend, sorted(shown - set(vocab.labels)))

    def named(iri: str, predicate: str) -> tuple[Labelled, ...]:
        found = sorted(str(o) for o in facts[iri][predicate] if not isinstance(o, Literal))
        return tuple(Labelled(o, pick_label(extra.get(o, ()), languages) or vocab.label(o, languages))
                     for o in found)

    result = []
    for iri in iris:
        labels = facts[iri][str(SKOS.prefLabel)] or facts[iri][str(_TITLE)]
        result.append(InstrumentRow(
            iri=iri, label=pick_label(labels, languages) or short_name(iri), year=years.get(iri),
            levels=named(iri, str(MIG.governanceLevel)), types=named(iri, str(MIG.instrumentType)),
            places=named(iri, str(ELI.jurisdiction)), status=named(iri, str(MIG.curationStatus))))
    return tuple(result)


_TITLE = "http://purl.org/dc/terms/title"
_NAMED = {str(MIG.governanceLevel), str(MIG.instrumentType), str(ELI.jurisdiction), str(MIG.curationStatus)}
