"""Whole-graph check queries against the SHACL fixtures, loaded into Oxigraph in named graphs.

A fixture's ``# check: {check-name} @ {focus}`` lines (see tests/test_validation.py) name the rows
it must produce; every other check must return no rows on it. Valid fixtures pass every check.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from test_validation import FIXTURES, MIGSH, REPO, Fixture

from migkg.quality.checks import CheckQuery, CheckResult, load_check_queries, parse_header, run_checks
from migkg.stores.oxigraph import OxigraphBackend

CHECKS_DIR = REPO / "queries" / "checks"
GRAPH_BASE = "https://w3id.org/migkg/graph/"
CHECKS = load_check_queries(CHECKS_DIR)


def _graph_iri(path: Path) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(GRAPH_BASE + path.relative_to(REPO).with_suffix("").as_posix())


def _backend(*files: Path) -> OxigraphBackend:
    """The ontology (TBox) and ``files``, one named graph per file, as ``migkg build`` loads them."""
    ontology = REPO / "ontology"
    tbox = [ontology / "migkg.ttl", *sorted((ontology / "imports").glob("*.ttl"))]
    store = pyoxigraph.Store()
    for path in [p for p in tbox if p.is_file()] + list(files):
        store.load(path=path, format=pyoxigraph.RdfFormat.TURTLE, to_graph=_graph_iri(path))
    return OxigraphBackend(store)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.test_id for f in FIXTURES])
def test_checks_on_fixture(fixture: Fixture) -> None:
    results = {r.check.name: r for r in run_checks(_backend(fixture.path), CHECKS)}
    expected: dict[str, set[str]] = {}
    for e in fixture.checks:
        expected.setdefault(e.name, set()).add(e.focus)
    assert set(expected) <= set(results), "unknown check named in the fixture"
    for name, result in results.items():
        assert set(result.focus_nodes) == expected.get(name, set()), (name, result.rows)


def test_every_check_is_exercised_by_an_invalid_fixture() -> None:
    exercised = {e.name for f in FIXTURES for e in f.checks}
    assert {c.name for c in CHECKS} <= exercised


def test_at_least_the_agreed_checks_exist() -> None:
    agreed = {
        "self-relation", "temporal-order", "bilateral-parties", "localizes-containment",
        "instrument-type-class-mismatch", "contributes-to-non-commitment", "replaces-cycle",
        "claim-triple-not-asserted", "claim-missing-source-evidence",
        "instrument-without-source", "duplicate-preflabel-in-scheme",
    }
    assert {f"{name}-violation" for name in agreed} <= {c.name for c in CHECKS}


@pytest.fixture(scope="module")
def shape_names() -> set[str]:
    shapes = Graph()
    for path in (REPO / "shapes").glob("*.ttl"):
        shapes.parse(path)
    return {str(s).removeprefix(MIGSH) for s in shapes.subjects(RDF.type, SH.NodeShape)
            if isinstance(s, URIRef)}


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_check_header_and_form(check: CheckQuery, shape_names: set[str]) -> None:
    assert check.summary
    assert check.rule in shape_names
    assert "check" in check.tags
    assert "PREFIX" in check.sparql
    assert "?focus" in check.sparql
    assert "?message" in check.sparql
    store = pyoxigraph.Store()
    solutions = store.query(check.sparql, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = {v.value for v in solutions.variables}
    assert {"focus", "message"} <= names


def test_checks_pass_on_the_bundled_ontology_and_data() -> None:
    files = sorted((REPO / "ontology").rglob("*.ttl")) + sorted((REPO / "data").rglob("*.ttl"))
    failed = [r for r in run_checks(_backend(*files), CHECKS) if not r.passed]
    assert not failed, [(r.check.name, r.rows[:3]) for r in failed]


def test_rows_map_variables_to_lexical_values() -> None:
    backend = _backend(FIXTURES[0].path.parent.parent / "Requirement-02-NoSelfRelation"
                       / "invalid-realises-itself.ttl")
    check = next(c for c in CHECKS if c.name == "self-relation-violation")
    [result] = run_checks(backend, [check])
    assert not result.passed
    [row] = result.rows
    assert row["focus"] == "https://w3id.org/migkg/id/instrument/self-realising-plan"
    assert row["predicate"] == "https://w3id.org/migkg/ontology#realises"
    assert "relates to itself" in row["message"]


def test_result_passed_and_focus_nodes() -> None:
    check = CHECKS[0]
    assert CheckResult(check, ()).passed
    rows = ({"focus": "a", "message": "m"}, {"focus": "b"}, {"focus": "a"}, {"message": "x"})
    result = CheckResult(check, rows)
    assert not result.passed
    assert result.focus_nodes == ("a", "b")


def test_header_parsing_and_non_select_rejected(tmp_path: Path) -> None:
    text = "#+ summary: Asks.\n#+ rule: Requirement-02-NoSelfRelation\n#+ tags: check, ask\n\nASK {}\n"
    assert parse_header(text) == {"summary": "Asks.", "rule": "Requirement-02-NoSelfRelation",
                                  "tags": "check, ask"}
    (tmp_path / "ask-violation.rq").write_text(text, encoding="utf-8")
    (tmp_path / "ignored.rq").write_text("SELECT * {}", encoding="utf-8")
    [check] = load_check_queries(tmp_path)
    assert (check.name, check.rule, check.tags) == (
        "ask-violation", "Requirement-02-NoSelfRelation", ("check", "ask"))
    with pytest.raises(ValueError, match="SELECT"):
        run_checks(OxigraphBackend(pyoxigraph.Store()), [check])
