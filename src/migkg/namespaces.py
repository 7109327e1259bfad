"""Namespaces and IRI helpers shared by every module (the IRIs are fixed: see ontology/README.md)."""

from __future__ import annotations

from pathlib import PurePosixPath

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/migkg/"
MIG = Namespace(BASE + "ontology#")
MIGSH = Namespace(BASE + "shapes#")
ONTOLOGY_IRI = BASE + "ontology"
SCHEME = Namespace(BASE + "scheme/")
CONCEPT = Namespace(BASE + "concept/")
GCM_OBJECTIVE = Namespace(BASE + "gcm/objective/")
GCM_PRINCIPLE = Namespace(BASE + "gcm/principle/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
PROVENANCE_GRAPH = GRAPH["provenance"]

ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SDG = Namespace("http://metadata.un.org/sdg/")
TIME = Namespace("http://www.w3.org/2006/time#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VANN = Namespace("http://purl.org/vocab/vann/")

#: Prefixes written into serialisations and offered to query authors, sorted by prefix.
PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "eli": str(ELI),
    "gcmo": str(GCM_OBJECTIVE),
    "gcmp": str(GCM_PRINCIPLE),
    "mig": str(MIG),
    "org": str(ORG),
    "owl": str(OWL),
    "place": str(CONCEPT) + "place/",
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "sdg": str(SDG),
    "skos": str(SKOS),
    "time": str(TIME),
    "void": str(VOID),
    "xsd": str(XSD),
}

#: Prefixes for showing IRIs to people (serialised descriptions, result tables) and offered to query
#: authors (:func:`sparql_prefix_block`): the project's, plus those of docs/modelling-conventions.md
#: and of the imported data (every ``@prefix`` of ``data/``, checked by tests/test_prefixes.py).
DISPLAY_PREFIXES: dict[str, str] = PREFIXES | {
    name: BASE + path
    for name, path in (
        ("am", "concept/assertion-method/"), ("at", "concept/actor-type/"),
        ("blap", "concept/bla-provision/"), ("claim", "id/claim/"),
        ("cs", "concept/curation-status/"), ("gl", "concept/governance-level/"),
        ("inst", "id/instrument/"), ("it", "concept/instrument-type/"),
        ("lc", "concept/list-completeness/"), ("ln", "concept/legal-nature/"),
        ("migsh", "shapes#"), ("orgid", "id/org/"), ("party-status", "id/party-status/"),
        ("record", "id/record/"), ("scheme", "scheme/"), ("source", "id/source/"),
        ("tg", "concept/target-group/"), ("theme", "concept/theme/"),
    )
}


def graph_iri_for(relative_path: str | PurePosixPath) -> str:
    """Named-graph IRI of a source file, from its path relative to the project root.

    >>> graph_iri_for("data/instruments/asean.ttl")
    'https://w3id.org/migkg/graph/data/instruments/asean'
    >>> graph_iri_for("ontology/migkg.ttl")
    'https://w3id.org/migkg/graph/ontology/migkg'
    """
    path = PurePosixPath(relative_path)
    return str(GRAPH) + str(path.with_suffix(""))


def sparql_prefix_block(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX lines for ``prefixes`` (default: :data:`DISPLAY_PREFIXES`, every prefix the data uses).

    >>> sparql_prefix_block({"mig": str(MIG)})
    'PREFIX mig: <https://w3id.org/migkg/ontology#>'
    """
    chosen = DISPLAY_PREFIXES if prefixes is None else prefixes
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in sorted(chosen.items()))
