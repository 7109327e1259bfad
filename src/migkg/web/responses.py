"""Shared response helpers of the web pages: languages, templates, negotiation, documents, 404.

Every router module builds its responses with these; none imports another router module.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from rdflib import Graph
from starlette.exceptions import HTTPException as StarletteHTTPException

from migkg import __version__
from migkg.formats import AcceptError, content_type, rdf_format
from migkg.publish.export import serialize_graph
from migkg.views.describe import LANGUAGES, preferred_languages
from migkg.views.explorer import LabelIndex, Suggestion, label_index, search
from migkg.web.generation import store_generation, view_cache
from migkg.web.iri_map import (
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
from migkg.web.state import backend_of, settings_of, templates_of

VARY = "Accept, Accept-Language"
SEARCH_LIMIT = 50
NOT_FOUND_LIMIT = 10


def iri_map(request: Request) -> IriMap:
    """The IRI mapping for this request: public IRIs to :func:`local_base` URLs."""
    return IriMap(settings_of(request).public_base, local_base(request))


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
    templates = templates_of(request)
    return templates.TemplateResponse(request, name, base | context, status_code=status)


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


def labels_of(request: Request) -> LabelIndex:
    """The label search's index of the data the request reads (built once per store generation)."""
    backend = backend_of(request)
    return view_cache(request).get(store_generation(request), ("label-index",), lambda: label_index(backend))


def suggestions(request: Request, text: str, limit: int) -> tuple[Suggestion, ...]:
    """The label search's hits for ``text`` in the request's languages; none for too short a text."""
    try:
        return search(backend_of(request), text, limit, languages=languages(request),
                      index=labels_of(request))
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


def install_not_found(app: FastAPI) -> None:
    """Answer every "no such route" 404 with :func:`not_found` (search suggestions for browsers)."""

    async def handle_404(request: Request, exc: StarletteHTTPException) -> Response:
        # Only "no such route" 404s become the page; routers' own 404s keep their detail.
        if exc.status_code == 404 and exc.detail == "Not Found":
            return not_found(request, request.url.path)
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, handle_404)  # type: ignore[arg-type]
