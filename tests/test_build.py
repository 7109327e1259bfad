"""``migkg build``: bulk-loaded named graphs with their provenance, and failed builds that lose nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from migkg.build import build_backend
from migkg.config import Settings
from migkg.sources import SourceErrors, discover, parse_all, provenance_quads

REPO = Path(__file__).parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def _blank(quad: ox.Quad) -> bool:
    """Blank nodes get new labels on every parse."""
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def test_build_holds_every_parsed_quad_and_the_provenance(project: Path) -> None:
    settings = Settings(root_dir=project)
    parsed = parse_all(discover(project, settings.source_dirs))
    expected = {q for item in parsed for q in item.quads}
    expected |= set(provenance_quads(parsed, project))
    backend, summary = build_backend(settings)
    built = set(backend.store)
    assert len(built) == len(expected) == summary.quads
    assert {q for q in built if not _blank(q)} == {q for q in expected if not _blank(q)}
    assert summary.files == len(parsed)


def test_a_failed_rebuild_leaves_the_old_store(project: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    settings = Settings(root_dir=project, store_dir=store_dir)
    backend, summary = build_backend(settings)
    backend.close()
    del backend
    (project / "data" / "broken.ttl").write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n')
    with pytest.raises(SourceErrors) as caught:
        build_backend(settings)
    assert [str(e).split(": ")[0] for e in caught.value.errors] == ["data/broken.ttl:2:11"]
    assert len(ox.Store.read_only(str(store_dir))) == summary.quads
    assert not (tmp_path / "store.building").exists()


def _content(store: ox.Store) -> tuple[int, set[ox.Quad]]:
    quads = set(store)
    return len(quads), {q for q in quads if not _blank(q)}


def test_an_edit_reloads_only_its_graph_and_gives_the_full_build(project: Path, tmp_path: Path) -> None:
    from migkg.build import update_store

    store_dir = tmp_path / "store"
    settings = Settings(root_dir=project, store_dir=store_dir)
    assert update_store(settings)[1] == "built"
    assert update_store(settings)[1] == "up to date"
    morocco = project / "data" / "instruments" / "morocco.ttl"
    morocco.write_text(morocco.read_text().replace("    mig:issuedBy orgid:morocco ;\n", "", 1))
    (project / "data" / "instruments" / "ilo.ttl").unlink()
    (project / "data" / "extra.ttl").write_text(
        "<https://w3id.org/migkg/id/instrument/extra> <http://purl.org/dc/terms/source> <https://example.org/x> .\n")
    summary, how = update_store(settings)
    assert how == "updated 3 graphs"
    incremental = _content(ox.Store.read_only(str(store_dir)))
    full, _ = build_backend(Settings(root_dir=project))
    assert incremental == _content(full.store)
    assert summary.quads == incremental[0]


def test_an_update_with_a_broken_file_leaves_the_store(project: Path, tmp_path: Path) -> None:
    from migkg.build import update_store

    settings = Settings(root_dir=project, store_dir=tmp_path / "store")
    summary, _ = update_store(settings)
    (project / "data" / "broken.ttl").write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n')
    with pytest.raises(SourceErrors):
        update_store(settings)
    assert len(ox.Store.read_only(str(tmp_path / "store"))) == summary.quads
