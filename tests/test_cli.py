"""The ``migkg`` command on copies of the project: exit codes and what the messages name."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migkg import __version__
from migkg.cli import app

REPO = Path(__file__).parents[1]
runner = CliRunner()

NO_ISSUER = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix mig: <https://w3id.org/migkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/migkg/id/instrument/test-no-issuer> a mig:DocumentaryInstrument ;
    skos:prefLabel "Test instrument without an issuer"@en ;
    dcterms:source <https://example.org/source> ;
    eli:date_document "2020-01-01"^^xsd:date ;
    eli:jurisdiction <https://w3id.org/migkg/concept/place/morocco> ;
    mig:curationStatus <https://w3id.org/migkg/concept/curation-status/unverified> ;
    mig:governanceLevel <https://w3id.org/migkg/concept/governance-level/national> ;
    mig:instrumentType <https://w3id.org/migkg/concept/instrument-type/law> .
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's sources, safe to break."""
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout.strip()) == (0, __version__)


def test_build_loads_one_graph_per_file(project: Path) -> None:
    files = sum(1 for d in ("ontology", "data", "shapes") for _ in (project / d).rglob("*.ttl"))
    code, out, _ = invoke(project, "build")
    assert code == 0
    assert f"built {files + 1} graphs ({files} files)" in out


def test_build_on_disk_writes_a_store(project: Path, tmp_path: Path) -> None:
    code, _, _ = invoke(project, "build", "--store-dir", str(tmp_path / "store"))
    assert code == 0
    assert any((tmp_path / "store").iterdir())


def test_broken_file_exits_2_naming_file_line_and_column(project: Path) -> None:
    broken = project / "data" / "broken.ttl"
    broken.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n', encoding="utf-8")
    for command in ("build", "validate", "check", "stats"):
        code, _, err = invoke(project, command)
        assert code == 2, command
        assert "data/broken.ttl:2:11:" in err, command
    code, _, err = invoke(project, "validate", "--engine", "pyshacl")
    assert code == 2
    assert "data/broken.ttl:2:11:" in err


def test_bundled_data_validates(project: Path) -> None:
    code, out, _ = invoke(project, "validate")
    assert code == 0, out


def test_instrument_without_issuer_exits_1_naming_the_rule(project: Path) -> None:
    (project / "data" / "instruments" / "test-no-issuer.ttl").write_text(NO_ISSUER, "utf-8")
    code, out, _ = invoke(project, "validate")
    assert code == 1
    line = next(ln for ln in out.splitlines() if "test-no-issuer" in ln and "issuedBy" in ln)
    assert "Requirement-01" in line


@pytest.mark.parametrize("report_format", ["text", "json"])
def test_both_engines_print_the_same_report_and_exit_code(tmp_path: Path, report_format: str) -> None:
    # A small project (ontology and one record): pyshacl never runs over the grown bundled graph here.
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "data" / "instruments").mkdir(parents=True)
    (tmp_path / "data" / "instruments" / "test-no-issuer.ttl").write_text(NO_ISSUER, "utf-8")
    native = invoke(tmp_path, "validate", "--format", report_format)
    reference = invoke(tmp_path, "validate", "--engine", "pyshacl", "--format", report_format)
    assert native[0] == reference[0] == 1
    assert native[1] == reference[1]
    assert "test-no-issuer" in native[1]


def test_unknown_engine_is_refused(project: Path) -> None:
    code, _, err = invoke(project, "validate", "--engine", "fast")
    assert code == 2
    assert "--engine" in err


def test_validate_json_report_is_machine_readable(project: Path) -> None:
    import json

    (project / "data" / "instruments" / "test-no-issuer.ttl").write_text(NO_ISSUER, "utf-8")
    code, out, _ = invoke(project, "validate", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False


def test_checks_pass_on_bundled_data(project: Path) -> None:
    code, out, _ = invoke(project, "check")
    assert code == 0, out
    assert "FAIL" not in out


def test_stats_counts_instruments_by_level(project: Path) -> None:
    code, out, _ = invoke(project, "stats")
    assert code == 0
    assert "instruments by level:" in out
    assert "instruments by GCM objective:" in out


@pytest.mark.parametrize("folder", ["shapes", "ontology/imports"])
def test_broken_shapes_or_ontology_file_exits_2_naming_it(project: Path, folder: str) -> None:
    (project / folder / "broken.ttl").write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n',
                                                 encoding="utf-8")
    code, _, err = invoke(project, "validate")
    assert code == 2
    assert f"{folder}/broken.ttl:2:11:" in err


def test_serve_takes_host_and_port_from_the_environment_unless_given(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import migkg.web.server

    bound: list[tuple[str, int]] = []
    monkeypatch.setattr(migkg.web.server, "make_app", lambda settings: object())
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **_: bound.append((host, port)))
    monkeypatch.setenv("MIGKG_HOST", "127.0.0.2")
    monkeypatch.setenv("MIGKG_PORT", "8123")
    assert invoke(project, "serve")[0] == 0
    assert invoke(project, "serve", "--port", "9000")[0] == 0
    assert bound == [("127.0.0.2", 8123), ("127.0.0.2", 9000)]


SELF_CITING = """<https://w3id.org/migkg/id/instrument/x> <http://data.europa.eu/eli/ontology#cites> <https://w3id.org/migkg/id/instrument/x> .
"""


def test_check_reuses_its_results_until_a_source_changes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import migkg.quality.checks

    first = invoke(project, "check")
    assert first[0] == 0

    def run_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the checks ran although nothing changed")

    with monkeypatch.context() as patched:
        patched.setattr(migkg.quality.checks, "run_checks", run_again)
        assert invoke(project, "check")[:2] == first[:2]
    (project / "data" / "instruments" / "self-citing.ttl").write_text(SELF_CITING, "utf-8")
    code, out, _ = invoke(project, "check")
    assert code == 1
    assert "FAIL self-relation-violation: 1 rows" in out


def test_build_on_disk_twice_is_up_to_date_then_updates_an_edited_file(project: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert invoke(project, "build", "--store-dir", store)[0] == 0
    code, out, _ = invoke(project, "build", "--store-dir", store)
    assert (code, out.strip().endswith("(up to date)")) == (0, True)
    (project / "data" / "instruments" / "self-citing.ttl").write_text(SELF_CITING, "utf-8")
    code, out, _ = invoke(project, "build", "--store-dir", store)
    assert (code, out.strip().endswith("(updated 1 graphs)")) == (0, True)


def test_serve_prepare_validates_and_checks_first_and_stops_when_they_fail(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import migkg.web.server

    served: list[object] = []
    monkeypatch.setattr(migkg.web.server, "make_app", lambda settings: object())
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    code, out, _ = invoke(project, "serve", "--prepare")
    assert code == 0
    assert out.startswith("Conforms: yes")
    # The bundled data's Warnings are counted by rule, one example each, not printed one by one.
    assert re.search(r"^Warning × \d+ \[Requirement-01-DocumentaryRecommended-legalNature\] .+ \(e\.g\. <", out, re.M)
    assert not re.search(r"^Warning: <", out, re.M)
    assert "`migkg validate` lists every result." in out
    assert "ok   self-relation-violation: 0 rows" in out
    assert len(served) == 1
    (project / "data" / "instruments" / "test-no-issuer.ttl").write_text(NO_ISSUER, "utf-8")
    code, out, _ = invoke(project, "serve", "--prepare")
    assert code == 1
    assert "test-no-issuer" in out
    assert len(served) == 1


@pytest.mark.parametrize("what", ["states", "gcm", "sdg", "treaties", "ilo"])
def test_a_reference_importer_without_its_raw_file_says_which_and_exits_2(tmp_path: Path, what: str) -> None:
    (tmp_path / "data").mkdir()
    code, out, err = invoke(tmp_path, "import", what)
    assert code == 2, (out, err)
    assert err.startswith("error: ")
    assert str(tmp_path / "data" / "sources" / "raw") in err  # the missing file, named
    assert "Traceback" not in out + err
