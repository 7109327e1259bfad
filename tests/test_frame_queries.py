"""Catalogue queries 26–35 (issue 11) against what the raw files imply.

The treaty-status CSVs and the GCM text under data/sources/raw/ are read here independently of the
importers, and each query's rows are compared with the set they imply.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from migkg.catalogue.queries import load_catalogue
from migkg.stores.oxigraph import OxigraphBackend

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "sources" / "raw"
CATALOGUE = load_catalogue(REPO / "queries" / "cq")
ORG = "https://w3id.org/migkg/id/org/"


@pytest.fixture(scope="module")
def backend() -> Any:
    from migkg.build import build_backend
    from migkg.config import Settings

    built, _ = build_backend(Settings(root_dir=REPO))
    yield built
    built.close()


def run(backend: OxigraphBackend, name: str, **params: str) -> list[dict[str, str]]:
    query = CATALOGUE[name]
    return [{k: str(v) for k, v in row.items()} for row in backend.select(query.request(params))]


def raw_parties(file: str) -> dict[str, int]:
    """ISO alpha-2 → year, for the rows of a status file that say "state party" with a year."""
    with (RAW / "un-hr-treaty-status" / file).open(encoding="utf-8-sig", newline="") as handle:
        return {r["iso2"]: int(r["year ratification or accession"]) for r in csv.DictReader(handle)
                if r["status"] == "state party" and r["year ratification or accession"].strip()
                and "enounced" not in (r.get("note") or "")}


def alpha2_of(backend: OxigraphBackend, state_iris: set[str]) -> set[str]:
    from migkg.stores.base import QueryRequest

    rows = backend.select(QueryRequest(
        "PREFIX mig: <https://w3id.org/migkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?s ?c WHERE { ?s dcterms:spatial/mig:iso3166Alpha2 ?c }"))
    by_state = {str(r["s"]): str(r["c"]) for r in rows}
    return {"TP" if by_state[s] == "TL" else by_state[s] for s in state_iris}


def test_parties_at_a_date_are_the_rows_of_the_raw_file(backend: OxigraphBackend) -> None:
    rows = run(backend, "26-parties-at-date", instrument="inst:icrmw", year="2010")
    expected = {code for code, year in raw_parties("hr_status_icmw.csv").items() if year <= 2010}
    assert alpha2_of(backend, {r["state"] for r in rows}) == expected
    assert {r["completeness"].rsplit("/", 1)[1] for r in rows} == {"complete"}
    assert {r["completeAsOf"] for r in rows} == {"2022-08-25"}


def test_denounced_parties_leave_the_list_from_their_denunciation(backend: OxigraphBackend) -> None:
    before = {r["state"] for r in run(backend, "26-parties-at-date", instrument="inst:iccpr-op1", year="1990")}
    after = {r["state"] for r in run(backend, "26-parties-at-date", instrument="inst:iccpr-op1", year="2001")}
    for state in ("jamaica", "trinidad-and-tobago"):
        assert ORG + state in before
        assert ORG + state not in after


def test_party_to_a_not_b(backend: OxigraphBackend) -> None:
    rows = run(backend, "27-party-to-a-not-b", a="inst:icrmw", b="inst:op-cedaw")
    a, b = raw_parties("hr_status_icmw.csv"), raw_parties("hr_status_op_cedaw.csv")
    assert alpha2_of(backend, {r["state"] for r in rows}) == set(a) - set(b)
    assert len(rows) == len(set(a) - set(b)) > 0


def test_ratification_timeline_counts_the_raw_years(backend: OxigraphBackend) -> None:
    rows = run(backend, "28-ratification-timeline", instrument="inst:icrmw")
    years = raw_parties("hr_status_icmw.csv").values()
    assert {int(r["year"]): int(r["new"]) for r in rows} == {y: list(years).count(y) for y in set(years)}
    assert int(rows[-1]["total"]) == len(list(years)) == 57
    totals = [int(r["total"]) for r in rows]
    assert totals == sorted(totals)


def test_everything_under_gcm_action_1f(backend: OxigraphBackend) -> None:
    rows = run(backend, "29-gcm-action-instruments",
               action="<https://w3id.org/migkg/gcm/objective/1/action/f>")
    direct = {r["instrument"] for r in rows if r["link"] == "direct"}
    assert "https://w3id.org/migkg/id/instrument/african-migration-observatory" in direct
    assert all("African Observatory for Migration and Development" in r["evidence"] for r in rows
               if r["link"] == "direct")


def test_actions_of_an_objective_match_the_gcm_text(backend: OxigraphBackend) -> None:
    text = (RAW / "gcm-text" / "gcms_long.md").read_text(encoding="utf-8")
    block = text.split("# Objective 1\n", 1)[1].split("# Objective 2\n", 1)[0]
    letters = re.findall(r"^- ([a-z])\. ", block, re.MULTILINE)
    rows = run(backend, "30-gcm-actions-of-objective", objective="gcmo:1")
    assert [r["notation"] for r in rows] == [f"1({x})" for x in letters]
    assert {r["paragraph"] for r in rows} == {"17"}


def test_every_core_treaty_list_is_complete_and_the_ilo_ones_say_so(backend: OxigraphBackend) -> None:
    rows = {r["instrument"].rsplit("/", 1)[1]: r for r in run(backend, "31-party-list-completeness")}
    complete = {k for k, r in rows.items() if r.get("completeness", "").endswith("/complete")}
    assert len(complete & {k for k, r in rows.items() if r.get("completeAsOf") == "2022-08-25"}) == 18
    assert rows["ilo-c097"]["completeness"].endswith("/partial")
    assert rows["ilo-c143"]["completeness"].endswith("/partial")
    assert rows["icrmw"]["parties"] == "57"


def test_c189_parties_at_2020_are_the_swiss_table(backend: OxigraphBackend) -> None:
    """The complete C189 list of 5 October 2020 is the Swiss table: 30 rows of the vendored CSV."""
    with (RAW / "ilo-ratifications" / "ratifications.csv").open(encoding="utf-8", newline="") as handle:
        swiss = [r for r in csv.DictReader(handle)
                 if r["convention"] == "C189" and r["source"].startswith("https://lexaris.io/")]
    rows = run(backend, "26-parties-at-date", instrument="inst:ilo-c189", year="2020")
    assert len(rows) == len(swiss) + 1 == 31  # and Namibia, whose NORMLEX year is 2020 (December)
    assert {r["completeness"].rsplit("/", 1)[1] for r in rows} == {"complete"}
    assert {r["completeAsOf"] for r in rows} == {"2020-10-05"}
    assert sorted(int(r["since"]) for r in rows)[:2] == [2012, 2012]  # Uruguay, Philippines ...


def test_parties_to_both_by_a_year(backend: OxigraphBackend) -> None:
    rows = run(backend, "33-parties-to-both-by-year", a="inst:icrmw", year="2010", b="inst:cedaw")
    a, b = raw_parties("hr_status_icmw.csv"), raw_parties("hr_status_cedaw.csv")
    assert alpha2_of(backend, {r["state"] for r in rows}) == {c for c, y in a.items() if y <= 2010} & set(b)


@pytest.mark.parametrize(("code", "slug"), [
    ("MAR", "morocco"), ("ma", "morocco"), ("504", "morocco"), ("TUR", "turkiye"), ("YUG", "yugoslavia"),
    ("CSHH", "czechoslovakia"), ("VAT", "holy-see"), ("PSE", "state-of-palestine"),
])
def test_a_state_is_found_by_any_code(backend: OxigraphBackend, code: str, slug: str) -> None:
    rows = run(backend, "34-state-by-code", code=code)
    assert [r["state"] for r in rows] == [ORG + slug]


def test_historic_states_are_listed_with_their_withdrawal(backend: OxigraphBackend) -> None:
    found = run(backend, "35-historic-states")
    rows = {r["state"].rsplit("/", 1)[1]: r for r in found}
    assert rows["czechoslovakia"]["codeWithdrawn"] == "1993-06-15"
    successors = {r["successor"] for r in found if r["state"] == ORG + "czechoslovakia"}
    assert successors == {ORG + "czechia", ORG + "slovakia"}
    assert rows["ussr"]["alpha3"] == "SUN"
    assert "successor" not in rows["ussr"]


@pytest.mark.parametrize(("text", "slug"), [
    ("MAR", "morocco"), ("ma", "morocco"), ("504", "morocco"), ("YUG", "yugoslavia"), ("Turkey", "turkiye"),
    ("Türkiye", "turkiye"), ("Macedonia", "north-macedonia"), ("Ivory Coast", "cote-d-ivoire"),
    ("East Timor", "timor-leste"), ("Swaziland", "eswatini"), ("CSHH", "czechoslovakia"),
    ("Cote d'Ivoire", "cote-d-ivoire"), ("Turkiye", "turkiye"), ("Côte d'Ivoire", "cote-d-ivoire"),
    ("CIV", "cote-d-ivoire"), ("384", "cote-d-ivoire"), ("North Macedonia", "north-macedonia"),
])
def test_search_finds_a_state_by_any_name_or_code(backend: OxigraphBackend, text: str, slug: str) -> None:
    from migkg.views.explorer.search import search

    found = search(backend, text, limit=5)
    assert found[0].id == ORG + slug
    assert found[0].kind == "actor"
    assert all(s.id.rsplit("/", 1)[1] in (slug,) for s in found[:2])


# --------------------------------------------------------------------------- verified means verified (point 6)

INST = "https://w3id.org/migkg/id/instrument/"
ORIENTAL, PSNSI = INST + "morocco-oriental-regional-health-strategy", INST + "morocco-psnsi-2021-2025"
ORIENTAL_CLAIM = "https://w3id.org/migkg/id/claim/morocco-oriental-regional-health-strategy--localizes--morocco-psnsi-2021-2025"


def test_a_claim_only_relation_is_in_the_evidence_query_with_its_status(backend: OxigraphBackend) -> None:
    rows = run(backend, "11-relation-evidence", subject=ORIENTAL)
    [row] = [r for r in rows if r["predicate"].endswith("#localizes")]
    assert (row["object"], row["claim"]) == (PSNSI, ORIENTAL_CLAIM)
    assert row["status"].endswith("/unverified")
    assert run(backend, "13-localizing-instruments") == []  # not asserted, so no plain query finds it


def test_the_resource_pages_show_a_claim_only_relation_as_such(backend: OxigraphBackend) -> None:
    from migkg.views.describe import describe
    from migkg.views.resource_page import CLAIM_ONLY_NOTE, build_page

    def groups(iri: str, incoming: bool) -> dict[str, set[tuple[str | None, tuple[str | None, ...]]]]:
        page = build_page(backend, iri, describe(backend, iri), ("en",), lambda i: i)
        return {g.title: {(r.target.iri, tuple(e.claim.iri for e in r.evidence)) for r in g.items}
                for g in (page.incoming if incoming else page.outgoing)}

    out = groups(ORIENTAL, incoming=False)
    assert out["localizes" + CLAIM_ONLY_NOTE] == {(PSNSI, (ORIENTAL_CLAIM,))}
    assert "localizes" not in out  # no asserted group
    into = {t: v for t, v in groups(PSNSI, incoming=True).items() if t.endswith(CLAIM_ONLY_NOTE)}
    assert list(into.values()) == [{(ORIENTAL, (ORIENTAL_CLAIM,))}]
    # an asserted relation is not marked: the ASEAN declaration realises the Cebu declaration
    asean = groups(INST + "asean-2022-portability-declaration", incoming=False)
    assert not [t for t in asean if t.endswith(CLAIM_ONLY_NOTE)]


def test_the_explorer_draws_a_claim_only_relation_as_unverified(backend: OxigraphBackend) -> None:
    from migkg.views import explorer

    edges = {(e.source, e.relation, e.target): e for e in explorer.neighbourhood(backend, PSNSI).edges}
    edge = edges[(ORIENTAL, "localizes", PSNSI)]
    assert edge.unverified
    assert [e.claim for e in edge.evidence] == [ORIENTAL_CLAIM]
    assert {key for key, e in edges.items() if e.unverified} == {
        (ORIENTAL, "localizes", PSNSI), (PSNSI, "contributesTo", "https://w3id.org/migkg/gcm/objective/15")}
    assert not [e for e in explorer.neighbourhood(backend, INST + "ecuador-lomh-2017").edges if e.unverified]
