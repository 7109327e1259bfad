"""SPARQLWrapper as a client: migkg's own endpoint answers the standard Python SPARQL client.

:class:`~migkg.stores.sparql_client.EndpointBackend` (``migkg query --endpoint``) sends its queries
through SPARQLWrapper; pointed at a live migkg server, it checks both sides of the protocol at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import live_server
from rdflib import URIRef

from migkg.namespaces import MIG, sparql_prefix_block
from migkg.stores.base import QueryRequest, QuerySyntaxError
from migkg.stores.sparql_client import EndpointBackend
from migkg.web.app import create_app

pytestmark = pytest.mark.server

REALISES = sparql_prefix_block() + "SELECT ?s ?o WHERE { ?s mig:realises ?o } ORDER BY ?s ?o"


@pytest.fixture(scope="module")
def endpoint(repo_settings: Any, repo_backend: Any) -> Iterator[EndpointBackend]:
    with live_server(create_app(repo_settings, repo_backend)) as base:
        client = EndpointBackend(base + "/sparql", timeout_s=30)
        yield client
        client.close()


def test_select_gives_the_rows_of_the_store(endpoint: EndpointBackend, repo_backend: Any) -> None:
    rows = endpoint.select(QueryRequest(REALISES))
    assert rows
    assert rows == repo_backend.select(QueryRequest(REALISES))


def test_bindings_reach_the_endpoint_as_values(endpoint: EndpointBackend, repo_backend: Any) -> None:
    some = repo_backend.select(QueryRequest(REALISES))[0]["s"]
    request = QueryRequest(REALISES, bindings={"s": some})
    assert {str(r["s"]) for r in endpoint.select(request)} == {str(some)}


def test_ask_and_construct(endpoint: EndpointBackend) -> None:
    assert endpoint.ask(QueryRequest(f"ASK {{ ?s <{MIG.realises}> ?o }}"))
    assert not endpoint.ask(QueryRequest("ASK { <urn:x:none> ?p ?o }"))
    graph = endpoint.construct(QueryRequest(REALISES.replace("SELECT ?s ?o", "CONSTRUCT { ?s mig:realises ?o }")
                                            .replace(" ORDER BY ?s ?o", "")))
    assert len(graph) > 0
    assert set(graph.predicates()) == {URIRef(MIG.realises)}


def test_a_syntax_error_is_the_servers_400(endpoint: EndpointBackend) -> None:
    with pytest.raises(QuerySyntaxError, match="rejected the query"):
        endpoint.select(QueryRequest("SELECT * WHERE { ?s ?p "))


def test_it_only_reads(endpoint: EndpointBackend) -> None:
    with pytest.raises(QuerySyntaxError, match="not a SPARQL query"):
        endpoint.select(QueryRequest("DROP ALL"))
