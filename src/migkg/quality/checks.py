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

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from migkg.catalogue.queries import header_entries, load_query_file
from migkg.stores.base import Backend, QueryForm, QueryRequest, query_form

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
    """The ``#+ key: value`` entries at the top of a query, as the catalogue reads them.

    >>> parse_header("#+ summary: Finds things.\\n#+ tags: check, fast\\nSELECT * {}")
    {'summary': 'Finds things.', 'tags': 'check, fast'}
    """
    return dict(header_entries(text))


def load_check_query(path: Path) -> CheckQuery:
    """Read one check query file, its header parsed like a catalogue query's.

    Args:
        path: a ``*-violation.rq`` file.

    Returns:
        The query with its header; ``name`` is the file name without ``.rq``.

    Raises:
        CatalogueError: a malformed header.
    """
    query = load_query_file(path)
    return CheckQuery(
        name=query.name,
        path=path,
        summary=query.summary,
        rule=query.extra.get("rule") or None,
        sparql=query.sparql,
        tags=query.tags,
    )


def load_check_queries(checks_dir: Path) -> list[CheckQuery]:
    """Read every ``*-violation.rq`` in ``checks_dir``, sorted by name.

    Args:
        checks_dir: the ``queries/checks/`` folder.

    Returns:
        The check queries (empty when the folder is missing).
    """
    return [load_check_query(p) for p in sorted(checks_dir.glob(f"*{CHECK_SUFFIX}"))]


def run_check(backend: Backend, check: CheckQuery) -> CheckResult:
    """Run one check over the union of all graphs of ``backend``.

    Raises:
        ValueError: when the query is not a SELECT.
    """
    if query_form(check.sparql) is not QueryForm.SELECT:
        raise ValueError(f"{check.path}: a check query must be a SELECT")
    rows = tuple({name: str(term) for name, term in row.items()}
                 for row in backend.select(QueryRequest(check.sparql)))
    log.debug("check %s: %d rows", check.name, len(rows))
    return CheckResult(check=check, rows=rows)


def run_checks(backend: Backend, checks: Sequence[CheckQuery]) -> list[CheckResult]:
    """Run each check over the union of all graphs of ``backend`` (data lives in named graphs).

    Args:
        backend: the store with the ontology and data loaded.
        checks: the queries, e.g. from :func:`load_check_queries`.

    Returns:
        One result per check, in the given order.
    """
    return [run_check(backend, check) for check in checks]


def checks_key(source_files: Iterable[Path], checks: Sequence[CheckQuery], version: str) -> str:
    """What check results depend on: the sources' bytes, the queries' text and migkg's version."""
    digest = hashlib.sha256(version.encode())
    for path in sorted(source_files):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for check in checks:
        digest.update(check.name.encode() + b"\0" + check.sparql.encode() + b"\0")
    return digest.hexdigest()


def cached_results(cache: Path, key: str, checks: Sequence[CheckQuery]) -> list[CheckResult] | None:
    """The results of the last run, when it was made with ``key`` (else None)."""
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    rows = data.get("rows", {})
    if any(check.name not in rows for check in checks):
        return None
    return [CheckResult(check, tuple(rows[check.name])) for check in checks]


def save_results(cache: Path, key: str, results: Sequence[CheckResult]) -> None:
    """Keep ``results`` for the next run with the same ``key``."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".partial")
    partial.write_text(json.dumps({"key": key, "rows": {r.check.name: list(r.rows) for r in results}},
                                  ensure_ascii=False), encoding="utf-8")
    partial.replace(cache)
