"""The facets of the instrument browser and the SPARQL that filters and counts by them.

An instrument is anything typed ``mig:Instrument``, ``mig:DocumentaryInstrument`` or
``mig:InstitutionalInstrument``. Each :class:`Facet` is a graph pattern tying an instrument ``?i``
to a value; a :class:`Selection` picks values per facet (several values of one facet: any of them;
several facets: all of them), a year range, free text and a sort order.

Counting follows standard faceted-search semantics: the counts of a facet's values are computed
for the selection *without that facet's own filter* (so choosing "national" still shows how many
instruments each other level has), every other facet's filter applied. One query
(:func:`counts_query`) counts every facet in one UNION, plus the total of the whole selection.

Values are written into the text as pyoxigraph terms (escaped by pyoxigraph), never as raw text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

import pyoxigraph as ox

from migkg.namespaces import sparql_prefix_block

PREFIXES = sparql_prefix_block() + """
PREFIX at: <https://w3id.org/migkg/concept/actor-type/>"""

#: Instruments: the three classes an instrument is typed with.
INSTRUMENT = ("VALUES ?_cls { mig:Instrument mig:DocumentaryInstrument mig:InstitutionalInstrument } "
              "?i a ?_cls .")
BASE = f"{{ SELECT DISTINCT ?i WHERE {{ {INSTRUMENT} }} }}"

#: The year of an instrument: its document date, else the first other date it has.
YEAR = """OPTIONAL { ?i eli:date_document ?{p}d1 } OPTIONAL { ?i mig:dateEndorsed ?{p}d2 }
    OPTIONAL { ?i mig:dateLaunched ?{p}d3 } OPTIONAL { ?i mig:dateApproved ?{p}d4 }
    OPTIONAL { ?i mig:dateInaugurated ?{p}d5 } OPTIONAL { ?i eli:first_date_entry_in_force ?{p}d6 }
    BIND(xsd:integer(SUBSTR(STR(COALESCE(?{p}d1, ?{p}d2, ?{p}d3, ?{p}d4, ?{p}d5, ?{p}d6)), 1, 4)) AS {v})"""

# A place is a country when a state (org:classification at:state) has it as dcterms:spatial.
_PLACES_OF = """{ ?i eli:jurisdiction ?{p}pl }
    UNION { ?i mig:party|mig:issuedBy ?{p}s . ?{p}s dcterms:spatial ?{p}pl }"""
_COUNTRY = _PLACES_OF + """
    ?{p}pl skos:broader* {v} . {countries}"""
_REGION = "{regions} " + _PLACES_OF + """
    ?{p}pl skos:broader* {v} ."""

#: Regions: the places (but the world) above a country; a country is a place with an ISO 3166 code
#: (``skos:notation`` alpha-2 or ``mig:iso3166Alpha3``). Computed once per store generation and
#: written into the region facet's pattern as a VALUES block.
REGIONS_QUERY = sparql_prefix_block() + """
SELECT DISTINCT ?r WHERE {
  ?c skos:notation|mig:iso3166Alpha3 ?code FILTER(REGEX(STR(?code), "^[A-Z]{2,3}$"))
  ?c skos:broader+ ?r FILTER(?r != place:world)
  FILTER NOT EXISTS { ?r skos:notation|mig:iso3166Alpha3 ?rc FILTER(REGEX(STR(?rc), "^[A-Z]{2,3}$")) }
} ORDER BY ?r"""


class ValueKind(str, Enum):
    """What a facet's values are: IRIs (concepts, places, graphs) or literals."""

    IRI = "iri"
    LITERAL = "literal"


@dataclass(frozen=True)
class Facet:
    """A facet: its URL parameter, its title and the pattern tying ``?i`` to a value ``{v}``.

    ``{p}`` in the pattern is a prefix that keeps its helper variables apart from other facets'.
    """

    key: str
    title: str
    pattern: str
    kind: ValueKind = ValueKind.IRI
    doc: str = ""

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The term of a value of this facet given as text (an IRI, or a literal's text)."""
        return ox.Literal(value) if self.kind is ValueKind.LITERAL else ox.NamedNode(value)

    def bound(self, variable: str, context: Context | None = None, restrict: bool = True) -> str:
        """The pattern with the value in ``variable`` (e.g. ``?v``) and the sets of ``context``.

        ``restrict=False`` leaves the sets out: a filter whose chosen values are already countries (or
        regions) needs no VALUES block of every country, which would repeat ~200 IRIs in each branch
        of the counts query (170k characters on the bundled data, past ``MIGKG_QUERY_MAX_CHARS``).
        """
        text = self.pattern.replace("{v}", variable).replace("{p}", f"_{self.key}_")
        for name in ("regions", "countries"):
            if "{" + name + "}" in text:
                places = getattr(context or Context(), name) if restrict else ()
                block = _values_block(variable, [ox.NamedNode(p) for p in places]) if restrict else ""
                text = text.replace("{" + name + "}", block)
        return text


@dataclass(frozen=True)
class Context:
    """Sets the patterns need, computed once per store generation: the regions
    (:data:`REGIONS_QUERY`) and the countries (places with an ISO 3166 code, see
    :mod:`migkg.views.places`)."""

    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


FACETS: tuple[Facet, ...] = (
    Facet("country", "Country", _COUNTRY, doc="where it applies (eli:jurisdiction, or a place within the "
          "country), or a state that is party to it or issued it"),
    Facet("region", "Region", _REGION, doc="a UN M49 region or sub-region it applies in or one of its "
          "states lies in"),
    Facet("level", "Governance level", "?i mig:governanceLevel {v} ."),
    Facet("type", "Instrument type", "?i mig:instrumentType/skos:broader* {v} .",
          doc="with broader types: documentary, institutional"),
    Facet("objective", "GCM objective", "?i mig:contributesTo/skos:broader* {v} . "
          "FILTER(REGEX(STR({v}), \"^https://w3id[.]org/migkg/gcm/objective/[0-9]+$\"))",
          doc="directly or through one of its actions"),
    Facet("action", "GCM action", "?i mig:contributesTo {v} . "
          "FILTER(REGEX(STR({v}), \"^https://w3id[.]org/migkg/gcm/objective/[0-9]+/action/\"))"),
    Facet("sdg", "SDG target", "?i mig:contributesTo/skos:broader* {v} . "
          "FILTER(STRSTARTS(STR({v}), \"http://metadata.un.org/sdg/\"))"),
    Facet("theme", "Theme", "?i mig:theme/skos:broader* {v} ."),
    Facet("group", "Target group", "?i mig:targetGroup/skos:broader* {v} ."),
    Facet("provision", "Provision", "?i mig:provides {v} .", doc="provisions of bilateral labour agreements"),
    Facet("dataset", "Source dataset", "GRAPH {v} { ?i a ?{p}c }",
          doc="the named graph (file or imported dataset) that records it"),
    Facet("recorded", "First recorded in", "?i mig:firstRecordedIn {v} .", ValueKind.LITERAL),
    Facet("status", "Verification", "?i mig:curationStatus {v} ."),
)
FACETS_BY_KEY: Mapping[str, Facet] = {f.key: f for f in FACETS}
YEAR_FACET = "year"
TOTAL = "_total"


class Sort(str, Enum):
    """Orders of the result list; ties are broken by IRI so pages are stable."""

    LABEL = "label"
    LABEL_DESC = "-label"
    YEAR = "year"
    YEAR_DESC = "-year"
    LEVEL = "level"


@dataclass(frozen=True)
class Selection:
    """What the user chose: values per facet (as terms), a year range, free text, order, page."""

    values: Mapping[str, tuple[ox.NamedNode | ox.Literal, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    text: str = ""
    sort: Sort = Sort.LABEL
    page: int = 1
    per_page: int | None = 50  # None: every match

    def words(self) -> list[str]:
        """The free text as lower-case words.

        >>> Selection(text="  Labour  MIGRATION ").words()
        ['labour', 'migration']
        """
        return self.text.lower().split()


def _values_block(variable: str, terms: Sequence[ox.NamedNode | ox.Literal]) -> str:
    return f"VALUES {variable} {{ {' '.join(str(t) for t in terms)} }}"


def facet_filter(facet: Facet, terms: Sequence[ox.NamedNode | ox.Literal],
                 context: Context | None = None) -> str:
    """The instruments having one of ``terms`` in ``facet``, as a sub-select of distinct ``?i`` (the
    terms are values of the facet, so the facet's own sets are not repeated: see :meth:`Facet.bound`).

    >>> print(facet_filter(FACETS_BY_KEY["level"], [ox.NamedNode("https://x/n")]))
    { SELECT DISTINCT ?i WHERE { VALUES ?v_level { <https://x/n> } ?i mig:governanceLevel ?v_level . } }
    """
    variable = f"?v_{facet.key}"
    pattern = facet.bound(variable, context, restrict=False)
    return f"{{ SELECT DISTINCT ?i WHERE {{ {_values_block(variable, terms)} {pattern} }} }}"


def year_filter(year_from: int | None, year_to: int | None) -> str:
    """The instruments whose year lies in the range (either end may be open); '' for no range.

    >>> year_filter(None, None)
    ''
    >>> "?v_year >= 2000 && ?v_year <= 2010" in year_filter(2000, 2010)
    True
    """
    tests = [f"?v_year >= {int(year_from)}" if year_from is not None else "",
             f"?v_year <= {int(year_to)}" if year_to is not None else ""]
    condition = " && ".join(t for t in tests if t)
    if not condition:
        return ""
    pattern = YEAR.replace("{v}", "?v_year").replace("{p}", "_year_")
    return f"{{ SELECT DISTINCT ?i WHERE {{ {INSTRUMENT} {pattern} FILTER({condition}) }} }}"


def text_filter(words: Sequence[str]) -> str:
    """Instruments with a label, alternative label or title containing every word (case-insensitive).

    >>> text_filter([])
    ''
    >>> 'CONTAINS(LCASE(STR(?_ql0)), "a\\\\"b")' in text_filter(['a"b'])
    True
    """
    parts = [f"FILTER EXISTS {{ ?i skos:prefLabel|skos:altLabel|dcterms:title ?_ql{n} "
             f"FILTER(CONTAINS(LCASE(STR(?_ql{n})), {ox.Literal(word)})) }}"
             for n, word in enumerate(words)]
    return " ".join(parts)


def where(selection: Selection, without: str | None = None, context: Context | None = None) -> str:
    """The group selecting the instruments of ``selection``, ignoring the filter of facet ``without``."""
    parts = [BASE]
    for key, terms in sorted(selection.values.items()):
        if key != without and terms:
            parts.append(facet_filter(FACETS_BY_KEY[key], terms, context))
    if without != YEAR_FACET:
        parts.append(year_filter(selection.year_from, selection.year_to))
    parts.append(text_filter(selection.words()))
    return "\n  ".join(p for p in parts if p)


def counts_query(selection: Selection, context: Context | None = None,
                 facets: Sequence[Facet] = FACETS) -> str:
    """One SELECT of ``?facet ?v ?n``: for each facet, how many selected instruments have each value
    (the facet's own filter left out), the years (``year``) and the total (``_total``, ``?v`` unbound)."""
    branches = [f"{{ {where(selection, f.key, context)}\n  {f.bound('?v', context)}\n"
                f"  BIND({ox.Literal(f.key)} AS ?facet) }}" for f in facets]
    year = YEAR.replace("{v}", "?v").replace("{p}", "_y_")
    branches.append(f"{{ {where(selection, YEAR_FACET, context)}\n  {year} FILTER(BOUND(?v))\n"
                    f"  BIND({ox.Literal(YEAR_FACET)} AS ?facet) }}")
    branches.append(f"{{ {where(selection, None, context)}\n  BIND({ox.Literal(TOTAL)} AS ?facet) }}")
    union = "\nUNION\n".join(branches)
    return (f"{PREFIXES}\nSELECT ?facet ?v (COUNT(DISTINCT ?i) AS ?n) WHERE {{\n{union}\n}}"
            " GROUP BY ?facet ?v")


_ORDER = {
    Sort.LABEL: "LCASE(STR(?label)) ?i",
    Sort.LABEL_DESC: "DESC(LCASE(STR(?label))) ?i",
    Sort.YEAR: "(!BOUND(?year)) ?year LCASE(STR(?label)) ?i",
    Sort.YEAR_DESC: "(!BOUND(?year)) DESC(?year) LCASE(STR(?label)) ?i",
    Sort.LEVEL: "(!BOUND(?levelOrder)) ?levelOrder LCASE(STR(?label)) ?i",
}


def list_query(selection: Selection, context: Context | None = None) -> str:
    """The page of selected instruments: ``?i ?label ?year ?levelOrder``, in the selection's order."""
    year = YEAR.replace("{v}", "?y").replace("{p}", "_l_")
    limit = ""
    if selection.per_page is not None:
        offset = (max(selection.page, 1) - 1) * selection.per_page
        limit = f"LIMIT {int(selection.per_page)} OFFSET {int(offset)}"
    return f"""{PREFIXES}
SELECT ?i (SAMPLE(?l) AS ?label) (MIN(?y) AS ?year) (MIN(?lo) AS ?levelOrder) WHERE {{
  {where(selection, None, context)}
  OPTIONAL {{ ?i skos:prefLabel|dcterms:title ?l0 }}
  OPTIONAL {{ ?i skos:prefLabel ?len FILTER(LANGMATCHES(LANG(?len), "en")) }}
  BIND(COALESCE(?len, ?l0) AS ?l)
  {year}
  OPTIONAL {{ ?i mig:governanceLevel/skos:notation ?lno BIND(xsd:integer(?lno) AS ?lo) }}
}} GROUP BY ?i ORDER BY {_ORDER[selection.sort]} {limit}"""


DETAIL_PREDICATES = ("mig:governanceLevel", "mig:instrumentType", "mig:curationStatus",
                     "eli:jurisdiction", "skos:prefLabel", "dcterms:title")


def details_query(instruments: Sequence[str]) -> str:
    """The facts shown in a result row for each of ``instruments``: ``?i ?p ?o``."""
    values = " ".join(str(ox.NamedNode(i)) for i in instruments)
    predicates = " ".join(DETAIL_PREDICATES)
    return f"""{PREFIXES}
SELECT DISTINCT ?i ?p ?o WHERE {{ VALUES ?i {{ {values} }} VALUES ?p {{ {predicates} }} ?i ?p ?o }}"""
