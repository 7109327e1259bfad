"""The view cache: values follow the store generation; figures are served stale while recomputed.

Computations are held back with events, so "at once" and "one recomputation at a time" are asserted
by what was returned and how often the computation ran, never by timings.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

import migkg.web.resources
from migkg.config import Settings
from migkg.stores.oxigraph import OxigraphBackend
from migkg.views.cache import ViewCache
from migkg.views.home import HomeFigures
from migkg.web.app import create_app

REPO = Path(__file__).resolve().parents[1]
TOKEN = "view-cache-test-token"


class Gate:
    """A computation that counts its calls and, once closed, waits until opened."""

    def __init__(self) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.opened.set()

    def close(self) -> None:
        self.opened.clear()
        self.entered.clear()

    def __call__(self, value: str) -> str:
        self.calls += 1
        self.entered.set()
        assert self.opened.wait(30), "the test never opened the gate"
        return value


def test_get_never_serves_an_older_generation() -> None:
    cache = ViewCache()
    assert cache.get(1, "k", lambda: "one") == "one"
    assert cache.get(1, "k", lambda: "other") == "one"
    assert cache.get(2, "k", lambda: "two") == "two"


def test_get_computes_once_for_readers_that_come_meanwhile() -> None:
    cache, gate = ViewCache(), Gate()
    gate.close()
    results: list[str] = []
    readers = [threading.Thread(target=lambda: results.append(cache.get(1, "k", lambda: gate("v"))))
               for _ in range(4)]
    for reader in readers:
        reader.start()
    assert gate.entered.wait(10)
    gate.opened.set()
    for reader in readers:
        reader.join(10)
    assert results == ["v"] * 4
    assert gate.calls == 1


def test_stale_value_served_at_once_while_one_recomputation_runs() -> None:
    cache, gate = ViewCache(), Gate()
    first = cache.get_stale(1, "figures", lambda: gate("gen 1"))
    assert (first.value, first.generation, first.fresh) == ("gen 1", 1, True)
    gate.close()  # the recomputation for generation 2 will wait
    during = [cache.get_stale(2, "figures", lambda: gate("gen 2")) for _ in range(5)]
    assert gate.entered.wait(10)  # it started, in the background
    assert [(c.value, c.generation, c.fresh) for c in during] == [("gen 1", 1, False)] * 5
    assert cache.refreshing() == 1
    gate.opened.set()
    assert cache.wait_refreshed(10)
    after = cache.get_stale(2, "figures", lambda: gate("not again"))
    assert (after.value, after.generation, after.fresh) == ("gen 2", 2, True)
    assert gate.calls == 2  # the first computation and one recomputation, never two at once


def test_a_failed_recomputation_keeps_the_stale_value_and_is_retried() -> None:
    cache = ViewCache()
    cache.get_stale(1, "k", lambda: "old")

    def fail() -> str:
        raise RuntimeError("store down")

    assert cache.get_stale(2, "k", fail).value == "old"
    assert cache.wait_refreshed(10)
    assert cache.get_stale(2, "k", lambda: "new").value == "old"  # served while retried
    assert cache.wait_refreshed(10)
    assert cache.get_stale(2, "k", lambda: "newer").value == "new"


def test_a_new_generation_drops_values_no_stale_reader_may_use() -> None:
    cache = ViewCache()
    cache.get(1, "file", lambda: "file 1")
    cache.get_stale(1, "figures", lambda: "figures 1")
    calls: list[str] = []
    assert cache.get(2, "file", lambda: calls.append("file") or "file 2") == "file 2"
    assert calls == ["file"]
    assert cache.get_stale(2, "figures", lambda: "figures 2").value == "figures 1"


@pytest.fixture
def small_client() -> Iterator[TestClient]:
    """The app over a store of three triples, updates allowed with the token."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"),
                      ox.NamedNode("urn:g")))
    settings = Settings(root_dir=REPO, update_token=TOKEN)
    with TestClient(create_app(settings, OxigraphBackend(store))) as client:
        yield client


def _triples(page: str) -> tuple[int, int]:
    triples = re.search(r"<strong>(\d+)</strong><span>triples</span>", page)
    generation = re.search(r'data-generation="(\d+)"', page)
    assert triples, page[:500]
    assert generation, page[:500]
    return int(triples.group(1)), int(generation.group(1))


def test_home_figures_stale_during_the_recompute_then_follow_the_update(
        small_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page asked for while the figures are recomputed after an update gets the old ones at once
    (and says of which generation); once the recomputation is done they count the update."""
    gate = Gate()
    real = migkg.web.resources.home_figures

    def gated(backend: OxigraphBackend, languages: list[str]) -> HomeFigures:
        gate("")
        return real(backend, languages)

    monkeypatch.setattr(migkg.web.resources, "home_figures", gated)
    html = {"accept": "text/html"}
    assert _triples(small_client.get("/", headers=html).text) == (1, 0)
    gate.close()
    r = small_client.post("/sparql", content="INSERT DATA { GRAPH <urn:g> { <urn:b> <urn:p> 1 } }",
                          headers={"content-type": "application/sparql-update",
                                   "authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204, r.text
    during = [small_client.get("/", headers=html).text for _ in range(3)]
    assert gate.entered.wait(10)
    assert [_triples(page) for page in during] == [(1, 0)] * 3
    assert all("being recomputed" in page for page in during)
    gate.opened.set()
    assert small_client.app.state.view_cache.wait_refreshed(10)  # type: ignore[attr-defined]
    after = small_client.get("/", headers=html).text
    assert _triples(after) == (2, 1)
    assert "being recomputed" not in after
    assert gate.calls == 2
