"""Linked data over the fixture project: identifiers, documents, representations, pages, 404."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from rdflib import OWL, Graph, URIRef
from rdflib.compare import isomorphic

from migkg.publish.ontology_docs import external_fetches
from migkg.web.iri_map import REPRESENTATIONS

PORTABILITY = "instrument/asean-2022-portability-declaration"
PORTABILITY_IRI = "https://w3id.org/migkg/id/" + PORTABILITY
RDF_SUFFIXES = [r.suffix for r in REPRESENTATIONS if r.rdf is not None]
RDFLIB = {r.suffix: r.rdf.rdflib_name for r in REPRESENTATIONS if r.rdf is not None}


def parse(body: bytes, suffix: str) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=RDFLIB[suffix])
    return graph


def embedded_graph(html: str) -> Graph:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert found, "no embedded JSON-LD"
    graph = Graph()
    graph.parse(data=found.group(1).replace("<\\/", "</"), format="json-ld")
    return graph


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (f"/id/{PORTABILITY}", f"/doc/{PORTABILITY}"),
        ("/concept/governance-level/regional", "/doc/concept/governance-level/regional"),
        ("/scheme/governance-level", "/doc/scheme/governance-level"),
        ("/gcm/objective/23", "/doc/gcm/objective/23"),
        ("/graph/data/instruments/asean", "/doc/graph/data/instruments/asean"),
        (f"/id/{PORTABILITY}?_mediatype=text/turtle", f"/doc/{PORTABILITY}?_mediatype=text/turtle"),
    ],
)
def test_identifier_redirects_303_to_document(ld_client: Any, path: str, target: str) -> None:
    response = ld_client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver" + target


# --- documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rep", REPRESENTATIONS, ids=lambda r: r.suffix)
def test_negotiated_document_headers(ld_client: Any, rep: Any) -> None:
    response = ld_client.get(f"/doc/{PORTABILITY}", headers={"Accept": rep.media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == rep.media_type
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"].endswith(f"/doc/{PORTABILITY}.{rep.suffix}")
    link = response.headers["link"]
    for other in REPRESENTATIONS:
        assert f'/doc/{PORTABILITY}.{other.suffix}>' in link
        assert f'type="{other.media_type}"' in link
    assert 'rel="alternate"' in link


@pytest.mark.parametrize("rep", REPRESENTATIONS, ids=lambda r: r.suffix)
def test_fixed_representation(ld_client: Any, rep: Any) -> None:
    response = ld_client.get(f"/doc/{PORTABILITY}.{rep.suffix}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == rep.media_type
    assert "Accept" in response.headers["vary"]
    assert "rel=\"alternate\"" in response.headers["link"]


def test_mediatype_parameter_overrides_accept(ld_client: Any) -> None:
    response = ld_client.get(f"/doc/{PORTABILITY}?_mediatype=application/ld%2Bjson",
                             headers={"Accept": "text/html"})
    assert response.headers["content-type"].split(";")[0] == "application/ld+json"


@pytest.mark.parametrize(
    ("accept", "query", "status"),
    [("image/png", "", 406), ("text/html;q=0, */*;q=0", "", 406), ("", "?_mediatype=image/png", 406),
     ("text", "", 400), ("text/turtle;q=7", "", 400)],
)
def test_unacceptable_and_malformed(ld_client: Any, accept: str, query: str, status: int) -> None:
    response = ld_client.get(f"/doc/{PORTABILITY}{query}", headers={"Accept": accept})
    assert response.status_code == status


@pytest.mark.parametrize(
    "path",
    [PORTABILITY, "instrument/asean-2007-cebu-declaration", "org/asean", "gcm/objective/23",
     "concept/governance-level/regional", "scheme/governance-level",
     "record/hub-obj23-asean-portability"],
)
def test_all_representations_are_the_same_graph(ld_client: Any, path: str) -> None:
    graphs = {s: parse(ld_client.get(f"/doc/{path}.{s}").content, s) for s in RDF_SUFFIXES}
    graphs["html"] = embedded_graph(ld_client.get(f"/doc/{path}.html").text)
    reference = graphs["ttl"]
    assert len(reference) > 0
    for suffix, graph in graphs.items():
        assert isomorphic(graph, reference), suffix


def test_description_is_cbd_with_claims_and_labels(ld_client: Any) -> None:
    graph = parse(ld_client.get(f"/doc/{PORTABILITY}.ttl").content, "ttl")
    it = URIRef(PORTABILITY_IRI)
    mig = "https://w3id.org/migkg/ontology#"
    assert (it, URIRef(mig + "realises"), None) in graph
    # Blank-node closure: the period of time.
    temporal = graph.value(it, URIRef("http://purl.org/dc/terms/temporal"))
    assert temporal is not None
    assert len(list(graph.predicate_objects(temporal))) == 2
    # The claims about it, with their evidence.
    claims = set(graph.subjects(URIRef(mig + "claimSubject"), it))
    assert len(claims) == 2
    assert any(graph.value(c, URIRef(mig + "evidenceText")) for c in claims)
    # Labels of linked resources (for display by any client), not their other triples.
    asean = URIRef("https://w3id.org/migkg/id/org/asean")
    assert set(graph.predicates(asean)) == {URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")}
    # The public IRIs are kept, whatever the server.
    assert "testserver" not in ld_client.get(f"/doc/{PORTABILITY}.ttl").text


def test_head(ld_client: Any) -> None:
    assert ld_client.head(f"/doc/{PORTABILITY}").status_code == 200
    assert ld_client.head(f"/id/{PORTABILITY}", follow_redirects=False).status_code == 303


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portability_html(ld_client: Any) -> str:
    return str(ld_client.get(f"/doc/{PORTABILITY}", headers={"Accept": "text/html"}).text)


def test_page_shows_facts_as_local_links(portability_html: str) -> None:
    text = text_of(portability_html)
    assert "<h1>ASEAN Declaration on Portability of Social Security Benefits" in portability_html
    for shown in ("regional (supranational)", "declaration", "Association of Southeast Asian Nations",
                  "South-eastern Asia", "2022-11-11", "ASEAN Portability Declaration"):
        assert shown in text, shown
    assert 'href="http://testserver/doc/org/asean"' in portability_html
    assert 'href="http://testserver/doc/concept/governance-level/regional"' in portability_html
    # No link to a project IRI leaves this server (the IRIs are shown as text).
    assert not re.search(r'href="https://w3id\.org/migkg/', portability_html)


def test_page_shows_relations_with_evidence_and_source_record(portability_html: str) -> None:
    text = text_of(portability_html)
    assert "The Declaration gives effect to the 2007 Cebu Declaration." in text
    assert 'href="https://asean.org/portability-declaration"' in portability_html
    assert "stated-in-source" in text
    assert "source records describing it" in text
    assert "record/hub-obj23-asean-portability" in portability_html


def test_page_lists_alternates(portability_html: str) -> None:
    for rep in REPRESENTATIONS:
        assert f'href="/doc/{PORTABILITY}.{rep.suffix}"' in portability_html


def test_incoming_relations_and_chains(ld_client: Any) -> None:
    cebu = text_of(ld_client.get("/doc/instrument/asean-2007-cebu-declaration").text)
    assert "realised by" in cebu
    assert "implemented by" in cebu
    assert "ASEAN Consensus on the Protection" in cebu
    consensus = text_of(ld_client.get("/doc/instrument/asean-2017-consensus").text)
    assert "through the instruments it realises" in consensus
    assert "International cooperation via ASEAN Declaration on the Protection" in consensus
    objective = text_of(ld_client.get("/doc/gcm/objective/23").text)
    assert "instruments contributing to it" in objective
    assert "instruments contributing through instruments they realise" in objective


@pytest.mark.parametrize(
    ("header", "query", "label"),
    [("fr", "", "Coopération internationale"), ("es-ES,es;q=0.9", "", "Cooperación internacional"),
     ("de", "", "International cooperation"), ("en", "?lang=fr", "Coopération internationale")],
)
def test_label_in_chosen_language(ld_client: Any, header: str, query: str, label: str) -> None:
    html = ld_client.get(f"/doc/gcm/objective/23{query}", headers={"Accept-Language": header}).text
    assert f"<h1>{label}</h1>" in html


def test_scheme_page_lists_its_concepts(ld_client: Any) -> None:
    text = text_of(ld_client.get("/doc/scheme/governance-level").text)
    assert "concepts in this scheme" in text
    assert "national" in text


# --- 404 -----------------------------------------------------------------------------------------


def test_unknown_iri_is_404_with_help(ld_client: Any) -> None:
    response = ld_client.get("/id/instrument/asean-portability", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Perhaps one of these?" in response.text
    assert "Portability" in response.text
    plain = ld_client.get("/doc/instrument/nothing-here", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")


def test_unknown_route_is_404_page(ld_client: Any) -> None:
    response = ld_client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


# --- home and search -----------------------------------------------------------------------------


def test_home_page(ld_client: Any) -> None:
    html = ld_client.get("/").text
    text = text_of(html)
    assert "3 instruments" in text
    assert 'href="http://testserver/doc/concept/governance-level/regional"' in html
    assert 'href="http://testserver/doc/gcm/objective/23"' in html
    assert 'href="http://testserver/doc/concept/place/asia"' in html
    assert 'action="/search"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Cebu", "asean-2007-cebu-declaration"), ("portabilité", PORTABILITY), ("ASEAN", "org/asean"),
     ("cooperación", "gcm/objective/23")],
)
def test_search(ld_client: Any, query: str, expected: str) -> None:
    html = ld_client.get("/search", params={"q": query}).text
    assert expected in html


def test_search_exact_match_first(ld_client: Any) -> None:
    html = ld_client.get("/search", params={"q": "asean"}).text
    hits = re.findall(r'<li><a href="([^"]+)"', html)
    assert hits[0].endswith("/doc/org/asean")


# --- ontology ------------------------------------------------------------------------------------


def test_ontology_html_is_pylode_offline_with_term_anchors(ld_client: Any) -> None:
    response = ld_client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"]
    html = response.text
    assert "pyLODE" in html
    assert external_fetches(html) == []
    for term in ("Claim", "Instrument", "realises", "contributesTo"):
        assert f'id="{term}"' in html, term
    assert 'href="https://w3id.org/migkg/' not in html


@pytest.mark.parametrize("suffix", RDF_SUFFIXES)
def test_ontology_rdf_is_the_ontology_graph(ld_client: Any, ld_root: Any, suffix: str) -> None:
    source = Graph().parse(ld_root / "ontology" / "migkg.ttl")
    fixed = parse(ld_client.get(f"/ontology.{suffix}").content, suffix)
    media = next(r.media_type for r in REPRESENTATIONS if r.suffix == suffix)
    negotiated = ld_client.get("/ontology", headers={"Accept": media})
    assert negotiated.headers["content-location"].endswith(f"/ontology.{suffix}")
    assert isomorphic(fixed, source)
    assert isomorphic(parse(negotiated.content, suffix), source)


def test_jsonld_is_compact_with_context(ld_client: Any) -> None:
    doc = json.loads(ld_client.get(f"/doc/{PORTABILITY}.jsonld").content)
    assert "@context" in doc
    assert doc["@context"]["mig"] == "https://w3id.org/migkg/ontology#"


def test_ontology_version_iri_resolves_to_the_ontology_it_names(ld_client: Any, ld_root: Any) -> None:
    source = Graph().parse(ld_root / "ontology" / "migkg.ttl")
    version = str(source.value(URIRef("https://w3id.org/migkg/ontology"), OWL.versionInfo))
    response = ld_client.get(f"/ontology/{version}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/ontology")
    other = ld_client.get("/ontology/99.0.0", follow_redirects=False, headers={"Accept": "text/turtle"})
    assert other.status_code == 404


def test_store_failure_on_a_page_answers_its_status_not_500(ld_root: Any) -> None:
    from fastapi.testclient import TestClient

    from migkg.config import Settings
    from migkg.stores.base import QueryTimeout
    from migkg.web.app import create_app

    class TimingOut:
        def select(self, *args: object, **kwargs: object) -> None:
            raise QueryTimeout("the query ran longer than 1 s and was stopped")

        construct = ask = select

        def close(self) -> None:
            pass

    app = create_app(Settings(root_dir=ld_root), TimingOut())  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in (f"/doc/{PORTABILITY}", "/search?q=asean", "/explore/graph.json?iri=https://w3id.org/migkg/gcm/objective/23"):
            response = client.get(path, headers={"Accept": "text/html"})
            assert response.status_code == QueryTimeout.status, path
            assert "stopped" in response.text
