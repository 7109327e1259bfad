"""SHACL shapes against their fixtures, plus the typed report and its renderings.

Each file under ``tests/fixtures/shapes/{Requirement-NN-Name}/`` is one test. Its leading comment
declares what it must trigger::

    # expect: migsh:Requirement-05-LocalizesContainment @ inst:ecuador-strategy Violation
    # check: localizes-containment-violation @ inst:ecuador-strategy

``expect`` lines are SHACL results (source shape, focus node, severity); ``check`` lines are rows of
the whole-graph check queries (tests/test_checks.py). Prefixed names resolve with the fixture's own
prefixes. A ``valid-*`` fixture conforms and gets no result from its requirement; an ``invalid-*``
fixture gets every expected result and no unexpected Violation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF, RDFS, SH, SKOS

import migkg.quality.validation
from migkg.quality.shacl_support import unsupported_constructs
from migkg.quality.validation import (
    Engine,
    Severity,
    ValidationReport,
    ValidationResult,
    load_ontology_graph,
    load_shapes,
    validate,
)
from migkg.sources import load_rdflib_graph

REPO = Path(__file__).parents[1]
SHAPES_DIR = REPO / "shapes"
ONTOLOGY_DIR = REPO / "ontology"
FIXTURES_DIR = REPO / "tests" / "fixtures" / "shapes"
MIGSH = "https://w3id.org/migkg/shapes#"
HEADER = re.compile(r"^#\s*(expect|check):\s*(\S+)\s*@\s*(\S+)\s*(\w+)?\s*$")


@dataclass(frozen=True)
class Expectation:
    """One result a fixture must produce: a shape or check name, a focus node, a severity."""

    name: str
    focus: str
    severity: Severity | None


@dataclass(frozen=True)
class Fixture:
    """A fixture file and the results its header declares."""

    path: Path
    requirement: str
    expect: tuple[Expectation, ...]
    checks: tuple[Expectation, ...]

    @property
    def valid(self) -> bool:
        return self.path.name.startswith("valid-")

    @property
    def test_id(self) -> str:
        return f"{self.requirement}/{self.path.stem}"

    def graph(self) -> Graph:
        return Graph().parse(self.path, format="turtle")


def _resolve(graph: Graph, name: str) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    return str(graph.namespace_manager.expand_curie(name))


def parse_fixture(path: Path) -> Fixture:
    """Read a fixture's ``# expect:`` and ``# check:`` header lines."""
    graph = Graph().parse(path, format="turtle")
    graph.bind("migsh", MIGSH)
    expect: list[Expectation] = []
    checks: list[Expectation] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if (match := HEADER.match(line)) is None:
            continue
        kind, name, focus, severity = match.groups()
        if kind == "expect":
            expect.append(Expectation(_resolve(graph, name), _resolve(graph, focus),
                                      Severity(severity or "Violation")))
        else:
            checks.append(Expectation(name, _resolve(graph, focus), None))
    return Fixture(path, path.parent.name, tuple(expect), tuple(checks))


FIXTURES = [parse_fixture(p) for p in sorted(FIXTURES_DIR.glob("*/*.ttl"))]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(SHAPES_DIR)


@pytest.fixture(scope="module")
def ont_graph() -> Graph:
    return load_ontology_graph(ONTOLOGY_DIR)


# --- the shapes against their fixtures ------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.test_id for f in FIXTURES])
def test_fixture(fixture: Fixture, shapes: Graph, ont_graph: Graph) -> None:
    report = validate(fixture.graph(), shapes, ont_graph)
    fired = {(r.source_shape, r.focus_node, r.severity) for r in report.results}
    if fixture.valid:
        assert not fixture.expect, "valid fixtures declare no expectations"
        assert report.conforms, report.to_text()
        assert not [r for r in report.results if r.rule.startswith(fixture.requirement)], (
            report.to_text()
        )
        return
    assert fixture.expect or fixture.checks, "an invalid fixture declares what it triggers"
    for e in fixture.expect:
        assert (e.name, e.focus, e.severity) in fired, report.to_text()
    expected = {(e.name, e.focus) for e in fixture.expect}
    unexpected = [v for v in report.violations if (v.source_shape, v.focus_node) not in expected]
    assert not unexpected, report.to_text()


def _keys(report: ValidationReport) -> list[tuple[str, str, Severity, str | None, str | None, str]]:
    """Everything a result says, as comparable tuples (focus, shape, severity, path, value, message)."""
    return sorted(((r.focus_node, r.source_shape, r.severity, r.result_path, r.value, r.message)
                   for r in report.results), key=repr)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.test_id for f in FIXTURES])
def test_native_engine_gives_pyshacls_results(fixture: Fixture, shapes: Graph, ont_graph: Graph) -> None:
    native = validate(fixture.graph(), shapes, ont_graph, engine=Engine.NATIVE)
    reference = validate(fixture.graph(), shapes, ont_graph, engine=Engine.PYSHACL)
    assert native.engine is Engine.NATIVE
    assert reference.engine is Engine.PYSHACL
    assert native.conforms == reference.conforms
    assert _keys(native) == _keys(reference)


def test_native_engine_gives_pyshacls_results_on_all_fixtures_at_once(
    shapes: Graph, ont_graph: Graph
) -> None:
    """One graph of every fixture: many violations of every rule side by side (cross-record rules
    see each other's records)."""
    data = Graph()
    for fixture in FIXTURES:
        data += fixture.graph()
    native = validate(data, shapes, ont_graph, engine=Engine.NATIVE)
    reference = validate(data, shapes, ont_graph, engine=Engine.PYSHACL)
    assert len({r.source_shape for r in reference.violations}) >= 10
    assert _keys(native) == _keys(reference)


def test_native_engine_gives_pyshacls_results_on_the_bundled_data(
    bundled_report_native: ValidationReport, bundled_report_pyshacl: ValidationReport
) -> None:
    assert bundled_report_native.engine is Engine.NATIVE
    assert bundled_report_native.conforms == bundled_report_pyshacl.conforms
    assert _keys(bundled_report_native) == _keys(bundled_report_pyshacl)


def test_bundled_data_conforms(bundled_report_native: ValidationReport) -> None:
    assert bundled_report_native.conforms, bundled_report_native.to_text()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """A generated project (benchmarks/generate.py): records the shapes accept, plus one record
    breaking each rule; and the results each rule must report."""
    from benchmarks import generate

    out = tmp_path_factory.mktemp("synthetic")
    generate.write(out, 3000, seed=7, violations=1)
    return out / "project", json.loads((out / "expected.json").read_text())["results"]


def _synthetic_report(project: Path, engine: Engine) -> ValidationReport:
    from migkg.sources import load_store

    load = load_store if engine is Engine.NATIVE else load_rdflib_graph
    data = load(project, [project / "ontology", project / "data"])
    return validate(data, load_shapes(project / "shapes"), load_ontology_graph(project / "ontology"),
                    engine=engine)


def test_synthetic_graph_gives_exactly_the_injected_violations_on_both_engines(
    synthetic: tuple[Path, dict[str, list[str]]],
) -> None:
    project, expected = synthetic
    native = _synthetic_report(project, Engine.NATIVE)
    reference = _synthetic_report(project, Engine.PYSHACL)
    injected = sorted((shape, focus) for shape, nodes in expected.items() for focus in nodes)
    assert len(expected) >= 20
    for report in (native, reference):
        assert sorted((r.source_shape, r.focus_node) for r in report.results) == injected
        assert {r.severity for r in report.results} == {Severity.VIOLATION}
    assert _keys(native) == _keys(reference)


def test_synthetic_graph_without_injections_conforms(tmp_path: Path) -> None:
    from benchmarks import generate

    generate.write(tmp_path, 2000, seed=3)
    report = _synthetic_report(tmp_path / "project", Engine.NATIVE)
    assert report.conforms
    assert not report.results, report.to_text()


def test_a_store_validates_as_its_rdflib_graph(shapes: Graph, ont_graph: Graph) -> None:
    import pyoxigraph

    path = FIXTURES_DIR / "Requirement-01-InstrumentCore"
    files = sorted(path.glob("invalid-*.ttl"))
    store = pyoxigraph.Store()
    graph = Graph()
    for file in files:
        store.load(path=str(file), format=pyoxigraph.RdfFormat.TURTLE)
        graph.parse(file)
    from_store = validate(store, shapes, ont_graph)
    assert from_store.violations
    assert _keys(from_store) == _keys(validate(graph, shapes, ont_graph, engine=Engine.PYSHACL))
    assert _keys(validate(store, shapes, ont_graph, engine=Engine.PYSHACL)) == _keys(from_store)


def test_migkg_shapes_use_only_constructs_the_native_engine_is_trusted_with(shapes: Graph) -> None:
    assert unsupported_constructs(shapes) == []


JS_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:NeedsName a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "A thing MUST have a name." ] .
ex:ScriptShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ;
    sh:js [ a sh:JSConstraint ; sh:jsFunctionName "check" ; sh:jsLibrary [ sh:jsLibraryURL "x.js" ] ] .
"""
THING = "@prefix ex: <http://example.org/> . ex:a a ex:Thing ."


def test_an_unsupported_construct_falls_back_to_pyshacl_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shapes = Graph().parse(data=JS_SHAPES, format="turtle")
    data = Graph().parse(data=THING, format="turtle")
    with caplog.at_level("WARNING", logger="migkg.quality.validation"):
        report = validate(data, shapes, Graph())
    assert report.engine is Engine.PYSHACL
    assert "http://www.w3.org/ns/shacl#js on http://example.org/ScriptShape" in caplog.text
    assert [(r.focus_node, r.result_path) for r in report.violations] == [
        ("http://example.org/a", "<http://example.org/name>")]


def test_a_native_engine_refusal_falls_back_to_pyshacl_with_a_warning(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, shapes: Graph, ont_graph: Graph
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise NotImplementedError("not this one")

    monkeypatch.setattr(migkg.quality.validation.pyshacl_turbo, "validate", refuse)
    data = Graph().parse(data=NO_ISSUER, format="turtle")
    with caplog.at_level("WARNING", logger="migkg.quality.validation"):
        report = validate(data, shapes, ont_graph)
    assert report.engine is Engine.PYSHACL
    assert "not this one" in caplog.text
    assert MIGSH + "Requirement-01-InstrumentCore-issuedBy" in {r.source_shape for r in report.violations}


def test_every_fixture_folder_names_a_shape(shapes: Graph) -> None:
    folders = {f.requirement for f in FIXTURES}
    missing = [name for name in folders if (URIRef(MIGSH + name), RDF.type, SH.NodeShape)
               not in shapes]
    assert not missing


def _targeted_node_shapes(shapes: Graph) -> set[str]:
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    return {str(s) for t in targets for s in shapes.subjects(t, None)}


def test_every_requirement_shape_has_valid_and_invalid_fixtures(shapes: Graph) -> None:
    for shape in _targeted_node_shapes(shapes):
        name = shape.removeprefix(MIGSH)
        kinds = {f.path.name.split("-")[0] for f in FIXTURES if f.requirement == name}
        assert kinds == {"valid", "invalid"}, name


def _reported_shapes(shapes: Graph) -> set[URIRef]:
    """Shapes that can be a sh:sourceShape: the targeted node shapes and their property shapes."""
    node_shapes = {URIRef(s) for s in _targeted_node_shapes(shapes)}
    properties = {p for s in node_shapes for p in shapes.objects(s, SH.property)}
    return node_shapes | {p for p in properties if isinstance(p, URIRef)}


def test_shapes_are_named_labelled_and_have_messages_and_severity(shapes: Graph) -> None:
    for shape in _reported_shapes(shapes):
        assert shape.startswith(MIGSH + "Requirement-"), shape
        assert shapes.value(shape, RDFS.label) is not None, shape
        severity = Severity.from_iri(shapes.value(shape, SH.severity))
        assert shapes.value(shape, SH.severity) is not None, shape
        message = str(shapes.value(shape, SH.message))
        keyword = "MUST" if severity is Severity.VIOLATION else "SHOULD"
        assert keyword in message, (shape, message)


def test_no_blank_node_shapes(shapes: Graph) -> None:
    for kind in (SH.NodeShape, SH.PropertyShape):
        assert all(isinstance(s, URIRef) for s in shapes.subjects(RDF.type, kind))
    for link in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"]):
        assert all(isinstance(o, URIRef) for o in shapes.objects(None, link)), link


def test_severities_by_file() -> None:
    for name, allowed in (("core", {SH.Violation}), ("recommended", {SH.Warning}),
                          ("skos", {SH.Violation, SH.Warning})):
        graph = Graph().parse(SHAPES_DIR / f"{name}.ttl")
        assert set(graph.objects(None, SH.severity)) <= allowed, name


# --- the validate() contract ------------------------------------------------------------------

NO_ISSUER = """
@prefix mig: <https://w3id.org/migkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/migkg/id/instrument/x> a mig:DocumentaryInstrument ;
    skos:prefLabel "X"@en .
"""


def test_subclass_instances_are_targeted_through_the_ontology_graph(
    shapes: Graph, ont_graph: Graph
) -> None:
    data = Graph().parse(data=NO_ISSUER, format="turtle")
    with_ontology = validate(data, shapes, ont_graph)
    without = validate(data, shapes, Graph())
    issuer = MIGSH + "Requirement-01-InstrumentCore-issuedBy"
    assert issuer in {r.source_shape for r in with_ontology.violations}
    assert issuer not in {r.source_shape for r in without.violations}


def test_validate_leaves_shapes_and_data_untouched(shapes: Graph, ont_graph: Graph) -> None:
    data = Graph().parse(data=NO_ISSUER, format="turtle")
    shapes_before, data_before = to_isomorphic(shapes), to_isomorphic(data)
    first = validate(data, shapes, ont_graph)
    second = validate(data, shapes, ont_graph)
    assert to_isomorphic(shapes) == shapes_before
    assert to_isomorphic(data) == data_before
    assert first == second


def test_ontology_graph_is_the_tbox_without_schemes(ont_graph: Graph) -> None:
    assert (URIRef("https://w3id.org/migkg/ontology#DocumentaryInstrument"), RDFS.subClassOf,
            URIRef("https://w3id.org/migkg/ontology#Instrument")) in ont_graph
    assert not list(ont_graph.subjects(RDF.type, SKOS.ConceptScheme))


def test_warnings_alone_conform(shapes: Graph, ont_graph: Graph) -> None:
    sparse = FIXTURES_DIR / "Requirement-01-InstrumentRecommended" / "invalid-sparse-description.ttl"
    report = validate(Graph().parse(sparse), shapes, ont_graph)
    assert report.conforms
    assert report.warnings
    assert not report.violations


# --- the report and its renderings ------------------------------------------------------------

FOCUS = "https://w3id.org/migkg/id/instrument/x"


def _report() -> ValidationReport:
    results = (
        ValidationResult(FOCUS, MIGSH + "Requirement-01-InstrumentRecommended-theme",
                         "<https://w3id.org/migkg/ontology#theme>", Severity.WARNING,
                         "An instrument SHOULD have at least one mig:theme.", None),
        ValidationResult(FOCUS, MIGSH + "Requirement-01-InstrumentCore-issuedBy",
                         "<https://w3id.org/migkg/ontology#issuedBy>", Severity.VIOLATION,
                         "An instrument MUST have at least one mig:issuedBy, an actor IRI.", None),
        ValidationResult(FOCUS, MIGSH + "Requirement-01-InstrumentCore-dateDocument",
                         None, Severity.INFO, "Nice to have.", '"2020"^^xsd:gYear'),
    )
    return ValidationReport(conforms=False, results=results)


def test_severity_maps_from_shacl_iris() -> None:
    for severity in Severity:
        assert Severity.from_iri(SH[severity.value]) is severity
    assert [s.rank for s in Severity] == [0, 1, 2]


def test_text_names_node_rule_and_message_violations_first() -> None:
    report = _report()
    lines = report.to_text().splitlines()
    assert lines[0].startswith("Conforms: no (1 violations, 1 warnings, 1 infos)")
    assert lines[1].startswith("Violation:")
    for line, result in zip(lines[1:], sorted(report.results, key=lambda r: r.severity.rank),
                            strict=True):
        assert FOCUS in line
        assert f"[{result.rule}]" in line
        assert result.message in line
    assert lines[2].startswith("Warning:")
    assert lines[3].startswith("Info:")


def test_json_round_trips() -> None:
    report = _report()
    text = report.to_json()
    assert json.loads(text)["conforms"] is False
    assert json.loads(text)["violations"] == 1
    assert ValidationReport.from_json(text) == report


def test_turtle_is_the_pyshacl_report_graph(shapes: Graph, ont_graph: Graph) -> None:
    report = validate(Graph().parse(data=NO_ISSUER, format="turtle"), shapes, ont_graph)
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    root = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(root, SH.conforms) == Literal(False)
    assert len(list(graph.objects(root, SH.result))) == len(report.results)


def test_turtle_of_a_rebuilt_report() -> None:
    report = ValidationReport.from_json(_report().to_json())
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    assert len(list(graph.subjects(RDF.type, SH.ValidationResult))) == 3
    assert (None, SH.focusNode, URIRef(FOCUS)) in graph


def test_validated_results_render_and_round_trip(shapes: Graph, ont_graph: Graph) -> None:
    report = validate(Graph().parse(data=NO_ISSUER, format="turtle"), shapes, ont_graph)
    assert not report.conforms
    line = next(ln for ln in report.to_text().splitlines() if "issuedBy" in ln)
    assert FOCUS in line
    assert "Requirement-01-InstrumentCore-issuedBy" in line
    assert ValidationReport.from_json(report.to_json()) == report


def test_summary_keeps_violations_whole_and_counts_the_rest_by_rule() -> None:
    from migkg.quality.validation import Severity, ValidationReport, ValidationResult

    def result(focus: str, rule: str, severity: Severity) -> ValidationResult:
        return ValidationResult(f"https://e.org/{focus}", f"https://e.org/shapes#{rule}", None, severity,
                                f"{rule} message", None)

    results = (result("a", "Often", Severity.WARNING), result("b", "Often", Severity.WARNING),
               result("c", "Rare", Severity.WARNING), result("d", "Broken", Severity.VIOLATION),
               result("e", "Note", Severity.INFO))
    lines = ValidationReport(False, results).to_summary().splitlines()
    assert lines == [
        "Conforms: no (1 violations, 3 warnings, 1 infos)",
        "Violation: <https://e.org/d> [Broken] Broken message",
        "Warning × 2 [Often] Often message (e.g. <https://e.org/a>)",
        "Warning × 1 [Rare] Rare message (e.g. <https://e.org/c>)",
        "Info × 1 [Note] Note message (e.g. <https://e.org/e>)",
        "`migkg validate` lists every result.",
    ]
