"""Real-browser checks of the researcher views (headless Debian Chromium over a live server).

On tests/fixtures/views/graph.trig: choosing a facet value narrows the list and the counts shown
agree with the page's own SPARQL run at ``/sparql``; a country profile shows its agreements and its
treaty timeline; the map draws from vendored shapes with no request leaving 127.0.0.1 (any other
request is aborted and fails the test) and exports SVG and PNG; every new page can be walked with
the keyboard with a visible focus, and its text meets WCAG AA contrast (computed from the colours
the browser applies). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import ARTIFACTS, REPO, live_server

from migkg.config import Settings
from migkg.web.app import create_app

pytestmark = pytest.mark.browser
NEW_PAGES = ("/instruments", "/countries", "/countries/MA", "/map?measure=blas", "/timeline",
             "/doc/org/morocco")


@pytest.fixture(scope="module")
def server(views_backend: Any) -> Iterator[str]:
    with live_server(create_app(Settings(root_dir=REPO), views_backend)) as base:
        yield base


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A page whose requests outside the server are aborted and recorded (``page.outside``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    outside: list[str] = []
    errors: list[str] = []
    local = urlsplit(server).netloc

    def guard(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != local:
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    tab.route("**/*", guard)
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.outside, tab.errors, tab.base = outside, errors, server
    yield tab
    context.close()


def shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"views-{name}.png"), full_page=True)


def shown_counts(tab: Any, facet: str) -> dict[str, int]:
    return tab.evaluate("""facet => Object.fromEntries([...document.querySelectorAll(
        `section.facet[data-facet="${facet}"] li`)].map(li => [li.querySelector('a').dataset.value,
        Number(li.querySelector('.count').dataset.count)]))""", facet)


def test_facets_narrow_the_list_and_counts_agree_with_sparql(page: Any) -> None:
    page.goto(page.base + "/instruments")
    assert page.locator("#summary [data-total]").get_attribute("data-total") == "8"
    morocco = page.locator('section.facet[data-facet="country"] a', has_text="Morocco")
    morocco.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"country=MA"))
    assert page.locator("#summary [data-total]").get_attribute("data-total") == "5"
    assert page.locator("table.instruments tbody tr").count() == 5
    page.locator('section.facet[data-facet="level"] a', has_text="Bilateral").click()
    page.wait_for_url(re.compile(r"level="))
    assert page.locator("table.instruments tbody tr").count() == 2
    shot(page, "instruments-morocco-bilateral")
    sparql = page.locator("details.sparql pre").text_content()
    answer = page.evaluate("""async query => {
        const r = await fetch('/sparql', {method: 'POST', body: new URLSearchParams({query}),
                                         headers: {'Accept': 'application/sparql-results+json'}});
        return (await r.json()).results.bindings.map(b => [b.facet.value, b.v ? b.v.value : null, Number(b.n.value)]);
    }""", sparql)
    for facet in ("country", "level", "provision", "type", "status"):
        expected = {v: n for f, v, n in answer if f == facet and n}
        assert {v: n for v, n in shown_counts(page, facet).items() if n} == expected, facet
    assert [n for f, _, n in answer if f == "_total"] == [2]
    assert not page.outside


def test_country_profile_shows_agreements_and_treaty_timeline(page: Any) -> None:
    page.goto(page.base + "/countries/MA")
    rows = page.locator("table.agreements tbody tr")
    assert rows.count() == 2
    assert "Spain" in rows.nth(0).inner_text()
    assert "Germany" in rows.nth(1).inner_text()
    circles = page.locator("figure.timeline svg circle")
    assert circles.count() == 3  # signature, ratification, and the start of the AU membership
    assert circles.nth(0).get_attribute("class") == "ev signature"
    assert page.locator("figure.timeline svg text.tick").count() >= 2
    member = page.locator("figure.timeline svg rect.member")
    assert member.count() == 1
    assert "African Union since 2017-01-30" in member.locator("title").text_content()
    shot(page, "country-morocco")
    page.goto(page.base + "/doc/org/morocco")
    assert page.locator("section.profile table.agreements tbody tr").count() == 2
    assert not page.outside


def test_map_draws_offline_links_countries_and_exports(page: Any) -> None:
    page.goto(page.base + "/map?measure=blas")
    page.wait_for_selector("#map.drawn", timeout=15000)
    assert page.locator("#map").get_attribute("data-drawn") == "4"  # Yugoslavia has no shape today
    links = page.locator("#map svg a")
    assert sorted(links.evaluate_all("as => as.map(a => a.getAttribute('href'))")) == [
        "/countries/DE", "/countries/ES", "/countries/MA", "/countries/PH"]
    assert page.locator('#map svg path[data-numeric="504"]').get_attribute("fill") != "#eef0f3"
    assert page.locator('#map svg path[data-numeric="250"]').get_attribute("fill") == "#eef0f3"  # France: none
    assert "Yugoslavia 0" in page.locator("#map svg text.unshaped").text_content()  # named, not dropped
    assert page.locator("section.unshaped a[href='/countries/YUG']").is_visible()
    shot(page, "map-blas")
    with page.expect_download() as svg_download:
        page.locator('button[data-svg="#map svg"]').click()
    svg = ET.parse(svg_download.value.path()).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}path"))) > 200
    with page.expect_download() as png_download:
        page.locator('button[data-png="#map svg"]').click()
    assert Path(png_download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.locator("#map svg a[data-code='MA']").click()
    page.wait_for_url(re.compile(r"/countries/MA$"))
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_map_by_treaty_status(page: Any) -> None:
    page.goto(page.base + "/map?measure=status&instrument=inst:convention")
    page.wait_for_selector("#map.drawn", timeout=15000)
    fills = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#map svg a path')]
        .map(p => [p.dataset.numeric, p.getAttribute('fill')]))""")
    assert fills["504"] == fills["608"]  # both ratified
    assert fills["724"] != fills["504"]  # Spain acceded
    assert "acceded" in page.locator("#map-legend").inner_text()
    shot(page, "map-status")
    assert not page.outside


def test_timeline_exports_png(page: Any) -> None:
    page.goto(page.base + "/timeline?country=MA")
    assert page.locator("#timeline svg rect[data-year]").count() == 5
    with page.expect_download() as png_download:
        page.locator('button[data-png="#timeline svg"]').click()
    assert Path(png_download.value.path()).read_bytes()[:4] == b"\x89PNG"
    shot(page, "timeline-morocco")
    assert not page.outside


@pytest.mark.parametrize("path", NEW_PAGES)
def test_keyboard_reaches_the_content_with_a_visible_focus(page: Any, path: str) -> None:
    page.goto(page.base + path)
    if path.startswith("/map"):
        page.wait_for_selector("#map.drawn", timeout=15000)
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), inMain: !!e.closest('main'),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ||
                             (e.closest('svg') !== null)}; }"""))
    assert seen[0]["tag"] == "a"  # the header's first link
    in_main = [s for s in seen if s["inMain"]]
    assert in_main, f"Tab never reached the content of {path}"
    assert all(s["outline"] for s in in_main), f"a focused element of {path} shows no outline"


_CONTRAST = """() => {
  function rgb(text) { const m = text.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
  function lum([r, g, b]) { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); }
  function background(e) { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) return c; } return [255, 255, 255, 1]; }
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement; if (!n.textContent.trim() || !e || e.closest('svg, details:not([open]) > :not(summary)')) continue;
    const s = getComputedStyle(e); if (s.visibility === 'hidden' || s.display === 'none' || e.offsetParent === null && s.position !== 'fixed') continue;
    const fg = rgb(s.color), bg = background(e);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const large = parseFloat(s.fontSize) >= 24 || parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700;
    if (ratio < (large ? 3 : 4.5)) bad.push(`${n.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


@pytest.mark.parametrize("path", NEW_PAGES)
def test_text_contrast_meets_wcag_aa(page: Any, path: str) -> None:
    page.goto(page.base + path)
    assert page.evaluate(_CONTRAST) == []


def test_contrast_check_finds_low_contrast_text(page: Any) -> None:
    page.goto(page.base + "/countries")
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'pale text';
        p.style.color = '#b0b0b0'; document.querySelector('main').appendChild(p); }""")
    assert [entry.split(":")[0] for entry in page.evaluate(_CONTRAST)] == ["pale text"]


@pytest.fixture(scope="module")
def fan_out_server() -> Iterator[str]:
    import pyoxigraph

    from migkg.stores.oxigraph import OxigraphBackend

    sys.path.insert(0, str(REPO / "tests"))
    from test_explore_groups import fan_out_graph

    store = pyoxigraph.Store()
    store.load(fan_out_graph().encode(), format=pyoxigraph.RdfFormat.TURTLE,
               to_graph=pyoxigraph.NamedNode("https://w3id.org/migkg/graph/test/fan-out"))
    with live_server(create_app(Settings(root_dir=REPO), OxigraphBackend(store))) as base:
        yield base


def test_explorer_group_node_opens_on_demand(browser: Any, fan_out_server: str) -> None:
    from test_explore_groups import BLAS, LAWS, STATE

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.goto(f"{fan_out_server}/explore?iri={STATE}", wait_until="networkidle")
    tab.wait_for_function("document.getElementById('explorer').dataset.status === 'ready'", timeout=20_000)
    groups = tab.evaluate("cy.nodes('.kind-group').map(n => [n.id(), n.data('label')])")
    assert [label for _, label in groups] == [f"{BLAS} × Bilateral labour agreement"]
    assert tab.evaluate("cy.nodes('.kind-instrument').length") == LAWS
    shot(tab, "explore-group")
    tab.evaluate("id => { cy.getElementById(id).emit('tap'); }", groups[0][0])
    tab.wait_for_function(f"cy.nodes('.kind-instrument').length === {BLAS + LAWS}", timeout=20_000)
    assert tab.evaluate("cy.nodes('.kind-group').length") == 0
    assert "Opened 15 of the group" in tab.locator("#notice").inner_text()
    shot(tab, "explore-group-opened")
    assert "g=group" in tab.url  # the opened group is part of the link
    tab.reload(wait_until="networkidle")
    tab.wait_for_function("document.getElementById('explorer').dataset.status === 'ready'", timeout=20_000)
    tab.wait_for_function(f"cy.nodes('.kind-instrument').length === {BLAS + LAWS}", timeout=20_000)
    assert tab.evaluate("cy.nodes('.kind-group').length") == 0
    assert not errors
    context.close()


@pytest.fixture(scope="module")
def bundled_server(repo_settings: Any, repo_backend: Any) -> Iterator[str]:
    with live_server(create_app(repo_settings, repo_backend)) as base:
        yield base


def test_bundled_profiles_and_map(browser: Any, bundled_server: str) -> None:
    """On the bundled data: the Philippines' profile lists the 2013 agreement of its agency (POEA) and
    its treaty timeline; France's 180 agreements are summarised by partner and folded; the map draws
    offline and lists the historic States it has no shape for."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside: list[str] = []
    tab.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
              if urlsplit(route.request.url).netloc not in ("", urlsplit(bundled_server).netloc)
              else route.continue_())
    tab.goto(bundled_server + "/countries/PH")
    row = tab.locator("table.agreements tbody tr", has_text="Placement of Filipino Health Professionals")
    assert "Germany" in (row.text_content() or "")  # in the folded table
    assert tab.locator("figure.timeline svg circle.ev").count() > 5
    shot(tab, "bundled-country-philippines")
    tab.goto(bundled_server + "/countries/FR")
    assert tab.locator("details.agreements table.agreements tbody tr").count() > 100
    assert not tab.locator("details.agreements table.agreements").is_visible()  # folded
    assert tab.locator("p.bla-summary a").count() > 10
    shot(tab, "bundled-country-france")
    tab.goto(bundled_server + "/map?measure=blas")
    tab.wait_for_selector("#map.drawn", timeout=20000)
    assert int(tab.locator("#map").get_attribute("data-drawn")) > 150
    assert "Yugoslavia" in tab.locator("#map svg text.unshaped").text_content()
    assert tab.locator("section.unshaped a[href='/countries/YUG']").is_visible()
    shot(tab, "bundled-map-blas")
    assert not outside, outside
    context.close()
