"""Whole-graph check queries (``queries/checks/*-violation.rq``): they pass when they return no rows.

Each file holds one SPARQL SELECT with a ``#+`` header, e.g.::

    #+ summary: No instrument relates to itself.
    #+ rule: Requirement-02-NoSelfRelation
    #+ tags: check

and selects at least ``?focus`` and ``?message``. They are the fast path for the cross-record rules
that the SHACL shapes also check (cycles, temporal order, containment, claims): one query over the
whole store instead of one SPARQL evaluation per focus node.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

log = logging.getLogger(__name__)

CHECK_SUFFIX = "-violation.rq"


@dataclass(frozen=True)
class CheckQuery:
    """One check query file and its ``#+`` header."""

    name: str
    path: Path
    summary: str
    rule: str | None
    sparql: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """The rows a check returned; it passed when there are none."""

    check: CheckQuery
    rows: tuple[dict[str, str], ...]

    @property
    def passed(self) -> bool:
        """True when the check returned no rows."""
        return not self.rows

    @property
    def focus_nodes(self) -> tuple[str, ...]:
        """The distinct ``?focus`` values, in row order."""
        return tuple(dict.fromkeys(row["focus"] for row in self.rows if "focus" in row))


def parse_header(text: str) -> dict[str, str]:
    """The ``#+ key: value`` lines at the top of a query (keys lower-cased).

    >>> parse_header("#+ summary: Finds things.\\n#+ tags: check, fast\\nSELECT * {}")
    {'summary': 'Finds things.', 'tags': 'check, fast'}
    """
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip():
                break
            continue
        key, _, value = line[2:].partition(":")
        if key.strip():
            header[key.strip().lower()] = value.strip()
    return header


def load_check_query(path: Path) -> CheckQuery:
    """Read one check query file.

    Args:
        path: a ``*-violation.rq`` file.

    Returns:
        The query with its header; ``name`` is the file name without ``.rq``.
    """
    sparql = path.read_text(encoding="utf-8")
    header = parse_header(sparql)
    tags = tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip())
    return CheckQuery(
        name=path.name.removesuffix(".rq"),
        path=path,
        summary=header.get("summary", ""),
        rule=header.get("rule") or None,
        sparql=sparql,
        tags=tags,
    )


def load_check_queries(checks_dir: Path) -> list[CheckQuery]:
    """Read every ``*-violation.rq`` in ``checks_dir``, sorted by name.

    Args:
        checks_dir: the ``queries/checks/`` folder.

    Returns:
        The check queries (empty when the folder is missing).
    """
    return [load_check_query(p) for p in sorted(checks_dir.glob(f"*{CHECK_SUFFIX}"))]


def run_check(store: pyoxigraph.Store, check: CheckQuery) -> CheckResult:
    """Run one check over the union of all graphs of ``store``.

    Raises:
        ValueError: when the query is not a SELECT.
    """
    solutions = store.query(check.sparql, use_default_graph_as_union=True)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise ValueError(f"{check.path}: a check query must be a SELECT")
    names = [variable.value for variable in solutions.variables]
    rows = tuple(_row(names, solution) for solution in solutions)
    log.debug("check %s: %d rows", check.name, len(rows))
    return CheckResult(check=check, rows=rows)


def run_checks(store: pyoxigraph.Store, checks: Sequence[CheckQuery]) -> list[CheckResult]:
    """Run each check over the union of all graphs of ``store`` (data lives in named graphs).

    Args:
        store: the store with the ontology and data loaded.
        checks: the queries, e.g. from :func:`load_check_queries`.

    Returns:
        One result per check, in the given order.
    """
    return [run_check(store, check) for check in checks]


def _row(names: Sequence[str], solution: pyoxigraph.QuerySolution) -> dict[str, str]:
    """A solution as ``{variable: lexical value}``, leaving out unbound variables."""
    row: dict[str, str] = {}
    for name in names:
        term = solution[name]
        if term is not None:
            row[name] = term.value
    return row
