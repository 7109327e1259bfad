"""What a resource page shows, built from the description graph and a few queries.

The page is a typed value (:class:`ResourcePage`); templates only lay it out. Links carry the public
IRI and the local address (``local``) a browser should follow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS
from rdflib.term import Identifier, Node

from migkg.namespaces import ELI, MIG, ORG, sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest, Row
from migkg.views.describe import labels_in, pick_label, short_name
from migkg.views.party_lists import party_lists
from migkg.vocabulary import INSTRUMENT_RELATIONS, INVERSE_LABELS, LABEL_PATH, REALISES_PATH, Evidence

Localize = Callable[[str], str]

#: Facts shown at the top of a page, in this order (the rest appear in the triples table).
FACT_PROPERTIES: tuple[URIRef, ...] = (
    RDF.type, MIG.instrumentType, MIG.governanceLevel, MIG.legalNature, MIG.issuedBy, MIG.party,
    MIG.partyList, MIG.addressedTo, MIG.involves, ELI.jurisdiction, ELI.date_document, ELI.date_publication,
    ELI.first_date_entry_in_force, MIG.dateEndorsed, MIG.dateLaunched, MIG.dateApproved,
    MIG.dateInaugurated, MIG.datePrecision, DCTERMS.temporal, ELI.id_local, MIG.theme,
    MIG.targetGroup,
    MIG.reflectsPrinciple, SKOS.definition, SKOS.notation, SKOS.inScheme, SKOS.broader,
    ORG.classification, ORG.memberOf, MIG.curationStatus, DCTERMS.source, SKOS.exactMatch,
    SKOS.closeMatch, OWL.versionInfo, DCTERMS.title, DCTERMS.description, RDFS.comment,
    SKOS.scopeNote, MIG.submittedBy, MIG.listedUnder, MIG.describes, MIG.descriptionText,
    PROV.wasDerivedFrom,
)
_CHAIN = REALISES_PATH + "+"
_P = sparql_prefix_block()
_INCOMING = _P + f"""
SELECT ?it ?s ?p ?l ?pl WHERE {{
  ?s ?p ?it FILTER(?p NOT IN (mig:claimSubject, mig:claimObject, skos:hasTopConcept))
  OPTIONAL {{ ?s {LABEL_PATH} ?l }}
  OPTIONAL {{ ?p rdfs:label ?pl }}
}} LIMIT 2000"""
_CHAINS_OUT = _P + f"""
SELECT ?it ?c ?via ?l ?vl WHERE {{
  ?it {_CHAIN} ?via . ?via mig:contributesTo ?c FILTER NOT EXISTS {{ ?it mig:contributesTo ?c }}
  OPTIONAL {{ ?c skos:prefLabel ?l }} OPTIONAL {{ ?via skos:prefLabel ?vl }}
}}"""
_CHAINS_IN = _P + f"""
SELECT ?it ?c ?via ?l ?vl WHERE {{
  ?c {_CHAIN} ?via . ?via mig:contributesTo ?it FILTER NOT EXISTS {{ ?c mig:contributesTo ?it }}
  OPTIONAL {{ ?c skos:prefLabel ?l }} OPTIONAL {{ ?via skos:prefLabel ?vl }}
}} LIMIT 2000"""

#: Relations about ?it that an unverified curated claim states and the data does not assert
#: (data/README.md, "Verified means verified"); derived claims are left out (catalogue query 42).
_CLAIM_ONLY = _P + """
SELECT DISTINCT ?it ?s ?p ?o WHERE {
  VALUES ?about { mig:claimSubject mig:claimObject } ?c ?about ?it .  # not a UNION: see describe.py
  ?c a mig:Claim ; mig:curationStatus <https://w3id.org/migkg/concept/curation-status/unverified> ;
     mig:claimSubject ?s ; mig:claimPredicate ?p ; mig:claimObject ?o .
  FILTER NOT EXISTS { ?c mig:assertionMethod <https://w3id.org/migkg/concept/assertion-method/derived> }
  FILTER NOT EXISTS { ?s ?p ?o }
}"""
#: The title suffix of a group of relations that are claims only.
CLAIM_ONLY_NOTE = " (unverified claim only, not asserted)"


@dataclass(frozen=True)
class Link:
    """A value to display: an IRI (with its local address) or a literal (``href`` None)."""

    text: str
    href: str | None = None
    iri: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Related:
    """One end of a relation, with the evidence for it and, for chains, the instrument in between."""

    target: Link
    evidence: tuple[Evidence[Link], ...] = ()
    via: Link | None = None


@dataclass(frozen=True)
class Group:
    """Values or relations of one kind (one property, read forwards or backwards)."""

    title: str
    property: Link
    items: tuple[Related, ...]


@dataclass(frozen=True)
class ResourcePage:
    """Everything a resource page shows."""

    iri: str
    label: str
    alt_labels: tuple[str, ...]
    facts: tuple[Group, ...]
    outgoing: tuple[Group, ...]
    incoming: tuple[Group, ...]
    triples: tuple[tuple[Link, Link, Link], ...]


class _Labeller:
    """Turns terms into :class:`Link`s, with labels from the description graph and query rows."""

    def __init__(self, graph: Graph, languages: Sequence[str], local: Localize) -> None:
        self.graph, self.languages, self.local = graph, languages, local
        self.extra: dict[str, list[Node]] = defaultdict(list)

    def add(self, iri: Node | None, label: Node | None) -> None:
        if iri is not None and label is not None:
            self.extra[str(iri)].append(label)

    def link(self, term: Node) -> Link:
        if isinstance(term, Literal):
            return Link(str(term), lang=term.language)
        if isinstance(term, BNode):
            return Link(f"_:{term}")
        labels = labels_in(self.graph, term) + self.extra.get(str(term), [])
        text = pick_label(labels, self.languages) or short_name(str(term))
        return Link(text, self.local(str(term)), str(term))


def build_page(backend: Backend, iri: str, graph: Graph, languages: Sequence[str],
               local: Localize) -> ResourcePage:
    """The page of ``iri`` from its description ``graph`` (see :func:`migkg.views.describe.describe`)."""
    it = URIRef(iri)
    names = _Labeller(graph, languages, local)
    facts = tuple(group for p in FACT_PROPERTIES if (it, p, None) in graph
                  for group in (_value_group(names, graph, it, p),
                                *(_list_completeness(backend, names, it) if p == MIG.partyList else ())))
    outgoing = [_relation_group(names, graph, it, r.ref) for r in INSTRUMENT_RELATIONS
                if (it, r.ref, None) in graph]
    outgoing.extend(_chains(backend, names, it, _CHAINS_OUT, "commitments it contributes to through"
                            " the instruments it realises"))
    claimed_out, claimed_in = _claim_only(backend, names, graph, it)
    outgoing.extend(claimed_out)
    incoming = _incoming(backend, names, graph, it) + claimed_in
    incoming.extend(_chains(backend, names, it, _CHAINS_IN, "instruments contributing through"
                            " instruments they realise"))
    triples = tuple(sorted(((names.link(s), names.link(p), names.link(o)) for s, p, o in graph),
                           key=lambda t: (t[0].iri != iri, t[0].text, t[1].text, t[2].text)))
    return ResourcePage(
        iri=iri,
        label=pick_label(labels_in(graph, it), languages) or short_name(iri),
        alt_labels=tuple(sorted(str(a) for a in graph.objects(it, SKOS.altLabel))),
        facts=facts, outgoing=tuple(g for g in outgoing if g.items), incoming=tuple(incoming),
        triples=triples,
    )


def _list_completeness(backend: Backend, names: _Labeller, it: URIRef) -> tuple[Group, ...]:
    """The party list's completeness as a sentence a reader can act on."""
    said = []
    for found in party_lists(backend, names.languages, instrument=str(it)):
        coverage = f" (covers: {found.coverage.rstrip('.')})" if found.coverage else ""
        as_of = f" as of {found.complete_as_of}" if found.complete_as_of else ""
        said.append(f"complete{as_of}{coverage}: a State it covers that is absent from it was not a party"
                    f"{as_of}" if found.complete else "partial: absence from it says nothing about a State")
    if not said:
        return ()
    prop = Link("party list completeness", names.local(str(MIG.listCompleteness)), str(MIG.listCompleteness))
    return (Group(prop.text, prop, tuple(Related(Link(text)) for text in said)),)


def _value_group(names: _Labeller, graph: Graph, it: URIRef, prop: URIRef) -> Group:
    values = sorted((names.link(o) for o in graph.objects(it, prop)), key=lambda v: v.text)
    return Group(names.link(prop).text, names.link(prop), tuple(Related(v) for v in values))


def _evidence(names: _Labeller, graph: Graph, s: Node, p: Node, o: Node) -> tuple[Evidence[Link], ...]:
    found = []
    for claim in graph.subjects(MIG.claimPredicate, p):
        if (claim, MIG.claimSubject, s) in graph and (claim, MIG.claimObject, o) in graph:
            text = graph.value(claim, MIG.evidenceText)
            method = graph.value(claim, MIG.assertionMethod)
            found.append(Evidence(
                claim=names.link(claim),
                text=str(text) if text is not None else None,
                sources=tuple(sorted((names.link(src) for src in graph.objects(claim, DCTERMS.source)),
                                     key=lambda link: link.text)),
                method=names.link(method) if method is not None else None,
            ))
    return tuple(sorted(found, key=lambda e: e.claim.text))


def _relation_group(names: _Labeller, graph: Graph, it: URIRef, prop: URIRef) -> Group:
    items = tuple(
        Related(names.link(o), _evidence(names, graph, it, prop, o))
        for o in sorted(graph.objects(it, prop), key=lambda o: names.link(o).text)
    )
    return Group(names.link(prop).text, names.link(prop), items)


def _incoming(backend: Backend, names: _Labeller, graph: Graph, it: URIRef) -> list[Group]:
    rows = backend.select(QueryRequest(_INCOMING, bindings={"it": it}))
    by_prop: dict[Identifier, set[Identifier]] = defaultdict(set)
    for row in rows:
        names.add(row["s"], row.get("l"))
        names.add(row["p"], row.get("pl"))
        by_prop[row["p"]].add(row["s"])
    groups = []
    for prop, subjects in sorted(by_prop.items(), key=lambda kv: names.link(kv[0]).text):
        title = INVERSE_LABELS.get(URIRef(str(prop)), f"is “{names.link(prop).text}” of")
        items = tuple(sorted(
            (Related(names.link(s), _evidence(names, graph, s, prop, it)) for s in subjects),
            key=lambda r: r.target.text))
        groups.append(Group(title, names.link(prop), items))
    return groups


def _claim_only(backend: Backend, names: _Labeller, graph: Graph,
                it: URIRef) -> tuple[list[Group], list[Group]]:
    """Outgoing and incoming relations of ``it`` that only an unverified claim states, with its evidence."""
    out: dict[Identifier, list[Related]] = defaultdict(list)
    into: dict[Identifier, list[Related]] = defaultdict(list)
    for row in backend.select(QueryRequest(_CLAIM_ONLY, bindings={"it": it})):
        s, p, o = row["s"], row["p"], row["o"]
        if s == it:
            out[p].append(Related(names.link(o), _evidence(names, graph, s, p, o)))
        if o == it:
            into[p].append(Related(names.link(s), _evidence(names, graph, s, p, o)))

    def groups(found: dict[Identifier, list[Related]], incoming: bool) -> list[Group]:
        made = []
        for prop, items in sorted(found.items(), key=lambda kv: names.link(kv[0]).text):
            name = names.link(prop).text
            title = INVERSE_LABELS.get(URIRef(str(prop)), f"is “{name}” of") if incoming else name
            made.append(Group(title + CLAIM_ONLY_NOTE, names.link(prop),
                              tuple(sorted(items, key=lambda r: r.target.text))))
        return made

    return groups(out, False), groups(into, True)


def _chains(backend: Backend, names: _Labeller, it: URIRef, sparql: str, title: str) -> list[Group]:
    rows = backend.select(QueryRequest(sparql, bindings={"it": it}))
    for row in rows:
        names.add(row["c"], row.get("l"))
        names.add(row["via"], row.get("vl"))
    items = {(str(r["c"]), str(r["via"])): Related(names.link(r["c"]), (), names.link(r["via"]))
             for r in rows}
    ordered = tuple(sorted(items.values(), key=lambda r: (r.target.text, r.via.text if r.via else "")))
    return [Group(title, names.link(MIG.contributesTo), ordered)] if ordered else []


def rows_labels(rows: Iterable[Row], key: str, label: str) -> dict[str, list[Identifier]]:
    """Labels per IRI from query rows (``key`` the IRI column, ``label`` the label column)."""
    found: dict[str, list[Identifier]] = defaultdict(list)
    for row in rows:
        if key in row and label in row:
            found[str(row[key])].append(row[label])
    return found

