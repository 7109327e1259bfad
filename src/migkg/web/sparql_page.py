"""The YASGUI page of ``/sparql``: one editor tab per catalogue query, served from local files only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse

from migkg import __version__
from migkg.catalogue.queries import load_catalogue
from migkg.namespaces import sparql_prefix_block
from migkg.web.state import templates_of


@dataclass(frozen=True)
class QueryTab:
    """A query offered as a YASGUI tab."""

    name: str
    title: str
    sparql: str


def catalogue_tabs(queries_dir: Path) -> list[QueryTab]:
    """A tab per catalogue query (``queries/cq/*.rq``, sorted); [] without the folder.

    A tab holds the query with its parameters' defaults in a ``VALUES`` block, so it runs as it
    stands in YASGUI (the ``.rq`` text alone leaves parameters unbound).
    """
    folder = queries_dir / "cq"
    if not folder.is_dir():
        return []
    return [QueryTab(q.name, q.summary, q.runnable_text()) for q in load_catalogue(folder).values()]


DEFAULT_QUERY = sparql_prefix_block() + """

SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) LIMIT 20
"""


def sparql_page(request: Request, endpoint: str, tabs: list[QueryTab]) -> HTMLResponse:
    """The YASGUI page querying ``endpoint`` (the URL the browser used)."""
    templates = templates_of(request)
    shown = tabs or [QueryTab("start", "Classes by size", DEFAULT_QUERY)]
    context = {
        "endpoint": endpoint,
        "tabs": [{"name": t.name, "title": t.title, "sparql": t.sparql} for t in shown],
        "version": __version__,
    }
    response: HTMLResponse = templates.TemplateResponse(request, "sparql.html", context)
    return response
