"""The embedded store: pyoxigraph, in memory or on disk, queried with SPARQL strings."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from migkg.formats import RdfFormat, ResultsFormat, rdf_format
from migkg.stores.base import (
    GraphInfo,
    QueryForm,
    QueryRequest,
    QuerySyntaxError,
    Row,
    SerializedResult,
    UpdateRequest,
)

log = logging.getLogger(__name__)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Identifier:
    """The rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def open_store(store_dir: Path | None) -> ox.Store:
    """A writable store on disk under ``store_dir``, or in memory when it is None."""
    if store_dir is None:
        return ox.Store()
    store_dir.mkdir(parents=True, exist_ok=True)
    return ox.Store(str(store_dir))


class OxigraphBackend:
    """A :class:`~migkg.stores.base.Backend` over a pyoxigraph store, run in the calling thread.

    The default graph of a query is the union of all named graphs unless the request names its own
    dataset (the data lives in one named graph per source file).
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    # --- loading -------------------------------------------------------------------------------

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Bulk-load quads (not transactional; for building a fresh store)."""
        self.store.bulk_extend(quads)

    # --- queries -------------------------------------------------------------------------------

    def _run(self, request: QueryRequest) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        kwargs: dict[str, object] = {"base_iri": request.base_iri}
        if request.default_graph_uris:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graph_uris]
        else:
            kwargs["use_default_graph_as_union"] = True
        if request.named_graph_uris:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graph_uris]
        if request.bindings:
            kwargs["substitutions"] = {
                ox.Variable(name): to_oxigraph(value) for name, value in request.bindings.items()
            }
        try:
            return self.store.query(request.sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err

    def execute(
        self,
        request: QueryRequest,
        *,
        results_format: ResultsFormat,
        rdf_format: RdfFormat,
        timeout_s: float | None = None,
    ) -> SerializedResult:
        result = self._run(request)
        if isinstance(result, ox.QueryTriples):
            form = QueryForm.CONSTRUCT
            body = result.serialize(format=rdf_format.oxigraph)
            media_type = rdf_format.media_type
        else:
            form = QueryForm.ASK if isinstance(result, ox.QueryBoolean) else QueryForm.SELECT
            body = result.serialize(format=results_format.oxigraph)
            media_type = results_format.media_type
        return SerializedResult(form, media_type, body or b"")

    def select(self, request: QueryRequest, *, timeout_s: float | None = None) -> list[Row]:
        result = self._run(request)
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("not a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = to_rdflib(value)
            rows.append(row)
        return rows

    def ask(self, request: QueryRequest, *, timeout_s: float | None = None) -> bool:
        result = self._run(request)
        if not isinstance(result, ox.QueryBoolean):
            raise QuerySyntaxError("not an ASK query")
        return bool(result)

    def construct(self, request: QueryRequest, *, timeout_s: float | None = None) -> Graph:
        result = self._run(request)
        if not isinstance(result, ox.QueryTriples):
            raise QuerySyntaxError("not a CONSTRUCT or DESCRIBE query")
        graph = Graph()
        data = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        graph.parse(data=data, format=rdf_format("nt").rdflib_name)
        return graph

    def update(self, request: UpdateRequest) -> None:
        try:
            self.store.update(request.sparql, base_iri=request.base_iri)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err

    # --- dataset -------------------------------------------------------------------------------

    def graphs(self) -> list[GraphInfo]:
        rows = self.store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        assert isinstance(rows, ox.QuerySolutions)
        return [GraphInfo(r["g"].value, int(r["n"].value)) for r in rows]

    def dump(self, rdf_format: RdfFormat, graphs: Sequence[str] | None = None) -> bytes:
        if rdf_format.is_dataset and graphs is None:
            return self.store.dump(format=rdf_format.oxigraph) or b""
        chosen = graphs if graphs is not None else [g.iri for g in self.graphs()]
        triples = ox.Store()
        for iri in chosen:
            triples.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(iri))
            )
        return triples.dump(format=rdf_format.oxigraph, from_graph=ox.DefaultGraph()) or b""

    def triple_count(self) -> int:
        return len(self.store)

    def close(self) -> None:
        self.store.flush()
