"""Pushing a graph by SPARQL Update, for stores without the Graph Store Protocol.

A graph is written in bounded batches into a staging graph, then moved over the real one in one last
request (``DROP SILENT GRAPH`` + ``MOVE``). Until that request the real graph is untouched, so a failure
mid-graph leaves it, and every other graph, as it was; the staging graph is dropped (or, if the store
is gone, replaced at the next push).

Batches use ``INSERT { GRAPH … } WHERE {}`` rather than ``INSERT DATA``: Virtuoso refuses blank nodes
in ``INSERT DATA``. A blank node is one node only within one request, so all triples connected through
blank nodes go into the same batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from itertools import pairwise

import httpx
import pyoxigraph as ox

from migkg.stores.base import StoreError
from migkg.stores.graph_store import post_update

log = logging.getLogger(__name__)

STAGING_PREFIX = "urn:migkg:push-staging:"
DEFAULT_BATCH = 500


def staging_graph(iri: str) -> str:
    """The staging graph used while ``iri`` is written (outside the dataset's graph namespace).

    >>> staging_graph("https://w3id.org/migkg/graph/ontology/migkg")
    'urn:migkg:push-staging:https://w3id.org/migkg/graph/ontology/migkg'
    """
    return STAGING_PREFIX + iri


def blank_node_groups(triples: Sequence[ox.Triple]) -> list[list[ox.Triple]]:
    """``triples`` split into groups that share no blank node (triples without one stand alone).

    >>> a, b, c = ox.BlankNode("a"), ox.BlankNode("b"), ox.NamedNode("http://c")
    >>> p = ox.NamedNode("http://p")
    >>> [len(g) for g in blank_node_groups([ox.Triple(c, p, a), ox.Triple(a, p, b), ox.Triple(c, p, c)])]
    [2, 1]
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        nodes = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        for first, second in pairwise(nodes):
            parent[find(first)] = find(second)
    groups: dict[str, list[ox.Triple]] = {}
    alone: list[list[ox.Triple]] = []
    for triple in triples:
        blank = next((t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)), None)
        if blank is None:
            alone.append([triple])
        else:
            groups.setdefault(find(blank), []).append(triple)
    return list(groups.values()) + alone


def batches(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Batches of about ``size`` triples; a blank-node group is never split (it may exceed ``size``).

    >>> n = ox.NamedNode("http://n")
    >>> [len(b) for b in batches([ox.Triple(n, n, ox.Literal(str(i))) for i in range(5)], 2)]
    [2, 2, 1]
    """
    batch: list[ox.Triple] = []
    for group in blank_node_groups(triples):
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def insert_text(graph: str, triples: Sequence[ox.Triple]) -> str:
    """An ``INSERT … WHERE {}`` of ``triples`` into ``graph`` (terms written by pyoxigraph)."""
    body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    return f"INSERT {{ GRAPH {ox.NamedNode(graph)} {{\n{body}\n}} }} WHERE {{}}"


class UpdateWriter:
    """Replaces graphs with SPARQL Update requests of at most ``batch_size`` triples each."""

    method = "sparql-update"

    def __init__(self, client: httpx.Client, update_url: str, batch_size: int = DEFAULT_BATCH) -> None:
        self.client = client
        self.update_url = update_url
        self.batch_size = batch_size

    def _send(self, update: str, what: str) -> None:
        post_update(self.client, self.update_url, {"update": update}, what)

    def replace(self, iri: str, triples: Sequence[ox.Triple]) -> None:
        """Write ``triples`` into the staging graph, then move it over ``iri``."""
        staging = ox.NamedNode(staging_graph(iri))
        target = ox.NamedNode(iri)
        self._send(f"DROP SILENT GRAPH {staging}", f"clear staging graph for <{iri}>")
        try:
            for number, batch in enumerate(batches(triples, self.batch_size), start=1):
                self._send(insert_text(staging.value, batch), f"batch {number} of graph <{iri}>")
            self._send(f"DROP SILENT GRAPH {target} ;\nMOVE SILENT GRAPH {staging} TO GRAPH {target}",
                       f"replace graph <{iri}>")
        except StoreError:
            self._drop_quietly(staging)
            raise

    def _drop_quietly(self, staging: ox.NamedNode) -> None:
        try:
            self._send(f"DROP SILENT GRAPH {staging}", "drop staging graph")
        except StoreError as err:
            log.warning("could not drop %s (the next push replaces it): %s", staging.value, err)

    def drop(self, iri: str) -> None:
        """Remove ``iri`` (no error when absent)."""
        self._send(f"DROP SILENT GRAPH {ox.NamedNode(iri)}", f"drop graph <{iri}>")
