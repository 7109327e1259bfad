"""Safety of the served endpoint: no outbound requests (SERVICE/LOAD), hard timeouts on a real server
while other queries go on, result caps, and serving from a disk store that is rebuilt when stale."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import REPO, live_server
from fastapi.testclient import TestClient

from migkg.build import ensure_store
from migkg.config import Settings
from migkg.stores.limits import QueryPolicy
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.pooled import PooledOxigraphBackend
from migkg.web.app import create_app
from migkg.web.server import make_app

Q = "application/sparql-query"
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
LOOKUP = "SELECT ?o { <http://ex/s7> <http://ex/p> ?o }"
EMPTY_RESULTS = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'


class Listener:
    """A loopback HTTP server that records every connection and answers an empty SPARQL result."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(EMPTY_RESULTS)
                                 + EMPTY_RESULTS)
                except OSError:
                    pass


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.sock.close()


def memory_client(tmp_path: Path, **settings: object) -> TestClient:
    config = Settings(root_dir=tmp_path, **settings)  # type: ignore[arg-type]
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex/s7"), ox.NamedNode("http://ex/p"), ox.Literal("7")))
    return TestClient(create_app(config, OxigraphBackend(store, QueryPolicy.from_settings(config))))


def service_queries(url: str) -> list[str]:
    return [
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <{url.rsplit('/', 1)[0]}/> SELECT * {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?s ?p ?o }} # comment\nSELECT * {{ SERVICE <{url}> {{}} }}",
    ]


def test_service_refused_and_nothing_fetched(tmp_path: Path, listener: Listener) -> None:
    with memory_client(tmp_path, update_token="t") as client:
        for query in service_queries(listener.url):
            r = client.post("/sparql", content=query, headers={"content-type": Q})
            assert r.status_code in (400, 403), query
        r = client.get("/sparql", params={"query": service_queries(listener.url)[0]})
        assert r.status_code == 403
        assert "SERVICE" in r.text
        assert "not allowed" in r.text
        r = client.post("/sparql", content=f"LOAD <{listener.url}>",
                        headers={"content-type": "application/sparql-update", "Authorization": "Bearer t"})
        assert r.status_code == 403
    time.sleep(0.2)
    assert listener.connections == 0


def test_allow_listed_service_is_called(tmp_path: Path, listener: Listener) -> None:
    """The listener does record connections: an allow-listed endpoint is really called."""
    with memory_client(tmp_path, service_allowlist=[listener.url]) as client:
        r = client.post("/sparql", content=service_queries(listener.url)[0], headers={"content-type": Q})
        assert r.status_code == 200, r.text
    assert listener.connections >= 1


def test_string_mentioning_service_is_fine(tmp_path: Path, listener: Listener) -> None:
    with memory_client(tmp_path) as client:
        query = f'SELECT * {{ ?s ?p "SERVICE <{listener.url}> {{}}" }}'
        assert client.post("/sparql", content=query, headers={"content-type": Q}).status_code == 200
    assert listener.connections == 0


@pytest.mark.parametrize(("settings", "query", "message"), [
    ({"max_result_rows": 2}, "SELECT * { VALUES ?x { 1 2 3 } }", "more than 2 rows"),
    ({"max_result_bytes": 100}, "SELECT * { VALUES ?x { 1 2 3 4 5 6 7 8 } }", "larger than 100 bytes"),
])
def test_result_caps_over_http(tmp_path: Path, settings: dict[str, int], query: str, message: str) -> None:
    with memory_client(tmp_path, **settings) as client:
        r = client.get("/sparql", params={"query": query})
        assert r.status_code == 507
        assert message in r.text


# --- a real server over a disk store: the timeout really stops the query --------------------------

@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("served") / "store"
    store = ox.Store(str(path))
    g = ox.NamedNode("http://ex/g")
    store.bulk_extend(ox.Quad(ox.NamedNode(f"http://ex/s{i}"), ox.NamedNode("http://ex/p"),
                              ox.Literal(str(i)), g) for i in range(1500))
    store.flush()
    del store
    return path


@pytest.mark.server
def test_timeout_stops_the_worker_on_a_live_server(tmp_path: Path, disk_store: Path,
                                                    listener: Listener) -> None:
    settings = Settings(root_dir=tmp_path, query_timeout_s=1.0, query_workers=2)
    backend = PooledOxigraphBackend(disk_store, QueryPolicy.from_settings(settings), 2)
    workers = set(backend.pool.pids())
    with live_server(create_app(settings, backend)) as base, ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        heavy = pool.submit(httpx.post, f"{base}/sparql", content=HEAVY,
                            headers={"content-type": Q}, timeout=30)
        lookups = 0
        with httpx.Client(base_url=base) as client:
            while not heavy.done():
                r = client.get("/sparql", params={"query": LOOKUP})
                assert r.status_code == 200
                lookups += 1
            # SERVICE is refused by the pooled backend too
            r = client.get("/sparql", params={"query": service_queries(listener.url)[0]})
            assert r.status_code == 403
        answer = heavy.result()
        elapsed = time.monotonic() - started
        replaced = workers - set(backend.pool.pids())
        # The slow lane moves the heavy query's worker out and spawns a fresh one in its place, and the
        # kill at the deadline spawns another: wait for the pool to be whole again.
        deadline = time.monotonic() + 10
        while len(backend.pool.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        idle = set(backend.pool.pids())
    assert answer.status_code == 503
    assert "stopped" in answer.text
    assert elapsed < 10  # the query would run for minutes
    assert lookups > 10
    assert replaced  # the heavy query's worker was taken out of the pool and killed ...
    assert len(idle) == 2  # ... and the pool was refilled ...
    assert not idle <= workers  # ... with fresh workers
    assert listener.connections == 0


def test_serve_builds_the_store_and_rebuilds_when_stale(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    shutil.copy(REPO / "ontology" / "migkg.ttl", root / "ontology" / "migkg.ttl")
    settings = Settings(root_dir=root, store_dir=tmp_path / "store", query_workers=1)
    ensure_store(settings)
    stamp = (tmp_path / "store.stamp.json").read_text()
    ensure_store(settings)  # up to date: untouched
    assert (tmp_path / "store.stamp.json").read_text() == stamp
    (root / "ontology" / "extra.ttl").write_text("<http://ex/a> <http://ex/b> <http://ex/c> .\n")
    app = make_app(settings)
    assert (tmp_path / "store.stamp.json").read_text() != stamp
    with TestClient(app) as client:
        r = client.get("/sparql", params={"query": "ASK { <http://ex/a> <http://ex/b> <http://ex/c> }"})
        assert r.json()["boolean"] is True
