"""``migkg push`` against real servers: idempotent, both methods, and failures that name the graph.

A failure mid-push is made three ways: the Oxigraph server killed (SIGKILL) after two graphs, a Graph
Store endpoint that answers 500 to the third PUT, and a connection that drops in the middle of a
SPARQL Update batch. Each time the error names the failing graph and every other graph is intact.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from remote_servers import RemoteServer, free_port, start_oxigraph
from typer.testing import CliRunner

from migkg.cli import app
from migkg.formats import rdf_format
from migkg.publish.push import GspWriter, PushedGraph, PushError, push_dataset, verify
from migkg.publish.push_update import STAGING_PREFIX, UpdateWriter
from migkg.stores.graph_store import GraphStore
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.remote import RemoteBackend
from migkg.stores.terms import to_rdflib

REPO = Path(__file__).resolve().parents[1]
OTHER = "http://example.org/not-migkg"
OTHER_NT = b'<http://example.org/s> <http://example.org/p> "kept" .\n'

pytestmark = pytest.mark.server


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
    backend = RemoteBackend(remote_server.endpoints, graph_prefix="https://w3id.org/migkg/")
    yield backend
    backend.close()


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_push_twice_leaves_the_same_data(
    method: str, remote: RemoteBackend, repo_backend: OxigraphBackend
) -> None:
    assert remote.graph_store is not None
    assert remote.endpoints.update_url is not None
    writer = GspWriter(remote.graph_store) if method == "gsp" else \
        UpdateWriter(remote.client, remote.endpoints.update_url, batch_size=100)
    push_dataset(repo_backend, writer)
    first = remote.graphs()
    summary = push_dataset(repo_backend, writer)
    assert remote.graphs() == first == repo_backend.graphs()
    assert summary.triples == sum(g.triples for g in repo_backend.graphs())
    assert verify(repo_backend, remote) == []
    assert_same_as_source(remote, repo_backend, [g.iri for g in first])
    assert not any(g.iri.startswith(STAGING_PREFIX) for g in RemoteBackend(remote.endpoints).graphs())


def test_server_killed_mid_push(tmp_path: Path, repo_backend: OxigraphBackend) -> None:
    """SIGKILL after two graphs: the error names the third; the rest is as before the push."""
    location = tmp_path / "store"
    server = start_oxigraph(location)
    remote = RemoteBackend(server.endpoints)
    assert remote.graph_store is not None
    iris = [g.iri for g in repo_backend.graphs()]
    try:
        push_dataset(repo_backend, GspWriter(remote.graph_store))
        remote.graph_store.put(OTHER, OTHER_NT)
        remote.graph_store.put(iris[3], OTHER_NT)  # marks a graph after the failure point

        def kill_after_two(index: int, total: int, graph: PushedGraph) -> None:
            if index == 2:
                server.stop(signal.SIGKILL)

        with pytest.raises(PushError) as failure:
            push_dataset(repo_backend, GspWriter(remote.graph_store), progress=kill_after_two)
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
        assert_same_as_source(after, repo_backend, iris[:3] + iris[4:])
        assert isomorphic(nt_graph(after.graph_ntriples(iris[3])), nt_graph(OTHER_NT))  # untouched
        assert isomorphic(nt_graph(after.graph_ntriples(OTHER)), nt_graph(OTHER_NT))
    finally:
        after.close()
        restarted.stop()


def test_graph_store_failing_on_third_graph_names_it(repo_backend: OxigraphBackend) -> None:
    puts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        puts.append(request.url.params["graph"])
        if len(puts) == 3:
            return httpx.Response(500, text="Virtuoso 42000 Error: disk full")
        return httpx.Response(201)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(PushError) as failure:
        push_dataset(repo_backend, GspWriter(GraphStore(client, "http://store.invalid/gsp")))
    iris = [g.iri for g in repo_backend.graphs()]
    assert failure.value.graph == iris[2]
    assert puts == iris[:3]
    assert "answered 500" in str(failure.value)
    assert "disk full" in str(failure.value)


class DropAt(httpx.HTTPTransport):
    """A real transport whose ``fail_at``-th request fails as a dropped connection."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self.fail_at = fail_at
        self.count = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        if self.count == self.fail_at:
            raise httpx.RemoteProtocolError("connection dropped (injected)", request=request)
        return super().handle_request(request)


def test_update_push_failing_mid_graph_keeps_that_graph(
    oxigraph_server: RemoteServer, repo_backend: OxigraphBackend
) -> None:
    """A batch fails: the graph being written keeps its old content, no staging graph is left."""
    remote = RemoteBackend(oxigraph_server.endpoints)
    assert remote.endpoints.update_url is not None
    iris = [g.iri for g in repo_backend.graphs()]
    biggest = max(repo_backend.graphs(), key=lambda g: g.triples).iri
    try:
        push_dataset(repo_backend, GspWriter(remote.graph_store))  # type: ignore[arg-type]
        remote.graph_store.put(biggest, OTHER_NT)  # type: ignore[union-attr]
        requests_before = sum(3 + (g.triples // 40) for g in repo_backend.graphs() if g.iri < biggest)
        client = httpx.Client(transport=DropAt(requests_before + 2))  # the first batch of `biggest`
        with pytest.raises(PushError) as failure:
            push_dataset(repo_backend, UpdateWriter(client, remote.endpoints.update_url, batch_size=40))
        assert failure.value.graph == biggest
        assert isomorphic(nt_graph(remote.graph_ntriples(biggest)), nt_graph(OTHER_NT))
        assert_same_as_source(remote, repo_backend, [iri for iri in iris if iri != biggest])
        assert not any(g.iri.startswith(STAGING_PREFIX) for g in remote.graphs())
    finally:
        remote.close()


# --- the command -----------------------------------------------------------------------------------


runner = CliRunner()


def test_push_command(remote_server: RemoteServer) -> None:
    ep = remote_server.endpoints
    args = ["--root", str(REPO), "push", "--query-url", ep.query_url, "--graph-store-url",
            str(ep.graph_store_url)]
    env = {"MIGKG_REMOTE_USER": ep.user, "MIGKG_REMOTE_PASSWORD": str(ep.password)} if ep.user else {}
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "by graph-store-protocol" in result.output


def test_push_to_a_dead_store_names_the_first_graph(repo_backend: OxigraphBackend) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["--root", str(REPO), "push", "--query-url", f"{dead}/query",
                                 "--graph-store-url", f"{dead}/store"])
    assert result.exit_code == 1
    assert f"pushing graph <{repo_backend.graphs()[0].iri}> failed" in result.output
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
