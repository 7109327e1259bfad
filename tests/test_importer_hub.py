"""The Hub listing importer: the shared listing, its quirks, and malformed variants."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from typer.testing import CliRunner

from migkg.cli import app
from migkg.importers.hub import parse_listing, to_graph
from migkg.namespaces import MIG

LISTING = Path(__file__).parents[1] / "data" / "sources" / "hub-objective-23-listing.txt"
SOURCE = "https://w3id.org/migkg/id/source/hub-objective-23-listing"
TITLES = [
    "National Health and Immigration Strategic Plan",
    "Ecuador Organic Law on Human Mobility",
    "Declarations on Portability of Social Security Benefits for Migrant Workers in ASEAN",
    "African Union Guidelines on Developing Bilateral labour Agreements",
    "Guidance on Bilateral labour migration agreements",
    "African Migration Observatory",
    "Bilateral Labor Agreements between the Philippines and Germany",
]


@pytest.fixture(scope="module")
def text() -> str:
    return LISTING.read_text(encoding="utf-8")


def test_shared_listing_yields_the_seven_practices(text: str) -> None:
    listing = parse_listing(text)
    assert [p.title for p in listing.practices] == TITLES
    assert listing.problems == ()
    assert listing.objective == 23
    assert listing.objective_title is not None
    assert listing.objective_title.startswith("Strengthen international cooperation")


def test_submitters_are_kept_verbatim(text: str) -> None:
    submitters = [p.submitted_by for p in parse_listing(text).practices]
    assert submitters == ["Ms. Anqi ZHANG"] * 6 + ["Anonymous (not verified)"]


def test_truncated_paragraph_is_flagged_only_where_it_is(text: str) -> None:
    flagged = [p.title for p in parse_listing(text).practices if p.truncated]
    assert flagged == ["African Union Guidelines on Developing Bilateral labour Agreements"]


def test_multi_paragraph_description_keeps_every_paragraph(text: str) -> None:
    observatory = parse_listing(text).practices[5]
    assert len(observatory.paragraphs) == 2
    assert observatory.paragraphs[1].startswith("The African Migration Observatory will have")


def test_crlf_blank_lines_and_stray_whitespace_change_nothing(text: str) -> None:
    messy = "\r\n\r\n".join("   " + line + "\t " for line in text.splitlines())

    def content(listing_text: str) -> list[tuple[str, str, tuple[str, ...]]]:
        return [(p.title, p.submitted_by, p.paragraphs)
                for p in parse_listing(listing_text).practices]

    assert content(messy) == content(text)
    assert parse_listing(messy).problems == ()


def test_practice_without_title_is_reported_and_the_rest_kept(text: str) -> None:
    # Remove the Ecuador title: its "Submitted by" line now follows another "Submitted by" block.
    broken = text.replace("Ecuador Organic Law on Human Mobility\n", "", 1)
    listing = parse_listing(broken)
    assert [p.title for p in listing.practices] == [t for t in TITLES if "Ecuador" not in t]
    [problem] = listing.problems
    assert "no title" in problem.message
    assert problem.line == 5


def test_unreadable_submitter_line_is_reported_with_its_line(text: str) -> None:
    broken = text.replace("Submitted by Ms. Anqi ZHANG on\n\nIn Ecuador", "Submitted\n\nIn Ecuador")
    listing = parse_listing(broken)
    assert len(listing.practices) == 6
    [problem] = listing.problems
    assert (problem.line, problem.text) == (9, "Submitted")
    assert "Ecuador Organic Law on Human Mobility" in problem.message


def test_text_before_the_first_practice_is_reported(text: str) -> None:
    listing = parse_listing("Stray heading\n\n" + text)
    assert len(listing.practices) == 7
    assert [(p.line, p.text) for p in listing.problems] == [(1, "Stray heading")]


def test_missing_footer_leaves_objective_unknown(text: str) -> None:
    listing = parse_listing(text.rsplit("Subscribe to", 1)[0])
    assert listing.objective is None
    assert len(listing.practices) == 7


def test_graph_has_one_record_per_practice_linked_to_a_draft_instrument(text: str) -> None:
    graph = to_graph(parse_listing(text), SOURCE)
    records = set(graph.subjects(RDF.type, MIG.HubRecord))
    assert len(records) == 7
    for record in records:
        assert graph.value(record, MIG.listedUnder) == URIRef(
            "https://w3id.org/migkg/gcm/objective/23")
        instrument = graph.value(record, MIG.describes)
        assert graph.value(instrument, DCTERMS.source) == URIRef(SOURCE)
    anonymous = graph.value(predicate=MIG.submittedBy, object=Literal("Anonymous (not verified)"))
    assert anonymous is not None


def test_cli_writes_turtle_and_exits_1_when_a_record_is_skipped(tmp_path: Path, text: str) -> None:
    runner = CliRunner()
    good = runner.invoke(app, ["import", "hub", str(LISTING), "-o", str(tmp_path / "ok.ttl")])
    assert good.exit_code == 0
    assert len(set(Graph().parse(tmp_path / "ok.ttl").subjects(RDF.type, MIG.HubRecord))) == 7
    bad_file = tmp_path / "bad.txt"
    bad_file.write_text("Stray heading\n\n" + text, encoding="utf-8")
    bad = runner.invoke(app, ["import", "hub", str(bad_file), "-o", str(tmp_path / "bad.ttl")])
    assert bad.exit_code == 1
    assert "bad.txt:1: text before the first practice" in bad.stderr
    assert len(set(Graph().parse(tmp_path / "bad.ttl").subjects(RDF.type, MIG.HubRecord))) == 7
