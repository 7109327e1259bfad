"""Every State, with its codes, names and UN M49 place: ``migkg import states``.

Inputs: ``pycountry`` (ISO 3166-1 codes and names, their French and Spanish translations, ISO 3166-3
for historic States), the vendored OCHA countries and territories taxonomy (UN M49 codes, regions,
sub-regions, UN short names in en/fr/es, the UN member-state list), and the names of their time used
by the treaty-status files and the bilateral labour agreement dataset (kept as alternative labels, so
that "Turkey", "Swaziland" or "Macedonia" find the State). Outputs: ``data/places/regions.ttl``,
``data/places/countries.ttl`` and ``data/actors/states.ttl``.

Historic States (Czechoslovakia, the German Democratic Republic, the USSR, Yugoslavia, Serbia and
Montenegro) get their own State and place, with their withdrawn ISO 3166-3 codes, the withdrawal date
and, where a source states them, their successors. They are never mapped onto a successor.
"""

from __future__ import annotations

import gettext
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from migkg.importers.common import (
    ORGID,
    PLACE,
    RAW_DIR,
    Dataset,
    Report,
    csv_rows,
    dataset_iri,
    describe_dataset,
    new_graph,
    row_iri,
    slugify,
    write_turtle,
)
from migkg.namespaces import BASE, ELI, MIG, ORG, SCHEME, TIME

M49_FILE = "countries-territories-taxonomy.csv"
M49_PAGE = URIRef("https://unstats.un.org/unsd/methodology/m49/")
ISO_PAGE = URIRef("https://www.iso.org/iso-3166-country-codes.html")
ISO_3166_3_PAGE = URIRef("http://www.iso.org/iso/country_codes/background_on_iso_3166/iso_3166-3.htm")
ISO_3166_3_WIKIPEDIA = URIRef("http://en.wikipedia.org/wiki/ISO_3166-3")
AT_STATE = URIRef(BASE + "concept/actor-type/state")
M49_DATASET = Dataset(
    "m49", "OCHA Countries & Territories Taxonomy (UN M49 codes, regions and names)",
    "UN OCHA (in the PyPI package hdx-python-country)", "https://github.com/OCHA-DAP/hdx-python-country",
    "hdx-python-country 4.2.5, file hdx/location/Countries & Territories Taxonomy MVP - C&T Taxonomy.csv",
    license="https://opensource.org/licenses/MIT",
    rights="The package is MIT; the M49 classification is the UN Statistics Division's "
           "(https://unstats.un.org/unsd/methodology/m49/), cited as the primary source.")
PYCOUNTRY_DATASET = Dataset(
    "pycountry", "pycountry: ISO 3166-1, ISO 3166-3 and their translations", "pycountry contributors",
    "https://github.com/pycountry/pycountry", "pycountry 26.2.16",
    license="https://spdx.org/licenses/LGPL-2.1-only.html",
    rights="The codes and names are ISO 3166's (https://www.iso.org/iso-3166-country-codes.html).",
    vendored=False)

#: The two observer States of the UN General Assembly (not in the member-state list).
OBSERVERS = ("VAT", "PSE")
#: Slugs that are not the kebab case of the UN short name: published slugs kept, and short forms.
SLUGS = {
    "BO": "bolivia", "CI": "cote-d-ivoire", "GB": "united-kingdom", "LA": "lao-pdr", "SY": "syria",
    "TR": "turkiye", "VE": "venezuela", "VN": "viet-nam", "419": "latin-america-caribbean",
    "057": "micronesia-region",  # the sub-region; "micronesia" is the Federated States of Micronesia
}


@dataclass(frozen=True)
class Historic:
    """A historic State of ISO 3166-3 that a source names as a party, with its sourced successors."""

    alpha3: str
    slug: str
    label: str
    alt: tuple[str, ...]
    regions: tuple[str, ...]  # M49 region codes its territory lies in
    successors: tuple[str, ...] = ()
    successor_source: URIRef | None = None
    comment: str = ""


HISTORIC = (
    Historic("CSK", "czechoslovakia", "Czechoslovakia", ("Czechoslovak Socialist Republic",), ("150",),
             ("CZE", "SVK"), ISO_3166_3_PAGE,
             "ISO 3166-3: Czechoslovakia (CS) was divided into the Czech Republic (CZ) and Slovakia (SK)."),
    Historic("DDR", "german-democratic-republic", "German Democratic Republic", ("East Germany",),
             ("150",), ("DEU",), ISO_3166_3_WIKIPEDIA,
             "ISO 3166-3: the German Democratic Republic (DD) merged into Germany (DE). West Germany, the "
             "Federal Republic of Germany, kept its code DE: it is the State orgid:germany, not a "
             "historic State of its own."),
    Historic("SUN", "ussr", "Union of Soviet Socialist Republics", ("USSR", "Soviet Union"),
             ("150", "142"), (), None,
             "Its successor States are not recorded: no source consulted here lists them."),
    Historic("YUG", "yugoslavia", "Yugoslavia", ("Socialist Federal Republic of Yugoslavia",
                                                 "Federal Republic of Yugoslavia"), ("150",), (), None,
             "ISO 3166-3 covers under YU both the Socialist Federal Republic of Yugoslavia and, from 27 "
             "April 1992, the Federal Republic of Yugoslavia (pycountry's ISO 3166-3 comment). Successor "
             "States are not recorded: no source consulted here lists them."),
    Historic("SCG", "serbia-and-montenegro", "Serbia and Montenegro", (), ("150",), (), None,
             "Successor States are not recorded: no source consulted here lists them."),
)


@dataclass
class Country:
    """One current State: codes, names and M49 place, with the source rows they come from."""

    alpha2: str
    alpha3: str
    numeric: str
    slug: str
    un_status: str
    labels: dict[str, str]
    alt: set[tuple[str, str]] = field(default_factory=set)
    subregion: str = ""
    row: int = 0


@dataclass(frozen=True)
class Region:
    """A UN M49 region or sub-region."""

    code: str
    name: str
    parent: str | None  # M49 code of the region a sub-region lies in; None for a region


def _pycountry() -> Any:
    try:
        import pycountry
    except ImportError as err:  # pragma: no cover - depends on the extra being installed
        raise SystemExit("migkg import states needs pycountry: pip install -e '.[import]'") from err
    return pycountry


def read_m49(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The taxonomy's rows with their 1-based row numbers (header = row 1)."""
    return csv_rows(path)


def treaty_names(folder: Path) -> dict[str, set[str]]:
    """ISO alpha-2 (as the files write it) → the member names used in the treaty-status files."""
    names: dict[str, set[str]] = {}
    for path in sorted(folder.glob("hr_status_*.csv")):
        for _, row in csv_rows(path, encoding="utf-8-sig"):
            names.setdefault(row["iso2"].strip(), set()).add(" ".join(row["member"].split()))
    return names


def bla_names(path: Path) -> dict[str, set[str]]:
    """ISO alpha-3 → names of the bilateral labour agreement dataset (countries_match.xlsx).

    Read with the standard library (an .xlsx file is zipped XML): the sheets "CountryA" and "CountryB"
    pair a code with a name.
    """
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    out: dict[str, set[str]] = {}
    with zipfile.ZipFile(path) as book:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
        ]
        for name in sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet")):
            for row in ElementTree.fromstring(book.read(name)).iter(f"{{{ns['m']}}}row"):
                cells = []
                for cell in row.findall("m:c", ns):
                    value = cell.find("m:v", ns)
                    text = value.text if value is not None and value.text else ""
                    cells.append(shared[int(text)] if cell.get("t") == "s" and text else text)
                code, name = [*cells, "", ""][:2]
                # A name has a letter: the sheets also hold numeric cells (VAT's reads "1").
                if (len(code) == 3 and code.isupper() and any(ch.isalpha() for ch in name)
                        and not name.isupper() and not name.startswith(("Name of", "="))):
                    out.setdefault(code, set()).add(name.strip())
    return out


def collect(root: Path, report: Report) -> tuple[list[Country], dict[str, Region]]:
    """The 193 member States and the two observers, and the M49 regions they lie in."""
    pc = _pycountry()
    translations = {
        lang: gettext.translation("iso3166-1", pc.LOCALES_DIR, languages=[lang]) for lang in ("fr", "es")
    }
    raw = root / RAW_DIR
    rows = read_m49(raw / "m49" / M49_FILE)
    regions: dict[str, Region] = {}
    countries: list[Country] = []
    for number, row in rows:
        alpha3 = row["ISO 3166-1 Alpha 3-Codes"].strip()
        if row["Appears in DGACM list"] == "Y":
            status = "member state"
        elif alpha3 in OBSERVERS:
            status = "observer state"
        else:
            continue
        iso = pc.countries.get(alpha_3=alpha3)
        if iso is None:
            report.unmapped.append(f"{M49_FILE} row {number}: {alpha3} {row['English Short']!r} "
                                   "has no ISO 3166-1 entry in pycountry")
            continue
        region = (row["Region Code"].zfill(3), row["Region Name"])
        sub = (row["Sub-region Code"].zfill(3), row["Sub-region Name"])
        regions.setdefault(region[0], Region(region[0], region[1], None))
        regions.setdefault(sub[0], Region(sub[0], sub[1], region[0]))
        labels = {"en": row["M49 English"].strip() or row["English Short"].strip()}
        for lang, column in (("fr", "M49 French"), ("es", "M49 Spanish")):
            labels[lang] = row[column].strip() or translations[lang].gettext(iso.name)
        country = Country(
            alpha2=iso.alpha_2, alpha3=alpha3, numeric=iso.numeric,
            slug=SLUGS.get(iso.alpha_2, slugify(labels["en"])), un_status=status, labels=labels,
            subregion=sub[0], row=number,
        )
        names_en = [iso.name, getattr(iso, "common_name", ""), getattr(iso, "official_name", ""),
                    row["English Short"], row["Preferred Term"], row["ISO Alt Term"],
                    row["DGACM Alt Term"], row["HPC Tools Alt Term"], row["RW Short Name"]]
        country.alt |= {(n.strip(), "en") for n in names_en if n and n.strip()}
        for lang in ("fr", "es"):
            for name in (iso.name, getattr(iso, "official_name", "")):
                if name:
                    country.alt.add((translations[lang].gettext(name), lang))
            short = row["French Short" if lang == "fr" else "Spanish Short"].strip()
            if short:
                country.alt.add((short, lang))
        countries.append(country)
    by_alpha2 = {c.alpha2: c for c in countries}
    by_alpha3 = {c.alpha3: c for c in countries}
    for code, names in treaty_names(raw / "un-hr-treaty-status").items():
        named = by_alpha2.get("TL" if code == "TP" else code)
        if named is not None:
            named.alt |= {(n, "en") for n in names}
    bla = raw / "bla-chilton-woda" / "countries_match.xlsx"
    if bla.exists():
        for code, names in bla_names(bla).items():
            if code in by_alpha3:
                by_alpha3[code].alt |= {(n, "en") for n in names}
    for country in countries:
        english = {country.labels["en"], *(text for text, lang in country.alt if lang == "en")}
        country.alt |= {(without_diacritics(text), "en") for text in english}
        country.alt = {(text, lang) for text, lang in country.alt if text != country.labels.get(lang)}
    slugs = [c.slug for c in countries] + [_region_slug(r) for r in regions.values()]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ValueError(f"duplicate place slugs: {duplicates}")
    report.counts["member states"] = sum(c.un_status == "member state" for c in countries)
    report.counts["observer states"] = sum(c.un_status == "observer state" for c in countries)
    return sorted(countries, key=lambda c: c.slug), regions


def without_diacritics(text: str) -> str:
    """The spelling people type without accents, kept as an alternative English name.

    >>> without_diacritics("Côte d'Ivoire"), without_diacritics("Türkiye")
    ("Cote d'Ivoire", 'Turkiye')
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _region_slug(region: Region) -> str:
    return SLUGS.get(region.code, slugify(region.name))


def regions_graph(regions: dict[str, Region]) -> Graph:
    """World → the five M49 regions → their sub-regions."""
    g = new_graph()
    world = PLACE["world"]
    g.add((world, RDF.type, SKOS.Concept))
    g.add((world, RDF.type, ELI.AdministrativeArea))
    g.add((world, SKOS.prefLabel, Literal("World", lang="en")))
    g.add((world, SKOS.definition, Literal("The whole world (UN M49 area 001); the top of the place "
                                           "hierarchy.", lang="en")))
    g.add((world, MIG.m49Code, Literal("001")))
    g.add((world, SKOS.inScheme, SCHEME["place"]))
    g.add((world, SKOS.topConceptOf, SCHEME["place"]))
    g.add((world, DCTERMS.source, M49_PAGE))
    for region in sorted(regions.values(), key=lambda r: r.code):
        node = PLACE[_region_slug(region)]
        parent = regions[region.parent] if region.parent else None
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, RDF.type, ELI.AdministrativeArea))
        g.add((node, SKOS.prefLabel, Literal(region.name, lang="en")))
        kind = f"sub-region of {parent.name}" if parent else "region"
        g.add((node, SKOS.definition, Literal(f"UN M49 {kind} '{region.name}' (code {region.code}).",
                                              lang="en")))
        g.add((node, MIG.m49Code, Literal(region.code)))
        g.add((node, SKOS.inScheme, SCHEME["place"]))
        g.add((node, SKOS.broader, PLACE[_region_slug(parent)] if parent else world))
        g.add((node, DCTERMS.source, M49_PAGE))
        g.add((node, PROV.wasDerivedFrom, dataset_iri("m49")))
    return g


def _add_labels(g: Graph, node: URIRef, labels: dict[str, str], alt: Iterable[tuple[str, str]]) -> None:
    for lang, text in sorted(labels.items()):
        g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
    for text, lang in sorted(alt):
        g.add((node, SKOS.altLabel, Literal(text, lang=lang)))


def countries_graphs(countries: list[Country], regions: dict[str, Region],
                     report: Report) -> tuple[Graph, Graph]:
    """The country places and the States (current and historic)."""
    pc = _pycountry()
    places, states = new_graph(), new_graph()
    describe_dataset(places, M49_DATASET)
    describe_dataset(places, PYCOUNTRY_DATASET)
    by_alpha3 = {c.alpha3: c for c in countries}
    for c in countries:
        place, state = PLACE[c.slug], ORGID[c.slug]
        derived = row_iri("m49", M49_FILE, c.row)
        places.add((place, RDF.type, SKOS.Concept))
        places.add((place, RDF.type, ELI.AdministrativeArea))
        _add_labels(places, place, c.labels, c.alt)
        places.add((place, SKOS.notation, Literal(c.alpha2)))
        places.add((place, MIG.iso3166Alpha2, Literal(c.alpha2)))
        places.add((place, MIG.iso3166Alpha3, Literal(c.alpha3)))
        places.add((place, MIG.iso3166Numeric, Literal(c.numeric)))
        places.add((place, MIG.m49Code, Literal(c.numeric)))
        places.add((place, SKOS.definition, Literal(
            f"The country {c.labels['en']} (ISO 3166-1 alpha-2 {c.alpha2}, alpha-3 {c.alpha3}).", lang="en")))
        places.add((place, SKOS.inScheme, SCHEME["place"]))
        places.add((place, SKOS.broader, PLACE[_region_slug(regions[c.subregion])]))
        places.add((place, DCTERMS.source, ISO_PAGE))
        places.add((place, DCTERMS.source, M49_PAGE))
        places.add((place, PROV.wasDerivedFrom, derived))
        places.add((place, PROV.wasDerivedFrom, dataset_iri("pycountry")))
        states.add((state, RDF.type, ORG.FormalOrganization))
        _add_labels(states, state, c.labels, c.alt)
        states.add((state, ORG.classification, AT_STATE))
        states.add((state, DCTERMS.spatial, place))
        states.add((state, MIG.unStatus, Literal(c.un_status)))
        states.add((state, DCTERMS.source, M49_PAGE))
        states.add((state, PROV.wasDerivedFrom, derived))
    region_by_code = {r.code: r for r in regions.values()}
    for h in HISTORIC:
        iso = pc.historic_countries.get(alpha_3=h.alpha3)
        place, state = PLACE[h.slug], ORGID[h.slug]
        alt = {(iso.name, "en"), *((a, "en") for a in h.alt)} - {(h.label, "en")}
        for graph, node in ((places, place), (states, state)):
            _add_labels(graph, node, {"en": h.label}, alt)
            graph.add((node, DCTERMS.source, ISO_3166_3_PAGE))
            graph.add((node, MIG.codeWithdrawn, _date(iso.withdrawal_date)))
            if h.comment:
                graph.add((node, SKOS.historyNote, Literal(h.comment, lang="en")))
            if h.successor_source is not None:
                graph.add((node, DCTERMS.source, h.successor_source))
            for code in h.successors:
                successor = by_alpha3[code].slug
                graph.add((node, MIG.successor, (PLACE if graph is places else ORGID)[successor]))
        places.add((place, RDF.type, SKOS.Concept))
        places.add((place, RDF.type, ELI.AdministrativeArea))
        places.add((place, MIG.iso3166Alpha2, Literal(iso.alpha_2)))
        places.add((place, MIG.iso3166Alpha3, Literal(iso.alpha_3)))
        places.add((place, MIG.iso3166Alpha4, Literal(iso.alpha_4)))
        if getattr(iso, "numeric", None):
            places.add((place, MIG.iso3166Numeric, Literal(iso.numeric)))
        places.add((place, SKOS.definition, Literal(
            f"The territory of the historic State {h.label} (ISO 3166-3 {iso.alpha_4}, withdrawn alpha-3 "
            f"{iso.alpha_3}).", lang="en")))
        places.add((place, SKOS.inScheme, SCHEME["place"]))
        for code in h.regions:
            places.add((place, SKOS.broader, PLACE[_region_slug(region_by_code[code])]))
        states.add((state, RDF.type, ORG.FormalOrganization))
        states.add((state, ORG.classification, AT_STATE))
        states.add((state, DCTERMS.spatial, place))
    report.counts["historic states"] = len(HISTORIC)
    return places, states


def add_memberships(states: Graph, memberships: Path) -> int:
    """``org:memberOf`` for each current (open-ended) ``org:Membership`` of memberships.ttl.

    The dated memberships are curated there; the direct triple that plain queries use is derived here,
    so the two never disagree.
    """
    if not memberships.exists():
        return 0
    g = Graph().parse(memberships, format="turtle")
    count = 0
    for node in g.subjects(RDF.type, ORG.Membership):
        member, organisation = g.value(node, ORG.member), g.value(node, ORG.organization)
        interval = g.value(node, ORG.memberDuring)
        ended = interval is not None and (interval, TIME.hasEnd, None) in g
        if (isinstance(member, URIRef) and isinstance(organisation, URIRef) and not ended
                and (member, RDF.type, ORG.FormalOrganization) in states):
            states.add((member, ORG.memberOf, organisation))
            count += 1
    return count


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date if len(value) == 10 else XSD.gYear)


HEADER = """Generated by `migkg import states` from pycountry {version} and data/sources/raw/ (m49,
un-hr-treaty-status, bla-chilton-woda): do not edit; rerun the importer. {what}"""


def run(root: Path) -> Report:
    """Write the three files under ``root``; return the report."""
    report = Report("states")
    countries, regions = collect(root, report)
    places, states = countries_graphs(countries, regions, report)
    report.counts["current memberships"] = add_memberships(
        states, root / "data" / "actors" / "memberships.ttl")
    version = _pycountry_version()
    write_turtle(regions_graph(regions), root / "data" / "places" / "regions.ttl",
                 HEADER.format(version=version, what="World, UN M49 regions and sub-regions."))
    write_turtle(places, root / "data" / "places" / "countries.ttl", HEADER.format(
        version=version, what="Countries (ISO 3166-1 codes, UN M49 sub-region) and historic States' "
        "territories (ISO 3166-3)."))
    write_turtle(states, root / "data" / "actors" / "states.ttl", HEADER.format(
        version=version, what="States: the 193 UN member states, the 2 observer states, and historic "
        "States named as parties by a source. org:memberOf is derived from the open-ended memberships of "
        "data/actors/memberships.ttl."))
    return report


def _pycountry_version() -> str:
    from importlib.metadata import version

    return version("pycountry")


def iter_codes(countries: Iterable[Country]) -> Iterator[str]:
    """The alpha-3 codes of ``countries`` (helper for tests and reports)."""
    return (c.alpha3 for c in countries)
