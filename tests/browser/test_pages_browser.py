"""Real-browser check: headless Debian Chromium (Playwright) over a live server on the repo's data.

Opens the home page, a resource page (through its /id identifier), the SPARQL (YASGUI) page and the
other linked-data pages; each must render (a heading, content) with no failed request and nothing
requested outside 127.0.0.1. Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
PORTABILITY = "/id/instrument/asean-2022-portability-declaration"



@dataclass
class Traffic:
    """Every request a page made, those that failed, and the errors it logged."""

    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def outside(self, base: str) -> list[str]:
        local = urlsplit(base).netloc
        return [u for u in self.requests
                if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != local]


@pytest.fixture(scope="module")
def server(repo_settings: Any, repo_backend: Any) -> Iterator[str]:
    from conftest import live_server  # the shared loopback uvicorn helper

    from migkg.web.app import create_app

    with live_server(create_app(repo_settings, repo_backend)) as base:
        yield base


def visit(browser: Any, url: str, shot: str, wait_for: str = "h1") -> tuple[Any, Traffic]:
    """Open ``url`` in a fresh page, record its traffic, wait for ``wait_for``, screenshot it."""
    traffic = Traffic()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: traffic.requests.append(r.url))
    page.on("requestfailed", lambda r: traffic.failures.append(f"{r.url}: {r.failure}"))
    page.on("console", lambda m: traffic.console_errors.append(m.text)
            if m.type == "error" else None)
    page.on("pageerror", lambda err: traffic.console_errors.append(f"uncaught: {err}"))
    page.on("response", lambda r: traffic.failures.append(f"{r.url}: {r.status}")
            if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector(wait_for, timeout=10_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    return page, traffic


def check(traffic: Traffic, base: str) -> None:
    assert traffic.failures == []
    assert traffic.outside(base) == []
    assert traffic.console_errors == []


def test_home_page(browser: Any, server: str) -> None:
    page, traffic = visit(browser, server + "/", "home")
    assert "Migration governance knowledge graph" in page.inner_text("h1")
    assert page.locator(".figures strong").count() >= 4
    assert page.locator("section.entry li").count() > 10
    check(traffic, server)
    page.close()


def test_resource_page(browser: Any, server: str) -> None:
    page, traffic = visit(browser, server + PORTABILITY, "resource-asean-portability")
    assert page.url.endswith("/doc/instrument/asean-2022-portability-declaration")
    assert "Portability" in page.inner_text("h1")
    assert page.locator("dl.facts dt").count() >= 5
    assert page.locator("blockquote.evidence").count() >= 1
    assert page.locator('script[type="application/ld+json"]').count() == 1
    check(traffic, server)
    page.close()


def test_search_and_follow(browser: Any, server: str) -> None:
    page, traffic = visit(browser, server + "/", "search-start")
    page.fill('input[name="q"]', "Cebu")
    page.click('form.search button')
    page.wait_for_selector("ol.hits a")
    page.click("ol.hits a >> nth=0")
    page.wait_for_selector("h1")
    assert "Migrant Workers" in page.inner_text("h1")
    check(traffic, server)
    page.close()


def test_sparql_yasgui_page(browser: Any, server: str) -> None:
    page, traffic = visit(browser, server + "/sparql", "sparql-yasgui", wait_for=".yasgui")
    assert page.locator(".yasqe").count() >= 1
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "sparql-yasgui-results.png"), full_page=True)
    assert page.locator(".yasr table tbody tr").count() >= 1
    # One tab per catalogue query; a later tab runs its query with the defaults bound.
    tabs = page.locator("[role=tab]")
    assert tabs.count() == len(list((REPO / "queries" / "cq").glob("*.rq")))
    tabs.nth(19).click()  # 20-label-search, in catalogue order
    page.wait_for_selector(".tabPanel.active .yasqe")
    assert 'VALUES (?lang ?text)' in page.locator(".tabPanel.active .CodeMirror").inner_text()
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=15_000)
    check(traffic, server)
    page.close()


@pytest.mark.parametrize(("path", "shot", "heading"), [
    ("/ontology", "ontology", "migkg ontology"),
    ("/dataset", "dataset", "migkg"),
    ("/downloads", "downloads", "Downloads"),
    ("/gcm/objective/23", "gcm-objective-23", "International"),
])
def test_other_pages(browser: Any, server: str, path: str, shot: str, heading: str) -> None:
    page, traffic = visit(browser, server + path, shot)
    assert heading.lower() in page.inner_text("h1").lower()
    check(traffic, server)
    page.close()
