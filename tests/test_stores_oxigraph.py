"""The embedded stores: SPARQL text checks, capped results, the worker pool and the pooled backend."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from migkg.formats import rdf_format, results_format
from migkg.stores.base import (
    InvalidRequest,
    QueryRefused,
    QueryRequest,
    QueryTimeout,
    ResultTooLarge,
    UpdateRequest,
)
from migkg.stores.limits import QueryPolicy, count_rows
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.pooled import PooledOxigraphBackend
from migkg.stores.sparql_text import add_using, has_update_dataset, refused_remote, remote_refs

JSON, TTL = results_format("json"), rdf_format("ttl")
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"  # 1500^3 rows: minutes
LOOKUP = "SELECT ?o { <http://ex/s7> <http://ex/p> ?o }"


def quads(n: int) -> Iterator[ox.Quad]:
    g = ox.NamedNode("http://ex/g")
    for i in range(n):
        yield ox.Quad(ox.NamedNode(f"http://ex/s{i}"), ox.NamedNode("http://ex/p"), ox.Literal(str(i)), g)


# --- SPARQL text ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "endpoints"), [
    ("SELECT * { SERVICE <http://a/> { ?s ?p ?o } }", ["http://a/"]),
    ("select * { service silent <http://a/> {} }", ["http://a/"]),
    ("SELECT * {SERVICE<http://a/>{}}", ["http://a/"]),
    ("PREFIX e: <http://e/> SELECT * { SERVICE e:q {} }", ["http://e/q"]),
    ("BASE <http://b/> SELECT * { SERVICE <sparql> {} }", ["http://b/sparql"]),
    ("SELECT * { SERVICE ?x {} }", [None]),
    ("SELECT * { ?s ?p 'SERVICE <http://a/>' }", []),
    ('SELECT * { ?s ?p """x\n SERVICE <http://a/> {} """ }', []),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://a/> {}", []),
    ("SELECT * { ?s <http://x/SERVICE> ?o . ?s ex:service ?service }", []),
    ("SELECT * { FILTER(?a<?b) SERVICE <http://a/> {} }", ["http://a/"]),
    ("LOAD <http://data/x.ttl> INTO GRAPH <http://g>", ["http://data/x.ttl"]),
])
def test_remote_refs(text: str, endpoints: list[str | None]) -> None:
    assert [r.endpoint for r in remote_refs(text)] == endpoints


@pytest.mark.parametrize(("allow", "refused"), [
    ([], True), (["http://other/"], True), (["http://a/"], False), (["*"], False),
])
def test_service_allowlist(allow: list[str], refused: bool) -> None:
    assert (refused_remote("SELECT * { SERVICE <http://a/> {} }", allow) is not None) is refused


def test_service_variable_needs_any() -> None:
    assert refused_remote("SELECT * { SERVICE ?e {} }", ["http://a/"]) is not None
    assert refused_remote("SELECT * { SERVICE ?e {} }", ["*"]) is None


def test_update_dataset_and_using() -> None:
    assert has_update_dataset("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }")
    assert not has_update_dataset("INSERT DATA { <http://s> <http://p> 'USING WITH' }")
    text = "DELETE WHERE { ?a ?b ?c } ; INSERT { ?s a <T> } WHERE { { ?s a <U> } UNION { ?s a <V> } }"
    assert add_using(text, ["http://g"], ["http://n"]) == (
        "DELETE WHERE { ?a ?b ?c } ; INSERT { ?s a <T> } USING <http://g> USING NAMED <http://n> "
        "WHERE { { ?s a <U> } UNION { ?s a <V> } }")


# --- caps -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def memory() -> OxigraphBackend:
    store = ox.Store()
    store.bulk_extend(quads(50))
    return OxigraphBackend(store, QueryPolicy(max_rows=10, max_bytes=2000))


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_row_cap(memory: OxigraphBackend, fmt: str) -> None:
    ok = memory.execute(QueryRequest("SELECT ?s { ?s ?p ?o } LIMIT 10"), results_format=results_format(fmt),
                        rdf_format=TTL)
    assert count_rows(ok.body, fmt) == 10
    with pytest.raises(ResultTooLarge, match="more than 10 rows"):
        memory.execute(QueryRequest("SELECT ?s { ?s ?p ?o } LIMIT 11"), results_format=results_format(fmt),
                       rdf_format=TTL)


def test_triple_cap(memory: OxigraphBackend) -> None:
    with pytest.raises(ResultTooLarge, match="rows"):
        memory.execute(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }"), results_format=JSON, rdf_format=TTL)


def test_byte_cap(memory: OxigraphBackend) -> None:
    long = f"SELECT ?s (CONCAT({', '.join(['STR(?s)'] * 20)}) AS ?x) {{ ?s ?p ?o }} LIMIT 10"
    with pytest.raises(ResultTooLarge, match="2000 bytes"):
        memory.execute(QueryRequest(long), results_format=JSON, rdf_format=TTL)


def test_in_process_backend_refuses_service(memory: OxigraphBackend) -> None:
    with pytest.raises(QueryRefused):
        memory.execute(QueryRequest("SELECT * { SERVICE <http://127.0.0.1:9/> {} }"),
                       results_format=JSON, rdf_format=TTL)


# --- the worker pool ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PooledOxigraphBackend]:
    path = tmp_path_factory.mktemp("pooled") / "store"
    store = ox.Store(str(path))
    store.bulk_extend(quads(1500))
    store.flush()
    del store
    backend = PooledOxigraphBackend(path, QueryPolicy(timeout_s=5.0, max_rows=100_000), workers=2)
    yield backend
    backend.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        status = Path(f"/proc/{pid}/status").read_text()
    except (ProcessLookupError, FileNotFoundError):  # gone, possibly between the two calls
        return False
    return status.find("zombie") < 0


def test_pooled_sync_and_library_reads(pooled: PooledOxigraphBackend) -> None:
    result = pooled.execute(QueryRequest(LOOKUP), results_format=JSON, rdf_format=TTL)
    assert b'"value":"7"' in result.body
    assert [str(r["o"]) for r in pooled.select(QueryRequest(LOOKUP))] == ["7"]
    assert [str(r["o"]) for r in pooled.select(QueryRequest(LOOKUP), timeout_s=5)] == ["7"]
    assert pooled.ask(QueryRequest("ASK { ?s ?p ?o }"))
    assert [g.triples for g in pooled.graphs()] == [1500]


def test_timeout_kills_the_worker_while_lookups_go_on(pooled: PooledOxigraphBackend) -> None:
    before = set(pooled.pool.pids())

    async def scenario() -> int:
        heavy = asyncio.ensure_future(pooled.aexecute(QueryRequest(HEAVY), results_format=JSON,
                                                      rdf_format=TTL, timeout_s=1.0))
        await asyncio.sleep(0.1)
        done = 0
        while not heavy.done():
            result = await pooled.aexecute(QueryRequest(LOOKUP), results_format=JSON, rdf_format=TTL)
            assert b'"7"' in result.body
            done += 1
        with pytest.raises(QueryTimeout, match="stopped"):
            await heavy
        return done

    lookups = asyncio.run(scenario())
    assert lookups > 10  # the other worker kept answering while the heavy query ran
    after = set(pooled.pool.pids())
    gone = before - after
    assert len(gone) == 1
    pid = gone.pop()
    for _ in range(100):  # SIGKILL is sent at once; on a loaded machine the exit may lag
        if not alive(pid):
            break
        time.sleep(0.1)
    assert not alive(pid)  # the heavy query's process was killed...
    assert len(after) == 2  # ...and replaced


def test_sync_timeout(pooled: PooledOxigraphBackend) -> None:
    with pytest.raises(QueryTimeout):
        pooled.execute(QueryRequest(HEAVY), results_format=JSON, rdf_format=TTL, timeout_s=0.5)
    assert len(pooled.pool.pids()) == 2


def test_library_reads_have_the_policy_deadline_too(pooled: PooledOxigraphBackend) -> None:
    # Pages and the explorer call select/ask/construct without a timeout: the policy's applies,
    # and a runaway read is stopped in its worker like an endpoint query.
    heavy_ask = "ASK { { " + HEAVY + " } FILTER(?n < 0) }"
    heavy_graph = "CONSTRUCT { <http://ex/count> <http://ex/is> ?n } WHERE { { " + HEAVY + " } }"
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        pooled.select(QueryRequest(HEAVY), timeout_s=0.5)
    with pytest.raises(QueryTimeout):
        pooled.ask(QueryRequest(heavy_ask), timeout_s=0.5)
    with pytest.raises(QueryTimeout):
        pooled.construct(QueryRequest(heavy_graph), timeout_s=0.5)
    assert time.monotonic() - started < 10
    assert len(pooled.pool.pids()) == 2
    graph = pooled.construct(QueryRequest("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o = '7') }"))
    assert len(graph) == 1


def test_pooled_update_is_seen_by_every_worker(pooled: PooledOxigraphBackend) -> None:
    pooled.update(UpdateRequest("INSERT DATA { GRAPH <http://ex/new> { <http://ex/s7> <http://ex/p> 'x' } }"))
    for _ in range(4):  # both workers answer in turn
        body = pooled.execute(QueryRequest(LOOKUP), results_format=JSON, rdf_format=TTL).body
        assert b'"x"' in body
    assert {g.iri for g in pooled.graphs()} == {"http://ex/g", "http://ex/new"}
    with pytest.raises(InvalidRequest):
        pooled.update(UpdateRequest("CLEAR GRAPH <http://ex/never>"))
    pooled.update(UpdateRequest("DROP GRAPH <http://ex/new>"))
    assert [g.iri for g in pooled.graphs()] == ["http://ex/g"]
