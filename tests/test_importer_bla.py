"""`migkg import bla`: the Chilton & Woda (2022) agreements on the real files and on broken variants.

The real files are read once per module against a States graph made from pycountry (every current
ISO 3166 code plus the historic YUG, CSK, DDR, SUN), so the accounting of all 1,222 rows is tested
without depending on the graph's own States; the broken variants are small .dta files written from
the first rows of the real ones, against the small fixture States graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, XSD

pd = pytest.importorskip("pandas", reason="the importers need the 'import' extra (pandas)")

from importer_helpers import pycountry_states  # noqa: E402

from migkg.importers.bla import (  # noqa: E402
    CODING_FILE,
    COUNTRIES_FILE,
    FORMATION_FILE,
    CuratedInstrument,
    import_bla,
    repair_text,
    write_bla,
)
from migkg.importers.common import ImportFailure, StateIndex, load_graph  # noqa: E402
from migkg.namespaces import ELI, MIG  # noqa: E402

ROOT = Path(__file__).parents[1]
RAW = ROOT / "data" / "sources" / "raw" / "bla-chilton-woda"
FIXTURE_STATES = ROOT / "tests" / "fixtures" / "importers" / "states.ttl"
INST = "https://w3id.org/migkg/id/instrument/"
ORG = "https://w3id.org/migkg/id/org/"
AM_DERIVED = URIRef("https://w3id.org/migkg/concept/assertion-method/derived")


@pytest.fixture(scope="module")
def real() -> Any:
    return import_bla(RAW, StateIndex(pycountry_states()))


def _reported_rows(result: Any, kind: str) -> set[str]:
    return {p.row for p in result.summary.problems if p.kind == kind}


# --- the real files --------------------------------------------------------------------------


def test_every_row_is_imported_or_reported(real: Any) -> None:
    counts = real.summary.counts
    assert counts["rows read (formation file)"] == 1222
    skipped = counts.get("agreements skipped (a party not mapped)", 0)
    assert counts["agreements imported"] + skipped == 1222
    instruments = set(real.agreements.subjects(MIG.instrumentType, None))
    assert len(instruments) == counts["agreements imported"]
    skipped_rows = {p.row for p in real.summary.skipped if p.file == FORMATION_FILE}
    assert len(skipped_rows) == skipped


def test_kosovo_is_reported_not_dropped(real: Any) -> None:
    # XKX is not an ISO 3166 code, so no State of this graph carries it.
    problems = [p for p in real.summary.problems if p.kind == "unmapped party"]
    assert [p.message for p in problems] == ["treatyID 433: countryB 'Kosovo' (XKX) is not a State of the graph"]
    assert real.unmapped_names == {"Kosovo": 1}
    assert (URIRef(INST + "bla-433"), None, None) not in real.agreements


def test_broken_codes_of_the_name_table_are_corrected_and_said(real: Any) -> None:
    notes = "\n".join(real.summary.notes)
    for name, bad, good in (("Barbados", "BRD", "BRB"), ("Zambia", "ZAM", "ZMB"), ("United States", "UNS", "USA")):
        assert f"{name} → {good} (countries_match.xlsx gives '{bad}'" in notes


def test_historic_states_are_kept_as_such(real: Any) -> None:
    yugoslavia = set(real.agreements.objects(URIRef(INST + "bla-206"), MIG.party))
    assert URIRef(ORG + "yug") in yugoslavia
    east_west = {URIRef(ORG + "ddr"), URIRef(ORG + "csk")}
    assert any(set(real.agreements.objects(s, MIG.party)) & east_west
               for s in real.agreements.subjects(MIG.instrumentType, None))


def test_dates_signed_and_ratified_are_typed_and_separate(real: Any) -> None:
    first = URIRef(INST + "bla-1")
    assert set(real.agreements.objects(first, ELI.date_document)) == {Literal("1947-05-19", datatype=XSD.date)}
    assert set(real.agreements.objects(first, MIG.dateRatified)) == {Literal("1947-05-19", datatype=XSD.date)}
    # treatyID 659 is signed "5/2/2997": the bad date is reported and the year stands, with year precision.
    bad = URIRef(INST + "bla-659")
    assert "618" in _reported_rows(real, "bad date")
    assert set(real.agreements.objects(bad, ELI.date_document)) == {Literal("2007-01-01", datatype=XSD.date)}
    assert set(real.agreements.objects(bad, MIG.datePrecision)) == {Literal("year")}


def test_first_dataset_and_language_copies(real: Any) -> None:
    four = URIRef(INST + "bla-4")
    assert set(real.agreements.objects(four, MIG.firstRecordedIn)) == {Literal("Peters (2019)")}
    assert set(real.agreements.objects(four, MIG.copyLanguage)) == {Literal("en", datatype=XSD.language)}
    recorded = list(real.agreements.objects(None, MIG.firstRecordedIn))
    assert {str(v) for v in recorded} == {"CPW (2017)", "Peters (2019)", "PHL"}


def test_titles_official_only_when_given_in_the_original_language(real: Any) -> None:
    # treatyID 5: English original, title with mojibake "MÃ©xico" repaired.
    five = URIRef(INST + "bla-5")
    (title,) = real.agreements.objects(five, DCTERMS.title)
    assert "México" in str(title)
    assert "Ã" not in str(title)
    # treatyID 99: Spanish original: the English title is a label, not dcterms:title.
    ninety_nine = URIRef(INST + "bla-99")
    assert list(real.agreements.objects(ninety_nine, DCTERMS.title)) == []
    assert set(real.agreements.objects(ninety_nine, SKOS.prefLabel)) == {
        Literal("Permanent immigration statute", lang="en")}
    # An uncoded agreement: a generated label that says so, and no title.
    uncoded = [s for s in real.agreements.subjects(MIG.instrumentType, None)
               if (s, MIG.provides, None) not in real.agreements
               and (s, DCTERMS.title, None) not in real.agreements
               and "generated label" in str(next(real.agreements.objects(s, SKOS.prefLabel)))]
    assert len(uncoded) >= 600


def test_provisions_scheme_uses_the_stata_variable_labels(real: Any) -> None:
    fees = URIRef("https://w3id.org/migkg/concept/bla-provision/recruit-cost-mig")
    assert set(real.provisions.objects(fees, SKOS.prefLabel)) == {
        Literal("Migrant Should Not Pay Recruitment Fees", lang="en")}
    assert set(real.provisions.objects(fees, SKOS.notation)) == {Literal("6a")}
    assert "(6a) Migrant Should Not Pay Recruitment Fees" in str(next(real.provisions.objects(fees, SKOS.definition)))
    concepts = set(real.provisions.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 38
    assert len(set(real.agreements.objects(None, MIG.provides))) <= 38


def test_derived_claims_are_claims_only(real: Any) -> None:
    claims = set(real.claims.subjects(RDF.type, MIG.Claim))
    assert claims
    for claim in claims:
        assert (claim, MIG.assertionMethod, AM_DERIVED) in real.claims
        subject = next(real.claims.objects(claim, MIG.claimSubject))
        target = next(real.claims.objects(claim, MIG.claimObject))
        assert (subject, MIG.contributesTo, target) not in real.agreements
        assert (subject, MIG.contributesTo, target) not in real.claims
        assert list(real.claims.objects(claim, MIG.rationale))
    # Each claim rests on a provision the agreement provides.
    fees = URIRef("https://w3id.org/migkg/concept/bla-provision/recruit-cost-mig")
    with_fees = set(real.agreements.subjects(MIG.provides, fees))
    objective_6 = {next(real.claims.objects(c, MIG.claimSubject)) for c in claims
                   if str(c).endswith("--gcm-objective-6")}
    assert with_fees <= objective_6


def test_every_instrument_cites_dataset_and_row(real: Any) -> None:
    dataset = URIRef("https://w3id.org/migkg/id/source/bla-chilton-woda-2022")
    for inst in set(real.agreements.subjects(MIG.instrumentType, None)):
        assert (inst, DCTERMS.source, dataset) in real.agreements
        rows = set(real.agreements.objects(inst, PROV.wasDerivedFrom))
        assert any("/formation/" in str(r) for r in rows)


def test_output_is_byte_identical_and_idempotent(tmp_path: Path) -> None:
    folder = _variant(tmp_path, rows=40)
    first = write_bla(import_bla(folder, _fixture_states()), tmp_path / "a")
    again = write_bla(import_bla(folder, _fixture_states()), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    write_bla(import_bla(folder, _fixture_states()), tmp_path / "a")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert (tmp_path / "a" / "SUMMARY.md").read_text(encoding="utf-8").startswith("# Import summary")


# --- reconciliation with curated records ---------------------------------------------------


def test_a_curated_agreement_keeps_its_facts_and_gets_one_iri(tmp_path: Path) -> None:
    states = StateIndex(load_graph([FIXTURE_STATES]))
    curated = CuratedInstrument(URIRef(INST + "ph-de-2013-triple-win-agreement"),
                                frozenset({URIRef(ORG + "philippines"), URIRef(ORG + "germany")}),
                                "2013-03-19", "Agreement Concerning the Placement of Filipino Health Care "
                                "Professionals in Employment Positions in the Federal Republic of Germany")
    result = import_bla(_variant(tmp_path, treaties=(1, 511)), states, [curated])
    own = URIRef(INST + "bla-511")
    assert set(result.agreements.objects(own, OWL.sameAs)) == {curated.iri}
    assert (own, MIG.instrumentType, None) not in result.agreements
    # Nothing of the curated record is restated or overwritten, only added to.
    for predicate in (DCTERMS.title, SKOS.prefLabel, ELI.date_document, MIG.party):
        assert (curated.iri, predicate, None) not in result.agreements
    assert (curated.iri, MIG.firstRecordedIn, Literal("PHL")) in result.agreements
    conflicts = [p for p in result.summary.problems if p.kind == "conflict with curated record"]
    assert len(conflicts) == 1
    assert "Health Professionals" in conflicts[0].message


# --- broken variants -----------------------------------------------------------------------


def _variant(tmp_path: Path, change: Any = None, rows: int = 12, treaties: tuple[int, ...] = ()) -> Path:
    """A copy of the raw folder with the first ``rows`` rows, changed by ``change(formation, coding)``."""
    import shutil

    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(RAW / COUNTRIES_FILE, folder / COUNTRIES_FILE)
    formation = pd.read_stata(RAW / FORMATION_FILE)
    formation = formation[formation.treatyID.isin(treaties)] if treaties else formation.head(rows)
    coding = pd.read_stata(RAW / CODING_FILE)
    coding = coding[coding.treatyID.isin(formation.treatyID)]
    if change is not None:
        formation, coding = change(formation, coding)
    formation.to_stata(folder / FORMATION_FILE, write_index=False, version=118)
    coding.to_stata(folder / CODING_FILE, write_index=False, version=118)
    return folder


def _fixture_states() -> StateIndex:
    return StateIndex(load_graph([FIXTURE_STATES]))


def test_variant_missing_column_fails_naming_file_and_column(tmp_path: Path) -> None:
    folder = _variant(tmp_path, lambda f, c: (f.drop(columns=["countryA"]), c))
    with pytest.raises(ImportFailure) as caught:
        import_bla(folder, _fixture_states())
    assert FORMATION_FILE in str(caught.value)
    assert "countryA" in str(caught.value)


def test_variant_missing_provision_column_loses_only_that_provision(tmp_path: Path) -> None:
    folder = _variant(tmp_path, lambda f, c: (f, c.drop(columns=["social_security"])))
    result = import_bla(folder, _fixture_states())
    assert result.summary.counts["agreements imported"] == 12
    assert [p.message for p in result.summary.problems if p.kind == "missing provision column"] == [
        "social_security: this provision is not imported"]
    assert len(set(result.provisions.subjects(RDF.type, SKOS.Concept))) == 37


def test_variant_unknown_country_is_reported_with_row_and_others_kept(tmp_path: Path) -> None:
    def change(f: Any, c: Any) -> tuple[Any, Any]:
        f = f.copy()
        f.loc[f.index[2], "countryB"] = "Atlantis"
        return f, c

    result = import_bla(_variant(tmp_path, change), _fixture_states())
    (problem,) = [p for p in result.summary.problems if p.kind == "unmapped party"]
    assert (problem.file, problem.row, problem.skipped) == (FORMATION_FILE, "3", True)
    assert "Atlantis" in problem.message
    assert "no ISO 3166 alpha-3 code" in problem.message
    assert result.summary.counts["agreements imported"] == 11


def test_variant_bad_date_keeps_the_agreement_with_its_year(tmp_path: Path) -> None:
    def change(f: Any, c: Any) -> tuple[Any, Any]:
        f = f.copy()
        f.loc[f.index[0], "datesigned"] = "13/45/1947"
        return f, c

    result = import_bla(_variant(tmp_path, change), _fixture_states())
    (problem,) = [p for p in result.summary.problems if p.kind == "bad date"]
    assert (problem.row, problem.skipped) == ("1", False)
    assert "13/45/1947" in problem.message
    first = URIRef(INST + "bla-1")
    assert set(result.agreements.objects(first, ELI.date_document)) == {Literal("1947-01-01", datatype=XSD.date)}
    assert result.summary.counts["agreements imported"] == 12


def test_variant_wrong_encoding_title_is_repaired(tmp_path: Path) -> None:
    def change(f: Any, c: Any) -> tuple[Any, Any]:
        c = c.copy()
        c.loc[c.index[0], "agreement_title"] = "Acuerdo de MÃ©xico sobre trabajadores â€” 1947"
        return f, c

    result = import_bla(_variant(tmp_path, change), _fixture_states())
    first = URIRef(INST + "bla-1")
    assert set(result.agreements.objects(first, DCTERMS.title)) == {
        Literal("Acuerdo de México sobre trabajadores — 1947", lang="en")}


def test_variant_not_a_stata_file_fails_naming_the_file(tmp_path: Path) -> None:
    folder = _variant(tmp_path)
    (folder / FORMATION_FILE).write_bytes("treatyID,countryA\n1,Canada\n".encode("utf-16"))
    with pytest.raises(ImportFailure, match="not a readable Stata file") as caught:
        import_bla(folder, _fixture_states())
    assert caught.value.file.endswith(FORMATION_FILE)


def test_repair_text_leaves_clean_text_alone() -> None:
    assert repair_text("Agreement between Canada and Mexico") == "Agreement between Canada and Mexico"
    assert repair_text("Peopleâ€™s Republic") == "People’s Republic"


def test_cli_writes_the_graphs_and_summary_and_exits_2_on_a_broken_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from migkg.cli import app

    folder = _variant(tmp_path, rows=5)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "bla", "--source-dir", str(folder), "-o", str(out),
                                      "--states", str(FIXTURE_STATES)])
    assert result.exit_code == 0, result.output
    assert "agreements imported: 5" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["SUMMARY.md", "agreements.ttl", "claims.ttl",
                                                     "provisions.ttl"]
    (folder / CODING_FILE).write_bytes(b"not stata")
    broken = CliRunner().invoke(app, ["import", "bla", "--source-dir", str(folder), "-o", str(out),
                                      "--states", str(FIXTURE_STATES)])
    assert broken.exit_code == 2
    assert CODING_FILE in broken.output
