"""Synthetic graphs shaped like migkg's data, for the load benchmark (deterministic for a seed).

Instruments with a type, a governance level, an issuer, a jurisdiction, a date, labels and themes;
issuers nested in organisations; places in a broader hierarchy; chains of ``mig:implements`` of length
1–10 whose heads ``mig:realises`` a GCM objective; claims (reified statements with a source). Written
as a migkg project (``data/synthetic/<part>.ttl``: one named graph per file, as ``migkg build`` makes
them) and as one N-Quads file with the same graph names for the other servers.

    python -m benchmarks.generate --triples 100000 --out build/bench/100k
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BASE = "https://w3id.org/migkg/"
MIG = BASE + "ontology#"
ID = BASE + "id/"
CONCEPT = BASE + "concept/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ELI = "http://data.europa.eu/eli/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
LEVELS = ("global", "regional", "national", "subnational", "local")
TYPES = ("treaty", "law", "regulation", "policy", "strategy", "action-plan", "declaration",
         "agreement", "guideline", "programme")
PARTS = ("concepts", "actors", "instruments", "chains", "claims")
TRIPLES_PER_INSTRUMENT = 15  # about: instrument 10, chain 1.5, claim 4 — used to size the graph


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


def instrument_iri(i: int) -> str:
    """IRI of the i-th instrument (used by the benchmark's queries too)."""
    return f"{ID}instrument/i{i}"


def _concepts(places: int) -> Iterator[Quad]:
    for name in (*LEVELS, *TYPES):
        kind = "governance-level" if name in LEVELS else "instrument-type"
        yield Quad(f"{CONCEPT}{kind}/{name}", SKOS + "prefLabel", literal(name, "en"), "concepts")
    for p in range(places):
        place = f"{CONCEPT}place/p{p}"
        yield Quad(place, RDF_TYPE, iri(SKOS + "Concept"), "concepts")
        yield Quad(place, SKOS + "prefLabel", literal(f"Place {p}", "en"), "concepts")
        if p:
            yield Quad(place, SKOS + "broader", iri(f"{CONCEPT}place/p{(p - 1) // 4}"), "concepts")


def _actors(orgs: int, places: int, rng: random.Random) -> Iterator[Quad]:
    for o in range(orgs):
        org = f"{ID}org/o{o}"
        yield Quad(org, RDF_TYPE, iri(ORG + "Organization"), "actors")
        yield Quad(org, SKOS + "prefLabel", literal(f"Organisation {o}", "en"), "actors")
        yield Quad(org, MIG + "basedIn", iri(f"{CONCEPT}place/p{rng.randrange(places)}"), "actors")
        if o >= 10:
            yield Quad(org, ORG + "subOrganizationOf", iri(f"{ID}org/o{rng.randrange(o // 2)}"), "actors")


def _instrument(i: int, orgs: int, places: int, rng: random.Random) -> Iterator[Quad]:
    s = instrument_iri(i)
    year = 1990 + rng.randrange(35)
    yield Quad(s, RDF_TYPE, iri(MIG + "Instrument"), "instruments")
    yield Quad(s, MIG + "instrumentType", iri(f"{CONCEPT}instrument-type/{rng.choice(TYPES)}"), "instruments")
    yield Quad(s, MIG + "governanceLevel", iri(f"{CONCEPT}governance-level/{rng.choice(LEVELS)}"),
               "instruments")
    yield Quad(s, MIG + "issuedBy", iri(f"{ID}org/o{rng.randrange(orgs)}"), "instruments")
    yield Quad(s, ELI + "jurisdiction", iri(f"{CONCEPT}place/p{rng.randrange(places)}"), "instruments")
    yield Quad(s, ELI + "date_document",
               literal(f"{year}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}", datatype=XSD_DATE),
               "instruments")
    yield Quad(s, SKOS + "prefLabel", literal(f"Instrument {i}", "en"), "instruments")
    yield Quad(s, SKOS + "prefLabel", literal(f"Instrument {i} (fr)", "fr"), "instruments")
    for theme in rng.sample(range(30), 2):
        yield Quad(s, MIG + "theme", iri(f"{CONCEPT}theme/t{theme}"), "instruments")


def _chains(instruments: int, rng: random.Random) -> Iterator[Quad]:
    i = 0
    while i < instruments:
        length = rng.randint(1, 10)
        members = list(range(i, min(i + length, instruments)))
        head = members[-1]
        objective = f"{BASE}gcm/objective/{1 + rng.randrange(23)}"
        yield Quad(instrument_iri(head), MIG + "realises", iri(objective), "chains")
        for a, b in itertools.pairwise(members):
            yield Quad(instrument_iri(a), MIG + "implements", iri(instrument_iri(b)), "chains")
        i += length


def _claims(instruments: int, rng: random.Random) -> Iterator[Quad]:
    for i in range(instruments):
        claim = f"{ID}claim/c{i}"
        yield Quad(claim, RDF_TYPE, iri(MIG + "Claim"), "claims")
        yield Quad(claim, MIG + "about", iri(instrument_iri(i)), "claims")
        source = f"https://example.org/source/{rng.randrange(10 * instruments)}"
        yield Quad(claim, MIG + "source", iri(source), "claims")
        yield Quad(claim, MIG + "statement", literal(f"Instrument {i} applies to migrants", "en"), "claims")


def generate(triples: int, seed: int = 42) -> Iterator[Quad]:
    """About ``triples`` statements shaped like the real model."""
    rng = random.Random(seed)
    instruments = max(triples // TRIPLES_PER_INSTRUMENT, 10)
    orgs, places = max(instruments // 20, 20), max(instruments // 50, 50)
    yield from _concepts(places)
    yield from _actors(orgs, places, rng)
    for i in range(instruments):
        yield from _instrument(i, orgs, places, rng)
    yield from _chains(instruments, rng)
    yield from _claims(instruments, rng)


def graph_iri(part: str) -> str:
    """The named graph ``migkg build`` gives ``data/synthetic/<part>.ttl``."""
    return f"{BASE}graph/data/synthetic/{part}"


def write(out: Path, triples: int, seed: int = 42) -> int:
    """Write ``out/project/data/synthetic/*.ttl`` and ``out/dataset.nq``; return the quad count."""
    folder = out / "project" / "data" / "synthetic"
    folder.mkdir(parents=True, exist_ok=True)
    files = {part: (folder / f"{part}.ttl").open("w", encoding="utf-8") for part in PARTS}
    count = 0
    with (out / "dataset.nq").open("w", encoding="utf-8") as nq:
        for q in generate(triples, seed):
            line = f"<{q.s}> <{q.p}> {q.obj}"
            files[q.part].write(line + " .\n")
            nq.write(f"{line} <{graph_iri(q.part)}> .\n")
            count += 1
    for handle in files.values():
        handle.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("build/bench/100k"))
    args = parser.parse_args()
    print(f"wrote {write(args.out, args.triples, args.seed)} quads to {args.out}")


if __name__ == "__main__":
    main()
