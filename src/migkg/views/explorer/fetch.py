"""The few queries the explorer runs: a node's description, its relation edges, the claims on them.

IRIs reach the queries only as bound variables (``QueryRequest.bindings``); the predicate lists
pasted into ``VALUES`` come from the fixed relation table, never from a request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from migkg.namespaces import ELI, MIG, ORG, SCHEME, sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest, Row
from migkg.views.describe import LANGUAGES, pick_label, short_name
from migkg.views.explorer.model import (
    COMMITMENT_ORDER,
    NO_LEVEL_ORDER,
    Edge,
    Node,
)
from migkg.vocabulary import RELATION_BY_IRI, Evidence, Relation

PREFIXES = sparql_prefix_block()

_KIND_BY_TYPE: tuple[tuple[str, str], ...] = (
    (str(MIG.Commitment), "commitment"),
    (str(MIG.InstitutionalInstrument), "institution"),
    (str(MIG.DocumentaryInstrument), "instrument"),
    (str(MIG.Instrument), "instrument"),
    (str(ELI.AdministrativeArea), "place"),
    (str(ORG.FormalOrganization), "actor"),
    (str(ORG.Organization), "actor"),
)
PLACE_SCHEME = str(SCHEME.place)

_DESCRIBE = f"""{PREFIXES}
SELECT ?n ?p ?o ?olabel ?onotation WHERE {{
  VALUES ?p {{ rdf:type skos:prefLabel skos:altLabel dcterms:title mig:governanceLevel
              mig:instrumentType eli:date_document dcterms:source skos:inScheme }}
  ?n ?p ?o .
  OPTIONAL {{ ?o skos:prefLabel ?olabel FILTER(langMatches(lang(?olabel), "en")) }}
  OPTIONAL {{ ?o skos:notation ?onotation }}
}}"""

_CLAIMS = f"""{PREFIXES}
SELECT ?n ?claim ?p ?o ?text ?source ?method WHERE {{
  VALUES ?atNode {{ mig:claimSubject }} ?claim ?atNode ?n .  # see _claim_only
  ?claim a mig:Claim ; mig:claimSubject ?n ; mig:claimPredicate ?p ; mig:claimObject ?o .
  OPTIONAL {{ ?claim mig:evidenceText ?text }}
  OPTIONAL {{ ?claim dcterms:source ?source }}
  OPTIONAL {{ ?claim mig:assertionMethod ?method }}
}}"""


@dataclass(frozen=True)
class Triple:
    """One relation triple between IRIs; ``claim_only``: not asserted, only an unverified claim states it."""

    subject: str
    predicate: str
    object: str
    claim_only: bool = False

    def other(self, iri: str) -> str:
        """The end of the triple that is not ``iri``."""
        return self.object if self.subject == iri else self.subject


#: The derived "listed under" edge: instrument → commitment when a Hub record that describes the
#: instrument is mig:listedUnder the commitment (the data's triple is record → commitment).
LISTED_UNDER = str(MIG.listedUnder)


def _values(relations: Iterable[Relation]) -> str:
    return " ".join(f"<{r.iri}>" for r in relations)


CS_UNVERIFIED = "https://w3id.org/migkg/concept/curation-status/unverified"
AM_DERIVED = "https://w3id.org/migkg/concept/assertion-method/derived"


def _claim_only(subject: str, obj: str) -> str:
    """Pattern of a relation that an unverified curated claim states and the data does not assert.

    Derived claims (am:derived, the BLA provisions mapped onto GCM objectives) are left out: there are
    hundreds of them and catalogue query 42 lists them.
    """
    # The claim's end at the node (?n) through a VALUES block, not a constant predicate: with the
    # node given as a substitution, Oxigraph otherwise joins every claim before the node is bound
    # (≈16 ms of a 34 ms adjacency query per direction on the bundled data; ≈0.5 ms so, same rows).
    end = "mig:claimSubject" if subject == "?n" else "mig:claimObject"
    return (f"VALUES ?atNode {{ {end} }} ?claim ?atNode ?n . "
            f"?claim a mig:Claim ; mig:curationStatus <{CS_UNVERIFIED}> ; mig:claimSubject {subject} ; "
            f"mig:claimPredicate ?p ; mig:claimObject {obj} . "
            f"FILTER NOT EXISTS {{ ?claim mig:assertionMethod <{AM_DERIVED}> }} "
            f"FILTER NOT EXISTS {{ {subject} ?p {obj} }} BIND(true AS ?claimOnly)")


def _adjacency_query(relations: Iterable[Relation], outgoing: bool, incoming: bool) -> str:
    relations = tuple(relations)
    direct = tuple(r for r in relations if r.iri != LISTED_UNDER)
    listed = len(direct) < len(relations)
    values = _values(direct)
    # The far end must be described (typed): dangling IRIs would be empty nodes.
    typed = "FILTER(isIRI(?o) && ?o != ?n) FILTER EXISTS { ?o a ?anytype }"
    via_record = f"BIND(<{LISTED_UNDER}> AS ?p)"
    parts = []
    if outgoing:
        if direct:
            parts.append(f'{{ VALUES ?p {{ {values} }} ?n ?p ?o . BIND("out" AS ?dir) {typed} }}')
            claimed = _claim_only("?n", "?o")
            parts.append(f'{{ VALUES ?p {{ {values} }} {claimed} BIND("out" AS ?dir) {typed} }}')
        if listed:
            parts.append(f'{{ ?r a mig:HubRecord ; mig:describes ?n ; mig:listedUnder ?o . {via_record} '
                         f'BIND("out" AS ?dir) {typed} }}')
    if incoming:
        if direct:
            parts.append(f'{{ VALUES ?p {{ {values} }} ?o ?p ?n . BIND("in" AS ?dir) {typed} }}')
            claimed = _claim_only("?o", "?n")
            parts.append(f'{{ VALUES ?p {{ {values} }} {claimed} BIND("in" AS ?dir) {typed} }}')
        if listed:
            parts.append(f'{{ ?r a mig:HubRecord ; mig:describes ?o ; mig:listedUnder ?n . {via_record} '
                         f'BIND("in" AS ?dir) {typed} }}')
    return f"{PREFIXES}SELECT ?n ?p ?o ?dir ?claimOnly WHERE {{ {' UNION '.join(parts)} }}"


def adjacent(
    backend: Backend,
    iri: str,
    relations: Iterable[Relation],
    *,
    outgoing: bool = True,
    incoming: bool = True,
) -> list[Triple]:
    """The relation triples that touch ``iri`` (either end), sorted for stable output."""
    query = _adjacency_query(tuple(relations), outgoing, incoming)
    rows = backend.select(QueryRequest(query, bindings={"n": URIRef(iri)}))
    triples = {_row_triple(iri, row) for row in rows}
    return sorted(triples, key=lambda t: (t.subject, t.predicate, t.object))


def _row_triple(iri: str, row: Row) -> Triple:
    other, predicate = str(row["o"]), str(row["p"])
    claim_only = "claimOnly" in row
    if str(row["dir"]) == "out":
        return Triple(iri, predicate, other, claim_only)
    return Triple(other, predicate, iri, claim_only)


def _kind(types: set[str], schemes: set[str]) -> str:
    if PLACE_SCHEME in schemes:
        return "place"
    for type_iri, kind in _KIND_BY_TYPE:
        if type_iri in types:
            return kind
    return "concept"


def _band(kind: str, level: str | None, notation: str | None) -> tuple[str, int]:
    if kind == "commitment":
        return "commitment", COMMITMENT_ORDER
    if level is None:
        return "none", NO_LEVEL_ORDER
    return level, int(notation) if notation and notation.isdigit() else NO_LEVEL_ORDER - 1


def node_details(backend: Backend, iri: str, languages: Sequence[str] = LANGUAGES) -> Node | None:
    """The node for ``iri``, or None when the store says nothing about it.

    Its label is in the first of ``languages`` that has one (see :func:`migkg.views.describe.pick_label`).
    """
    rows = backend.select(QueryRequest(_DESCRIBE, bindings={"n": URIRef(iri)}))
    if not rows:
        return None
    by_p: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_p[str(row["p"])].append(row)

    def objects(pred: URIRef) -> list[str]:
        return sorted({str(r["o"]) for r in by_p[str(pred)]})

    def first_row(pred: URIRef) -> Row | None:
        found = sorted(by_p[str(pred)], key=lambda r: str(r["o"]))
        return found[0] if found else None

    labels = [r["o"] for r in by_p[str(SKOS.prefLabel)] + by_p[str(DCTERMS.title)]]
    alts = [r["o"] for r in by_p[str(SKOS.altLabel)] if isinstance(r["o"], Literal)]
    acronym = min((str(a) for a in alts if a.language in (*LANGUAGES, None)), key=len, default=None)
    kind = _kind(set(objects(RDF.type)), set(objects(SKOS.inScheme)))
    level_row, type_row = first_row(MIG.governanceLevel), first_row(MIG.instrumentType)
    level = short_name(str(level_row["o"])) if level_row else None
    band, band_order = _band(kind, level, str(level_row.get("onotation", "")) if level_row else None)
    dates = objects(ELI.date_document)
    return Node(
        id=iri,
        label=pick_label(labels, languages) or short_name(iri),
        kind=kind,
        level=level,
        level_label=str(level_row["olabel"]) if level_row and "olabel" in level_row else None,
        band=band,
        band_order=band_order,
        type=short_name(str(type_row["o"])) if type_row else None,
        type_label=str(type_row["olabel"]) if type_row and "olabel" in type_row else None,
        colour_class=f"kind-{kind}",
        acronym=acronym,
        alt_labels=tuple(sorted({str(a) for a in alts})),
        date=dates[0] if dates else None,
        sources=tuple(objects(DCTERMS.source)),
    )


def claims_by_triple(backend: Backend, subject: str) -> dict[tuple[str, str, str], tuple[Evidence[str], ...]]:
    """The claims whose subject is ``subject``, keyed by the (subject, predicate, object) they back."""
    rows = backend.select(QueryRequest(_CLAIMS, bindings={"n": URIRef(subject)}))
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[str(row["claim"])].append(row)
    found: dict[tuple[str, str, str], list[Evidence[str]]] = defaultdict(list)
    for claim, claim_rows in sorted(grouped.items()):
        first = claim_rows[0]
        texts = sorted({str(r["text"]) for r in claim_rows if "text" in r})
        evidence = Evidence(
            claim=claim,
            text=texts[0] if texts else None,
            sources=tuple(sorted({str(r["source"]) for r in claim_rows if "source" in r})),
            method=short_name(str(first["method"])) if "method" in first else None,
        )
        found[(subject, str(first["p"]), str(first["o"]))].append(evidence)
    return {key: tuple(ev) for key, ev in found.items()}


def make_edges(backend: Backend, triples: Iterable[Triple]) -> tuple[Edge, ...]:
    """Edges for ``triples``, each with the evidence of the claims that back it."""
    triples = sorted(set(triples), key=lambda t: (t.subject, t.predicate, t.object))
    claims: dict[tuple[str, str, str], tuple[Evidence[str], ...]] = {}
    for subject in sorted({t.subject for t in triples}):
        claims.update(claims_by_triple(backend, subject))
    edges = []
    for t in triples:
        relation = RELATION_BY_IRI[t.predicate]
        evidence = claims.get((t.subject, t.predicate, t.object), ())
        edges.append(Edge(t.subject, t.object, relation.key, relation.label, relation.group, evidence,
                          unverified=t.claim_only))
    return tuple(edges)
