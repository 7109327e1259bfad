"""Import the bilateral labour agreements of Chilton & Woda (2022) as bilateral instruments.

Reads ``BLAs_Formation_Data.dta`` (1,222 agreements: parties, year, dates, original dataset, language
copies), ``BLAs_Coding_Data.dta`` (570 coded agreements: title and provision flags) and
``countries_match.xlsx`` (name → ISO3). Every agreement becomes ``inst:bla-{treatyID}`` with its two
parties mapped onto the graph's States by alpha-3 code; the provision flags become ``mig:provides``
links into ``scheme:bla-provision`` (labels and definitions: the .dta variable labels, verbatim);
provisions that match a GCM objective give a ``mig:Claim`` with assertion method ``am:derived`` whose
triple is *not* asserted (a derived, unverified relation must not look verified to a plain query).

Nothing is dropped silently: a row whose party cannot be mapped is skipped and reported; a bad value
(date, flag) is reported and left out while the rest of the row is imported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, XSD

from migkg.importers.common import (
    CLAIM,
    INSTRUMENT,
    SOURCE,
    Dataset,
    ImportFailure,
    Problem,
    StateIndex,
    Summary,
    describe_dataset,
    generated_header,
    new_graph,
    slug,
    write_outputs,
)
from migkg.importers.countries import CountryMatcher
from migkg.namespaces import CONCEPT, ELI, GCM_OBJECTIVE, MIG, SCHEME

if TYPE_CHECKING:
    import pandas as pd

FORMATION_FILE = "BLAs_Formation_Data.dta"
CODING_FILE = "BLAs_Coding_Data.dta"
COUNTRIES_FILE = "countries_match.xlsx"

BLA = Dataset(
    "bla-chilton-woda", "Bilateral Labor Agreements data 1945-2020 (Chilton & Woda 2022)", "Chilton & Woda",
    "https://dataverse.harvard.edu/dataverse/BLA",
    "GitHub NarcisseChangom/BLAs-Migration-repo, commit bf23333924c0c96191b8843a1891129cc99123c4, "
    "folder DATA/",
    rights="Licence not stated: the replication repository carried an MIT licence file until commit 7b53eb0 "
           "(deleted); the Dataverse terms were not checked. Facts are imported and cited, not relicensed.",
    modified="2024-12-11", iri_name="bla-chilton-woda-2022")
DATASET = BLA.iri
PROVISION_SCHEME = SCHEME["bla-provision"]
PROVISION = CONCEPT["bla-provision/"]
DERIVED = CONCEPT["assertion-method/derived"]
UNVERIFIED = CONCEPT["curation-status/unverified"]
BLA_TYPE = CONCEPT["instrument-type/bilateral-labour-agreement"]
BILATERAL = CONCEPT["governance-level/bilateral"]
LABOUR_MIGRATION = CONCEPT["theme/labour-migration"]

FORMATION_COLUMNS = ("treatyID", "countryA", "countryB", "year", "datesigned", "ratified",
                     "copy_available", "dataset_original")
CODING_COLUMNS = ("treatyID", "agreement_title", "coded_orig_lang", "coded_google_translation")

#: copy_* columns of the formation file → BCP 47 tags (the dataset spells Portuguese "portugese").
COPY_LANGUAGES = {"copy_english": "en", "copy_french": "fr", "copy_german": "de", "copy_spanish": "es",
                  "copy_arabic": "ar", "copy_polish": "pl", "copy_russian": "ru", "copy_portugese": "pt"}

#: The coded provisions: the flags of BLAs_Coding_Data.dta that say what an agreement contains
#: (its numbered provisions (1)–(20c), plus the quota, automatic renewal, amendment and replacement
#: flags). The descriptive columns (duration, quota size, who recruits) are not provisions.
PROVISION_VARIABLES = (
    "intl_instr", "info_exch", "info_dissem", "govt_agencies", "joint_commit", "recruit_cost_mig",
    "recruit_auth", "labor_union_orig", "labor_union_dest", "labor_union_join", "emp_orgs", "ngos",
    "migrant_info", "prot_equal", "prot_women", "prot_women_det", "prot_other", "contract_req",
    "contract_standard", "contract_terms", "wage_prot", "housing_req", "housing_cond",
    "housing_monitor", "work_monitor", "passport", "social_security", "disputes_emp_mig",
    "mig_human_cap", "credentials", "remittances", "reintegration", "contract_renewal", "perm_resid",
    "quota", "autorenew", "past_bla_amend", "past_bla_replace",
)


@dataclass(frozen=True)
class Rule:
    """A provision → GCM objective mapping rule (the claim's rationale)."""

    variable: str
    objective: int
    rationale: str


#: The mapping rules (documented in data/README.md). Each rule cites the GCM text it rests on
#: (A/RES/73/195; objective n is set out in paragraph 16 + n).
RULES: tuple[Rule, ...] = (
    Rule("recruit_cost_mig", 6, "Provision (6a), the migrant does not pay recruitment fees, matches GCM "
         "Objective 6 (fair and ethical recruitment), action 22(c): prohibit recruiters and employers "
         "from charging or shifting recruitment fees or related costs to migrant workers."),
    Rule("recruit_auth", 6, "Provision (6b), the agents authorised to recruit are specified, matches GCM "
         "Objective 6 (fair and ethical recruitment), action 22(c): improve regulations on public and "
         "private recruitment agencies."),
    Rule("contract_req", 6, "Provision (11a), an employment contract is required, matches GCM Objective 6 "
         "(decent work), action 22(d): ensure that migrant workers are provided written contracts."),
    Rule("contract_standard", 6, "Provision (11b), a standard or model employment contract, matches GCM "
         "Objective 6 (decent work), action 22(d): ensure that migrant workers are provided written "
         "contracts."),
    Rule("passport", 6, "Provision (14), no confiscation of travel documents, matches GCM Objective 6 "
         "(decent work), action 22(h): prohibit the confiscation or non-consensual retention of travel "
         "or identity documents."),
    Rule("migrant_info", 3, "Provision (8), relevant information is provided to migrants, matches GCM "
         "Objective 3: provide accurate and timely information at all stages of migration."),
    Rule("mig_human_cap", 18, "Provision (17), human resource development and skills improvement, matches "
         "GCM Objective 18: invest in skills development and facilitate mutual recognition of skills, "
         "qualifications and competences."),
    Rule("credentials", 18, "Provision (18), recognition of skills and qualifications, matches GCM "
         "Objective 18: invest in skills development and facilitate mutual recognition of skills, "
         "qualifications and competences."),
    Rule("remittances", 20, "Provision (19), transfer of savings and remittances, matches GCM Objective "
         "20: promote faster, safer and cheaper transfer of remittances and foster financial inclusion "
         "of migrants."),
    Rule("reintegration", 21, "Provision (20a), reintegration of migrants upon return, matches GCM "
         "Objective 21: cooperate in facilitating safe and dignified return and readmission, as well "
         "as sustainable reintegration."),
    Rule("social_security", 22, "Provision (15), social protection and health-care benefits, matches GCM "
         "Objective 22: establish mechanisms for the portability of social security entitlements and "
         "earned benefits."),
)

_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_QUOTES = re.compile(r'^"(.*)"$', re.DOTALL)
_NO_TITLE = re.compile(r"no formal title", re.IGNORECASE)
_PROVISION_NUMBER = re.compile(r"^\((\d+[a-z]?)\)\s*(.+)$")


@dataclass(frozen=True)
class ProvisionConcept:
    """One coded provision: its variable, notation ("6a") and label (the .dta variable label)."""

    variable: str
    notation: str | None
    label: str
    variable_label: str

    @property
    def iri(self) -> URIRef:
        return URIRef(str(PROVISION) + slug(self.variable))


@dataclass(frozen=True)
class CuratedInstrument:
    """A curated bilateral instrument an imported row may describe too."""

    iri: URIRef
    parties: frozenset[URIRef]
    date_document: str | None
    title: str | None


@dataclass
class BlaResult:
    """The graphs an import produces, and its summary."""

    provisions: Graph
    agreements: Graph
    claims: Graph
    summary: Summary
    unmapped_names: dict[str, int] = field(default_factory=dict)


def read_stata(path: Path, columns: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, str]]:
    """A .dta file as a data frame (strings as object) with its variable labels.

    Raises :class:`ImportFailure` (file, and the missing columns) when it cannot be read.
    """
    import pandas as pd

    if not path.is_file():
        raise ImportFailure(str(path), "file not found")
    try:
        with pd.io.stata.StataReader(path) as reader:
            frame = reader.read(convert_categoricals=False)
            labels = dict(reader.variable_labels())
    except Exception as err:  # pandas raises ValueError, UnicodeDecodeError, struct.error ...
        raise ImportFailure(str(path), f"not a readable Stata file: {err}") from err
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ImportFailure(str(path), f"missing column(s) {', '.join(missing)}", row="header")
    return frame, labels


def repair_text(text: str) -> str:
    """Repair mojibake (UTF-8 read as latin-1/cp1252), strip wrapping quotes, collapse whitespace.

    >>> repair_text('"Exchange of Notes at MÃ©xico,  1947"')
    'Exchange of Notes at México, 1947'
    >>> repair_text("People’s Republic")
    'People’s Republic'
    """
    import ftfy

    fixed = ftfy.fix_text(text, uncurl_quotes=False, fix_latin_ligatures=False)
    fixed = " ".join(fixed.split())
    found = _QUOTES.match(fixed)
    return found.group(1).strip() if found else fixed


def parse_us_date(text: str) -> date | None:
    """A US-style m/d/yyyy date; None when empty. Raises ValueError when it is not a real date.

    >>> parse_us_date(" 5/19/1947")
    datetime.date(1947, 5, 19)
    >>> parse_us_date("")
    """
    value = text.strip()
    if not value:
        return None
    found = _DATE.match(value)
    if not found:
        raise ValueError(f"not a m/d/yyyy date: {value!r}")
    month, day, year = (int(g) for g in found.groups())
    if not 1900 <= year <= 2030:
        raise ValueError(f"year {year} outside 1900-2030: {value!r}")
    try:
        return date(year, month, day)
    except ValueError as err:
        raise ValueError(f"{err}: {value!r}") from err


def provision_concepts(labels: dict[str, str], summary: Summary, coding_name: str,
                       columns: set[str]) -> list[ProvisionConcept]:
    """The provision concepts present in the coding file (a missing flag column is reported)."""
    concepts: list[ProvisionConcept] = []
    for variable in PROVISION_VARIABLES:
        if variable not in columns:
            summary.report(Problem(coding_name, "header", "missing provision column",
                                   f"{variable}: this provision is not imported"))
            continue
        variable_label = (labels.get(variable) or variable).strip()
        found = _PROVISION_NUMBER.match(variable_label)
        notation, label = (found.group(1), found.group(2)) if found else (None, variable_label)
        concepts.append(ProvisionConcept(variable, notation, label, variable_label))
    return concepts


def provisions_graph(concepts: list[ProvisionConcept]) -> Graph:
    """``scheme:bla-provision``: one concept per coded provision, defined by its .dta variable label."""
    graph = new_graph()
    graph.bind("blap", str(PROVISION))
    graph.add((PROVISION_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((PROVISION_SCHEME, SKOS.prefLabel,
               Literal("Provisions of bilateral labour agreements", lang="en")))
    graph.add((PROVISION_SCHEME, SKOS.definition, Literal(
        "The provisions coded for each agreement in Chilton & Woda (2022), BLAs_Coding_Data.dta: one "
        "concept per coded flag, labelled and defined by the variable label of the Stata file.", lang="en")))
    graph.add((PROVISION_SCHEME, DCTERMS.source, DATASET))
    for concept in concepts:
        iri = concept.iri
        graph.add((iri, RDF.type, SKOS.Concept))
        graph.add((iri, SKOS.prefLabel, Literal(concept.label, lang="en")))
        graph.add((iri, SKOS.definition, Literal(
            f"Coded 1 in Chilton & Woda (2022) when the agreement has this feature; variable "
            f"{concept.variable}, labelled \"{concept.variable_label}\" in BLAs_Coding_Data.dta.",
            lang="en")))
        graph.add((iri, SKOS.inScheme, PROVISION_SCHEME))
        graph.add((iri, SKOS.topConceptOf, PROVISION_SCHEME))
        graph.add((PROVISION_SCHEME, SKOS.hasTopConcept, iri))
        if concept.notation:
            graph.add((iri, SKOS.notation, Literal(concept.notation)))
        graph.add((iri, DCTERMS.identifier, Literal(concept.variable)))
        graph.add((iri, DCTERMS.source, DATASET))
    return graph


def curated_bilateral(graph: Graph) -> list[CuratedInstrument]:
    """The curated bilateral instruments of ``graph`` with the States of their parties (a party that is
    an agency counts as its State), for reconciliation."""
    found: list[CuratedInstrument] = []
    for inst in sorted(set(graph.subjects(MIG.governanceLevel, BILATERAL)), key=str):
        if not isinstance(inst, URIRef) or str(inst).startswith(str(INSTRUMENT) + "bla-"):
            continue
        parties = frozenset(_state_of(graph, p) for p in graph.objects(inst, MIG.party)
                            if isinstance(p, URIRef))
        dated = next(iter(sorted(graph.objects(inst, ELI.date_document), key=str)), None)
        titled = next(iter(sorted(graph.objects(inst, DCTERMS.title), key=str)), None)
        found.append(CuratedInstrument(inst, parties, str(dated) if dated is not None else None,
                                       str(titled) if titled is not None else None))
    return found


def _state_of(graph: Graph, actor: URIRef) -> URIRef:
    """The State an actor is (or belongs to, through org:subOrganizationOf*); the actor if none."""
    from rdflib.namespace import ORG

    seen: set[URIRef] = set()
    node = actor
    while node not in seen:
        seen.add(node)
        if (node, ORG.classification, CONCEPT["actor-type/state"]) in graph:
            return node
        parent = next((p for p in sorted(graph.objects(node, ORG.subOrganizationOf), key=str)
                       if isinstance(p, URIRef)), None)
        if parent is None:
            break
        node = parent
    return actor


def _flag(value: Any) -> int | None:
    """0/1 flag; None when missing (NaN); raises ValueError for anything else."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value)
    if number in (0.0, 1.0):
        return int(number)
    raise ValueError(f"flag value {value!r} is neither 0 nor 1")


def _rows(frame: pd.DataFrame) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, record in enumerate(frame.to_dict(orient="records")):
        yield index + 1, record


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def import_bla(source_dir: Path, states: StateIndex, curated: list[CuratedInstrument] | None = None,
               ) -> BlaResult:
    """Read the three raw files of ``source_dir`` and build the provision, agreement and claim graphs."""
    summary = Summary("bla (Chilton & Woda 2022)")
    formation_path = source_dir / FORMATION_FILE
    coding_path = source_dir / CODING_FILE
    formation, _ = read_stata(formation_path, FORMATION_COLUMNS)
    coding, coding_labels = read_stata(coding_path, CODING_COLUMNS)
    matcher = CountryMatcher.from_xlsx(source_dir / COUNTRIES_FILE)
    concepts = provision_concepts(coding_labels, summary, CODING_FILE, set(coding.columns))
    curated = curated or []

    coded: dict[int, tuple[int, dict[str, Any]]] = {}
    for line, record in _rows(coding):
        try:
            key = int(record["treatyID"])
        except (TypeError, ValueError):
            summary.report(Problem(CODING_FILE, str(line), "bad treatyID",
                                   f"{record['treatyID']!r}: coding row not imported", skipped=True))
            continue
        coded[key] = (line, record)

    agreements = new_graph()
    claims = new_graph()
    describe_dataset(agreements, BLA)
    unmapped: dict[str, int] = {}
    mapped_how: dict[str, str] = {}
    seen: set[int] = set()
    rules = {rule.variable: rule for rule in RULES}
    for line, record in _rows(formation):
        summary.count("rows read (formation file)")
        try:
            treaty = int(record["treatyID"])
        except (TypeError, ValueError):
            summary.report(Problem(FORMATION_FILE, str(line), "bad treatyID",
                                   f"{record['treatyID']!r}: row not imported", skipped=True))
            continue
        if treaty in seen:
            summary.report(Problem(FORMATION_FILE, str(line), "duplicate treatyID",
                                   f"treatyID {treaty} repeats an earlier row: not imported", skipped=True))
            continue
        seen.add(treaty)
        coding_row = coded.pop(treaty, None)
        parties = []
        for column in ("countryA", "countryB"):
            name = _text(record[column]).strip()
            match = matcher.match(name) if name else None
            if match is not None and match.how != "countries_match.xlsx":
                mapped_how[name] = f"{match.alpha3} ({match.how})"
            state = states.get(match.alpha3) if match else None
            if state is None:
                why = (f"{column} {name!r} has no ISO 3166 alpha-3 code" if match is None
                       else f"{column} {name!r} ({match.alpha3}) is not a State of the graph")
                summary.report(Problem(FORMATION_FILE, str(line), "unmapped party",
                                       f"treatyID {treaty}: {why}", skipped=True))
                unmapped[name or "(empty)"] = unmapped.get(name or "(empty)", 0) + 1
            parties.append((name, state))
        if any(state is None for _, state in parties):
            summary.count("agreements skipped (a party not mapped)")
            if coding_row is not None:
                summary.count("of which coded (their coding rows are not imported either)")
            continue
        row_iri = SOURCE[f"bla-chilton-woda-2022/formation/{treaty}"]
        _row_entity(agreements, row_iri, f"{FORMATION_FILE}, row {line}, treatyID {treaty}")
        signed = _date_value(record, "datesigned", line, treaty, summary)
        year = _year(record, line, treaty, summary)
        if signed is not None and year is not None and signed.year != year:
            summary.report(Problem(FORMATION_FILE, str(line), "date and year disagree",
                                   f"treatyID {treaty}: datesigned {signed.isoformat()} but year {year}; "
                                   "the date signed is kept as eli:date_document"))
        ratified = _date_value(record, "ratified", line, treaty, summary)
        match_iri = _reconcile(treaty, [s for _, s in parties], signed, coding_row, curated, summary)
        subject = match_iri or INSTRUMENT[f"bla-{treaty}"]
        if match_iri is None:
            _agreement(agreements, subject, treaty, parties, signed, year, ratified, coding_row)
            summary.count("agreements imported")
        else:
            own = INSTRUMENT[f"bla-{treaty}"]
            agreements.add((own, OWL.sameAs, match_iri))
            agreements.add((own, RDFS.comment, Literal(
                f"Chilton & Woda (2022) treatyID {treaty} is the curated record {match_iri.n3()}: same two "
                "parties and same date of signature. The curated facts stand; only what the dataset adds "
                "(provisions, first dataset, language copies) is attached to the curated record.",
                lang="en")))
            agreements.add((own, PROV.wasDerivedFrom, row_iri))
            agreements.add((own, DCTERMS.source, DATASET))
            summary.count("agreements reconciled with a curated record (owl:sameAs)")
        _additive_facts(agreements, subject, record, row_iri, line, treaty, summary)
        if coding_row is not None:
            coding_line, coding_record = coding_row
            coding_iri = SOURCE[f"bla-chilton-woda-2022/coding/{treaty}"]
            _row_entity(agreements, coding_iri, f"{CODING_FILE}, row {coding_line}, treatyID {treaty}")
            if match_iri is None:
                agreements.add((subject, PROV.wasDerivedFrom, coding_iri))
            else:
                agreements.add((INSTRUMENT[f"bla-{treaty}"], PROV.wasDerivedFrom, coding_iri))
            summary.count("agreements with coded provisions")
            present = _provisions(agreements, subject, concepts, coding_record, coding_line, treaty, summary)
            _claims(claims, subject, treaty, present, rules, coding_iri)
    for treaty, (line, _) in sorted(coded.items()):
        summary.report(Problem(CODING_FILE, str(line), "coded agreement not in the formation file",
                               f"treatyID {treaty}: not imported", skipped=True))
    summary.count("derived claims (contributesTo, not asserted)",
                  len(set(claims.subjects(RDF.type, MIG.Claim))))
    summary.counts = {"rows read (formation file)": summary.counts.pop("rows read (formation file)", 0),
                      **summary.counts}
    for name, how in sorted(mapped_how.items()):
        summary.notes.append(f"{name} → {how}")
    if unmapped:
        summary.notes.append("Unmapped names (rows): " + ", ".join(
            f"{name} ({n})" for name, n in sorted(unmapped.items())))
    return BlaResult(provisions_graph(concepts), agreements, claims, summary, unmapped)


def _row_entity(graph: Graph, iri: URIRef, label: str) -> None:
    graph.add((iri, RDF.type, PROV.Entity))
    graph.add((iri, RDFS.label, Literal(label, lang="en")))
    graph.add((iri, PROV.wasDerivedFrom, DATASET))


def _date_value(record: dict[str, Any], column: str, line: int, treaty: int,
                summary: Summary) -> date | None:
    try:
        return parse_us_date(_text(record[column]))
    except ValueError as err:
        summary.report(Problem(FORMATION_FILE, str(line), "bad date",
                               f"treatyID {treaty}: {column} {err}; left out"))
        return None


def _year(record: dict[str, Any], line: int, treaty: int, summary: Summary) -> int | None:
    try:
        year = int(record["year"])
    except (TypeError, ValueError):
        summary.report(Problem(FORMATION_FILE, str(line), "bad year",
                               f"treatyID {treaty}: year {record['year']!r}; left out"))
        return None
    if not 1900 <= year <= 2030:
        summary.report(Problem(FORMATION_FILE, str(line), "bad year",
                               f"treatyID {treaty}: year {year} outside 1900-2030; left out"))
        return None
    return year


def _reconcile(treaty: int, parties: list[Any], signed: date | None,
               coding_row: tuple[int, dict[str, Any]] | None, curated: list[CuratedInstrument],
               summary: Summary) -> URIRef | None:
    """The curated record this row describes (same parties, same date signed), or None."""
    pair = frozenset(state.iri for state in parties)
    for record in curated:
        if record.parties != pair or record.date_document is None:
            continue
        if signed is not None and record.date_document == signed.isoformat():
            title = _title_of(coding_row)
            if title and record.title and title != record.title:
                summary.report(Problem(FORMATION_FILE, f"treatyID {treaty}", "conflict with curated record",
                                       f"title {title!r} in the coding file, {record.title!r} in "
                                       f"{record.iri}; the curated title stands"))
            return record.iri
        if signed is not None and record.date_document[:4] == str(signed.year):
            summary.report(Problem(FORMATION_FILE, f"treatyID {treaty}", "possible duplicate",
                                   f"same parties and year as {record.iri} but signed "
                                   f"{signed.isoformat()} (curated {record.date_document}); kept apart"))
    return None


def _title_of(coding_row: tuple[int, dict[str, Any]] | None) -> str | None:
    if coding_row is None:
        return None
    title = repair_text(_text(coding_row[1].get("agreement_title")))
    return title or None


def _agreement(graph: Graph, subject: URIRef, treaty: int, parties: list[tuple[str, Any]],
               signed: date | None, year: int | None, ratified: date | None,
               coding_row: tuple[int, dict[str, Any]] | None) -> None:
    (name_a, _), (name_b, _) = parties
    graph.add((subject, RDF.type, MIG.DocumentaryInstrument))
    title = _title_of(coding_row)
    language = _text(coding_row[1].get("coded_orig_lang")).strip() if coding_row else ""
    translated = _text(coding_row[1].get("coded_google_translation")).strip() if coding_row else ""
    when = str(signed.year) if signed else str(year) if year else "year unknown"
    comments = [f"UNVERIFIED: imported from Chilton & Woda (2022), treatyID {treaty}, and not checked "
                "against the agreement's text. Parties as the dataset names them: "
                f"{name_a} and {name_b}; they are also recorded as issuers (the dataset does not say which "
                "agencies signed)."]
    if title and not _NO_TITLE.search(title) and language == "English" and translated != "Translation":
        graph.add((subject, SKOS.prefLabel, Literal(title, lang="en")))
        graph.add((subject, DCTERMS.title, Literal(title, lang="en")))
    elif title:
        graph.add((subject, SKOS.prefLabel, Literal(title, lang="en")))
        coded_from = " and it was coded from a translation" if translated == "Translation" else ""
        comments.append(
            f"The label is the English title the coding file gives; the agreement's original language is "
            f"{language or 'not stated'}{coded_from}, so the label is not recorded as its official title "
            "(dcterms:title).")
    else:
        graph.add((subject, SKOS.prefLabel, Literal(
            f"Bilateral labour agreement between {name_a} and {name_b}, {when} (generated label)",
            lang="en")))
        comments.append("The label is generated from the dataset's parties and year: the dataset gives no "
                        "title for this agreement.")
    graph.add((subject, RDFS.comment, Literal(" ".join(comments), lang="en")))
    graph.add((subject, MIG.instrumentType, BLA_TYPE))
    graph.add((subject, MIG.governanceLevel, BILATERAL))
    graph.add((subject, MIG.theme, LABOUR_MIGRATION))  # the dataset is of labour agreements only
    for _, state in parties:
        graph.add((subject, MIG.party, state.iri))
        graph.add((subject, MIG.issuedBy, state.iri))
        graph.add((subject, ELI.jurisdiction, state.place))
    if signed is not None:
        graph.add((subject, ELI.date_document, Literal(signed.isoformat(), datatype=XSD.date)))
    elif year is not None:
        graph.add((subject, ELI.date_document, Literal(f"{year}-01-01", datatype=XSD.date)))
        graph.add((subject, MIG.datePrecision, Literal("year")))
    if ratified is not None:
        graph.add((subject, MIG.dateRatified, Literal(ratified.isoformat(), datatype=XSD.date)))
    graph.add((subject, MIG.curationStatus, UNVERIFIED))


def _additive_facts(graph: Graph, subject: URIRef, record: dict[str, Any], row_iri: URIRef, line: int,
                    treaty: int, summary: Summary) -> None:
    """Facts the dataset adds even to a curated record: source, row, first dataset, copies."""
    graph.add((subject, DCTERMS.source, DATASET))
    if str(subject).startswith(str(INSTRUMENT) + "bla-"):  # a curated record is not derived from the row
        graph.add((subject, PROV.wasDerivedFrom, row_iri))
    first = _text(record["dataset_original"]).strip()
    if first:
        graph.add((subject, MIG.firstRecordedIn, Literal(first)))
    try:
        copy = _flag(record["copy_available"])
    except ValueError as err:
        summary.report(Problem(FORMATION_FILE, str(line), "bad flag",
                               f"treatyID {treaty}: copy_available {err}"))
        copy = None
    if copy is not None:
        graph.add((subject, MIG.copyAvailable, Literal(bool(copy))))
    for column, tag in COPY_LANGUAGES.items():
        if column not in record:
            continue
        try:
            if _flag(record[column]) == 1:
                graph.add((subject, MIG.copyLanguage, Literal(tag, datatype=XSD.language)))
        except ValueError as err:
            summary.report(Problem(FORMATION_FILE, str(line), "bad flag",
                                   f"treatyID {treaty}: {column} {err}"))


def _provisions(graph: Graph, subject: URIRef, concepts: list[ProvisionConcept], record: dict[str, Any],
                line: int, treaty: int, summary: Summary) -> list[ProvisionConcept]:
    present: list[ProvisionConcept] = []
    for concept in concepts:
        try:
            value = _flag(record.get(concept.variable))
        except ValueError as err:
            summary.report(Problem(CODING_FILE, str(line), "bad flag",
                                   f"treatyID {treaty}: {concept.variable} {err}; left out"))
            continue
        if value == 1:
            graph.add((subject, MIG.provides, concept.iri))
            present.append(concept)
    summary.count("provision links (mig:provides)", len(present))
    return present


def _claims(graph: Graph, subject: URIRef, treaty: int, present: list[ProvisionConcept],
            rules: dict[str, Rule], coding_iri: URIRef) -> None:
    by_objective: dict[int, list[tuple[ProvisionConcept, Rule]]] = {}
    for concept in present:
        rule = rules.get(concept.variable)
        if rule is not None:
            by_objective.setdefault(rule.objective, []).append((concept, rule))
    subject_slug = str(subject).rsplit("/", 1)[-1]
    for objective, matched in sorted(by_objective.items()):
        claim = CLAIM[f"{subject_slug}--contributesTo--gcm-objective-{objective}"]
        graph.add((claim, RDF.type, MIG.Claim))
        graph.add((claim, MIG.claimSubject, subject))
        graph.add((claim, MIG.claimPredicate, MIG.contributesTo))
        graph.add((claim, MIG.claimObject, GCM_OBJECTIVE[str(objective)]))
        graph.add((claim, MIG.assertionMethod, DERIVED))
        graph.add((claim, MIG.curationStatus, UNVERIFIED))
        graph.add((claim, RDFS.comment, Literal(
            "UNVERIFIED: derived by a mapping rule from the dataset's coding of the agreement, not checked "
            "against its text; a claim only, its triple is not asserted (data/README.md).", lang="en")))
        graph.add((claim, DCTERMS.source, DATASET))
        graph.add((claim, PROV.wasDerivedFrom, coding_iri))
        for concept, rule in matched:
            graph.add((claim, MIG.evidenceText, Literal(concept.variable_label, lang="en")))
            graph.add((claim, MIG.rationale, Literal(
                f"Derived by rule from treatyID {treaty} coded 1 on {concept.variable}: {rule.rationale}",
                lang="en")))


HEADER = generated_header("bla", "data/sources/raw/bla-chilton-woda/ (Chilton & Woda 2022)")


def write_bla(result: BlaResult, output_dir: Path) -> list[Path]:
    """Write the three graphs and SUMMARY.md into ``output_dir``; return the paths written."""
    graphs = {"provisions": result.provisions, "agreements": result.agreements, "claims": result.claims}
    return write_outputs(output_dir, graphs, result.summary, HEADER)
