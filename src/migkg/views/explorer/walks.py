"""The three views of the explorer: neighbourhood, trace and shortest paths.

Each walks the relation edges breadth first, one bound query per visited node, and stops at the
caps; a view that stopped early says so with ``truncated``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise

from migkg.stores.base import Backend
from migkg.views.explorer.fetch import Triple, adjacent, make_edges, node_details
from migkg.views.explorer.groups import group_edge, group_node, partition
from migkg.views.explorer.model import (
    DEFAULT_RELATIONS,
    Band,
    Caps,
    Cut,
    Edge,
    GraphView,
    Node,
    NotFound,
    PathView,
    TraceView,
)
from migkg.vocabulary import RELATION_BY_KEY, TRACE_RELATIONS, Relation

#: Edges to commitments: not followed outwards from the members (other commitments would swamp the top band).
_TO_COMMITMENT = {RELATION_BY_KEY["contributesTo"].iri, RELATION_BY_KEY["listedUnder"].iri}


class _Collector:
    """Nodes and triples of a view under construction, enforcing the caps."""

    def __init__(self, backend: Backend, caps: Caps) -> None:
        self.backend = backend
        self.caps = caps
        self.nodes: dict[str, Node] = {}
        self.triples: set[Triple] = set()
        self.truncated = False
        self.refused_nodes: set[str] = set()
        self.refused_triples: set[Triple] = set()

    @property
    def cut(self) -> Cut:
        """What the caps refused so far (each node or edge counted once)."""
        return Cut(len(self.refused_nodes - self.nodes.keys()), len(self.refused_triples))

    def add_node(self, iri: str, **extra: object) -> bool:
        """Add ``iri`` as a node unless present; False when the node cap (or an empty IRI) refused it."""
        if iri in self.nodes:
            return True
        if len(self.nodes) >= self.caps.max_nodes:
            self.truncated = True
            self.refused_nodes.add(iri)
            return False
        node = node_details(self.backend, iri)
        if node is None:
            return False
        self.nodes[iri] = dataclasses.replace(node, **extra) if extra else node  # type: ignore[arg-type]
        return True

    def add_triple(self, triple: Triple) -> None:
        """Keep ``triple`` if both ends are nodes and the edge cap allows it."""
        if triple in self.triples or not {triple.subject, triple.object} <= self.nodes.keys():
            return
        if len(self.triples) >= self.caps.max_edges:
            self.truncated = True
            self.refused_triples.add(triple)
            return
        self.triples.add(triple)

    def add_group(self, node: Node) -> bool:
        """Add a group node (already built) unless the node cap refuses it."""
        if node.id in self.nodes:
            return True
        if len(self.nodes) >= self.caps.max_nodes:
            self.truncated = True
            self.refused_nodes.add(node.id)
            return False
        self.nodes[node.id] = node
        return True

    def sorted_nodes(self) -> tuple[Node, ...]:
        return tuple(sorted(self.nodes.values(), key=lambda n: (n.band_order, n.label, n.id)))


def _root(collector: _Collector, iri: str) -> None:
    if not collector.add_node(iri, depth=0):
        raise NotFound(iri)


def neighbourhood(
    backend: Backend,
    iri: str,
    depth: int = 1,
    relations: Iterable[Relation] = DEFAULT_RELATIONS,
    caps: Caps | None = None,
) -> GraphView:
    """The nodes within ``depth`` relation hops of ``iri`` (either direction) and the edges among them.

    Raises:
        NotFound: the store says nothing about ``iri``.
        ValueError: ``depth`` is below 0 or above ``caps.max_depth``.
    """
    caps = caps or Caps()
    if not 0 <= depth <= caps.max_depth:
        raise ValueError(f"depth must be between 0 and {caps.max_depth}")
    relations = tuple(relations)
    view = _Collector(backend, caps)
    _root(view, iri)
    frontier = [iri]
    group_edges: list[Edge] = []
    for hop in range(1, depth + 1):
        following: list[str] = []
        for current in frontier:
            single, groups, labels = partition(backend, current, adjacent(backend, current, relations),
                                               set(view.nodes))
            for triple in single:
                other = triple.other(current)
                is_new = other not in view.nodes
                if view.add_node(other, depth=hop) and is_new:
                    following.append(other)
                view.add_triple(triple)
            for key, members in groups.items():
                if view.add_group(group_node(key, members, labels[key], hop)):
                    group_edges.append(group_edge(key))
        frontier = following
    _close_edges(view, frontier, relations)
    edges = make_edges(backend, view.triples) + tuple(group_edges)
    return GraphView(iri, view.sorted_nodes(), edges, view.truncated, caps, view.cut)


def _close_edges(view: _Collector, frontier: list[str], relations: tuple[Relation, ...]) -> None:
    """Add the edges among the outermost nodes, which the walk did not expand."""
    for current in frontier:
        for triple in adjacent(view.backend, current, relations):
            if triple.other(current) in view.nodes:
                view.add_triple(triple)


def trace(backend: Backend, iri: str, caps: Caps | None = None) -> TraceView:
    """Everything that realises ``iri`` transitively, banded by governance level.

    Followed inwards: realises, implements, localizes, facilitates implementation of and contributes
    to (the relations that give effect to a commitment or instrument). The instruments that the
    members themselves realise are added as context (``context=True``) so that chains read whole;
    other commitments they contribute to are not.

    Raises:
        NotFound: the store says nothing about ``iri``.
    """
    caps = caps or Caps()
    view = _Collector(backend, caps)
    _root(view, iri)
    queue, outward = [iri], []
    # A GCM objective's lettered actions (skos:broader) that something contributes to are traced too:
    # what contributes to an action contributes to its objective.
    for action in _contributed_narrower(backend, iri):
        if view.add_node(action, depth=0):
            queue.append(action)
    while queue:
        current = queue.pop(0)
        depth = (view.nodes[current].depth or 0) + 1
        for triple in adjacent(backend, current, TRACE_RELATIONS):
            if triple.object != current:
                if triple.predicate not in _TO_COMMITMENT:  # other commitments would swamp the top band
                    outward.append(triple)
            elif triple.subject not in view.nodes and view.add_node(triple.subject, depth=depth):
                queue.append(triple.subject)
            view.add_triple(triple)
    for triple in outward:
        if triple.object not in view.nodes:
            view.add_node(triple.object, context=True)
        view.add_triple(triple)
    nodes = view.sorted_nodes()
    return TraceView(iri, nodes, make_edges(backend, view.triples), _bands(nodes), view.truncated, caps,
                     view.cut)


_NARROWER = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mig: <https://w3id.org/migkg/ontology#>
SELECT DISTINCT ?it ?narrower WHERE {
  ?narrower skos:broader+ ?it .
  FILTER EXISTS { ?x mig:contributesTo|mig:listedUnder ?narrower }
} ORDER BY ?narrower"""


def _contributed_narrower(backend: Backend, iri: str) -> list[str]:
    """The narrower commitments of ``iri`` (e.g. an objective's actions) that something is tied to."""
    from rdflib import URIRef

    from migkg.stores.base import QueryRequest

    rows = backend.select(QueryRequest(_NARROWER, bindings={"it": URIRef(iri)}))
    return [str(r["narrower"]) for r in rows if "narrower" in r]


def _bands(nodes: Iterable[Node]) -> tuple[Band, ...]:
    labels = {"commitment": "Commitments (GCM objectives, SDG targets)", "none": "No governance level"}
    bands = {n.band: Band(n.band, labels.get(n.band) or n.level_label or n.band, n.band_order) for n in nodes}
    return tuple(sorted(bands.values(), key=lambda b: (b.order, b.key)))


def shortest_paths(
    backend: Backend,
    source: str,
    target: str,
    relations: Iterable[Relation] = DEFAULT_RELATIONS,
    caps: Caps | None = None,
) -> PathView:
    """The shortest paths from ``source`` to ``target`` over relation edges taken in either direction.

    At most ``caps.max_paths`` paths of at most ``caps.max_depth * 2`` hops, visiting at most
    ``caps.max_visited`` nodes; no path is an empty result, not an error.

    Raises:
        NotFound: the store says nothing about ``source`` or ``target``.
    """
    caps = caps or Caps()
    view = _Collector(backend, caps)
    _root(view, source)
    if not view.add_node(target):
        raise NotFound(target)
    parents, truncated = _bfs(backend, source, target, tuple(relations), caps)
    paths = _unwind(parents, source, target, caps.max_paths + 1)
    truncated = truncated or len(paths) > caps.max_paths
    paths = paths[: caps.max_paths]
    steps = {(a, b) for path in paths for a, b in pairwise(path)}
    for path in paths:
        for iri in path:
            view.add_node(iri)
    for (a, b), triples in parents.items():
        if (b, a) in steps:
            for triple in triples:
                view.add_triple(triple)
    edges = make_edges(backend, view.triples)
    tuples = tuple(tuple(p) for p in paths)
    return PathView(source, target, view.sorted_nodes(), edges, tuples, truncated or view.truncated, caps,
                    view.cut)


_Parents = dict[tuple[str, str], list[Triple]]  # (node, parent) -> triples joining them


def _bfs(
    backend: Backend, source: str, target: str, relations: tuple[Relation, ...], caps: Caps
) -> tuple[_Parents, bool]:
    dist = {source: 0}
    parents: _Parents = defaultdict(list)
    frontier, truncated = [source], False
    for hop in range(1, caps.max_depth * 2 + 1):
        if target in dist or not frontier:
            break
        following: list[str] = []
        for current in frontier:
            for triple in adjacent(backend, current, relations):
                other = triple.other(current)
                if other not in dist:
                    if len(dist) >= caps.max_visited:
                        truncated = True
                        continue
                    dist[other] = hop
                    following.append(other)
                if dist[other] == hop:
                    parents[(other, current)].append(triple)
        frontier = following
    else:
        truncated = truncated or (target not in dist and bool(frontier))
    return parents, truncated


def _unwind(parents: _Parents, source: str, target: str, limit: int) -> list[list[str]]:
    back: dict[str, list[str]] = defaultdict(list)
    for node, parent in sorted(parents):
        back[node].append(parent)
    paths: list[list[str]] = []

    def walk(node: str, suffix: list[str]) -> None:
        if len(paths) >= limit:
            return
        if node == source:
            paths.append([source, *suffix])
            return
        for parent in back[node]:
            walk(parent, [node, *suffix])

    if source == target:
        return [[source]]
    walk(target, [])
    return paths
