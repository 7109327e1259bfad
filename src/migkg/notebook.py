"""Run catalogue queries (or any SPARQL) from Python and a notebook: rows of typed values, DataFrames.

The bundled graph is built in memory from the project's ``ontology/``, ``data/`` and ``shapes/`` the
first time it is queried (a few seconds) and kept for later calls; ``endpoint=`` sends the query to
a SPARQL 1.1 endpoint instead (through SPARQLWrapper, as ``migkg query --endpoint`` does)::

    from migkg.notebook import run

    rows = run("commitment-traceability", params={"commitment": "gcmo:23"})
    rows.variables             # ('instrument', 'label', ...), in the query's projection order
    rows[0]["instrument"]      # an rdflib URIRef (a str)
    rows.to_dataframe()        # a pandas DataFrame, when pandas is installed
    run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", endpoint="http://127.0.0.1:7878/query")

A catalogue query is named as ``migkg query`` names it (``07-commitment-traceability``, its slug or
its number); its parameters are typed by its ``#+ param:`` header, parsed from text (``"gcmo:23"``,
``"2018"``) or given as rdflib terms, and bound as substitutions, never pasted into the text. Any
other text is a SPARQL query; its ``params`` bind variables of its projection to rdflib terms or Python values
(``str`` → plain literal, ``int`` → ``xsd:integer``, ...; pass ``URIRef`` for an IRI).

Values come back typed (:func:`python_value`): IRIs as :class:`rdflib.URIRef` (a ``str``),
``xsd:integer`` as ``int``, ``xsd:decimal`` as ``Decimal``, ``xsd:date`` as ``datetime.date``,
``xsd:gYear`` as ``int``, booleans as ``bool``, other literals as ``str``; the rdflib terms stay
available as :attr:`Rows.terms`. pandas is optional: :meth:`Rows.to_dataframe` imports it when
called (``pip install 'migkg[notebook]'``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast, overload

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from migkg.catalogue.queries import (
    CatalogueError,
    CatalogueQuery,
    find_query,
    load_catalogue,
    load_query_file,
)
from migkg.config import Settings
from migkg.formats import rdf_format, results_format
from migkg.stores.base import Backend, QueryForm, QueryRequest, Row, query_form
from migkg.stores.terms import solutions_to_rows

Value = URIRef | BNode | str | int | float | Decimal | bool | date | datetime
ParamValue = str | int | float | Decimal | bool | date | Identifier

_PACKAGE_CHECKOUT = Path(__file__).resolve().parents[2]


class NotebookError(ValueError):
    """A query that cannot be found or run as asked (the message says why)."""


@dataclass(frozen=True)
class Rows(Sequence[dict[str, Value]]):
    """The result of :func:`run`: one ``dict`` of typed values per solution, variables in order.

    ASK gives one row ``{"boolean": True|False}``; CONSTRUCT and DESCRIBE give one row per triple
    (``subject``, ``predicate``, ``object``) and the graph itself as :attr:`graph`.
    """

    variables: tuple[str, ...]
    terms: tuple[Row, ...]
    graph: Graph | None = field(default=None, compare=False)

    @overload
    def __getitem__(self, index: int) -> dict[str, Value]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Value]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Value] | list[dict[str, Value]]:
        if isinstance(index, slice):
            return [_typed(row) for row in self.terms[index]]
        return _typed(self.terms[index])

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[dict[str, Value]]:
        return (_typed(row) for row in self.terms)

    def column(self, name: str) -> list[Value | None]:
        """The values of variable ``name``, ``None`` where it is unbound.

        >>> Rows(("n",), ({"n": Literal(1)}, {})).column("n")
        [1, None]
        """
        if name not in self.variables:
            raise KeyError(f"no variable {name!r}; variables: {', '.join(self.variables)}")
        return [python_value(row[name]) if name in row else None for row in self.terms]

    def to_dataframe(self) -> Any:
        """A pandas ``DataFrame`` with one column per variable (unbound cells are ``None``).

        Raises:
            ImportError: pandas is not installed (it is optional: ``pip install 'migkg[notebook]'``).
        """
        try:
            import pandas as pd
        except ImportError as err:
            raise ImportError("Rows.to_dataframe needs pandas, which migkg does not install by "
                              "default: pip install 'migkg[notebook]' (or pandas)") from err
        return pd.DataFrame({name: self.column(name) for name in self.variables},
                            columns=list(self.variables))


def python_value(term: Identifier) -> Value:
    """The Python value of an RDF term, as :class:`Rows` gives it.

    >>> python_value(Literal("2018", datatype=XSD.gYear))
    2018
    >>> python_value(Literal("2013-03-19", datatype=XSD.date))
    datetime.date(2013, 3, 19)
    >>> python_value(Literal("salud", lang="es"))
    'salud'
    >>> python_value(URIRef("https://w3id.org/migkg/gcm/objective/23"))
    rdflib.term.URIRef('https://w3id.org/migkg/gcm/objective/23')
    """
    if isinstance(term, URIRef | BNode):
        return term
    if not isinstance(term, Literal):
        return str(term)
    if term.datatype == XSD.gYear and str(term).lstrip("-").isdigit():
        return int(str(term))
    value = term.toPython()
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    return str(term)


def _typed(row: Row) -> dict[str, Value]:
    return {name: python_value(term) for name, term in row.items()}


# --- finding the project and the query -----------------------------------------------------------------


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest folder at or above ``start`` (default: the working directory)
    holding ``ontology/``, ``data/`` and ``queries/cq/``, else the checkout migkg is installed from.

    Raises:
        NotebookError: no such folder (name one with ``root=``).
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents, _PACKAGE_CHECKOUT):
        if all((folder / part).is_dir() for part in ("ontology", "data", "queries/cq")):
            return folder
    raise NotebookError(f"no migkg project (ontology/, data/, queries/cq/) at or above {here}; "
                        "pass root=")


@cache
def _catalogue(root: Path) -> dict[str, CatalogueQuery]:
    return load_catalogue(root / "queries" / "cq")


@cache
def _bundled(root: Path) -> Backend:
    from migkg.build import memory_backend

    return memory_backend(Settings(root_dir=root))


def _remote(endpoint: str) -> Backend:
    from migkg.stores.sparql_client import EndpointBackend

    return EndpointBackend(endpoint)


def resolve(query_or_id: str, root: Path) -> CatalogueQuery | None:
    """The catalogue query (or ``.rq`` file) named by ``query_or_id``; None when it is SPARQL text.

    Raises:
        NotebookError: it is neither SPARQL nor a file nor a catalogue query.
    """
    if query_form(query_or_id) is not None:
        return None
    text = query_or_id.strip()
    if text.endswith(".rq"):
        path = Path(text)
        if not path.is_file():
            raise NotebookError(f"no such query file: {text}")
        return load_query_file(path)
    found = find_query(_catalogue(root), text)
    if found is None:
        known = ", ".join(q.name for q in _catalogue(root).values())
        raise NotebookError(f"{text!r} is neither a SPARQL query nor a catalogue query ({known})")
    return found


def request_for(query_or_id: str, params: Mapping[str, ParamValue] | None, root: Path) -> QueryRequest:
    """The request running ``query_or_id`` with ``params`` bound (see the module documentation).

    Raises:
        NotebookError: unknown query; migkg.catalogue.queries.ParameterError: a parameter that does not fit.
    """
    values = dict(params or {})
    chosen = resolve(query_or_id, root)
    if chosen is None:
        return QueryRequest(query_or_id, bindings={n: _term(v) for n, v in values.items()})
    given = {n: v for n, v in values.items() if isinstance(v, Identifier)}
    for name in given:
        chosen.param(name)  # raises UnknownParameter naming it
    bindings = chosen.bind({n: _text(v) for n, v in values.items() if n not in given})
    return QueryRequest(chosen.sparql, bindings={**bindings, **given})


def _term(value: ParamValue) -> Identifier:
    return value if isinstance(value, Identifier) else Literal(value)


def _text(value: ParamValue) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return value.isoformat() if isinstance(value, date) else str(value)


# --- running ------------------------------------------------------------------------------------------


def run(
    query_or_id: str,
    params: Mapping[str, ParamValue] | None = None,
    endpoint: str | None = None,
    *,
    root: Path | str | None = None,
    timeout_s: float | None = None,
) -> Rows:
    """Run a catalogue query or SPARQL text against the bundled graph or ``endpoint``.

    Args:
        query_or_id: a catalogue query name (``07-commitment-traceability``, its slug or number), a
            ``.rq`` file, or SPARQL text.
        params: parameter values (see the module documentation).
        endpoint: a SPARQL 1.1 query URL; None queries the bundled graph built in memory.
        root: the project folder (default: found by :func:`find_root`).
        timeout_s: stop the query after this long (remote endpoints; the embedded store cannot).

    Returns:
        the rows, typed (:class:`Rows`).

    Raises:
        NotebookError: the query cannot be found.
        migkg.catalogue.queries.ParameterError: a parameter the query does not declare or a value that does
            not parse as its type.
        migkg.stores.base.StoreError: the store refused or failed (syntax errors are
            ``QuerySyntaxError`` with the parser's message).
    """
    folder = Path(root).resolve() if root is not None else find_root()
    try:
        request = request_for(query_or_id, params, folder)
    except CatalogueError as err:
        raise NotebookError(str(err)) from err
    backend = _remote(endpoint) if endpoint else _bundled(folder)
    try:
        return execute(backend, request, timeout_s=timeout_s)
    finally:
        if endpoint:
            backend.close()


def execute(backend: Backend, request: QueryRequest, *, timeout_s: float | None = None) -> Rows:
    """Run ``request`` on ``backend`` and read the answer into :class:`Rows`."""
    form = query_form(request.sparql)
    if form is not None and form.returns_graph:
        graph = backend.construct(request, timeout_s=timeout_s)
        triples = sorted(graph, key=lambda t: tuple(str(x) for x in t))
        rows = tuple(cast(Row, {"subject": s, "predicate": p, "object": o}) for s, p, o in triples)
        return Rows(("subject", "predicate", "object"), rows, graph)
    if form is QueryForm.ASK:
        return Rows(("boolean",), ({"boolean": Literal(backend.ask(request, timeout_s=timeout_s))},))
    result = backend.execute(request, results_format=results_format("json"),
                             rdf_format=rdf_format("ttl"), timeout_s=timeout_s)
    return rows_from_json(result.body)


def rows_from_json(body: bytes) -> Rows:
    """:class:`Rows` from a SPARQL 1.1 JSON result (SELECT or ASK), terms read as the store reads them.

    >>> body = b'{"head":{"vars":["n","x"]},"results":{"bindings":[{"n":{"type":"literal",'
    >>> body += b'"value":"3","datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}'
    >>> list(rows_from_json(body))
    [{'n': 3}]
    """
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return Rows(("boolean",), ({"boolean": Literal(bool(parsed))},))
    variables = tuple(v.value for v in parsed.variables)
    return Rows(variables, tuple(solutions_to_rows(parsed)))
