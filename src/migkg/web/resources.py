"""Linked-data routes: identifiers (303), documents with content negotiation, home, search, 404.

See :mod:`migkg.web.iri_map` for how public IRIs map to these routes.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from rdflib import OWL, Graph, URIRef
from starlette.exceptions import HTTPException as StarletteHTTPException

from migkg import __version__
from migkg.formats import HTML_MEDIA_TYPE, AcceptError, content_type, rdf_format
from migkg.namespaces import ONTOLOGY_IRI
from migkg.publish.export import serialize_graph
from migkg.publish.ontology_docs import ontology_graph, ontology_html
from migkg.stores.base import Backend
from migkg.views.describe import LANGUAGES, describe, exists, preferred_languages
from migkg.views.explorer import Suggestion, search
from migkg.views.home import entry_points
from migkg.views.resource_page import build_page
from migkg.views.stats import compute_stats
from migkg.web.iri_map import (
    DOC_ROOTS,
    HTML,
    REPRESENTATIONS,
    IriMap,
    NotAcceptable,
    Representation,
    by_suffix,
    choose_representation,
    link_header,
)
from migkg.web.service_description import local_base

router = APIRouter()
VARY = "Accept, Accept-Language"
SEARCH_LIMIT = 50
NOT_FOUND_LIMIT = 10


def iri_map(request: Request) -> IriMap:
    """The IRI mapping for this request: public IRIs to :func:`local_base` URLs."""
    return IriMap(request.app.state.settings.public_base, local_base(request))


def languages(request: Request) -> tuple[str, ...]:
    """Display languages: ``?lang=`` first, then Accept-Language, English last."""
    chosen = request.query_params.get("lang")
    header = request.headers.get("accept-language")
    return preferred_languages(f"{chosen}, {header or ''}" if chosen else header)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page from ``templates/name`` with the context every page gets."""
    langs = languages(request)
    base = {"version": __version__, "lang": langs[0], "languages": LANGUAGES,
            "local": iri_map(request).local}
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, base | context, status_code=status)  # type: ignore[no-any-return]


def split_suffix(path: str) -> tuple[str, Representation | None]:
    """``"instrument/x.ttl"`` → ``("instrument/x", Turtle)``; no known suffix → ``(path, None)``.

    >>> split_suffix("instrument/x.ttl")[1].media_type
    'text/turtle'
    >>> split_suffix("gcm/objective/23")
    ('gcm/objective/23', None)
    """
    stem, dot, suffix = path.rpartition(".")
    rep = by_suffix(suffix) if dot and "/" not in suffix else None
    return (stem, rep) if rep else (path, None)


def pick(request: Request, fixed: Representation | None) -> Representation | Response:
    """The representation to serve, or the 400/406 response explaining why there is none."""
    if fixed is not None:
        return fixed
    try:
        return choose_representation(request.headers.get("accept"),
                                     request.query_params.get("_mediatype"))
    except AcceptError as err:
        return PlainTextResponse(f"Bad Accept header: {err}", status_code=400)
    except NotAcceptable as err:
        offered = ", ".join(r.media_type for r in REPRESENTATIONS)
        return PlainTextResponse(f"Not acceptable: {err}. Offered: {offered}", status_code=406,
                                 headers={"Vary": VARY})


def pick_named(request: Request, suffix: str | None) -> tuple[Representation, bool] | Response:
    """For a document served at ``/name`` and ``/name.{suffix}``: the representation and whether it
    was negotiated, or the 404 (unknown suffix), 400 or 406 response."""
    fixed = by_suffix(suffix) if suffix else None
    if suffix and fixed is None:
        return not_found(request, request.url.path)
    chosen = pick(request, fixed)
    return chosen if isinstance(chosen, Response) else (chosen, fixed is None)


def document(request: Request, doc_url: str, rep: Representation, negotiated: bool,
             graph: Graph, html: Any) -> Response:
    """The response for one representation of a document, with Vary, Link and Content-Location."""
    headers = {"Vary": VARY, "Link": link_header(doc_url, rep)}
    if negotiated:
        headers["Content-Location"] = f"{doc_url}.{rep.suffix}"
    if rep.rdf is None:
        response: Response = html()
        response.headers.update(headers)
        return response
    return Response(serialize_graph(graph, rep.rdf), media_type=content_type(rep.media_type),
                    headers=headers)


def embedded_jsonld(graph: Graph) -> str:
    """The graph as JSON-LD, safe inside ``<script type="application/ld+json">``."""
    text = serialize_graph(graph, rdf_format("jsonld")).decode("utf-8")
    return json.dumps(json.loads(text), ensure_ascii=False, indent=1).replace("</", "<\\/")


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
    backend: Backend = request.app.state.backend
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
    graph = ontology_graph(request.app.state.backend)
    mapping = iri_map(request)

    def html() -> Response:
        cache = request.app.state.__dict__.setdefault("ontology_html", {})
        key = mapping.local_base
        if key not in cache:
            cache[key] = ontology_html(graph, mapping.public_base, mapping.local_base)
        return Response(cache[key], media_type=content_type(HTML_MEDIA_TYPE))

    return document(request, f"{mapping.local_base}ontology", rep, negotiated, graph, html)


@router.api_route("/ontology/{version}", methods=["GET", "HEAD"], include_in_schema=False)
def ontology_version(request: Request, version: str) -> Response:
    """The ``owl:versionIRI`` of the ontology: 303 to ``/ontology`` when it is the version served.

    Earlier releases are files written by ``migkg release``; this server holds only the current one.
    """
    graph = ontology_graph(request.app.state.backend)
    current = graph.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
    if current is not None and str(current) == version:
        return RedirectResponse(f"{iri_map(request).local_base}ontology", status_code=303)
    return not_found(request, f"{ONTOLOGY_IRI}/{version}")


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """The home page: figures, search, entry points by level, objective and region."""
    backend: Backend = request.app.state.backend
    return render(request, "home.html", {
        "stats": compute_stats(backend), "entries": entry_points(backend, languages(request)),
    })


@router.get("/search", include_in_schema=False)
def search_page(request: Request, q: str = "") -> Response:
    """Resources whose labels (en, fr, es, alt labels, acronyms) contain ``q``."""
    return render(request, "search.html", {"q": q, "hits": suggestions(request, q, SEARCH_LIMIT)})


def suggestions(request: Request, text: str, limit: int) -> tuple[Suggestion, ...]:
    """The label search's hits for ``text`` in the request's languages; none for too short a text."""
    try:
        return search(request.app.state.backend, text, limit, languages=languages(request))
    except ValueError:
        return ()


def not_found(request: Request, wanted: str) -> Response:
    """404: an HTML page with search suggestions for browsers, plain text for everyone else."""
    try:
        rep = choose_representation(request.headers.get("accept"))
    except (AcceptError, NotAcceptable):
        rep = None
    if rep is not HTML:
        return PlainTextResponse(f"Not found: {wanted}", status_code=404, headers={"Vary": VARY})
    guess = wanted.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    hits = suggestions(request, guess, NOT_FOUND_LIMIT)
    return render(request, "not_found.html", {"wanted": wanted, "hits": hits, "q": guess},
                  status=404)


def install(app: FastAPI) -> None:
    """Add the linked-data routes (documents, downloads, dataset) and the HTML 404 page to ``app``."""
    from migkg.web import downloads

    app.include_router(router)
    app.include_router(downloads.router)

    async def handle_404(request: Request, exc: StarletteHTTPException) -> Response:
        # Only "no such route" 404s become the page; routers' own 404s keep their detail.
        if exc.status_code == 404 and exc.detail == "Not Found":
            return not_found(request, request.url.path)
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, handle_404)  # type: ignore[arg-type]
