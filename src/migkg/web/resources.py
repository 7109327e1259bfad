"""Linked-data routes: identifiers (303), documents with content negotiation, home, search, 404.

See :mod:`migkg.web.iri_map` for how public IRIs map to these routes.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import OWL, URIRef

from migkg.formats import HTML_MEDIA_TYPE, content_type
from migkg.namespaces import ONTOLOGY_IRI
from migkg.publish.ontology_docs import ontology_graph, ontology_html
from migkg.stores.base import Backend
from migkg.views.describe import describe, exists
from migkg.views.home import home_figures
from migkg.views.resource_page import build_page
from migkg.web.generation import counter_of
from migkg.web.iri_map import (
    DOC_ROOTS,
    REPRESENTATIONS,
)
from migkg.web.responses import (
    SEARCH_LIMIT,
    VARY,
    document,
    embedded_jsonld,
    iri_map,
    languages,
    not_found,
    pick,
    pick_named,
    render,
    split_suffix,
    suggestions,
)
from migkg.web.state import backend_of, cached, cached_stale

router = APIRouter()


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
def identifier(path: str, request: Request) -> Response:
    """An identifier of a thing: 303 See Other to the document about it (query kept)."""
    return _see_other(request, f"doc/{path}")


def _see_other(request: Request, target: str) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(iri_map(request).local_base + target + query, status_code=303,
                            headers={"Vary": VARY})


for _root in DOC_ROOTS:
    def _root_identifier(path: str, request: Request, _root: str = _root) -> Response:
        return _see_other(request, f"doc/{_root}/{path}")

    router.add_api_route(f"/{_root}/{{path:path}}", _root_identifier, methods=["GET", "HEAD"],
                         include_in_schema=False)


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
def resource_document(path: str, request: Request) -> Response:
    """The document about a resource, in the negotiated or the suffix-given representation."""
    stem, fixed = split_suffix(path)
    mapping = iri_map(request)
    iri = mapping.iri_for_doc(stem)
    backend: Backend = backend_of(request)
    chosen = pick(request, fixed)
    if isinstance(chosen, Response):
        return chosen
    if not exists(backend, iri):
        return not_found(request, iri)
    graph = describe(backend, iri)

    def html() -> Response:
        page = build_page(backend, iri, graph, languages(request), mapping.local)
        return render(request, "resource.html", {
            "page": page, "jsonld": embedded_jsonld(graph), "doc_url": f"/doc/{stem}",
            "representations": REPRESENTATIONS,
        })

    return document(request, f"{mapping.local_base}doc/{stem}", chosen, fixed is None, graph, html)


@router.api_route("/ontology", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/ontology.{suffix}", methods=["GET", "HEAD"], include_in_schema=False)
def ontology(request: Request, suffix: str | None = None) -> Response:
    """The ontology: pyLODE documentation as HTML, the ontology graph in RDF formats."""
    chosen = pick_named(request, suffix)
    if isinstance(chosen, Response):
        return chosen
    rep, negotiated = chosen
    graph = ontology_graph(backend_of(request))
    mapping = iri_map(request)

    def html() -> Response:
        page = cached(request, ("ontology-html", mapping.local_base),
                      lambda: ontology_html(graph, mapping.public_base, mapping.local_base))
        return Response(page, media_type=content_type(HTML_MEDIA_TYPE))

    return document(request, f"{mapping.local_base}ontology", rep, negotiated, graph, html)


@router.api_route("/ontology/{version}", methods=["GET", "HEAD"], include_in_schema=False)
def ontology_version(request: Request, version: str) -> Response:
    """The ``owl:versionIRI`` of the ontology: 303 to ``/ontology`` when it is the version served.

    Earlier releases are files written by ``migkg release``; this server holds only the current one.
    """
    graph = ontology_graph(backend_of(request))
    current = graph.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
    if current is not None and str(current) == version:
        return RedirectResponse(f"{iri_map(request).local_base}ontology", status_code=303)
    return not_found(request, f"{ONTOLOGY_IRI}/{version}")


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """The home page: figures, search, entry points by level, objective and region.

    The figures follow every update, one recomputation behind: while they are recomputed (a
    background thread, one at a time) the page shows the previous ones and says of which data
    generation they are."""
    backend: Backend = backend_of(request)
    langs = languages(request)
    figures = cached_stale(request, ("home", tuple(langs)), lambda: home_figures(backend, langs))
    return render(request, "home.html", {
        "stats": figures.value.stats, "entries": figures.value.entries,
        "generation": counter_of(figures.generation), "fresh": figures.fresh,
    })


@router.get("/search", include_in_schema=False)
def search_page(request: Request, q: str = "") -> Response:
    """Resources whose labels (en, fr, es, alt labels, acronyms) contain ``q``."""
    return render(request, "search.html", {"q": q, "hits": suggestions(request, q, SEARCH_LIMIT)})
