"""What the explorer returns: nodes, edges and views, as frozen dataclasses.

Every result serialises to JSON with :meth:`to_dict` (plain dicts, lists and strings), so the web
layer hands it to the client unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from migkg.vocabulary import RELATION_BY_KEY, RELATIONS, Evidence, Relation

#: Band of the nodes that have no governance level (actors, places, concepts), below ``local``.
NO_LEVEL_ORDER = 99
#: Band of commitments (GCM objectives, SDG targets): above ``global``.
COMMITMENT_ORDER = 0


#: Followed when the caller names none: all but themes and target groups (hubs that swamp a view).
DEFAULT_RELATIONS: tuple[Relation, ...] = tuple(r for r in RELATIONS if r.group != "concept")


def relations_for(keys: list[str] | None) -> tuple[Relation, ...]:
    """The relations named by ``keys`` (None or empty: :data:`DEFAULT_RELATIONS`).

    Raises:
        ValueError: a key is not a known relation.

    >>> [r.key for r in relations_for(["realises", "localizes"])]
    ['realises', 'localizes']
    """
    if not keys:
        return DEFAULT_RELATIONS
    unknown = [k for k in keys if k not in RELATION_BY_KEY]
    if unknown:
        raise ValueError(f"unknown relation(s): {', '.join(unknown)}")
    return tuple(RELATION_BY_KEY[k] for k in dict.fromkeys(keys))


@dataclass(frozen=True)
class Caps:
    """Limits on the size of a view; a view that hits one says so with ``truncated``."""

    max_nodes: int = 150
    max_edges: int = 400
    max_depth: int = 3
    max_paths: int = 10
    max_visited: int = 2000


@dataclass(frozen=True)
class Cut:
    """What the caps left out of a view: distinct nodes refused by the node cap, edges by the edge cap."""

    nodes: int = 0
    edges: int = 0


@dataclass(frozen=True)
class Node:
    """A resource in a view, with what the page needs to draw it and fill the side panel."""

    id: str
    label: str
    kind: str
    level: str | None = None  # governance-level slug, e.g. "regional"
    level_label: str | None = None
    band: str = "none"  # trace band key: "commitment", a level slug, or "none"
    band_order: int = NO_LEVEL_ORDER
    type: str | None = None  # instrument-type slug, e.g. "declaration"
    type_label: str | None = None
    colour_class: str = "kind-concept"
    acronym: str | None = None
    alt_labels: tuple[str, ...] = ()
    date: str | None = None
    sources: tuple[str, ...] = ()
    depth: int | None = None  # hops from the root of a trace or neighbourhood
    context: bool = False  # in a trace: what a realising instrument itself realises
    # A group node (kind "group") stands for group_size neighbours of group_anchor over
    # group_relation ("in": they point at it), of instrument type group_type, from group_offset on.
    group_size: int = 0
    group_offset: int = 0
    group_anchor: str | None = None
    group_relation: str | None = None
    group_direction: str | None = None
    group_type: str | None = None


@dataclass(frozen=True)
class Edge:
    """A relation between two nodes, with the claims that back it.

    ``unverified``: the relation is not asserted; an unverified claim is all that supports it
    (data/README.md, "Verified means verified"), and the explorer draws it as such.
    """

    source: str
    target: str
    relation: str
    label: str
    group: str
    evidence: tuple[Evidence[str], ...] = ()
    unverified: bool = False

    @property
    def id(self) -> str:
        return f"{self.source} {self.relation} {self.target}"


@dataclass(frozen=True)
class Band:
    """A horizontal band of the trace view."""

    key: str
    label: str
    order: int


def _edge_dict(edge: Edge) -> dict[str, Any]:
    return {"id": edge.id, **asdict(edge)}


@dataclass(frozen=True)
class GraphView:
    """A neighbourhood (or any set of nodes and edges) and whether a cap cut it."""

    root: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    truncated: bool = False
    caps: Caps = field(default_factory=Caps)
    cut: Cut = field(default_factory=Cut)

    def to_dict(self) -> dict[str, Any]:
        """The view as JSON-ready data."""
        return {
            "root": self.root,
            "nodes": [asdict(n) for n in self.nodes],
            "edges": [_edge_dict(e) for e in self.edges],
            "truncated": self.truncated,
            "caps": asdict(self.caps),
            "cut": asdict(self.cut),
        }


@dataclass(frozen=True)
class TraceView:
    """Everything that realises ``root``, transitively, with the bands it falls into."""

    root: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    bands: tuple[Band, ...]
    truncated: bool = False
    caps: Caps = field(default_factory=Caps)
    cut: Cut = field(default_factory=Cut)

    def to_dict(self) -> dict[str, Any]:
        """The trace as JSON-ready data."""
        data = GraphView(self.root, self.nodes, self.edges, self.truncated, self.caps, self.cut).to_dict()
        data["bands"] = [asdict(b) for b in self.bands]
        return data


@dataclass(frozen=True)
class PathView:
    """The shortest relation paths between two nodes (each a list of node ids, source first)."""

    source: str
    target: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    paths: tuple[tuple[str, ...], ...]
    truncated: bool = False
    caps: Caps = field(default_factory=Caps)
    cut: Cut = field(default_factory=Cut)

    def to_dict(self) -> dict[str, Any]:
        """The paths as JSON-ready data."""
        data = GraphView(self.source, self.nodes, self.edges, self.truncated, self.caps, self.cut).to_dict()
        data.update(source=self.source, target=self.target, paths=[list(p) for p in self.paths])
        data["length"] = len(self.paths[0]) - 1 if self.paths else None
        return data


@dataclass(frozen=True)
class Suggestion:
    """A search hit: the node, the label that matched and its language."""

    id: str
    label: str
    kind: str
    matched: str
    lang: str | None
    level: str | None = None
    acronym: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The hit as JSON-ready data."""
        return asdict(self)


class NotFound(LookupError):
    """The IRI is not described in the store."""
