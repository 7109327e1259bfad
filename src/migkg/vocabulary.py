"""The domain vocabulary the code speaks: relations, label predicates and the evidence for a relation.

Pages, the explorer, the counts and the CSV tables all read their relations from :data:`RELATIONS`,
so adding a relation is one edit here (``tests/test_vocabulary.py`` checks that every relation the
ontology declares is listed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from migkg.namespaces import ELI, MIG, ORG, PREFIXES

#: Groups of :data:`RELATIONS` between instruments, or from an instrument to a commitment: the
#: relations shown with their evidence, and the rows of the relations table.
INSTRUMENT_GROUPS: tuple[str, ...] = ("implementation", "legal")


@dataclass(frozen=True)
class Relation:
    """A relation between resources: its key in the API, predicate IRI, labels both ways, group."""

    key: str
    iri: str
    label: str
    group: str
    inverse_label: str | None = None  # how the link reads from the object's side
    trace: bool = False  # followed by the trace ("gives effect to" and contributes to)
    derived: bool = False  # drawn by the explorer, not a triple between the two ends in the data

    @property
    def ref(self) -> URIRef:
        """The predicate as an rdflib term."""
        return URIRef(self.iri)

    @property
    def curie(self) -> str:
        """The predicate as a prefixed name of :data:`migkg.namespaces.PREFIXES` (for SPARQL text).

        >>> RELATION_BY_KEY["basedOn"].curie
        'eli:based_on'
        """
        return curie(self.iri)


def curie(iri: str) -> str:
    """``iri`` as a prefixed name of :data:`migkg.namespaces.PREFIXES`, else ``<iri>``.

    >>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
    'skos:prefLabel'
    >>> curie("https://example.org/x")
    '<https://example.org/x>'
    """
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and local.replace("_", "a").isalnum():
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _r(key: str, iri: URIRef, label: str, group: str, inverse: str | None = None,
       trace: bool = False, derived: bool = False) -> Relation:
    return Relation(key, str(iri), label, group, inverse, trace, derived)


RELATIONS: tuple[Relation, ...] = (
    _r("realises", MIG.realises, "realises", "implementation", "realised by", trace=True),
    _r("implements", MIG.implements, "implements", "implementation", "implemented by", trace=True),
    _r("localizes", MIG.localizes, "localizes", "implementation", "localized by", trace=True),
    _r("facilitatesImplementationOf", MIG.facilitatesImplementationOf, "facilitates implementation of",
       "implementation", "implementation facilitated by", trace=True),
    _r("contributesTo", MIG.contributesTo, "contributes to", "implementation",
       "instruments contributing to it", trace=True),
    # Derived: a Hub record (mig:HubRecord) describes the instrument and is mig:listedUnder the
    # commitment (see migkg.views.explorer.fetch.LISTED_UNDER). A listing is no claim of contribution.
    _r("listedUnder", MIG.listedUnder, "listed under (Migration Network Hub)", "implementation",
       trace=True, derived=True),
    _r("alignsWith", MIG.alignsWith, "aligns with", "implementation", "aligned with by"),
    _r("establishedBy", MIG.establishedBy, "established by", "legal", "establishes"),
    _r("basedOn", ELI.based_on, "based on", "legal", "basis of"),
    _r("amends", ELI.amends, "amends", "legal", "amended by"),
    _r("cites", ELI.cites, "cites", "legal", "cited by"),
    _r("replaces", DCTERMS.replaces, "replaces", "legal", "replaced by"),
    _r("issuedBy", MIG.issuedBy, "issued by", "actor", "issued"),
    _r("party", MIG.party, "party", "actor", "party to"),
    _r("addressedTo", MIG.addressedTo, "addressed to", "actor"),
    _r("involves", MIG.involves, "involves", "actor"),
    _r("memberOf", ORG.memberOf, "member of", "actor"),
    _r("subOrganizationOf", ORG.subOrganizationOf, "part of", "actor"),
    _r("jurisdiction", ELI.jurisdiction, "jurisdiction", "place", "instruments applying here"),
    _r("broader", SKOS.broader, "lies within", "place", "narrower"),
    _r("closeMatch", SKOS.closeMatch, "close match", "commitment"),
    _r("theme", MIG.theme, "theme", "concept"),
    _r("targetGroup", MIG.targetGroup, "target group", "concept"),
)
RELATION_BY_KEY: dict[str, Relation] = {r.key: r for r in RELATIONS}
RELATION_BY_IRI: dict[str, Relation] = {r.iri: r for r in RELATIONS}
#: Relations between instruments and to commitments (triples of the data), in :data:`RELATIONS` order.
INSTRUMENT_RELATIONS: tuple[Relation, ...] = tuple(
    r for r in RELATIONS if r.group in INSTRUMENT_GROUPS and not r.derived)
#: The relations counted by kind in the figures: those from instruments and between actors.
COUNTED_RELATIONS: tuple[Relation, ...] = tuple(
    r for r in RELATIONS if r.group in (*INSTRUMENT_GROUPS, "actor") and not r.derived)
TRACE_RELATIONS: tuple[Relation, ...] = tuple(r for r in RELATIONS if r.trace)

#: How an incoming link reads from the object's side: the relations' inverse labels, and those of the
#: other properties a page lists backwards.
INVERSE_LABELS: dict[URIRef, str] = {
    r.ref: r.inverse_label for r in RELATIONS if r.inverse_label is not None
} | {
    SKOS.inScheme: "concepts in this scheme",
    MIG.describes: "source records describing it",
}

#: The predicates a resource's display label is read from, in this order.
LABEL_PREDICATES: tuple[URIRef, ...] = (SKOS.prefLabel, RDFS.label, DCTERMS.title)


def sparql_values(relations: tuple[Relation, ...] | tuple[URIRef, ...]) -> str:
    """Prefixed names for a SPARQL ``VALUES`` block.

    >>> sparql_values(LABEL_PREDICATES)
    'skos:prefLabel rdfs:label dcterms:title'
    """
    return " ".join(r.curie if isinstance(r, Relation) else curie(str(r)) for r in relations)


#: ``skos:prefLabel|rdfs:label|dcterms:title``: the label predicates as a SPARQL property path.
LABEL_PATH = "|".join(curie(str(p)) for p in LABEL_PREDICATES)
#: ``mig:realises`` and its sub-properties (an instrument gives effect to another) as a SPARQL path;
#: followed with ``+`` to find what an instrument contributes to through the instruments it realises.
REALISES_PATH = "(mig:realises|mig:implements|mig:localizes)"

T = TypeVar("T")


@dataclass(frozen=True)
class Evidence(Generic[T]):
    """Why a relation holds: the ``mig:Claim`` backing it, its sentence, sources and assertion method.

    ``T`` is how terms are shown: IRIs as strings (the explorer's JSON) or page links.
    """

    claim: T
    text: str | None
    sources: tuple[T, ...] = ()
    method: T | None = None
