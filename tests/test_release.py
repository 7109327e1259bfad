"""``migkg release`` on a copy of the project: files, version in one place, checksums, CHANGELOG."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL
from typer.testing import CliRunner

from migkg.cli import app
from migkg.publish.ontology_docs import external_fetches
from migkg.publish.release import ReleaseError, release

REPO = Path(__file__).parents[1]
ONTOLOGY = URIRef("https://w3id.org/migkg/ontology")
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repo's ontology and CHANGELOG (the real ones are never touched)."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copy(REPO / "CHANGELOG.md", root / "CHANGELOG.md")
    return root


def test_release_writes_every_serialisation_docs_and_checksums(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    made = release(project, "9.8.7", out, date="2030-01-02")
    source = Graph().parse(project / "ontology" / "migkg.ttl")
    assert source.value(ONTOLOGY, OWL.versionInfo) == Literal("9.8.7")
    assert source.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/9.8.7")
    for suffix, rdflib_name in FORMATS.items():
        released = Graph().parse(out / f"migkg-9.8.7.{suffix}", format=rdflib_name)
        assert isomorphic(released, source), suffix
        assert (out / f"migkg-schemes-9.8.7.{suffix}").is_file()
    html = (out / "migkg-9.8.7.html").read_text()
    assert "9.8.7" in html
    assert external_fetches(html) == []
    sums = dict(reversed(line.split("  ")) for line in made.checksums.read_text().splitlines())
    assert set(sums) == {p.name for p in made.files}
    for name, digest in sums.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert made.previous is not None


def test_release_adds_changelog_entry_once(project: Path, tmp_path: Path) -> None:
    release(project, "9.8.7", tmp_path / "a", date="2030-01-02")
    changelog = (project / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [9.8.7] - 2030-01-02" in changelog
    with pytest.raises(ReleaseError, match="already"):
        release(project, "9.8.7", tmp_path / "b", date="2030-01-02")


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "1.0.0-rc1", ""])
def test_release_refuses_bad_versions(project: Path, tmp_path: Path, version: str) -> None:
    with pytest.raises(ReleaseError, match=r"X\.Y\.Z"):
        release(project, version, tmp_path / "out")


def test_cli_release_and_docs(project: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--root", str(project), "release", "--version", "1.2.3",
                                 "-o", str(tmp_path / "rel"), "--date", "2030-05-06"])
    assert result.exit_code == 0, result.output
    assert "SHA256SUMS" in result.stdout
    bad = runner.invoke(app, ["--root", str(project), "release", "--version", "nope",
                              "-o", str(tmp_path / "x")])
    assert bad.exit_code == 1
    docs = runner.invoke(app, ["--root", str(project), "docs"])
    assert docs.exit_code == 0
    assert "pyLODE" in docs.stdout
