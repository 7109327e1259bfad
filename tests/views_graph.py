"""Fixtures of the researcher-view tests: tests/fixtures/views/graph.trig in a store and an app over it.

tests/conftest.py imports the fixtures, so every test module can use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from fastapi.testclient import TestClient

from migkg.config import Settings
from migkg.stores.oxigraph import OxigraphBackend
from migkg.web.app import create_app

REPO = Path(__file__).resolve().parents[1]
VIEWS_GRAPH = REPO / "tests" / "fixtures" / "views" / "graph.trig"
UPDATE_TOKEN = "views-test-token"


@pytest.fixture(scope="session")
def views_backend() -> Iterator[OxigraphBackend]:
    """The views fixture graph in an in-memory store (its named graphs kept)."""
    store = pyoxigraph.Store()
    store.load(path=str(VIEWS_GRAPH), format=pyoxigraph.RdfFormat.TRIG)
    backend = OxigraphBackend(store)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def views_client(views_backend: OxigraphBackend) -> Iterator[TestClient]:
    """A test client of the whole app over the fixture graph (updates allowed with the token)."""
    settings = Settings(root_dir=REPO, update_token=UPDATE_TOKEN)
    with TestClient(create_app(settings, views_backend)) as client:
        yield client
