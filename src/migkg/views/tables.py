"""Researcher tables as CSV: instruments; relations with evidence; commitments × instruments.

One row per instrument (multi-valued columns joined with `` | ``), per relation, per
(commitment, instrument, path) — ready for a spreadsheet or pandas. English labels; IRIs kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from migkg.namespaces import sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest
from migkg.vocabulary import INSTRUMENT_RELATIONS, LABEL_PATH, REALISES_PATH, sparql_values

_P = sparql_prefix_block()
_EN = 'FILTER(langMatches(lang({v}), "en") || lang({v}) = "")'


def _label(var: str, out: str) -> str:
    return (f"OPTIONAL {{ {var} {LABEL_PATH} {out}_l "
            f"{_EN.format(v=out + '_l')} }}")


_INSTRUMENTS = _P + f"""
SELECT ?instrument (SAMPLE(?l) AS ?label)
  (GROUP_CONCAT(DISTINCT ?type_l; SEPARATOR=" | ") AS ?type)
  (GROUP_CONCAT(DISTINCT ?level_l; SEPARATOR=" | ") AS ?level)
  (GROUP_CONCAT(DISTINCT ?nature_l; SEPARATOR=" | ") AS ?legal_nature)
  (GROUP_CONCAT(DISTINCT ?issuer_l; SEPARATOR=" | ") AS ?issued_by)
  (GROUP_CONCAT(DISTINCT ?place_l; SEPARATOR=" | ") AS ?jurisdiction)
  (SAMPLE(?d) AS ?date_document)
  (GROUP_CONCAT(DISTINCT ?theme_l; SEPARATOR=" | ") AS ?themes)
  (GROUP_CONCAT(DISTINCT ?group_l; SEPARATOR=" | ") AS ?target_groups)
  (GROUP_CONCAT(DISTINCT ?status_l; SEPARATOR=" | ") AS ?curation_status)
  (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" | ") AS ?sources)
WHERE {{
  ?instrument a/rdfs:subClassOf* mig:Instrument .
  OPTIONAL {{ ?instrument skos:prefLabel ?l {_EN.format(v="?l")} }}
  OPTIONAL {{ ?instrument mig:instrumentType ?type {_label("?type", "?type")} }}
  OPTIONAL {{ ?instrument mig:governanceLevel ?lv {_label("?lv", "?level")} }}
  OPTIONAL {{ ?instrument mig:legalNature ?ln {_label("?ln", "?nature")} }}
  OPTIONAL {{ ?instrument mig:issuedBy ?is {_label("?is", "?issuer")} }}
  OPTIONAL {{ ?instrument eli:jurisdiction ?pl {_label("?pl", "?place")} }}
  OPTIONAL {{ ?instrument eli:date_document ?d }}
  OPTIONAL {{ ?instrument mig:theme ?th {_label("?th", "?theme")} }}
  OPTIONAL {{ ?instrument mig:targetGroup ?tg {_label("?tg", "?group")} }}
  OPTIONAL {{ ?instrument mig:curationStatus ?cs {_label("?cs", "?status")} }}
  OPTIONAL {{ ?instrument dcterms:source ?src }}
}} GROUP BY ?instrument ORDER BY ?instrument"""

_RELATIONS = _P + f"""
SELECT ?subject (SAMPLE(?subject_l) AS ?subject_label) ?relation ?object
  (SAMPLE(?object_l) AS ?object_label) ?claim (SAMPLE(?ev) AS ?evidence)
  (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" | ") AS ?source) (SAMPLE(?am) AS ?assertion_method)
WHERE {{
  VALUES ?p {{ {sparql_values(INSTRUMENT_RELATIONS)} }}
  ?subject ?p ?object .
  BIND(REPLACE(STR(?p), "^.*[#/]", "") AS ?relation)
  {_label("?subject", "?subject")}
  {_label("?object", "?object")}
  OPTIONAL {{
    ?claim mig:claimSubject ?subject ; mig:claimPredicate ?p ; mig:claimObject ?object .
    OPTIONAL {{ ?claim mig:evidenceText ?ev }} OPTIONAL {{ ?claim dcterms:source ?src }}
    OPTIONAL {{ ?claim mig:assertionMethod ?m BIND(REPLACE(STR(?m), "^.*/", "") AS ?am) }}
  }}
}} GROUP BY ?subject ?relation ?object ?claim ORDER BY ?subject ?relation ?object"""

_COMMITMENTS = _P + f"""
SELECT ?commitment (SAMPLE(?commitment_l) AS ?commitment_label) ?instrument
  (SAMPLE(?instrument_l) AS ?instrument_label) ?how ?via (SAMPLE(?via_l) AS ?via_label)
WHERE {{
  {{ ?instrument mig:contributesTo ?commitment BIND("direct" AS ?how) }}
  UNION
  {{ ?instrument {REALISES_PATH}+ ?via . ?via mig:contributesTo ?commitment
     FILTER NOT EXISTS {{ ?instrument mig:contributesTo ?commitment }} BIND("through" AS ?how)
     {_label("?via", "?via")} }}
  {_label("?commitment", "?commitment")}
  {_label("?instrument", "?instrument")}
}} GROUP BY ?commitment ?instrument ?how ?via ORDER BY ?commitment ?instrument ?how ?via"""


@dataclass(frozen=True)
class Table:
    """A researcher table: its file name, what it holds, its query and columns."""

    name: str
    title: str
    sparql: str
    columns: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


TABLES: tuple[Table, ...] = (
    Table("instruments", "Instruments: type, level, issuer, jurisdiction, date, themes, sources",
          _INSTRUMENTS, ("instrument", "label", "type", "level", "legal_nature", "issued_by",
                         "jurisdiction", "date_document", "themes", "target_groups",
                         "curation_status", "sources")),
    Table("relations", "Relations between instruments, with evidence sentence and source",
          _RELATIONS, ("subject", "subject_label", "relation", "object", "object_label", "claim",
                       "evidence", "source", "assertion_method")),
    Table("commitments", "Commitments × instruments: direct, or through the instruments realised",
          _COMMITMENTS, ("commitment", "commitment_label", "instrument", "instrument_label", "how",
                         "via", "via_label")),
)


def table(name: str) -> Table:
    """The table called ``name``; KeyError if there is none."""
    for item in TABLES:
        if item.name == name:
            return item
    raise KeyError(name)


def table_csv(backend: Backend, item: Table) -> str:
    """``item`` as CSV text (header row first, RFC 4180 quoting, ``\\r\\n`` line ends)."""
    rows = backend.select(QueryRequest(item.sparql))
    return to_csv(item.columns, [[str(r.get(c, "")) for c in item.columns] for r in rows])


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV text of ``rows`` under ``columns``.

    >>> to_csv(["a", "b"], [["1", "x, y"]])
    'a,b\\r\\n1,"x, y"\\r\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()
