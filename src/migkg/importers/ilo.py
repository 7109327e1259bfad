"""Ratifications of ILO C097, C143 and C189 as the stored sources give them: ``migkg import ilo``.

Reads ``data/sources/raw/ilo-ratifications/ratifications.csv``: one row per State and convention,
each quoted from one source (NORMLEX's ratification table, NORMLEX comment pages that name the
ratification year, national treaty databases, ILO and other news), with the source's URL and kind
(see PROVENANCE.md there). Writes ``data/imported/ilo-ratifications/ilo.ttl``: one ``mig:PartyStatus``
per row (kind, day or year as the row gives it, the row's note, ``prov:wasDerivedFrom`` the row),
``mig:party`` for each current party, and the three party lists with their completeness.

A name is mapped onto a State by its ISO alpha-3 code (:data:`ALPHA3`), never guessed: a name
missing from the table, or one that names no State of the graph (Zanzibar), is reported row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from migkg.importers.common import (
    INSTRUMENT,
    PARTY_LIST,
    PARTY_STATUS,
    RAW_DIR,
    Dataset,
    Problem,
    Report,
    StateIndex,
    Summary,
    csv_rows,
    describe_dataset,
    generated_header,
    load_graph,
    new_graph,
    row_iri,
    write_outputs,
)
from migkg.namespaces import BASE, MIG

NAME = "ilo-ratifications"
FILE = "ratifications.csv"
COLUMNS = ("convention", "section", "party_as_read", "date", "year", "status_as_read", "note_as_read",
           "source", "source_kind", "also_source")
LC = BASE + "concept/list-completeness/"
NORMLEX_C097 = ("http://ilo.org/dyn/normlex/fr/f?p=NORMLEXPUB%3A11300%3A0%3A%3ANO%3A11300%3AP11300_INSTRUMENT_ID"
                "%3A312242%3ANO")
SWISS_C189 = "https://lexaris.io/book/version/documentflat/head/229609"
NIGERIA_C143 = "https://www.miragenews.com/nigeria-ratifies-ilo-conventions-on-migrant-975818/"
DATASET = Dataset(
    NAME, "Ratifications of ILO C097, C143 and C189, as read from stored copies of NORMLEX and other pages",
    "migkg (research note of 2026-12-01, research-note.md beside the CSV)", "https://normlex.ilo.org/",
    "ratifications.csv of 2026-12-01: the rows the research note quotes, one source each",
    rights="Facts (parties, dates) as the ILO (NORMLEX) and the other sources named on each row publish "
           "them; each party status cites its own source. Read from stored copies, not from the live pages.")

#: The names as the sources write them (French NORMLEX, German Swiss table, Dutch databases, English
#: and Spanish NORMLEX pages) → ISO 3166 alpha-3. ``None``: named as a party, but no State of the graph.
ALPHA3: dict[str, str | None] = {
    "Albanie": "ALB", "Algérie": "DZA", "Allemagne": "DEU", "Arménie": "ARM", "Bahamas": "BHS",
    "Barbade": "BRB", "Belgique": "BEL", "Belize": "BLZ", "Bosnie-Herzégovine": "BIH", "Brésil": "BRA",
    "Burkina Faso": "BFA", "Cameroun": "CMR", "Chypre": "CYP", "Comores": "COM",
    "Congo": "COG",  # NORMLEX (French) "Congo" is the Republic of the Congo; see the row's note
    "Cuba": "CUB", "Dominique": "DMA", "Equateur": "ECU", "Espagne": "ESP", "France": "FRA",
    "Grenade": "GRD", "Guatemala": "GTM", "Guyana": "GUY", "Israël": "ISR", "Italie": "ITA",
    "Jamaïque": "JAM", "Kenya": "KEN", "Kirghizistan": "KGZ",
    "Madagascar": "MDG", "Malawi": "MWI", "Malaysia": "MYS", "Sierra Leone": "SLE", "Montenegro": "MNE",
    "Mauritius": "MUS", "Morocco": "MAR", "Republic of Moldova": "MDA", "Netherlands": "NLD",
    "New Zealand": "NZL", "Nigeria": "NGA", "North Macedonia": "MKD", "Norway": "NOR",
    "Philippines": "PHL", "Portugal": "PRT", "Santa Lucía": "LCA", "Serbia": "SRB", "Slovenia": "SVN",
    "Tajikistan": "TJK", "Trinidad and Tobago": "TTO", "United Republic of Tanzania.Zanzibar": None,
    "Uruguay": "URY", "Venezuela (Bolivarian Republic of)": "VEN", "Zambia": "ZMB", "Joegoslavië": "YUG",
    "Albania": "ALB", "Armenia": "ARM", "Benin": "BEN", "Bosnia and Herzegovina": "BIH",
    "Cameroon": "CMR", "Guinea": "GIN", "Italy": "ITA", "San Marino": "SMR", "Sweden": "SWE",
    "Togo": "TGO", "Uganda": "UGA", "Cyprus": "CYP",
    "Argentinien": "ARG", "Belgien": "BEL", "Bolivien": "BOL", "Brasilien": "BRA", "Chile": "CHL",
    "Costa Rica": "CRI", "Deutschland": "DEU", "Dominikanische Republik": "DOM", "Ecuador": "ECU",
    "Finnland": "FIN", "Grenada": "GRD", "Irland": "IRL", "Italien": "ITA", "Jamaika": "JAM",
    "Kolumbien": "COL", "Madagaskar": "MDG", "Mexiko": "MEX", "Nicaragua": "NIC", "Panama": "PAN",
    "Paraguay": "PRY", "Peru": "PER", "Philippinen": "PHL", "Schweden": "SWE", "Schweiz": "CHE",
    "Südafrika": "ZAF", "Namibia": "NAM", "Malta": "MLT",
}
#: Rows that name a former party (a historic State): a status, but no current ``mig:party``.
FORMER = {("C097", "Joegoslavië")}


@dataclass(frozen=True)
class Convention:
    """A convention of the CSV, its instrument and what its party list can claim."""

    code: str
    slug: str
    label: str
    comment: str
    list_source: str
    complete_as_of: str | None = None
    coverage: str | None = None


CONVENTIONS = (
    Convention(
        "C097", "ilo-c097", "Party list of ILO C097",
        "Partial: NORMLEX's table 'Ratifications de C097' (stored copy, between 26 Oct 2023 and 26 Oct 2024) "
        "states 54 ratifications and 0 denunciations, but only its first 28 rows could be read (to "
        "Kyrgyzstan). The others encoded come from the Dutch treaty database (Madagascar, Malawi, "
        "Malaysia, with dates), NORMLEX comment pages that name the ratification year, news of Sierra "
        "Leone's deposit and inview.nl (Montenegro, by entry into force only). NORMLEX's 'United "
        "Republic of Tanzania.Zanzibar' (1964) is no State of the graph and is not encoded; Yugoslavia "
        "is recorded as a former party. A State missing here may well have ratified.",
        NORMLEX_C097),
    Convention(
        "C143", "ilo-c143", "Party list of ILO C143",
        "Partial: no NORMLEX ratification table for C143 is among the stored pages. 25 States are encoded, "
        "21 of them with the ratification year that NORMLEX's comment pages give, Portugal and Madagascar "
        "with the day (Portuguese labour ministry; ILO news), Nigeria and Sierra Leone from news, Cyprus "
        "and Montenegro from a Wikipedia mirror only. Nigeria was 'the 29th country' to ratify (23 March "
        "2023, ILO news as reprinted), so at least four States are missing.",
        NIGERIA_C143),
    Convention(
        "C189", "ilo-c189", "Party list of ILO C189",
        "Complete as of 5 October 2020 according to the Swiss SR table of the Convention's parties (30 "
        "States, ratification dates as printed; Mexico, 3 July 2020, was the 30th). Namibia (2020, NORMLEX), "
        "Malta (2021, news) and Sierra Leone (25 August 2021, news) ratified later; about 35 States had "
        "ratified by November 2021, so for a later date the list is partial.",
        SWISS_C189, "2020-10-05", "All parties, as the Swiss federal treaty table lists them."),
)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The CSV's rows with their 1-based row numbers; a file without the expected columns is refused."""
    from migkg.importers.common import ImportFailure

    if not path.is_file():
        raise ImportFailure(str(path), "file not found")
    rows = csv_rows(path)
    missing = [c for c in COLUMNS if rows and c not in rows[0][1]]
    if not rows or missing:
        raise ImportFailure(str(path), f"not the ratifications layout (missing columns {missing})", row="1")
    return rows


def import_ilo(root: Path) -> tuple[Graph, Summary]:
    """The party statuses and party lists of the three conventions, and what could not be mapped."""
    path = root / RAW_DIR / NAME / FILE
    states = StateIndex(load_graph([root / "data" / "places" / "countries.ttl",
                                    root / "data" / "actors" / "states.ttl"]))
    summary = Summary(f"ILO ratifications ({NAME}/{FILE})")
    graph = new_graph()
    describe_dataset(graph, DATASET)
    for number, row in read_rows(path):
        summary.count("rows")
        code, name = row["convention"], row["party_as_read"]
        convention = next((c for c in CONVENTIONS if c.code == code), None)
        if convention is None:
            summary.report(Problem(FILE, str(number), "unknown convention", code, skipped=True))
            continue
        if name not in ALPHA3:
            summary.report(Problem(FILE, str(number), "unmapped party", f"{name!r} is not in the name table",
                                   skipped=True))
            continue
        alpha3 = ALPHA3[name]
        record = states.get(alpha3) if alpha3 else None
        if record is None:
            summary.report(Problem(FILE, str(number), "unmapped party",
                                   f"{code} {name!r} ({row['year'] or row['date']}): no State of the graph "
                                   f"(alpha-3 {alpha3 or 'none'}); not mapped onto another State",
                                   skipped=True))
            continue
        _status(graph, convention, record.iri, number, row)
        if (code, name) in FORMER:
            summary.count(f"{code} former parties (status only)")
        else:
            graph.add((INSTRUMENT[convention.slug], MIG.party, record.iri))
            summary.count(f"{code} parties")
    for convention in CONVENTIONS:
        _party_list(graph, convention)
    return graph, summary


def _status(graph: Graph, convention: Convention, state: URIRef, number: int, row: dict[str, str]) -> None:
    node = PARTY_STATUS[f"{convention.slug}-{str(state).rsplit('/', 1)[1]}"]
    graph.add((node, RDF.type, MIG.PartyStatus))
    graph.add((node, MIG.ofInstrument, INSTRUMENT[convention.slug]))
    graph.add((node, MIG.partyState, state))
    graph.add((node, MIG.statusKind, Literal("ratification")))
    if row["date"]:
        graph.add((node, MIG.statusDate, Literal(row["date"], datatype=XSD.date)))
    elif row["year"]:
        graph.add((node, MIG.statusYear, Literal(row["year"], datatype=XSD.gYear)))
    graph.add((node, DCTERMS.source, URIRef(row["source"])))
    if row["also_source"]:
        graph.add((node, DCTERMS.source, URIRef(row["also_source"])))
    graph.add((node, PROV.wasDerivedFrom, row_iri(NAME, FILE, number)))
    when = row["date"] or row["year"] or "no ratification date given"
    parts = [f"As read: '{row['party_as_read']}', {when}"]
    if row["status_as_read"]:
        parts.append(f"status '{row['status_as_read']}'")
    text = ", ".join(parts) + f" ({row['source_kind']})."
    if row["note_as_read"]:
        note = row["note_as_read"]
        text += f" Note: {note}" + ("" if note.endswith((".", "'")) else ".")
    graph.add((node, RDFS.comment, Literal(text, lang="en")))


def _party_list(graph: Graph, convention: Convention) -> None:
    node = PARTY_LIST[convention.slug]
    graph.add((INSTRUMENT[convention.slug], MIG.partyList, node))
    graph.add((node, RDF.type, MIG.PartyList))
    graph.add((node, SKOS.prefLabel, Literal(convention.label, lang="en")))
    complete = convention.complete_as_of is not None
    graph.add((node, MIG.listCompleteness, URIRef(LC + ("complete" if complete else "partial"))))
    if convention.complete_as_of:
        graph.add((node, MIG.completeAsOf, Literal(convention.complete_as_of, datatype=XSD.date)))
    if convention.coverage:
        graph.add((node, MIG.coverage, Literal(convention.coverage, lang="en")))
    graph.add((node, RDFS.comment, Literal(convention.comment, lang="en")))
    graph.add((node, DCTERMS.source, URIRef(convention.list_source)))
    graph.add((node, PROV.wasDerivedFrom, DATASET.iri))


HEADER = generated_header("ilo", f"data/sources/raw/{NAME}/{FILE} (rows quoted from NORMLEX and other "
                                 "stored pages, one source each)")


def run(root: Path) -> Report:
    """Import and write ``data/imported/ilo-ratifications/`` (with SUMMARY.md); return the report."""
    graph, summary = import_ilo(root)
    write_outputs(root / "data" / "imported" / NAME, {"ilo": graph}, summary, HEADER)
    return Report(NAME, unmapped=[str(p) for p in summary.problems], counts=dict(summary.counts))
