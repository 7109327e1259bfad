"""Incremental validation: after an edit, revalidate only the focus nodes the edit can affect.

The cache (``build/cache/validate-{engine}.json`` under the project) keeps, for the last run, the
SHA-256 of every data file (``ontology/`` and ``data/``), the IRI subjects of each, and the results.
The next run compares the hashes:

* nothing changed: the cached report;
* the shapes, the TBox (``ontology/migkg.ttl``, ``ontology/imports/``), migkg or the engine changed, or
  there is no usable cache: a full run;
* some data files changed: the data is loaded as usual, and the **affected** focus nodes are the IRI
  subjects of the changed files (before and after the edit) and every node that reaches one of them
  by any chain of triples (the reverse closure, also through blank nodes and through use as a
  predicate). Shapes only read forward from their focus node (paths without ``sh:inversePath``,
  SPARQL from ``$this`` outwards; a shapes graph with ``sh:inversePath`` gets a full run), so no
  other node's results can change. Those nodes are revalidated (``focus_nodes``: every shape that
  targets them, including the SPARQL targets of the cross-record rules, restricted to them) over
  their forward closure (every triple reachable from them through objects and predicates: all that
  those shapes can read), with the TBox mixed in; the other results are kept. The report is the one
  a full run gives (tests/test_incremental.py compares them after edits of a copy of the project).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from migkg import __version__
from migkg.quality.shacl_support import Engine
from migkg.quality.validation import (
    SH,
    ValidationReport,
    ValidationResult,
    load_ontology_graph,
    load_shapes,
    sorted_results,
    validate,
)
from migkg.sources import SourceError, SourceErrors, discover, load_rdflib_graph, load_store

log = logging.getLogger(__name__)

FORMAT = 1
FULL_SHARE = 0.5  # past this share of focus nodes affected, a full run is as cheap


@dataclass(frozen=True)
class Outcome:
    """A report and how it was made: ``full``, ``cached`` or ``incremental`` (with the node count)."""

    report: ValidationReport
    mode: str
    revalidated: int = 0


def _digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _engine_version(engine: Engine) -> str:
    return metadata.version("pyshacl-turbo" if engine is Engine.NATIVE else "pyshacl")


def cache_path(root: Path, engine: Engine) -> Path:
    """Where the cache of ``engine`` lives for the project at ``root``."""
    return root / "build" / "cache" / f"validate-{engine.value}.json"


def _subjects(path: Path) -> list[str]:
    """The IRI subjects of one Turtle file (empty when it does not parse: the load reports it)."""
    try:
        return sorted({t.subject.value for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
                       if isinstance(t.subject, ox.NamedNode)})
    except (SyntaxError, OSError):
        return []


def _affected(store: ox.Store, seeds: set[str]) -> set[str]:
    """``seeds`` and every IRI that reaches one of them through triples of ``store`` (reverse closure,
    through blank nodes, objects and predicates)."""
    seen: set[ox.NamedNode | ox.BlankNode] = {ox.NamedNode(s) for s in seeds}
    frontier = list(seen)
    while frontier:
        node = frontier.pop()
        pointing = [q.subject for q in store.quads_for_pattern(None, None, node, None)]
        if isinstance(node, ox.NamedNode):
            pointing += [q.subject for q in store.quads_for_pattern(None, node, None, None)]
        for subject in pointing:
            if isinstance(subject, ox.NamedNode | ox.BlankNode) and subject not in seen:
                seen.add(subject)
                frontier.append(subject)
    return {n.value for n in seen if isinstance(n, ox.NamedNode)}


def _forward_closure(store: ox.Store, roots: set[str]) -> ox.Store:
    """The triples of ``store`` reachable from ``roots`` by following objects and predicates (the
    most a shape reading forward from its focus node can see), in a new store's default graph."""
    sub = ox.Store()
    seen: set[ox.NamedNode | ox.BlankNode] = {ox.NamedNode(r) for r in roots}
    frontier = list(seen)
    while frontier:
        node = frontier.pop()
        quads = [ox.Quad(q.subject, q.predicate, q.object)
                 for q in store.quads_for_pattern(node, None, None, None)]
        sub.extend(quads)
        for quad in quads:
            for term in (quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode | ox.BlankNode) and term not in seen:
                    seen.add(term)
                    frontier.append(term)
    return sub


def _rdflib(store: ox.Store) -> Graph:
    graph = Graph()
    text = ox.serialize((q.triple for q in store), format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=text or b"", format="nt11")
    return graph


def validate_project(root: Path, ontology_dir: Path, data_dir: Path, shapes_dir: Path,
                     engine: Engine = Engine.NATIVE, *, use_cache: bool = True) -> Outcome:
    """``migkg validate`` of the project's data (``ontology/`` + ``data/``), incrementally.

    Raises:
        SourceErrors: a file does not parse (file:line:column); the cache is left as it was.
    """
    sources = discover(root, [ontology_dir, data_dir])
    files = {str(s.relative): s.path for s in sources}
    hashes = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}
    tbox = [ontology_dir / "migkg.ttl", *sorted((ontology_dir / "imports").glob("*.ttl"))]
    key = {"format": FORMAT, "migkg": __version__, "engine": engine.value,
           "engine_version": _engine_version(engine),
           "shapes": _digest(sorted(shapes_dir.rglob("*.ttl"))),
           "tbox": _digest(p for p in tbox if p.is_file())}
    path = cache_path(root, engine)
    cached = _read(path) if use_cache else None
    usable = cached is not None and cached.get("key") == key
    if usable and cached is not None and cached["hashes"] == hashes:
        return Outcome(_report(cached["results"]), "cached")

    shapes = load_shapes(shapes_dir)
    ont_graph = load_ontology_graph(ontology_dir)
    targets = [ontology_dir, data_dir]
    store = load_store(root, targets)
    data: Graph | ox.Store = store if engine is Engine.NATIVE else load_rdflib_graph(root, targets)
    inverse = (None, SH.inversePath, None) in shapes
    mode, focus = "full", None
    if usable and cached is not None and not inverse and not _blank_focus(cached["results"]):
        changed = {n for n in hashes.keys() | cached["hashes"].keys()
                   if hashes.get(n) != cached["hashes"].get(n)}
        seeds = {s for n in changed for s in cached["subjects"].get(n, [])}
        seeds |= {s for n in changed if n in files for s in _subjects(files[n])}
        focus = _affected(store, seeds)
        total = sum(len(v) for v in cached["subjects"].values()) or 1
        if len(focus) <= FULL_SHARE * total:
            mode = "incremental"
        else:
            focus = None
    if focus is not None:
        # Only what the affected nodes' validation can read: their forward closure.
        sub = _forward_closure(store, focus)
        data = sub if engine is Engine.NATIVE else _rdflib(sub)
    report = validate(data, shapes, ont_graph, engine=engine,
                      focus_nodes=sorted(focus) if focus is not None else None)
    results = [r.to_dict() for r in report.results]
    if focus is not None and cached is not None:
        kept = [r for r in cached["results"] if r["focus_node"] not in focus]
        results = [r.to_dict() for r in sorted_results(
            [*map(ValidationResult.from_dict, kept), *report.results])]
    subjects = {n: (cached["subjects"][n] if mode == "incremental" and cached is not None
                    and n in cached["subjects"] and hashes[n] == cached["hashes"].get(n)
                    else _subjects(files[n])) for n in files}
    _write(path, {"key": key, "hashes": hashes, "subjects": subjects, "results": results})
    outcome_report = _report(results) if focus is not None else report
    log.info("validation: %s (%d focus nodes revalidated)", mode, len(focus or ()))
    return Outcome(outcome_report, mode, len(focus) if focus is not None else 0)


def _blank_focus(results: list[dict[str, Any]]) -> bool:
    return any(":" not in r["focus_node"] for r in results)


def _report(results: list[dict[str, Any]]) -> ValidationReport:
    typed = tuple(ValidationResult.from_dict(r) for r in results)
    conforms = not any(r.severity.value == "Violation" for r in typed)
    return ValidationReport(conforms=conforms, results=typed)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


__all__ = ["Outcome", "SourceError", "SourceErrors", "cache_path", "validate_project"]
