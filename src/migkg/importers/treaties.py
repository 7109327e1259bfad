"""Treaty status for every UN member state: ``migkg import treaties``.

Reads the 18 vendored treaty-status files (``data/sources/raw/un-hr-treaty-status/hr_status_*.csv``,
one row per UN member state, extracted from the UN Treaty Collection) and writes, under
``data/imported/un-hr-treaty-status/``:

- ``instruments.ttl``: the 17 core instruments other than the ICRMW (curated in
  ``data/instruments/un.ttl``) with the titles of the dataset's README, and the party list of all 18,
  complete as of the snapshot (2022-08-25) for the UN member states according to the dataset;
- ``hr_status_<x>.ttl``: one ``mig:PartyStatus`` per party or signatory row (kind, year, the row's
  note, ``prov:wasDerivedFrom`` the row), and ``mig:party`` for each party that has not denounced.

Rows map to States by their ISO alpha-2 code (``TP`` → ``TL``, the withdrawn code of Timor-Leste).
Every row that cannot be mapped, or whose flags contradict its status, is reported row by row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from migkg.importers.common import (
    INSTRUMENT,
    ORGID,
    PARTY_LIST,
    PARTY_STATUS,
    RAW_DIR,
    Dataset,
    Report,
    csv_rows,
    dataset_iri,
    describe_dataset,
    new_graph,
    row_iri,
    write_turtle,
)
from migkg.namespaces import BASE, ELI, MIG

NAME = "un-hr-treaty-status"
DATASET_COMMIT = "fdb779e6a4a121c3024b4a72e72833a448a2b62d"
DATASET_URL = f"https://github.com/world-politics-datalab/humanrights-treaties-ratification-status/tree/{DATASET_COMMIT}"
UNTC = URIRef("https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-2&chapter=4&clang=_en")
SNAPSHOT = "2022-08-25"
#: Codes mapped by name: East Timor's withdrawn code → Timor-Leste; "S" (South Sudan in one file) → SS.
CODE_EXCEPTIONS = {"TP": "TL", "S": "SS"}
FIDH = URIRef("https://corporateaccountability.fidh.org/the-guide/intergovernmental-mechanisms/the-united-"
              "nations-system-for-the-promotion-and-protection-of-human-rights/united-nations-treaty-based-"
              "mechanisms/")
WWDA = URIRef("http://wwda.org.au/issues/unhrt/hrcore1/")
ARF = URIRef("https://abdulrehmanfoundation.com/international-human-rights-instruments/")
OHCHR_TABLE = URIRef("http://www.erooseveltudhr.org/index.php?option=com_content&view=category&id=55&Itemid=29")
_CONCEPT = BASE + "concept/"
DATASET = Dataset(
    NAME, "Core United Nations Human Rights Instruments: Their Ratification Status", "world-politics-datalab",
    "https://github.com/world-politics-datalab/humanrights-treaties-ratification-status",
    f"commit {DATASET_COMMIT}",
    rights="Licence not stated. Facts (parties, years) extracted by the authors from the UN Treaty "
           "Collection, which is cited as the primary source; imported and cited, not relicensed.",
    modified="2022-08-25")
_DENOUNCED = re.compile(r"[Dd]enounced\b.*?\b(\d{4})")


@dataclass(frozen=True)
class Treaty:
    """One treaty-status file: the instrument it covers and what the sources give about it."""

    file: str
    slug: str
    acronym: str
    readme_acronym: str
    adopted: str | None = None  # from FIDH, agreeing with the OHCHR table copy
    in_force: str | None = None  # from FIDH
    issuer_source: URIRef | None = None  # a page that says the UN General Assembly adopted it


TREATIES = (
    Treaty("hr_status_icerd.csv", "icerd", "ICERD", "ICERD", "1965-12-21", "1969-01-04", WWDA),
    Treaty("hr_status_iccpr.csv", "iccpr", "ICCPR", "ICCPR", "1966-12-16", "1976-03-23", ARF),
    Treaty("hr_status_icescr.csv", "icescr", "ICESCR", "ICESCR", "1966-12-16", "1976-01-03", ARF),
    Treaty("hr_status_cedaw.csv", "cedaw", "CEDAW", "CEDAW", "1979-12-18", "1981-09-03", ARF),
    Treaty("hr_status_cat.csv", "cat", "CAT", "CAT"),  # dates in FIDH, but its adopting organ unchecked
    Treaty("hr_status_crc.csv", "crc", "CRC", "CRC", "1989-11-20", "1990-09-02", ARF),
    Treaty("hr_status_icmw.csv", "icrmw", "ICRMW", "ICMW"),
    Treaty("hr_status_cped.csv", "cped", "CPED", "CPED"),
    Treaty("hr_status_crpd.csv", "crpd", "CRPD", "CRPD"),
    Treaty("hr_status_icescr_op.csv", "icescr-op", "ICESCR-OP", "ICESCR-OP"),
    Treaty("hr_status_iccpr_op1.csv", "iccpr-op1", "ICCPR-OP1", "ICCPR-OP1"),
    Treaty("hr_status_iccpr_op2.csv", "iccpr-op2", "ICCPR-OP2", "ICCPR-OP2"),
    Treaty("hr_status_op_cedaw.csv", "op-cedaw", "OP-CEDAW", "OP-CEDAW"),
    Treaty("hr_status_op_crc_ac.csv", "op-crc-ac", "OP-CRC-AC", "OP-CRC-AC"),
    Treaty("hr_status_op_crc_sc.csv", "op-crc-sc", "OP-CRC-SC", "OC-CRC-SC"),
    Treaty("hr_status_op_crc_ic.csv", "op-crc-ic", "OP-CRC-IC", "OP-CRC-IC"),
    Treaty("hr_status_opcat.csv", "opcat", "OP-CAT", "OP-CAT"),
    Treaty("hr_status_op_crpd.csv", "op-crpd", "OP-CRPD", "OP-CRPD"),
)
CURATED_ELSEWHERE = {"icrmw"}  # the instrument node lives in data/instruments/un.ttl


@dataclass(frozen=True)
class Row:
    """One state row, its 1-based row number and what it says."""

    number: int
    code: str
    member: str
    party: str
    year: str
    signatory: str
    no_action: str
    status: str
    note: str


def read_rows(path: Path) -> list[Row]:
    """The rows of one status file (header = row 1; some files have no ``note`` column)."""
    return [
        Row(n, r["iso2"].strip(), " ".join(r["member"].split()), r["state party"].strip(),
            r["year ratification or accession"].strip(), r["signatory"].strip(),
            r["no action"].strip(), r["status"].strip(), " ".join((r.get("note") or "").split()))
        for n, r in csv_rows(path, encoding="utf-8-sig")
    ]


def readme_titles(path: Path) -> dict[str, str]:
    """README acronym → title, from its "- **ACRONYM**: *Title* (year)" lines."""
    found = re.findall(r"^- \*\*([A-Z0-9-]+)\*\*: \*(.+?)\* \(\d{4}\)", path.read_text(encoding="utf-8"),
                       re.MULTILINE)
    return dict(found)


def states_by_alpha2(root: Path) -> tuple[dict[str, str], set[str]]:
    """Current States by ISO alpha-2 (from the generated places and States), and the UN members' slugs."""
    g = Graph()
    g.parse(root / "data" / "places" / "countries.ttl", format="turtle")
    g.parse(root / "data" / "actors" / "states.ttl", format="turtle")
    out: dict[str, str] = {}
    for place, code in g.subject_objects(MIG.iso3166Alpha2):
        if (place, MIG.iso3166Alpha4, None) in g:
            continue  # a historic State's withdrawn code
        for state in g.subjects(DCTERMS.spatial, place):
            out[str(code)] = str(state).rsplit("/", 1)[1]
    members = {str(s).rsplit("/", 1)[1] for s in g.subjects(MIG.unStatus, Literal("member state"))}
    return out, members


def classify(row: Row) -> tuple[str | None, str | None]:
    """The kind a row supports ("party", "signatory", "none", or None if ambiguous) and a warning."""
    flags = (row.party, row.signatory, row.no_action)
    if row.status == "state party" and row.year:
        expected = ("1", "0", "0")
        warn = None if flags == expected else (
            f"flags (state party, signatory, no action) = {flags} contradict status 'state party'; "
            f"imported as party from the status and the year {row.year}")
        return "party", warn
    if row.status == "state party":
        return None, f"status 'state party' with no year and flags {flags}: not imported"
    if row.status == "signatory state":
        warn = None if flags == ("0", "1", "0") else f"flags {flags} contradict status 'signatory state'"
        return "signatory", warn
    if row.status == "no action":
        warn = None if flags == ("0", "0", "1") else (
            f"flags {flags} contradict status 'no action'; read as no action")
        return "none", warn
    return None, f"unknown status {row.status!r}: not imported"


def _instrument_graph(treaties: tuple[Treaty, ...], titles: dict[str, str],
                      missing: dict[str, list[str]]) -> Graph:
    g = new_graph()
    describe_dataset(g, DATASET)
    source = URIRef(DATASET_URL)
    for t in treaties:
        inst = INSTRUMENT[t.slug]
        plist = PARTY_LIST[t.slug]
        g.add((inst, MIG.partyList, plist))
        g.add((plist, RDF.type, MIG.PartyList))
        g.add((plist, SKOS.prefLabel, Literal(f"Party list of {t.acronym}", lang="en")))
        g.add((plist, MIG.listCompleteness, URIRef(_CONCEPT + "list-completeness/complete")))
        g.add((plist, MIG.completeAsOf, Literal(SNAPSHOT, datatype=XSD.date)))
        g.add((plist, MIG.coverage, Literal(
            "UN member states (193) only: the Holy See, the State of Palestine and other non-members "
            "are not covered.", lang="en")))
        g.add((plist, RDFS.comment, Literal(
            f"Complete as of {SNAPSHOT} (the dataset's last commit) for the UN member states according to "
            f"the world-politics-datalab treaty-status dataset ({t.file}), extracted from the UN Treaty "
            "Collection: each member state's row says party (with the year of ratification or "
            "accession), signatory or no action. A member state without a party status was not a party "
            "nor a signatory in that snapshot.", lang="en")))
        if missing.get(t.slug):
            g.add((plist, SKOS.editorialNote, Literal(
                f"The file has no row for {', '.join(missing[t.slug])}: the list is complete for the "
                "other member states only.", lang="en")))
        g.add((plist, DCTERMS.source, source))
        g.add((plist, DCTERMS.source, UNTC))
        g.add((plist, PROV.wasDerivedFrom, URIRef(f"{dataset_iri(NAME)}/{t.file}")))
        if t.slug in CURATED_ELSEWHERE:
            continue
        title = titles[t.readme_acronym]
        g.add((inst, RDF.type, MIG.DocumentaryInstrument))
        g.add((inst, SKOS.prefLabel, Literal(title, lang="en")))
        g.add((inst, SKOS.altLabel, Literal(t.acronym, lang="en")))
        protocol = "Protocol" in title
        g.add((inst, MIG.instrumentType, URIRef(_CONCEPT + ("instrument-type/protocol" if protocol
                                                            else "instrument-type/treaty"))))
        g.add((inst, MIG.governanceLevel, URIRef(_CONCEPT + "governance-level/global")))
        g.add((inst, MIG.legalNature, URIRef(_CONCEPT + "legal-nature/binding")))
        g.add((inst, MIG.issuedBy, ORGID["un-general-assembly"]))
        g.add((inst, ELI.jurisdiction, URIRef(_CONCEPT + "place/world")))
        g.add((inst, DCTERMS.source, UNTC))
        g.add((inst, DCTERMS.source, source))
        comment = ("One of the 18 core UN human-rights instruments of the treaty-status dataset; title as in "
                   "its README.")
        if t.adopted and t.in_force and t.issuer_source:
            g.add((inst, ELI.date_document, Literal(t.adopted, datatype=XSD.date)))
            g.add((inst, ELI.first_date_entry_in_force, Literal(t.in_force, datatype=XSD.date)))
            for page in (FIDH, OHCHR_TABLE, t.issuer_source):
                g.add((inst, DCTERMS.source, page))
            comment += (" Adopted by the UN General Assembly; adoption and entry-into-force dates as the "
                        "FIDH guide gives them (the adoption date also in a copy of the OHCHR table of core "
                        "instruments). Secondary sources: re-check on the UN Treaty Collection.")
            status = "verified"
        else:
            comment += (" UNVERIFIED: its adopting organ (the UN General Assembly) and its adoption and "
                        "entry-into-force dates are not checked against a source here, so no date is "
                        "encoded.")
            status = "unverified"
        g.add((inst, RDFS.comment, Literal(comment, lang="en")))
        g.add((inst, MIG.curationStatus, URIRef(_CONCEPT + f"curation-status/{status}")))
    return g


def _status_graph(t: Treaty, rows: list[Row], states: dict[str, str], members: set[str],
                  report: Report, missing: dict[str, list[str]]) -> Graph:
    g = new_graph()
    inst = INSTRUMENT[t.slug]
    parties = signatories = none = 0
    seen: dict[str, int] = {}
    for row in rows:
        kind, warning = classify(row)
        where = f"{t.file} row {row.number} ({row.code} {row.member!r})"
        code = CODE_EXCEPTIONS.get(row.code, row.code)
        slug = states.get(code)
        if slug is None:
            report.unmapped.append(f"{where}: code {row.code!r} is not the ISO 3166-1 alpha-2 code of a "
                                   f"current State; {kind or 'ambiguous'} row not imported")
            continue
        if slug in seen:
            report.unmapped.append(f"{where}: second row for {slug} (first: row {seen[slug]}); not imported")
            continue
        if kind is None:
            report.unmapped.append(f"{where}: {warning}")
            continue  # its State counts as having no usable row
        seen[slug] = row.number
        if warning:
            report.notes.append(f"{where}: {warning}")
        if kind == "none":
            none += 1
            continue
        if code != row.code:
            report.notes.append(f"{where}: withdrawn code {row.code} mapped to {code} ({slug})")
        node = PARTY_STATUS[f"{t.slug}-{slug}"]
        g.add((node, RDF.type, MIG.PartyStatus))
        g.add((node, MIG.ofInstrument, inst))
        g.add((node, MIG.partyState, ORGID[slug]))
        g.add((node, DCTERMS.source, UNTC))
        g.add((node, DCTERMS.source, URIRef(DATASET_URL)))
        g.add((node, PROV.wasDerivedFrom, row_iri(NAME, t.file, row.number)))
        if row.note:
            g.add((node, MIG.sourceNote, Literal(row.note)))
        if kind == "signatory":
            signatories += 1
            g.add((node, MIG.statusKind, Literal("signature")))
            g.add((node, RDFS.comment, Literal("Signatory that had not ratified in the snapshot; the "
                                               "source gives no date of signature.", lang="en")))
            continue
        parties += 1
        g.add((node, MIG.statusKind, Literal("ratification-or-accession")))
        g.add((node, MIG.statusYear, Literal(row.year, datatype=XSD.gYear)))
        g.add((node, RDFS.comment, Literal(
            "Year of ratification or accession (the source does not distinguish the two).", lang="en")))
        denounced = _DENOUNCED.search(row.note)
        if denounced:
            g.add((node, MIG.denunciationYear, Literal(denounced.group(1), datatype=XSD.gYear)))
            report.notes.append(f"{where}: denounced in {denounced.group(1)} (note {row.note!r}): party "
                                "status kept with its denunciation year, no mig:party")
        else:
            g.add((inst, MIG.party, ORGID[slug]))
    report.counts[f"{t.acronym} parties"] = parties
    report.counts[f"{t.acronym} signatories"] = signatories
    report.counts[f"{t.acronym} no action"] = none
    missing[t.slug] = sorted(members - set(seen))
    if missing[t.slug]:
        names = ", ".join(missing[t.slug])
        report.unmapped.append(f"{t.file}: no usable row for the member state(s) {names}")
    return g


HEADER = """Generated by `migkg import treaties` from data/sources/raw/un-hr-treaty-status/{file}
(world-politics-datalab, commit {commit}, extracted from the UN Treaty Collection): do not edit; rerun
the importer. {what}"""


def run(root: Path) -> Report:
    """Write the instruments, party lists and party statuses; return the row-by-row report."""
    report = Report("treaties")
    raw = root / RAW_DIR / NAME
    titles = readme_titles(raw / "README.md")
    states, members = states_by_alpha2(root)
    out = root / "data" / "imported" / NAME
    rows_total = 0
    missing: dict[str, list[str]] = {}
    for t in TREATIES:
        rows = read_rows(raw / t.file)
        rows_total += len(rows)
        graph = _status_graph(t, rows, states, members, report, missing)
        write_turtle(graph, out / t.file.replace(".csv", ".ttl"), HEADER.format(
            file=t.file, commit=DATASET_COMMIT,
            what=f"{t.acronym}: one mig:PartyStatus per party or signatory row; mig:party per party."))
    write_turtle(_instrument_graph(TREATIES, titles, missing), out / "instruments.ttl", HEADER.format(
        file="README.md", commit=DATASET_COMMIT,
        what="The core instruments (the ICRMW is curated in data/instruments/un.ttl) and their party lists."))
    report.counts["rows"] = rows_total
    return report
