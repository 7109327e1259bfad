"""The commitment-frame importers (issue 11): deterministic output, and counts against the raw files.

The importers run once per module into a scratch copy of the raw files; their output must equal the
committed Turtle byte for byte, so data/ is always what the importers make of data/sources/raw/.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS

from migkg.importers import frame
from migkg.importers.common import Report
from migkg.importers.gcm import GcmTextError, parse
from migkg.importers.treaties import TREATIES, classify, read_rows
from migkg.namespaces import MIG, ORG

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "sources" / "raw"
GENERATED = (
    "data/places/regions.ttl", "data/places/countries.ttl", "data/actors/states.ttl",
    "data/imported/gcm-text/gcm.ttl", "data/imported/sdg-kos/sdg.ttl",
    *(f"data/imported/un-hr-treaty-status/{t.file.replace('.csv', '.ttl')}" for t in TREATIES),
    "data/imported/un-hr-treaty-status/instruments.ttl",
    "data/imported/ilo-ratifications/ilo.ttl", "data/imported/ilo-ratifications/SUMMARY.md",
)
SDGO = "http://metadata.un.org/sdg/ontology#"


@pytest.fixture(scope="module")
def rerun(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Report]]:
    """All importers, run over a copy of the raw files and the curated memberships."""
    root = tmp_path_factory.mktemp("frame")
    shutil.copytree(RAW, root / "data" / "sources" / "raw")
    (root / "data" / "actors").mkdir(parents=True)
    shutil.copy(REPO / "data" / "actors" / "memberships.ttl", root / "data" / "actors")
    return root, frame.run(root, "all")


@pytest.fixture(scope="module")
def data() -> Graph:
    g = Graph()
    for name in GENERATED:
        if name.endswith(".md"):
            continue
        g.parse(REPO / name, format="turtle")
    return g


@pytest.mark.parametrize("name", GENERATED)
def test_committed_output_is_what_the_importers_make(rerun: tuple[Path, list[Report]], name: str) -> None:
    root, _ = rerun
    assert (root / name).read_bytes() == (REPO / name).read_bytes(), f"rerun `migkg import` for {name}"


def test_every_un_member_and_observer_state_with_codes(data: Graph) -> None:
    states = set(data.subjects(ORG.classification, URIRef("https://w3id.org/migkg/concept/actor-type/state")))
    members = set(data.subjects(MIG.unStatus, Literal("member state")))
    observers = set(data.subjects(MIG.unStatus, Literal("observer state")))
    assert len(members) == 193
    assert {str(s).rsplit("/", 1)[1] for s in observers} == {"holy-see", "state-of-palestine"}
    for state in members | observers:
        place = data.value(state, DCTERMS.spatial)
        codes = [data.value(place, p) for p in (MIG.iso3166Alpha2, MIG.iso3166Alpha3, MIG.iso3166Numeric,
                                                 MIG.m49Code, SKOS.broader)]
        assert all(c is not None for c in codes), state
        assert len(str(data.value(place, MIG.iso3166Numeric))) == 3
    historic = states - members - observers
    assert {str(s).rsplit("/", 1)[1] for s in historic} >= {"czechoslovakia", "ussr", "yugoslavia",
                                                             "german-democratic-republic"}


def test_historic_states_keep_their_own_nodes_and_successors(data: Graph) -> None:
    place = URIRef("https://w3id.org/migkg/concept/place/czechoslovakia")
    assert str(data.value(place, MIG.iso3166Alpha3)) == "CSK"
    assert data.value(place, MIG.codeWithdrawn) == Literal("1993-06-15", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    successors = set(data.objects(URIRef("https://w3id.org/migkg/id/org/czechoslovakia"), MIG.successor))
    assert {str(s).rsplit("/", 1)[1] for s in successors} == {"czechia", "slovakia"}


def test_every_state_and_country_label_is_a_name(data: Graph) -> None:
    # countries_match.xlsx holds numeric cells too: the Holy See once got the alternative label "1".
    states = set(data.subjects(ORG.classification, URIRef("https://w3id.org/migkg/concept/actor-type/state")))
    nodes = states | {data.value(s, DCTERMS.spatial) for s in states}
    nameless = {(str(n), str(o)) for n in nodes for p in (SKOS.prefLabel, SKOS.altLabel)
                for o in data.objects(n, p) if not any(ch.isalpha() for ch in str(o))}
    assert nameless == set()


@pytest.mark.parametrize(("label", "slug"), [
    ("Turkey", "turkiye"), ("Türkiye", "turkiye"), ("Macedonia", "north-macedonia"),
    ("Ivory Coast", "cote-d-ivoire"), ("East Timor", "timor-leste"), ("Cape Verde", "cabo-verde"),
    ("Swaziland", "eswatini"), ("East Germany", "german-democratic-republic"),
])
def test_names_people_search_for_are_labels(data: Graph, label: str, slug: str) -> None:
    state = URIRef(f"https://w3id.org/migkg/id/org/{slug}")
    labels = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in data.objects(state, p)}
    assert label in labels


def test_gcm_has_23_objectives_and_187_actions(data: Graph) -> None:
    objectives = set(data.subjects(MIG.commitmentText, None))
    assert len(objectives) == 23
    actions = {s for s in data.subjects(SKOS.broader, None) if "/action/" in str(s)}
    assert len(actions) == 187
    paragraphs = {int(data.value(o, MIG.paragraph)) for o in objectives}
    assert paragraphs == set(range(17, 40))
    action = URIRef("https://w3id.org/migkg/gcm/objective/1/action/f")
    assert str(data.value(action, SKOS.notation)) == "1(f)"
    assert "African Observatory for Migration and Development" in str(data.value(action, SKOS.definition))
    assert (action, RDF.type, MIG.Commitment) in data


def test_gcm_parser_names_the_line_of_a_broken_action() -> None:
    text = "# Objective 1\n## Title: T\nWe commit.\n## Associated actions\n- a. One.\nno letter here\n"
    with pytest.raises(GcmTextError, match=r":6: not a '- x. text' action line"):
        parse(text, "t.md")


def test_sdg_counts_and_un_iris(data: Graph) -> None:
    for kind, count in (("Goal", 17), ("Target", 169), ("Indicator", 232)):
        raw = Graph().parse(RAW / "sdg-kos" / "sdg-kos-goals-targets-indicators.turtle", format="turtle")
        assert len(set(raw.subjects(RDF.type, URIRef(SDGO + kind)))) == count
    targets = set(data.subjects(RDF.type, MIG.Commitment)) & set(
        data.subjects(SKOS.inScheme, URIRef("http://metadata.un.org/sdg")))
    assert len(targets) == 169
    assert URIRef("http://metadata.un.org/sdg/10.7") in targets


def _rows(treaty_file: str) -> list[dict[str, str]]:
    with (RAW / "un-hr-treaty-status" / treaty_file).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("treaty", TREATIES, ids=[t.slug for t in TREATIES])
def test_every_party_or_signatory_row_is_in_the_graph_or_reported(
        rerun: tuple[Path, list[Report]], data: Graph, treaty: object) -> None:
    from migkg.importers.treaties import Treaty

    assert isinstance(treaty, Treaty)
    _, reports = rerun
    report = next(r for r in reports if r.name == "treaties")
    derived = {str(o) for o in data.objects(None, PROV.wasDerivedFrom)}
    for row in read_rows(RAW / "un-hr-treaty-status" / treaty.file):
        kind, _ = classify(row)
        if kind == "none":
            continue
        iri = f"https://w3id.org/migkg/id/source/un-hr-treaty-status/{treaty.file}#row={row.number}"
        reported = any(f"{treaty.file} row {row.number} " in line for line in report.unmapped)
        assert (iri in derived) != reported, f"{treaty.file} row {row.number}"


def test_party_counts_match_the_raw_files(data: Graph) -> None:
    icmw = [r for r in _rows("hr_status_icmw.csv") if r["status"] == "state party"]
    parties = set(data.objects(URIRef("https://w3id.org/migkg/id/instrument/icrmw"), MIG.party))
    assert len(parties) == len(icmw) == 57


def test_every_imported_party_list_says_how_complete_it_is(data: Graph) -> None:
    for t in TREATIES:
        plist = data.value(URIRef(f"https://w3id.org/migkg/id/instrument/{t.slug}"), MIG.partyList)
        assert plist is not None, t.slug
        assert str(data.value(plist, MIG.listCompleteness)).endswith("/list-completeness/complete")
        assert str(data.value(plist, MIG.completeAsOf)) == "2022-08-25"
        assert data.value(plist, DCTERMS.source) is not None


def test_unmapped_rows_are_reported_row_by_row(rerun: tuple[Path, list[Report]]) -> None:
    _, reports = rerun
    unmapped = next(r for r in reports if r.name == "treaties").unmapped
    assert any("hr_status_op_crc_ic.csv row 116 (MS 'Montserrat')" in line for line in unmapped)
    assert any("hr_status_op_cedaw.csv row 194 (ZW 'Zimbabwe')" in line for line in unmapped)
    assert any("hr_status_op_crc_ic.csv: no usable row for the member state(s) gabon" in line
               for line in unmapped)


ILO = "https://w3id.org/migkg/id/instrument/"


def _ilo_rows() -> list[dict[str, str]]:
    with (RAW / "ilo-ratifications" / "ratifications.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_ilo_row_is_a_party_status_or_reported(rerun: tuple[Path, list[Report]], data: Graph) -> None:
    _, reports = rerun
    unmapped = next(r for r in reports if r.name == "ilo-ratifications").unmapped
    derived = {str(o) for o in data.objects(None, PROV.wasDerivedFrom)}
    rows = _ilo_rows()
    assert len(rows) == 111
    for number, row in enumerate(rows, start=2):
        iri = f"https://w3id.org/migkg/id/source/ilo-ratifications/ratifications.csv#row={number}"
        reported = any(f"ratifications.csv:{number}: " in line for line in unmapped)
        assert (iri in derived) != reported, f"ratifications.csv row {number} ({row['party_as_read']})"
    assert [line for line in unmapped if "Zanzibar" in line], "Zanzibar is named by NORMLEX: reported"


def test_ilo_party_statuses_carry_the_day_or_year_of_their_row(data: Graph) -> None:
    rows = {(r["convention"].lower(), r["party_as_read"]): r for r in _ilo_rows()}
    albania = URIRef("https://w3id.org/migkg/id/party-status/ilo-c097-albania")
    assert str(data.value(albania, MIG.statusDate)) == rows[("c097", "Albanie")]["date"] == "2005-03-02"
    assert data.value(albania, MIG.statusYear) is None
    norway = URIRef("https://w3id.org/migkg/id/party-status/ilo-c143-norway")
    assert str(data.value(norway, MIG.statusYear)) == rows[("c143", "Norway")]["year"] == "1979"
    assert str(data.value(norway, DCTERMS.source)).startswith("https://normlex.ilo.org/")
    for status in data.subjects(MIG.ofInstrument, URIRef(ILO + "ilo-c143")):
        assert data.value(status, DCTERMS.source) is not None, status


@pytest.mark.parametrize(("convention", "parties"), [("ilo-c097", 51), ("ilo-c143", 25), ("ilo-c189", 33)])
def test_ilo_parties_are_the_mapped_rows(data: Graph, convention: str, parties: int) -> None:
    code = convention.rsplit("-", 1)[1].upper()
    rows = [r for r in _ilo_rows() if r["convention"] == code
            and r["party_as_read"] not in ("United Republic of Tanzania.Zanzibar", "Joegoslavië")]
    found = set(data.objects(URIRef(ILO + convention), MIG.party))
    assert len(found) == len(rows) == parties
    assert URIRef("https://w3id.org/migkg/id/org/yugoslavia") not in found  # a former party: status only


def test_ilo_party_lists_say_what_they_rest_on(data: Graph) -> None:
    def plist(slug: str) -> URIRef:
        node = data.value(URIRef(ILO + slug), MIG.partyList)
        assert isinstance(node, URIRef)
        return node

    for slug in ("ilo-c097", "ilo-c143"):
        assert str(data.value(plist(slug), MIG.listCompleteness)).endswith("/partial")
        assert data.value(plist(slug), MIG.completeAsOf) is None
    assert "54 ratifications" in str(data.value(plist("ilo-c097"), RDFS.comment))
    assert "29th country" in str(data.value(plist("ilo-c143"), RDFS.comment))
    c189 = plist("ilo-c189")
    assert str(data.value(c189, MIG.listCompleteness)).endswith("/complete")
    assert str(data.value(c189, MIG.completeAsOf)) == "2020-10-05"
    swiss = [r for r in _ilo_rows() if r["convention"] == "C189" and r["date"] <= "2020-10-05" and r["date"]]
    assert len(swiss) == 30  # the whole Swiss table of 5 October 2020, Mexico (3 July 2020) the 30th
    assert str(data.value(c189, DCTERMS.source)) == swiss[0]["source"]


def test_sdg_notes_each_concept_and_language_once() -> None:
    """Three prefLabels @fr on one concept are one note (it printed one per moved label)."""
    from rdflib import Graph as RdfGraph

    from migkg.importers import sdg
    from migkg.importers.common import Report

    concept = "http://metadata.un.org/sdg/C1"
    kos = RdfGraph().parse(data=f"""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <{concept}> a <http://metadata.un.org/sdg/ontology#Indicator> ; skos:notation "1.1.1" ;
            skos:prefLabel "un"@fr, "deux"@fr, "trois trois"@fr, "one"@en .""", format="turtle")
    report = Report("sdg")
    graph = sdg.to_graph(kos, report)
    assert [n for n in report.notes if concept in n] == [
        f"{concept} has 3 prefLabels @fr: kept 'trois trois', the others as altLabel"]
    assert {str(o) for o in graph.objects(URIRef(concept), SKOS.altLabel)} == {"un", "deux"}
