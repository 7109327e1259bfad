"""Benchmark of the researcher views at a thousand instruments: ``python -m benchmarks.views``.

It generates a graph shaped by the shared data contract (PROTOCOL.md; deterministic for ``--seed``):
``--countries`` countries with ISO codes in M49 sub-regions and regions, their states, ``--blas``
bilateral labour agreements between two states with provisions and first-recorded datasets,
``--laws`` national laws, ``--treaties`` conventions with party statuses, GCM objectives with
actions; instruments spread over three named graphs. It then times, on the same graph and the same
SPARQL, migkg's embedded store (pyoxigraph, in process) and rdflib's SPARQL engine (the engine of
rdflib-endpoint) on a share of the graph (``--peer-scale``), and prints Markdown tables with the
ratio rdflib ÷ migkg. No assertion: the
figures are for reading (``benchmarks/VIEWS-RESULTS.md`` keeps a run).

The pages (``--pages``, on by default) are measured against a peer in the same run: each page is
fetched from the app (in process, through its ASGI stack, its view cache emptied before each fetch but
the facets' vocabulary kept), the SPARQL queries that page ran are recorded, and the same queries
are then sent to the app's ``/sparql`` by POST (peer 1: asking the same answer directly) and run on the
store in process (peer 2: the queries alone, so page ÷ in process is what building, assembling and
rendering the view add).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi.testclient import TestClient
from rdflib import Dataset

from migkg.config import Settings
from migkg.stores.base import QueryRequest, Row
from migkg.stores.oxigraph import OxigraphBackend
from migkg.views.cache import ViewCache
from migkg.views.facets import Selection, counts_query, list_query
from migkg.views.instrument_browser import browse, vocabulary

M = "https://w3id.org/migkg/"
PROVISIONS = ("social-security", "skills-recognition", "wages", "recruitment-fees", "housing",
              "return", "training", "health-insurance")
PREFIXES = f"""@prefix mig: <{M}ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix eli: <http://data.europa.eu/eli/ontology#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix place: <{M}concept/place/> . @prefix orgid: <{M}id/org/> . @prefix inst: <{M}id/instrument/> .
@prefix gl: <{M}concept/governance-level/> . @prefix it: <{M}concept/instrument-type/> .
@prefix gcmo: <{M}gcm/objective/> . @prefix cs: <{M}concept/curation-status/> .
@prefix prv: <{M}concept/bla-provision/> . @prefix at: <{M}concept/actor-type/> .
"""


def _code(n: int, letters: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(alphabet[(n // 26 ** k) % 26] for k in range(letters))[::-1]


def generate(seed: int, countries: int, blas: int, laws: int, treaties: int) -> str:
    """The benchmark graph as TriG."""
    rng = random.Random(seed)
    ref, bla, other = [], [], []
    ref.append("place:world skos:prefLabel \"World\"@en .")
    for r in range(5):
        ref.append(f"place:r{r} skos:prefLabel \"Region {r}\"@en ; skos:broader place:world .")
        for s in range(4):
            ref.append(f"place:r{r}s{s} skos:prefLabel \"Sub-region {r}.{s}\"@en ; skos:broader place:r{r} .")
    for c in range(countries):
        ref.append(f"place:c{c} skos:prefLabel \"Country {c}\"@en ; skos:notation \"{_code(c, 2)}\" ; "
                   f"mig:iso3166Alpha2 \"{_code(c, 2)}\" ; mig:iso3166Alpha3 \"{_code(c, 3)}\" ; "
                   f"mig:iso3166Numeric \"{c:03d}\" ; skos:broader place:r{c % 5}s{c % 4} .")
        ref.append(f"orgid:c{c} a org:FormalOrganization ; org:classification at:state ; dcterms:spatial place:c{c} .")
    for o in range(1, 24):
        for a in "abcdefgh":
            ref.append(f"<{M}gcm/objective/{o}/action/{a}> skos:notation \"{o}({a})\" ; skos:broader gcmo:{o} .")
    levels = ("global", "regional", "bilateral", "national")
    for n in range(blas):
        a, b = rng.sample(range(countries), 2)
        provisions = ", ".join(f"prv:{p}" for p in rng.sample(PROVISIONS, rng.randint(1, 4)))
        bla.append(f"inst:bla-{n} a mig:DocumentaryInstrument ; skos:prefLabel \"Agreement {n}\"@en ; "
                   "mig:instrumentType it:bilateral-labour-agreement ; mig:governanceLevel gl:bilateral ; "
                   f"mig:party orgid:c{a}, orgid:c{b} ; eli:jurisdiction place:c{a}, place:c{b} ; "
                   f"eli:date_document \"{rng.randint(1950, 2024)}\"^^xsd:gYear ; mig:provides {provisions} ; "
                   f"mig:firstRecordedIn \"{rng.choice(('CPW (2017)', 'ILO (2015)', 'OECD (2004)'))}\" ; "
                   f"mig:contributesTo <{M}gcm/objective/{rng.randint(1, 23)}/action/{rng.choice('abcdefgh')}> ; "
                   "mig:curationStatus cs:unverified .")
    for n in range(laws):
        c = rng.randrange(countries)
        other.append(f"inst:law-{n} a mig:DocumentaryInstrument ; skos:prefLabel \"Law {n} on migration\"@en ; "
                     f"mig:instrumentType it:law ; mig:governanceLevel gl:national ; mig:issuedBy orgid:c{c} ; "
                     f"eli:jurisdiction place:c{c} ; eli:date_document \"{rng.randint(1950, 2024)}-01-01\"^^xsd:date ; "
                     f"mig:contributesTo gcmo:{rng.randint(1, 23)} ; mig:curationStatus cs:{rng.choice(('verified', 'unverified'))} .")
    for n in range(treaties):
        parties = ", ".join(f"orgid:c{p}" for p in rng.sample(range(countries), min(countries, rng.randint(5, 60))))
        other.append(f"inst:treaty-{n} a mig:DocumentaryInstrument ; skos:prefLabel \"Convention {n}\"@en ; "
                     f"mig:instrumentType it:treaty ; mig:governanceLevel gl:{rng.choice(levels)} ; "
                     f"eli:jurisdiction place:world ; mig:party {parties} ; "
                     f"eli:date_document \"{rng.randint(1950, 2024)}-06-01\"^^xsd:date ; mig:curationStatus cs:verified .")
    graphs = {"bench/reference": ref, "data/imported/bla/agreements": bla, "data/instruments/other": other}
    body = "\n".join(f"<{M}graph/{name}> {{\n" + "\n".join(lines) + "\n}" for name, lines in graphs.items())
    return PREFIXES + body


@dataclass(frozen=True)
class Figure:
    """One measured task: median seconds on each engine."""

    task: str
    migkg_s: float
    rdflib_s: float | None


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(trig: str, repeat: int, with_rdflib: bool) -> list[Figure]:
    """Time the browser's queries on both engines."""
    store = ox.Store()
    store.load(trig.encode(), format=ox.RdfFormat.TRIG)
    backend = OxigraphBackend(store)
    vocab = vocabulary(backend)
    dataset = Dataset(default_union=True)
    if with_rdflib:
        dataset.parse(data=trig, format="trig")
    country = vocab.resolve("country", "AB")  # the second country of the generated list
    selections = {
        "no selection": Selection(),
        "country": Selection(values={"country": (country,)}),
        "country + provision + years": Selection(
            values={"country": (country,), "provision": (vocab.resolve("provision", "wages"),)},
            year_from=1990, year_to=2010),
        "objective (roll-up) + words": Selection(values={"objective": (vocab.resolve("objective", "5"),)},
                                                 text="agreement"),
    }
    figures = [Figure("vocabulary (once per generation)", _median(lambda: vocabulary(backend), repeat), None)]
    for name, selection in selections.items():
        counts = counts_query(selection, vocab.context)
        listed = list_query(selection, vocab.context)
        migkg = _median(lambda s=selection: browse(backend, s, vocab), repeat)  # type: ignore[misc]
        rdflib_s = None
        if with_rdflib:
            rdflib_s = _median(lambda c=counts, li=listed: (list(dataset.query(c)), list(dataset.query(li))),
                               max(1, repeat // 3))
        figures.append(Figure(f"browse: {name}", migkg, rdflib_s))
    backend.select(QueryRequest("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))
    return figures


class _Recording:
    """A backend that records the text of every SELECT it runs (the pages benchmarked use no bindings)."""

    def __init__(self, inner: OxigraphBackend) -> None:
        self.inner, self.queries = inner, []  # type: list[str]

    def select(self, request: QueryRequest, **kwargs: Any) -> list[Row]:
        assert not request.bindings, "a benchmarked page uses bindings: it cannot be replayed as text"
        self.queries.append(request.sparql)
        return self.inner.select(request, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass(frozen=True)
class PageFigure:
    """A page's median time, the median time of the same queries sent to /sparql, and how many."""

    page: str
    page_s: float
    sparql_s: float
    queries: int
    inline_s: float  # the same queries run on the store in process (no HTTP, no serialisation)


PAGES = ("/instruments.json", "/instruments.json?country=AB&provision=wages&year_from=1990&year_to=2010",
         "/instruments?objective=5&q=agreement", "/countries.json", "/countries/AB.json", "/countries/AB",
         "/map.json?measure=blas", "/timeline.json?level=bilateral")


def measure_pages(trig: str, repeat: int) -> list[PageFigure]:
    """Each of :data:`PAGES` against the same queries at /sparql, both through the same app."""
    from migkg.web.app import create_app

    store = ox.Store()
    store.load(trig.encode(), format=ox.RdfFormat.TRIG)
    recording = _Recording(OxigraphBackend(store))
    settings = Settings(root_dir=Path(__file__).resolve().parents[1], client_budget_s=1e9,
                        client_max_parallel=64)
    figures = []
    with TestClient(create_app(settings, recording)) as client:  # type: ignore[arg-type]
        app: Any = client.app
        vocab = vocabulary(recording.inner)

        def cold(path: str) -> None:
            app.state.view_cache = ViewCache()
            app.state.view_cache.get(app.state.store_generation, ("vocabulary",), lambda: vocab)
            response = client.get(path, headers={"Accept": "text/html" if ".json" not in path else "*/*"})
            assert response.status_code == 200, (path, response.text[:200])

        for path in PAGES:
            cold(path)
            recording.queries.clear()
            cold(path)
            queries = list(recording.queries)
            page_s = _median(lambda p=path: cold(p), repeat)  # type: ignore[misc]

            def direct(texts: list[str] = queries) -> None:
                for text in texts:
                    response = client.post("/sparql", data={"query": text},
                                           headers={"Accept": "application/sparql-results+json"})
                    assert response.status_code == 200, response.text[:200]

            def inline(texts: list[str] = queries) -> None:
                for text in texts:
                    recording.inner.select(QueryRequest(text))

            figures.append(PageFigure(path, page_s, _median(direct, repeat), len(queries),
                                      _median(inline, repeat)))
    return figures


def _page_table(title: str, figures: list[PageFigure]) -> None:
    print(f"{title}\n")
    print("| page | page (view cache empty) | its queries at /sparql (POST) | page ÷ /sparql "
          "| the queries in process | page ÷ in process | queries |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for f in figures:
        print(f"| `{f.page}` | {f.page_s * 1000:.0f} ms | {f.sparql_s * 1000:.0f} ms | "
              f"{f.page_s / f.sparql_s:.2f}× | {f.inline_s * 1000:.0f} ms | {f.page_s / f.inline_s:.2f}× | "
              f"{f.queries} |")
    print()


def _table(title: str, figures: list[Figure]) -> None:
    print(f"{title}\n")
    print("| task | migkg (pyoxigraph) | rdflib SPARQL, same queries | rdflib ÷ migkg |")
    print("|---|---:|---:|---:|")
    for f in figures:
        rdflib = f"{f.rdflib_s * 1000:.0f} ms" if f.rdflib_s is not None else "–"
        ratio = f"{f.rdflib_s / f.migkg_s:.0f}×" if f.rdflib_s else "–"
        print(f"| {f.task} | {f.migkg_s * 1000:.1f} ms | {rdflib} | {ratio} |")
    print()


def main() -> None:
    """Generate, measure, print the Markdown tables: migkg alone at full size, both engines at
    ``--peer-scale`` of it (rdflib takes minutes per query at full size)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--blas", type=int, default=1222)
    parser.add_argument("--laws", type=int, default=250)
    parser.add_argument("--treaties", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-pages", action="store_true", help="skip the pages vs /sparql table")
    parser.add_argument("--peer-scale", type=float, default=0.0,
                        help="size of the graph both engines run, as a share of the full one (0, the "
                             "default, skips rdflib: at 0.1 its counts query ran past 9 minutes)")
    args = parser.parse_args()
    sizes = (args.blas, args.laws, args.treaties)
    trig = generate(args.seed, args.countries, *sizes)
    head = (f"(`python -m benchmarks.views`, seed {args.seed}, median of {args.repeat})")
    _table(f"### Researcher views: {sum(sizes)} instruments, {args.countries} countries {head}",
           measure(trig, args.repeat, with_rdflib=False))
    if not args.no_pages:
        _page_table(f"### Pages vs the same queries at /sparql: {sum(sizes)} instruments {head}",
                    measure_pages(trig, args.repeat))
    if args.peer_scale > 0:
        small = tuple(max(1, int(n * args.peer_scale)) for n in sizes)
        countries = max(10, int(args.countries * args.peer_scale))
        _table(f"### Side by side: {sum(small)} instruments, {countries} countries {head}",
               measure(generate(args.seed, countries, *small), args.repeat, with_rdflib=True))


if __name__ == "__main__":
    main()
