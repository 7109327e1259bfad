"""Every prefix the data and the queries use is declared, with the same IRI, wherever prefixes are listed.

The lists: :data:`migkg.namespaces.DISPLAY_PREFIXES` (result tables, pages, exports), the block of
:func:`migkg.namespaces.sparql_prefix_block` (the SPARQL page's default query, the explorer's and the
pages' queries) and the prefix block of docs/modelling-conventions.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migkg.namespaces import DISPLAY_PREFIXES, sparql_prefix_block

ROOT = Path(__file__).resolve().parent.parent
_TURTLE = re.compile(r"^@prefix\s+([A-Za-z][\w-]*|):\s*<([^>]*)>", re.MULTILINE)
_SPARQL = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w-]*|):\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)


def _declared(pattern: re.Pattern[str], files: list[Path]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in files:
        for prefix, iri in pattern.findall(path.read_text(encoding="utf-8")):
            if prefix:
                found.setdefault((prefix, iri), []).append(str(path.relative_to(ROOT)))
    return found


def _used() -> dict[tuple[str, str], list[str]]:
    """Prefixes of the data (data/, the concept schemes) and of the catalogue and checks (queries/)."""
    turtle = sorted([*(ROOT / "data").rglob("*.ttl"), *(ROOT / "ontology" / "schemes").rglob("*.ttl")])
    queries = sorted((ROOT / "queries").rglob("*.rq"))
    return _declared(_TURTLE, turtle) | _declared(_SPARQL, queries)


def test_the_data_uses_prefixes() -> None:
    """The scan finds the prefixes (a broken pattern would make the other tests pass vacuously)."""
    used = {prefix for prefix, _ in _used()}
    assert {"cs", "lc", "party-status", "source", "mig", "orgid", "inst"} <= used


@pytest.mark.parametrize("where", ["DISPLAY_PREFIXES", "sparql_prefix_block", "modelling-conventions"])
def test_every_used_prefix_is_declared(where: str) -> None:
    if where == "DISPLAY_PREFIXES":
        declared = dict(DISPLAY_PREFIXES)
    elif where == "sparql_prefix_block":
        declared = dict(_SPARQL.findall(sparql_prefix_block()))
    else:
        text = (ROOT / "docs" / "modelling-conventions.md").read_text(encoding="utf-8")
        declared = dict(_TURTLE.findall(text))
    missing = {f"{p}: <{iri}> ({', '.join(files[:2])})" for (p, iri), files in _used().items()
               if declared.get(p) != iri}
    assert not missing, f"prefixes used but not declared (or declared with another IRI) in {where}: " \
                        + "; ".join(sorted(missing))


def test_sparql_prefix_block_declares_curation_status() -> None:
    assert "PREFIX cs: <https://w3id.org/migkg/concept/curation-status/>" in sparql_prefix_block().splitlines()
