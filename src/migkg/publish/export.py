"""Serialise graphs and the whole dataset in every format of :mod:`migkg.formats`.

Dataset formats (N-Quads, TriG, JSON-LD) keep the named graphs; graph formats (Turtle, N-Triples,
RDF/XML) hold the union of the chosen graphs. Exports keep the public IRIs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rdflib import Graph

from migkg.formats import RdfFormat, rdf_format
from migkg.namespaces import DISPLAY_PREFIXES
from migkg.stores.base import Backend
from migkg.views.describe import bind_prefixes


class ExportError(ValueError):
    """A graph asked for is not in the dataset."""


def serialize_graph(graph: Graph, fmt: RdfFormat) -> bytes:
    """``graph`` in ``fmt`` with the project's prefixes (compacted JSON-LD with an inline context).

    Dataset formats hold the triples in their default graph.
    """
    bind_prefixes(graph)
    if fmt.suffix == "jsonld":
        text = graph.serialize(format=fmt.rdflib_name, context=dict(DISPLAY_PREFIXES),
                               auto_compact=True, indent=1)
        return text.encode("utf-8")
    return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")


def export_dataset(backend: Backend, fmt: RdfFormat, graphs: Sequence[str] | None = None) -> bytes:
    """The dataset (or only ``graphs``) in ``fmt``.

    Dataset formats keep each named graph; graph formats get the union. Raises :class:`ExportError`
    when a named graph is unknown.
    """
    known = [g.iri for g in backend.graphs()]
    missing = sorted(set(graphs or ()) - set(known))
    if missing:
        raise ExportError(f"unknown graph(s): {', '.join(missing)}")
    if not fmt.is_dataset:
        union = Graph()
        union.parse(data=backend.dump(rdf_format("nt"), graphs=list(graphs or known)),
                    format=rdf_format("nt").rdflib_name)
        return serialize_graph(union, fmt)
    quads: Iterable[ox.Quad] = ox.parse(backend.dump(rdf_format("nq")), format=ox.RdfFormat.N_QUADS)
    if graphs:
        wanted = {ox.NamedNode(g) for g in graphs}
        quads = [q for q in quads if q.graph_name in wanted]
    prefixes = DISPLAY_PREFIXES if fmt.suffix == "trig" else None
    return ox.serialize(quads, format=fmt.oxigraph, prefixes=prefixes) or b""


def dataset_graph_names(data: bytes, fmt: RdfFormat) -> list[str]:
    """The named graphs of a serialised dataset (for checks and tests)."""
    if fmt.suffix == "jsonld":
        doc = json.loads(data)
        return sorted(str(item["@id"]) for item in doc if isinstance(item, dict) and "@graph" in item)
    quads = ox.parse(data, format=fmt.oxigraph)
    return sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
