"""Incremental validation: after an edit, the report is the one a full run gives, from fewer nodes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migkg.quality.incremental import Outcome, cache_path, validate_project
from migkg.quality.shacl_support import Engine
from migkg.sources import SourceErrors

REPO = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's curated sources after one full run (its cache in build/cache/), made once.

    The ontology, the shapes and data/ without the bulk imports (data/imported/, nine tenths of the
    triples): the records these tests edit and the States, places, GCM and claims they refer to. What
    is tested (which shape fires on which node, the report equal to a full run's, undo) does not
    depend on the imported records, and each full run here is then a small one (the bundled graph's
    own full validation is the session fixture in conftest.py).
    """
    root = tmp_path_factory.mktemp("validated")
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("imported") if folder == "data" else None)
    assert not (root / "data" / "imported").exists()
    assert run(root).mode == "full"
    return root


@pytest.fixture
def project(validated: Path, tmp_path: Path) -> Path:
    """A copy of the validated project (sources and cache), safe to edit."""
    shutil.copytree(validated, tmp_path, dirs_exist_ok=True)
    return tmp_path


def run(root: Path, *, use_cache: bool = True) -> Outcome:
    return validate_project(root, root / "ontology", root / "data", root / "shapes", Engine.NATIVE,
                            use_cache=use_cache)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_same_as_full(root: Path, outcome: Outcome) -> None:
    full = run(root, use_cache=False)
    assert full.mode == "full"
    assert outcome.report.to_dict() == full.report.to_dict()


def test_first_run_is_full_then_cached(project: Path) -> None:
    cache_path(project, Engine.NATIVE).unlink()
    first = run(project)
    assert first.mode == "full"
    assert cache_path(project, Engine.NATIVE).is_file()
    again = run(project)
    assert again.mode == "cached"
    assert again.report.to_dict() == first.report.to_dict()


EDITS = {
    "instrument loses its issuer": ("data/instruments/morocco.ttl", "    mig:issuedBy orgid:morocco ;\n", ""),
    "theme leaves its scheme": ("ontology/schemes/theme.ttl",
                                "    skos:inScheme scheme:theme ;\n    skos:broader theme:basic-services ;",
                                "    skos:broader theme:basic-services ;"),
}


# Edits of one record's input to a cross-record rule: the result that changes is another record's,
# reached by the edit only through the relation (the shape that must fire, on which node).
CROSS_RECORD = {
    "replaced instrument re-dated after its successor (Requirement 03, same file)": (
        "data/instruments/au.ttl", 'eli:date_document "2006-06-29"', 'eli:date_document "2019-06-29"',
        "Requirement-03-TemporalOrder", "https://w3id.org/migkg/id/instrument/au-mpfa-2018-2030", None),
    "region moved out of its country (Requirement 05, another file)": (
        "data/places/subnational.ttl", "skos:broader place:morocco", "skos:broader place:ecuador",
        "Requirement-05-LocalizesContainment", "https://w3id.org/migkg/id/instrument/",
        # the data holds no mig:localizes since the Oriental strategy's is a claim only (issue 11, point 6):
        # the copy asserts it again, so that moving the region breaks the containment
        ("data/instruments/morocco.ttl", "    eli:jurisdiction place:oriental-region ;\n",
         "    eli:jurisdiction place:oriental-region ;\n    mig:localizes inst:morocco-psnsi-2021-2025 ;\n")),
}


@pytest.mark.parametrize("change", CROSS_RECORD.values(), ids=CROSS_RECORD.keys())
def test_an_edit_of_a_cross_record_rule_input_revalidates_the_records_that_read_it(
    project: Path, change: tuple[str, str, str, str, str, tuple[str, str, str] | None]
) -> None:
    name, old, new, shape, focus, setup = change
    if setup is not None:
        edit(project / setup[0], setup[1], setup[2])
    before = run(project)
    edit(project / name, old, new)
    after = run(project)
    assert after.mode == "incremental"

    def fired(outcome: Outcome) -> set[str]:
        return {r.focus_node for r in outcome.report.violations
                if r.source_shape.endswith(shape) and r.focus_node.startswith(focus)}

    assert not fired(before)
    assert fired(after)
    assert_same_as_full(project, after)
    edit(project / name, new, old)  # and back: the result goes again
    undone = run(project)
    assert undone.mode == "incremental"
    assert not fired(undone)
    assert undone.report.to_dict() == before.report.to_dict()


@pytest.mark.parametrize("change", EDITS.values(), ids=EDITS.keys())
def test_an_edit_revalidates_what_it_can_affect_and_gives_the_full_report(
    project: Path, change: tuple[str, str, str]
) -> None:
    before = run(project)
    name, old, new = change
    edit(project / name, old, new)
    after = run(project)
    assert after.mode == "incremental"
    assert after.revalidated > 0
    assert after.report.to_dict() != before.report.to_dict()
    assert_same_as_full(project, after)


def test_an_added_then_removed_file(project: Path) -> None:
    run(project)
    added = project / "data" / "instruments" / "extra.ttl"
    added.write_text("""@prefix mig: <https://w3id.org/migkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/migkg/id/instrument/extra> a mig:DocumentaryInstrument ; skos:prefLabel "Extra"@en .
""", encoding="utf-8")
    with_file = run(project)
    assert with_file.mode == "incremental"
    assert "https://w3id.org/migkg/id/instrument/extra" in {r.focus_node for r in with_file.report.violations}
    assert_same_as_full(project, with_file)
    added.unlink()
    without = run(project)
    assert "https://w3id.org/migkg/id/instrument/extra" not in {r.focus_node for r in without.report.results}
    assert_same_as_full(project, without)


def test_a_shapes_edit_means_a_full_run(project: Path) -> None:
    run(project)
    edit(project / "shapes" / "recommended.ttl", "SHOULD have at least one mig:theme.",
         "SHOULD have at least one mig:theme (edited).")
    assert run(project).mode == "full"


def test_a_broken_file_is_reported_and_the_cache_kept(project: Path) -> None:
    run(project)
    cache = cache_path(project, Engine.NATIVE).read_text()
    (project / "data" / "broken.ttl").write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n')
    with pytest.raises(SourceErrors):
        run(project)
    assert cache_path(project, Engine.NATIVE).read_text() == cache
