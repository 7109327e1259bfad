"""Large fan-outs as group nodes: "57 × Treaty or convention" instead of 57 nodes, opened on demand.

When a node of a neighbourhood has more than :data:`GROUP_AT` neighbours over one relation in one
direction, those of one instrument type (or kind) become one group node, linked to the node by
that relation. :func:`open_group` returns the group's members a page at a time, and a smaller group
for the rest, so a state's neighbourhood stays readable and nothing is hidden: every group says how
many it holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from migkg.stores.base import Backend, QueryRequest
from migkg.views.explorer.fetch import PREFIXES, Triple, adjacent, make_edges, node_details
from migkg.views.explorer.model import Caps, Edge, GraphView, Node
from migkg.vocabulary import RELATION_BY_IRI, RELATION_BY_KEY

#: A relation with more neighbours than this (in one direction, of one type) is drawn as a group.
GROUP_AT = 12
OTHER = "other"

_TYPES = PREFIXES + """
SELECT ?o ?t ?l WHERE {
  VALUES ?o { %s }
  OPTIONAL { ?o mig:instrumentType|org:classification ?t
             OPTIONAL { ?t skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "en")) } }
}"""


@dataclass(frozen=True)
class GroupKey:
    """Which neighbours a group holds: those of ``anchor`` over ``relation`` in ``direction``, of ``type``."""

    anchor: str
    relation: str  # relation key, e.g. "party"
    direction: str  # "in": the members point at the anchor; "out": the anchor points at them
    type: str  # instrument-type IRI, or OTHER

    @property
    def id(self) -> str:
        """The group node's id (not an IRI of the data: it starts with ``group:``)."""
        return f"group:{self.anchor}|{self.relation}|{self.direction}|{self.type}"


def _types(backend: Backend, iris: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each IRI's instrument type and its label (``OTHER`` when it has none)."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(iris), 400):
        chunk = " ".join(str(ox.NamedNode(i)) for i in iris[start:start + 400])
        for row in backend.select(QueryRequest(_TYPES % chunk)):
            iri = str(row["o"])
            if "t" in row and (iri not in found or found[iri][0] == OTHER):
                found[iri] = (str(row["t"]), str(row.get("l", row["t"])))
            found.setdefault(iri, (OTHER, ""))
    return found


def partition(backend: Backend, anchor: str, triples: Iterable[Triple],
              known: set[str]) -> tuple[list[Triple], dict[GroupKey, list[str]], dict[GroupKey, str]]:
    """Split the triples of ``anchor`` into those drawn one by one and groups of members.

    Neighbours already in the view (``known``) are always drawn one by one.
    """
    by_relation: dict[tuple[str, str], list[Triple]] = defaultdict(list)
    single: list[Triple] = []
    for triple in triples:
        other = triple.other(anchor)
        if other in known:
            single.append(triple)
        else:
            direction = "out" if triple.subject == anchor else "in"
            by_relation[(triple.predicate, direction)].append(triple)
    groups: dict[GroupKey, list[str]] = {}
    labels: dict[GroupKey, str] = {}
    for (predicate, direction), found in sorted(by_relation.items()):
        if len(found) <= GROUP_AT:
            single += found
            continue
        types = _types(backend, sorted({t.other(anchor) for t in found}))
        by_type: dict[tuple[str, str], list[Triple]] = defaultdict(list)
        for triple in found:
            by_type[types.get(triple.other(anchor), (OTHER, ""))].append(triple)
        for (type_iri, type_label), members in sorted(by_type.items()):
            if len(members) <= GROUP_AT:
                single += members
                continue
            key = GroupKey(anchor, RELATION_BY_IRI[predicate].key, direction, type_iri)
            groups[key] = sorted(t.other(anchor) for t in members)
            labels[key] = type_label or "related resources"
    return single, groups, labels


def group_node(key: GroupKey, members: Sequence[str], label: str, depth: int, offset: int = 0) -> Node:
    """The node standing for ``members`` (from ``offset`` on)."""
    count = len(members) - offset
    more = "more " if offset else ""
    return Node(id=key.id, label=f"{count} {more}× {label}", kind="group", depth=depth,
                colour_class="kind-group", group_size=count, group_offset=offset,
                group_anchor=key.anchor, group_relation=key.relation, group_direction=key.direction,
                group_type=key.type)


def group_edge(key: GroupKey) -> Edge:
    """The edge between the anchor and its group, in the relation's direction."""
    relation = RELATION_BY_KEY[key.relation]
    source, target = (key.id, key.anchor) if key.direction == "in" else (key.anchor, key.id)
    return Edge(source, target, relation.key, relation.label, relation.group)


def open_group(backend: Backend, key: GroupKey, offset: int = 0, caps: Caps | None = None,
               languages: Sequence[str] = ("en",)) -> GraphView:
    """The members of a group from ``offset`` (at most ``caps.max_nodes - 2``), their edges to the
    anchor, and a group node for the rest; ``truncated`` when some are left for later.

    Raises:
        KeyError: the relation key is unknown. ValueError: the offset is negative.
    """
    caps = caps or Caps()
    if offset < 0:
        raise ValueError("offset must be 0 or more")
    relation = RELATION_BY_KEY[key.relation]
    triples = adjacent(backend, key.anchor, [relation], outgoing=key.direction == "out",
                       incoming=key.direction == "in")
    types = _types(backend, sorted({t.other(key.anchor) for t in triples}))
    members = sorted(t.other(key.anchor) for t in triples
                     if types.get(t.other(key.anchor), (OTHER, ""))[0] == key.type)
    page = members[offset:offset + max(caps.max_nodes - 2, 1)]
    anchor = node_details(backend, key.anchor, languages)
    nodes = [n for n in (node_details(backend, m, languages) for m in page) if n is not None]
    chosen = {n.id for n in nodes}
    edges = list(make_edges(backend, [t for t in triples if t.other(key.anchor) in chosen]))
    rest = offset + len(page)
    if rest < len(members):
        label = next((lbl for t, lbl in types.values() if t == key.type), "")
        nodes.append(group_node(key, members, label or "related resources", 1, rest))
        edges.append(group_edge(key))
    all_nodes = ([anchor] if anchor else []) + nodes
    return GraphView(key.anchor, tuple(all_nodes), tuple(edges), rest < len(members), caps)
