"""The embedded store: pyoxigraph, in memory or on disk, queried with SPARQL strings."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from migkg.formats import RdfFormat, ResultsFormat
from migkg.journal import Journal, content, effect, touched_graphs
from migkg.stores.base import (
    GraphInfo,
    InvalidRequest,
    QueryRequest,
    QuerySyntaxError,
    SerializedResult,
    StoreBackend,
    StoreError,
    UpdateRequest,
)
from migkg.stores.limits import QueryPolicy, serialize
from migkg.stores.sparql_text import add_using, check_remote, has_update_dataset
from migkg.stores.terms import to_oxigraph

log = logging.getLogger(__name__)


def open_store(store_dir: Path | None) -> ox.Store:
    """A writable store on disk under ``store_dir``, or in memory when it is None."""
    if store_dir is None:
        return ox.Store()
    store_dir.mkdir(parents=True, exist_ok=True)
    return ox.Store(str(store_dir))


def dataset_kwargs(request: QueryRequest) -> dict[str, object]:
    """pyoxigraph ``query`` arguments for the request's dataset.

    Without a protocol dataset the default graph is the union of all graphs (the data lives in one
    named graph per source file) and FROM / FROM NAMED in the query apply. With ``default-graph-uri``
    or ``named-graph-uri`` the dataset is exactly those graphs, overriding FROM and FROM NAMED
    (SPARQL 1.1 Protocol §2.1.4): naming only named graphs leaves the default graph empty.
    """
    if not request.default_graph_uris and not request.named_graph_uris:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(g) for g in request.default_graph_uris],
        "named_graphs": [ox.NamedNode(g) for g in request.named_graph_uris],
    }


def prepare_update(request: UpdateRequest, policy: QueryPolicy) -> str:
    """The update text to run: LOAD/SERVICE checked, protocol USING graphs written in.

    Raises :class:`InvalidRequest` when the protocol and the update both name a dataset
    (SPARQL 1.1 Protocol §2.2.3) and :class:`QueryRefused` for a URL not allow-listed.
    """
    check_remote(request.sparql, policy.service_allowlist, request.base_iri)
    if not (request.using_graph_uris or request.using_named_graph_uris):
        return request.sparql
    if has_update_dataset(request.sparql):
        raise InvalidRequest(
            "using-graph-uri/using-named-graph-uri may not be combined with USING, USING NAMED or "
            "WITH in the update itself"
        )
    for iri in (*request.using_graph_uris, *request.using_named_graph_uris):
        ox.NamedNode(iri)  # raises ValueError on a malformed IRI
    return add_using(request.sparql, request.using_graph_uris, request.using_named_graph_uris)



def evaluation_error(err: Exception) -> StoreError:
    """Map an error pyoxigraph raised while evaluating a query to the backend's errors.

    A call of a function the engine does not know (``<http://example/f>(?x)``) is the query's
    fault, so it is a 400 with the engine's message; anything else stays a store failure (500).
    """
    message = str(err)
    if message.startswith("The custom function ") and message.endswith(" is not supported"):
        return InvalidRequest(message)
    return StoreError(message)

class OxigraphBackend(StoreBackend):
    """A :class:`~migkg.stores.base.Backend` over a pyoxigraph store, run in the calling thread.

    Queries follow ``policy`` (SERVICE allow-list, row and byte caps) but cannot be stopped once
    started: pyoxigraph has no cancellation, so ``timeout_s`` is ignored here. The served app uses
    :class:`migkg.stores.workers.PooledOxigraphBackend`, which runs queries in worker processes and
    kills them at the deadline; this class is for library use, tests and in-memory stores.
    """

    def __init__(self, store: ox.Store, policy: QueryPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or QueryPolicy()
        self.journal: Journal | None = None  # the served store records accepted updates here

    # --- loading -------------------------------------------------------------------------------

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Bulk-load quads (not transactional; for building a fresh store)."""
        self.store.bulk_extend(quads)

    # --- queries -------------------------------------------------------------------------------

    def _run(self, request: QueryRequest) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        check_remote(request.sparql, self.policy.service_allowlist, request.base_iri)
        try:
            kwargs: dict[str, object] = {"base_iri": request.base_iri, **dataset_kwargs(request)}
            if request.bindings:
                kwargs["substitutions"] = {
                    ox.Variable(name): to_oxigraph(value) for name, value in request.bindings.items()
                }
            return self.store.query(request.sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err
        except ValueError as err:  # e.g. a malformed graph IRI
            raise InvalidRequest(str(err)) from err
        except (OSError, RuntimeError) as err:  # e.g. a failed SERVICE call
            raise evaluation_error(err) from err

    def execute(
        self,
        request: QueryRequest,
        *,
        results_format: ResultsFormat,
        rdf_format: RdfFormat,
        timeout_s: float | None = None,
    ) -> SerializedResult:
        """Run a query and serialise its result under the policy's caps (``timeout_s`` ignored)."""
        result = self._run(request)
        failure: StoreError
        try:
            return serialize(result, results_format, rdf_format, self.policy)
        except StoreError as err:  # e.g. a result over the caps
            failure = err.with_traceback(None)
            failure.__context__ = failure.__cause__ = None
        except (OSError, RuntimeError) as err:  # evaluation is lazy: errors surface here
            failure = evaluation_error(err)
        # A pyoxigraph result may only be dropped on the thread that made it: free it here, not
        # wherever the exception's traceback (whose frames hold it) would be dropped.
        del result
        raise failure

    def update(self, request: UpdateRequest) -> None:
        """Apply an update in one transaction (all or nothing)."""
        try:
            sparql = prepare_update(request, self.policy)
            graphs = touched_graphs(sparql)
            before = content(self.store, graphs) if self.journal is not None else set()
            self.store.update(sparql, base_iri=request.base_iri)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err
        except (ValueError, RuntimeError) as err:  # e.g. CLEAR of a graph that does not exist
            raise InvalidRequest(str(err)) from err
        except OSError as err:
            raise StoreError(str(err)) from err
        if self.journal is not None:  # before the client hears 204: the update is never lost
            try:
                self.journal.record(sparql, request.base_iri, effect(before, content(self.store, graphs)))
            except OSError as err:  # applied, not journalled: the next build drops it; say so
                raise StoreError(f"the update was applied but could not be journalled ({err}); "
                                 "it is not accepted and the next build will not have it") from None

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

    def close(self) -> None:
        self.store.flush()
