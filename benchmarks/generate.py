"""Synthetic migkg projects for the benchmarks: records the shapes accept, and known violations on demand.

Deterministic for a seed. Instruments (documentary and institutional; some bilateral, with two state
parties) with a type, a governance level, an issuer, a jurisdiction, a date, English and French
labels, themes, a target group, a legal nature, a source and a curation status, all in the real
schemes; issuers nested in organisations (the first ten are states); places in a ``skos:broader``
hierarchy; chains of ``mig:implements`` of length 1–10 (dated so that no instrument implements a later
one) whose heads ``mig:realises`` a GCM objective; ``mig:localizes`` from a place to its parent's
instrument; ``mig:contributesTo`` GCM objectives; one claim per instrument (its issuer, stated in a
source, with the evidence sentence). The graph conforms to ``shapes/`` (no Violation, no Warning).

``violations=N`` adds ``data/synthetic/injected.ttl``: N records per rule in :data:`RULES`, each
breaking exactly that rule (its ``sh:sourceShape`` and focus nodes are written to ``expected.json``),
so a benchmark can check that every injected violation was found, and nothing else.

Written as a migkg project (``project/``: a copy of the repository's ``ontology/``, ``shapes/`` and
``queries/``, and ``data/synthetic/<part>.ttl``, one named graph per file as ``migkg build`` makes them)
and as one N-Quads file of the same graphs (``dataset.nq``) for the other servers.

    python -m benchmarks.generate --triples 100000 --out build/bench/100k [--violations 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

BASE = "https://w3id.org/migkg/"
MIG = BASE + "ontology#"
ID = BASE + "id/"
CONCEPT = BASE + "concept/"
SCHEME = BASE + "scheme/"
MIGSH = BASE + "shapes#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ELI = "http://data.europa.eu/eli/ontology#"
ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATE = XSD + "date"
LEVELS = ("global", "regional", "national", "subnational", "local")
TYPES = ("treaty", "law", "regulation", "policy-framework", "national-strategy", "strategic-plan",
         "action-plan", "declaration", "guideline", "programme")
INSTITUTIONAL_TYPES = ("observatory", "coordination-body", "fund")
THEMES = ("data", "adverse-drivers", "information", "legal-identity", "regular-pathways", "decent-work",
          "vulnerabilities", "missing-migrants", "smuggling", "trafficking", "border-management",
          "basic-services", "health", "inclusion", "skills")
TARGET_GROUPS = ("migrants", "documented-migrants", "migrant-workers", "women-migrants", "diaspora")
LEGAL_NATURES = ("binding", "non-binding", "mixed")
PARTS = ("places", "actors", "instruments", "chains", "claims")
STATES = 10  # organisations o0 … o9 are states (org:classification at:state)
TRIPLES_PER_INSTRUMENT = 23  # instrument 15, claim 7, chains/links/actors/places ≈ 1: sizes the graph
REPO = Path(__file__).resolve().parents[1]
COPIED = ("ontology", "shapes", "queries")  # from the repository into every generated project


@dataclass(frozen=True)
class Quad:
    """One statement; ``obj`` is already written in N-Triples syntax."""

    s: str
    p: str
    obj: str
    part: str


def iri(value: str) -> str:
    return f"<{value}>"


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text + (f"@{lang}" if lang else "") + (f"^^<{datatype}>" if datatype else "")


def instrument_iri(i: int | str) -> str:
    """IRI of the i-th instrument (used by the benchmark's queries too)."""
    return f"{ID}instrument/i{i}"


def org_iri(o: int) -> str:
    return f"{ID}org/o{o}"


def place_iri(p: int | str) -> str:
    return f"{CONCEPT}place/p{p}"


def _date(year: int, rng: random.Random) -> str:
    return literal(f"{year}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}", datatype=XSD_DATE)


Record = dict[str, list[str]]  # predicate IRI -> objects in N-Triples syntax


def _emit(subject: str, record: Record, part: str) -> Iterator[Quad]:
    for predicate, objects in record.items():
        for obj in objects:
            yield Quad(subject, predicate, obj, part)


def _places(places: int) -> Iterator[Quad]:
    for p in range(places):
        record: Record = {
            RDF_TYPE: [iri(SKOS + "Concept"), iri(ELI + "AdministrativeArea")],
            SKOS + "prefLabel": [literal(f"Place {p}", "en")],
            SKOS + "inScheme": [iri(SCHEME + "place")],
        }
        if p:
            record[SKOS + "broader"] = [iri(place_iri((p - 1) // 4))]
        yield from _emit(place_iri(p), record, "places")


def _actors(orgs: int, places: int, rng: random.Random) -> Iterator[Quad]:
    for o in range(orgs):
        record: Record = {
            RDF_TYPE: [iri(ORG + "FormalOrganization")],
            SKOS + "prefLabel": [literal(f"Organisation {o}", "en")],
            DCT + "spatial": [iri(place_iri(rng.randrange(places)))],  # as data/actors has it
        }
        if o < STATES:
            record[ORG + "classification"] = [iri(CONCEPT + "actor-type/state")]
        else:
            record[ORG + "subOrganizationOf"] = [iri(org_iri(rng.randrange(o // 2)))]
        yield from _emit(org_iri(o), record, "actors")


def instrument_record(i: int | str, year: int, orgs: int, places: int, rng: random.Random,
                      kind: str = "documentary") -> Record:
    """A record the shapes accept: ``kind`` is documentary, institutional or bilateral."""
    institutional = kind == "institutional"
    record: Record = {
        RDF_TYPE: [iri(MIG + ("InstitutionalInstrument" if institutional else "DocumentaryInstrument"))],
        SKOS + "prefLabel": [literal(f"Instrument {i}", "en"), literal(f"Instrument {i} (fr)", "fr")],
        MIG + "instrumentType": [iri(CONCEPT + "instrument-type/" + (
            rng.choice(INSTITUTIONAL_TYPES) if institutional
            else "bilateral-agreement" if kind == "bilateral" else rng.choice(TYPES)))],
        MIG + "governanceLevel": [iri(CONCEPT + "governance-level/" + (
            "bilateral" if kind == "bilateral" else rng.choice(LEVELS)))],
        MIG + "issuedBy": [iri(org_iri(rng.randrange(orgs)))],
        ELI + "jurisdiction": [iri(place_iri(rng.randrange(places)))],
        ELI + "date_document": [_date(year, rng)],
        MIG + "theme": [iri(f"{CONCEPT}theme/{t}") for t in rng.sample(THEMES, 2)],
        MIG + "targetGroup": [iri(f"{CONCEPT}target-group/{rng.choice(TARGET_GROUPS)}")],
        DCT + "source": [iri(f"https://example.org/source/{i}")],
        MIG + "curationStatus": [iri(CONCEPT + "curation-status/verified")],
    }
    if not institutional:
        record[MIG + "legalNature"] = [iri(f"{CONCEPT}legal-nature/{rng.choice(LEGAL_NATURES)}")]
    if kind == "bilateral":
        record[MIG + "party"] = [iri(org_iri(o)) for o in rng.sample(range(STATES), 2)]
    return record


def claim_record(claim: int | str, subject: str, predicate: str, obj: str) -> Record:
    """A complete claim, stated in a source (its triple must be asserted for the graph to conform)."""
    return {
        RDF_TYPE: [iri(MIG + "Claim")],
        MIG + "claimSubject": [iri(subject)],
        MIG + "claimPredicate": [iri(predicate)],
        MIG + "claimObject": [obj],
        MIG + "evidenceText": [literal(f"Claim {claim}: the instrument was issued by this body.", "en")],
        MIG + "assertionMethod": [iri(CONCEPT + "assertion-method/stated-in-source")],
        DCT + "source": [iri(f"https://example.org/evidence/{claim}")],
    }


def _kind(i: int) -> str:
    return {5: "bilateral", 7: "institutional"}.get(i % 10, "documentary")


def _chains(instruments: int, rng: random.Random) -> tuple[dict[int, int], list[Quad]]:
    """The year of every instrument and the chain quads: ``a implements a+1``, the head realises an
    objective; an instrument is dated no earlier than the one it implements."""
    years: dict[int, int] = {}
    quads: list[Quad] = []
    i = 0
    while i < instruments:
        members = list(range(i, min(i + rng.randint(1, 10), instruments)))
        base = 1990 + rng.randrange(25)
        for position, member in enumerate(reversed(members)):  # the head (last) is the earliest
            years[member] = base + position
        objective = f"{BASE}gcm/objective/{1 + rng.randrange(23)}"
        quads.append(Quad(instrument_iri(members[-1]), MIG + "realises", iri(objective), "chains"))
        for a, b in itertools.pairwise(members):
            quads.append(Quad(instrument_iri(a), MIG + "implements", iri(instrument_iri(b)), "chains"))
        i += len(members)
    return years, quads


def generate(triples: int, seed: int = 42) -> Iterator[Quad]:
    """About ``triples`` statements shaped like the real model, all accepted by the shapes."""
    rng = random.Random(seed)
    instruments = max(triples // TRIPLES_PER_INSTRUMENT, 10)
    orgs, places = max(instruments // 20, 20), max(instruments // 50, 50)
    yield from _places(places)
    yield from _actors(orgs, places, rng)
    years, chain_quads = _chains(instruments, rng)
    first_at: dict[str, tuple[int, int]] = {}  # jurisdiction -> (first instrument there, its year)
    # An instrument localizes the first one of its parent place adopted in an earlier year (a later
    # day of the same year would break the temporal order).
    for i in range(instruments):
        record = instrument_record(i, years[i], orgs, places, rng, _kind(i))
        yield from _emit(instrument_iri(i), record, "instruments")
        place = record[ELI + "jurisdiction"][0][1:-1]
        first_at.setdefault(place, (i, years[i]))
        parent = (int(place.rsplit("/p", 1)[1]) - 1) // 4
        target = first_at.get(place_iri(parent)) if place != place_iri(0) else None
        if i % 25 == 3 and target is not None and target[0] != i and target[1] < years[i]:
            yield Quad(instrument_iri(i), MIG + "localizes", iri(instrument_iri(target[0])), "chains")
        if i % 4 == 0:
            yield Quad(instrument_iri(i), MIG + "contributesTo",
                       iri(f"{BASE}gcm/objective/{1 + i % 23}"), "chains")
        issuer = record[MIG + "issuedBy"][0]
        yield from _emit(f"{ID}claim/c{i}", claim_record(i, instrument_iri(i), MIG + "issuedBy", issuer),
                         "claims")
    yield from chain_quads


# --- injected violations: one function per rule, each record breaks exactly that rule -------------

Injected = tuple[list[Quad], list[str]]  # the quads, and the focus nodes the rule reports


def _instrument(name: str, rng: random.Random, kind: str = "documentary", year: int = 2000,
                **changes: list[str]) -> tuple[str, Record]:
    record = instrument_record(name, year, STATES, 50, rng, kind)
    for key, objects in changes.items():
        predicate = {"type": RDF_TYPE, "label": SKOS + "prefLabel"}.get(key, MIG + key)
        if key in ("jurisdiction", "date_document"):
            predicate = ELI + key
        if key == "source":
            predicate = DCT + "source"
        record[predicate] = objects
    return instrument_iri(name), record


def _single(name: str, rng: random.Random, kind: str = "documentary", **changes: list[str]) -> Injected:
    s, record = _instrument(name, rng, kind, **changes)
    return list(_emit(s, record, "injected")), [s]


def _linked(name: str, rng: random.Random, predicate: str, *, later: bool = False,
            elsewhere: bool = False, back: bool = False) -> Injected:
    """Instrument ``a`` relates to ``b`` by ``predicate`` (``b`` dated later, ``a``'s jurisdiction not
    within ``b``'s, or ``b`` relating back), both otherwise conforming."""
    a, record_a = _instrument(name + "-a", rng, year=2000, jurisdiction=[iri(place_iri(1))])
    b, record_b = _instrument(name + "-b", rng, year=2010 if later else 2000,
                              jurisdiction=[iri(place_iri(2 if elsewhere else 0))])
    record_a[ELI + "date_document"] = [literal("2000-06-01", datatype=XSD_DATE)]
    if not later:
        record_b[ELI + "date_document"] = [literal("2000-06-01", datatype=XSD_DATE)]
    record_a[predicate] = [iri(b)]
    if back:
        record_b[predicate] = [iri(a)]
    quads = [*_emit(a, record_a, "injected"), *_emit(b, record_b, "injected")]
    return quads, [a, b] if back else [a]


def _claim(name: str, rng: random.Random, *, asserted: bool, evidence: bool) -> Injected:
    s, record = _instrument(name, rng)
    issuer = record[MIG + "issuedBy"][0]
    claim = claim_record(name, s, MIG + "issuedBy", issuer if asserted else iri(org_iri(STATES + 1)))
    if not evidence:
        del claim[MIG + "evidenceText"]
    focus = f"{ID}claim/{name}"
    return [*_emit(s, record, "injected"), *_emit(focus, claim, "injected")], [focus]


def _concept(name: str, rdf_type: str, labels: list[str], extra: Record) -> Injected:
    s = f"{CONCEPT}place/{name}" if rdf_type == "concept" else f"{SCHEME}{name}"
    record: Record = {SKOS + "prefLabel": labels, **extra}
    return list(_emit(s, record, "injected")), [s]


def _it(name: str) -> str:
    return iri(f"{CONCEPT}instrument-type/{name}")


RULES: dict[str, Callable[[str, random.Random], Injected]] = {
    "Requirement-01-InstrumentCore-label": lambda n, r: _single(
        n, r, label=[literal(f"Instrument {n}", "en"), literal(f"Instrument {n}, again", "en")]),
    "Requirement-01-InstrumentCore-instrumentType": lambda n, r: _single(
        n, r, instrumentType=[_it("law"), _it("regulation")]),
    "Requirement-01-InstrumentCore-governanceLevel": lambda n, r: _single(
        n, r, governanceLevel=[iri(CONCEPT + "governance-level/planetary")]),
    "Requirement-01-InstrumentCore-issuedBy": lambda n, r: _single(
        n, r, issuedBy=[literal("the ministry")]),
    "Requirement-01-InstrumentCore-jurisdiction": lambda n, r: _single(
        n, r, jurisdiction=[literal("the country")]),
    "Requirement-01-InstrumentCore-dateDocument": lambda n, r: _single(
        n, r, date_document=[literal("2001", datatype=XSD + "gYear")]),
    "Requirement-01-InstrumentCore-source": lambda n, r: _single(
        n, r, source=[literal("the ministry website")]),
    "Requirement-01-InstrumentCore-curationStatus": lambda n, r: _single(
        n, r, curationStatus=[iri(CONCEPT + "curation-status/draft")]),
    "Requirement-01-InstrumentCore-legalNature": lambda n, r: _single(
        n, r, legalNature=[iri(f"{CONCEPT}legal-nature/binding"), iri(f"{CONCEPT}legal-nature/mixed")]),
    "Requirement-01-InstrumentCore-theme": lambda n, r: _single(
        n, r, theme=[iri(CONCEPT + "theme/not-a-theme")]),
    "Requirement-01-InstrumentCore-targetGroup": lambda n, r: _single(
        n, r, targetGroup=[iri(CONCEPT + "target-group/not-a-group")]),
    "Requirement-02-NoSelfRelation": lambda n, r: _self_citing(n, r),
    "Requirement-03-TemporalOrder": lambda n, r: _linked(n, r, MIG + "implements", later=True),
    "Requirement-04-BilateralParties-party": lambda n, r: _single(
        n, r, "bilateral", party=[iri(org_iri(0))]),
    "Requirement-05-LocalizesContainment": lambda n, r: _linked(n, r, MIG + "localizes", elsewhere=True),
    "Requirement-06-TypeMatchesClass": lambda n, r: _single(
        n, r, type=[iri(MIG + "Instrument")], instrumentType=[_it("observatory")], legalNature=[]),
    "Requirement-07-ContributesToCommitment-commitment": lambda n, r: _single(
        n, r, contributesTo=[iri(CONCEPT + "theme/health")]),
    "Requirement-08-ConceptHygiene-englishLabel": lambda n, r: _concept(
        n, "concept", [literal(f"Lieu {n}", "fr")],
        {RDF_TYPE: [iri(SKOS + "Concept"), iri(ELI + "AdministrativeArea")],
         SKOS + "inScheme": [iri(SCHEME + "place")]}),
    "Requirement-08-SchemeHygiene-englishLabel": lambda n, r: _concept(
        n, "scheme", [literal(f"Schéma {n}", "fr")], {RDF_TYPE: [iri(SKOS + "ConceptScheme")]}),
    "Requirement-09-NoReplacesCycle": lambda n, r: _linked(n, r, DCT + "replaces", back=True),
    "Requirement-10-ClaimCore-evidenceText": lambda n, r: _claim(n, r, asserted=True, evidence=False),
    "Requirement-10-ClaimTripleAsserted": lambda n, r: _claim(n, r, asserted=False, evidence=True),
}


def _self_citing(name: str, rng: random.Random) -> Injected:
    s, record = _instrument(name, rng)
    record[ELI + "cites"] = [iri(s)]
    return list(_emit(s, record, "injected")), [s]


def inject(per_rule: int, seed: int = 42) -> tuple[list[Quad], dict[str, list[str]]]:
    """``per_rule`` records breaking each rule of :data:`RULES`; the quads and, per source shape
    (full IRI), the focus nodes it must report (one entry per expected result)."""
    rng = random.Random(seed + 1)
    quads: list[Quad] = []
    expected: dict[str, list[str]] = {}
    for rule, make in RULES.items():
        for n in range(per_rule):
            name = f"bad-{rule.removeprefix('Requirement-').lower()}-{n}"
            made, focus = make(name, rng)
            quads += made
            expected.setdefault(MIGSH + rule, []).extend(focus)
    return quads, expected


def graph_iri(part: str) -> str:
    """The named graph ``migkg build`` gives ``data/synthetic/<part>.ttl``."""
    return f"{BASE}graph/data/synthetic/{part}"


def copy_repository_parts(project: Path) -> None:
    """The repository's ontology (with its schemes), shapes and queries, into ``project``."""
    for name in COPIED:
        target = project / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(REPO / name, target, ignore=shutil.ignore_patterns("*.md"))


# Bumped when the generated data changes (a benchmark remakes a graph made by another version).
# 2: organisations located by dcterms:spatial (as data/actors has it), not the unknown mig:basedIn.
VERSION = 2


def write(out: Path, triples: int, seed: int = 42, violations: int = 0) -> int:
    """Write ``out/project/`` (ontology, shapes, queries, ``data/synthetic/*.ttl``), ``out/dataset.nq``
    (every graph of the project) and ``out/expected.json`` (the injected violations); return the
    number of generated data quads (injected ones included)."""
    project = out / "project"
    folder = project / "data" / "synthetic"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    copy_repository_parts(project)
    injected, expected = inject(violations, seed) if violations else ([], {})
    parts = (*PARTS, "injected") if injected else PARTS
    files = {part: (folder / f"{part}.ttl").open("w", encoding="utf-8") for part in parts}
    count = 0
    for q in itertools.chain(generate(triples, seed), injected):
        files[q.part].write(f"<{q.s}> <{q.p}> {q.obj} .\n")
        count += 1
    for handle in files.values():
        handle.close()
    (out / "expected.json").write_text(json.dumps(
        {"generator": VERSION, "triples": triples, "seed": seed, "violations_per_rule": violations,
         "results": expected},
        indent=1), encoding="utf-8")
    _write_nquads(project, out / "dataset.nq")
    return count


def _write_nquads(project: Path, target: Path) -> None:
    """Every Turtle file of ``project`` in its named graph (as ``migkg build`` names them), as N-Quads."""
    import pyoxigraph as ox

    from migkg.namespaces import graph_iri_for

    with target.open("wb") as nq:
        for path in sorted(project.rglob("*.ttl")):
            graph = ox.NamedNode(graph_iri_for(path.relative_to(project).as_posix()))
            quads = (ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE))
            ox.serialize(quads, nq, format=ox.RdfFormat.N_QUADS)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--violations", type=int, default=0, help="records breaking each rule")
    parser.add_argument("--out", type=Path, default=Path("build/bench/100k"))
    args = parser.parse_args()
    print(f"wrote {write(args.out, args.triples, args.seed, args.violations)} quads to {args.out}")


if __name__ == "__main__":
    main()
