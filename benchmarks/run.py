"""The load benchmark: migkg vs rdflib-endpoint vs the Oxigraph server, and migkg in front of remote stores.

    python -m benchmarks.run                       # 10k and 100k triples (≈13 min), writes RESULTS.md
    python -m benchmarks.run --sizes 1m --servers migkg,oxigraph   # the 1M graph (its own block)
    python -m benchmarks.run --duration 2 --sizes 10k --servers migkg,oxigraph   # a quick look

For each size, on the same generated data and the same queries: ``migkg serve`` (embedded store),
``rdflib-endpoint``, then each remote store (Oxigraph server, Virtuoso) started empty, filled by
``migkg push`` (timed), measured directly and through ``migkg serve --store remote``. Everything runs
on 127.0.0.1; each scenario is bounded by time (``--duration``) and request count.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path

import httpx

from benchmarks import generate, report
from benchmarks.loadgen import LoadResult, load, wrk, wrk_available
from benchmarks.report import DURING_HEAVY, Measured
from benchmarks.servers import (
    HOST,
    VIRTUOSO,
    Server,
    optimize_oxigraph,
    push,
    start_front,
    start_migkg,
    start_oxigraph,
    start_rdflib_endpoint,
    start_virtuoso,
)
from migkg.build import build_backend
from migkg.config import Settings
from migkg.stores.oxigraph import OxigraphBackend

log = logging.getLogger("benchmarks")

STORES = ("oxigraph", "virtuoso")  # remote stores: pushed to, measured directly and through migkg
ACCEPT = "application/sparql-results+json"
PREFIXES = ("PREFIX mig: <https://w3id.org/migkg/ontology#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX eli: <http://data.europa.eu/eli/ontology#> "
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX org: <http://www.w3.org/ns/org#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> ")
HEAVY = (PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?a mig:governanceLevel ?l . ?b mig:governanceLevel ?l . "
         "?c mig:instrumentType ?t }")


def queries(size: int) -> dict[str, list[str]]:
    """The SPARQL texts of each scenario (several variants, cycled through)."""
    instruments = max(size // generate.TRIPLES_PER_INSTRUMENT, 10)
    picks = [(i * 7919) % instruments for i in range(200)]
    lookup = [f"SELECT ?p ?o WHERE {{ <{generate.instrument_iri(i)}> ?p ?o }}" for i in picks]
    join = [PREFIXES + "SELECT ?i ?label ?org WHERE { ?i mig:governanceLevel "
            f"<https://w3id.org/migkg/concept/governance-level/{level}> ; mig:issuedBy ?org ; "
            "eli:date_document ?d ; skos:prefLabel ?label . ?org dcterms:spatial ?place . "
            f'FILTER(?d >= "{year}-01-01"^^xsd:date && ?d < "{year + 1}-01-01"^^xsd:date && '
            'LANGMATCHES(LANG(?label), "en")) } LIMIT 100'
            for level in generate.LEVELS for year in range(2000, 2020, 2)]
    path = [PREFIXES + f"SELECT ?top ?objective WHERE {{ <{generate.instrument_iri(i)}> "
            "mig:implements+ ?top . OPTIONAL { ?top mig:realises ?objective } }" for i in picks]
    aggregate = [PREFIXES + "SELECT ?level (COUNT(?i) AS ?n) WHERE { ?i mig:governanceLevel ?level } "
                 "GROUP BY ?level ORDER BY DESC(?n)"]
    return {"lookup": lookup, "join": join, "path": path, "aggregate": aggregate}


def _load(server: Server, texts: list[str], args: argparse.Namespace) -> LoadResult:
    paths = [server.query_path(t) for t in texts]
    load(HOST, server.port, paths, accept=ACCEPT, connections=2, duration_s=0.5, max_requests=50)  # warm-up
    return load(HOST, server.port, paths, accept=ACCEPT, connections=args.connections,
                duration_s=args.duration, max_requests=args.max_requests)


def measure(target: Server, serving: dict[str, Server], size: int, args: argparse.Namespace,
            into: Measured) -> Measured:
    """The scenarios against ``target``; CPU and memory of the ``serving`` processes, by label."""
    cpu = dict.fromkeys(serving, 0.0)
    requests = 0
    for scenario, texts in queries(size).items():
        before = {label: s.usage()[0] for label, s in serving.items()}
        into.results[scenario] = result = _load(target, texts, args)
        for label, s in serving.items():
            cpu[label] += s.usage()[0] - before[label]
        requests += result.requests
        log.info("%s %s: %.0f req/s, p95 %.1f ms", target.name, scenario, result.rps, result.p95_ms)
        if scenario == "lookup" and args.wrk and wrk_available():
            into.results["lookup (wrk)"] = wrk(target.base_url, [target.query_path(t) for t in texts],
                                               accept=ACCEPT, connections=args.connections,
                                               duration_s=args.duration)
    into.cpu_ms = {label: 1000 * seconds / max(requests, 1) for label, seconds in cpu.items()}
    into.rss_mb = {label: s.usage()[1] for label, s in serving.items()}
    return into


def during_heavy(store: Server, targets: list[tuple[Server, Measured]], size: int,
                 args: argparse.Namespace) -> None:
    """Lookups against each target while one client runs a heavy query on ``store`` (never stopped:
    the store is stopped afterwards, as the peers cannot cancel it)."""
    def heavy() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(store.base_url + store.query_path(HEAVY), timeout=3600, headers={"accept": ACCEPT})

    threading.Thread(target=heavy, daemon=True).start()
    time.sleep(1.0)
    for target, measured in targets:
        measured.results[DURING_HEAVY] = result = _load(target, queries(size)["lookup"], args)
        log.info("%s %s: %.0f req/s, p95 %.1f ms", target.name, DURING_HEAVY, result.rps, result.p95_ms)


def run_local(name: str, data: Path, size: int, args: argparse.Namespace) -> Measured:
    """migkg (embedded) or rdflib-endpoint: start over the data, measure, stop."""
    try:
        server = start_migkg(data, data, args.duration + 30, args.load_cap) if name == "migkg" \
            else start_rdflib_endpoint(data, data, args.load_cap)
    except TimeoutError:
        return Measured(note=f"not ready (data loaded) within {args.load_cap:g} s: stopped, not measured")
    try:
        measured = measure(server, {name: server}, size, args, Measured(ready_s=server.ready_s))
        during_heavy(server, [(server, measured)], size, args)
        return measured
    finally:
        server.stop()


def run_store(name: str, data: Path, size: int, source: OxigraphBackend,
              args: argparse.Namespace) -> tuple[Measured, Measured]:
    """A remote store: start empty, ``migkg push`` (timed), then measure it directly and through migkg."""
    # a request to the store (a whole graph's PUT included) may take up to --load-cap seconds
    store = start_oxigraph(data, args.load_cap) if name == "oxigraph" else \
        start_virtuoso(data, size, args.load_cap)
    try:
        direct = Measured(ready_s=store.ready_s)
        if size <= args.push_update_max:
            direct.push_s["update"] = push(store, source, "update")
        direct.push_s["gsp"] = push(store, source, "gsp")  # last: the data queried is the GSP push's
        if name == "oxigraph":
            store, direct.push_s["optimize"] = optimize_oxigraph(store, data, args.load_cap)
        log.info("%s: pushed %s", name, ", ".join(f"{m} {s:.1f} s" for m, s in direct.push_s.items()))
        front = start_front(store, data)
        try:
            measure(store, {"store": store}, size, args, direct)
            via = measure(front, {"front end": front, "store": store}, size, args,
                          Measured(ready_s=front.ready_s))
            during_heavy(store, [(store, direct), (front, via)], size, args)
            return direct, via
        finally:
            front.stop()
    finally:
        store.stop()


def run_size(label: str, args: argparse.Namespace) -> dict[str, Measured]:
    """Generate (once) the graph of one size, then measure each server in turn."""
    data, size = (args.work / label).resolve(), parse_size(label)
    if not (data / "dataset.nq").exists():
        log.info("generating %s triples in %s", label, data)
        generate.write(data, size, args.seed)
    by_server: dict[str, Measured] = {}
    source: OxigraphBackend | None = None  # what migkg pushes to the remote stores, built once
    for name in args.servers:
        log.info("%s on %s", name, label)
        names = [name, f"migkg → {name}"] if name in STORES else [name]
        try:
            if name == "rdflib-endpoint" and size > args.rdflib_max:
                by_server[name] = Measured(note=f"skipped above {args.rdflib_max:,} triples (--rdflib-max)")
            elif name == "virtuoso" and VIRTUOSO is None:
                note = ("not measured: `virtuoso-t` is not installed (Debian package "
                        "virtuoso-opensource-7-bin; `make system-deps` installs it)")
                by_server.update(dict.fromkeys(names, Measured(note=note)))
            elif name in STORES:
                source = source or build_backend(Settings(root_dir=data / "project"))[0]
                by_server.update(zip(names, run_store(name, data, size, source, args), strict=True))
            else:
                by_server[name] = run_local(name, data, size, args)
        except Exception as err:  # one server failing must not lose the others' figures
            log.exception("%s failed on %s", name, label)
            note = f"failed: {type(err).__name__}: {err}".splitlines()[0][:300]
            by_server.update(dict.fromkeys(names, Measured(note=note)))
    if source is not None:
        source.close()
    return by_server


def parse_size(text: str) -> int:
    """``10k``, ``1m`` or a number of triples."""
    text = text.strip().lower()
    return int(float(text.rstrip("km")) * {"k": 1000, "m": 1_000_000}.get(text[-1:], 1))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--servers", default="migkg,rdflib-endpoint,oxigraph,virtuoso",
                        help="oxigraph and virtuoso are measured directly and through migkg")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per scenario")
    parser.add_argument("--max-requests", type=int, default=300_000, help="requests per scenario at most")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rdflib-max", type=parse_size, default=100_000,
                        help="largest graph for rdflib-endpoint (e.g. 1m)")
    parser.add_argument("--load-cap", type=float, default=600.0,
                        help="seconds a server may take to load the data before it is given up")
    parser.add_argument("--push-update-max", type=parse_size, default=100_000,
                        help="largest graph pushed (and timed) by SPARQL Update too, not only by GSP")
    parser.add_argument("--no-wrk", dest="wrk", action="store_false", help="skip the wrk cross-check")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "RESULTS.md")
    parser.add_argument("--wrapper", default=os.environ.get("BENCH_WRAPPER", ""),
                        help="how the run was isolated, said in RESULTS.md (e.g. /work/wt/quiet)")
    args = parser.parse_args(argv)
    args.sizes = [s.strip().lower() for s in args.sizes.split(",")]
    args.servers = [s.strip() for s in args.servers.split(",")]
    return args


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for noisy in ("httpx", "migkg"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    results = {label: run_size(label, args) for label in args.sizes}
    existing = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    args.results.write_text(report.merge(existing, args.sizes, report.render(results, args, started)),
                            encoding="utf-8")
    log.info("wrote %s", args.results)


if __name__ == "__main__":
    main()
