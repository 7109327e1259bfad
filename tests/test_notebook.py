"""migkg.notebook: catalogue queries and SPARQL from Python, on the bundled graph and on an endpoint."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from remote_servers import RemoteServer, start_oxigraph

from migkg import notebook
from migkg.catalogue.queries import InvalidParameterValue, UnknownParameter, find_query, load_catalogue
from migkg.notebook import NotebookError, Rows, find_root, run
from migkg.stores.base import QueryRequest, QuerySyntaxError

REPO = Path(__file__).resolve().parents[1]
GCMO = "https://w3id.org/migkg/gcm/objective/"


def test_catalogue_query_gives_the_rows_the_store_gives(repo_backend: object) -> None:
    query = find_query(load_catalogue(REPO / "queries" / "cq"), "10")
    assert query is not None
    expected = repo_backend.select(query.request({"commitment": "gcmo:23"}))  # type: ignore[attr-defined]
    rows = run("commitment-traceability", params={"commitment": "gcmo:23"}, root=REPO)
    assert len(rows) == len(expected) > 0
    assert sorted(map(sorted, (r.items() for r in rows.terms))) == sorted(
        map(sorted, (r.items() for r in expected)))
    assert {name for row in expected for name in row} <= set(rows.variables)


def test_values_are_typed() -> None:
    rows = run("08-instruments-in-date-range", params={"from": "2013-01-01", "to": date(2013, 12, 31)},
               root=REPO)
    assert rows, "the bundled data has instruments dated 2013"
    first = rows[0]
    assert isinstance(first["date"], date)
    assert first["date"].year == 2013
    assert isinstance(first["instrument"], URIRef)
    assert isinstance(first["label"], str)


def test_sparql_text_binds_python_values_and_terms() -> None:
    sparql = "SELECT ?n ?y ?o WHERE { BIND(?n + 1 AS ?m) }"
    rows = run(sparql, params={"n": 41, "y": Literal("2018", datatype=XSD.gYear),
                               "o": URIRef(GCMO + "23")}, root=REPO)
    assert rows.variables == ("n", "y", "o")
    assert list(rows) == [{"n": 41, "y": 2018, "o": URIRef(GCMO + "23")}]


def test_ask_and_construct() -> None:
    assert list(run("ASK { ?s ?p ?o }", root=REPO)) == [{"boolean": True}]
    rows = run(f"CONSTRUCT {{ <{GCMO}23> ?p ?o }} WHERE {{ <{GCMO}23> ?p ?o }}", root=REPO)
    assert rows.variables == ("subject", "predicate", "object")
    assert rows.graph is not None
    assert len(rows.graph) == len(rows) > 0


def test_unknown_query_and_bad_parameters_say_what_is_wrong() -> None:
    with pytest.raises(NotebookError, match="neither a SPARQL query nor a catalogue query"):
        run("no-such-query", root=REPO)
    with pytest.raises(UnknownParameter, match="unknown parameter 'colour'"):
        run("10", params={"colour": "red"}, root=REPO)
    with pytest.raises(UnknownParameter, match="unknown parameter 'colour'"):
        run("10", params={"colour": URIRef("urn:x")}, root=REPO)
    with pytest.raises(InvalidParameterValue, match="expects date"):
        run("08", params={"from": "last year"}, root=REPO)
    with pytest.raises(QuerySyntaxError):
        run("SELECT * WHERE { ?s ?p }", root=REPO)


def test_rq_file_is_run(tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("#+ summary: things of a type\n#+ param: t iri = <urn:none>\nSELECT ?t ?s "
                    "WHERE { ?s a ?t }\n")
    assert list(run(str(path), root=REPO)) == []
    concepts = run(str(path), params={"t": "<http://www.w3.org/2004/02/skos/core#Concept>"}, root=REPO)
    assert len(concepts) > 10
    with pytest.raises(NotebookError, match="no such query file"):
        run(str(tmp_path / "missing.rq"), root=REPO)


def test_find_root_walks_up_and_names_the_folder(tmp_path: Path) -> None:
    assert find_root(REPO / "queries" / "cq") == REPO
    for part in ("ontology", "data", "queries/cq"):
        (tmp_path / "p" / part).mkdir(parents=True)
    (tmp_path / "p" / "deep").mkdir()
    assert find_root(tmp_path / "p" / "deep") == (tmp_path / "p").resolve()


def test_column_and_slices() -> None:
    rows = Rows(("a", "b"), ({"a": Literal(1)}, {"a": Literal(2), "b": Literal("x")}))
    assert rows.column("b") == [None, "x"]
    assert rows[1:] == [{"a": 2, "b": "x"}]
    with pytest.raises(KeyError, match="variables: a, b"):
        rows.column("c")


def test_to_dataframe_without_pandas_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match=r"migkg\[notebook\]"):
        Rows(("a",), ()).to_dataframe()


def test_to_dataframe() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is a test extra; install '.[test]'")
    rows = run("08-instruments-in-date-range", params={"from": "2013-01-01", "to": "2022-12-31"},
               root=REPO)
    frame = rows.to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(rows.variables)
    assert len(frame) == len(rows)
    assert frame["instrument"].tolist() == rows.column("instrument")


# --- a SPARQL endpoint (a real Oxigraph server on loopback) -----------------------------------------

@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteServer]:
    server = start_oxigraph(tmp_path_factory.mktemp("notebook-oxigraph") / "store")
    update = (f"INSERT DATA {{ GRAPH <urn:g> {{ <{GCMO}23> <http://www.w3.org/2004/02/skos/core#notation> "
              f"\"23\" . <urn:i> <https://w3id.org/migkg/ontology#contributesTo> <{GCMO}23> }} }}")
    assert server.endpoints.update_url is not None
    httpx.post(server.endpoints.update_url, content=update,
               headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    yield server
    server.stop()


@pytest.mark.server
def test_endpoint_answers_with_parameters_bound(endpoint: RemoteServer) -> None:
    sparql = ("SELECT ?i WHERE { ?i <https://w3id.org/migkg/ontology#contributesTo> ?objective }")
    rows = run(sparql, params={"objective": URIRef(GCMO + "23")}, endpoint=endpoint.endpoints.query_url,
               root=REPO)
    assert list(rows) == [{"i": URIRef("urn:i")}]
    none = run(sparql, params={"objective": URIRef(GCMO + "1")}, endpoint=endpoint.endpoints.query_url,
               root=REPO)
    assert list(none) == []


def test_request_for_never_pastes_values_into_the_text() -> None:
    request = notebook.request_for("10", {"commitment": "gcmo:5"}, REPO)
    assert isinstance(request, QueryRequest)
    assert "gcm/objective/5" not in request.sparql
    assert request.bindings["commitment"] == URIRef(GCMO + "5")
