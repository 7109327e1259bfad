"""Parsing source files into named graphs, and the errors that name file, line and column."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from migkg.sources import (
    SourceErrors,
    discover,
    load_rdflib_graph,
    parse_all,
    provenance_quads,
)

GOOD = """@prefix ex: <http://example.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
ex:a ex:b ex:c ; dcterms:source <http://example.org/src> .
"""
# Line 3, column 11 is where the unterminated string starts.
BAD = """@prefix ex: <http://example.org/> .
ex:a ex:b ex:c .
ex:d ex:e "unterminated .
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_each_file_becomes_its_own_named_graph(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"data/a/one.ttl": GOOD, "data/two.ttl": GOOD})
    parsed = parse_all(discover(root, [root / "data"]))
    graphs = {p.source.graph_iri: {q.graph_name.value for q in p.quads} for p in parsed}
    assert graphs == {
        "https://w3id.org/migkg/graph/data/a/one": {"https://w3id.org/migkg/graph/data/a/one"},
        "https://w3id.org/migkg/graph/data/two": {"https://w3id.org/migkg/graph/data/two"},
    }


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"data/ok.ttl": GOOD, "data/broken.ttl": BAD})
    with pytest.raises(SourceErrors) as caught:
        parse_all(discover(root, [root / "data"]))
    [error] = caught.value.errors
    assert (error.path, error.line, error.column) == ("data/broken.ttl", 3, 11)
    assert str(error).startswith("data/broken.ttl:3:11: ")


def test_every_broken_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"data/b1.ttl": BAD, "data/b2.ttl": "@prefix broken"})
    with pytest.raises(SourceErrors) as caught:
        parse_all(discover(root, [root / "data"]))
    assert [e.path for e in caught.value.errors] == ["data/b1.ttl", "data/b2.ttl"]


def test_provenance_describes_each_graph_with_its_cited_sources(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"data/one.ttl": GOOD})
    parsed = parse_all(discover(root, [root / "data"]))
    store = ox.Store()
    store.bulk_extend(provenance_quads(parsed, root))
    derived = store.query(
        "SELECT ?src WHERE { GRAPH ?g { <https://w3id.org/migkg/graph/data/one> "
        "<http://www.w3.org/ns/prov#wasDerivedFrom> ?src } }"
    )
    assert isinstance(derived, ox.QuerySolutions)
    assert [row["src"].value for row in derived] == ["http://example.org/src"]


def test_rdflib_union_graph_has_every_triple_once(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"data/one.ttl": GOOD, "data/two.ttl": GOOD})
    graph = load_rdflib_graph(root, [root / "data"])
    assert len(graph) == 2
