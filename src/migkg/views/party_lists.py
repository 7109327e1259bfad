"""How complete the party lists of multilateral instruments are (``mig:partyList``, issue 11, point 5).

A list is complete as of a date according to its source, within its coverage (absence from it then
reads as "not a party"), or partial (absence from it says nothing). Country profiles and instrument
pages both read it from here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Identifier

from migkg.namespaces import sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import pick_label, short_name

_PARTY_LISTS = sparql_prefix_block() + """
SELECT ?i ?label ?completeness ?asOf ?coverage ?source WHERE {
  ?i mig:partyList ?list . ?list mig:listCompleteness ?completeness .
  OPTIONAL { ?list mig:completeAsOf ?asOf } OPTIONAL { ?list mig:coverage ?coverage }
  OPTIONAL { ?list dcterms:source ?source }
  OPTIONAL { ?i skos:prefLabel|dcterms:title ?label }
}"""


@dataclass(frozen=True)
class PartyList:
    """The party list of one instrument: its completeness, the date, the coverage and the sources."""

    instrument: str
    label: str
    complete: bool
    complete_as_of: str
    coverage: str
    sources: tuple[str, ...]


def party_lists(backend: Backend, languages: Sequence[str],
                instrument: str | None = None) -> tuple[PartyList, ...]:
    """Every instrument's party list (or only ``instrument``'s), complete ones first, then by label.

    Two completeness statements that disagree make the list partial; labels and coverage are in the
    first of ``languages`` that has them.
    """
    bindings: dict[str, Identifier] = {"i": URIRef(instrument)} if instrument is not None else {}
    rows = backend.select(QueryRequest(_PARTY_LISTS, bindings=bindings))
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    texts: dict[tuple[str, str], list[Identifier]] = defaultdict(list)
    for row in rows:
        iri = str(row["i"])
        found[iri]["completeness"].add(short_name(str(row["completeness"])))
        found[iri]["asOf"].update([str(row["asOf"])] if "asOf" in row else [])
        found[iri]["source"].update([str(row["source"])] if "source" in row else [])
        for key in ("label", "coverage"):
            if key in row:
                texts[(iri, key)].append(row[key])
    lists = [PartyList(
        iri, pick_label(texts[(iri, "label")], languages) or short_name(iri),
        complete=parts["completeness"] == {"complete"},
        complete_as_of=min(parts["asOf"], default=""),
        coverage=pick_label(texts[(iri, "coverage")], languages) or "",
        sources=tuple(sorted(parts["source"])))
        for iri, parts in found.items()]
    return tuple(sorted(lists, key=lambda p: (not p.complete, p.label)))
