"""The SPARQL 1.1 Protocol's request rules as pure functions: HTTP parts in, an operation or a 4xx out.

Query via GET, via POST form and via POST ``application/sparql-query``; update via POST form and POST
``application/sparql-update`` (SPARQL 1.1 Protocol §2.1, §2.2). Parameters from the URL and a form
body are merged; ``query``/``update`` may appear once, dataset parameters any number of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from migkg.formats import FORM_MEDIA_TYPE, SPARQL_QUERY_MEDIA_TYPE, SPARQL_UPDATE_MEDIA_TYPE
from migkg.stores.base import QueryRequest, UpdateRequest

Params = Sequence[tuple[str, str]]

_QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
_UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")
#: Parameters the endpoint reads besides the dataset: the query/update text and a format override.
FORMAT_PARAMS = ("format", "output")


class ProtocolError(Exception):
    """A request the protocol does not allow; ``status`` is the 4xx to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ProtocolQuery:
    """A query operation with its protocol dataset and format override."""

    request: QueryRequest
    format_override: str | None = None


@dataclass(frozen=True)
class ProtocolUpdate:
    """An update operation with its protocol USING dataset."""

    request: UpdateRequest


Operation = ProtocolQuery | ProtocolUpdate


def media_type_of(content_type: str | None) -> tuple[str | None, str | None]:
    """The bare media type and charset of a Content-Type header.

    >>> media_type_of("application/sparql-query; charset=UTF-8")
    ('application/sparql-query', 'utf-8')
    >>> media_type_of(None)
    (None, None)
    """
    if not content_type:
        return None, None
    media, *params = (p.strip() for p in content_type.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"unsupported charset {charset!r}: SPARQL requests must be UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(400, f"the request body is not valid UTF-8 ({err.reason} at byte "
                                 f"{err.start})") from None


def _form(body: bytes, charset: str | None) -> list[tuple[str, str]]:
    text = _decode(body, charset)
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError) as err:
        raise ProtocolError(400, f"the form body is not valid UTF-8 URL-encoding: {err}") from None


def _one(params: Params, name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise ProtocolError(400, f"the {name!r} parameter is given {len(values)} times; give it once")
    return values[0] if values else None


def _all(params: Params, name: str) -> tuple[str, ...]:
    return tuple(v for k, v in params if k == name)


def _override(params: Params) -> str | None:
    values = [v for k, v in params if k in FORMAT_PARAMS]
    return values[-1] if values else None


def _query(sparql: str, params: Params, base_iri: str | None) -> ProtocolQuery:
    if _all(params, "using-graph-uri") or _all(params, "using-named-graph-uri"):
        raise ProtocolError(400, "using-graph-uri/using-named-graph-uri belong to updates; "
                                 "a query takes default-graph-uri/named-graph-uri")
    request = QueryRequest(sparql, _all(params, _QUERY_DATASET[0]), _all(params, _QUERY_DATASET[1]),
                           base_iri=base_iri)
    return ProtocolQuery(request, _override(params))


def _update(sparql: str, params: Params, base_iri: str | None) -> ProtocolUpdate:
    if _all(params, "default-graph-uri") or _all(params, "named-graph-uri"):
        raise ProtocolError(400, "default-graph-uri/named-graph-uri belong to queries; "
                                 "an update takes using-graph-uri/using-named-graph-uri")
    return ProtocolUpdate(UpdateRequest(sparql, _all(params, _UPDATE_DATASET[0]),
                                        _all(params, _UPDATE_DATASET[1]), base_iri=base_iri))


def parse_get(params: Params, base_iri: str | None = None) -> ProtocolQuery | None:
    """The query of a GET request, or None when there is none (service description / UI).

    >>> parse_get([("query", "ASK {}"), ("default-graph-uri", "http://g")]).request.default_graph_uris
    ('http://g',)
    >>> parse_get([("update", "CLEAR ALL")])
    Traceback (most recent call last):
    ...
    migkg.web.sparql_request.ProtocolError: updates must be sent by POST, never by GET
    """
    if any(k == "update" for k, _ in params):
        raise ProtocolError(400, "updates must be sent by POST, never by GET")
    sparql = _one(params, "query")
    return None if sparql is None else _query(sparql, params, base_iri)


def parse_post(content_type: str | None, body: bytes, params: Params,
               base_iri: str | None = None) -> Operation:
    """The operation of a POST request (``params`` are the URL's query parameters)."""
    media, charset = media_type_of(content_type)
    if media is None:
        raise ProtocolError(415, "a POST needs a Content-Type: application/x-www-form-urlencoded, "
                                 "application/sparql-query or application/sparql-update")
    if media == FORM_MEDIA_TYPE:
        merged = [*params, *_form(body, charset)]
        query, update = _one(merged, "query"), _one(merged, "update")
        if query is not None and update is not None:
            raise ProtocolError(400, "give either a query or an update, not both")
        if query is not None:
            return _query(query, merged, base_iri)
        if update is not None:
            return _update(update, merged, base_iri)
        raise ProtocolError(400, "the form has neither a 'query' nor an 'update' parameter")
    if media in (SPARQL_QUERY_MEDIA_TYPE, SPARQL_UPDATE_MEDIA_TYPE):
        for name in ("query", "update"):
            if any(k == name for k, _ in params):
                raise ProtocolError(400, f"the {name!r} parameter may not be given in the URL of a "
                                         f"direct POST: the body is the {media.split('-')[-1]}")
        text = _decode(body, charset)
        if media == SPARQL_QUERY_MEDIA_TYPE:
            return _query(text, params, base_iri)
        return _update(text, params, base_iri)
    raise ProtocolError(415, f"unsupported Content-Type {media!r}: use application/x-www-form-"
                             "urlencoded, application/sparql-query or application/sparql-update")
