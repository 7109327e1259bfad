"""Label search for the explorer's search boxes, and the commitments a trace can start from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Identifier

from migkg.namespaces import GCM_OBJECTIVE, SCHEME
from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import LANGUAGES
from migkg.views.explorer.fetch import PREFIXES, node_details
from migkg.views.explorer.model import Node, Suggestion

MIN_QUERY = 2
MAX_QUERY = 100
#: Schemes whose concepts are attributes (types, levels, statuses), not places to explore.
_ATTRIBUTE_SCHEMES = (
    "governance-level",
    "instrument-type",
    "legal-nature",
    "actor-type",
    "curation-status",
    "assertion-method",
)

_KIND_RANK = {"instrument": 0, "institution": 0, "commitment": 1, "actor": 2, "place": 3, "concept": 4}
_OBJECTIVE = re.compile(r"^(?:gcm\s*)?(?:objective|objectif|objetivo|obj\.?|gcm)\s*(\d{1,2})$")

_LANGUAGE_TAGS = ", ".join(f'"{lang}"' for lang in (*LANGUAGES, ""))
#: The labels the search matches; %(match)s is the SPARQL filter on ?label, or nothing for the index.
_LABELS = f"""{PREFIXES}
SELECT ?q ?s ?label WHERE {{
  VALUES ?p {{ skos:prefLabel skos:altLabel dcterms:title }}
  ?s ?p ?label .
  FILTER(isIRI(?s) && lang(?label) IN ({_LANGUAGE_TAGS}))
  %(match)s
  FILTER EXISTS {{
    VALUES ?t {{ mig:Instrument mig:DocumentaryInstrument mig:InstitutionalInstrument mig:Commitment
                org:FormalOrganization org:Organization eli:AdministrativeArea skos:Concept }}
    ?s a ?t
  }}
  FILTER NOT EXISTS {{
    VALUES ?scheme {{ {" ".join(SCHEME[s].n3() for s in _ATTRIBUTE_SCHEMES)} }}
    ?s skos:inScheme ?scheme
  }}
}} %(limit)s"""
_SEARCH = _LABELS % {"match": "FILTER(CONTAINS(LCASE(STR(?label)), ?q))", "limit": "LIMIT 2000"}
_INDEX = _LABELS % {"match": "", "limit": ""}

#: A State or its place by one of its codes (ISO 3166-1 alpha-2/alpha-3/numeric, ISO 3166-3, UN M49):
#: exact matches only, case-insensitive ("mar", "504", "YUG").
_CODES = f"""{PREFIXES}
SELECT ?q ?s ?label WHERE {{
  VALUES ?cp {{ mig:iso3166Alpha2 mig:iso3166Alpha3 mig:iso3166Numeric mig:iso3166Alpha4 mig:m49Code }}
  {{ ?s ?cp ?label }}
  UNION {{ ?s dcterms:spatial ?place ; org:classification <https://w3id.org/migkg/concept/actor-type/state> .
          ?place ?cp ?label }}
  FILTER(UCASE(STR(?label)) = UCASE(?q))
}} LIMIT 50"""

_COMMITMENTS = f"""{PREFIXES}
SELECT ?c ?notation ?scheme WHERE {{
  ?c a mig:Commitment .
  OPTIONAL {{ ?c skos:notation ?notation }}
  OPTIONAL {{ ?c skos:inScheme ?scheme }}
}}"""


def fold(text: str) -> str:
    """Lower case without accents, for matching.

    >>> fold("Déclaration de l'ASEAN")
    "declaration de l'asean"
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class LabelIndex:
    """Every label the search can match, with its folded form: built once per store generation (the
    web app keeps it in its view cache), so that a keystroke is a scan of this list in Python, a few
    milliseconds, where the SPARQL ``CONTAINS`` scan of every label costs about 80 ms of CPU. Matching
    is on the folded forms, so an unaccented query finds an accented label too."""

    rows: tuple[tuple[str, Literal, str], ...]  # the node, its label, the label folded

    def matching(self, query: str) -> list[tuple[str, Literal]]:
        """The (node, label) pairs whose folded label contains the folded ``query``."""
        wanted = fold(query)
        return [(node, label) for node, label, folded in self.rows if wanted in folded]


def label_index(backend: Backend) -> LabelIndex:
    """The :class:`LabelIndex` of the store's current data."""
    rows = []
    for row in backend.select(QueryRequest(_INDEX)):
        label = row["label"]
        assert isinstance(label, Literal)
        rows.append((str(row["s"]), label, fold(str(label))))
    return LabelIndex(tuple(rows))


@dataclass(frozen=True)
class _Hit:
    score: int
    label: Literal


def _score(query: str, label: str) -> int:
    """0 exact, 1 prefix, 2 word prefix, 3 anywhere; lower is better.

    >>> [_score("cebu", x) for x in ("Cebu", "Cebu Declaration", "The Cebu text", "xcebu")]
    [0, 1, 2, 3]
    """
    folded = fold(label)
    if folded == query:
        return 0
    if folded.startswith(query):
        return 1
    if any(word.startswith(query) for word in folded.split()):
        return 2
    return 3


def search(
    backend: Backend, text: str, limit: int = 15, *, languages: Sequence[str] = LANGUAGES,
    index: LabelIndex | None = None,
) -> tuple[Suggestion, ...]:
    """Nodes whose preferred or alternative label or title (en, fr, es) contains ``text``.

    Case and accents are ignored; exact and prefix matches (e.g. an acronym) rank first, then shorter
    labels; "Objective 23" (or "objectif 23", "GCM 23") finds the objective itself. Each node is
    labelled in the first of ``languages`` that has a label. With ``index`` (:func:`label_index` of
    the same data) the labels are matched in it instead of by a SPARQL scan.

    Raises:
        ValueError: ``text`` is shorter than 2 or longer than 100 characters once stripped.
    """
    query = " ".join(text.split())
    if not MIN_QUERY <= len(query) <= MAX_QUERY:
        raise ValueError(f"the search text must have {MIN_QUERY} to {MAX_QUERY} characters")
    pairs: list[tuple[str, Identifier]]
    if index is not None:
        pairs = list(index.matching(query))
    else:
        found_rows = backend.select(QueryRequest(_SEARCH, bindings={"q": Literal(query.lower())}))
        pairs = [(str(row["s"]), row["label"]) for row in found_rows]
    if len(query) <= 4:  # an ISO or M49 code: "MA", "MAR", "504", "CSHH"
        codes = backend.select(QueryRequest(_CODES, bindings={"q": Literal(query)}))
        pairs += [(str(row["s"]), row["label"]) for row in codes]
    best: dict[str, _Hit] = {}
    for node, label in pairs:
        assert isinstance(label, Literal)
        hit = _Hit(_score(fold(query), str(label)), label)
        current = best.get(node)
        if current is None or (hit.score, len(hit.label)) < (current.score, len(current.label)):
            best[node] = hit
    ranked = sorted(best.items(), key=lambda kv: (kv[1].score, len(kv[1].label), kv[0]))
    found = [_suggestion(backend, iri, hit, languages) for iri, hit in ranked[: limit * 2]]
    found.sort(key=lambda s: (best[s.id].score, _KIND_RANK.get(s.kind, 9), len(s.matched), s.id))
    return (*_objective(backend, query, languages), *found)[:limit]


def _objective(backend: Backend, query: str, languages: Sequence[str]) -> tuple[Suggestion, ...]:
    """The GCM objective named by e.g. "Objective 23", "objectif 23", "objetivo 23" or "GCM 23"."""
    match = _OBJECTIVE.match(fold(query))
    if not match:
        return ()
    node = node_details(backend, str(GCM_OBJECTIVE[match.group(1)]), languages)
    if node is None:
        return ()
    return (Suggestion(node.id, node.label, node.kind, query, None, None, node.acronym),)


def _suggestion(backend: Backend, iri: str, hit: _Hit, languages: Sequence[str]) -> Suggestion:
    node = node_details(backend, iri, languages) or Node(id=iri, label=str(hit.label), kind="concept")
    return Suggestion(
        id=iri,
        label=node.label,
        kind=node.kind,
        matched=str(hit.label),
        lang=hit.label.language,
        level=node.level,
        acronym=node.acronym,
    )


def commitments(backend: Backend) -> tuple[Suggestion, ...]:
    """The commitments (GCM objectives, SDG targets) in their schemes' order, for the trace picker."""
    rows = backend.select(QueryRequest(_COMMITMENTS))
    keyed: dict[str, tuple[str, tuple[int, ...], str]] = {}
    for row in rows:
        iri = str(row["c"])
        notation = str(row.get("notation", iri.rsplit("/", 1)[-1]))
        order = tuple(int(p) if p.isdigit() else 0 for p in notation.split("."))
        keyed[iri] = (str(row.get("scheme", "")), order, iri)
    result = []
    for iri in sorted(keyed, key=lambda i: (keyed[i][0] != _GCM_SCHEME, keyed[i])):
        node = node_details(backend, iri)
        if node is not None:
            result.append(Suggestion(iri, node.label, node.kind, node.label, LANGUAGES[0], None,
                                     node.acronym))
    return tuple(result)


_GCM_SCHEME = str(SCHEME["gcm-objectives"])
