"""Real-browser tests of the graph explorer (/explore): headless Debian Chromium over a live server.

The app is the served one (``migkg.web.server.make_app`` with an on-disk store) over the repo's
data. Each test records every request: nothing may leave 127.0.0.1, nothing may fail, and the
console must stay free of errors. Screenshots and exported files go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
INST = "https://w3id.org/migkg/id/instrument/"
PORTABILITY = INST + "asean-2022-portability-declaration"
CEBU = INST + "asean-2007-cebu-declaration"
CONSENSUS = INST + "asean-2017-consensus-migrant-workers"
ORIENTAL = INST + "morocco-oriental-regional-health-strategy"
PSNSI = INST + "morocco-psnsi-2021-2025"
OBJ23 = "https://w3id.org/migkg/gcm/objective/23"



@dataclass
class Watch:
    """What a page requested, what failed and what it logged as an error."""

    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        outside = [u for u in self.requests
                   if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                   and urlsplit(u).hostname != "127.0.0.1"]
        assert outside == []
        assert self.failures == []
        assert self.errors == [], "\n".join(self.requests)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from conftest import live_server  # the shared loopback uvicorn helper

    from migkg.config import Settings
    from migkg.web.server import make_app

    store = tmp_path_factory.mktemp("explore-store") / "store"
    with live_server(make_app(Settings(root_dir=REPO, store_dir=store))) as base:
        yield base


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    watch = Watch()
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    tab.on("request", lambda r: watch.requests.append(r.url))
    tab.on("requestfailed", lambda r: watch.failures.append(f"{r.url}: {r.failure}"))
    tab.on("response", lambda r: watch.failures.append(f"{r.url}: {r.status}") if r.status >= 400 else None)
    tab.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watch.errors.append(str(e)))
    yield tab, watch
    context.close()


def ready(tab: Any) -> None:
    tab.wait_for_function("document.getElementById('explorer').dataset.status === 'ready'", timeout=20_000)


def shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"explore-{name}.png"))


def tap(tab: Any, iri: str) -> None:
    """Click a node the way cytoscape sees a click (returns nothing: a collection does not serialise)."""
    tab.evaluate("iri => { cy.getElementById(iri).emit('tap'); }", iri)


def node_ids(tab: Any) -> set[str]:
    return set(tab.evaluate("cy.nodes(':visible').not('.band').map(n => n.id())"))


def test_search_then_expand(server: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    tab.goto(server + "/explore", wait_until="networkidle")
    ready(tab)
    tab.fill("#q-graph", "Portability")
    option = tab.locator(".ex-suggest li", has_text="ASEAN Declaration on Portability").first
    option.wait_for(timeout=10_000)
    shot(tab, "1-suggestions")
    option.click()
    ready(tab)
    assert PORTABILITY in node_ids(tab)
    assert tab.evaluate(f"cy.getElementById('{PORTABILITY}').hasClass('root')")
    assert "iri=" + quote(PORTABILITY, safe="") in tab.url  # the view is in the address

    tap(tab, PORTABILITY)  # click: select and expand
    ready(tab)
    assert CEBU in node_ids(tab)
    panel = tab.locator("#panel")
    assert "realises →" in panel.inner_text()
    assert panel.locator("a.resource-link").get_attribute("href") == (
        "/id/instrument/asean-2022-portability-declaration")
    before = node_ids(tab)
    tap(tab, CEBU)  # expand the Cebu Declaration
    ready(tab)
    assert node_ids(tab) >= before
    assert "x=" + quote(CEBU, safe="") in tab.url
    shot(tab, "2-neighbourhood-expanded")

    tab.reload(wait_until="networkidle")  # a shared address brings the same view back
    ready(tab)
    assert node_ids(tab) >= before | {CEBU}
    watch.check()


def test_trace_of_objective_23_in_level_bands(
    server: str, page: tuple[Any, Watch], repo_backend: Any
) -> None:
    tab, watch = page
    tab.goto(server + "/explore?view=trace", wait_until="networkidle")
    ready(tab)
    tab.select_option("#trace-commitment", OBJ23)
    ready(tab)
    shot(tab, "3-trace-objective-23")

    nodes = tab.evaluate(
        "cy.nodes().not('.band').map(n => ({id: n.id(), band: n.data('band'), y: n.position('y')}))")
    bands = tab.evaluate(
        "cy.nodes('.band').map(b => ({key: b.data('band'), label: b.data('display'),"
        " top: b.position('y') - b.data('h') / 2, bottom: b.position('y') + b.data('h') / 2}))")
    by_key = {b["key"]: b for b in bands}
    at = {n["id"]: n for n in nodes}
    for practice in _hub_practices(repo_backend):
        assert practice in at, practice
    for node in nodes:  # every node sits inside its own level's band
        band = by_key[node["band"]]
        assert band["top"] < node["y"] < band["bottom"], node
    keys = [b["key"] for b in sorted(bands, key=lambda b: b["top"])]
    assert keys[0] == "commitment"
    assert keys.index("global") < keys.index("regional") < keys.index("national") < keys.index("subnational")
    assert by_key["subnational"]["label"] == "Subnational"
    # The ASEAN chain reads upwards: the Cebu Declaration and the Consensus above the Portability
    # Declaration, all three in the regional band; the Moroccan chain crosses from subnational to national.
    assert at[PORTABILITY]["band"] == at[CEBU]["band"] == at[CONSENSUS]["band"] == "regional"
    assert at[CEBU]["y"] < at[PORTABILITY]["y"]
    assert at[CONSENSUS]["y"] < at[PORTABILITY]["y"]
    assert (at[ORIENTAL]["band"], at[PSNSI]["band"]) == ("subnational", "national")
    assert at[PSNSI]["y"] < at[ORIENTAL]["y"]
    edges = set(tab.evaluate(
        "cy.edges().map(e => e.source().id() + ' ' + e.data('relation') + ' ' + e.target().id())"))
    assert {f"{PORTABILITY} realises {CEBU}", f"{PORTABILITY} realises {CONSENSUS}",
            f"{ORIENTAL} localizes {PSNSI}", f"{PORTABILITY} listedUnder {OBJ23}"} <= edges
    assert tab.locator("#notice").is_hidden()  # nothing was cut
    legend = tab.locator("#legend").bounding_box()
    assert legend is not None
    assert legend["y"] < 1000  # the legend shows without scrolling

    tab.uncheck("input[name=level][value=national]")  # filter a level out: its nodes go, the URL keeps it
    assert tab.evaluate(f"cy.getElementById('{PSNSI}').visible()") is False
    assert "hl=national" in tab.url
    watch.check()


def test_the_page_says_when_a_cap_cut_the_view(server: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    world = "https://w3id.org/migkg/concept/place/world"
    # Depth 3: at depth 2 the world's states are drawn as group nodes and the view stays under the cap.
    tab.goto(server + f"/explore?view=graph&iri={quote(world, safe='')}&depth=3", wait_until="networkidle")
    ready(tab)
    assert tab.locator("#notice").is_visible()
    assert "cut" in tab.locator("#notice").inner_text()
    assert len(node_ids(tab)) == 150
    shot(tab, "5-capped")
    watch.check()


def _hub_practices(backend: Any) -> set[str]:
    from migkg.stores.base import QueryRequest

    rows = backend.select(QueryRequest(
        "PREFIX mig: <https://w3id.org/migkg/ontology#> SELECT ?r ?i WHERE { ?r mig:listedUnder "
        "<https://w3id.org/migkg/gcm/objective/23> ; mig:describes ?i }"))
    assert len({str(r["r"]) for r in rows}) == 7  # the seven Hub practices
    return {str(r["i"]) for r in rows}


def test_path_view(server: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    query = f"?view=path&from={quote(PORTABILITY, safe='')}&to={quote(ORIENTAL, safe='')}"
    tab.goto(server + "/explore" + query, wait_until="networkidle")
    ready(tab)
    on_path = set(tab.evaluate("cy.nodes('.on-path').map(n => n.id())"))
    assert {PORTABILITY, ORIENTAL} <= on_path
    xs = tab.evaluate("ids => ids.map(i => cy.getElementById(i).position('x'))", [PORTABILITY, ORIENTAL])
    assert xs[0] < xs[1]  # read from left to right
    shot(tab, "4-path")
    watch.check()


def test_exports(server: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    tab.goto(server + f"/explore?view=trace&iri={quote(OBJ23, safe='')}", wait_until="networkidle")
    ready(tab)
    saved = {}
    for kind in ("png", "svg", "nodes", "edges"):
        with tab.expect_download() as info:
            tab.click(f"[data-export={kind}]")
        download = info.value
        target = ARTIFACTS / download.suggested_filename
        download.save_as(str(target))
        saved[kind] = target
    assert saved["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = saved["svg"].read_text()
    assert svg.startswith("<svg")
    assert "Subnational" in svg  # band labels
    assert "Cebu Declaration" in svg  # node labels
    nodes_csv = saved["nodes"].read_text().splitlines()
    assert nodes_csv[0] == "id,label,acronym,kind,level,type,date,band,depth,context"
    assert any(line.startswith(ORIENTAL + ",") for line in nodes_csv)
    edges_csv = saved["edges"].read_text()
    assert f"{ORIENTAL},localizes,{PSNSI}," in edges_csv
    watch.check()


def test_a_shared_view_is_drawn_the_same_every_time(server: str, browser: Any) -> None:
    # A large neighbourhood (force layout) must not move between two loads of the same address.
    url = server + "/explore?view=graph&iri=" + quote("https://w3id.org/migkg/id/org/asean", safe="") + "&depth=2"
    drawings = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        tab = context.new_page()
        tab.goto(url, wait_until="networkidle")
        ready(tab)
        drawings.append(sorted(tab.evaluate(
            "cy.nodes().not('.band').map(n => [n.id(), Math.round(n.position('x')), Math.round(n.position('y'))])")))
        context.close()
    assert len(drawings[0]) > 14  # past the ring layout: the force layout ran
    assert drawings[0] == drawings[1]
