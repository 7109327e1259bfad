"""``migkg push`` against real servers: idempotent, both methods, and failures that name the graph.

The protocol behaviour is tested on a small dataset (the linked-data fixture project's nine graphs,
renamed under ``PUSH_GRAPHS``, plus a graph of literals that need escaping): blank nodes, batches,
staging graphs and failures do not depend on the size of the data. The bundled dataset is pushed end
to end once per server by the command (``test_push_command``), and the session's remote-store tests
(tests/test_remote_store.py) read every graph of it back.

A failure mid-push is made three ways: the Oxigraph server killed (SIGKILL) after two graphs, a Graph
Store endpoint that answers 500 to the third PUT, and a connection that drops in the middle of a
SPARQL Update batch. Each time the error names the failing graph and every other graph is intact.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from remote_servers import RemoteServer, free_port, start_oxigraph
from typer.testing import CliRunner

from migkg.cli import app
from migkg.formats import rdf_format
from migkg.publish.push import GspWriter, PushedGraph, PushError, push_dataset, source_triples, verify
from migkg.publish.push_update import STAGING_PREFIX, UpdateWriter, staging_graph
from migkg.stores.graph_store import GraphStore
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.remote import RemoteBackend
from migkg.stores.terms import to_rdflib

REPO = Path(__file__).resolve().parents[1]
OTHER = "http://example.org/not-migkg"
OTHER_NT = b'<http://example.org/s> <http://example.org/p> "kept" .\n'
#: The small dataset's graphs: under the migkg graph namespace, apart from the bundled dataset's graphs.
PUSH_GRAPHS = "https://w3id.org/migkg/graph/test/push/"
#: Literals a SPARQL Update text must escape, and terms the stores keep as they are.
ODD_LITERALS = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:odd ex:text "line one\\nline \\"two\\" \\\\ santé ✓ 中文"@fr ;
  ex:long "LONG" ;
  ex:date "2018-12-10"^^xsd:date ;
  ex:year "1990"^^xsd:gYear ;
  ex:nested [ ex:label "a blank node"@en ; ex:next [ ex:label "its child"@en ] ] .
""".replace("LONG", "x" * 5000)

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def source(ld_backend: OxigraphBackend) -> Iterator[OxigraphBackend]:
    """The small dataset: every graph of the linked-data fixture project renamed under PUSH_GRAPHS,
    and a graph of ODD_LITERALS (ten graphs, about 700 triples, blank nodes in three)."""
    store = ox.Store()
    for info in ld_backend.graphs():
        target = ox.NamedNode(PUSH_GRAPHS + info.iri.rsplit("/graph/", 1)[1])
        store.extend(ox.Quad(q.subject, q.predicate, q.object, target)
                     for q in ld_backend.store.quads_for_pattern(None, None, None, ox.NamedNode(info.iri)))
    store.load(ODD_LITERALS.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(PUSH_GRAPHS + "odd"))
    backend = OxigraphBackend(store)
    yield backend
    backend.close()


def drop_pushed(server: RemoteServer) -> None:
    """Remove the small dataset's graphs from ``server`` (the bundled dataset's graphs stay)."""
    remote = RemoteBackend(server.endpoints, graph_prefix=PUSH_GRAPHS)
    try:
        for info in remote.graphs():
            remote.graph_store.delete(info.iri)  # type: ignore[union-attr]
    finally:
        remote.close()


def nt_graph(data: bytes) -> Graph:
    """N-Triples parsed by pyoxigraph into an rdflib graph (rdflib's own parser is 10x slower)."""
    graph = Graph()
    for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def assert_same_as_source(remote: RemoteBackend, source: OxigraphBackend, iris: list[str]) -> None:
    for iri in iris:
        there = nt_graph(remote.graph_ntriples(iri))
        here = nt_graph(source.dump(rdf_format("nt"), [iri]))
        assert isomorphic(there, here), f"<{iri}> differs from its source"


@pytest.fixture
def remote(remote_server: RemoteServer) -> Iterator[RemoteBackend]:
    """The session's server, seen through the small dataset's graphs; they are removed afterwards."""
    backend = RemoteBackend(remote_server.endpoints, graph_prefix=PUSH_GRAPHS)
    yield backend
    backend.close()
    drop_pushed(remote_server)


def test_the_small_dataset_has_what_a_push_must_handle(source: OxigraphBackend) -> None:
    graphs = source.graphs()
    assert len(graphs) >= 6  # a failure after two graphs leaves graphs before and after it
    blank = [g.iri for g in graphs if any(isinstance(t.subject, ox.BlankNode) for t in
                                         source_triples(source, g.iri))]
    assert len(blank) >= 2
    assert max(g.triples for g in graphs) > 10 * BATCH  # many batches in one graph


BATCH = 20  # triples per SPARQL Update request in these tests (the command's default is 500)


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_push_twice_leaves_the_same_data(method: str, remote: RemoteBackend, source: OxigraphBackend) -> None:
    assert remote.graph_store is not None
    assert remote.endpoints.update_url is not None
    writer = GspWriter(remote.graph_store) if method == "gsp" else \
        UpdateWriter(remote.client, remote.endpoints.update_url, batch_size=BATCH)
    push_dataset(source, writer)
    first = remote.graphs()
    summary = push_dataset(source, writer)
    assert remote.graphs() == first == source.graphs()
    assert summary.triples == sum(g.triples for g in source.graphs())
    assert verify(source, remote) == []
    assert_same_as_source(remote, source, [g.iri for g in first])
    assert not any(g.iri.startswith(STAGING_PREFIX) for g in RemoteBackend(remote.endpoints).graphs())


def test_server_killed_mid_push(tmp_path: Path, source: OxigraphBackend) -> None:
    """SIGKILL after two graphs: the error names the third; the rest is as before the push."""
    location = tmp_path / "store"
    server = start_oxigraph(location)
    remote = RemoteBackend(server.endpoints)
    assert remote.graph_store is not None
    iris = [g.iri for g in source.graphs()]
    try:
        push_dataset(source, GspWriter(remote.graph_store))
        remote.graph_store.put(OTHER, OTHER_NT)
        remote.graph_store.put(iris[3], OTHER_NT)  # marks a graph after the failure point

        def kill_after_two(index: int, total: int, graph: PushedGraph) -> None:
            if index == 2:
                server.stop(signal.SIGKILL)

        with pytest.raises(PushError) as failure:
            push_dataset(source, GspWriter(remote.graph_store), progress=kill_after_two)
    finally:
        server.stop()
        remote.close()
    assert failure.value.graph == iris[2]
    assert failure.value.pushed == tuple(iris[:2])
    assert f"<{iris[2]}>" in str(failure.value)
    assert "cannot reach the remote store" in str(failure.value)

    restarted = start_oxigraph(location, free_port())
    after = RemoteBackend(restarted.endpoints)
    try:
        assert_same_as_source(after, source, iris[:3] + iris[4:])
        assert isomorphic(nt_graph(after.graph_ntriples(iris[3])), nt_graph(OTHER_NT))  # untouched
        assert isomorphic(nt_graph(after.graph_ntriples(OTHER)), nt_graph(OTHER_NT))
    finally:
        after.close()
        restarted.stop()


def test_graph_store_failing_on_third_graph_names_it(source: OxigraphBackend) -> None:
    puts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        puts.append(request.url.params["graph"])
        if len(puts) == 3:
            return httpx.Response(500, text="Virtuoso 42000 Error: disk full")
        return httpx.Response(201)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(PushError) as failure:
        push_dataset(source, GspWriter(GraphStore(client, "http://store.invalid/gsp")))
    iris = [g.iri for g in source.graphs()]
    assert failure.value.graph == iris[2]
    assert puts == iris[:3]
    assert "answered 500" in str(failure.value)
    assert "disk full" in str(failure.value)


class DropAt(httpx.HTTPTransport):
    """A real transport that fails, as a dropped connection, the ``nth`` SPARQL Update INSERT into
    the staging graph of ``graph``."""

    def __init__(self, graph: str, nth: int) -> None:
        super().__init__()
        self.staging = f"<{staging_graph(graph)}>"
        self.nth = nth
        self.inserts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        update = parse_qs(request.content.decode())["update"][0]
        if update.startswith("INSERT") and self.staging in update:
            self.inserts += 1
            if self.inserts == self.nth:
                raise httpx.RemoteProtocolError("connection dropped (injected)", request=request)
        return super().handle_request(request)


def test_update_push_failing_mid_graph_keeps_that_graph(
    oxigraph_server: RemoteServer, source: OxigraphBackend
) -> None:
    """A batch fails: the graph being written keeps its old content, no staging graph is left."""
    remote = RemoteBackend(oxigraph_server.endpoints, graph_prefix=PUSH_GRAPHS)
    assert remote.endpoints.update_url is not None
    iris = [g.iri for g in source.graphs()]
    biggest = max(source.graphs(), key=lambda g: g.triples).iri
    assert biggest != iris[-1], "a graph after the failing one is left as it was"
    try:
        push_dataset(source, GspWriter(remote.graph_store))  # type: ignore[arg-type]
        remote.graph_store.put(biggest, OTHER_NT)  # type: ignore[union-attr]
        transport = DropAt(biggest, nth=3)  # two batches of `biggest` are in its staging graph by then
        client = httpx.Client(transport=transport)
        with pytest.raises(PushError) as failure:
            push_dataset(source, UpdateWriter(client, remote.endpoints.update_url, batch_size=BATCH))
        assert transport.inserts == 3
        assert failure.value.graph == biggest
        assert isomorphic(nt_graph(remote.graph_ntriples(biggest)), nt_graph(OTHER_NT))
        assert_same_as_source(remote, source, [iri for iri in iris if iri != biggest])
        assert not any(g.iri.startswith(STAGING_PREFIX) for g in RemoteBackend(remote.endpoints).graphs())
    finally:
        remote.close()
        drop_pushed(oxigraph_server)


# --- the command -----------------------------------------------------------------------------------


runner = CliRunner()


def test_push_command(remote_server: RemoteServer, repo_backend: OxigraphBackend) -> None:
    """The bundled dataset end to end: built by the command and pushed by GSP, every graph's triple
    count checked by the command (it exits 1 when one differs)."""
    ep = remote_server.endpoints
    args = ["--root", str(REPO), "push", "--query-url", ep.query_url, "--graph-store-url",
            str(ep.graph_store_url)]
    env = {"MIGKG_REMOTE_USER": ep.user, "MIGKG_REMOTE_PASSWORD": str(ep.password)} if ep.user else {}
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "by graph-store-protocol" in result.output
    graphs = repo_backend.graphs()
    assert f"pushed {len(graphs)} graphs, {sum(g.triples for g in graphs)} triples" in result.output


def test_push_to_a_dead_store_names_the_first_graph(ld_root: Path, ld_backend: OxigraphBackend) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["--root", str(ld_root), "push", "--query-url", f"{dead}/query",
                                 "--graph-store-url", f"{dead}/store"])
    assert result.exit_code == 1
    assert f"pushing graph <{ld_backend.graphs()[0].iri}> failed" in result.output
    assert "cannot reach the remote store" in result.output


def test_push_takes_no_credentials_on_the_command_line() -> None:
    result = runner.invoke(app, ["--root", str(REPO), "push", "--query-url", "http://127.0.0.1:9/q",
                                 "--graph-store-url", "http://127.0.0.1:9/g", "--password", "secret"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_push_needs_a_write_endpoint() -> None:
    result = runner.invoke(app, ["--root", str(REPO), "push", "--query-url", "http://127.0.0.1:9/q"])
    assert result.exit_code == 2
    assert "--graph-store-url or --update-url" in result.output


def test_push_from_a_missing_store_dir(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--root", str(REPO), "push", "--query-url", "http://127.0.0.1:9/q",
                                 "--update-url", "http://127.0.0.1:9/u", "--store-dir",
                                 str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no store at" in result.output
