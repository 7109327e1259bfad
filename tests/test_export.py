"""Export round trips (every format), ``migkg export``, the downloads and the CSV tables."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from migkg.cli import app
from migkg.formats import RDF_FORMATS, rdf_format
from migkg.publish.export import ExportError, dataset_graph_names, export_dataset

ASEAN_GRAPH = "https://w3id.org/migkg/graph/data/instruments/asean"
ONTOLOGY_GRAPH = "https://w3id.org/migkg/graph/ontology/migkg"


def reference(backend: Any) -> Dataset:
    ds = Dataset()
    ds.parse(data=backend.dump(rdf_format("nq")), format="nquads")
    return ds


def union(ds: Dataset, graphs: list[str] | None = None) -> Graph:
    out = Graph()
    for ctx in ds.graphs():
        if graphs is None or str(ctx.identifier) in graphs:
            for triple in ctx:
                out.add(triple)
    return out


def reimport(data: bytes, fmt: Any) -> Dataset:
    ds = Dataset()
    ds.parse(data=data, format=fmt.rdflib_name)
    return ds


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.suffix)
def test_round_trip_is_isomorphic(ld_backend: Any, fmt: Any) -> None:
    ref = reference(ld_backend)
    back = reimport(export_dataset(ld_backend, fmt), fmt)
    if fmt.is_dataset:
        names = {str(g.identifier) for g in ref.graphs() if len(g)}
        assert {str(g.identifier) for g in back.graphs() if len(g)} == names
        for name in names:
            assert isomorphic(back.graph(URIRef(name)), ref.graph(URIRef(name))), name
    else:
        assert isomorphic(union(back), union(ref))


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.suffix)
def test_export_chosen_graphs(ld_backend: Any, fmt: Any) -> None:
    ref = reference(ld_backend)
    chosen = [ASEAN_GRAPH, ONTOLOGY_GRAPH]
    data = export_dataset(ld_backend, fmt, chosen)
    back = reimport(data, fmt)
    if fmt.is_dataset:
        assert dataset_graph_names(data, fmt) == sorted(chosen)
        for name in chosen:
            assert isomorphic(back.graph(URIRef(name)), ref.graph(URIRef(name)))
    else:
        assert isomorphic(union(back), union(ref, chosen))


def test_export_unknown_graph(ld_backend: Any) -> None:
    with pytest.raises(ExportError, match="unknown graph"):
        export_dataset(ld_backend, rdf_format("nq"), ["https://example.org/none"])


@pytest.mark.parametrize("suffix", ["ttl", "nq"])
def test_cli_export(ld_root: Any, ld_backend: Any, tmp_path: Any, suffix: str) -> None:
    out = tmp_path / f"out.{suffix}"
    result = CliRunner().invoke(app, ["--root", str(ld_root), "export", "--format", suffix,
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    fmt = rdf_format(suffix)
    back = reimport(out.read_bytes(), fmt)
    assert isomorphic(union(back), union(reference(ld_backend)))


def test_cli_export_to_stdout_with_graph(ld_root: Any) -> None:
    result = CliRunner().invoke(app, ["--root", str(ld_root), "export", "--format", "nt",
                                      "--graph", ASEAN_GRAPH])
    assert result.exit_code == 0
    graph = Graph().parse(data=result.stdout, format="nt")
    assert (URIRef("https://w3id.org/migkg/id/instrument/asean-2017-consensus"), None, None) in graph
    bad = CliRunner().invoke(app, ["--root", str(ld_root), "export", "--graph", "https://x.org/g"])
    assert bad.exit_code == 2


# --- downloads -----------------------------------------------------------------------------------


def test_downloads_page_lists_every_file(ld_client: Any) -> None:
    html = ld_client.get("/downloads").text
    for name in ("migkg.nq", "migkg.trig", "migkg.ttl", "ontology.ttl", "scheme/governance-level.ttl",
                 "tables/instruments.csv", "tables/relations.csv", "tables/commitments.csv",
                 "dataset.ttl"):
        assert f'href="/downloads/{name}"' in html, name


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.suffix)
def test_download_whole_dataset(ld_client: Any, ld_backend: Any, fmt: Any) -> None:
    response = ld_client.get(f"/downloads/migkg.{fmt.suffix}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == fmt.media_type
    back = reimport(response.content, fmt)
    ref = reference(ld_backend)
    if fmt.is_dataset:
        assert ASEAN_GRAPH in dataset_graph_names(response.content, fmt)
    assert isomorphic(union(back), union(ref))


def test_download_scheme_is_its_graph(ld_client: Any, ld_root: Any) -> None:
    got = Graph().parse(data=ld_client.get("/downloads/scheme/governance-level.ttl").content,
                        format="turtle")
    assert isomorphic(got, Graph().parse(ld_root / "ontology/schemes/governance-level.ttl"))


def rows(ld_client: Any, name: str) -> list[dict[str, str]]:
    response = ld_client.get(f"/downloads/tables/{name}.csv")
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_tables(ld_client: Any) -> None:
    instruments = rows(ld_client, "instruments")
    assert len(instruments) == 3
    portability = next(r for r in instruments if r["instrument"].endswith("portability-declaration"))
    assert portability["level"] == "regional (supranational)"
    assert portability["issued_by"] == "Association of Southeast Asian Nations"
    relations = rows(ld_client, "relations")
    realises = next(r for r in relations if r["relation"] == "realises")
    assert realises["evidence"] == "The Declaration gives effect to the 2007 Cebu Declaration."
    assert realises["assertion_method"] == "stated-in-source"
    commitments = rows(ld_client, "commitments")
    through = [r for r in commitments if r["how"] == "through"]
    assert [r["instrument"].rsplit("/", 1)[-1] for r in through] == ["asean-2017-consensus"]
    assert through[0]["via"].endswith("asean-2007-cebu-declaration")
    assert len(commitments) == 3


def test_unknown_download_is_404(ld_client: Any) -> None:
    assert ld_client.get("/downloads/nothing.ttl").status_code == 404
