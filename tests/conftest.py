"""Shared fixtures: the repository's data in a store and an app over it, a small linked-data project,
the explorer's fixture graph, a real server on loopback, headless Chromium, and (from
``remote_servers``) real SPARQL servers."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from remote_servers import oxigraph_server, remote_server, virtuoso_server  # noqa: F401 -- fixtures
from views_graph import views_backend, views_client  # noqa: F401 -- fixtures

from migkg.build import build_backend
from migkg.config import Settings
from migkg.quality.validation import Engine, ValidationReport, load_ontology_graph, load_shapes, validate
from migkg.sources import load_rdflib_graph, load_store
from migkg.stores.oxigraph import OxigraphBackend
from migkg.web.app import create_app
from migkg.web.server import make_backend

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
ARTIFACTS = REPO / "test-artifacts"  # screenshots and exported files of the browser tests (gitignored)
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries to reach Google's hosts at start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# --- the repository's own data ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def repo_settings() -> Settings:
    """Settings over the repository's own ontology/, data/, shapes/ and queries/ (store in memory)."""
    return Settings(root_dir=REPO)


@pytest.fixture(scope="session")
def repo_backend(repo_settings: Settings) -> Iterator[Any]:
    """The repository's data built into an in-memory store (with the settings' query policy)."""
    backend = make_backend(repo_settings)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def repo_client(repo_settings: Settings, repo_backend: Any) -> Iterator[TestClient]:
    """A TestClient of the whole app over the repository's data."""
    with TestClient(create_app(repo_settings, repo_backend)) as client:
        yield client


@pytest.fixture(scope="session")
def bundled_report_native() -> ValidationReport:
    """The bundled data (ontology/ + data/) validated once per session by the native engine, as
    ``migkg validate`` does it (a pyoxigraph store in, no rdflib graph of the data)."""
    data = load_store(REPO, [REPO / "ontology", REPO / "data"])
    return validate(data, load_shapes(REPO / "shapes"), load_ontology_graph(REPO / "ontology"),
                    engine=Engine.NATIVE)


@pytest.fixture(scope="session")
def bundled_report_pyshacl() -> ValidationReport:
    """The bundled data validated once per session by pyshacl (the reference engine; minutes once the
    graph is past 100k triples, so never per test)."""
    data = load_rdflib_graph(REPO, [REPO / "ontology", REPO / "data"])
    return validate(data, load_shapes(REPO / "shapes"), load_ontology_graph(REPO / "ontology"),
                    engine=Engine.PYSHACL)


# --- linked data: a small fixture project (tests/fixtures/linked-data + the repo's ontology) ----------

@pytest.fixture(scope="session")
def ld_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder: the linked-data fixture files and the repo's ontology."""
    root = tmp_path_factory.mktemp("ld-project")
    shutil.copytree(FIXTURES / "linked-data", root, dirs_exist_ok=True)
    shutil.copy(REPO / "ontology" / "migkg.ttl", root / "ontology" / "migkg.ttl")
    return root


@pytest.fixture(scope="session")
def ld_backend(ld_root: Path) -> Iterator[OxigraphBackend]:
    """The fixture project built into an in-memory store."""
    backend, _ = build_backend(Settings(root_dir=ld_root))
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def ld_client(ld_root: Path, ld_backend: OxigraphBackend) -> Iterator[TestClient]:
    """A test client of the app over the fixture project (public base mapped to testserver)."""
    with TestClient(create_app(Settings(root_dir=ld_root), ld_backend)) as client:
        yield client


# --- the explorer: a small graph of instruments across levels ---------------------------------------

@pytest.fixture(scope="session")
def explore_backend() -> Iterator[OxigraphBackend]:
    """An in-memory store holding ``tests/fixtures/explore/graph.ttl`` in one named graph."""
    store = pyoxigraph.Store()
    store.load(path=str(FIXTURES / "explore" / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE,
               to_graph=pyoxigraph.NamedNode("https://w3id.org/migkg/graph/test/explore"))
    backend = OxigraphBackend(store)
    yield backend
    backend.close()


# --- a real server on loopback ------------------------------------------------------------------------

def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# --- headless Chromium for tests/browser (Playwright drives Debian's chromium; no browser download) ---

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium, or a skip saying how to install it."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium missing: run scripts/system-deps.sh (make test does) to install "
                    "Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
