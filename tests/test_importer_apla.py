"""`migkg import apla`: one instrument per (country, cited instrument), on the real file and broken copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

pytest.importorskip("ftfy", reason="the importers need the 'import' extra (ftfy)")

from importer_helpers import pycountry_states

from migkg.importers.apla import (
    DATA_FILE,
    curated_national,
    decode_mixed,
    import_apla,
    parse_citation,
    write_apla,
)
from migkg.importers.common import ImportFailure, StateIndex
from migkg.namespaces import ELI, MIG

ROOT = Path(__file__).parents[1]
RAW = ROOT / "data" / "sources" / "raw" / "apla"
INST = "https://w3id.org/migkg/id/instrument/"
IT = "https://w3id.org/migkg/concept/instrument-type/"
SLUGS = {"ECU": "ecuador", "COL": "colombia", "BOL": "bolivia"}


def _states() -> tuple[Graph, StateIndex]:
    graph = pycountry_states(SLUGS)
    return graph, StateIndex(graph)


@pytest.fixture(scope="module")
def real() -> Any:
    graph, states = _states()
    graph.parse(ROOT / "data" / "instruments" / "ecuador.ttl")
    return import_apla(RAW, states, curated_national(graph, states))


def _instruments(result: Any) -> set[Any]:
    return set(result.graph.subjects(MIG.instrumentType, None))


def test_one_instrument_per_cited_instrument_not_per_row(real: Any) -> None:
    assert real.summary.counts["rows read (country-years)"] == 588
    decree = URIRef(INST + "colombia-2015-decree-1067")
    assert decree in _instruments(real)
    citations = set(real.graph.subjects(MIG.citedInstrument, decree))
    assert len(citations) > 10  # cited for many indicators and years, still one instrument
    first = {str(y) for c in citations for y in real.graph.objects(c, MIG.firstCodedYear)}
    last = {str(y) for c in citations for y in real.graph.objects(c, MIG.lastCodedYear)}
    assert "2015" in first
    assert "2020" in last
    labels = [str(o) for o in real.graph.objects(None, SKOS.prefLabel)]
    assert len(labels) == len(set(labels))
    assert real.summary.counts["instruments"] == len(_instruments(real)) + real.summary.counts[
        "instruments reconciled with a curated record (owl:sameAs)"]


def test_types_and_dates_as_the_citation_gives_them(real: Any) -> None:
    kinds = {str(t).rsplit("/", 1)[-1] for t in real.graph.objects(None, MIG.instrumentType)}
    assert kinds == {"law", "decree", "constitution", "regulation", "resolution"}
    full = URIRef(INST + "ecuador-1987-decree-3293")  # "Decree 3293 of September 30 1987"
    assert set(real.graph.objects(full, ELI.date_document)) == {Literal("1987-09-30", datatype=XSD.date)}
    assert list(real.graph.objects(full, MIG.datePrecision)) == []
    year_only = URIRef(INST + "bolivia-2012-law-251")
    assert set(real.graph.objects(year_only, ELI.date_document)) == {Literal("2012-01-01", datatype=XSD.date)}
    assert set(real.graph.objects(year_only, MIG.datePrecision)) == {Literal("year")}
    undated = [i for i in _instruments(real) if "normative-resolution" in str(i)]
    assert undated
    assert all((i, ELI.date_document, None) not in real.graph for i in undated)


def test_articles_and_indicators_are_kept_as_evidence(real: Any) -> None:
    decree = URIRef(INST + "colombia-2015-decree-1067")
    assert Literal("Art. 2.2.3.1.6.5.") in set(real.graph.objects(decree, MIG.citedArticle))
    citation = URIRef("https://w3id.org/migkg/id/source/apla-2022/citation/colombia-2015-decree-1067--q200")
    assert (citation, RDF.type, MIG.Citation) in real.graph
    (indicator,) = real.graph.objects(citation, MIG.groundsIndicator)
    assert str(indicator).startswith("Q200: Does this track afford protection")


def test_constitutions_cited_in_several_ways_are_one(real: Any) -> None:
    # "Constitution of Mexico 1917, Art. 11 (reformed ...)" and "Mexican Constitution of 1917".
    mexico = [i for i in _instruments(real) if "/mex-1917-constitution" in str(i)]
    assert len(mexico) == 1


def test_court_decisions_and_unreadable_text_are_reported(real: Any) -> None:
    kinds = {p.kind for p in real.summary.problems}
    assert "court decision (not imported)" in kinds
    unreadable = [p.message for p in real.summary.problems if p.kind == "unreadable citation"]
    assert "Costa Rica: '114' (10 rows)" in unreadable


def test_curated_records_are_one_iri_and_keep_their_facts(real: Any) -> None:
    own = URIRef(INST + "ecuador-2017-law-of-human-mobility")
    curated = URIRef(INST + "ecuador-lomh-2017")
    assert set(real.graph.objects(own, OWL.sameAs)) == {curated}
    assert set(real.graph.objects(URIRef(INST + "ecuador-2017-rule-of-law-of-human-mobility"), OWL.sameAs)) == {
        URIRef(INST + "ecuador-lomh-reglamento-2017")}
    for predicate in (SKOS.prefLabel, MIG.instrumentType, ELI.date_document, MIG.curationStatus):
        assert (curated, predicate, None) not in real.graph
    assert (curated, DCTERMS.source, URIRef("https://w3id.org/migkg/id/source/apla-2022")) in real.graph
    assert set(real.graph.subjects(MIG.citedInstrument, curated))


def test_every_instrument_is_sourced_and_unverified(real: Any) -> None:
    for inst in _instruments(real):
        assert (inst, DCTERMS.source, URIRef("https://w3id.org/migkg/id/source/apla-2022")) in real.graph
        assert (inst, MIG.curationStatus, URIRef(
            "https://w3id.org/migkg/concept/curation-status/unverified")) in real.graph
        assert (inst, DCTERMS.title, None) not in real.graph  # labels are generated, never titles


def test_parse_citation_splits_instruments_and_articles() -> None:
    found, rest = parse_citation("Law 5 of 1977, Decree 100 of 1981, Resolution N.461 of 1984")
    assert [(c.instrument.kind, c.instrument.number) for c in found] == [
        ("law", "5"), ("decree", "100"), ("resolution", "461")]
    assert rest == []
    found, _ = parse_citation("Rules of Law of Human Mobility of 2017, Art. 75")
    assert (found[0].instrument.kind, found[0].articles) == ("regulation", "Art. 75")
    found, rest = parse_citation("https://treaties.un.org/Pages/ViewDetails.aspx?src=IND")
    assert (found, rest) == ([], [])


# --- broken copies -------------------------------------------------------------------------


def _copy(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    folder = tmp_path / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DATA_FILE).write_bytes(text.encode(encoding, errors="replace"))
    return folder


def _head(rows: int) -> str:
    text, _ = decode_mixed((RAW / DATA_FILE).read_bytes())
    return "".join(text.splitlines(keepends=True)[: 2 + rows])


def test_broken_missing_columns_fail_naming_the_file(tmp_path: Path) -> None:
    text = "Q1,Q2\n" + "\n".join(_head(3).splitlines()[1:])
    with pytest.raises(ImportFailure, match="no source columns") as caught:
        import_apla(_copy(tmp_path, text), _states()[1])
    assert caught.value.file.endswith(DATA_FILE)


def test_broken_unknown_country_and_bad_year_lose_only_their_rows(tmp_path: Path) -> None:
    lines = _head(6).splitlines(keepends=True)
    lines[3] = lines[3].replace("Argentina", "Atlantis", 1)
    lines[4] = lines[4].replace("Argentina,1992", "Argentina,19x2", 1)
    result = import_apla(_copy(tmp_path, "".join(lines)), _states()[1])
    problems = {(p.row, p.kind, p.skipped) for p in result.summary.problems}
    assert ("4", "unmapped country", True) in problems
    assert ("5", "bad year", True) in problems
    assert result.summary.counts["instruments"] > 0  # the four good rows still give their instruments


def test_broken_wrong_encoding_is_refused_with_file_and_row(tmp_path: Path) -> None:
    with pytest.raises(ImportFailure, match="wrong encoding") as caught:
        import_apla(_copy(tmp_path, _head(3), "utf-16"), _states()[1])
    assert caught.value.row == "1"


def test_latin1_copy_gives_the_same_graph_as_utf8(tmp_path: Path) -> None:
    text, _ = decode_mixed((RAW / DATA_FILE).read_bytes())
    lines = text.splitlines(keepends=True)
    sample = "".join(lines[:2] + lines[180:190])  # Costa Rica: "N° DJUR-0190-12-2020-JM", accents
    sample = "".join(c if ord(c) < 256 else " " for c in sample)
    assert any(127 < ord(c) < 256 for c in sample)
    latin = write_apla(import_apla(_copy(tmp_path / "a", sample, "latin-1"), _states()[1]), tmp_path / "out-a")
    utf8 = write_apla(import_apla(_copy(tmp_path / "b", sample), _states()[1]), tmp_path / "out-b")
    assert [p.read_bytes() for p in latin] == [p.read_bytes() for p in utf8]
    again = write_apla(import_apla(_copy(tmp_path / "a", sample, "latin-1"), _states()[1]), tmp_path / "out-a")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in latin]


def test_ratifications_in_comments_are_checked_against_treaty_status(tmp_path: Path) -> None:
    _, states = _states()
    argentina = "https://w3id.org/migkg/id/org/arg"  # pycountry_states: slug = alpha-3
    cat = URIRef("https://w3id.org/migkg/id/party-status/cat-argentina")
    crc = URIRef("https://w3id.org/migkg/id/party-status/crc-argentina")
    status = {("cat", argentina): (cat, 1986), ("crc", argentina): (crc, 1999)}
    result = import_apla(_copy(tmp_path, _head(31)), states, None, status)
    # CAT: "Signed on February 4th 1985, Ratified on September 24th 1986": agrees, APLA becomes a source.
    assert (cat, DCTERMS.source, URIRef("https://w3id.org/migkg/id/source/apla-2022")) in result.graph
    # CRC: APLA says 1990, the (made-up) status says 1999: reported, nothing added.
    assert (crc, None, None) not in result.graph
    disagreements = [p.message for p in result.summary.problems
                     if p.kind == "ratification disagrees with treaty-status data"]
    assert any("Q17" in m and "APLA says 1990" in m and "says 1999" in m for m in disagreements)
    # The 1951 Refugee Convention has no treaty-status data: reported as not checkable.
    assert any(p.kind == "ratification not checkable" and "Q5" in p.message for p in result.summary.problems)


def test_q19_is_the_armed_conflict_protocol_as_its_dates_show() -> None:
    """APLA's Q19 ("the Optional Protocol to the CRC") is OP-CRC-AC: its comments' years are that protocol's.

    The communications-procedure protocol (OP-CRC-IC, 2011) cannot be meant: APLA dates signatures in
    2000-2001. With Q19 on OP-CRC-AC, APLA agrees with the treaty-status data and becomes a source of
    those statuses; only Brazil (APLA 2002, the UN data 2004) is left as a disagreement.
    """
    from migkg.importers.apla import TREATY_QUESTIONS

    assert TREATY_QUESTIONS["Q19"][1] == "op-crc-ac"
    graph = Graph().parse(ROOT / "data" / "imported" / "apla" / "instruments.ttl")
    apla = URIRef("https://w3id.org/migkg/id/source/apla-2022")
    sourced = {str(s).rsplit("/", 1)[1] for s in graph.subjects(DCTERMS.source, apla)
               if "/party-status/op-crc-" in str(s)}
    assert {"op-crc-ac-argentina", "op-crc-ac-chile", "op-crc-ac-colombia", "op-crc-ac-costa-rica",
            "op-crc-ac-cuba", "op-crc-ac-dominican-republic"} <= sourced
    assert not {s for s in sourced if s.startswith("op-crc-ic-")}
    summary = (ROOT / "data" / "imported" / "apla" / "SUMMARY.md").read_text(encoding="utf-8")
    q19 = [line for line in summary.splitlines() if "disagrees" in line and "Q19" in line]
    assert len(q19) == 1
    assert "Brazil" in q19[0]
