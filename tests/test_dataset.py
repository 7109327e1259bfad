"""The DCAT 3 + VoID dataset description: figures from the store, known terms only, conneg."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, VOID

from migkg.publish.dcat import DCAT_VERSION, IANA, describe_dataset
from migkg.web.iri_map import REPRESENTATIONS

BASE = "https://w3id.org/migkg/"
DS = URIRef(BASE + "dataset")

# The terms the description may use (DCAT 3, VoID, DCTERMS), checked by hand against the specs.
KNOWN_CLASSES = {DCAT.Dataset, DCAT.Distribution, DCAT.DataService, VOID.Dataset, VOID.Linkset}
KNOWN_PROPERTIES = {RDF.type} | {DCAT[t] for t in (
    "distribution", "downloadURL", "mediaType", "landingPage", "keyword", "endpointURL",
    "servesDataset", "version")} | {VOID[t] for t in (
    "triples", "classes", "properties", "classPartition", "propertyPartition", "class", "property",
    "entities", "sparqlEndpoint", "uriSpace", "vocabulary", "dataDump", "subset", "linkPredicate",
    "subjectsTarget", "objectsTarget")} | {DCTERMS[t] for t in (
    "title", "description", "license", "publisher", "modified", "source", "creator", "rights",
    "bibliographicCitation")} | {URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
                                 URIRef("http://www.w3.org/2002/07/owl#versionInfo")}


@pytest.fixture(scope="module")
def description(ld_backend: Any) -> Graph:
    return describe_dataset(ld_backend, BASE, version="9.9.9")


def test_uses_only_known_terms(description: Graph) -> None:
    assert {p for _, p, _ in description} <= KNOWN_PROPERTIES
    assert set(description.objects(None, RDF.type)) <= KNOWN_CLASSES


def test_core_metadata(description: Graph) -> None:
    assert (DS, RDF.type, DCAT.Dataset) in description
    assert (DS, RDF.type, VOID.Dataset) in description
    assert description.value(DS, DCTERMS.title) is not None
    assert description.value(DS, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert description.value(DS, DCAT_VERSION) == Literal("9.9.9")
    assert description.value(DS, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert description.value(DS, VOID.uriSpace) == Literal(BASE + "id/")


def test_sizes_and_partitions_come_from_the_store(description: Graph, ld_backend: Any) -> None:
    quads = sum(g.triples for g in ld_backend.graphs())
    assert description.value(DS, VOID.triples) == Literal(quads)
    partitions = {description.value(p, VOID["class"]): int(description.value(p, VOID.entities))
                  for p in description.objects(DS, VOID.classPartition)}
    mig = "https://w3id.org/migkg/ontology#"
    assert partitions[URIRef(mig + "DocumentaryInstrument")] == 3
    assert partitions[URIRef(mig + "Claim")] == 2
    props = {description.value(p, VOID.property): int(description.value(p, VOID.triples))
             for p in description.objects(DS, VOID.propertyPartition)}
    assert props[URIRef(mig + "realises")] == 1
    assert sum(props.values()) == quads


def test_distributions_have_iana_media_types(description: Graph) -> None:
    dists = set(description.objects(DS, DCAT.distribution))
    assert URIRef(BASE + "downloads/migkg.nq") in dists
    types = {str(description.value(d, DCAT.mediaType)) for d in dists}
    assert IANA + "application/n-quads" in types
    assert IANA + "text/turtle" in types
    for dist in dists:
        assert description.value(dist, DCAT.downloadURL) == dist


def test_linksets_for_exact_match_targets(description: Graph) -> None:
    linksets = {description.value(description.value(ls, VOID.objectsTarget), VOID.uriSpace):
                int(description.value(ls, VOID.triples))
                for ls in description.objects(DS, VOID.subset)}
    assert linksets == {Literal("http://www.wikidata.org/"): 2, Literal("http://data.europa.eu/"): 1}
    for ls in description.objects(DS, VOID.subset):
        assert description.value(ls, VOID.linkPredicate) == SKOS.exactMatch


@pytest.mark.parametrize("rep", REPRESENTATIONS, ids=lambda r: r.suffix)
def test_dataset_route_negotiates(ld_client: Any, rep: Any) -> None:
    response = ld_client.get("/dataset", headers={"Accept": rep.media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == rep.media_type
    assert "Accept" in response.headers["vary"]
    assert "/dataset.ttl>" in response.headers["link"]


def test_dataset_representations_agree(ld_client: Any) -> None:
    ttl = Graph().parse(data=ld_client.get("/dataset.ttl").content, format="turtle")
    for rep in REPRESENTATIONS:
        if rep.rdf is not None:
            other = Graph().parse(data=ld_client.get(f"/dataset.{rep.suffix}").content,
                                  format=rep.rdf.rdflib_name)
            assert isomorphic(other, ttl), rep.suffix
    assert isomorphic(Graph().parse(data=ld_client.get("/downloads/dataset.ttl").content,
                                    format="turtle"), ttl)


def test_dataset_page(ld_client: Any) -> None:
    html = ld_client.get("/dataset", headers={"Accept": "text/html"}).text
    assert "<h1>migkg: knowledge graph of migration governance instruments</h1>" in html
    assert 'href="http://testserver/sparql"' in html
    assert "http://www.wikidata.org/" in html


SOURCES_TTL = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix mig: <https://w3id.org/migkg/ontology#> .
<https://w3id.org/migkg/id/source/bla> a dcat:Dataset ; dcterms:title "BLA data"@en ;
    dcterms:rights "Licence not stated."@en ; owl:versionInfo "commit abc" ;
    dcterms:modified "2024-12-11"^^<http://www.w3.org/2001/XMLSchema#date> .
<https://w3id.org/migkg/id/source/apla> a dcat:Dataset ; dcterms:title "APLA"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
<https://w3id.org/migkg/id/instrument/x> mig:instrumentType <https://w3id.org/migkg/concept/instrument-type/law> ;
    dcterms:source <https://w3id.org/migkg/id/source/apla> .
"""


def test_imported_sources_are_listed_with_licence_as_published() -> None:
    import pyoxigraph as ox

    from migkg.stores.oxigraph import OxigraphBackend

    store = ox.Store()
    store.load(SOURCES_TTL.encode(), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode("https://w3id.org/migkg/graph/data/imported/x"))
    backend = OxigraphBackend(store)
    graph = describe_dataset(backend, BASE, version="9.9.9")
    prov = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    bla, apla = URIRef(BASE + "id/source/bla"), URIRef(BASE + "id/source/apla")
    assert set(graph.objects(DS, DCTERMS.source)) == {bla, apla}
    assert set(graph.objects(DS, prov)) == {bla, apla}
    assert graph.value(bla, DCTERMS.rights) == Literal("Licence not stated.", lang="en")
    assert graph.value(bla, DCTERMS.license) is None
    assert graph.value(apla, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(graph.value(bla, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))) == "commit abc"
