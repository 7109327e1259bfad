"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query, update, service description, YASGUI).

Errors are plain-text 4xx/5xx answers with a readable message: 400 malformed (syntax errors carry the
parser's message), 401/403 update credentials, 405 other methods, 406 no acceptable format, 413 body
too large, 415 media type, 403 SERVICE/LOAD not allowed, 503 query timeout (the query is stopped),
507 result over the row or byte cap. Reads allow any origin (CORS); updates do not.
"""

from __future__ import annotations

import hmac
import logging
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from migkg.config import Settings
from migkg.formats import (
    HTML_MEDIA_TYPE,
    RDF_FORMATS,
    RESULTS_FORMATS,
    AcceptError,
    FormatError,
    RdfFormat,
    ResultsFormat,
    content_type,
    negotiate,
    rdf_format,
    rdf_media_types,
    results_format,
)
from migkg.stores.base import Backend, QueryForm, SerializedResult, StoreError, query_form
from migkg.stores.text_limits import TextLimits, check_text
from migkg.web.admission import retry_headers
from migkg.web.service_description import local_base, service_description
from migkg.web.sparql_page import catalogue_tabs, sparql_page
from migkg.web.sparql_request import (
    ProtocolError,
    ProtocolQuery,
    ProtocolUpdate,
    parse_get,
    parse_post,
)
from migkg.web.state import backend_of, settings_of
from migkg.web.updates import accepted_update

log = logging.getLogger(__name__)

CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Vary": "Accept"}
_RESULTS_OFFER = [f.media_type for f in RESULTS_FORMATS] + [a for f in RESULTS_FORMATS for a in f.aliases]
_RDF_OFFER = [f.media_type for f in RDF_FORMATS] + [a for f in RDF_FORMATS for a in f.aliases]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status, headers={**CORS_HEADERS, **(headers or {})})


def endpoint_url(request: Request) -> str:
    """The endpoint's URL as the client sees it (``settings.base_url`` wins over proxy headers)."""
    return local_base(request).rstrip("/") + request.url.path


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@lru_cache(maxsize=256)
def choose_formats(accept: str | None, form: QueryForm | None,
                   override: str | None) -> tuple[ResultsFormat | None, RdfFormat | None]:
    """The results and graph formats for a query (None: nothing acceptable for that family).

    ``override`` (the ``format``/``output`` parameter) beats the Accept header.

    >>> choose_formats("text/csv", QueryForm.SELECT, None)[0].name
    'csv'
    >>> choose_formats(None, QueryForm.CONSTRUCT, "nt")[1].name
    'ntriples'
    """
    if override:
        try:
            if form is not None and form.returns_graph:
                return results_format("json"), rdf_format(override)
            return results_format(override), rdf_format("ttl")
        except FormatError as err:
            raise ProtocolError(400, f"unknown format {override!r}: {err}") from None
    try:
        chosen_results = negotiate(accept, _RESULTS_OFFER)
        chosen_rdf = negotiate(accept, _RDF_OFFER)
    except AcceptError as err:
        raise ProtocolError(400, str(err)) from None
    return (results_format(chosen_results) if chosen_results else None,
            rdf_format(chosen_rdf) if chosen_rdf else None)


def _not_acceptable(form: QueryForm | None) -> ProtocolError:
    offered = rdf_media_types() if form is not None and form.returns_graph else _RESULTS_OFFER[:4]
    return ProtocolError(406, "no acceptable format for this query; offered: " + ", ".join(offered))


async def run_query(backend: Backend, operation: ProtocolQuery, accept: str | None,
                    timeout_s: float) -> SerializedResult:
    """Negotiate, then run the query off the event loop (worker process or thread)."""
    form = query_form(operation.request.sparql)
    chosen_results, chosen_rdf = choose_formats(accept, form, operation.format_override)
    if form is not None and (chosen_rdf if form.returns_graph else chosen_results) is None:
        raise _not_acceptable(form)
    result = await backend.aexecute(
        operation.request, results_format=chosen_results or results_format("json"),
        rdf_format=chosen_rdf or rdf_format("ttl"), timeout_s=timeout_s)
    if (chosen_rdf if result.form.returns_graph else chosen_results) is None:
        raise _not_acceptable(result.form)
    return result


def check_update_auth(settings: Settings, authorization: str | None) -> None:
    """Raise 403 when updates are disabled, 401 when the bearer token is missing or wrong."""
    if settings.update_token is None:
        raise ProtocolError(403, "updates are disabled on this endpoint (set MIGKG_UPDATE_TOKEN)")
    scheme, _, given = (authorization or "").partition(" ")
    expected = settings.update_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise ProtocolError(401, "updates need the header 'Authorization: Bearer <token>'")


async def run_update(request: Request, operation: ProtocolUpdate) -> Response:
    """Check the credentials, then apply the update atomically (off the event loop)."""
    check_update_auth(settings_of(request), request.headers.get("authorization"))
    backend: Backend = backend_of(request)
    with accepted_update(request):  # journalled with its author; caches follow the data
        await backend.aupdate(operation.request)
    return Response(status_code=204)


async def describe_service(request: Request) -> Response:
    """GET without a query: YASGUI for browsers, the service description for everyone else."""
    settings: Settings = settings_of(request)
    try:
        chosen = negotiate(request.headers.get("accept"), [*rdf_media_types(), HTML_MEDIA_TYPE])
    except AcceptError as err:
        raise ProtocolError(400, str(err)) from None
    if chosen is None:
        raise ProtocolError(406, "offered: " + ", ".join([*rdf_media_types(), HTML_MEDIA_TYPE]))
    endpoint = endpoint_url(request)
    if chosen == HTML_MEDIA_TYPE:
        return sparql_page(request, endpoint, catalogue_tabs(settings.queries_dir))
    backend: Backend = backend_of(request)
    graphs = await run_in_threadpool(backend.graphs)
    description = service_description(endpoint, graphs, updates=settings.update_token is not None,
                                      federation=bool(settings.service_allowlist))
    fmt = rdf_format(chosen)
    body = description.serialize(format=fmt.rdflib_name, encoding="utf-8")
    return Response(body, media_type=content_type(fmt.media_type), headers=CORS_HEADERS)


async def _dispatch(request: Request) -> Response:
    settings: Settings = settings_of(request)
    params = list(request.query_params.multi_items())
    base_iri = endpoint_url(request)
    operation: ProtocolQuery | ProtocolUpdate | None
    if request.method == "GET":
        operation = parse_get(params, base_iri)
        if operation is None:
            return await describe_service(request)
    else:
        body = await _body(request, settings.max_request_bytes)
        operation = parse_post(request.headers.get("content-type"), body, params, base_iri)
    check_text(operation.request.sparql, TextLimits.from_settings(settings),
               update=isinstance(operation, ProtocolUpdate))  # before any parser sees it
    if isinstance(operation, ProtocolUpdate):
        return await run_update(request, operation)
    result = await run_query(backend_of(request), operation, request.headers.get("accept"),
                             settings.query_timeout_s)
    return Response(result.body, media_type=content_type(result.media_type), headers=CORS_HEADERS)


async def sparql_endpoint(request: Request) -> Response:
    """The ``/sparql`` handler: every failure becomes a 4xx/5xx with a readable message."""
    if request.method == "OPTIONS":
        return preflight()
    try:
        return await _dispatch(request)
    except ProtocolError as err:
        extra = {"WWW-Authenticate": 'Bearer realm="migkg"'} if err.status == 401 else None
        return _error(err.status, err.message, extra)
    except StoreError as err:
        if err.status >= 500 and not retry_headers(err):  # a refusal is no failure
            log.warning("query failed (%s): %s", type(err).__name__, err)
        return _error(err.status, f"{type(err).__name__}: {err}", retry_headers(err))


def preflight() -> Response:
    """CORS preflight: reads from any origin; no Authorization header, so no cross-site updates."""
    return Response(status_code=204, headers={
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type",
        "Access-Control-Max-Age": "86400",
    })


#: ``/sparql``: a plain Starlette route (no FastAPI validation on the hot path).
router = APIRouter()
router.add_route("/sparql", sparql_endpoint, methods=["GET", "POST", "OPTIONS"], include_in_schema=False)
