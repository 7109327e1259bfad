"""Countries and regions: the places views filter, list and draw, with their ISO 3166 codes.

A country is a ``place:`` concept with an ISO 3166 code: ``skos:notation`` (alpha-2) or
``mig:iso3166Alpha3`` (historic states have only the latter); its state is the organisation that
has it as ``dcterms:spatial`` and ``org:classification at:state`` (the shared data contract). A
region is a place other than the world above a country (:data:`migkg.views.facets.REGIONS_QUERY`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Identifier

from migkg.namespaces import sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest

_COUNTRIES = sparql_prefix_block() + """
PREFIX at: <https://w3id.org/migkg/concept/actor-type/>
SELECT ?place ?label ?no ?a2 ?a3 ?num ?m49 ?withdrawn ?state ?broader WHERE {
  ?place skos:notation|mig:iso3166Alpha3 ?code FILTER(REGEX(STR(?code), "^[A-Z]{2,3}$"))
  OPTIONAL { ?place skos:prefLabel ?label }
  OPTIONAL { ?place skos:notation ?no }
  OPTIONAL { ?place mig:iso3166Alpha2 ?a2 }
  OPTIONAL { ?place mig:iso3166Alpha3 ?a3 }
  OPTIONAL { ?place mig:iso3166Numeric ?num }
  OPTIONAL { ?place mig:m49Code ?m49 }
  OPTIONAL { ?place mig:codeWithdrawn ?withdrawn }
  OPTIONAL { ?place skos:broader ?broader }
  OPTIONAL { ?state dcterms:spatial ?place ; org:classification at:state }
}"""


@dataclass(frozen=True)
class Country:
    """A country place, its codes, its state(s) and the place it lies in."""

    iri: str
    labels: tuple[Identifier, ...]
    alpha2: str = ""
    alpha3: str = ""
    numeric: str = ""
    m49: str = ""
    states: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    withdrawn: str = ""  # the date ISO 3166 withdrew its code (``mig:codeWithdrawn``): a historic state

    @property
    def code(self) -> str:
        """The code in the country's addresses: alpha-2 (alpha-3 for a historic state, since ISO reuses
        withdrawn alpha-2 codes: ``CS`` was Czechoslovakia, then Serbia and Montenegro), else its slug.

        >>> Country("p:cz", (), alpha2="CS", alpha3="CSK", withdrawn="1993-06-15").code
        'CSK'
        >>> Country("p:ma", (), alpha2="MA", alpha3="MAR").code
        'MA'
        """
        if self.withdrawn and self.alpha3:
            return self.alpha3
        return self.alpha2 or self.alpha3 or self.slug

    @property
    def slug(self) -> str:
        """The last segment of the place IRI (``morocco``)."""
        return self.iri.rsplit("/", 1)[-1]

    def names(self) -> set[str]:
        """Every text that names this country in a URL: codes, slug, labels (folded)."""
        names = {fold(str(label)) for label in self.labels}
        codes = {self.alpha2, self.alpha3, self.numeric, self.m49}
        return {fold(c) for c in codes if c} | names | {self.slug, self.iri}


def fold(text: str) -> str:
    """Lower case without accents or surrounding space, for matching names.

    >>> fold(" Côte d’Ivoire ")
    'cote d’ivoire'
    """
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def countries(backend: Backend) -> tuple[Country, ...]:
    """Every country in the store, sorted by IRI."""
    rows = backend.select(QueryRequest(_COUNTRIES))
    found: dict[str, dict[str, set[Identifier]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        entry = found[str(row["place"])]
        for name in ("label", "no", "a2", "a3", "num", "m49", "withdrawn", "state", "broader"):
            if name in row:
                entry[name].add(row[name])
    return tuple(_country(iri, found[iri]) for iri in sorted(found))


def _first(values: Iterable[Identifier]) -> str:
    return min((str(v) for v in values), default="")


def _country(iri: str, entry: Mapping[str, set[Identifier]]) -> Country:
    notation = [v for v in entry.get("no", set()) if re.fullmatch(r"[A-Z]{2}", str(v))]
    return Country(
        iri=iri,
        labels=tuple(sorted(entry.get("label", set()), key=str)),
        alpha2=_first(entry.get("a2") or notation),
        alpha3=_first(entry.get("a3", set())),
        numeric=_first(entry.get("num", set())),
        m49=_first(entry.get("m49", set())),
        withdrawn=_first(entry.get("withdrawn", set())),
        states=tuple(sorted(str(s) for s in entry.get("state", set()))),
        broader=tuple(sorted(str(b) for b in entry.get("broader", set()))),
    )


def country_lookup(found: Sequence[Country]) -> dict[str, Country]:
    """Each country by every key that names it (:meth:`Country.names`): its own code first, then a
    current country before a historic one (``CS``: Czechoslovakia's code, ``CSK``, wins for neither), then
    the earlier in ``found``."""
    lookup: dict[str, Country] = {fold(c.code): c for c in found}
    for country in sorted(found, key=lambda c: bool(c.withdrawn)):
        for key in country.names():
            lookup.setdefault(key, country)
    return lookup


def label_literals(labels: Iterable[Identifier]) -> list[Literal]:
    """The literals among ``labels``."""
    return [label for label in labels if isinstance(label, Literal)]
