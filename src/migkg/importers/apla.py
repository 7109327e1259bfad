"""Import the national asylum instruments cited by APLA (Asylum Policies in Latin America, CC BY 4.0).

``APLA_Database.csv`` has one row per country-year (19 countries, 1990–2020) and, per indicator, a
value, the legal source it rests on (a free-text citation such as "Decree 1067 of 2015, Art.
2.2.3.1.6.5.") and comments. A citation names one or more instruments; the importer parses each into
(kind, number or name, date) and makes **one instrument per (country, cited instrument)**, never one
per row: ``inst:{country}-{year}-{kind}-{number}``. The articles cited and the indicators and years
they ground are kept as ``mig:Citation`` evidence nodes. Citations of treaty pages (URLs) are
treaty-status sources, not national instruments; court decisions and text the parser cannot read are
reported, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, XSD

from migkg.importers.common import (
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
from migkg.namespaces import CONCEPT, ELI, MIG

DATA_FILE = "APLA_Database.csv"
APLA = Dataset(
    "apla", "Asylum Policies in Latin America (APLA) Database", "Omar Hammoud-Gallego",
    "https://github.com/HammoudG/APLA_Dataset",
    "GitHub HammoudG/APLA_Dataset, commit eaa8692c8d76b05674df2eda25ce4007f823c4e9, "
    "data-raw/APLA_Database.csv",
    license="https://creativecommons.org/licenses/by/4.0/", modified="2022-08-17", iri_name="apla-2022",
    citation="Hammoud-Gallego, O. (2022) 'A Liberal Region in a World of Closed Borders? The "
             "Liberalization of Asylum Policies in Latin America, 1990–2020', International Migration "
             "Review, 56(1), pp. 63–96. doi:10.1177/01979183211026202")
DATASET = APLA.iri
NATIONAL = CONCEPT["governance-level/national"]
UNVERIFIED = CONCEPT["curation-status/unverified"]
ASYLUM = CONCEPT["theme/asylum"]
BINDING = CONCEPT["legal-nature/binding"]
#: Kinds binding by what they are (a constitution, law, decree or regulation of a State); a resolution
#: may be an administrative decision, so it gets no legal nature.
BINDING_KINDS = frozenset({"constitution", "law", "decree", "regulation"})
TYPES = {kind: CONCEPT[f"instrument-type/{kind}"]
         for kind in ("law", "decree", "constitution", "regulation", "resolution")}

MONTHS = {name: n for n, names in enumerate((
    ("january", "enero"), ("february", "febrero"), ("march", "marzo"), ("april", "abril"),
    ("may", "mayo"), ("june", "junio"), ("july", "julio"), ("august", "agosto"),
    ("september", "septiembre", "setiembre"), ("october", "octubre"), ("november", "noviembre"),
    ("december", "diciembre")), 1) for name in names}

#: Words that open the name of a cited instrument, and the kind each gives.
_HEADS: tuple[tuple[str, str], ...] = (
    (r"(?:Political |Federal )?Constitution(?:al)?(?! Court)|Constitucion"
     r"|(?:Brazilian|Cuban|Mexican) Constitution", "constitution"),
    (r"Rules? of|Reglamento de la|Reglamiento de la", "regulation"),
    (r"(?:Supreme |Legislative )?Decree(?: Decree)?|Decreto(?: Supremo| Ley)?", "decree"),
    (r"(?:Normative |Conjunct )?Resolution", "resolution"),
    (r"Governmental Agreement|ACUERDO DE AUTORIDAD MIGRATORIA NACIONAL|Portaria Interministerial"
     r"|Circular|Rules?", "regulation"),
    (r"(?:Refugee |Migration |Organic |Federal )?Law|Ley", "law"),
)
_HEAD = re.compile(r"(?:^|(?<=[\s,;(]))(?:and\s+)?(" + "|".join(h for h, _ in _HEADS) + r")\b")
_COURT = re.compile(r"\b(Sentence|Court|Tribunal)\b", re.IGNORECASE)
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_ARTICLE = re.compile(r"(?:[,.]\s*|\s+)(?=(?:Arts?\b|Arr\.|Preamble|preamble|Seccion|Capitulo|Section"
                      r"|Disposicion|\d+\s*\(\d))")
_NUMBER = re.compile(r"^(?:N\.?\s*°?\s*|N°\s*|No\.\s*)?(?P<number>\d[\w.-]*)"
                     r"(?:,\s*(?P<name>[^,]+?)(?=\s+(?:of|de|del)\b|,|$))?")
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?:\b(?:of|de|del)\s+)?(?:\b(?P<d1>\d{1,2})\s+(?:de\s+)?(?P<m1>" + _MONTH
    + r")\s+(?:de\s+)?(?P<y1>\d{4})"
    r"|\b(?P<m2>" + _MONTH + r")\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<y2>\d{4})"
    r"|\b(?P<y3>(?:1[89]|20)\d{2}))\b", re.IGNORECASE)


@dataclass(frozen=True)
class CitedInstrument:
    """One instrument as a citation names it."""

    kind: str
    name: str  # the instrument's designation without number, date or articles ("Supreme Decree")
    number: str | None
    year: int | None
    month: int | None
    day: int | None
    text: str  # the instrument part of the citation, verbatim

    def key(self) -> tuple[str, str, str]:
        """What makes two citations the same instrument of one country.

        A numbered instrument is its kind and number; a constitution is its year (its name is
        written in several ways: "Constitution of Mexico 1917", "Mexican Constitution of 1917"); any
        other is its normalised name and year.
        """
        if self.number:
            return (self.kind, self.number.rstrip(".").upper(), "")
        if self.kind == "constitution":
            return (self.kind, "constitution", str(self.year or ""))
        return (self.kind, _normal_name(self.name), str(self.year or ""))

    @property
    def slug_name(self) -> str:
        """The name part of the IRI slug (see :meth:`key`)."""
        return self.key()[1] if self.kind == "constitution" or not self.number else slug(self.name)


@dataclass(frozen=True)
class ParsedCitation:
    """A segment of a source cell: the instrument it names and the articles it cites."""

    instrument: CitedInstrument
    articles: str | None


@dataclass
class Evidence:
    """What APLA says about one instrument: citation texts, articles, indicators, years, rows."""

    cited: CitedInstrument
    texts_by_code: dict[str, set[str]] = field(default_factory=dict)
    articles: set[str] = field(default_factory=set)
    indicators: dict[str, set[int]] = field(default_factory=dict)
    rows_by_code: dict[str, set[int]] = field(default_factory=dict)


#: APLA's ratification questions → the treaty of the graph (treaty-status data, data/imported/
#: un-hr-treaty-status); None where the graph has no treaty-status data to check against.
TREATY_QUESTIONS: dict[str, tuple[str, str | None]] = {
    "Q5": ("1951 Convention relating to the Status of Refugees", None),
    "Q9": ("Convention against Torture", "cat"),
    "Q11": ("Optional Protocol to the Convention against Torture", "opcat"),
    "Q13": ("International Covenant on Civil and Political Rights", "iccpr"),
    "Q15": ("First Optional Protocol to the ICCPR", "iccpr-op1"),
    "Q17": ("Convention on the Rights of the Child", "crc"),
    # APLA asks about "the Optional Protocol to the CRC" without naming it. Its comments date signatures
    # in 2000-2001 (before the communications procedure protocol of 2011 existed) and give, for 18 of
    # its 19 countries, the year the treaty-status data gives for the protocol on the involvement of
    # children in armed conflict (10 of them differ from the sale-of-children protocol's year): OP-CRC-AC.
    "Q19": ("Optional Protocol to the CRC on the involvement of children in armed conflict", "op-crc-ac"),
}
_RATIFIED = re.compile(r"\b(?:ratif\w*|acce(?:ded|ssed|ssion))\b\s*(?:(?:on|in)\s+)?"
                       r"(?:[A-Za-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+|\d{1,2}\s+[A-Za-z]+\.?\s+)?"
                       r"(\d{4})\b", re.IGNORECASE)


@dataclass
class AplaResult:
    """The APLA graph and its summary."""

    graph: Graph
    summary: Summary


def _normal_name(name: str) -> str:
    """Slug of a name, with the spellings APLA uses for one instrument made one.

    >>> _normal_name("Rules of Law of Human Mobility"), _normal_name("Rule of Ley Poblacion")
    ('rule-of-law-of-human-mobility', 'rule-of-ley-de-poblacion')
    """
    text = slug(name)
    text = re.sub(r"^rules-of-", "rule-of-", text)
    text = text.replace("ley-poblacion", "ley-de-poblacion")
    # The same law named in English and in Spanish by APLA (Venezuela, 2001).
    return text.replace("organic-law-on-refugees", "ley-organica-sobre-refugiados-y-refugiadas")


def parse_citation(text: str) -> tuple[list[ParsedCitation], list[str]]:
    """The instruments a source cell cites, and the parts it could not read.

    >>> found, rest = parse_citation("Law 20430 of 2010, Art.41; Decree 837 of 2010, Art.58")
    >>> [(c.instrument.kind, c.instrument.number, c.instrument.year, c.articles) for c in found], rest
    ([('law', '20430', 2010, 'Art.41'), ('decree', '837', 2010, 'Art.58')], [])
    >>> found, _ = parse_citation("Decree 3293 of September 30 1987, and Decree 3301 of May 6th 1992")
    >>> [(c.instrument.number, c.instrument.year, c.instrument.month, c.instrument.day) for c in found]
    [('3293', 1987, 9, 30), ('3301', 1992, 5, 6)]
    >>> found, _ = parse_citation("Rule of Refugee Law of 2012")
    >>> found[0].instrument.kind, found[0].instrument.name, found[0].instrument.year
    ('regulation', 'Rule of Refugee Law', 2012)
    """
    import ftfy

    cleaned = " ".join(ftfy.fix_text(text).split())
    found: list[ParsedCitation] = []
    rest: list[str] = []
    for part in (p.strip(" ,") for p in cleaned.split(";")):
        if not part:
            continue
        if _URL.search(part):
            continue
        heads = list(_HEAD.finditer(part))
        # A head inside "Rule of Refugee Law" or "Reglamento de la Ley" belongs to the regulation.
        starts: list[re.Match[str]] = []
        for match in heads:
            if starts and _inside_regulation_name(part, starts[-1], match):
                continue
            starts.append(match)
        if not starts or part[: starts[0].start()].strip(" ,.") not in ("", "and"):
            leading = part[: starts[0].start()] if starts else part
            if leading.strip(" ,."):
                rest.append(leading.strip(" ,."))
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(part)
            segment = part[match.start():end].strip(" ,")
            segment = re.sub(r"^and\s+", "", segment)
            if _COURT.search(segment[:60]):
                rest.append(segment)
                continue
            parsed = _parse_segment(segment, _kind(match.group(1)))
            if parsed is None:
                rest.append(segment)
            else:
                found.append(parsed)
    return found, rest


def _inside_regulation_name(part: str, previous: re.Match[str], current: re.Match[str]) -> bool:
    head = previous.group(1)
    between = part[previous.end():current.start()]
    return bool(re.match(r"Rules? of|Regla?mi?ento de la", head)) and between.strip() == ""


def _kind(head: str) -> str:
    for pattern, kind in _HEADS:
        if re.fullmatch(pattern, head):
            return kind
    return "law"


def _parse_segment(segment: str, kind: str) -> ParsedCitation | None:
    pieces = _ARTICLE.split(segment, maxsplit=1)
    designation = pieces[0].strip(" ,.")
    articles = pieces[1].strip(" ,") if len(pieces) > 1 and pieces[1].strip(" ,") else None
    head = _HEAD.match(designation)
    if head is None:
        return None
    name = head.group(1)
    tail = designation[head.end():].strip()
    number = None
    if not (kind == "regulation" and re.match(r"Rules? of|Regla?mi?ento de la", name)):
        found = _NUMBER.match(tail)
        if found:
            number = found.group("number").rstrip(".")
            tail = tail[found.end():]
            if found.group("name"):
                name = f"{name} {found.group('name')}"
    date_match = _first_date(tail)
    remainder = tail[: date_match.start()] if date_match else tail
    remainder = re.sub(r"(?:\s+(?:of|de|del)|,)\s*$", "", remainder.strip()).strip(" ,")
    if remainder:
        name = f"{name} {remainder}"
    if number is None and date_match is None and kind != "constitution" and name.split()[-1] in (
            "Law", "Decree", "Ley", "Resolution", "Rule", "Rules", "Circular"):
        return None
    return ParsedCitation(_cited(kind, name, number, date_match, designation), articles)


def _first_date(text: str) -> re.Match[str] | None:
    matches = list(_DATE.finditer(text))
    for match in matches:
        month = match.group("m1") or match.group("m2")
        if month is None or month.lower() in MONTHS:
            return match
    return None


def _cited(kind: str, name: str, number: str | None, date_match: re.Match[str] | None,
           text: str) -> CitedInstrument:
    year = month = day = None
    if date_match is not None:
        year = int(date_match.group("y1") or date_match.group("y2") or date_match.group("y3"))
        month_name = date_match.group("m1") or date_match.group("m2")
        if month_name:
            month = MONTHS[month_name.lower()]
            day = int(date_match.group("d1") or date_match.group("d2"))
    return CitedInstrument(kind, " ".join(name.split()), number, year, month, day, text)


def decode_mixed(raw: bytes) -> tuple[str, list[int]]:
    r"""Decode a file line by line: UTF-8 where a line is valid UTF-8, else latin-1.

    The published APLA file mixes both (mostly UTF-8, a few latin-1 bytes such as "N\xb0"); the
    1-based numbers of the latin-1 lines are returned too.

    >>> decode_mixed("Decree N\u00b0 5\n".encode("latin-1") + "M\u00e9xico\n".encode("utf-8"))
    ('Decree N° 5\nMéxico\n', [1])
    """
    lines: list[str] = []
    latin1: list[int] = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("latin-1"))
            latin1.append(number)
    return "\n".join(lines), latin1


def read_rows(path: Path) -> tuple[list[str], list[str], list[tuple[int, list[str]]]]:
    """The two header rows and the data rows (with their 1-based line numbers) of the CSV.

    Decoded line by line (:func:`decode_mixed`); a file that yields no ``Q1``/``Q2`` header is
    refused with :class:`ImportFailure`.
    """
    if not path.is_file():
        raise ImportFailure(str(path), "file not found")
    text, _ = decode_mixed(path.read_bytes())
    if "\x00" in text:
        raise ImportFailure(str(path), "NUL bytes in the text: wrong encoding (UTF-16?); expected latin-1 "
                                       "or UTF-8", row="1")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as err:
        raise ImportFailure(str(path), f"not CSV: {err}; wrong file or wrong encoding?") from err
    if len(rows) < 2 or rows[0][:2] != ["Q1", "Q2"]:
        first = rows[0][:3] if rows else []
        raise ImportFailure(str(path), f"not the APLA layout (first cells {first!r}, expected 'Q1', 'Q2'); "
                                       "wrong file or wrong encoding?", row="1")
    return rows[0], rows[1], [(n, row) for n, row in enumerate(rows[2:], 3)]


CuratedKey = tuple[str, str, int]  # (alpha-3, kind, year)


def curated_national(graph: Graph, states: StateIndex) -> dict[CuratedKey, list[tuple[URIRef, str]]]:
    """The curated national instruments of ``graph`` by (alpha-3, kind, year), with their dates."""
    kinds = {TYPES[k]: k for k in TYPES}
    found: dict[CuratedKey, list[tuple[URIRef, str]]] = {}
    for inst in sorted(set(graph.subjects(MIG.governanceLevel, NATIONAL)), key=str):
        if not isinstance(inst, URIRef):
            continue
        kind = next((kinds[t] for t in graph.objects(inst, MIG.instrumentType)
                     if isinstance(t, URIRef) and t in kinds), None)
        dated = next(iter(sorted(graph.objects(inst, ELI.date_document), key=str)), None)
        if dated is None:  # a curated record may give only the publication date
            dated = next(iter(sorted(graph.objects(inst, ELI.date_publication), key=str)), None)
        if kind is None or dated is None:
            continue
        for place in graph.objects(inst, ELI.jurisdiction):
            code = states.code_of_place(place)
            if code:
                found.setdefault((code, kind, int(str(dated)[:4])), []).append((inst, str(dated)))
    return found


def _reconcile(evidence: dict[tuple[str, tuple[str, str, str]], Evidence],
               curated: dict[CuratedKey, list[tuple[URIRef, str]]],
               summary: Summary) -> dict[tuple[str, tuple[str, str, str]], URIRef]:
    """Imported instrument → curated record: same State, type and year, and the only one on each side."""
    by_key: dict[CuratedKey, list[tuple[str, tuple[str, str, str]]]] = {}
    for key, item in evidence.items():
        if item.cited.year:
            by_key.setdefault((key[0], item.cited.kind, item.cited.year), []).append(key)
    matches: dict[tuple[str, tuple[str, str, str]], URIRef] = {}
    for curated_key, records in sorted(curated.items()):
        imported = by_key.get(curated_key, [])
        if len(records) == 1 and len(imported) == 1:
            matches[imported[0]] = records[0][0]
        elif imported:
            summary.report(Problem(DATA_FILE, "-", "possible duplicate of a curated record",
                                   f"{curated_key}: curated {[str(r[0]) for r in records]}, cited "
                                   f"{[evidence[k].cited.text for k in imported]}; kept apart"))
    return matches


def treaty_status(graph: Graph) -> dict[tuple[str, str], tuple[URIRef, int]]:
    """(treaty slug, State IRI) → (its mig:PartyStatus, year) from the treaty-status data of ``graph``."""
    found: dict[tuple[str, str], tuple[URIRef, int]] = {}
    for status in sorted(set(graph.subjects(RDF.type, MIG.PartyStatus)), key=str):
        treaty = graph.value(status, MIG.ofInstrument)
        state = graph.value(status, MIG.partyState)
        year = graph.value(status, MIG.statusYear)
        if isinstance(status, URIRef) and treaty is not None and state is not None and year is not None:
            found[(str(treaty).rsplit("/", 1)[-1], str(state))] = (status, int(str(year)[:4]))
    return found


def _ratifications(graph: Graph, stated: dict[tuple[str, str], dict[str, set[int]]], states: StateIndex,
                   status: dict[tuple[str, str], tuple[URIRef, int]], country_names: dict[str, str],
                   summary: Summary) -> None:
    """Compare the ratification years APLA's comments state with the treaty-status data.

    Where they agree, the treaty-status record gets APLA as a further ``dcterms:source``; every
    disagreement, and every statement there is nothing to check against, is reported.
    """
    for (alpha3, code), texts in sorted(stated.items()):
        treaty_name, treaty = TREATY_QUESTIONS[code]
        state = states.get(alpha3)
        assert state is not None
        country = country_names.get(alpha3, alpha3)
        for text, lines in sorted(texts.items()):
            where = ",".join(str(n) for n in sorted(lines)[:3]) + ("…" if len(lines) > 3 else "")
            found = _RATIFIED.search(text)
            if found is None:
                if re.search(r"ratif|acce", text, re.IGNORECASE):
                    summary.report(Problem(DATA_FILE, where, "ratification year unreadable",
                                           f"{country}, {code} ({treaty_name}): {text!r}"))
                continue
            year = int(found.group(1))
            summary.count("ratifications stated in APLA comments")
            if treaty is None:
                summary.report(Problem(DATA_FILE, where, "ratification not checkable",
                                       f"{country}, {code} ({treaty_name}) {year}: no treaty-status data "
                                       "in the graph; not imported"))
                continue
            record = status.get((treaty, str(state.iri)))
            if record is None:
                summary.report(Problem(DATA_FILE, where, "ratification disagrees with treaty-status data",
                                       f"{country}, {code} ({treaty_name}): APLA says {year} ({text!r}); "
                                       f"the treaty-status data has no party status for {country}"))
            elif record[1] != year:
                summary.report(Problem(DATA_FILE, where, "ratification disagrees with treaty-status data",
                                       f"{country}, {code} ({treaty_name}): APLA says {year} ({text!r}); "
                                       f"the treaty-status data says {record[1]} ({record[0]})"))
            else:
                graph.add((record[0], DCTERMS.source, DATASET))
                summary.count("ratifications agreeing with treaty-status data (APLA added as source)")


def import_apla(source_dir: Path, states: StateIndex,
                curated: dict[CuratedKey, list[tuple[URIRef, str]]] | None = None,
                treaty_status: dict[tuple[str, str], tuple[URIRef, int]] | None = None) -> AplaResult:
    """Read ``APLA_Database.csv`` and build one instrument per (country, cited instrument).

    ``curated`` (from :func:`curated_national`) gives the curated national instruments; an imported
    one that has the same State, type and year, and is the only one of its kind on each side, is
    declared ``owl:sameAs`` the curated record (whose facts stand).
    """
    path = source_dir / DATA_FILE
    header, questions, rows = read_rows(path)
    sources = {h.split("#")[0]: i for i, h in enumerate(header) if h.endswith("#3_1_1")}
    if not sources:
        raise ImportFailure(str(path), "no source columns (Q…#3_1_1)", row="1")
    texts = {h.split("#")[0]: " ".join(re.sub(r"\s*-\s*Presence/Absence Value.*$", "", questions[i]).split())
             for i, h in enumerate(header) if h.endswith("#1_1") and i < len(questions)}
    summary = Summary("apla (Asylum Policies in Latin America, Hammoud-Gallego 2022)")
    comments = {h.split("#")[0]: i for i, h in enumerate(header) if h.endswith("#4_1_1")}
    stated: dict[tuple[str, str], dict[str, set[int]]] = {}
    matcher = CountryMatcher()
    evidence: dict[tuple[str, tuple[str, str, str]], Evidence] = {}
    country_names: dict[str, str] = {}
    unparsed: dict[tuple[str, str], set[int]] = {}
    treaty_urls = 0
    for line, row in rows:
        summary.count("rows read (country-years)")
        if len(row) != len(header):
            summary.report(Problem(DATA_FILE, str(line), "malformed row",
                                   f"{len(row)} cells, the header has {len(header)}: row not imported",
                                   skipped=True))
            continue
        country, year_text = row[0].strip(), row[1].strip()
        match = matcher.match(country)
        if match is None or states.get(match.alpha3) is None:
            why = ("no ISO 3166 alpha-3 code" if match is None
                   else f"{match.alpha3} is not a State of the graph")
            summary.report(Problem(DATA_FILE, str(line), "unmapped country", f"{country!r}: {why}",
                                   skipped=True))
            continue
        if not re.fullmatch(r"(19|20)\d{2}", year_text):
            summary.report(Problem(DATA_FILE, str(line), "bad year",
                                   f"{country}: year {year_text!r}; row not imported", skipped=True))
            continue
        country_names[match.alpha3] = country
        coded_year = int(year_text)
        for code in TREATY_QUESTIONS:
            column = comments.get(code)
            if column is not None and row[column].strip():
                stated.setdefault((match.alpha3, code), {}).setdefault(
                    " ".join(row[column].split()), set()).add(line)
        for code, index in sources.items():
            cell = row[index].strip()
            if not cell:
                continue
            treaty_urls += len(_URL.findall(cell))
            found, rest = parse_citation(cell)
            for part in rest:
                unparsed.setdefault((country, part), set()).add(line)
            for citation in found:
                key = (match.alpha3, citation.instrument.key())
                item = evidence.setdefault(key, Evidence(citation.instrument))
                item.texts_by_code.setdefault(code, set()).add(" ".join(cell.split()))
                if citation.articles:
                    item.articles.add(citation.articles)
                item.indicators.setdefault(code, set()).add(coded_year)
                item.rows_by_code.setdefault(code, set()).add(line)
    for (country, part), lines in sorted(unparsed.items()):
        kind = "court decision (not imported)" if _COURT.search(part) else "unreadable citation"
        summary.report(Problem(DATA_FILE, ",".join(str(n) for n in sorted(lines)[:5])
                               + ("…" if len(lines) > 5 else ""), kind,
                               f"{country}: {part!r} ({len(lines)} rows)"))
    graph = new_graph()
    describe_dataset(graph, APLA)
    matches = _reconcile(evidence, curated or {}, summary)
    for found_key, item in sorted(evidence.items(), key=lambda kv: kv[0]):
        state = states.get(found_key[0])
        assert state is not None
        _instrument(graph, country_names[found_key[0]], state, item, texts, matches.get(found_key), summary)
        summary.count(f"instruments ({item.cited.kind})")
    summary.count("instruments", len(evidence))
    _ratifications(graph, stated, states, treaty_status or {}, country_names, summary)
    summary.count("citations of treaty pages (URLs, treaty-status sources: not national instruments)",
                  treaty_urls)
    return AplaResult(graph, summary)


_KIND_LABEL = {"law": "Law", "decree": "Decree", "constitution": "Constitution", "regulation": "Regulation",
               "resolution": "Resolution"}


def _instrument(graph: Graph, country: str, state: object, item: Evidence, texts: dict[str, str],
                same: URIRef | None, summary: Summary) -> URIRef:
    from migkg.importers.common import StateRecord

    assert isinstance(state, StateRecord)
    cited = item.cited
    country_slug = str(state.place).rsplit("/", 1)[-1]
    parts = [country_slug] + ([str(cited.year)] if cited.year else [])
    parts.append(cited.slug_name)
    if cited.number:
        parts.append(slug(cited.number))
    local = "-".join(parts)
    iri = INSTRUMENT[local]
    label = f"{country}: {cited.text}"
    if same is not None:
        # One thing, one record: the imported IRI only points at the curated one, and what APLA adds
        # (its citations, articles, source) is attached to the curated record; its facts stand.
        graph.add((iri, OWL.sameAs, same))
        graph.add((iri, RDFS.comment, Literal(
            f"APLA's \"{cited.text}\" ({country}) is the curated record {same.n3()}: same State, type and "
            "year, and the only one of them on each side. The curated facts stand; APLA's citations are "
            "attached to the curated record.", lang="en")))
        graph.add((iri, DCTERMS.source, DATASET))
        summary.count("instruments reconciled with a curated record (owl:sameAs)")
        iri, local = same, str(same).rsplit("/", 1)[-1]
    else:
        graph.add((iri, RDF.type, MIG.DocumentaryInstrument))
        graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
        graph.add((iri, MIG.instrumentType, TYPES[cited.kind]))
        graph.add((iri, MIG.governanceLevel, NATIONAL))
        graph.add((iri, MIG.theme, ASYLUM))  # APLA cites it as grounding an asylum-policy indicator
        if cited.kind in BINDING_KINDS:
            graph.add((iri, MIG.legalNature, BINDING))
        graph.add((iri, MIG.issuedBy, state.iri))
        graph.add((iri, ELI.jurisdiction, state.place))
        if cited.number:
            graph.add((iri, ELI.id_local, Literal(cited.number)))
        if cited.year:
            if cited.month and cited.day:
                graph.add((iri, ELI.date_document, Literal(
                    f"{cited.year:04d}-{cited.month:02d}-{cited.day:02d}", datatype=XSD.date)))
            else:
                graph.add((iri, ELI.date_document, Literal(f"{cited.year}-01-01", datatype=XSD.date)))
                graph.add((iri, MIG.datePrecision, Literal("year")))
        graph.add((iri, MIG.curationStatus, UNVERIFIED))
        graph.add((iri, RDFS.comment, Literal(
            f"UNVERIFIED: cited by the APLA database as \"{cited.text}\" ({country}), not checked "
            "against the instrument's text. The label is generated from the "
            "citation (it is not the official title); the type and the date are read from the citation, "
            "which gives the year only unless a day is stated. The State is recorded as issuer (the "
            "citation does not name the issuing body).",
            lang="en")))
    graph.add((iri, DCTERMS.source, DATASET))
    for code in sorted(item.indicators, key=_indicator_order):
        years = sorted(item.indicators[code])
        lines = ", ".join(str(r) for r in sorted(item.rows_by_code[code]))
        citation = URIRef(f"{SOURCE}apla-2022/citation/{local}--{code.lower()}")
        graph.add((citation, RDF.type, MIG.Citation))
        graph.add((citation, RDFS.label, Literal(
            f"APLA {code} cites {cited.text} ({country}); {DATA_FILE} lines {lines}", lang="en")))
        graph.add((citation, MIG.citedInstrument, iri))
        graph.add((citation, MIG.groundsIndicator, Literal(f"{code}: {texts.get(code, '')}".strip())))
        graph.add((citation, MIG.firstCodedYear, Literal(str(years[0]), datatype=XSD.gYear)))
        graph.add((citation, MIG.lastCodedYear, Literal(str(years[-1]), datatype=XSD.gYear)))
        graph.add((citation, MIG.codedYears, Literal(year_ranges(years))))
        for text in sorted(item.texts_by_code.get(code, ())):
            graph.add((citation, MIG.citationText, Literal(text)))
        graph.add((citation, DCTERMS.source, DATASET))
        graph.add((citation, PROV.wasDerivedFrom, DATASET))
        if same is None:
            graph.add((iri, PROV.wasDerivedFrom, citation))
    for article in sorted(item.articles):
        graph.add((iri, MIG.citedArticle, Literal(article)))
    return iri


def year_ranges(years: list[int]) -> str:
    """Sorted years as ranges.

    >>> year_ranges([1990, 1991, 1992, 1995, 1997, 1998])
    '1990-1992, 1995, 1997-1998'
    """
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _indicator_order(code: str) -> tuple[str, int]:
    found = re.match(r"([A-Z]+)(\d+)", code)
    return (found.group(1), int(found.group(2))) if found else (code, 0)


HEADER = generated_header("apla", "data/sources/raw/apla/ (APLA database, CC BY 4.0)")


def write_apla(result: AplaResult, output_dir: Path) -> list[Path]:
    """Write instruments.ttl and SUMMARY.md into ``output_dir``; return the paths written."""
    return write_outputs(output_dir, {"instruments": result.graph}, result.summary, HEADER)
