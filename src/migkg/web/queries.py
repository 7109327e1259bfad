"""``/queries``: the competency-query catalogue, listed and run with typed parameters.

``GET /queries`` lists the catalogue (HTML or JSON by content negotiation, ``?_mediatype=`` wins).
``GET /queries/{name}?param=value`` runs one query with its parameters bound as substitutions and
answers in the negotiated format: SPARQL JSON, XML, CSV, TSV or an HTML table for SELECT and ASK,
an RDF format or HTML for CONSTRUCT. A parameter the query does not declare, or a value of the
wrong type, is a 400 whose message names the parameter. Query parameters starting with ``_`` are
reserved for the server (``_mediatype``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Graph

from migkg.catalogue.output import compact, graph_table, table_from_json
from migkg.catalogue.queries import CatalogueQuery, ParameterError, find_query
from migkg.config import Settings
from migkg.formats import (
    HTML_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    RDF_FORMATS,
    RESULTS_FORMATS,
    AcceptError,
    FormatError,
    content_type,
    negotiate,
    rdf_format,
    results_format,
)
from migkg.namespaces import DISPLAY_PREFIXES
from migkg.stores.base import Backend, QueryForm, QueryRequest, SerializedResult, StoreError
from migkg.web.admission import retry_headers
from migkg.web.responses import render
from migkg.web.service_description import local_base
from migkg.web.state import backend_of, catalogue_of, settings_of

_RESULTS_OFFER = [RESULTS_FORMATS[0].media_type, HTML_MEDIA_TYPE, JSON_MEDIA_TYPE,
                  *(f.media_type for f in RESULTS_FORMATS[1:])]
_GRAPH_OFFER = [RDF_FORMATS[0].media_type, HTML_MEDIA_TYPE,
                *(f.media_type for f in RDF_FORMATS[1:] if not f.is_dataset)]


class QueryPageError(Exception):
    """An error answered as JSON with its status (and the parameter it concerns, if any)."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.parameter = parameter

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": str(self), "status": self.status}
        if self.parameter is not None:
            body["parameter"] = self.parameter
        return JSONResponse(body, status_code=self.status, headers={"Vary": "Accept"})


def choose_media_type(request: Request, offered: list[str]) -> str:
    """The media type to answer with: ``?_mediatype=`` (a media type or format name) or Accept.

    Raises:
        QueryPageError: 400 for a malformed Accept or unknown override, 406 when nothing fits.
    """
    override = request.query_params.get("_mediatype")
    if override:
        return _override(override, offered)
    try:
        chosen = negotiate(request.headers.get("accept"), offered)
    except AcceptError as err:
        raise QueryPageError(400, str(err)) from None
    if chosen is None:
        raise QueryPageError(406, "no acceptable format; offered: " + ", ".join(offered))
    return chosen


def _override(value: str, offered: list[str]) -> str:
    wanted = value.strip().lower()
    if wanted in offered:
        return wanted
    if wanted in ("html", HTML_MEDIA_TYPE):
        return HTML_MEDIA_TYPE
    for lookup in (results_format, rdf_format):
        try:
            media_type = lookup(wanted).media_type
        except FormatError:
            continue
        if media_type in offered:
            return media_type
    raise QueryPageError(400, f"unknown or unavailable format {value!r}; offered: {', '.join(offered)}")


def query_values(request: Request) -> dict[str, str]:
    """The query-string parameters meant for the query (not ``_``-prefixed); repeats are a 400."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name.startswith("_"):
            continue
        if name in values:
            raise QueryPageError(400, f"parameter {name!r} given more than once", name)
        values[name] = value
    return values


def catalogue_entry(query: CatalogueQuery, base: str) -> dict[str, Any]:
    """The JSON description of a catalogue query (parameters with types and defaults)."""
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "form": query.form.value if query.form else None,
        "tags": list(query.tags),
        "params": [
            {"name": p.name, "type": p.type.value, "required": p.required, "optional": p.optional,
             "default": p.default.n3() if p.default is not None else None, "doc": p.doc}
            for p in query.params
        ],
        "url": f"{base}/queries/{query.name}",
        "sparql": query.sparql,
    }


async def list_queries(request: Request) -> Response:
    """``GET /queries``: the catalogue as HTML or JSON."""
    try:
        media_type = choose_media_type(request, [HTML_MEDIA_TYPE, JSON_MEDIA_TYPE])
    except QueryPageError as err:
        return err.response()
    queries = list(catalogue_of(request).values())
    base = local_base(request).rstrip("/")
    if media_type == JSON_MEDIA_TYPE:
        return JSONResponse({"queries": [catalogue_entry(q, base) for q in queries]},
                            headers={"Vary": "Accept"})
    response = render(request, "queries.html", {"queries": queries})
    response.headers["Vary"] = "Accept"
    return response


async def _execute(request: Request, query_request: QueryRequest, *, results_name: str,
                   rdf_name: str) -> SerializedResult:
    """Run the query off the event loop (:meth:`~migkg.stores.base.Backend.aexecute`)."""
    backend: Backend = backend_of(request)
    settings: Settings = settings_of(request)
    return await backend.aexecute(query_request, results_format=results_format(results_name),
                                  rdf_format=rdf_format(rdf_name), timeout_s=settings.query_timeout_s)


def _prepare(request: Request, name: str) -> tuple[CatalogueQuery, QueryRequest, str]:
    query = find_query(catalogue_of(request), name)
    if query is None:
        raise QueryPageError(404, f"no catalogue query named {name!r}")
    graph = query.form is not None and query.form.returns_graph
    media_type = choose_media_type(request, _GRAPH_OFFER if graph else _RESULTS_OFFER)
    values = query_values(request)
    try:
        return query, query.request(values), media_type
    except ParameterError as err:
        raise QueryPageError(400, str(err), err.name) from None


async def run_catalogue_query(request: Request) -> Response:
    """``GET /queries/{name}``: run a catalogue query with the parameters of the query string."""
    try:
        query, query_request, media_type = _prepare(request, request.path_params["name"])
        if media_type == HTML_MEDIA_TYPE:
            return await _html_result(request, query, query_request)
        graph = query.form is not None and query.form.returns_graph
        result = await _execute(
            request, query_request,
            results_name="json" if graph or media_type == JSON_MEDIA_TYPE else media_type,
            rdf_name=media_type if graph else "ttl")
    except QueryPageError as err:
        return err.response()
    except StoreError as err:
        refused = QueryPageError(err.status, str(err)).response()
        refused.headers.update(retry_headers(err))
        return refused
    return Response(result.body, media_type=content_type(result.media_type),
                    headers={"Vary": "Accept"})


async def _html_result(request: Request, query: CatalogueQuery,
                       query_request: QueryRequest) -> Response:
    graph = query.form is not None and query.form.returns_graph
    result = await _execute(request, query_request, results_name="json", rdf_name="nt")
    if graph:
        table = graph_table(Graph().parse(data=result.body, format=rdf_format("nt").rdflib_name))
    else:
        table = table_from_json(result.body)
    variables, rows = table.variables, table.rows
    prefixes = {**DISPLAY_PREFIXES, **query.prefixes}
    context = {
        "query": query, "variables": variables,
        "rows": [[(cell, compact(cell, prefixes)) for cell in row] for row in rows],
        "values": {name: str(term) for name, term in query_request.bindings.items()},
        "is_ask": query.form is QueryForm.ASK,
        "formats": _formats(query),
        "query_string": request.url.query,
    }
    response = render(request, "query.html", context)
    response.headers["Vary"] = "Accept"
    return response


def _formats(query: CatalogueQuery) -> list[str]:
    if query.form is not None and query.form.returns_graph:
        return [f.suffix for f in RDF_FORMATS if not f.is_dataset]
    return [f.name for f in RESULTS_FORMATS]


#: ``/queries`` and ``/queries/{name}`` (plain Starlette routes).
router = APIRouter()
router.add_route("/queries", list_queries, methods=["GET"], include_in_schema=False)
router.add_route("/queries/{name}", run_catalogue_query, methods=["GET"], include_in_schema=False)

