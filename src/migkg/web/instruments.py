"""``/instruments``: the faceted instrument browser as HTML, JSON or CSV (one set of URL parameters).

The format is negotiated (``Accept``; ``?_mediatype=html|json|csv`` or a media type wins), or fixed
by ``/instruments.json`` and ``/instruments.csv``. The parameters are documented in
:mod:`migkg.views.browse_params`; a bad one is a 400 naming it. Counts and pages are computed in
SPARQL on the store (:mod:`migkg.views.facets`) and cached per store generation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from migkg.formats import CSV_MEDIA_TYPE, HTML_MEDIA_TYPE, JSON_MEDIA_TYPE, content_type
from migkg.stores.base import Backend
from migkg.views.browse_links import INCOMING_SHOWN, browse_link
from migkg.views.browse_params import facet_href, parse_selection, query_string
from migkg.views.facets import Selection
from migkg.views.instrument_browser import BrowseResult, SelectionError, Vocabulary, browse, vocabulary
from migkg.web.generation import store_generation, view_cache
from migkg.web.queries import QueryPageError, choose_media_type
from migkg.web.responses import languages, render
from migkg.web.state import backend_of

router = APIRouter()
OFFERED = [HTML_MEDIA_TYPE, JSON_MEDIA_TYPE, CSV_MEDIA_TYPE]
SHORT = {"html": HTML_MEDIA_TYPE, "json": JSON_MEDIA_TYPE, "csv": CSV_MEDIA_TYPE}
FACET_SHOWN = 12  # values listed before "show all"


def cached_vocabulary(request: Request) -> Vocabulary:
    """The facets' vocabulary for the store generation this request reads."""
    backend: Backend = backend_of(request)
    return view_cache(request).get(store_generation(request), ("vocabulary",), lambda: vocabulary(backend))


def cached_browse(request: Request, selection: Selection, vocab: Vocabulary) -> BrowseResult:
    """The result of ``selection`` (cached per generation, selection and languages)."""
    backend: Backend = backend_of(request)
    langs = languages(request)
    key = ("browse", query_string(selection, vocab), langs)
    return view_cache(request).get(store_generation(request), key,
                                   lambda: browse(backend, selection, vocab, langs))


def _media_type(request: Request, suffix: str | None) -> str:
    if suffix is not None:
        if suffix not in SHORT or suffix == "html":
            raise QueryPageError(404, f"no /instruments.{suffix}; use .json or .csv")
        return SHORT[suffix]
    override = request.query_params.get("_mediatype", "").strip().lower()
    if override in SHORT:
        return SHORT[override]
    return choose_media_type(request, OFFERED)


@router.get("/instruments", include_in_schema=False)
@router.get("/instruments.{suffix}", include_in_schema=False)
def instruments(request: Request, suffix: str | None = None) -> Response:
    """The faceted browser: the instruments a selection picks and the counts of every facet."""
    try:
        media_type = _media_type(request, suffix)
    except QueryPageError as err:
        return PlainTextResponse(str(err), status_code=err.status, headers={"Vary": "Accept"})
    vocab = cached_vocabulary(request)
    try:
        selection = parse_selection(request.query_params.multi_items(), vocab)
    except (SelectionError, ValueError) as err:
        name = getattr(err, "parameter", None)
        body = {"error": str(err), "status": 400, "parameter": name}
        if media_type == JSON_MEDIA_TYPE:
            return JSONResponse(body, status_code=400, headers={"Vary": "Accept"})
        return PlainTextResponse(f"Bad parameter: {err}", status_code=400, headers={"Vary": "Accept"})
    result = cached_browse(request, selection, vocab)
    links = _links(result, vocab)
    headers = {"Vary": "Accept", "Link": ", ".join(f'<{u}>; rel="{r}"' for r, u in links.items()
                                                   if r in ("next", "prev", "first", "last"))}
    if media_type == JSON_MEDIA_TYPE:
        return JSONResponse(as_json(result, vocab, links), headers=headers)
    if media_type == CSV_MEDIA_TYPE:
        return Response(as_csv(result), media_type=content_type(CSV_MEDIA_TYPE), headers=headers | {
            "Content-Disposition": 'inline; filename="migkg-instruments.csv"'})
    response = render(request, "instruments.html", {
        "result": result, "links": links, "vocab": vocab, "href": lambda **c: href(selection, vocab, **c),
        "facet_shown": FACET_SHOWN, "sorts": [("label", "Title A–Z"), ("-label", "Title Z–A"),
                                              ("year", "Oldest first"), ("-year", "Newest first"),
                                              ("level", "Governance level")]})
    response.headers.update(headers)
    return response


def href(selection: Selection, vocab: Vocabulary, path: str = "/instruments", **changes: object) -> str:
    """The address of ``selection`` with ``changes`` (see :func:`query_string`)."""
    query = query_string(selection, vocab, **changes)
    return f"{path}?{query}" if query else path


def pages(result: BrowseResult) -> int:
    """How many pages the selection has (at least 1)."""
    per_page = result.selection.per_page
    return 1 if per_page is None else max(1, -(-result.total // per_page))


def _links(result: BrowseResult, vocab: Vocabulary) -> dict[str, str]:
    selection, last = result.selection, pages(result)
    links = {"self": href(selection, vocab), "json": href(selection, vocab, "/instruments.json"),
             "csv": href(selection, vocab, "/instruments.csv"),
             "csv_all": href(selection, vocab, "/instruments.csv", per_page=None, page=1),
             "first": href(selection, vocab, page=1), "last": href(selection, vocab, page=last)}
    if selection.page > 1:
        links["prev"] = href(selection, vocab, page=min(selection.page, last + 1) - 1)
    if selection.page < last:
        links["next"] = href(selection, vocab, page=selection.page + 1)
    return links


def as_json(result: BrowseResult, vocab: Vocabulary, links: dict[str, str]) -> dict[str, Any]:
    """The JSON body: selection, total, rows, facets with counts, years, links, the SPARQL used."""
    selection = result.selection
    return {
        "total": result.total, "page": selection.page, "per_page": selection.per_page,
        "pages": pages(result), "sort": selection.sort.value,
        "selection": {k: [t.value for t in v] for k, v in selection.values.items()}
                     | {"year_from": selection.year_from, "year_to": selection.year_to, "q": selection.text},
        "results": [{"iri": r.iri, "label": r.label, "year": r.year,
                     "level": [x.iri for x in r.levels], "type": [x.iri for x in r.types],
                     "places": [x.iri for x in r.places], "status": [x.iri for x in r.status]}
                    for r in result.rows],
        "facets": [{"key": fc.facet.key, "title": fc.facet.title, "values": [
            {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected,
             "href": href(selection, vocab, toggle=(fc.facet.key, fc.facet.term(v.value)))}
            for v in fc.values]} for fc in result.facets],
        "years": [{"year": y, "count": n} for y, n in result.years],
        "links": links,
        "sparql": {"counts": result.counts_sparql, "list": result.list_sparql},
    }


CSV_COLUMNS = ("iri", "label", "year", "level", "type", "places", "status")


def as_csv(result: BrowseResult) -> bytes:
    """The rows of the page (every match with ``per_page=all``) as CSV; several values joined by `` | ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        writer.writerow([row.iri, row.label, "" if row.year is None else row.year,
                         _join(row.levels), _join(row.types), _join(row.places), _join(row.status)])
    return out.getvalue().encode("utf-8")


def _join(items: Sequence[Any]) -> str:
    return " | ".join(item.label for item in items)


#: What the templates of browse links call (see ``templates/_browse.html``).
TEMPLATE_GLOBALS: dict[str, object] = {
    "browse_href": facet_href, "browse_link": browse_link, "incoming_shown": INCOMING_SHOWN}

