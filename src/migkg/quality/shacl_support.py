"""Which SHACL constructs the native engine (pyshacl-turbo) is trusted with.

The native engine is only used on shapes graphs whose every ``sh:`` term is in :data:`NATIVE_TERMS`:
SHACL Core (targets, paths, every core constraint component, shape metadata) and the SHACL-SPARQL
parts migkg uses (``sh:sparql`` SELECT constraints with ``sh:prefixes``, ``sh:SPARQLTarget``).
Anything else (SHACL-JS, rules, functions, custom constraint components, ...) makes
:func:`unsupported_constructs` name it, and :func:`migkg.quality.validation.validate` falls back to
pyshacl for the whole run, with a warning: a construct is never silently skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from migkg.quality.engine import Engine as Engine  # re-exported: defined without rdflib

SH = "http://www.w3.org/ns/shacl#"


_CORE = {
    # classes, node kinds and severities
    "Shape", "NodeShape", "PropertyShape", "IRI", "BlankNode", "Literal", "BlankNodeOrIRI",
    "BlankNodeOrLiteral", "IRIOrLiteral", "Violation", "Warning", "Info",
    # targets
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf",
    # property paths
    "property", "path", "inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath",
    "zeroOrOnePath",
    # core constraint components
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
    "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "flags", "languageIn",
    "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or", "xone",
    "node", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint", "closed", "ignoredProperties", "hasValue", "in",
    # shape metadata
    "message", "severity", "deactivated", "name", "description", "order", "group", "defaultValue",
    "PropertyGroup",
}
_SPARQL = {
    "sparql", "select", "prefixes", "declare", "prefix", "namespace", "PrefixDeclaration",
    "SPARQLConstraint", "target", "SPARQLTarget",
}
NATIVE_TERMS = frozenset(URIRef(SH + name) for name in _CORE | _SPARQL)


@dataclass(frozen=True)
class Unsupported:
    """A ``sh:`` term the native engine is not trusted with, and where it occurs."""

    term: str
    subject: str

    def __str__(self) -> str:
        return f"{self.term} on {self.subject}"


def _sh_terms(predicate: Node, obj: Node) -> Iterable[URIRef]:
    if isinstance(predicate, URIRef) and predicate.startswith(SH):
        yield predicate
    if predicate == RDF.type and isinstance(obj, URIRef) and obj.startswith(SH):
        yield obj


def unsupported_constructs(shapes: Graph) -> list[Unsupported]:
    """Every ``sh:`` predicate or class in ``shapes`` outside :data:`NATIVE_TERMS` (sorted).

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ...   <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:js [ sh:jsFunctionName "f" ] .''')
    >>> [u.term.split("#")[1] for u in unsupported_constructs(g)]
    ['js', 'jsFunctionName']
    """
    found = {
        Unsupported(str(term), str(s))
        for s, p, o in shapes
        for term in _sh_terms(p, o)
        if term not in NATIVE_TERMS
    }
    return sorted(found, key=lambda u: (u.term, u.subject))
