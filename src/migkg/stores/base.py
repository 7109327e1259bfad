"""The one interface every store speaks: the embedded Oxigraph store and remote SPARQL servers.

The web app and the library only talk to a :class:`Backend`; which store sits behind it is a setting.
Library callers get rows of rdflib terms (:meth:`Backend.select`); the endpoint gets serialised bytes
in the negotiated format (:meth:`Backend.execute`), so results are never re-parsed on the hot path.

A store implements :meth:`~Backend.execute` and :meth:`~Backend.update` (and the dataset methods);
:class:`StoreBackend` writes ``select``, ``ask`` and ``construct`` once over ``execute``, and gives the
async variants (``aexecute``, ``aupdate``) that run the blocking call in a thread, which a store
overrides when it has a better way (the worker pool waits on a pipe).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import partial

import anyio.to_thread
import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from migkg.formats import RdfFormat, ResultsFormat, rdf_format, results_format
from migkg.stores.terms import Row as Row  # re-exported: callers read rows of this type from here
from migkg.stores.terms import solutions_to_rows


class QueryForm(str, Enum):
    """The four SPARQL query forms."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def returns_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


class StoreError(Exception):
    """Base of the errors a backend raises; the web layer maps each to an HTTP status."""

    status = 500


class QuerySyntaxError(StoreError):
    """The query or update does not parse (400), with the parser's message."""

    status = 400


class InvalidRequest(StoreError):
    """The request is well formed but contradicts itself, e.g. ``using-graph-uri`` with ``WITH`` (400)."""

    status = 400


class QueryRefused(StoreError):
    """The request is well formed but not allowed, e.g. SERVICE to an endpoint not allow-listed (403)."""

    status = 403


class QueryTimeout(StoreError):
    """The query ran past its deadline and was stopped (503 locally, 504 for a remote store)."""

    status = 503


class ResultTooLarge(StoreError):
    """The result passed the row or byte cap (413 is for requests; this is 500-range: 507)."""

    status = 507


class StoreUnavailable(StoreError):
    """The remote store failed or could not be reached (502)."""

    status = 502


@dataclass(frozen=True)
class QueryRequest:
    """A query and its dataset, as the SPARQL 1.1 Protocol carries them."""

    sparql: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None
    # Values bound to variables before evaluation (never pasted into the text: no injection).
    bindings: Mapping[str, Identifier] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateRequest:
    """A SPARQL 1.1 Update and its USING dataset."""

    sparql: str
    using_graph_uris: tuple[str, ...] = ()
    using_named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None


@dataclass(frozen=True)
class SerializedResult:
    """A query result, already serialised in the format the client asked for."""

    form: QueryForm
    media_type: str
    body: bytes


@dataclass(frozen=True)
class GraphInfo:
    """A named graph and its size."""

    iri: str
    triples: int


_JSON = results_format("json")
_NT = rdf_format("nt")  # graphs are read back as N-Triples


class StoreBackend:
    """The logic every store shares: ``select``/``ask``/``construct`` over ``execute``, async variants.

    Subclasses implement :meth:`execute` and :meth:`update`; results come back in SPARQL JSON or
    N-Triples and are parsed here, so every store applies its own limits (caps, deadline) to the
    library's reads exactly as to the endpoint's queries.
    """

    def execute(
        self,
        request: QueryRequest,
        *,
        results_format: ResultsFormat,
        rdf_format: RdfFormat,
        timeout_s: float | None = None,
    ) -> SerializedResult:
        """Run a query; SELECT/ASK come back in ``results_format``, graphs in ``rdf_format``."""
        raise NotImplementedError

    def update(self, request: UpdateRequest) -> None:
        """Apply a SPARQL Update atomically."""
        raise NotImplementedError

    def _results(self, request: QueryRequest,
                 timeout_s: float | None) -> ox.QuerySolutions | ox.QueryBoolean | None:
        result = self.execute(request, results_format=_JSON, rdf_format=_NT, timeout_s=timeout_s)
        if result.form.returns_graph:
            return None
        return ox.parse_query_results(result.body, format=_JSON.oxigraph)

    def select(self, request: QueryRequest, *, timeout_s: float | None = None) -> list[Row]:
        """Run a SELECT and return its rows (unbound variables are absent from a row)."""
        parsed = self._results(request, timeout_s)
        if not isinstance(parsed, ox.QuerySolutions):
            raise QuerySyntaxError("not a SELECT query")
        return solutions_to_rows(parsed)

    def ask(self, request: QueryRequest, *, timeout_s: float | None = None) -> bool:
        """Run an ASK query."""
        parsed = self._results(request, timeout_s)
        if not isinstance(parsed, ox.QueryBoolean):
            raise QuerySyntaxError("not an ASK query")
        return bool(parsed)

    def construct(self, request: QueryRequest, *, timeout_s: float | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query into an rdflib graph."""
        result = self.execute(request, results_format=_JSON, rdf_format=_NT, timeout_s=timeout_s)
        if not result.form.returns_graph:
            raise QuerySyntaxError("not a CONSTRUCT or DESCRIBE query")
        return Graph().parse(data=result.body, format=_NT.rdflib_name)

    async def aexecute(
        self,
        request: QueryRequest,
        *,
        results_format: ResultsFormat,
        rdf_format: RdfFormat,
        timeout_s: float | None = None,
    ) -> SerializedResult:
        """:meth:`execute` in a worker thread, so the event loop keeps serving."""
        call = partial(self.execute, request, results_format=results_format, rdf_format=rdf_format,
                       timeout_s=timeout_s)
        return await anyio.to_thread.run_sync(call)

    async def aupdate(self, request: UpdateRequest) -> None:
        """:meth:`update` in a worker thread, so the event loop keeps serving queries."""
        await anyio.to_thread.run_sync(self.update, request)

    def graphs(self) -> list[GraphInfo]:
        """The named graphs with their triple counts, sorted by IRI."""
        raise NotImplementedError

    def dump(self, rdf_format: RdfFormat, graphs: Sequence[str] | None = None) -> bytes:
        """Serialise the dataset (dataset formats keep graph names) or the union of ``graphs``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release workers, files and connections."""
        raise NotImplementedError


#: What the app and the library need from a store: every store is a :class:`StoreBackend`.
Backend = StoreBackend


_PROLOGUE = re.compile(
    r"""\A(?:\s+|\#[^\n]*\n|BASE\s*<[^>]*>|PREFIX\s+[A-Za-z0-9_.\-]*:\s*<[^>]*>)*""",
    re.IGNORECASE,
)
_FORM = re.compile(r"\A(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> QueryForm | None:
    """The form of a query read from its first keyword after the prologue; None if not a query.

    The store's parser has the last word; this only picks formats before running.

    >>> query_form("PREFIX ex: <http://ex/> # comment\\nconstruct { ?s ?p ?o } WHERE { ?s ?p ?o }")
    <QueryForm.CONSTRUCT: 'CONSTRUCT'>
    >>> query_form("INSERT DATA {}") is None
    True
    """
    rest = sparql[_PROLOGUE.match(sparql).end():]  # type: ignore[union-attr]
    found = _FORM.match(rest)
    return QueryForm(found.group(1).upper()) if found else None
