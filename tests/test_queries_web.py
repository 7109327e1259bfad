"""``/queries`` and ``/queries/{name}``: the catalogue over HTTP, the CLI's rows, safe parameters."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import to_isomorphic
from typer.testing import CliRunner

from migkg.catalogue.queries import load_catalogue
from migkg.cli import app as cli_app

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue(REPO / "queries" / "cq")
INJECTION = "x> } ; DROP ALL ; #"


@pytest.fixture(scope="module")
def client() -> Any:
    """A test client of the whole app over a fresh in-memory store of the repository's data."""
    from migkg.config import Settings
    from migkg.web.app import create_app
    from migkg.web.server import make_backend

    settings = Settings(root_dir=REPO)
    with TestClient(create_app(settings, make_backend(settings))) as test_client:
        yield test_client


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_list_as_json_has_every_query_with_typed_parameters(client: TestClient) -> None:
    response = client.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()["queries"]}
    assert set(listed) == set(CATALOGUE)
    trace = listed["10-commitment-traceability"]
    assert trace["summary"].startswith("Commitment traceability")
    assert trace["params"] == [{
        "name": "commitment", "type": "iri", "required": False, "optional": False,
        "default": "<https://w3id.org/migkg/gcm/objective/23>",
        "doc": "a GCM objective (gcmo:1 to gcmo:23) or an SDG target (e.g. sdg:10.7)"}]


def test_list_as_html_shows_summaries(client: TestClient) -> None:
    response = client.get("/queries", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for query in CATALOGUE.values():
        assert f'href="/queries/{query.name}"' in response.text
    assert response.headers["vary"] == "Accept"


def test_mediatype_override_beats_accept(client: TestClient) -> None:
    response = client.get("/queries?_mediatype=application/json", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(("accept", "media_type", "marker"), [
    ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
    ("text/csv", "text/csv", "commitment,levelOrder"),
    ("text/tab-separated-values", "text/tab-separated-values", "?commitment\t?levelOrder"),
    ("text/html", "text/html", "<table"),
])
def test_select_in_every_negotiated_format(client: TestClient, accept: str, media_type: str,
                                           marker: str) -> None:
    response = client.get("/queries/10-commitment-traceability", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert marker in response.text


def test_construct_as_turtle_and_html(client: TestClient) -> None:
    turtle = client.get("/queries/22-instrument-card", headers={"Accept": "text/turtle"})
    expected = Graph().parse(REPO / "tests" / "fixtures" / "expected" / "22-instrument-card.ttl")
    assert to_isomorphic(Graph().parse(data=turtle.text, format="turtle")) == to_isomorphic(expected)
    html = client.get("/queries/22-instrument-card", headers={"Accept": "text/html"})
    assert "Ley Orgánica de Movilidad Humana" in html.text


def test_html_page_prefills_the_parameters(client: TestClient) -> None:
    response = client.get("/queries/14-members-at-date?date=2025-12-01", headers={"Accept": "text/html"})
    assert 'value="2025-12-01"' in response.text
    assert "Timor-Leste" in response.text
    assert "11 rows" in response.text


@pytest.mark.parametrize(("name", "cli_args", "query_string"), [
    ("10-commitment-traceability", [], ""),
    ("10-commitment-traceability", ["-p", "commitment=sdg:8.8"], "commitment=sdg:8.8"),
    ("14-members-at-date", ["-p", "date=1990-01-01"], "date=1990-01-01"),
    ("20-label-search", ["-p", "text=migrant", "-p", "lang=en"], "text=migrant&lang=en"),
])
def test_cli_and_api_return_the_same_rows(client: TestClient, name: str, cli_args: list[str],
                                          query_string: str) -> None:
    cli = CliRunner().invoke(cli_app, ["--root", str(REPO), "query", name, "-f", "csv", *cli_args])
    api = client.get(f"/queries/{name}?{query_string}", headers={"Accept": "text/csv"})
    assert cli.exit_code == 0
    assert api.status_code == 200
    rows = csv_rows(api.text)
    assert len(rows) > 1
    assert sorted(csv_rows(cli.stdout)) == sorted(rows)


def test_unknown_parameter_is_400_naming_it(client: TestClient) -> None:
    response = client.get("/queries/10-commitment-traceability?objective=gcmo:23")
    assert response.status_code == 400
    assert response.json()["parameter"] == "objective"
    assert "unknown parameter 'objective'" in response.json()["error"]


@pytest.mark.parametrize(("name", "query_string", "param"), [
    ("08-instruments-in-date-range", "from=last+year", "from"),
    ("14-members-at-date", "date=2024-02-30", "date"),
    ("15-convention-parties", "convention=http://%5Bbad", "convention"),
])
def test_wrong_type_is_400_naming_it(client: TestClient, name: str, query_string: str, param: str) -> None:
    response = client.get(f"/queries/{name}?{query_string}")
    assert response.status_code == 400
    assert response.json()["parameter"] == param
    assert f"'{param}'" in response.json()["error"]


def test_repeated_parameter_is_400(client: TestClient) -> None:
    response = client.get("/queries/14-members-at-date?date=2020-01-01&date=2021-01-01")
    assert response.status_code == 400
    assert response.json()["parameter"] == "date"


def test_unknown_query_is_404(client: TestClient) -> None:
    assert client.get("/queries/99-nothing").status_code == 404


def test_unacceptable_format_is_406(client: TestClient) -> None:
    response = client.get("/queries/10-commitment-traceability", headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(("name", "param"), [
    ("10-commitment-traceability", "commitment"),
    ("20-label-search", "text"),
])
def test_injection_matches_nothing_and_leaves_the_store_intact(client: TestClient, name: str,
                                                               param: str) -> None:
    before = client.get("/queries/23-gcm-objectives", headers={"Accept": "text/csv"}).text
    response = client.get(f"/queries/{name}", params={param: INJECTION}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert len(csv_rows(response.text)) == 1, "only the header row"
    after = client.get("/queries/23-gcm-objectives", headers={"Accept": "text/csv"}).text
    assert after == before
    assert len(csv_rows(after)) == 24
