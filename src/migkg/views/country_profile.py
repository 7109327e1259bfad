"""A country's whole picture across levels: the profile shown on each state's page.

For the state (``org:classification at:state``) whose ``dcterms:spatial`` is the country's place:
the instruments it issued or is party to, itself or through one of its agencies, ministries or other
sub-organisations (``org:subOrganizationOf*`` the state: the 2013 Philippines–Germany agreement's
parties are the POEA and the BA/ZAV), and those that apply in the country (``eli:jurisdiction`` the
place or a place within it), by governance level; its bilateral labour agreements with partners (an
agency partner with its state), years and provisions; its treaty and convention statuses
(``mig:PartyStatus``) in time order, and the party lists that record none of the state's, with what
that absence means (``mig:listCompleteness``: "not a party" only on a complete list, within its
coverage); its memberships (``org:Membership`` with ``org:memberDuring``, or
a bare ``org:memberOf``); the GCM objectives its instruments contribute to (directly or through an
action). Every row keeps the ``dcterms:source`` the data gives it.
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
from migkg.views.party_lists import party_lists
from migkg.views.places import Country

_P = sparql_prefix_block()
_YEAR = """OPTIONAL { ?i eli:date_document ?d1 } OPTIONAL { ?i mig:dateEndorsed ?d2 }
  OPTIONAL { ?i mig:dateLaunched ?d3 } OPTIONAL { ?i mig:dateApproved ?d4 }
  OPTIONAL { ?i eli:first_date_entry_in_force ?d5 }
  BIND(xsd:integer(SUBSTR(STR(COALESCE(?d1, ?d2, ?d3, ?d4, ?d5)), 1, 4)) AS ?year)"""
_AGENCIES = _P + """
PREFIX at: <https://w3id.org/migkg/concept/actor-type/>
SELECT ?agency ?state ?label ?stateLabel ?place WHERE {
  ?agency org:subOrganizationOf+ ?state . ?state org:classification at:state .
  OPTIONAL { ?agency skos:altLabel|skos:prefLabel ?label }
  OPTIONAL { ?state skos:prefLabel ?stateLabel } OPTIONAL { ?state dcterms:spatial ?place }
}"""
# ?by: the state and its agencies (VALUES, see _values); each query stays a few plain joins: Oxigraph
# planned the same answers with property paths and NOT EXISTS per partner ≈30× slower (France: 3 s).
_ROLES = _P + """
SELECT DISTINCT ?i ?role ?by ?level ?levelOrder ?levelLabel ?label ?year WHERE {
  { %(by)s { ?i mig:issuedBy ?by BIND("issued" AS ?role) } UNION { ?i mig:party ?by BIND("party" AS ?role) } }
  UNION { %(place)s ?i eli:jurisdiction ?where . ?where skos:broader* ?place BIND("applies" AS ?role) }
  OPTIONAL { ?i mig:governanceLevel ?level OPTIONAL { ?level skos:notation ?levelOrder }
             OPTIONAL { ?level skos:prefLabel ?levelLabel } }
  OPTIONAL { ?i skos:prefLabel|dcterms:title ?label }
  """ + _YEAR + """
}"""
_BLA_SET = """{ SELECT DISTINCT ?i WHERE { %(by)s
    ?i mig:party ?by ; mig:instrumentType it:bilateral-labour-agreement } }"""
_BLAS = _P + """
PREFIX it: <https://w3id.org/migkg/concept/instrument-type/>
SELECT ?i ?label ?year WHERE {
  """ + _BLA_SET + """
  OPTIONAL { ?i skos:prefLabel|dcterms:title ?label }
  """ + _YEAR + """
}"""
_BLA_PARTIES = _P + """
PREFIX it: <https://w3id.org/migkg/concept/instrument-type/>
SELECT ?i ?party ?partyLabel ?place WHERE {
  """ + _BLA_SET + """
  ?i mig:party ?party
  OPTIONAL { ?party skos:prefLabel ?partyLabel } OPTIONAL { ?party dcterms:spatial ?place }
}"""
_BLA_PROVISIONS = _P + """
PREFIX it: <https://w3id.org/migkg/concept/instrument-type/>
SELECT ?i ?provision ?provisionLabel WHERE {
  """ + _BLA_SET + """
  ?i mig:provides ?provision OPTIONAL { ?provision skos:prefLabel ?provisionLabel }
}"""
_STATUSES = _P + """
SELECT ?status ?i ?label ?kind ?year ?date ?source WHERE {
  %(state)s
  ?status a mig:PartyStatus ; mig:partyState ?state ; mig:ofInstrument ?i .
  OPTIONAL { ?status mig:statusKind ?kind } OPTIONAL { ?status mig:statusYear ?year }
  OPTIONAL { ?status mig:statusDate ?date } OPTIONAL { ?status dcterms:source ?source }
  OPTIONAL { ?i skos:prefLabel|dcterms:title ?label }
}"""
_MEMBERSHIPS = _P + """
SELECT ?org ?label ?begin ?end ?source WHERE {
  %(state)s
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
  { SELECT DISTINCT ?i WHERE {
    { %(by)s ?i mig:issuedBy|mig:party ?by }
    UNION { %(place)s ?i eli:jurisdiction ?where . ?where skos:broader* ?place } } }
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
    through: tuple[str, ...] = ()  # the state's agencies that issued it or are party (their short names)


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
    partner_states: tuple[Item, ...] = ()  # the states of partners that are agencies of a state


@dataclass(frozen=True)
class StatusEvent:
    """One treaty status of the state: signature, ratification, accession (or unstated)."""

    instrument: Item
    kind: str
    year: int | None
    date: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PartyListStanding:
    """A multilateral instrument's party list and whether it records a status of the state.

    Absence from a complete list reads as "neither party nor signatory" as of ``complete_as_of``, for
    the States its ``coverage`` names; absence from a partial list says nothing (issue 11, point 5).
    """

    instrument: Item
    complete: bool
    complete_as_of: str
    coverage: str
    sources: tuple[str, ...]
    recorded: bool


@dataclass(frozen=True)
class Membership:
    """A membership of the state, with its dates when the data gives them."""

    organisation: Item
    begin: str
    end: str
    sources: tuple[str, ...]


Roles = tuple[tuple[str, str, tuple[LevelGroup, ...]], ...]


@dataclass(frozen=True)
class Mark:
    """A point on the timeline: its x, its kind (a CSS class) and its tooltip."""

    x: float
    kind: str
    title: str


@dataclass(frozen=True)
class TimelineRow:
    """One row of the profile's timeline: a treaty's statuses, or a membership (a bar from its start
    to its end, open to the right edge when no end is recorded)."""

    item: Item
    kind: str  # "treaty" or "membership"
    marks: tuple[Mark, ...]
    bar: tuple[float, float, str, bool] | None = None  # x from, x to, tooltip, open-ended


@dataclass(frozen=True)
class Timeline:
    """The laid-out timeline of a profile (an SVG ``LEFT + PLOT`` wide; rows 26 apart)."""

    rows: tuple[TimelineRow, ...]
    ticks: tuple[tuple[float, int], ...]
    span: tuple[int, int]
    LEFT = 300
    PLOT = 500

    @property
    def height(self) -> int:
        """The SVG's height."""
        return 40 + 26 * len(self.rows)


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
    party_lists: tuple[PartyListStanding, ...] = ()

    def list_of(self, instrument: str) -> PartyListStanding | None:
        """The party list of ``instrument``, if it has one."""
        return next((p for p in self.party_lists if p.instrument.iri == instrument), None)

    def absent_from(self) -> tuple[PartyListStanding, ...]:
        """The party lists that record no status of the state: complete ones first."""
        return tuple(p for p in self.party_lists if not p.recorded)

    def status_rows(self) -> tuple[tuple[Item, tuple[StatusEvent, ...]], ...]:
        """The statuses grouped by instrument, in the order of each instrument's first event."""
        rows: dict[str, list[StatusEvent]] = defaultdict(list)
        for event in self.statuses:
            rows[event.instrument.iri].append(event)
        return tuple((events[0].instrument, tuple(events)) for events in rows.values())

    def partner_counts(self) -> tuple[tuple[Item, int], ...]:
        """The agreements' partners, most agreements first: a partner agency counts for its state."""
        counts: dict[str, int] = defaultdict(int)
        names: dict[str, Item] = {}
        for agreement in self.agreements:
            partners = agreement.partner_states or agreement.partners
            for partner in {p.iri: p for p in partners}.values():
                counts[partner.iri] += 1
                names[partner.iri] = partner
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]].label))
        return tuple((names[iri], n) for iri, n in ranked)

    @property
    def years(self) -> tuple[int, int] | None:
        """The first and last year of the timeline (statuses, memberships' dates), if it has any."""
        found = [s.year for s in self.statuses if s.year is not None]
        found += [y for m in self.memberships for y in (_year_of(m.begin), _year_of(m.end)) if y is not None]
        return (min(found), max(found)) if found else None

    def timeline(self) -> Timeline | None:
        """The treaty statuses and the memberships on one time axis (None when nothing is dated)."""
        span = self.years
        if span is None:
            return None
        y0, y1 = span[0] - 1, span[1] + 1

        def x(year: int) -> float:
            return round(Timeline.LEFT + Timeline.PLOT * (year - y0) / max(y1 - y0, 1), 1)

        rows = []
        for item, events in self.status_rows():
            marks = tuple(Mark(x(e.year), e.kind or "unstated",
                               f"{item.label}: {e.kind or 'ratification or accession'} {e.date or e.year}")
                          for e in events if e.year is not None)
            rows.append(TimelineRow(item, "treaty", marks))
        for m in self.memberships:
            begin, end = _year_of(m.begin), _year_of(m.end)
            if begin is None:
                continue
            title = f"member of {m.organisation.label} since {m.begin}" + (
                f" until {m.end}" if m.end else " (no end recorded)")
            rows.append(TimelineRow(m.organisation, "membership", (Mark(x(begin), "begin", title),),
                                    (x(begin), x(end) if end is not None else x(y1), title, end is None)))
        ticks = sorted({y for y in range(y0, y1 + 1) if y % 10 == 0} | {y0, y1})
        ticks = [t for t in ticks if t in (y0, y1) or all(abs(t - e) >= 4 for e in (y0, y1))]
        return Timeline(tuple(rows), tuple((x(t), t) for t in ticks), span)


@dataclass(frozen=True)
class _Agencies:
    """Every sub-organisation of a state (``org:subOrganizationOf+``): its state, names, place."""

    state_of: dict[str, str]
    names: dict[str, str]
    state_names: dict[str, str]
    places: dict[str, str]

    def own(self, country: Country) -> tuple[str, ...]:
        """The country's states and their agencies."""
        return tuple(sorted({*country.states, *(a for a, s in self.state_of.items() if s in country.states)}))


def _agencies(backend: Backend, languages: Sequence[str]) -> _Agencies:
    rows = backend.select(QueryRequest(_AGENCIES))
    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        if "label" in row:
            names[str(row["agency"])][""].add(str(row["label"]))
    return _Agencies(
        state_of={str(r["agency"]): str(r["state"]) for r in rows},
        names={agency: _shortest(found)[0] for agency, found in names.items()},
        state_names=_label([{**r, "i": r["state"]} for r in rows], "stateLabel", languages),
        places={str(r["state"]): str(r["place"]) for r in rows if "place" in r})


def _values(country: Country, own: Sequence[str]) -> dict[str, str]:
    """The VALUES blocks the queries name: ``state`` (the country's states), ``by`` (its states and their
    agencies), ``place`` (the country)."""
    def block(variable: str, iris: Iterable[str]) -> str:
        terms = " ".join(str(ox.NamedNode(i)) for i in iris) or "<urn:migkg:none>"
        return f"VALUES ?{variable} {{ {terms} }}"

    return {"state": block("state", country.states), "by": block("by", own),
            "place": block("place", [country.iri])}


def _label(rows: Iterable[Row], key: str, languages: Sequence[str]) -> dict[str, str]:
    labels: dict[str, list[Identifier]] = defaultdict(list)
    for row in rows:
        if key in row:
            labels[str(row[key[:-5] if key.endswith("Label") and key != "label" else "i"])].append(row[key])
    return {iri: pick_label(found, languages) or short_name(iri) for iri, found in labels.items()}


def _shortest(names: dict[str, set[str]]) -> tuple[str, ...]:
    """The shortest name (e.g. the abbreviation ``POEA``) of each agency, sorted."""
    return tuple(sorted(min(found, key=lambda n: (len(n), n)) for found in names.values()))


def _year_of(text: str) -> int | None:
    return int(text[:4]) if text[:4].isdigit() else None


def _year(row: Row, name: str = "year") -> int | None:
    value = row.get(name)
    text = str(value) if value is not None else ""
    return int(text[:4]) if text[:4].isdigit() else None


def country_profile(backend: Backend, country: Country, languages: Sequence[str] = ("en",)) -> CountryProfile:
    """The profile of ``country`` (see the module documentation)."""
    agencies = _agencies(backend, languages)
    values = _values(country, agencies.own(country))
    statuses = _statuses(backend, values, languages)
    return CountryProfile(
        country=country, label=pick_label(country.labels, languages) or country.slug,
        roles=_roles(backend, values, agencies, languages),
        agreements=_agreements(backend, values, country, agencies, languages),
        statuses=statuses, memberships=_memberships(backend, values, languages),
        objectives=_objectives(backend, values, languages),
        party_lists=_party_lists(backend, {s.instrument.iri for s in statuses}, languages))


def _roles(backend: Backend, values: dict[str, str], agencies: _Agencies, languages: Sequence[str]) -> Roles:
    rows = backend.select(QueryRequest(_ROLES % values))
    names = _label(rows, "label", languages)
    level_names = _label(rows, "levelLabel", languages)
    through: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if "by" in row and str(row["by"]) in agencies.names:
            through[(str(row["role"]), str(row["i"]))].add(agencies.names[str(row["by"])])
    result = []
    for role, title in ROLES:
        by_level: dict[tuple[int, str], dict[str, Item]] = defaultdict(dict)
        for row in rows:
            if str(row["role"]) == role:
                order = int(str(row["levelOrder"])) if str(row.get("levelOrder", "")).isdigit() else 99
                iri = str(row["i"])
                by_level[(order, str(row.get("level", "")))][iri] = Item(
                    iri, names.get(iri) or short_name(iri), _year(row), tuple(sorted(through[(role, iri)])))
        groups = tuple(LevelGroup(level, level_names.get(level, short_name(level)) if level else "no level",
                                  tuple(sorted(items.values(), key=lambda i: (-(i.year or -9999), i.label))))
                       for (_, level), items in sorted(by_level.items()))
        result.append((role, title, groups))
    return tuple(result)


def _agreements(backend: Backend, values: dict[str, str], country: Country, agencies: _Agencies,
                languages: Sequence[str]) -> tuple[Agreement, ...]:
    rows = backend.select(QueryRequest(_BLAS % values))
    parties = backend.select(QueryRequest(_BLA_PARTIES % values))
    provisions = backend.select(QueryRequest(_BLA_PROVISIONS % values))
    labels = _label(rows, "label", languages)
    party_labels = _label(parties, "partyLabel", languages)
    provision_labels = _label(provisions, "provisionLabel", languages)
    own = set(agencies.own(country))
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in parties:
        party = str(row["party"])
        if party not in own:
            state = agencies.state_of.get(party)
            found[str(row["i"])]["partner"].add(party)
            place = agencies.places.get(state) if state else str(row.get("place", "")) or None
            found[str(row["i"])]["place"].update([place] if place else [])
            found[str(row["i"])]["state"].update([state] if state else [])
    for row in provisions:
        found[str(row["i"])]["provision"].add(str(row["provision"]))
    years = {str(row["i"]): _year(row) for row in rows}

    def items(iri: str, key: str, names: dict[str, str]) -> tuple[Item, ...]:
        return tuple(Item(p, names.get(p, short_name(p))) for p in sorted(found[iri][key]))

    agreements = [Agreement(
        Item(iri, labels.get(iri, short_name(iri)), years.get(iri)), items(iri, "partner", party_labels),
        tuple(sorted(found[iri]["place"])), items(iri, "provision", provision_labels),
        items(iri, "state", agencies.state_names))
        for iri in years]
    return tuple(sorted(agreements, key=lambda a: (a.item.year or 0, a.item.label)))


def _statuses(backend: Backend, values: dict[str, str], languages: Sequence[str]) -> tuple[StatusEvent, ...]:
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


def _party_lists(backend: Backend, recorded: set[str],
                 languages: Sequence[str]) -> tuple[PartyListStanding, ...]:
    return tuple(PartyListStanding(Item(p.instrument, p.label), p.complete, p.complete_as_of, p.coverage,
                                   p.sources, recorded=p.instrument in recorded)
                 for p in party_lists(backend, languages))


def _memberships(backend: Backend, values: dict[str, str],
                 languages: Sequence[str]) -> tuple[Membership, ...]:
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


def _objectives(backend: Backend, values: dict[str, str],
                languages: Sequence[str]) -> tuple[tuple[Item, int], ...]:
    rows = backend.select(QueryRequest(_OBJECTIVES % values))
    labels = _label([{**r, "i": r["objective"]} for r in rows], "label", languages)
    counts: dict[str, tuple[int, int]] = {}
    for row in rows:
        iri = str(row["objective"])
        number = int(str(row["no"])) if str(row.get("no", "")).isdigit() else 99
        counts[iri] = (number, int(row["n"]))
    return tuple((Item(iri, labels.get(iri, short_name(iri))), n)
                 for iri, (_, n) in sorted(counts.items(), key=lambda kv: kv[1][0]))
