"""Query results for people: a text table of a SELECT or a graph, and rendering for ``migkg query``."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph

from migkg.catalogue.queries import CatalogueQuery
from migkg.formats import rdf_format, results_format
from migkg.namespaces import DISPLAY_PREFIXES
from migkg.stores.base import Backend, QueryRequest, QuerySyntaxError

GRAPH_FORMATS = ("ttl",)


@dataclass(frozen=True)
class ResultTable:
    """A SELECT result as text cells: variables in projection order, one tuple per row."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _cell(binding: Mapping[str, str] | None) -> str:
    if binding is None:
        return ""
    if binding.get("type") == "uri":
        return binding["value"]
    if binding.get("type") == "bnode":
        return "_:" + binding["value"]
    return binding.get("value", "")


def table_from_json(body: bytes) -> ResultTable:
    """The :class:`ResultTable` of a SPARQL JSON result (an ASK gives one ``boolean`` column).

    >>> body = b'{"head":{"vars":["a","b"]},"results":{"bindings":[{"a":{"type":"literal","value":"x"}}]}}'
    >>> table_from_json(body)
    ResultTable(variables=('a', 'b'), rows=(('x', ''),))
    """
    data = json.loads(body)
    if "boolean" in data:
        return ResultTable(("boolean",), ((str(bool(data["boolean"])).lower(),),))
    variables = tuple(data["head"].get("vars", []))
    rows = tuple(
        tuple(_cell(solution.get(name)) for name in variables)
        for solution in data["results"]["bindings"]
    )
    return ResultTable(variables, rows)


def compact(value: str, prefixes: Mapping[str, str]) -> str:
    """``value`` as a prefixed name when one of ``prefixes`` covers it and the rest is simple.

    >>> compact("https://w3id.org/migkg/gcm/objective/23", {"gcmo": "https://w3id.org/migkg/gcm/objective/"})
    'gcmo:23'
    """
    for prefix, namespace in sorted(prefixes.items(), key=lambda item: -len(item[1])):
        rest = value[len(namespace):]
        if namespace and value.startswith(namespace) and re.fullmatch(r"[\w.\-]*", rest):
            return f"{prefix}:{rest}"
    return value


def format_table(table: ResultTable, prefixes: Mapping[str, str] | None = None) -> str:
    """A plain-text table with aligned columns, IRIs shortened with ``prefixes``.

    >>> print(format_table(ResultTable(("n", "label"), (("1", "One"), ("22", "Two")))))
    n   label
    --  -----
    1   One
    22  Two
    """
    cells = [[compact(c, prefixes or {}) for c in row] for row in table.rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(table.variables)]
    lines = [table.variables, tuple("-" * w for w in widths), *cells]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def graph_table(graph: Graph) -> ResultTable:
    """A graph as a subject / predicate / object table, sorted."""
    rows = sorted(tuple(str(term) for term in triple) for triple in graph)
    return ResultTable(("subject", "predicate", "object"), tuple(rows))


def render_result(backend: Backend, query: CatalogueQuery, request: QueryRequest, fmt: str) -> bytes:
    """Run ``request`` and serialise it as ``fmt``: ``table``, ``csv``/``tsv``/``json`` (SELECT, ASK)
    or ``ttl`` (CONSTRUCT, DESCRIBE).

    Raises:
        QuerySyntaxError: the format does not fit the query form (or the query does not parse).
    """
    graph = query.form is not None and query.form.returns_graph
    if fmt == "table":
        if graph:
            table = graph_table(backend.construct(request))
        else:
            body = backend.execute(request, results_format=results_format("json"),
                                   rdf_format=rdf_format("ttl")).body
            table = table_from_json(body)
        return (format_table(table, {**DISPLAY_PREFIXES, **query.prefixes}) + "\n").encode()
    if graph != (fmt in GRAPH_FORMATS):
        wanted = "ttl or table" if graph else "table, csv, tsv or json"
        raise QuerySyntaxError(f"format {fmt!r} does not fit a {query.form.value if query.form else '?'}"
                               f" query; use {wanted}")
    result = backend.execute(request, results_format=results_format("json" if graph else fmt),
                             rdf_format=rdf_format(fmt if graph else "ttl"))
    return result.body
