"""Counts and coverage figures of a built graph (``migkg stats``, the home page, the dataset page)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from migkg.namespaces import CONCEPT, SCHEME, sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest
from migkg.vocabulary import COUNTED_RELATIONS, sparql_values

_P = sparql_prefix_block()

_BY_TYPE = _P + """
SELECT ?key (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?i mig:instrumentType ?t . OPTIONAL { ?t skos:prefLabel ?l FILTER(langMatches(lang(?l), "en")) }
  BIND(COALESCE(STR(?l), STR(?t)) AS ?key)
} GROUP BY ?key ORDER BY DESC(?n) ?key"""

_BY_LEVEL = _P + """
SELECT ?key (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?i mig:governanceLevel ?g . OPTIONAL { ?g skos:notation ?o }
  OPTIONAL { ?g skos:prefLabel ?l FILTER(langMatches(lang(?l), "en")) }
  BIND(COALESCE(STR(?l), STR(?g)) AS ?key)
} GROUP BY ?key ?o ORDER BY ?o ?key"""

_BY_REGION = _P + """
SELECT ?key (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?i a/rdfs:subClassOf* mig:Instrument ; eli:jurisdiction ?j .
  ?j skos:broader* ?r . ?r skos:broader place:world .
  OPTIONAL { ?r skos:prefLabel ?l FILTER(langMatches(lang(?l), "en")) }
  BIND(COALESCE(STR(?l), STR(?r)) AS ?key)
} GROUP BY ?key ORDER BY DESC(?n) ?key"""

# A contribution to one of an objective's actions counts for the objective (skos:broader*).
_BY_OBJECTIVE = _P + """
SELECT ?key (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?i mig:contributesTo/skos:broader* ?c . ?c skos:topConceptOf """ + SCHEME["gcm-objectives"].n3() + """ .
  OPTIONAL { ?c skos:prefLabel ?l FILTER(langMatches(lang(?l), "en")) }
  OPTIONAL { ?c skos:notation ?no }
  BIND(COALESCE(STR(?l), STR(?c)) AS ?key)
} GROUP BY ?key ?no ORDER BY xsd:integer(?no)"""

_RELATIONS = _P + f"""
SELECT ?key (COUNT(*) AS ?n) WHERE {{
  VALUES ?p {{ {sparql_values(COUNTED_RELATIONS)} }}
  ?s ?p ?o . BIND(REPLACE(STR(?p), "^.*[#/]", "") AS ?key)
}} GROUP BY ?key ORDER BY DESC(?n) ?key"""

_TOTALS = _P + """
SELECT (COUNT(DISTINCT ?i) AS ?instruments) (COUNT(DISTINCT ?sourced) AS ?with_source)
       (COUNT(DISTINCT ?verified) AS ?verified_n) WHERE {
  ?i a/rdfs:subClassOf* mig:Instrument .
  OPTIONAL { ?i dcterms:source ?src BIND(?i AS ?sourced) }
  OPTIONAL { ?i mig:curationStatus """ + CONCEPT["curation-status/verified"].n3() + """
             BIND(?i AS ?verified) }
}"""

_COUNTS = _P + """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }"""

_STATES = _P + """
SELECT ?key (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s org:classification """ + CONCEPT["actor-type/state"].n3() + """ .
  OPTIONAL { ?s mig:unStatus ?u }
  OPTIONAL { ?s dcterms:spatial/mig:iso3166Alpha4 ?withdrawn }
  BIND(COALESCE(CONCAT("UN ", ?u), IF(BOUND(?withdrawn), "historic (ISO 3166-3)", "other")) AS ?key)
} GROUP BY ?key ORDER BY DESC(?n) ?key"""

_PARTY_STATUSES = _P + """
SELECT ?key (SUM(?count) AS ?n) WHERE {
  {
    SELECT ?i (COUNT(DISTINCT ?ps) AS ?count) WHERE { ?ps a mig:PartyStatus ; mig:ofInstrument ?i }
    GROUP BY ?i
  }
  OPTIONAL {
    SELECT ?i (MIN(STR(?a)) AS ?acronym) WHERE {
      ?i skos:altLabel ?a FILTER(langMatches(lang(?a), "en") && REGEX(STR(?a), "^[A-Z0-9][A-Z0-9-]+$"))
    } GROUP BY ?i
  }
  OPTIONAL { ?i skos:prefLabel ?l FILTER(langMatches(lang(?l), "en")) }
  BIND(COALESCE(?acronym, STR(?l), STR(?i)) AS ?key)
} GROUP BY ?key ORDER BY DESC(?n) ?key"""

_FRAME = _P + """
SELECT ?key (COUNT(DISTINCT ?c) AS ?n) WHERE {
  {
    ?c skos:broader ?o . ?o skos:topConceptOf """ + SCHEME["gcm-objectives"].n3() + """ .
    BIND("GCM actions" AS ?key)
  } UNION {
    VALUES (?kind ?key) { (<http://metadata.un.org/sdg/ontology#Goal> "SDG goals")
                          (<http://metadata.un.org/sdg/ontology#Target> "SDG targets")
                          (<http://metadata.un.org/sdg/ontology#Indicator> "SDG indicators") }
    ?c a ?kind ; skos:inScheme <http://metadata.un.org/sdg> .
  }
} GROUP BY ?key ORDER BY ?key"""

_CLAIMS = _P + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a mig:Claim }"
_ACTORS = _P + "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a org:FormalOrganization }"


@dataclass(frozen=True)
class Headline:
    """The home page's figures: a few of :class:`Stats`, from 4 of its 14 queries."""

    triples: int
    graphs: int
    instruments: int
    with_source: int
    verified: int
    actors: int
    claims: int

    @property
    def share_sourced(self) -> float:
        return self.with_source / self.instruments if self.instruments else 0.0


@dataclass(frozen=True)
class Stats(Headline):
    """Size and coverage of the graph: the home page's figures and the breakdowns."""

    by_type: tuple[tuple[str, int], ...]
    by_level: tuple[tuple[str, int], ...]
    by_region: tuple[tuple[str, int], ...]
    by_objective: tuple[tuple[str, int], ...]
    relations: tuple[tuple[str, int], ...]
    states: tuple[tuple[str, int], ...] = ()
    party_statuses: tuple[tuple[str, int], ...] = ()
    frame: tuple[tuple[str, int], ...] = ()  # GCM actions, SDG goals, targets and indicators

    @property
    def share_verified(self) -> float:
        return self.verified / self.instruments if self.instruments else 0.0

    def to_text(self) -> str:
        """A plain-text report, one figure per line, grouped under headings."""
        lines = [
            f"triples\t{self.triples}",
            f"named graphs\t{self.graphs}",
            f"instruments\t{self.instruments}",
            f"  with a source\t{self.with_source} ({self.share_sourced:.0%})",
            f"  verified\t{self.verified} ({self.share_verified:.0%})",
            f"actors\t{self.actors}",
            f"claims\t{self.claims}",
        ]
        for title, pairs in (
            ("instruments by level", self.by_level),
            ("instruments by type", self.by_type),
            ("instruments by region", self.by_region),
            ("instruments by GCM objective", self.by_objective),
            ("relations by kind", self.relations),
            ("states", self.states),
            ("party statuses by instrument", self.party_statuses),
            ("commitments", self.frame),
        ):
            lines.append(f"{title}:")
            lines.extend(f"  {key}\t{n}" for key, n in pairs)
        return "\n".join(lines)


def _pairs(backend: Backend, sparql: str) -> tuple[tuple[str, int], ...]:
    rows = backend.select(QueryRequest(sparql))
    return tuple((str(r["key"]), int(r["n"])) for r in rows if "key" in r)


def _one(backend: Backend, sparql: str, name: str) -> int:
    rows = backend.select(QueryRequest(sparql))
    return int(rows[0][name]) if rows and name in rows[0] else 0


def compute_headline(backend: Backend) -> Headline:
    """The home page's figures (the same queries as :func:`compute_stats` for them)."""
    totals = backend.select(QueryRequest(_TOTALS))[0]
    counts = backend.select(QueryRequest(_COUNTS))
    first = counts[0] if counts else {}
    return Headline(
        triples=int(first.get("triples", 0)), graphs=int(first.get("graphs", 0)),
        instruments=int(totals["instruments"]), with_source=int(totals["with_source"]),
        verified=int(totals["verified_n"]), actors=_one(backend, _ACTORS, "n"),
        claims=_one(backend, _CLAIMS, "n"),
    )


def compute_stats(backend: Backend) -> Stats:
    """Every figure of :class:`Stats`, each from one SPARQL query over the union graph."""
    head = compute_headline(backend)
    return Stats(
        **{f.name: getattr(head, f.name) for f in fields(Headline)},
        by_type=_pairs(backend, _BY_TYPE),
        by_level=_pairs(backend, _BY_LEVEL),
        by_region=_pairs(backend, _BY_REGION),
        by_objective=_pairs(backend, _BY_OBJECTIVE),
        relations=_pairs(backend, _RELATIONS),
        states=_pairs(backend, _STATES),
        party_statuses=_pairs(backend, _PARTY_STATUSES),
        frame=_pairs(backend, _FRAME),
    )
