"""A remote SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, QLever…) as a :class:`Backend`.

Queries (SPARQL 1.1 Protocol POST, content negotiation only), updates and the Graph Store Protocol
go through one shared ``httpx.Client`` (:func:`~migkg.stores.graph_store.make_client`: one auth path,
safe in a threaded server), and their failures through one error map
(:mod:`migkg.stores.remote_errors`). The store's bytes are passed on as they came: the endpoint never
re-parses a result on the hot path. The backend keeps no data between requests, so any number of
front ends may share one store.

The remote store must answer queries without a dataset over the union of its graphs (Virtuoso does;
start Oxigraph server with ``--union-default-graph``), as the embedded store does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import pyoxigraph as ox

from migkg.formats import FORM_MEDIA_TYPE, FormatError, RdfFormat, ResultsFormat, rdf_format, results_format
from migkg.stores.base import (
    GraphInfo,
    QueryForm,
    QueryRefused,
    QueryRequest,
    QuerySyntaxError,
    SerializedResult,
    StoreBackend,
    StoreUnavailable,
    UpdateRequest,
    query_form,
)
from migkg.stores.bindings import inline_bindings
from migkg.stores.graph_store import GraphStore, RemoteEndpoints, make_client, make_timeout, post_update
from migkg.stores.limits import QueryPolicy, too_large_bytes
from migkg.stores.remote_errors import RemoteTimeout, check_status, remote_call
from migkg.stores.sparql_text import check_remote

log = logging.getLogger(__name__)

_JSON = results_format("json")
_NT = rdf_format("nt")
_CHUNK = 64 * 1024
_VIRTUOSO_ASK = "__ASK_RETVAL"
_PASS_THROUGH = ("json", "xml")


class RemoteBackend(StoreBackend):
    """A :class:`~migkg.stores.base.Backend` over a store reached by HTTP.

    Args:
        endpoints: the store's URLs, credentials and default timeout.
        policy: SERVICE allow-list and byte cap applied before results reach the app.
        graph_prefix: list only the named graphs whose IRI starts with this (hides a store's
            system graphs, e.g. Virtuoso's ``virtrdf#``); None lists all.
    """

    def __init__(
        self,
        endpoints: RemoteEndpoints,
        policy: QueryPolicy | None = None,
        graph_prefix: str | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.policy = policy or QueryPolicy()
        self.graph_prefix = graph_prefix
        self.client = make_client(endpoints)
        self.graph_store = GraphStore(self.client, endpoints.graph_store_url) \
            if endpoints.graph_store_url else None

    # --- queries -------------------------------------------------------------------------------

    def _prepare(self, request: QueryRequest) -> str:
        check_remote(request.sparql, self.policy.service_allowlist, request.base_iri)
        if query_form(request.sparql) is None:
            raise QuerySyntaxError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
        return _with_base(inline_bindings(request.sparql, request.bindings), request.base_iri)

    @contextmanager
    def _send(self, request: QueryRequest, sparql: str, accept: str,
              timeout_s: float) -> Iterator[tuple[Mapping[str, str], Iterable[bytes]]]:
        """POST the query (SPARQL 1.1 Protocol) and yield the answer's headers and body chunks."""
        form: dict[str, str | list[str]] = {"query": sparql}
        if request.default_graph_uris:
            form["default-graph-uri"] = list(request.default_graph_uris)
        if request.named_graph_uris:
            form["named-graph-uri"] = list(request.named_graph_uris)
        url = self.endpoints.query_url
        headers = {"Accept": accept, "Content-Type": FORM_MEDIA_TYPE}
        timeout = make_timeout(timeout_s)
        with remote_call("query", url, timeout_s), \
                self.client.stream("POST", url, data=form, headers=headers, timeout=timeout) as response:
            if not response.is_success:
                response.read()
                check_status(response, "query")
            yield response.headers, response.iter_bytes(_CHUNK)

    def _fetch(self, request: QueryRequest, accept: str, timeout_s: float | None) -> tuple[bytes, str]:
        """The raw answer to a query and its media type, within the deadline and the byte cap."""
        sparql = self._prepare(request)
        # The caller's deadline (the app's query timeout) and the store's HTTP timeout both hold.
        budget = min(timeout_s or self.endpoints.timeout_s, self.endpoints.timeout_s)
        deadline = time.monotonic() + budget
        with self._send(request, sparql, accept, budget) as (headers, chunks):
            if headers.get("X-SQL-State"):  # Virtuoso's "anytime" partial result
                raise RemoteTimeout(f"the remote store stopped the query at its own time limit: "
                                    f"{headers.get('X-SQL-Message', '')}")
            body = self._read(chunks, deadline, budget)
            media_type = headers.get("Content-Type", accept).split(";")[0].strip().lower()
        return body, media_type

    def _read(self, chunks: Iterable[bytes], deadline: float, budget: float) -> bytes:
        parts: list[bytes] = []
        size = 0
        cap = self.policy.max_bytes
        for chunk in chunks:
            size += len(chunk)
            if cap is not None and size > cap:
                raise too_large_bytes(cap)
            if time.monotonic() > deadline:
                raise RemoteTimeout(f"the remote store did not send the whole result within {budget:g} s")
            parts.append(chunk)
        return b"".join(parts)

    def execute(
        self,
        request: QueryRequest,
        *,
        results_format: ResultsFormat,
        rdf_format: RdfFormat,
        timeout_s: float | None = None,
    ) -> SerializedResult:
        """Run a query remotely; the store's bytes pass through when it honoured the format asked."""
        form = query_form(request.sparql) or QueryForm.SELECT
        wanted = rdf_format.media_type if form.returns_graph else results_format.media_type
        if form is QueryForm.ASK:  # tiny; normalised because Virtuoso answers ASK as a SELECT
            answer = self._ask(request, timeout_s)
            return SerializedResult(form, wanted, _boolean_result(answer, results_format))
        body, media_type = self._fetch(request, _accept(form, results_format, rdf_format), timeout_s)
        if media_type != wanted:
            body = _convert(body, media_type, form, results_format, rdf_format)
        return SerializedResult(form, wanted, body)

    def _ask(self, request: QueryRequest, timeout_s: float | None) -> bool:
        body, media_type = self._fetch(request, _JSON.media_type, timeout_s)
        try:
            result = ox.parse_query_results(body, format=results_format(media_type).oxigraph)
        except (SyntaxError, ValueError, FormatError) as err:
            raise StoreUnavailable(f"the remote store sent unreadable results: {err}") from err
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if [v.value for v in result.variables] == [_VIRTUOSO_ASK]:  # Virtuoso's ASK in JSON
            return any(str(s[_VIRTUOSO_ASK].value) not in ("0", "false") for s in result)
        raise QuerySyntaxError("not an ASK query")

    # --- updates and the dataset ---------------------------------------------------------------

    def update(self, request: UpdateRequest) -> None:
        """Send a SPARQL Update to the update URL (atomic as far as the store makes it so)."""
        if not self.endpoints.update_url:
            raise QueryRefused("this remote store has no update URL (--update-url)")
        check_remote(request.sparql, self.policy.service_allowlist, request.base_iri)
        form: dict[str, str | list[str]] = {"update": _with_base(request.sparql, request.base_iri)}
        if request.using_graph_uris:
            form["using-graph-uri"] = list(request.using_graph_uris)
        if request.using_named_graph_uris:
            form["using-named-graph-uri"] = list(request.using_named_graph_uris)
        post_update(self.client, self.endpoints.update_url, form, "update")

    def graphs(self) -> list[GraphInfo]:
        """Named graphs (under ``graph_prefix``) with their sizes, sorted by IRI."""
        where = "GRAPH ?g { ?s ?p ?o }"
        if self.graph_prefix:
            where += f" FILTER(STRSTARTS(STR(?g), {ox.Literal(self.graph_prefix)}))"
        sparql = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?g ORDER BY ?g"
        rows = self.select(QueryRequest(sparql))
        return [GraphInfo(str(row["g"]), int(row["n"])) for row in rows]

    def graph_ntriples(self, iri: str) -> bytes:
        """One named graph as N-Triples: by the Graph Store Protocol when configured, else CONSTRUCT."""
        if self.graph_store is not None:
            return self.graph_store.get(iri, _NT.media_type)
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }} }}"
        body, media_type = self._fetch(QueryRequest(sparql), _NT.media_type, None)
        if media_type == _NT.media_type:
            return body
        return _convert(body, media_type, QueryForm.CONSTRUCT, _JSON, _NT)

    def dump(self, rdf_format: RdfFormat, graphs: Sequence[str] | None = None) -> bytes:
        """The dataset (graph names kept in dataset formats) or the union of ``graphs``."""
        keep_names = rdf_format.is_dataset and graphs is None
        chosen = graphs if graphs is not None else [g.iri for g in self.graphs()]
        store = ox.Store()
        for iri in chosen:
            target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(iri) if keep_names else ox.DefaultGraph()
            store.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, target)
                for t in ox.parse(self.graph_ntriples(iri), format=ox.RdfFormat.N_TRIPLES)
            )
        if keep_names:
            return store.dump(format=rdf_format.oxigraph) or b""
        return store.dump(format=rdf_format.oxigraph, from_graph=ox.DefaultGraph()) or b""

    def close(self) -> None:
        """Close the shared HTTP client."""
        self.client.close()


def _with_base(sparql: str, base_iri: str | None) -> str:
    """``sparql`` with a ``BASE`` declaration in front when a base IRI is given.

    >>> _with_base("SELECT * {}", "http://ex/")
    'BASE <http://ex/>\\nSELECT * {}'
    """
    return f"BASE {ox.NamedNode(base_iri)}\n{sparql}" if base_iri else sparql


def _accept(form: QueryForm, results: ResultsFormat, rdf: RdfFormat) -> str:
    """What to ask the store for: the format wanted, with a fallback that migkg converts from.

    Graphs: the wanted format, but N-Triples for N-Quads and TriG (a CONSTRUCT result has no graph
    names, and Virtuoso answers 406 for them, ignoring q-values).
    Solutions: JSON or XML pass through; CSV and TSV are made from JSON here, as Virtuoso's TSV
    is not SPARQL TSV (its header is ``"s"``, not ``?s``).
    """
    if form.returns_graph:
        return _NT.media_type if rdf.is_dataset else rdf.media_type
    return results.media_type if results.name in _PASS_THROUGH else _JSON.media_type


def _convert_rdf(body: bytes, media_type: str, wanted: RdfFormat) -> bytes:
    triples = ox.parse(body, format=rdf_format(media_type).oxigraph)
    return ox.serialize(triples, format=wanted.oxigraph) or b""


def _convert(
    body: bytes, media_type: str, form: QueryForm, results: ResultsFormat, rdf: RdfFormat
) -> bytes:
    """Re-serialise a result the store sent in another format than the one asked for."""
    log.debug("remote store answered %s; converting", media_type)
    try:
        if form.returns_graph:
            return _convert_rdf(body, media_type, rdf)
        parsed = ox.parse_query_results(body, format=results_format(media_type).oxigraph)
        return parsed.serialize(format=results.oxigraph) or b""
    except (SyntaxError, ValueError, FormatError) as err:
        raise StoreUnavailable(f"the remote store answered in {media_type}, which cannot be read: "
                               f"{err}") from err


def _boolean_result(answer: bool, results: ResultsFormat) -> bytes:
    """An ASK result serialised by pyoxigraph in ``results`` format."""
    result = ox.Store().query("ASK {}" if answer else "ASK { FILTER(false) }")
    assert isinstance(result, ox.QueryBoolean)
    return result.serialize(format=results.oxigraph) or b""
