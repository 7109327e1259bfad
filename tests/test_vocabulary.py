"""The domain vocabulary (migkg.vocabulary) covers every relation of the ontology and of the data."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from migkg.namespaces import MIG, ORG, sparql_prefix_block
from migkg.stores.base import QueryRequest
from migkg.vocabulary import (
    INSTRUMENT_RELATIONS,
    INVERSE_LABELS,
    RELATION_BY_IRI,
    RELATIONS,
    curie,
    sparql_values,
)

ONTOLOGY = Path(__file__).parents[1] / "ontology"


@cache
def tbox() -> Graph:
    """ontology/migkg.ttl with the extracts it imports (so ELI and ORG classes are known)."""
    graph = Graph().parse(ONTOLOGY / "migkg.ttl")
    for extract in sorted((ONTOLOGY / "imports").glob("*.ttl")):
        graph.parse(extract)
    return graph


def _within(graph: Graph, cls: URIRef, top: URIRef) -> bool:
    return top in graph.transitive_objects(cls, RDFS.subClassOf)


def _declared(range_top: URIRef) -> list[str]:
    """mig: object properties from instruments whose range falls under ``range_top``."""
    graph = tbox()
    found = []
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        if not str(prop).startswith(str(MIG)):
            continue
        domains, ranges = list(graph.objects(prop, RDFS.domain)), list(graph.objects(prop, RDFS.range))
        if (any(_within(graph, d, MIG.Instrument) for d in domains)  # type: ignore[arg-type]
                and any(_within(graph, r, range_top) for r in ranges)):  # type: ignore[arg-type]
            found.append(str(prop))
    return sorted(found)


def test_the_ontology_declares_relations_between_instruments() -> None:
    # Guards the test below against passing on an empty list (a renamed class, say).
    assert str(MIG.realises) in _declared(MIG.Instrument)
    assert str(MIG.contributesTo) in _declared(MIG.Commitment)
    assert str(MIG.issuedBy) in _declared(ORG.Organization)


@pytest.mark.parametrize("prop", _declared(MIG.Instrument) + _declared(MIG.Commitment))
def test_every_relation_between_instruments_or_to_commitments_is_in_the_vocabulary(prop: str) -> None:
    assert prop in {r.iri for r in INSTRUMENT_RELATIONS}, f"add {curie(prop)} to migkg.vocabulary"


@pytest.mark.parametrize("prop", _declared(ORG.Organization))
def test_every_relation_from_instruments_to_actors_is_in_the_vocabulary(prop: str) -> None:
    assert RELATION_BY_IRI[prop].group == "actor"


def test_every_relation_between_instruments_in_the_data_is_in_the_vocabulary(repo_backend: Any) -> None:
    rows = repo_backend.select(QueryRequest(sparql_prefix_block() + """
SELECT DISTINCT ?p WHERE {
  ?s ?p ?o . ?s a/rdfs:subClassOf* mig:Instrument .
  { ?o a/rdfs:subClassOf* mig:Instrument } UNION { ?o a/rdfs:subClassOf* mig:Commitment }
}"""))
    used = {str(r["p"]) for r in rows}
    assert str(MIG.realises) in used
    assert used <= {r.iri for r in INSTRUMENT_RELATIONS}


def test_keys_and_iris_are_unique() -> None:
    assert len({r.key for r in RELATIONS}) == len({r.iri for r in RELATIONS}) == len(RELATIONS)


def test_instrument_relations_read_both_ways() -> None:
    assert all(r.inverse_label for r in INSTRUMENT_RELATIONS)
    assert INVERSE_LABELS[MIG.realises] == "realised by"


def test_relations_are_written_as_prefixed_names_for_sparql() -> None:
    assert sparql_values(INSTRUMENT_RELATIONS[:2]) == "mig:realises mig:implements"
    assert all(not r.curie.startswith("<") for r in RELATIONS)
