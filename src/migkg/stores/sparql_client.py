"""Any public SPARQL 1.1 endpoint, read through SPARQLWrapper (``migkg query --endpoint``, notebooks).

:class:`EndpointBackend` is a :class:`~migkg.stores.remote.RemoteBackend` whose queries go through
SPARQLWrapper, the standard Python SPARQL client, instead of the shared ``httpx`` client: POST, content
negotiation only, no credentials (a store that needs them is reached with ``migkg serve --store
remote`` or ``migkg push``, whose one auth path is :func:`~migkg.stores.graph_store.make_client`). It
has no update or Graph Store URL, so it only reads. Failures go through the same error map
(:func:`~migkg.stores.remote_errors.query_errors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.client import HTTPResponse
from typing import Any

import httpx
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

from migkg.stores.base import QueryRequest, QuerySyntaxError
from migkg.stores.graph_store import RemoteEndpoints
from migkg.stores.limits import QueryPolicy
from migkg.stores.remote import RemoteBackend
from migkg.stores.remote_errors import query_errors

_CHUNK = 64 * 1024


class EndpointBackend(RemoteBackend):
    """A read-only backend over the SPARQL endpoint at ``query_url``, queried through SPARQLWrapper."""

    def __init__(self, query_url: str, timeout_s: float = 30.0, policy: QueryPolicy | None = None) -> None:
        super().__init__(RemoteEndpoints(query_url=query_url, timeout_s=timeout_s), policy)

    def _wrapper(self, request: QueryRequest, sparql: str, accept: str, timeout_s: float) -> Any:
        wrapper = SPARQLWrapper(self.endpoints.query_url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(sparql)
        if wrapper.isSparqlUpdateRequest():  # SPARQLWrapper would send it to the update endpoint
            raise QuerySyntaxError("not a SPARQL query")
        for iri in request.default_graph_uris:
            wrapper.addDefaultGraph(iri)
        for iri in request.named_graph_uris:
            wrapper.addNamedGraph(iri)
        wrapper.addCustomHttpHeader("Accept", accept)
        # urllib takes float seconds; setTimeout() would round 0.5 s down to "no timeout".
        wrapper.timeout = timeout_s  # type: ignore[assignment]
        return wrapper

    @contextmanager
    def _send(self, request: QueryRequest, sparql: str, accept: str,
              timeout_s: float) -> Iterator[tuple[Mapping[str, str], Iterable[bytes]]]:
        """Send the query with SPARQLWrapper; yield the answer's headers and body chunks."""
        wrapper = self._wrapper(request, sparql, accept, timeout_s)
        with query_errors(self.endpoints.query_url, timeout_s):
            response: HTTPResponse = wrapper.query().response
            try:
                headers = httpx.Headers(list(response.headers.items()))  # case-insensitive
                yield headers, iter(lambda: response.read(_CHUNK), b"")
            finally:
                response.close()
