"""A country's whole picture across levels: the profile shown on each state's page.

For the state (``org:classification at:state``) whose ``dcterms:spatial`` is the country's place:
the instruments it issued, is party to or that apply in the country (``eli:jurisdiction`` the
place or a place within it), by governance level; its bilateral labour agreements with partners,
years and provisions; its treaty and convention statuses (``mig:PartyStatus``) in time order; its
memberships (``org:Membership`` with ``org:memberDuring``, or a bare ``org:memberOf``); the GCM
objectives its instruments contribute to (directly or through an action). Every row keeps the
``dcterms:source`` the data gives it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.term import Identifier

from migkg.namespaces import sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest, Row
from migkg.views.describe import pick_label, short_name
from migkg.views.places import Country

_P = sparql_prefix_block()
_YEAR = """OPTIONAL { ?i eli:date_document ?d1 } OPTIONAL { ?i mig:dateEndorsed ?d2 }
  OPTIONAL { ?i mig:dateLaunched ?d3 } OPTIONAL { ?i mig:dateApproved ?d4 }
  OPTIONAL { ?i eli:first_date_entry_in_force ?d5 }
  BIND(xsd:integer(SUBSTR(STR(COALESCE(?d1, ?d2, ?d3, ?d4, ?d5)), 1, 4)) AS ?year)"""
_ROLES = _P + """
SELECT DISTINCT ?i ?role ?level ?levelOrder ?levelLabel ?label ?year WHERE {
  %s
  { ?i mig:issuedBy ?state BIND("issued" AS ?role) }
  UNION { ?i mig:party ?state BIND("party" AS ?role) }
  UNION { ?i eli:jurisdiction ?where . ?where skos:broader* ?place BIND("applies" AS ?role) }
  OPTIONAL { ?i mig:governanceLevel ?level OPTIONAL { ?level skos:notation ?levelOrder }
             OPTIONAL { ?level skos:prefLabel ?levelLabel } }
  OPTIONAL { ?i skos:prefLabel|dcterms:title ?label }
  """ + _YEAR + """
}"""
_BLAS = _P + """
PREFIX it: <https://w3id.org/migkg/concept/instrument-type/>
SELECT ?i ?label ?partner ?partnerLabel ?partnerPlace ?year ?provision ?provisionLabel WHERE {
  %s
  ?i mig:instrumentType it:bilateral-labour-agreement ; mig:party ?state .
  OPTIONAL { ?i mig:party ?partner FILTER(?partner != ?state)
             OPTIONAL { ?partner skos:prefLabel ?partnerLabel }
             OPTIONAL { ?partner dcterms:spatial ?partnerPlace } }
  OPTIONAL { ?i skos:prefLabel|dcterms:title ?label }
  OPTIONAL { ?i mig:provides ?provision OPTIONAL { ?provision skos:prefLabel ?provisionLabel } }
  """ + _YEAR + """
}"""
_STATUSES = _P + """
SELECT ?status ?i ?label ?kind ?year ?date ?source WHERE {
  %s
  ?status a mig:PartyStatus ; mig:partyState ?state ; mig:ofInstrument ?i .
  OPTIONAL { ?status mig:statusKind ?kind } OPTIONAL { ?status mig:statusYear ?year }
  OPTIONAL { ?status mig:statusDate ?date } OPTIONAL { ?status dcterms:source ?source }
  OPTIONAL { ?i skos:prefLabel|dcterms:title ?label }
}"""
_MEMBERSHIPS = _P + """
SELECT ?org ?label ?begin ?end ?source WHERE {
  %s
  { ?m a org:Membership ; org:member ?state ; org:organization ?org .
    OPTIONAL { ?m org:memberDuring/time:hasBeginning/(time:inXSDDate|time:inXSDgYear) ?begin }
    OPTIONAL { ?m org:memberDuring/time:hasEnd/(time:inXSDDate|time:inXSDgYear) ?end }
    OPTIONAL { ?m dcterms:source ?source } }
  UNION { ?state org:memberOf ?org
    FILTER NOT EXISTS { ?m2 org:member ?state ; org:organization ?org } }
  OPTIONAL { ?org skos:prefLabel ?label }
}"""
_OBJECTIVES = _P + """
SELECT ?objective ?label ?no (COUNT(DISTINCT ?i) AS ?n) WHERE {
  { SELECT DISTINCT ?i WHERE { %s
    { ?i mig:issuedBy|mig:party ?state }
    UNION { ?i eli:jurisdiction ?where . ?where skos:broader* ?place } } }
  ?i mig:contributesTo ?c . ?c skos:broader* ?objective .
  FILTER(REGEX(STR(?objective), "^https://w3id[.]org/migkg/gcm/objective/[0-9]+$"))
  OPTIONAL { ?objective skos:prefLabel ?label } OPTIONAL { ?objective skos:notation ?no }
} GROUP BY ?objective ?label ?no"""
ROLES = (("issued", "Issued by it"), ("party", "It is party to"), ("applies", "Applying in it"))


@dataclass(frozen=True)
class Item:
    """An instrument (or organisation) with its label and, where known, its year."""

    iri: str
    label: str
    year: int | None = None


@dataclass(frozen=True)
class LevelGroup:
    """Instruments of one governance level (``level`` empty when none is recorded)."""

    level: str
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Agreement:
    """A bilateral labour agreement of the country: partners, year, provisions."""

    item: Item
    partners: tuple[Item, ...]
    partner_places: tuple[str, ...]
    provisions: tuple[Item, ...]


@dataclass(frozen=True)
class StatusEvent:
    """One treaty status of the state: signature, ratification, accession (or unstated)."""

    instrument: Item
    kind: str
    year: int | None
    date: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Membership:
    """A membership of the state, with its dates when the data gives them."""

    organisation: Item
    begin: str
    end: str
    sources: tuple[str, ...]


Roles = tuple[tuple[str, str, tuple[LevelGroup, ...]], ...]


@dataclass(frozen=True)
class CountryProfile:
    """Everything a country profile shows."""

    country: Country
    label: str
    roles: Roles
    agreements: tuple[Agreement, ...]
    statuses: tuple[StatusEvent, ...]
    memberships: tuple[Membership, ...]
    objectives: tuple[tuple[Item, int], ...]

    def status_rows(self) -> tuple[tuple[Item, tuple[StatusEvent, ...]], ...]:
        """The statuses grouped by instrument, in the order of each instrument's first event."""
        rows: dict[str, list[StatusEvent]] = defaultdict(list)
        for event in self.statuses:
            rows[event.instrument.iri].append(event)
        return tuple((events[0].instrument, tuple(events)) for events in rows.values())

    @property
    def years(self) -> tuple[int, int] | None:
        """The first and last year of the status timeline, if it has any."""
        found = [s.year for s in self.statuses if s.year is not None]
        return (min(found), max(found)) if found else None


def _values(country: Country) -> str:
    states = " ".join(str(ox.NamedNode(s)) for s in country.states) or "<urn:migkg:no-state>"
    return f"VALUES ?state {{ {states} }} VALUES ?place {{ {ox.NamedNode(country.iri)} }}"


def _label(rows: Iterable[Row], key: str, languages: Sequence[str]) -> dict[str, str]:
    labels: dict[str, list[Identifier]] = defaultdict(list)
    for row in rows:
        if key in row:
            labels[str(row[key[:-5] if key.endswith("Label") and key != "label" else "i"])].append(row[key])
    return {iri: pick_label(found, languages) or short_name(iri) for iri, found in labels.items()}


def _year(row: Row, name: str = "year") -> int | None:
    value = row.get(name)
    text = str(value) if value is not None else ""
    return int(text[:4]) if text[:4].isdigit() else None


def country_profile(backend: Backend, country: Country, languages: Sequence[str] = ("en",)) -> CountryProfile:
    """The profile of ``country`` (see the module documentation)."""
    values = _values(country)
    return CountryProfile(
        country=country, label=pick_label(country.labels, languages) or country.slug,
        roles=_roles(backend, values, languages), agreements=_agreements(backend, values, languages),
        statuses=_statuses(backend, values, languages), memberships=_memberships(backend, values, languages),
        objectives=_objectives(backend, values, languages))


def _roles(backend: Backend, values: str, languages: Sequence[str]) -> Roles:
    rows = backend.select(QueryRequest(_ROLES % values))
    names = _label(rows, "label", languages)
    level_names = _label(rows, "levelLabel", languages)
    result = []
    for role, title in ROLES:
        by_level: dict[tuple[int, str], dict[str, Item]] = defaultdict(dict)
        for row in rows:
            if str(row["role"]) == role:
                order = int(str(row["levelOrder"])) if str(row.get("levelOrder", "")).isdigit() else 99
                iri = str(row["i"])
                by_level[(order, str(row.get("level", "")))][iri] = Item(
                    iri, names.get(iri) or short_name(iri), _year(row))
        groups = tuple(LevelGroup(level, level_names.get(level, short_name(level)) if level else "no level",
                                  tuple(sorted(items.values(), key=lambda i: (i.year or 0, i.label))))
                       for (_, level), items in sorted(by_level.items()))
        result.append((role, title, groups))
    return tuple(result)


def _agreements(backend: Backend, values: str, languages: Sequence[str]) -> tuple[Agreement, ...]:
    rows = backend.select(QueryRequest(_BLAS % values))
    labels = _label(rows, "label", languages)
    partner_labels = _label(rows, "partnerLabel", languages)
    provision_labels = _label(rows, "provisionLabel", languages)
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    years: dict[str, int | None] = {}
    for row in rows:
        iri = str(row["i"])
        years[iri] = _year(row)
        for name in ("partner", "partnerPlace", "provision"):
            if name in row:
                found[iri][name].add(str(row[name]))
    agreements = [Agreement(
        Item(iri, labels.get(iri, short_name(iri)), years.get(iri)),
        tuple(Item(p, partner_labels.get(p, short_name(p))) for p in sorted(found[iri]["partner"])),
        tuple(sorted(found[iri]["partnerPlace"])),
        tuple(Item(p, provision_labels.get(p, short_name(p))) for p in sorted(found[iri]["provision"])))
        for iri in years]
    return tuple(sorted(agreements, key=lambda a: (a.item.year or 0, a.item.label)))


def _statuses(backend: Backend, values: str, languages: Sequence[str]) -> tuple[StatusEvent, ...]:
    rows = backend.select(QueryRequest(_STATUSES % values))
    labels = _label(rows, "label", languages)
    events: dict[str, StatusEvent] = {}
    for row in rows:
        key = str(row["status"])
        sources = tuple(sorted({*(events[key].sources if key in events else ()),
                                *([str(row["source"])] if "source" in row else [])}))
        iri = str(row["i"])
        events[key] = StatusEvent(Item(iri, labels.get(iri, short_name(iri))), str(row.get("kind", "")),
                                  _year(row) or _year(row, "date"), str(row.get("date", "")), sources)
    return tuple(sorted(events.values(), key=lambda e: (e.year or 0, e.date, e.instrument.label, e.kind)))


def _memberships(backend: Backend, values: str, languages: Sequence[str]) -> tuple[Membership, ...]:
    rows = backend.select(QueryRequest(_MEMBERSHIPS % values))
    labels = {str(r["org"]): pick_label([x["label"] for x in rows if x["org"] == r["org"] and "label" in x],
                                        languages) or short_name(str(r["org"])) for r in rows}
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (str(row["org"]), str(row.get("begin", "")), str(row.get("end", "")))
        found[key].update([str(row["source"])] if "source" in row else [])
    return tuple(sorted((Membership(Item(org, labels[org]), begin, end, tuple(sorted(sources)))
                         for (org, begin, end), sources in found.items()),
                        key=lambda m: (m.begin or "9999", m.organisation.label)))


def _objectives(backend: Backend, values: str, languages: Sequence[str]) -> tuple[tuple[Item, int], ...]:
    rows = backend.select(QueryRequest(_OBJECTIVES % values))
    labels = _label([{**r, "i": r["objective"]} for r in rows], "label", languages)
    counts: dict[str, tuple[int, int]] = {}
    for row in rows:
        iri = str(row["objective"])
        number = int(str(row["no"])) if str(row.get("no", "")).isdigit() else 99
        counts[iri] = (number, int(row["n"]))
    return tuple((Item(iri, labels.get(iri, short_name(iri))), n)
                 for iri, (_, n) in sorted(counts.items(), key=lambda kv: kv[1][0]))
