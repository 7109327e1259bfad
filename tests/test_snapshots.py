"""The worker pool's isolation: an update neither stops nor waits for a running query (snapshot
reads), clients without a record of quick queries cannot take the reserved workers, and a new
client's long query is not refused for want of the slow lane's places the runaway queries hold.

A query is held open deterministically: it calls (SERVICE) a local endpoint that does not answer
until the test lets it. While it is held, an update is applied; the update returns, the held query
then answers from the snapshot it started on, and a query sent after the update sees the change.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from migkg.formats import rdf_format, results_format
from migkg.stores.admission import AdmissionPolicy, Ledger, Ticket, current, fingerprint
from migkg.stores.base import QueryRequest, UpdateRequest
from migkg.stores.limits import QueryPolicy
from migkg.stores.pooled import PooledOxigraphBackend

JSON, TTL = results_format("json"), rdf_format("ttl")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://ex/g> { ?s ?p ?o } }"


class HeldEndpoint:
    """A SPARQL endpoint on loopback whose answers wait for :meth:`let_go`."""

    def __init__(self) -> None:
        self.called = threading.Event()
        self.released = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                held.called.set()
                held.released.wait(60)
                body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
                    {"x": {"type": "literal", "value": "remote"}}]}}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/sparql-results+json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self._answer()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def let_go(self) -> None:
        self.released.set()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def held() -> Iterator[HeldEndpoint]:
    endpoint = HeldEndpoint()
    yield endpoint
    endpoint.close()


def make_backend(tmp_path: Path, held: HeldEndpoint,
                 admission: AdmissionPolicy | None = None) -> PooledOxigraphBackend:
    path = tmp_path / "store"
    store = ox.Store(str(path))
    g = ox.NamedNode("http://ex/g")
    store.bulk_extend(ox.Quad(ox.NamedNode(f"http://ex/s{i}"), ox.NamedNode("http://ex/p"),
                              ox.Literal(str(i)), g) for i in range(10))
    store.flush()
    del store
    policy = QueryPolicy(timeout_s=60, service_allowlist=(held.url,))
    return PooledOxigraphBackend(path, policy, workers=2, admission=admission)


@pytest.fixture
def backend(tmp_path: Path, held: HeldEndpoint) -> Iterator[PooledOxigraphBackend]:
    pooled = make_backend(tmp_path, held)
    yield pooled
    pooled.close()


def held_query(url: str) -> str:
    return (f"SELECT ?n ?x WHERE {{ {{ {COUNT} }} SERVICE <{url}> {{ ?x ?y ?z }} }}")


def count(backend: PooledOxigraphBackend) -> int:
    rows = backend.select(QueryRequest(COUNT))
    return int(rows[0]["n"])


def insert(n: int) -> UpdateRequest:
    return UpdateRequest(f"INSERT DATA {{ GRAPH <http://ex/g> {{ <http://ex/new{n}> <http://ex/p> 'n' }} }}")


@pytest.mark.parametrize("lane", ["fast", "slow"])
def test_an_update_neither_stops_nor_waits_for_a_running_query(
        backend: PooledOxigraphBackend, held: HeldEndpoint, lane: str) -> None:
    """The held query (in the fast pool, or in the slow lane as a suspect client's) answers from
    the snapshot it started on; the update returns while it is held; later queries see the update."""
    answers: list[bytes] = []
    failures: list[BaseException] = []

    async def in_slow_lane() -> bytes:
        ledger = Ledger(AdmissionPolicy())
        ledger.mark_suspect("suspect")  # its queries not known to be quick start in the slow lane
        current.set(Ticket("suspect", ledger))
        result = await backend.aexecute(QueryRequest(held_query(held.url)), results_format=JSON,
                                        rdf_format=TTL)
        return result.body

    def run() -> None:
        try:
            if lane == "slow":
                answers.append(asyncio.run(in_slow_lane()))
            else:
                answers.append(backend.execute(QueryRequest(held_query(held.url)),
                                               results_format=JSON, rdf_format=TTL).body)
        except BaseException as err:
            failures.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    assert held.called.wait(30), "the held query never reached the endpoint"
    if lane == "slow":
        for _ in range(100):
            if backend.pool.slow_pids():
                break
            time.sleep(0.05)
        assert backend.pool.slow_pids(), "the suspect client's query is not in the slow lane"
    backend.update(insert(1))  # returns although the held query still runs
    assert thread.is_alive()
    assert not answers
    assert not failures
    assert count(backend) == 11  # a query sent after the update sees it
    held.let_go()
    thread.join(60)
    assert not failures, failures
    rows = json.loads(answers[0])["results"]["bindings"]
    assert [(r["n"]["value"], r["x"]["value"]) for r in rows] == [("10", "remote")]
    assert count(backend) == 11


def test_snapshots_no_reader_uses_are_deleted(backend: PooledOxigraphBackend) -> None:
    """Each update takes a snapshot; those no worker reads any more go, all go at close."""
    root = backend.snapshots.root
    for n in range(4):
        backend.update(insert(n))
        assert count(backend) == 11 + n
    backend.update(insert(9))  # by now every worker has moved to a later snapshot
    names = sorted(p.name for p in root.iterdir())
    assert len(names) <= 2, names
    assert f"gen-{backend.snapshots.generation}" in names, names
    reopened = ox.Store(str(backend.store_dir))  # nobody holds the store: a writer may open it
    assert len(reopened) == 15
    del reopened
    backend.close()
    assert not root.exists()


def test_untrusted_clients_cannot_take_the_reserved_workers(tmp_path: Path,
                                                            held: HeldEndpoint) -> None:
    """Two workers, one reserved: a new client's held query takes the other; a second new client
    then waits, while a client with quick queries to its name is served at once."""
    # slow_after_s past the deadline: the held query never moves to the slow lane
    backend = make_backend(tmp_path, held, AdmissionPolicy(reserved_workers=1, slow_after_s=120))
    ledger = Ledger(AdmissionPolicy())
    ledger.note_quick("known")
    results: dict[str, bytes] = {}

    def send(client: str, query: str) -> None:
        token = current.set(Ticket(client, ledger))  # reset: the main thread's context is shared
        try:
            results[client] = backend.execute(QueryRequest(query), results_format=JSON,
                                              rdf_format=TTL).body
        finally:
            current.reset(token)

    try:
        assert backend.pool.untrusted_cap == 1
        first = threading.Thread(target=send, args=("new-1", held_query(held.url)))
        first.start()
        assert held.called.wait(30)
        second = threading.Thread(target=send, args=("new-2", COUNT))
        second.start()
        for _ in range(200):  # until the second new client is queued
            if backend.pool.waiting() == (0, 1):
                break
            time.sleep(0.05)
        assert backend.pool.waiting() == (0, 1)
        assert len(backend.pool.pids()) == 1  # an idle worker it may not have
        send("known", COUNT)  # the reserved worker serves a known client at once
        assert b'"10"' in results["known"]
        assert "new-2" not in results
        held.let_go()
        first.join(60)
        second.join(60)
        assert b'"10"' in results["new-2"]
        assert b"remote" in results["new-1"]
    finally:
        held.let_go()
        backend.close()


def test_a_new_clients_long_query_gets_an_overflow_place_and_is_no_mark_against_it(
        tmp_path: Path, held: HeldEndpoint) -> None:
    """The slow lane's one place is held by a runaway query; a new client's query that runs long
    (held, past twice slow_after_s) moves to an overflow place and answers. Afterwards the client is
    not suspect, its cheap query starts in the fast pool, and the long text's next run starts in
    the slow lane (for any client)."""
    policy = AdmissionPolicy(slow_lane=1, overflow=1, slow_after_s=0.2)
    backend = make_backend(tmp_path, held, policy)
    ledger = Ledger(policy)
    runaway = fingerprint("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    ledger.note_stopped("runaway", runaway)
    ledger.enter_slow("runaway", "held by the test", runaway)  # the lane's one place is taken
    long_text = held_query(held.url)
    results: dict[str, bytes] = {}
    failures: list[BaseException] = []

    def send(client: str, query: str) -> None:
        token = current.set(Ticket(client, ledger))  # reset: the main thread's context is shared
        try:
            results[client] = backend.execute(QueryRequest(query), results_format=JSON,
                                              rdf_format=TTL).body
        except BaseException as err:
            failures.append(err)
        finally:
            current.reset(token)

    try:
        thread = threading.Thread(target=send, args=("writer", long_text))
        thread.start()
        assert held.called.wait(30)
        for _ in range(200):  # until it has moved to the slow lane
            if backend.pool.slow_pids():
                break
            time.sleep(0.05)
        assert backend.pool.slow_pids(), failures
        assert ledger.slow_running == 2  # the runaway's place and the overflow place
        held.let_go()
        thread.join(60)
        assert not failures, failures
        assert b"remote" in results["writer"]
        assert not ledger.is_suspect("writer")
        assert ledger.starts_slow("writer", fingerprint(COUNT)) is None
        assert "ran long" in (ledger.starts_slow("someone", fingerprint(long_text)) or "")
        send("writer", COUNT)
        assert b'"10"' in results["writer"]
    finally:
        held.let_go()
        backend.close()
