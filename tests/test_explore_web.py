"""The explorer's JSON API and page (migkg.web.explore) over the small fixture graph of conftest.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from migkg.config import Settings
from migkg.stores.base import Backend
from migkg.web.app import create_app

INST = "https://w3id.org/migkg/id/instrument/"
OBJ23 = "https://w3id.org/migkg/gcm/objective/23"


class _Unclosed:
    """The session-wide fixture backend, shielded from the app closing it at shutdown."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> object:
        return getattr(self._backend, name)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def client(explore_backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("explore-web")
    app = create_app(Settings(root_dir=root), _Unclosed(explore_backend))  # type: ignore[arg-type]
    with TestClient(app) as test_client:
        yield test_client


def test_graph_json(client: TestClient) -> None:
    response = client.get("/explore/graph.json", params={"iri": INST + "portability", "depth": 1})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["root"] == INST + "portability"
    assert INST + "cebu" in {n["id"] for n in data["nodes"]}
    assert data["truncated"] is False
    realises = [e for e in data["edges"] if e["relation"] == "realises" and e["target"] == INST + "cebu"]
    assert realises[0]["evidence"][0]["text"] == "The Declaration gives effect to the Cebu Declaration."


def test_graph_json_relations_and_caps(client: TestClient) -> None:
    only = client.get(
        "/explore/graph.json", params={"iri": INST + "portability", "rel": "theme,realises"}
    ).json()
    assert {e["relation"] for e in only["edges"]} == {"theme", "realises"}
    repeated = client.get(
        "/explore/graph.json", params=[("iri", INST + "portability"), ("rel", "theme"), ("rel", "realises")]
    ).json()
    assert {e["relation"] for e in repeated["edges"]} == {"theme", "realises"}
    capped = client.get(
        "/explore/graph.json", params={"iri": INST + "portability", "depth": 2, "max_nodes": 3}
    ).json()
    assert len(capped["nodes"]) == 3
    assert capped["truncated"] is True
    assert capped["caps"]["max_nodes"] == 3


def test_trace_json(client: TestClient) -> None:
    data = client.get("/explore/trace.json", params={"iri": OBJ23}).json()
    assert [b["key"] for b in data["bands"]][:2] == ["commitment", "global"]
    bands = {n["id"]: n["band"] for n in data["nodes"]}
    assert bands[INST + "oriental"] == "subnational"
    assert bands[INST + "psnsi"] == "national"


def test_path_json(client: TestClient) -> None:
    data = client.get(
        "/explore/path.json", params={"from": INST + "portability", "to": INST + "oriental"}
    ).json()
    assert data["paths"] == [[INST + "portability", OBJ23, INST + "psnsi", INST + "oriental"]]
    assert data["length"] == 3


def test_search_json(client: TestClient) -> None:
    hits = client.get("/explore/search.json", params={"q": "Cebu"}).json()
    assert hits[0]["id"] == INST + "cebu"
    assert hits[0]["matched"] == "Cebu Declaration"
    assert client.get("/explore/search.json", params={"q": "as", "limit": 1}).json().__len__() == 1


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/explore/graph.json", {}),
        ("/explore/graph.json", {"iri": "not an iri"}),
        ("/explore/graph.json", {"iri": "javascript:alert(1)"}),
        ("/explore/graph.json", {"iri": INST + "portability", "depth": 9}),
        ("/explore/graph.json", {"iri": INST + "portability", "depth": "x"}),
        ("/explore/graph.json", {"iri": INST + "portability", "rel": "nope"}),
        ("/explore/graph.json", {"iri": INST + "portability", "max_nodes": 100000}),
        ("/explore/graph.json", {"iri": "https://x/" + "a" * 3000}),
        ("/explore/trace.json", {"iri": "<>"}),
        ("/explore/path.json", {"from": INST + "cebu"}),
        ("/explore/path.json", {"from": INST + "cebu", "to": "x y"}),
        ("/explore/search.json", {"q": "a"}),
        ("/explore/search.json", {}),
        ("/explore/search.json", {"q": "cebu", "limit": 0}),
    ],
)
def test_bad_parameters_are_400(client: TestClient, path: str, params: dict[str, object]) -> None:
    response = client.get(path, params=params)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    assert "detail" in response.json()


def test_unknown_iri_is_404(client: TestClient) -> None:
    for path, params in [
        ("/explore/graph.json", {"iri": INST + "missing"}),
        ("/explore/trace.json", {"iri": INST + "missing"}),
        ("/explore/path.json", {"from": INST + "cebu", "to": INST + "missing"}),
    ]:
        response = client.get(path, params=params)
        assert response.status_code == 404
        assert "missing" in response.json()["detail"]


def test_page(client: TestClient) -> None:
    response = client.get("/explore")
    assert response.status_code == 200
    html = response.text
    assert "/static/vendor/cytoscape/cytoscape.min.js" in html
    assert "/static/explore.js" in html
    assert "23 - International cooperation" in html  # the trace picker lists the commitments
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "?", "#", "http://testserver/")), url  # nothing from elsewhere
    assert 'data-public-base="https://w3id.org/migkg/"' in html


def test_static_files(client: TestClient) -> None:
    for path in (
        "/static/vendor/cytoscape/cytoscape.min.js",
        "/static/vendor/cytoscape/LICENSE",
        "/static/explore.js",
        "/static/explore.css",
    ):
        assert client.get(path).status_code == 200, path
