"""A remote store that is down, slow or broken gives clear 502/504 answers, never a hang."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from remote_servers import RemoteServer, free_port

from migkg.config import Settings
from migkg.stores.base import QueryRefused, QueryRequest, QuerySyntaxError, StoreUnavailable, UpdateRequest
from migkg.stores.graph_store import GraphStore, RemoteEndpoints, make_client
from migkg.stores.remote import RemoteBackend
from migkg.stores.remote_errors import RemoteTimeout
from migkg.web.server import make_app

REPO = Path(__file__).resolve().parents[1]
ASK = "ASK { ?s ?p ?o }"


class Broken(BaseHTTPRequestHandler):
    """Answers 500 with a store-like message to everything."""

    def do_POST(self) -> None:
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"Virtuoso 42000 Error SR483: out of memory")

    do_GET = do_PUT = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def broken_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()


@pytest.fixture(scope="module")
def silent_url() -> Iterator[str]:
    """A port that accepts connections and never answers (a store stuck on a query)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    sock.close()


def backend(url: str, timeout_s: float = 0.5) -> RemoteBackend:
    return RemoteBackend(RemoteEndpoints(url, graph_store_url=url, timeout_s=timeout_s))


def app_over(url: str) -> TestClient:
    settings = Settings(root_dir=REPO, store="remote", query_url=url, remote_timeout_s=0.5)
    return TestClient(make_app(settings))


def test_unreachable_store_is_502() -> None:
    dead = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(StoreUnavailable, match="cannot reach the remote store"):
        backend(dead).ask(QueryRequest(ASK))
    with app_over(dead) as client:
        answer = client.get("/sparql", params={"query": ASK})
    assert answer.status_code == 502
    assert "StoreUnavailable" in answer.text


def test_silent_store_is_504_at_the_deadline(silent_url: str) -> None:
    started = time.monotonic()
    with pytest.raises(RemoteTimeout, match=r"did not answer within 0\.5 s"):
        backend(silent_url).select(QueryRequest("SELECT * { ?s ?p ?o }"))
    assert time.monotonic() - started < 3
    with app_over(silent_url) as client:
        answer = client.get("/sparql", params={"query": ASK})
    assert answer.status_code == 504
    assert time.monotonic() - started < 6


def test_graph_store_timeout_is_504(silent_url: str) -> None:
    store = GraphStore(make_client(RemoteEndpoints(silent_url, timeout_s=0.5)), silent_url)
    with pytest.raises(RemoteTimeout):
        store.put("https://w3id.org/migkg/graph/x", b"")


def test_store_error_is_502_with_its_message(broken_url: str) -> None:
    with pytest.raises(StoreUnavailable, match="answered 500: Virtuoso 42000 Error SR483"):
        backend(broken_url).ask(QueryRequest(ASK))
    with app_over(broken_url) as client:
        answer = client.post("/sparql", data={"query": ASK})
    assert answer.status_code == 502
    assert "out of memory" in answer.text


@pytest.mark.server
def test_syntax_error_is_400_with_the_store_message(oxigraph_server: RemoteServer) -> None:
    with pytest.raises(QuerySyntaxError, match="rejected the query"):
        RemoteBackend(oxigraph_server.endpoints).select(QueryRequest("SELECT * WHERE { ?s ?p "))


def test_updates_need_an_update_url() -> None:
    with pytest.raises(QueryRefused, match="no update URL"):
        backend("http://127.0.0.1:9/sparql").update(UpdateRequest("DROP ALL"))


def test_service_is_refused_before_reaching_the_store() -> None:
    query = "SELECT * { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }"
    with pytest.raises(QueryRefused, match="SERVICE"):
        backend("http://127.0.0.1:9/sparql").select(QueryRequest(query))


def test_an_update_sent_as_a_query_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="not a SPARQL query"):
        backend("http://127.0.0.1:9/sparql").select(QueryRequest("DROP ALL"))
