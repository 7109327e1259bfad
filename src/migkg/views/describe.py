"""Resource descriptions: the graph every representation of a resource serialises.

A description is CBD-like: all triples with the resource as subject (with their blank nodes, three
levels deep), the claims about it (``mig:claimSubject`` or ``mig:claimObject``) with their triples,
and the labels of every resource those triples link to, so that any client can display them. The
HTML page, Turtle, JSON-LD, N-Triples and RDF/XML of one resource are the same graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from migkg.namespaces import DISPLAY_PREFIXES, sparql_prefix_block
from migkg.stores.base import Backend, QueryRequest
from migkg.vocabulary import LABEL_PREDICATES, sparql_values

_P = sparql_prefix_block()
#: The languages the project's labels are written in, in display preference order.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es")

# Each branch carries its own label lookup: one flat UNION is planned far better by Oxigraph than
# labels joined after nested UNIONs (measured 230 ms → 60–90 ms on the on-disk store). The label
# predicate is a FILTER, not a VALUES block: with VALUES, Oxigraph joins every label of the graph
# before ?x is bound (≈400 ms per page once the graph held every State and SDG label; ≈20 ms now).
_LABEL = f"?x ?lp ?l FILTER(?lp IN ({', '.join(sparql_values(LABEL_PREDICATES).split())}))"
# The claims about ?it through a VALUES block of the two properties, not the path
# ``mig:claimSubject|mig:claimObject``: with ?it given as a substitution, Oxigraph plans the path (and
# a UNION of the two patterns) before ?it is bound and joins every claim (≈45 ms of a page's 57 ms
# on the bundled data; ≈3 ms with VALUES, the same triples).
_ABOUT = "VALUES ?about { mig:claimSubject mig:claimObject }"
_DESCRIBE = _P + f"""
CONSTRUCT {{ ?it ?p ?o . ?b1 ?p1 ?o1 . ?b2 ?p2 ?o2 . ?c ?cp ?co . ?x ?lp ?l }} WHERE {{
  {{ ?it ?p ?o }}
  UNION {{ ?it ?q1 ?b1 FILTER(isBlank(?b1)) ?b1 ?p1 ?o1 }}
  UNION {{ ?it ?q1 ?bb FILTER(isBlank(?bb)) ?bb ?q2 ?b2 FILTER(isBlank(?b2)) ?b2 ?p2 ?o2 }}
  UNION {{ {_ABOUT} ?c ?about ?it . ?c a mig:Claim ; ?cp ?co }}
  UNION {{ ?it ?x ?a0 FILTER(isIRI(?x) && ?x != ?it) {_LABEL} }}
  UNION {{ ?it ?a0 ?x FILTER(isIRI(?x) && ?x != ?it) {_LABEL} }}
  UNION {{ ?it ?a1 ?bn FILTER(isBlank(?bn)) {{ ?bn ?x ?a2 }} UNION {{ ?bn ?a2 ?x }}
          FILTER(isIRI(?x) && ?x != ?it) {_LABEL} }}
  UNION {{ {_ABOUT} ?cl ?about ?it . ?cl a mig:Claim ; ?x ?a3
          FILTER(isIRI(?x) && ?x != ?it) {_LABEL} }}
  UNION {{ {_ABOUT} ?cl ?about ?it . ?cl a mig:Claim ; ?a3 ?x
          FILTER(isIRI(?x) && ?x != ?it) {_LABEL} }}
}}"""

_EXISTS = "ASK { { ?it ?p ?o } UNION { ?s ?p ?it } }"


def exists(backend: Backend, iri: str) -> bool:
    """True when the graph says anything about ``iri`` (as subject or object)."""
    return backend.ask(QueryRequest(_EXISTS, bindings={"it": URIRef(iri)}))


def describe(backend: Backend, iri: str) -> Graph:
    """The description graph of ``iri`` (see the module docstring), with the project's prefixes bound."""
    graph = backend.construct(QueryRequest(_DESCRIBE, bindings={"it": URIRef(iri)}))
    bind_prefixes(graph)
    return graph


def bind_prefixes(graph: Graph, prefixes: Mapping[str, str] = DISPLAY_PREFIXES) -> Graph:
    """Bind the project's prefixes (and only them, replacing rdflib's defaults) on ``graph``."""
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def preferred_languages(accept_language: str | None, default: str = "en") -> tuple[str, ...]:
    """Primary language tags from an Accept-Language header, most preferred first, ``default`` last.

    Malformed entries are skipped (a page is always served).

    >>> preferred_languages("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")
    ('fr', 'de', 'en')
    >>> preferred_languages("es;q=0.5,fr")
    ('fr', 'es', 'en')
    >>> preferred_languages(None)
    ('en',)
    """
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _, param = part.strip().partition(";")
        lang = tag.strip().split("-")[0].lower()
        if not lang.isalpha():
            continue
        try:
            q = float(param.strip()[2:]) if param.strip().startswith("q=") else 1.0
        except ValueError:
            continue
        if q > 0:
            ranked.append((-q, order, lang))
    ordered = [lang for _, _, lang in sorted(ranked) if lang != default]
    ordered = [lang for i, lang in enumerate(ordered) if lang not in ordered[:i]]
    return (*ordered, default)


def pick_label(labels: Iterable[Node], languages: Sequence[str]) -> str | None:
    """The label in the first of ``languages`` that has one, else an untagged one, else any.

    >>> from rdflib import Literal
    >>> pick_label([Literal("b", lang="fr"), Literal("a", lang="en")], ("fr", "en"))
    'b'
    >>> pick_label([Literal("x", lang="de")], ("en",))
    'x'
    >>> pick_label([], ("en",)) is None
    True
    """
    literals = sorted((lit for lit in labels if isinstance(lit, Literal)), key=str)
    by_lang: dict[str, str] = {}
    for lit in literals:
        by_lang.setdefault((lit.language or "").split("-")[0].lower(), str(lit))
    for lang in (*languages, ""):
        if lang in by_lang:
            return by_lang[lang]
    return str(literals[0]) if literals else None


def short_name(iri: str) -> str:
    """A readable fallback for an IRI without a label: the part after the last ``#`` or ``/``.

    >>> short_name("https://w3id.org/migkg/id/instrument/asean-2007-cebu-declaration")
    'asean-2007-cebu-declaration'
    """
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


def labels_in(graph: Graph, node: Node) -> list[Node]:
    """Every display label of ``node`` present in ``graph``."""
    return [o for p in LABEL_PREDICATES for o in graph.objects(node, p)]
