"""The graph explorer's library: pure functions over a :class:`~migkg.stores.base.Backend`.

- :func:`neighbourhood`: the nodes within a few relation hops of an IRI and the edges among them;
- :func:`trace`: everything that realises a commitment or instrument, transitively, banded by level;
- :func:`shortest_paths`: the shortest relation paths between two nodes;
- :func:`search`: label and acronym search (en, fr, es) for suggestions; :func:`commitments`.

Every result is a frozen dataclass with ``to_dict()``; every view respects its :class:`Caps` and says
when one cut it (``truncated``).
"""

from migkg.views.explorer.model import (
    DEFAULT_RELATIONS,
    Band,
    Caps,
    Edge,
    GraphView,
    Node,
    NotFound,
    PathView,
    Suggestion,
    TraceView,
    relations_for,
)
from migkg.views.explorer.search import LabelIndex, commitments, label_index, search
from migkg.views.explorer.walks import neighbourhood, shortest_paths, trace

__all__ = [
    "DEFAULT_RELATIONS",
    "Band",
    "Caps",
    "Edge",
    "GraphView",
    "LabelIndex",
    "Node",
    "NotFound",
    "PathView",
    "Suggestion",
    "TraceView",
    "commitments",
    "label_index",
    "neighbourhood",
    "relations_for",
    "search",
    "shortest_paths",
    "trace",
]
