"""The load benchmark: migkg vs rdflib-endpoint vs the native Oxigraph server, same data, same queries.

    python -m benchmarks.run                       # 10k and 100k triples (≈10 min), writes RESULTS.md
    python -m benchmarks.run --sizes 10k,100k,1m   # adds the 1M graph
    python -m benchmarks.run --duration 2 --sizes 10k --servers migkg,oxigraph   # a quick look

Everything runs on 127.0.0.1; each scenario is bounded by time (``--duration``) and request count.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import threading
import time
from pathlib import Path

import httpx

from benchmarks import generate, report
from benchmarks.loadgen import LoadResult, load, wrk, wrk_available
from benchmarks.servers import HOST, Server, start_migkg, start_oxigraph, start_rdflib_endpoint

log = logging.getLogger("benchmarks")

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
ACCEPT = "application/sparql-results+json"
PREFIXES = ("PREFIX mig: <https://w3id.org/migkg/ontology#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX eli: <http://data.europa.eu/eli/ontology#> "
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX org: <http://www.w3.org/ns/org#> ")
HEAVY = (PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?a mig:governanceLevel ?l . ?b mig:governanceLevel ?l . "
         "?c mig:instrumentType ?t }")
SCENARIOS = ("lookup", "join", "path", "aggregate", "lookup during heavy query")


def queries(size: int) -> dict[str, list[str]]:
    """The SPARQL texts of each scenario (several variants, cycled through)."""
    instruments = max(size // generate.TRIPLES_PER_INSTRUMENT, 10)
    picks = [(i * 7919) % instruments for i in range(200)]
    lookup = [f"SELECT ?p ?o WHERE {{ <{generate.instrument_iri(i)}> ?p ?o }}" for i in picks]
    join = [PREFIXES + "SELECT ?i ?label ?org WHERE { ?i mig:governanceLevel "
            f"<https://w3id.org/migkg/concept/governance-level/{level}> ; mig:issuedBy ?org ; "
            "eli:date_document ?d ; skos:prefLabel ?label . ?org mig:basedIn ?place . "
            f'FILTER(?d >= "{year}-01-01"^^xsd:date && ?d < "{year + 1}-01-01"^^xsd:date && '
            'LANGMATCHES(LANG(?label), "en")) } LIMIT 100'
            for level in generate.LEVELS for year in range(2000, 2020, 2)]
    path = [PREFIXES + f"SELECT ?top ?objective WHERE {{ <{generate.instrument_iri(i)}> "
            "mig:implements+ ?top . OPTIONAL { ?top mig:realises ?objective } }" for i in picks]
    aggregate = [PREFIXES + "SELECT ?level (COUNT(?i) AS ?n) WHERE { ?i mig:governanceLevel ?level } "
                 "GROUP BY ?level ORDER BY DESC(?n)"]
    return {"lookup": lookup, "join": join, "path": path, "aggregate": aggregate,
            "lookup during heavy query": lookup}


def _heavy(server: Server, seconds: float) -> threading.Thread:
    def run() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(server.base_url + server.query_path(HEAVY), timeout=seconds,
                      headers={"accept": ACCEPT})

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def measure(server: Server, size: int, args: argparse.Namespace) -> dict[str, LoadResult]:
    """Every scenario against one running server (the heavy query last: it may never end)."""
    results: dict[str, LoadResult] = {}
    for scenario, texts in queries(size).items():
        paths = [server.query_path(t) for t in texts]
        load(HOST, server.port, paths, accept=ACCEPT, connections=2, duration_s=0.5, max_requests=50)
        if scenario == "lookup during heavy query":
            _heavy(server, args.duration + 10)
            time.sleep(1.0)
        results[scenario] = load(HOST, server.port, paths, accept=ACCEPT, connections=args.connections,
                                 duration_s=args.duration, max_requests=args.max_requests)
        log.info("%s %s: %.0f req/s, p95 %.1f ms", server.name, scenario, results[scenario].rps,
                 results[scenario].p95_ms)
        if scenario == "lookup" and args.wrk and wrk_available():
            results["lookup (wrk)"] = wrk(server.base_url, paths, accept=ACCEPT,
                                          connections=args.connections, duration_s=args.duration)
    return results


STARTERS = {"migkg": start_migkg, "rdflib-endpoint": start_rdflib_endpoint, "oxigraph": start_oxigraph}


def run_size(label: str, args: argparse.Namespace) -> dict[str, dict[str, LoadResult]]:
    """Generate (once) the graph of one size, then measure each server in turn."""
    data = args.work / label
    if not (data / "dataset.nq").exists():
        log.info("generating %s triples in %s", label, data)
        generate.write(data, SIZES[label], args.seed)
    by_server: dict[str, dict[str, LoadResult]] = {}
    for name in args.servers:
        if name == "rdflib-endpoint" and SIZES[label] > args.rdflib_max:
            continue
        log.info("starting %s on %s", name, label)
        server = (start_migkg(data, data, args.duration + 30) if name == "migkg"
                  else STARTERS[name](data, data))  # type: ignore[operator]
        try:
            by_server[name] = measure(server, SIZES[label], args)
        finally:
            server.stop()
    return by_server


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--servers", default="migkg,rdflib-endpoint,oxigraph")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per scenario")
    parser.add_argument("--max-requests", type=int, default=300_000, help="requests per scenario at most")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rdflib-max", type=int, default=100_000, help="largest graph for rdflib-endpoint")
    parser.add_argument("--no-wrk", dest="wrk", action="store_false", help="skip the wrk cross-check")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args()
    args.sizes = [s.strip().lower() for s in args.sizes.split(",")]
    args.servers = [s.strip() for s in args.servers.split(",")]
    return args


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args = parse_args()
    started = dt.datetime.now(dt.UTC)
    results = {label: run_size(label, args) for label in args.sizes}
    existing = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    args.results.write_text(report.merge(existing, report.render(results, args, started)), encoding="utf-8")
    log.info("wrote %s", args.results)


if __name__ == "__main__":
    main()
