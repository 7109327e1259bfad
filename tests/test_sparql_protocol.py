"""The /sparql endpoint: the 34 W3C SPARQL 1.1 Protocol tests, formats, negotiation, errors, updates.

The W3C tests (w3c/rdf-tests, sparql/sparql11/protocol/manifest.ttl) are mirrored one test id each,
over graphs data0..data3.rdf holding ``<graph IRI> a foaf:Document``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from migkg.config import Settings
from migkg.stores.limits import QueryPolicy
from migkg.stores.oxigraph import OxigraphBackend
from migkg.web.app import create_app

K = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOC = "http://xmlns.com/foaf/0.1/Document"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
Q = "application/sparql-query"
U = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"


def w3c_store() -> ox.Store:
    store = ox.Store()
    for n in range(4):
        g = ox.NamedNode(f"{K}data{n}.rdf")
        store.add(ox.Quad(g, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(FOAF_DOC), g))
    return store


def make_client(tmp_path: Path, **settings: Any) -> TestClient:
    config = Settings(root_dir=tmp_path, **settings)
    backend = OxigraphBackend(w3c_store(), QueryPolicy.from_settings(config))
    return TestClient(create_app(config, backend))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, update_token=TOKEN) as c:
        yield c


def boolean(response: Any) -> bool:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return bool(response.json()["boolean"])


ASK_1_2 = f"ASK {{ <{K}data1.rdf> a ?type . <{K}data2.rdf> a ?type . }}"
ASK_G1_G2 = (f"ASK {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}")
DG = [("default-graph-uri", f"{K}data1.rdf"), ("default-graph-uri", f"{K}data2.rdf")]
NG = [("named-graph-uri", f"{K}data1.rdf"), ("named-graph-uri", f"{K}data2.rdf")]


# --- W3C: queries ------------------------------------------------------------------------------------

def test_query_post_form(client: TestClient) -> None:
    r = client.post("/sparql", params={"default-graph-uri": f"{K}data0.rdf"}, content="query=ASK%20%7B%7D",
                    headers={"content-type": FORM})
    assert boolean(r) is True


def test_query_dataset_default_graphs_get(client: TestClient) -> None:
    assert boolean(client.get("/sparql", params=[("query", ASK_1_2), *DG])) is True


def test_query_dataset_default_graphs_post(client: TestClient) -> None:
    r = client.post("/sparql", params=DG, content=ASK_1_2, headers={"content-type": Q})
    assert boolean(r) is True


def test_query_dataset_named_graphs_post(client: TestClient) -> None:
    assert boolean(client.post("/sparql", params=NG, content=ASK_G1_G2, headers={"content-type": Q}))


def test_query_dataset_named_graphs_get(client: TestClient) -> None:
    assert boolean(client.get("/sparql", params=[("query", ASK_G1_G2), *NG])) is True


def test_query_dataset_full(client: TestClient) -> None:
    query = (f"ASK {{ <{K}data3.rdf> a ?type GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} "
             f"GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}")
    params = [("default-graph-uri", f"{K}data3.rdf"), *NG]
    assert boolean(client.post("/sparql", params=params, content=query, headers={"content-type": Q}))


def test_query_multiple_dataset(client: TestClient) -> None:
    """The protocol dataset overrides FROM (the manifest's URL encodes its '&' by mistake: both read)."""
    query = f"ASK FROM <{K}data3.rdf> {ASK_G1_G2[4:]}"
    assert boolean(client.post("/sparql", params=NG, content=query, headers={"content-type": Q}))
    literal = client.post(f"/sparql?named-graph-uri={K}data1.rdf%26named-graph-uri%3D{K}data2.rdf",
                          content=query, headers={"content-type": Q})
    assert literal.status_code == 200
    assert boolean(client.post("/sparql", content=query, headers={"content-type": Q})) is False


def test_query_get(client: TestClient) -> None:
    assert boolean(client.get("/sparql", params={"query": "ASK {}",
                                                 "default-graph-uri": f"{K}data0.rdf"})) is True


def test_query_content_type_select(client: TestClient) -> None:
    r = client.post("/sparql", content="SELECT (1 AS ?value) {}", headers={"content-type": Q})
    assert r.status_code == 200
    assert r.json()["results"]["bindings"][0]["value"]["value"] == "1"


def test_query_content_type_ask(client: TestClient) -> None:
    assert boolean(client.post("/sparql", content="ASK {}", headers={"content-type": Q})) is True


@pytest.mark.parametrize("query", ["DESCRIBE <http://example.org/>", "CONSTRUCT { <s> <p> 1 } WHERE {}"],
                         ids=["query_content_type_describe", "query_content_type_construct"])
def test_query_content_type_graph(client: TestClient, query: str) -> None:
    r = client.post("/sparql", content=query, headers={"content-type": Q})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    Graph().parse(data=r.text, format="turtle")


def test_query_post_direct(client: TestClient) -> None:
    assert boolean(client.post("/sparql", content="ASK {}", headers={"content-type": Q})) is True


# --- W3C: updates ------------------------------------------------------------------------------------

UPDATE_PREFIX = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
INSERT_3 = "".join(f"GRAPH <{K}data{n}.rdf> {{ <{K}data{n}.rdf> a foaf:Document }}\n" for n in (1, 2, 3))


def update(client: TestClient, text: str, params: Any = None) -> None:
    r = client.post("/sparql", params=params, content=text, headers={"content-type": U, **AUTH})
    assert r.status_code == 204, r.text


def ask(client: TestClient, query: str) -> bool:
    return boolean(client.post("/sparql", content=query, headers={"content-type": Q}))


def test_update_dataset_default_graph(client: TestClient) -> None:
    update(client, UPDATE_PREFIX + f"CLEAR ALL ; INSERT DATA {{ GRAPH <{K}data1.rdf> {{ <{K}data1.rdf> a "
           "foaf:Document } } ; INSERT { GRAPH <http://example.org/t/> { ?s a dc:BibliographicResource } }"
           " WHERE { ?s a foaf:Document }", {"using-graph-uri": f"{K}data1.rdf"})
    assert ask(client, f"ASK {{ GRAPH <http://example.org/t/> {{ <{K}data1.rdf> a "
                       "<http://purl.org/dc/terms/BibliographicResource> } }")


def _dataset_check(graph: str, third: str) -> str:
    bib = "<http://purl.org/dc/terms/BibliographicResource>"
    return (f"ASK {{ GRAPH <{graph}> {{ <{K}data1.rdf> a {bib} . <{K}data2.rdf> a {bib} }} "
            f"FILTER NOT EXISTS {{ GRAPH <{graph}> {{ <{K}data3.rdf> {third} }} }} }}")


def test_update_dataset_default_graphs(client: TestClient) -> None:
    g = "http://example.org/protocol-update-dataset-graphs-test/"
    update(client, UPDATE_PREFIX + f"DROP ALL ; INSERT DATA {{ {INSERT_3} }} ; INSERT {{ GRAPH <{g}> "
           "{ ?s a dc:BibliographicResource } } WHERE { ?s a foaf:Document }",
           [("using-graph-uri", f"{K}data1.rdf"), ("using-graph-uri", f"{K}data2.rdf")])
    assert ask(client, _dataset_check(g, "a <http://purl.org/dc/terms/BibliographicResource>"))


def test_update_dataset_named_graphs(client: TestClient) -> None:
    g = "http://example.org/protocol-update-dataset-named-graphs-test/"
    update(client, UPDATE_PREFIX + f"DROP ALL ; INSERT DATA {{ {INSERT_3} }} ; INSERT {{ GRAPH <{g}> "
           "{ ?s a dc:BibliographicResource } } WHERE { GRAPH ?g { ?s a foaf:Document } }",
           [("using-named-graph-uri", f"{K}data1.rdf"), ("using-named-graph-uri", f"{K}data2.rdf")])
    assert ask(client, _dataset_check(g, "a <http://purl.org/dc/terms/BibliographicResource>"))


def test_update_dataset_full(client: TestClient) -> None:
    g = "http://example.org/protocol-update-dataset-full-test/"
    update(client, UPDATE_PREFIX + f"DROP ALL ; INSERT DATA {{ {INSERT_3} }} ; INSERT {{ GRAPH <{g}> "
           "{ ?s <http://example.org/in> ?in } } WHERE { { GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) }"
           ' UNION { ?s a foaf:Document . BIND("default" AS ?in) } }',
           [("using-graph-uri", f"{K}data1.rdf"), ("using-named-graph-uri", f"{K}data2.rdf")])
    assert ask(client, f'ASK {{ GRAPH <{g}> {{ <{K}data1.rdf> <http://example.org/in> "default" . '
                       f"<{K}data2.rdf> <http://example.org/in> <{K}data2.rdf> }} "
                       f"FILTER NOT EXISTS {{ GRAPH <{g}> {{ <{K}data3.rdf> ?p ?o }} }} }}")


def test_update_post_form(client: TestClient) -> None:
    r = client.post("/sparql", content="update=CLEAR+ALL", headers={"content-type": FORM, **AUTH})
    assert r.status_code == 204
    assert ask(client, "ASK { GRAPH ?g { ?s ?p ?o } }") is False


def test_update_post_direct(client: TestClient) -> None:
    update(client, "CLEAR ALL")
    assert ask(client, "ASK { GRAPH ?g { ?s ?p ?o } }") is False


def test_update_base_uri(client: TestClient) -> None:
    """Oxigraph refuses CLEAR GRAPH of a graph it never held (SPARQL Update §3.1.3 allows that; 400),
    so the graph exists first, as it does when the W3C suite runs its tests in order."""
    g = "http://example.org/protocol-base-test/"
    r = client.post("/sparql", content=f"CLEAR GRAPH <{g}>", headers={"content-type": U, **AUTH})
    assert r.status_code == 400
    update(client, f"INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}")
    update(client, f"CLEAR GRAPH <{g}> ; INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/s> "
                   "<http://example.org/p> <test> } }")
    r = client.post("/sparql", content=f"SELECT ?o WHERE {{ GRAPH <{g}> {{ <http://example.org/s> "
                    "<http://example.org/p> ?o } }", headers={"content-type": Q})
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 1
    assert rows[0]["o"]["type"] == "uri"
    assert rows[0]["o"]["value"] != "test"
    assert rows[0]["o"]["value"] == "http://testserver/test"  # resolved against the endpoint URL


# --- W3C: bad requests (all 4xx) -------------------------------------------------------------------

BAD: list[tuple[str, str, dict[str, Any]]] = [
    ("bad_query_method", "PUT", {"params": {"query": "ASK {}"}, "headers": {"content-type": FORM}}),
    ("bad_multiple_queries", "GET", {"params": [("query", "ASK {}"), ("query", "SELECT * {}")]}),
    ("bad_query_wrong_media_type", "POST", {"content": "ASK {}", "headers": {"content-type": "text/plain"}}),
    ("bad_query_missing_form_type", "POST", {"content": "query=ASK%20%7B%7D"}),
    ("bad_query_missing_direct_type", "POST", {"content": "ASK {}"}),
    ("bad_query_non_utf8", "POST", {"content": "ASK {}".encode("utf-16"),
                                    "headers": {"content-type": Q + "; charset=UTF-16"}}),
    ("bad_query_syntax", "GET", {"params": {"query": "ASK {"}}),
    ("bad_update_get", "GET", {"params": {"update": "CLEAR ALL"}}),
    ("bad_multiple_updates", "POST", {"content": "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                                      "headers": {"content-type": FORM, **AUTH}}),
    ("bad_update_wrong_media_type", "POST", {"content": "CLEAR NAMED",
                                             "headers": {"content-type": "text/plain", **AUTH}}),
    ("bad_update_missing_form_type", "POST", {"content": "update=CLEAR%20NAMED", "headers": AUTH}),
    ("bad_update_non_utf8", "POST", {"content": "CLEAR NAMED".encode("utf-16"),
                                     "headers": {"content-type": U + "; charset=UTF-16", **AUTH}}),
    ("bad_update_syntax", "POST", {"content": "update=CLEAR%20XYZ",
                                   "headers": {"content-type": FORM, **AUTH}}),
    ("bad_update_dataset_conflict", "POST", {
        "params": {"using-named-graph-uri": "http://example/people"},
        "content": "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\nDELETE "
                   "{ ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
                   "WHERE { ?person foaf:givenName 'Bill' }",
        "headers": {"content-type": U, **AUTH}}),
]


@pytest.mark.parametrize(("method", "kwargs"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_request(client: TestClient, method: str, kwargs: dict[str, Any]) -> None:
    before = ask(client, "ASK { GRAPH ?g { ?s ?p ?o } }")
    r = client.request(method, "/sparql", **kwargs)
    assert 400 <= r.status_code < 500, r.text
    assert r.text.strip()  # a readable message
    assert ask(client, "ASK { GRAPH ?g { ?s ?p ?o } }") == before  # nothing was changed


def test_syntax_error_carries_the_parser_message(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "error at 1:" in r.text


# --- formats and content negotiation ---------------------------------------------------------------

SELECT = f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g a <{FOAF_DOC}> }} }} ORDER BY ?g"
CONSTRUCT = "CONSTRUCT { ?g a ?t } WHERE { GRAPH ?g { ?g a ?t } }"


@pytest.mark.parametrize(("accept", "media_type", "parser"), [
    ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", "text/csv", None),
    ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("application/json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    (None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("text/*;q=0.5, application/sparql-results+xml;q=0.4", "text/csv", None),
])
def test_select_formats(client: TestClient, accept: str | None, media_type: str,
                        parser: ox.QueryResultsFormat | None) -> None:
    headers = {"accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    assert r.headers["access-control-allow-origin"] == "*"
    if parser is None:  # CSV is lossy: pyoxigraph will not parse it back
        assert r.text.splitlines()[1:] == [f"{K}data{n}.rdf" for n in range(4)]
        return
    solutions = ox.parse_query_results(r.content, parser)
    assert len(list(solutions)) == 4  # type: ignore[arg-type]


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"), ("application/trig", "trig"), ("application/n-quads", "nquads"),
    (None, "turtle"),
])
def test_graph_formats(client: TestClient, accept: str | None, rdflib_format: str) -> None:
    headers = {"accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200, r.text
    if accept:
        assert r.headers["content-type"].split(";")[0] == accept
    graph = Graph()
    graph.parse(data=r.content, format=rdflib_format)
    assert len(graph) == 4


@pytest.mark.parametrize(("param", "value", "media_type"), [
    ("format", "csv", "text/csv"), ("output", "xml", "application/sparql-results+xml"),
    ("format", "application/sparql-results+json", "application/sparql-results+json"),
])
def test_format_parameter_overrides_accept(client: TestClient, param: str, value: str,
                                           media_type: str) -> None:
    r = client.get("/sparql", params={"query": SELECT, param: value}, headers={"accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type


def test_ask_as_xml(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"},
                   headers={"accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in r.text


@pytest.mark.parametrize(("query", "accept", "status"), [
    (SELECT, "text/turtle", 406), (CONSTRUCT, "text/csv", 406), (SELECT, "image/png", 406),
    (SELECT, "text", 400), (SELECT, "text/csv;q=2", 400),
])
def test_negotiation_errors(client: TestClient, query: str, accept: str, status: int) -> None:
    r = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert r.status_code == status
    assert r.text.strip()


def test_unknown_format_parameter(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": SELECT, "format": "yaml"}).status_code == 400


def test_protocol_named_graphs_only_leave_the_default_graph_empty(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": f"{K}data1.rdf"})
    assert boolean(r) is False


def test_default_graph_is_the_union_without_a_protocol_dataset(client: TestClient) -> None:
    assert boolean(client.get("/sparql", params={"query": f"ASK {{ <{K}data2.rdf> a ?t }}"})) is True


@pytest.mark.parametrize("bad_iri", ["not an iri", "http://a b"])
def test_malformed_dataset_iri(client: TestClient, bad_iri: str) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": bad_iri})
    assert r.status_code == 400


# --- other malformed requests ------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "status"), [
    ({"content": b"ASK {}"}, 415),
    ({"content": b"ASK {}", "headers": {"content-type": "application/json"}}, 415),
    ({"content": b"ASK { \xff }", "headers": {"content-type": Q}}, 400),
    ({"content": b"query=ASK%20%7B%7D&update=CLEAR%20ALL", "headers": {"content-type": FORM}}, 400),
    ({"content": b"nothing=here", "headers": {"content-type": FORM}}, 400),
    ({"content": b"query=%FF", "headers": {"content-type": FORM}}, 400),
    ({"params": {"query": "ASK {}"}, "content": b"ASK {}", "headers": {"content-type": Q}}, 400),
    ({"params": {"using-graph-uri": "http://g"}, "content": b"ASK {}", "headers": {"content-type": Q}}, 400),
], ids=["no-type", "wrong-type", "non-utf8", "query-and-update", "neither", "bad-percent", "query-in-url",
        "using-on-query"])
def test_malformed_posts(client: TestClient, kwargs: dict[str, Any], status: int) -> None:
    r = client.post("/sparql", **kwargs)
    assert r.status_code == status, r.text
    assert r.text.strip()


def test_body_over_the_cap_is_413(tmp_path: Path) -> None:
    with make_client(tmp_path, max_request_bytes=100) as c:
        big = "ASK {}" + " " * 200
        assert c.post("/sparql", content=big, headers={"content-type": Q}).status_code == 413
        assert c.post("/sparql", content="ASK {}", headers={"content-type": Q}).status_code == 200


# --- updates: credentials ------------------------------------------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"


def count(c: TestClient) -> int:
    return int(c.get("/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": f"Basic {TOKEN}"}, 401),
    ({"Authorization": f"Bearer {TOKEN}x"}, 401),
])
def test_update_needs_the_token(client: TestClient, headers: dict[str, str], status: int) -> None:
    before = count(client)
    r = client.post("/sparql", content="CLEAR ALL", headers={"content-type": U, **headers})
    assert r.status_code == status
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert count(client) == before


def test_updates_disabled_without_a_token(tmp_path: Path) -> None:
    with make_client(tmp_path) as c:
        before = count(c)
        r = c.post("/sparql", content="CLEAR ALL", headers={"content-type": U, **AUTH})
        assert r.status_code == 403
        assert count(c) == before


def test_update_is_atomic(client: TestClient) -> None:
    before = count(client)
    r = client.post("/sparql", content="INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> 1 } } ;"
                    " CLEAR GRAPH <http://never/there>", headers={"content-type": U, **AUTH})
    assert r.status_code == 400
    assert count(client) == before


def test_update_response_has_no_cors(client: TestClient) -> None:
    r = client.post("/sparql", content="INSERT DATA { <http://x/s> <http://x/p> 1 }",
                    headers={"content-type": U, **AUTH})
    assert r.status_code == 204
    assert "access-control-allow-origin" not in r.headers


def test_cors_preflight_allows_reads_not_credentials(client: TestClient) -> None:
    r = client.options("/sparql", headers={"Origin": "http://else.where",
                                           "Access-Control-Request-Method": "POST"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "authorization" not in r.headers["access-control-allow-headers"].lower()


# --- service description and YASGUI ----------------------------------------------------------------

SD_NS = "http://www.w3.org/ns/sparql-service-description#"


def test_service_description(client: TestClient) -> None:
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    rows = g.query(f"PREFIX sd: <{SD_NS}> SELECT ?e WHERE {{ ?s a sd:Service ; sd:endpoint ?e }}")
    assert [str(row[0]) for row in rows] == ["http://testserver/sparql"]  # type: ignore[index]
    formats = {str(o) for o in g.objects(None, g.namespace_manager.expand_curie("sd:resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
    assert "http://www.w3.org/ns/formats/N-Quads" in formats
    counts = g.query(f"PREFIX sd: <{SD_NS}> PREFIX void: <http://rdfs.org/ns/void#> SELECT ?name ?n "
                     "WHERE { ?d sd:namedGraph [ sd:name ?name ; sd:graph [ void:triples ?n ] ] }")
    assert {(str(a), int(b)) for a, b in counts} == {(f"{K}data{n}.rdf", 1) for n in range(4)}  # type: ignore[misc]
    languages = set(g.objects(None, g.namespace_manager.expand_curie("sd:supportedLanguage")))
    assert {str(x) for x in languages} == {SD_NS + "SPARQL11Query", SD_NS + "SPARQL11Update"}


@pytest.mark.parametrize(("headers", "endpoint"), [
    ({"x-forwarded-proto": "https", "x-forwarded-host": "kg.example.org"}, "https://kg.example.org/sparql"),
    ({"forwarded": 'for=1.2.3.4;proto=https;host="data.example"'}, "https://data.example/sparql"),
    ({}, "http://testserver/sparql"),
])
def test_service_description_endpoint_follows_proxy_headers(
        client: TestClient, headers: dict[str, str], endpoint: str) -> None:
    r = client.get("/sparql", headers={"accept": "application/n-triples", **headers})
    assert f"<{endpoint}> <{SD_NS}endpoint> <{endpoint}> ." in r.text


def test_yasgui_page_is_local(repo_client: TestClient) -> None:
    import re

    r = repo_client.get("/sparql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert any(ref.endswith("vendor/yasgui/yasgui.min.js") for ref in refs)
    for ref in refs:
        assert ref.startswith(("/", "http://testserver/", "#")), ref
    assert "prefix.cc" not in r.text
    assert '"endpoint"' not in r.text or "http://testserver/sparql" in r.text
    for asset in ("yasgui.min.js", "yasgui.min.css", "LICENSE.txt"):
        assert repo_client.get(f"/static/vendor/yasgui/{asset}").status_code == 200


def test_yasgui_has_a_tab_per_catalogue_query(repo_client: TestClient, repo_settings: Settings) -> None:
    from migkg.web.sparql_page import catalogue_tabs

    tabs = catalogue_tabs(repo_settings.queries_dir)
    page = repo_client.get("/sparql", headers={"accept": "text/html"}).text
    data = page.split('id="migkg-tabs" type="application/json">')[1].split("</script>")[0]
    assert [t["name"] for t in json.loads(data)] == [t.name for t in tabs]


def test_catalogue_tabs_read_summaries(tmp_path: Path) -> None:
    from migkg.web.sparql_page import catalogue_tabs

    assert catalogue_tabs(tmp_path) == []
    (tmp_path / "cq").mkdir()
    (tmp_path / "cq" / "01-a.rq").write_text("#+ summary: First question\nSELECT * {}\n")
    (tmp_path / "cq" / "02-b.rq").write_text("SELECT * {}\n")
    assert [(t.name, t.title) for t in catalogue_tabs(tmp_path)] == [("01-a", "First question"),
                                                                     ("02-b", "02-b")]


def test_catalogue_tabs_run_as_they_stand_with_their_defaults(
    repo_client: TestClient, repo_settings: Settings
) -> None:
    from migkg.web.sparql_page import catalogue_tabs

    tabs = {t.name: t for t in catalogue_tabs(repo_settings.queries_dir)}
    for tab in tabs.values():
        r = repo_client.post("/sparql", data={"query": tab.sparql})
        assert r.status_code == 200, (tab.name, r.text)
    # Parameters are bound by their defaults in the tab text: label search finds instruments.
    search = tabs["20-label-search"].sparql
    assert "VALUES" in search
    rows = repo_client.post("/sparql", data={"query": search},
                            headers={"accept": "application/sparql-results+json"}).json()
    assert rows["results"]["bindings"]


def test_access_log_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="migkg.web.access_log")
    client.get("/sparql", params={"query": "ASK {}"})
    assert any(r.getMessage().startswith("GET /sparql 200 ") and r.getMessage().endswith(" ms")
               for r in caplog.records)
