"""SHACL validation of migkg data with typed results.

Which graph is which:

* **shapes graph**: every ``*.ttl`` under ``shapes/`` (:func:`load_shapes`).
* **ontology graph** (pyshacl's ``ont_graph``): ``ontology/migkg.ttl`` plus the minimal extracts in
  ``ontology/imports/*.ttl`` (:func:`load_ontology_graph`): the TBox only. pyshacl mixes it into a
  copy of the data graph, so ``sh:targetClass mig:Instrument`` reaches ``mig:DocumentaryInstrument``
  and ``mig:InstitutionalInstrument`` instances (``inference="none"`` adds nothing else).
* **data graph**: the records *and* the concept schemes (``ontology/schemes/*.ttl``). The schemes are
  data here, not ontology: the shapes look into them (``skos:inScheme``, ``skos:broader``) and they are
  themselves validated by the SKOS hygiene shapes (Requirement 08). The CLI passes the union of
  ``ontology/`` and ``data/`` as the data graph.

"Conforms" means no result of severity Violation; Warnings and Infos never fail a graph.

Which engine runs (:class:`Engine`):

* **native** (default): pyshacl-turbo, a Rust SHACL engine with pyshacl's API and report model. It
  takes an rdflib graph or a pyoxigraph ``Store`` (the CLI passes a store: 1M triples never become
  rdflib objects). It is used only when every construct of the shapes graph is one it is trusted with
  (:mod:`migkg.quality.shacl_support`); otherwise, or when it raises ``NotImplementedError``, the run
  falls back to pyshacl with a warning naming the constructs. The test suite proves both engines give
  the same results (focus node, shape, severity, path, value, message) on every fixture, on all
  fixtures in one graph and on the bundled data.
* **pyshacl**: the reference engine, selectable (``migkg validate --engine pyshacl``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl_turbo
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from migkg.quality.shacl_support import Engine, unsupported_constructs
from migkg.sources import load_rdflib_graph

log = logging.getLogger(__name__)

SH = Namespace("http://www.w3.org/ns/shacl#")

__all__ = [
    "Engine", "Severity", "ValidationReport", "ValidationResult", "ValidationSetupError",
    "load_ontology_graph", "load_shapes", "sorted_results", "validate",
]


class ValidationSetupError(RuntimeError):
    """pyshacl refused the shapes or the data (e.g. an ill-formed SPARQL constraint)."""


class Severity(Enum):
    """The severity of a SHACL result, ordered from most to least severe.

    >>> Severity.from_iri(URIRef("http://www.w3.org/ns/shacl#Warning"))
    <Severity.WARNING: 'Warning'>
    >>> Severity.VIOLATION.iri
    rdflib.term.URIRef('http://www.w3.org/ns/shacl#Violation')
    """

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> URIRef:
        """The ``sh:`` IRI of this severity."""
        return SH[self.value]

    @property
    def rank(self) -> int:
        """0 for Violation, 1 for Warning, 2 for Info (sort key)."""
        return list(Severity).index(self)

    @classmethod
    def from_iri(cls, iri: Node | None) -> Severity:
        """Map ``sh:Violation``/``sh:Warning``/``sh:Info`` to a member (unknown → Violation)."""
        for member in cls:
            if iri == member.iri:
                return member
        return cls.VIOLATION


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, with terms rendered as strings (IRIs bare, literals in N3)."""

    focus_node: str
    source_shape: str
    result_path: str | None
    severity: Severity
    message: str
    value: str | None

    @property
    def rule(self) -> str:
        """The local name of the source shape, e.g. ``Requirement-01-InstrumentCore-label``.

        >>> ValidationResult("x", "https://w3id.org/migkg/shapes#Requirement-02-NoSelfRelation",
        ...                  None, Severity.VIOLATION, "m", None).rule
        'Requirement-02-NoSelfRelation'
        """
        return _local_name(self.source_shape)

    def to_text(self) -> str:
        """One line: severity, focus node, rule and message (then path and value if any)."""
        line = f"{self.severity.value}: <{self.focus_node}> [{self.rule}] {self.message}"
        details = [f"path {self.result_path}"] if self.result_path else []
        details += [f"value {self.value}"] if self.value is not None else []
        return f"{line} ({'; '.join(details)})" if details else line

    def to_dict(self) -> dict[str, str | None]:
        """A JSON-ready mapping (severity by name: ``Violation``, ``Warning``, ``Info``)."""
        return {
            "focus_node": self.focus_node,
            "source_shape": self.source_shape,
            "result_path": self.result_path,
            "severity": self.severity.value,
            "message": self.message,
            "value": self.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValidationResult:
        """Inverse of :meth:`to_dict`."""
        return cls(
            focus_node=str(data["focus_node"]),
            source_shape=str(data["source_shape"]),
            result_path=_optional_str(data.get("result_path")),
            severity=Severity(data["severity"]),
            message=str(data["message"]),
            value=_optional_str(data.get("value")),
        )


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: conforms when no result is a Violation.

    ``graph`` is the engine's SHACL report graph (excluded from equality); a report rebuilt from JSON
    renders its Turtle from the results instead. ``engine`` is the engine that ran (after any
    fallback), also excluded from equality.
    """

    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph | None = field(default=None, compare=False, repr=False)
    engine: Engine | None = field(default=None, compare=False)

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        """The results of severity Violation."""
        return self._of(Severity.VIOLATION)

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        """The results of severity Warning."""
        return self._of(Severity.WARNING)

    @property
    def infos(self) -> tuple[ValidationResult, ...]:
        """The results of severity Info."""
        return self._of(Severity.INFO)

    def _of(self, severity: Severity) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity is severity)

    def to_text(self) -> str:
        """A summary line, then one line per result, Violations first."""
        return "\n".join([self._headline(), *(r.to_text() for r in _sorted(self.results))])

    def _headline(self) -> str:
        return (f"Conforms: {'yes' if self.conforms else 'no'} ({len(self.violations)} violations, "
                f"{len(self.warnings)} warnings, {len(self.infos)} infos)")

    def to_summary(self) -> str:
        """The summary line, every Violation in full, and the Warnings and Infos counted by rule
        (one example each): what ``migkg serve --prepare`` prints before serving.

        >>> w = ValidationResult("https://e.org/a", "https://e.org/s#Rule-1", None, Severity.WARNING,
        ...                      "m", None)
        >>> print(ValidationReport(True, (w, w)).to_summary())
        Conforms: yes (0 violations, 2 warnings, 0 infos)
        Warning × 2 [Rule-1] m (e.g. <https://e.org/a>)
        `migkg validate` lists every result.
        """
        lines = [self._headline(), *(r.to_text() for r in _sorted(self.violations))]
        for severity in (Severity.WARNING, Severity.INFO):
            by_rule: dict[str, list[ValidationResult]] = {}
            for result in _sorted(self._of(severity)):
                by_rule.setdefault(result.rule, []).append(result)
            for rule, found in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                lines.append(f"{severity.value} × {len(found)} [{rule}] {found[0].message} "
                             f"(e.g. <{found[0].focus_node}>)")
        if len(lines) < len(self.results) + 1:
            lines.append("`migkg validate` lists every result.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: ``conforms``, counts and ``results``."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "infos": len(self.infos),
            "results": [r.to_dict() for r in self.results],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as a JSON document (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        """Inverse of :meth:`to_json` (without the report graph)."""
        data = json.loads(text)
        results = tuple(ValidationResult.from_dict(r) for r in data["results"])
        return cls(conforms=bool(data["conforms"]), results=results)

    def to_turtle(self) -> str:
        """The SHACL validation report graph as Turtle."""
        graph = self.graph if self.graph is not None else _report_graph(self)
        graph.bind("sh", SH)
        return graph.serialize(format="turtle")


def load_shapes(shapes_dir: Path) -> Graph:
    """Parse every ``*.ttl`` under ``shapes_dir`` (sorted, recursive) into one graph.

    Args:
        shapes_dir: the ``shapes/`` folder.

    Returns:
        The shapes graph. Treat it as read-only; :func:`validate` works on a copy.

    Raises:
        SourceErrors: a file does not parse (named with line and column, as at build time).
    """
    return load_rdflib_graph(shapes_dir.parent, [shapes_dir])


def load_ontology_graph(ontology_dir: Path) -> Graph:
    """Parse ``migkg.ttl`` and ``imports/*.ttl`` of ``ontology_dir`` (the TBox) into one graph.

    The concept schemes under ``schemes/`` are deliberately not included: they are data to
    validate (see the module docstring). Missing files are skipped with a warning.

    Args:
        ontology_dir: the ``ontology/`` folder.

    Returns:
        The ontology graph to pass as pyshacl's ``ont_graph``.
    """
    main = ontology_dir / "migkg.ttl"
    if not main.is_file():
        log.warning("no ontology at %s: subclass instances will not be targeted", main)
    files = [main] if main.is_file() else []
    return load_rdflib_graph(ontology_dir.parent, [*files, ontology_dir / "imports"])


def validate(
    data: Graph | ox.Store, shapes: Graph, ont_graph: Graph, *, engine: Engine | str = Engine.NATIVE,
    focus_nodes: Sequence[str] | None = None,
) -> ValidationReport:
    """Validate ``data`` against ``shapes``, mixing in ``ont_graph``.

    Runs with ``inference="none"`` and ``advanced=True`` (the shapes use SPARQL targets); warnings
    and infos are allowed. Neither ``data`` nor ``shapes`` is modified: the engine gets its own copy
    of the shapes graph and works on a copy of the data graph.

    Args:
        data: the data graph (records and concept schemes): an rdflib graph, or a pyoxigraph store
            whose default graph holds the data.
        shapes: the shapes graph, e.g. from :func:`load_shapes`.
        ont_graph: the ontology graph, e.g. from :func:`load_ontology_graph`.
        engine: ``native`` (default; falls back to pyshacl, logged, for constructs it is not
            trusted with) or ``pyshacl``.
        focus_nodes: validate only these nodes (IRIs), with every shape that targets them.

    Returns:
        The typed report; ``conforms`` is true when there is no Violation.

    Raises:
        ValidationSetupError: the engine refused the shapes or the data.
    """
    chosen = Engine(engine)
    if chosen is Engine.NATIVE and (unsupported := unsupported_constructs(shapes)):
        log.warning("the native SHACL engine is not used for %s: validating with pyshacl",
                    "; ".join(str(u) for u in unsupported))
        chosen = Engine.PYSHACL
    report_graph: object = None
    if chosen is Engine.NATIVE:
        try:
            # pyshacl-turbo compiles the shapes natively and leaves the graph alone: no copy needed.
            # When the data already holds the ontology (the CLI validates ontology/ + data/), mixing
            # it in again would only add copies of its blank-node axioms, which no shape targets:
            # skipped (a third of the time at 100k triples). The equality tests cover this path.
            mixed_in = None if _holds(data, ont_graph) else ont_graph
            report_graph = _run(pyshacl_turbo.validate, data, shapes, mixed_in, focus_nodes)
        except NotImplementedError as err:
            log.warning("the native SHACL engine cannot validate this (%s): validating with pyshacl",
                        err)
            chosen = Engine.PYSHACL
    if chosen is Engine.PYSHACL:
        import pyshacl  # imported on use: 0.6 s that a native run does not pay

        # pyshacl may modify a shapes graph shared between calls: it gets its own copy.
        report_graph = _run(pyshacl.validate, _as_rdflib(data), _copy(shapes), ont_graph, focus_nodes)
    if not isinstance(report_graph, Graph):
        raise ValidationSetupError(str(report_graph))
    results = tuple(_sorted(_read_results(report_graph, shapes)))
    conforms = not any(r.severity is Severity.VIOLATION for r in results)
    log.info("validated with %s: %d results", chosen.value, len(results))
    return ValidationReport(conforms=conforms, results=results, graph=report_graph, engine=chosen)


def _run(engine: Any, data: Graph | ox.Store, shapes: Graph, ont_graph: Graph | None,
         focus_nodes: Sequence[str] | None = None) -> object:
    """One engine's ``validate`` with migkg's options; its report graph (or its failure)."""
    if focus_nodes is not None and not focus_nodes:
        return _empty_report()
    options = {"focus_nodes": [URIRef(n) for n in focus_nodes]} if focus_nodes is not None else {}
    _, report_graph, _ = engine(
        data,
        shacl_graph=shapes,
        ont_graph=ont_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        **options,
    )
    return report_graph


def _empty_report() -> Graph:
    """The report of validating no focus node at all."""
    graph = Graph()
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(True)))
    return graph


def _holds(data: Graph | ox.Store, ont_graph: Graph) -> bool:
    """Whether every triple of ``ont_graph`` without a blank node is in ``data`` (and there is one)."""
    named = [t for t in ont_graph if not any(isinstance(term, BNode) for term in t)]
    if not named:
        return False
    if isinstance(data, Graph):
        return all(t in data for t in named)
    try:
        return all(ox.Quad(*map(_ox_term, t)) in data for t in named)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _ox_term(term: Node) -> ox.NamedNode | ox.Literal:
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    raise TypeError(term)


def _as_rdflib(data: Graph | ox.Store) -> Graph:
    """``data`` as an rdflib graph (a store's quads become triples of one graph)."""
    if isinstance(data, Graph):
        return data
    triples = (q.triple for q in data)
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt11")
    return graph


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True)
    for triple in graph:
        copy.add(triple)
    return copy


def _read_results(report: Graph, shapes: Graph) -> Iterable[ValidationResult]:
    """The top-level results (nested ``sh:detail`` results are left to the report graph)."""
    for root in report.subjects(RDF.type, SH.ValidationReport):
        for node in report.objects(root, SH.result):
            shape = report.value(node, SH.sourceShape)
            path = report.value(node, SH.resultPath)
            value = report.value(node, SH.value)
            yield ValidationResult(
                focus_node=_term_text(report.value(node, SH.focusNode)),
                source_shape=_term_text(shape),
                result_path=None if path is None else _path_text(report, path),
                severity=Severity.from_iri(report.value(node, SH.resultSeverity)),
                message=_best_message(report, node, shapes, shape),
                value=None if value is None else _term_text(value),
            )


def _best_message(report: Graph, result: Node, shapes: Graph, shape: Node | None) -> str:
    """The most specific message: a SPARQL constraint's filled-in one before the shape's own."""
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    generic = {str(m) for m in shapes.objects(shape, SH.message)} if shape is not None else set()
    specific = [m for m in messages if m not in generic]
    return (specific or messages or [""])[0]


def _term_text(term: Node | None) -> str:
    """IRIs and blank nodes as their bare string, literals in N3 (keeping language and datatype).

    A literal typed ``xsd:string`` is written as the simple literal it is in RDF 1.1, whichever way
    the engine spelled it (pyshacl-turbo spells it out for data read from a pyoxigraph store).

    >>> _term_text(Literal("x", datatype=URIRef("http://www.w3.org/2001/XMLSchema#string")))
    '"x"'
    """
    if isinstance(term, Literal):
        if term.datatype == _XSD_STRING:
            return Literal(str(term)).n3()
        return term.n3()
    return "" if term is None else str(term)


_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
_PATH_OPERATORS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL syntax, e.g. ``<p>/^<q>*``."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        return str(path)
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, step) for step in graph.items(path))
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + _path_text(graph, inverse)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(_path_text(graph, alt) for alt in graph.items(alternatives)) + ")"
    for predicate, operator in _PATH_OPERATORS.items():
        if (inner := graph.value(path, predicate)) is not None:
            return f"({_path_text(graph, inner)}){operator}"
    return str(path)


def sorted_results(results: Iterable[ValidationResult]) -> list[ValidationResult]:
    """Results in report order: severity, focus node, shape, path, value, message."""
    return _sorted(results)


def _sorted(results: Iterable[ValidationResult]) -> list[ValidationResult]:
    return sorted(
        results,
        key=lambda r: (r.severity.rank, r.focus_node, r.source_shape, r.result_path or "",
                       r.value or "", r.message),
    )


def _local_name(iri: str) -> str:
    separator = "#" if "#" in iri else "/"
    return iri.rsplit(separator, 1)[-1] or iri


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _report_graph(report: ValidationReport) -> Graph:
    """A minimal SHACL report graph rebuilt from typed results (path and value as text)."""
    graph = Graph()
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
    for result in report.results:
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, _as_node(result.focus_node)))
        graph.add((node, SH.sourceShape, _as_node(result.source_shape)))
        graph.add((node, SH.resultSeverity, result.severity.iri))
        graph.add((node, SH.resultMessage, Literal(result.message)))
    return graph


def _as_node(text: str) -> URIRef | BNode:
    return URIRef(text) if ":" in text else BNode(text)
