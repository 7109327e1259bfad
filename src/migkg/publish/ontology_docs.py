"""Ontology documentation: pyLODE HTML that works offline and links to this server.

pyLODE 3.3.4 (pinned: see pyproject) writes one self-contained page (inline CSS, data-URI icons).
:func:`ontology_html` checks that nothing in it would be fetched from the network, gives every term an
anchor named after its local name (so ``/ontology#Claim`` lands on ``mig:Claim``) and points links to
the project's IRIs at the local server.
"""

from __future__ import annotations

import logging
import re

from rdflib import Graph

from migkg.namespaces import GRAPH, MIG
from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import bind_prefixes

log = logging.getLogger(__name__)

ONTOLOGY_GRAPH = str(GRAPH) + "ontology/migkg"
_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
#: Attributes whose URL a browser fetches on its own (hyperlinks are not fetched).
_FETCHED = re.compile(
    r"""<(?:link|script|img|iframe|source|video|audio|embed)\b[^>]*?\b(?:href|src)\s*=\s*["']"""
    r"""(https?:)?//[^"']+["']|@import\s+(?:url\()?["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


class OfflineError(ValueError):
    """The generated HTML would load something from the network."""


def ontology_graph(backend: Backend, graph_iri: str = ONTOLOGY_GRAPH) -> Graph:
    """The ontology's named graph, with the project's prefixes bound."""
    graph = backend.construct(QueryRequest(_CONSTRUCT, named_graph_uris=(graph_iri,)))
    return bind_prefixes(graph)


def external_fetches(html: str) -> list[str]:
    """Every place in ``html`` where a browser would fetch from another host.

    >>> external_fetches('<a href="https://x.org/">ok</a><script src="https://cdn.x/y.js"></script>')
    ['<script src="https://cdn.x/y.js"']
    >>> external_fetches('<style>@import url("//fonts.x/css");</style>')
    ['@import url("//']
    """
    return [m.group(0) for m in _FETCHED.finditer(html)]


def ontology_html(graph: Graph, public_base: str, local_base: str) -> str:
    """pyLODE documentation of ``graph``, offline-safe and linked to ``local_base``.

    Raises :class:`OfflineError` if pyLODE's page would fetch anything from the network.
    """
    from pylode import OntPub

    html: str = OntPub(ontology=graph).make_html()
    fetches = external_fetches(html)
    if fetches:
        raise OfflineError(f"pyLODE output loads from the network: {fetches[:3]}")
    html = add_term_anchors(html, str(MIG))
    return relink(html, public_base, local_base)


def add_term_anchors(html: str, namespace: str) -> str:
    """Add ``id="{LocalName}"`` anchors next to pyLODE's label-based ids for terms of ``namespace``.

    >>> add_term_anchors('<div class="property entity" id="claim">\\n<h3>claim</h3>'
    ...     '<code>https://w3id.org/migkg/ontology#Claim</code>', "https://w3id.org/migkg/ontology#")
    '<div class="property entity" id="claim"><span id="Claim"></span>\\n<h3>claim</h3><code>https://w3id.org/migkg/ontology#Claim</code>'
    """
    pattern = re.compile(
        r'(<div class="[^"]*entity[^"]*" id="([^"]+)">)((?:(?!<div class="[^"]*entity).){0,600}?'
        r"<code>" + re.escape(namespace) + r"([A-Za-z0-9_\-]+)</code>)",
        re.DOTALL,
    )

    def anchor(match: re.Match[str]) -> str:
        opening, pylode_id, rest, local = match.groups()
        extra = "" if pylode_id == local else f'<span id="{local}"></span>'
        return opening + extra + rest

    return pattern.sub(anchor, html)


def relink(html: str, public_base: str, local_base: str) -> str:
    """Point ``href``s to the project's IRIs at the local server (ontology terms as anchors)."""
    ontology = public_base + "ontology"
    html = html.replace(f'href="{ontology}#', 'href="#').replace(f'href="{ontology}"', 'href="#"')
    return html.replace(f'href="{public_base}', f'href="{local_base}')
