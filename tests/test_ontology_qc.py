"""Quality control of the ontology and concept schemes, in the spirit of ROBOT ``report``.

The files are read with rdflib directly (no project code), so these checks run before anything is
built. Every check is parametrised per file, per term or per concept so that a failure names the
culprit. The "declared term" check also scans ``data/``, ``shapes/`` and ``queries/``: any ``mig:``
term used anywhere must be declared in ``ontology/migkg.ttl``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "migkg.ttl"
SCHEMES_DIR = ONTOLOGY_DIR / "schemes"
IMPORTS_DIR = ONTOLOGY_DIR / "imports"

MIG_NS = "https://w3id.org/migkg/ontology#"
MIG = Namespace(MIG_NS)
ONTOLOGY_IRI = URIRef("https://w3id.org/migkg/ontology")
SCHEME_NS = "https://w3id.org/migkg/scheme/"
CONCEPT_NS = "https://w3id.org/migkg/concept/"
GCMO_NS = "https://w3id.org/migkg/gcm/objective/"
GCMP_NS = "https://w3id.org/migkg/gcm/principle/"
VANN = Namespace("http://purl.org/vocab/vann/")
SH = Namespace("http://www.w3.org/ns/shacl#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
GCM_SOURCE = URIRef("https://undocs.org/A/RES/73/195")
FIXED_DATE = Literal("2026-11-29", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

# The schemes the conventions doc (docs/modelling-conventions.md) requires, one file each.
EXPECTED_SCHEMES = {
    "governance-level", "instrument-type", "legal-nature", "actor-type", "theme", "target-group",
    "curation-status", "assertion-method", "place", "gcm-objectives", "gcm-principles",
    "list-completeness",
}

# Terms named by shared/design/ontology.md and docs/modelling-conventions.md, with their OWL type.
CLASSES = (
    "Instrument", "DocumentaryInstrument", "InstitutionalInstrument", "Commitment", "Claim",
    "PartyStatus", "HubRecord",
)
OBJECT_PROPERTIES = (
    "instrumentType", "governanceLevel", "legalNature", "issuedBy", "party", "addressedTo",
    "involves", "theme", "targetGroup", "reflectsPrinciple", "curationStatus", "realises",
    "implements", "localizes", "facilitatesImplementationOf", "alignsWith", "contributesTo",
    "establishedBy", "claimSubject", "claimPredicate", "claimObject", "assertionMethod",
    "ofInstrument", "partyState", "listedUnder", "describes",
)
DATATYPE_PROPERTIES = (
    "dateEndorsed", "dateLaunched", "dateApproved", "dateInaugurated", "datePrecision",
    "statusKind", "statusYear", "statusDate", "evidenceText", "rationale", "role", "submittedBy",
    "descriptionText", "paragraph",
)
REQUIRED_TERMS: dict[str, URIRef] = {
    **dict.fromkeys(CLASSES, OWL.Class),
    **dict.fromkeys(OBJECT_PROPERTIES, OWL.ObjectProperty),
    **dict.fromkeys(DATATYPE_PROPERTIES, OWL.DatatypeProperty),
    "exportAs": OWL.AnnotationProperty,
}

# Facts from shared/reference/facts.md (VERIFIED only).
VERIFIED_HUB_TERMS = {3, 5, 7, 8, 10, 11}  # taxonomy/term/{278 + n}
VERIFIED_PARAGRAPHS = {1, 3, 7, 10, 11, 23}  # commitment paragraph 16 + n
PRINCIPLE_SLUGS = [
    "people-centred", "international-cooperation", "national-sovereignty", "rule-of-law",
    "sustainable-development", "human-rights", "gender-responsive", "child-sensitive",
    "whole-of-government", "whole-of-society",
]


# --------------------------------------------------------------------------- helpers


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def files(folder: str, suffix: str) -> list[Path]:
    base = ROOT / folder
    return sorted(base.rglob(f"*{suffix}")) if base.is_dir() else []


@cache
def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def ontology() -> Graph:
    return parse(ONTOLOGY_FILE)


def declared_terms() -> set[URIRef]:
    g = ontology()
    return {
        s for t in TERM_TYPES for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(MIG_NS)
    }


def package_version() -> str:
    text = (ROOT / "src" / "migkg" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.M)
    assert match, "src/migkg/__init__.py defines no __version__"
    return match.group(1)


def en(values: list) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


def scheme_files() -> list[Path]:
    return sorted(SCHEMES_DIR.glob("*.ttl"))


@cache
def all_schemes() -> Graph:
    g = Graph()
    for path in scheme_files():
        g += parse(path)
    return g


def scheme_concepts() -> list[tuple[Path, URIRef]]:
    out = []
    for path in scheme_files():
        g = parse(path)
        out += [(path, c) for c in sorted(g.subjects(RDF.type, SKOS.Concept)) if isinstance(c, URIRef)]
    return out


def short(iri: URIRef) -> str:
    for ns, prefix in ((MIG_NS, "mig:"), (CONCEPT_NS, ""), (GCMO_NS, "gcmo:"), (GCMP_NS, "gcmp:")):
        if str(iri).startswith(ns):
            return prefix + str(iri)[len(ns):]
    return str(iri)


# --- finding mig: terms in Turtle and SPARQL text

IRI_RE = re.compile(r"<([^<>\s]*)>")
FULL_MIG_RE = re.compile(r"<" + re.escape(MIG_NS) + r"([A-Za-z_][\w-]*)>")
STRING_RE = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
PREFIX_RE = re.compile(r"(?i)PREFIX\s+([A-Za-z][\w.-]*)?:\s*<" + re.escape(MIG_NS) + r">")
SPARQL_PREDICATES = (SH.select, SH.ask, SH.construct, SH.update)


def mig_names_in_sparql(text: str) -> set[str]:
    """Local names of mig: terms in a SPARQL query (full IRIs and prefixed names)."""
    names = set(FULL_MIG_RE.findall(text))
    prefixes = {p or "" for p in PREFIX_RE.findall(text)} or {"mig"}
    body = STRING_RE.sub(" ", IRI_RE.sub(" ", text))
    body = re.sub(r"#[^\n]*", " ", body)
    for prefix in prefixes:
        pattern = r"(?<![\w:/.-])" + re.escape(prefix) + r":([A-Za-z_][\w-]*)"
        names |= set(re.findall(pattern, body))
    return names


def mig_terms_in_turtle(path: Path) -> set[URIRef]:
    g = parse(path)
    found: set[URIRef] = set()
    for triple in g:
        for node in triple:
            if isinstance(node, URIRef) and str(node).startswith(MIG_NS):
                found.add(node)
            elif isinstance(node, Literal) and node.datatype and str(node.datatype).startswith(MIG_NS):
                found.add(URIRef(node.datatype))
    # SPARQL embedded in SHACL shapes (sh:select, sh:ask, ...), where mig: is declared with
    # sh:declare or inside the query itself.
    for predicate in SPARQL_PREDICATES:
        for query in g.objects(None, predicate):
            found |= {MIG[name] for name in mig_names_in_sparql(str(query))}
    return {t for t in found if str(t) != MIG_NS}


USAGE_FILES = [
    *files("ontology", ".ttl"), *files("data", ".ttl"), *files("shapes", ".ttl"),
    *files("queries", ".rq"),
]


# --------------------------------------------------------------------------- parsing and style


@pytest.mark.parametrize("path", files("ontology", ".ttl"), ids=rel)
def test_ontology_file_parses(path: Path) -> None:
    assert len(parse(path)) > 0, f"{rel(path)} is empty"


@pytest.mark.parametrize("path", files("ontology", ".ttl"), ids=rel)
def test_prefixes_sorted(path: Path) -> None:
    prefixes = re.findall(r"^@prefix\s+([\w-]*):", path.read_text(encoding="utf-8"), re.M)
    assert prefixes == sorted(prefixes), f"{rel(path)}: prefixes not sorted: {prefixes}"


# --------------------------------------------------------------------------- term usage


@pytest.mark.parametrize("path", USAGE_FILES, ids=rel)
def test_every_mig_term_used_is_declared(path: Path) -> None:
    if path.suffix == ".rq":
        used = {MIG[n] for n in mig_names_in_sparql(path.read_text(encoding="utf-8"))}
    else:
        try:
            used = mig_terms_in_turtle(path)
        except Exception as exc:  # a file that does not parse cannot be checked
            pytest.fail(f"{rel(path)} does not parse as Turtle: {exc}")
    undeclared = sorted(short(t) for t in used - declared_terms())
    assert not undeclared, (
        f"{rel(path)} uses mig: terms not declared in ontology/migkg.ttl: {undeclared} "
        "(add them to the ontology and docs/modelling-conventions.md, or fix the spelling)"
    )


# --------------------------------------------------------------------------- ontology terms


@pytest.mark.parametrize("name", sorted(REQUIRED_TERMS))
def test_required_term_declared_with_type(name: str) -> None:
    types = set(ontology().objects(MIG[name], RDF.type))
    assert REQUIRED_TERMS[name] in types, f"mig:{name} is not declared as {REQUIRED_TERMS[name]}"


@pytest.mark.parametrize("term", sorted(declared_terms()), ids=short)
def test_term_annotations(term: URIRef) -> None:
    g = ontology()
    labels = en(list(g.objects(term, RDFS.label)))
    definitions = en(list(g.objects(term, SKOS.definition)))
    assert len(labels) == 1, f"{short(term)} needs exactly one rdfs:label@en, has {labels}"
    assert len(definitions) == 1, f"{short(term)} needs exactly one skos:definition@en"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, f"{short(term)} lacks rdfs:isDefinedBy"
    kinds = [t for t in g.objects(term, RDF.type) if t in TERM_TYPES]
    assert len(kinds) == 1, f"{short(term)} must have exactly one OWL term type, has {kinds}"


@pytest.mark.parametrize("term", sorted(declared_terms()), ids=short)
def test_domains_and_ranges_are_declared_or_reused(term: URIRef) -> None:
    g = ontology()
    for predicate in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf):
        for target in g.objects(term, predicate):
            if isinstance(target, URIRef) and str(target).startswith(MIG_NS):
                assert target in declared_terms(), f"{short(term)} {predicate} {target} undeclared"


def test_no_foreign_term_redeclared() -> None:
    g = ontology()
    foreign = sorted(
        str(s) for s in set(g.subjects())
        if isinstance(s, URIRef) and s != ONTOLOGY_IRI and not str(s).startswith(MIG_NS)
    )
    assert not foreign, f"ontology/migkg.ttl describes terms of other vocabularies: {foreign}"


@pytest.mark.parametrize(
    ("sub", "predicate", "sup"),
    [
        (MIG.DocumentaryInstrument, RDFS.subClassOf, MIG.Instrument),
        (MIG.DocumentaryInstrument, RDFS.subClassOf, ELI.Work),
        (MIG.InstitutionalInstrument, RDFS.subClassOf, MIG.Instrument),
        (MIG.InstitutionalInstrument, RDFS.subClassOf, ORG.Organization),
        (MIG.Commitment, RDFS.subClassOf, SKOS.Concept),
        (MIG.Claim, RDFS.subClassOf, PROV.Entity),
        (MIG.HubRecord, RDFS.subClassOf, PROV.Entity),
        (MIG.implements, RDFS.subPropertyOf, MIG.realises),
        (MIG.localizes, RDFS.subPropertyOf, MIG.implements),
        (MIG.DocumentaryInstrument, OWL.disjointWith, MIG.InstitutionalInstrument),
    ],
    ids=lambda x: short(x) if isinstance(x, URIRef) else str(x),
)
def test_axioms_of_the_design(sub: URIRef, predicate: URIRef, sup: URIRef) -> None:
    assert (sub, predicate, sup) in ontology(), f"missing axiom {short(sub)} {predicate} {sup}"


def test_contributes_to_ranges_over_commitments() -> None:
    assert (MIG.contributesTo, RDFS.range, MIG.Commitment) in ontology()


# --------------------------------------------------------------------------- header


def test_header_complete() -> None:
    g = ontology()
    version = package_version()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert en(list(g.objects(ONTOLOGY_IRI, DCTERMS.title))), "dcterms:title@en missing"
    assert en(list(g.objects(ONTOLOGY_IRI, DCTERMS.description))), "dcterms:description@en missing"
    assert (ONTOLOGY_IRI, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert list(g.objects(ONTOLOGY_IRI, DCTERMS.creator)), "dcterms:creator missing"
    assert list(g.objects(ONTOLOGY_IRI, DCTERMS.created)) == [FIXED_DATE]
    assert list(g.objects(ONTOLOGY_IRI, DCTERMS.modified)) == [FIXED_DATE]
    assert list(g.objects(ONTOLOGY_IRI, OWL.versionInfo)) == [Literal(version)], (
        f"owl:versionInfo must equal migkg.__version__ ({version})"
    )
    version_iris = list(g.objects(ONTOLOGY_IRI, OWL.versionIRI))
    assert version_iris == [URIRef(f"{ONTOLOGY_IRI}/{version}")], (
        f"owl:versionIRI must be {ONTOLOGY_IRI}/{version}, is {version_iris}"
    )
    assert list(g.objects(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == [Literal("mig")]
    assert [str(v) for v in g.objects(ONTOLOGY_IRI, VANN.preferredNamespaceUri)] == [MIG_NS]


def test_exactly_one_ontology_header() -> None:
    assert list(ontology().subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


# --------------------------------------------------------------------------- imports


@pytest.mark.parametrize("path", sorted(IMPORTS_DIR.glob("*.ttl")), ids=rel)
def test_import_extract(path: Path) -> None:
    g = parse(path)
    headers = list(g.subjects(RDF.type, OWL.Ontology))
    assert len(headers) == 1, f"{rel(path)}: one owl:Ontology node expected"
    assert list(g.objects(headers[0], DCTERMS.source)), f"{rel(path)}: no dcterms:source"
    for t in TERM_TYPES:
        for term in g.subjects(RDF.type, t):
            assert not str(term).startswith(MIG_NS), f"{rel(path)} declares {short(term)}"
            assert list(g.objects(term, RDFS.label)), f"{rel(path)}: {term} has no rdfs:label"


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (ORG.FormalOrganization, ORG.Organization),
        (MIG.InstitutionalInstrument, ORG.Organization),
        (MIG.DocumentaryInstrument, ELI.Work),
        (MIG.Commitment, SKOS.Concept),
        (MIG.Claim, PROV.Entity),
    ],
    ids=lambda x: short(x),
)
def test_ont_graph_gives_subclass_chain(sub: URIRef, sup: URIRef) -> None:
    """pyshacl's ont_graph = ontology + imports must contain the classes and the chain."""
    g = Graph()
    g += ontology()
    for path in IMPORTS_DIR.glob("*.ttl"):
        g += parse(path)
    assert sup in set(g.transitive_objects(sub, RDFS.subClassOf))
    assert (sup, RDF.type, OWL.Class) in g, f"{sup} not declared in ontology/imports"


# --------------------------------------------------------------------------- schemes


def test_every_expected_scheme_has_a_file() -> None:
    assert {p.stem for p in scheme_files()} == EXPECTED_SCHEMES


@pytest.mark.parametrize("path", scheme_files(), ids=rel)
def test_scheme_file_holds_one_scheme(path: Path) -> None:
    g = parse(path)
    schemes = list(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == [URIRef(SCHEME_NS + path.stem)], (
        f"{rel(path)} must hold exactly one skos:ConceptScheme, <{SCHEME_NS}{path.stem}>; has {schemes}"
    )
    scheme = schemes[0]
    assert len(en(list(g.objects(scheme, SKOS.prefLabel)))) == 1, f"{rel(path)}: scheme prefLabel@en"
    assert len(en(list(g.objects(scheme, SKOS.definition)))) == 1, f"{rel(path)}: scheme definition@en"
    assert list(g.objects(scheme, SKOS.hasTopConcept)), f"{rel(path)}: no skos:hasTopConcept"
    for top in g.objects(scheme, SKOS.hasTopConcept):
        if path.stem != "place":  # place concepts live in data/places/
            assert (top, SKOS.topConceptOf, scheme) in g, f"{short(top)} lacks skos:topConceptOf"


def concept_id(x: Path | URIRef) -> str:
    return short(x) if isinstance(x, URIRef) else rel(x)


@pytest.mark.parametrize(("path", "concept"), scheme_concepts(), ids=concept_id)
def test_concept_hygiene(path: Path, concept: URIRef) -> None:
    g = parse(path)
    scheme = URIRef(SCHEME_NS + path.stem)
    name = short(concept)
    labels = list(g.objects(concept, SKOS.prefLabel))
    assert all(isinstance(v, Literal) and v.language for v in labels), f"{name}: untagged prefLabel"
    per_language = Counter(v.language for v in labels)
    assert per_language["en"] == 1, f"{name} needs exactly one English skos:prefLabel"
    doubles = sorted(lang for lang, n in per_language.items() if n > 1)
    assert not doubles, f"{name} has several prefLabels in {doubles}"
    assert len(en(list(g.objects(concept, SKOS.definition)))) == 1, f"{name}: skos:definition@en"
    assert list(g.objects(concept, SKOS.inScheme)) == [scheme], f"{name} must be in {scheme} only"
    broader = list(g.objects(concept, SKOS.broader))
    is_top = (concept, SKOS.topConceptOf, scheme) in g
    has_top = (scheme, SKOS.hasTopConcept, concept) in g
    assert is_top == has_top, f"{name}: skos:topConceptOf and skos:hasTopConcept disagree"
    assert is_top or broader, f"{name} is neither a top concept nor narrower than another concept"
    assert not (is_top and broader), f"{name} is a top concept with a broader concept"
    for b in broader:
        assert (b, SKOS.inScheme, scheme) in g, f"{name}: broader {short(b)} not in the same scheme"
    expected_ns = {"gcm-objectives": GCMO_NS, "gcm-principles": GCMP_NS}.get(
        path.stem, f"{CONCEPT_NS}{path.stem}/"
    )
    slug = str(concept)[len(expected_ns):]
    assert str(concept).startswith(expected_ns), f"{concept} is not under {expected_ns}"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), f"{concept}: slug is not kebab-case"


@pytest.mark.parametrize("path", scheme_files(), ids=rel)
def test_no_duplicate_preflabel_within_scheme(path: Path) -> None:
    g = parse(path)
    seen: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for concept in g.subjects(RDF.type, SKOS.Concept):
        for label in g.objects(concept, SKOS.prefLabel):
            seen[(str(label).casefold(), label.language)].append(short(concept))
    dupes = {k: v for k, v in seen.items() if len(v) > 1}
    assert not dupes, f"{rel(path)}: same prefLabel on several concepts: {dupes}"


def test_instrument_types_hang_under_documentary_or_institutional() -> None:
    g = parse(SCHEMES_DIR / "instrument-type.ttl")
    it = Namespace(CONCEPT_NS + "instrument-type/")
    tops = {it.documentary, it.institutional}
    assert set(g.subjects(SKOS.topConceptOf, None)) == tops
    for concept in set(g.subjects(RDF.type, SKOS.Concept)) - tops:
        broader = set(g.objects(concept, SKOS.broader))
        assert broader, f"{short(concept)} has no broader type"
        assert broader <= tops, f"{short(concept)} must be directly under documentary or institutional"


def test_governance_levels_ordered() -> None:
    g = parse(SCHEMES_DIR / "governance-level.ttl")
    gl = Namespace(CONCEPT_NS + "governance-level/")
    order = ["global", "interregional", "continental", "regional", "bilateral", "national",
             "subnational", "local"]
    for n, slug in enumerate(order, 1):
        assert list(g.objects(gl[slug], SKOS.notation)) == [Literal(str(n))], f"gl:{slug} notation"
    # the two senses of "regional" are kept apart
    regional = str(en(list(g.objects(gl.regional, SKOS.definition)))[0]).lower()
    subnational = str(en(list(g.objects(gl.subnational, SKOS.definition)))[0]).lower()
    assert "supranational" in regional
    assert "subnational" in regional
    assert "inside one state" in subnational


# --------------------------------------------------------------------------- GCM


def gcm_graph() -> Graph:
    return parse(SCHEMES_DIR / "gcm-objectives.ttl")


def test_exactly_23_objectives() -> None:
    g = gcm_graph()
    objectives = set(g.subjects(RDF.type, SKOS.Concept))
    assert objectives == {URIRef(f"{GCMO_NS}{n}") for n in range(1, 24)}


@pytest.mark.parametrize("n", range(1, 24))
def test_objective(n: int) -> None:
    g = gcm_graph()
    o = URIRef(f"{GCMO_NS}{n}")
    assert (o, RDF.type, MIG.Commitment) in g
    labels = {lbl.language: str(lbl) for lbl in g.objects(o, SKOS.prefLabel)}
    assert set(labels) == {"en", "fr", "es"}, f"gcmo:{n} needs en, fr and es labels: {labels}"
    for lang, label in labels.items():
        assert re.match(rf"{n} [-–] \S", label), f"gcmo:{n}@{lang} label {label!r} lacks the 'n - ' form"
    assert list(g.objects(o, SKOS.notation)) == [Literal(str(n))]
    assert (o, DCTERMS.source, GCM_SOURCE) in g
    assert (o, SKOS.inScheme, URIRef(SCHEME_NS + "gcm-objectives")) in g
    # only VERIFIED facts as statements; inferred ones may only appear in comments
    matches = list(g.objects(o, SKOS.exactMatch))
    if n in VERIFIED_HUB_TERMS:
        assert matches == [URIRef(f"https://migrationnetwork.un.org/taxonomy/term/{278 + n}")]
    else:
        assert not matches, f"gcmo:{n}: Hub term id is UNVERIFIED, no skos:exactMatch allowed"
    paragraphs = list(g.objects(o, MIG.paragraph))
    if n in VERIFIED_PARAGRAPHS:
        assert [p.toPython() for p in paragraphs] == [16 + n]
    else:
        assert not paragraphs, f"gcmo:{n}: paragraph number is UNVERIFIED"
    close = list(g.objects(o, SKOS.closeMatch))
    assert close == ([URIRef("http://metadata.un.org/sdg/10.7")] if n == 23 else [])


def test_objective_23_label() -> None:
    g = gcm_graph()
    labels = {lbl.language: str(lbl) for lbl in g.objects(URIRef(GCMO_NS + "23"), SKOS.prefLabel)}
    assert labels == {"en": "23 - International cooperation", "es": "23 - Cooperación internacional",
                      "fr": "23 – Coopération internationale"}


def test_ten_principles() -> None:
    g = parse(SCHEMES_DIR / "gcm-principles.ttl")
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts == {URIRef(GCMP_NS + s) for s in PRINCIPLE_SLUGS}
    for letter, slug in zip("abcdefghij", PRINCIPLE_SLUGS, strict=True):
        p = URIRef(GCMP_NS + slug)
        assert list(g.objects(p, SKOS.notation)) == [Literal(letter)], f"gcmp:{slug} notation"
        langs = sorted(lbl.language for lbl in g.objects(p, SKOS.prefLabel))
        assert langs == ["en", "es", "fr"], f"gcmp:{slug} labels: {langs}"
        assert (p, DCTERMS.source, GCM_SOURCE) in g
    labels = {str(lbl).casefold() for lbl in g.objects(None, SKOS.prefLabel)}
    assert "global geographic scope" not in labels, "'Global geographic scope' is not a principle"


def test_no_blank_concepts_or_schemes() -> None:
    g = all_schemes()
    for cls in (SKOS.Concept, SKOS.ConceptScheme):
        assert not [s for s in g.subjects(RDF.type, cls) if isinstance(s, BNode)]
