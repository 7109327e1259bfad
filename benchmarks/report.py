"""RESULTS.md: per graph size, the side-by-side table and the remote-store table with ratios, the
loading and footprint table, the targets of the 100k graph, the machine, the versions and the command."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from benchmarks.loadgen import LoadResult

DURING_HEAVY = "lookup during heavy query"
SIDE_BY_SIDE = ("migkg", "rdflib-endpoint", "oxigraph")
SIDE_RATIOS = (("migkg", "rdflib-endpoint"), ("migkg", "oxigraph"))
REMOTE = ("oxigraph", "migkg → oxigraph", "virtuoso", "migkg → virtuoso")
REMOTE_RATIOS = (("migkg → oxigraph", "oxigraph"), ("migkg → virtuoso", "virtuoso"))


@dataclass
class Measured:
    """What one server (or migkg in front of a store) measured at one size."""

    results: dict[str, LoadResult] = field(default_factory=dict)
    ready_s: float | None = None  # start to first answer (migkg builds its store, rdflib parses)
    push_s: dict[str, float] = field(default_factory=dict)  # "update" / "gsp" -> seconds
    cpu_ms: dict[str, float] = field(default_factory=dict)  # process -> CPU ms per request
    rss_mb: dict[str, float] = field(default_factory=dict)  # process -> resident MB after the run
    note: str = ""  # why it was not (fully) measured


Results = dict[str, dict[str, Measured]]  # size -> server -> figures


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _first_line(command: list[str], line: int = 0) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "not installed"
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[line].strip() if len(lines) > line else "?"


def _cpu() -> str:
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(wrapper: str = "") -> list[str]:
    """Lines describing the machine and the versions measured (and how the run was isolated)."""
    return [
        f"- Machine: {_cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {sys.version.split()[0]}; migkg {_version('migkg')}, pyoxigraph {_version('pyoxigraph')}, "
        f"fastapi {_version('fastapi')}, starlette {_version('starlette')}, uvicorn {_version('uvicorn')} "
        f"(uvloop {_version('uvloop')}, httptools {_version('httptools')}), SPARQLWrapper "
        f"{_version('sparqlwrapper')}, httpx {_version('httpx')}",
        f"- Peers: rdflib-endpoint {_version('rdflib-endpoint')} (rdflib {_version('rdflib')}); "
        f"Oxigraph server {_version('oxigraph')} (`oxigraph serve --union-default-graph`); Virtuoso: "
        f"{_first_line(['virtuoso-t', '-?'], 1)} (the tests' ini, tests/remote_servers.py)",
        "- Load client: benchmarks/loadgen.py (asyncio + uvloop, keep-alive); cross-check: "
        + _first_line(["wrk", "--version"]),
        f"- Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        + (f"(run under `{wrapper}`: measured alone on the machine, the other helpers' CPU work held "
           "back)" if wrapper else "(the machine is shared: figures move with what else runs)"),
    ]


def _cell(result: LoadResult | None) -> str:
    if result is None:
        return "–"
    errors = f" ({result.errors} err)" if result.errors else ""
    if result.unfinished:
        errors += f" ({result.unfinished} unanswered)"
    return f"{result.rps:,.0f}/s · {result.p50_ms:.1f} / {result.p95_ms:.1f} / {result.p99_ms:.1f}{errors}"


def _ratio(ours: LoadResult | None, theirs: LoadResult | None) -> float | None:
    return ours.rps / theirs.rps if ours and theirs and theirs.rps else None


def table(by_server: dict[str, Measured], columns: tuple[str, ...],
          ratios: tuple[tuple[str, str], ...]) -> list[str]:
    """A markdown table: one row per scenario, one column per server, then the ratios (requests/s)."""
    servers = [s for s in columns if s in by_server]
    pairs = [(a, b) for a, b in ratios if a in by_server and b in by_server]
    if not servers:
        return []
    scenarios = list(dict.fromkeys(k for s in servers for k in by_server[s].results))
    lines = ["| scenario | " + " | ".join([*servers, *(f"{a} ÷ {b}" for a, b in pairs)]) + " |",
             "|" + "---|" * (1 + len(servers) + len(pairs))]
    for scenario in scenarios:
        cells = [_cell(by_server[s].results.get(scenario)) for s in servers]
        for a, b in pairs:
            value = _ratio(by_server[a].results.get(scenario), by_server[b].results.get(scenario))
            cells.append("–" if value is None else f"{value:.2f}×")
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    notes = [f"- {s}: {by_server[s].note}" for s in servers if by_server[s].note]
    return lines + (["", *notes] if notes else [])


def costs(results: Results) -> list[str]:
    """Loading and footprint of every server at every size."""
    lines = ["| size | server | ready after | push by SPARQL Update | push by GSP | memory (RSS) | "
             "CPU per request |", "|---|---|---|---|---|---|---|"]
    for size, by_server in results.items():
        for name in dict.fromkeys((*SIDE_BY_SIDE, *REMOTE, *by_server)):
            m = by_server.get(name)
            if m is None or not m.results:
                continue
            seconds = [f"{m.push_s[k]:.1f} s" if k in m.push_s else "–" for k in ("update", "gsp")]
            if "optimize" in m.push_s:
                seconds[1] += f" + optimize {m.push_s['optimize']:.1f} s"
            rss = " + ".join(f"{label} {mb:,.0f} MB" if len(m.rss_mb) > 1 else f"{mb:,.0f} MB"
                             for label, mb in m.rss_mb.items())
            cpu = " + ".join(f"{label} {ms:.2f} ms" if len(m.cpu_ms) > 1 else f"{ms:.2f} ms"
                             for label, ms in m.cpu_ms.items())
            ready = f"{m.ready_s:.1f} s" if m.ready_s is not None else "–"
            lines.append(f"| {size} | {name} | {ready} | {seconds[0]} | {seconds[1]} | {rss} | {cpu} |")
    return lines


def targets(by_server: dict[str, Measured]) -> list[str]:
    """The issue's targets (on the 100k graph) against this run."""
    ours, rdf, oxi = (by_server[s].results if s in by_server else {}
                      for s in ("migkg", "rdflib-endpoint", "oxigraph"))

    def check(label: str, value: float | None, goal: float, above: bool = True) -> str:
        if value is None:
            return f"- {label}: not measured"
        verdict = "met" if (value >= goal if above else value < goal) else "MISSED"
        return f"- {label}: {value:.2f} (target {'≥' if above else '<'} {goal:g}) — {verdict}"

    heavy = ours.get(DURING_HEAVY)
    return [
        check("joins vs rdflib-endpoint (×)", _ratio(ours.get("join"), rdf.get("join")), 30),
        check("lookups vs rdflib-endpoint (×)", _ratio(ours.get("lookup"), rdf.get("lookup")), 2),
        check("joins vs oxigraph server (×)", _ratio(ours.get("join"), oxi.get("join")), 0.6),
        check("p95 of lookups during a heavy query (ms)", heavy.p95_ms if heavy else None, 20, above=False),
    ]


NOTES = [
    "How each server runs: **migkg** answers every request in one uvicorn process (FastAPI, uvloop, "
    "httptools) and runs the query in one of four worker processes over its read-only on-disk store, so "
    "that a query can be killed at its timeout. **oxigraph** and **virtuoso** are started empty and "
    "filled by `migkg push` (timed below); the Oxigraph server's store is then compacted by `oxigraph "
    "optimize` (as `oxigraph load` would leave it; right after a push its joins are ~2.5× slower). "
    "**migkg → oxigraph** and **migkg → virtuoso** are "
    "`migkg serve --store remote` (one uvicorn process, queries through one shared httpx client) in "
    "front of that same store. Load generator, servers and front ends share the 2 cores.",
    "Reading the figures: the Python HTTP layer bounds cheap queries (lookups, paths) at a few thousand "
    "per second for the embedded store and well under a thousand through a remote front end (a second "
    "HTTP hop and result parsing per query), where the native server does 10–15k/s; costly queries "
    "(joins, aggregates) are bound by the engine. *Lookup during heavy query*: one client runs a "
    "three-way cross product on the server (on the store itself for the remote rows, so the front end "
    "is measured against a busy store) while the lookups run. rdflib-endpoint then answers nothing "
    "(the query holds the GIL); the Oxigraph server cannot stop it (it is stopped afterwards); Virtuoso "
    "stops it at `MaxQueryExecutionTime` (60 s); migkg keeps three workers for the lookups and kills the "
    "heavy one at `MIGKG_QUERY_TIMEOUT_S`.",
]

_OTHER = re.compile(r"<!-- (\w+):begin -->.*?<!-- \1:end -->", re.DOTALL)
_BLOCKS = re.compile(r"<!-- bench:([\w,.-]+):begin -->.*?<!-- bench:\1:end -->", re.DOTALL)


def merge(existing: str, sizes: list[str], block: str) -> str:
    """RESULTS.md with this run's block (keyed by its sizes) replaced; blocks of other sizes are kept."""
    key = ",".join(sizes)
    blocks = {m.group(1): m.group(0) for m in _BLOCKS.finditer(existing)}
    blocks[key] = f"<!-- bench:{key}:begin -->\n\n{block.strip()}\n\n<!-- bench:{key}:end -->"
    ordered = sorted(blocks, key=lambda k: (k != "10k,100k", k))  # the default run first
    # Sections other tools write in their own markers (e.g. soak's) are kept, after the blocks.
    others = [m.group(0) for m in _OTHER.finditer(_BLOCKS.sub("", existing))]
    return "\n\n".join(["# Benchmark results", *(blocks[k] for k in ordered), *others]) + "\n"


def drop(existing: str, key: str) -> str:
    """RESULTS.md without the block keyed ``key`` (e.g. one that blocks of its parts replace)."""
    return _BLOCKS.sub(lambda m: "" if m.group(1) == key else m.group(0), existing)


def render(results: Results, args: argparse.Namespace, started: dt.datetime) -> str:
    """This run's section of RESULTS.md."""
    command = (f"python -m benchmarks.run --sizes {','.join(args.sizes)} --servers {','.join(args.servers)} "
               f"--duration {args.duration:g} --connections {args.connections}")
    default = args.sizes == ["10k", "100k"] and len(args.servers) == 4
    out = [f"## {', '.join(args.sizes)} triples" + (" (`make bench`)" if default else ""), "",
           f"Run {started:%Y-%m-%d %H:%M} UTC with `{command}`"
           + (f" under `{args.wrapper}`" if args.wrapper else "") + ".", "", *machine(args.wrapper), "",
           "Cells: requests/s · p50 / p95 / p99 latency in ms, over HTTP on 127.0.0.1, "
           f"{args.connections} keep-alive connections, {args.duration:g} s per scenario. Ratios compare "
           "requests/s. See benchmarks/README.md for the data and the queries.", ""]
    out += [line for note in NOTES for line in (note, "")]
    for label, by_server in results.items():
        out += [f"### {label} triples: migkg vs rdflib-endpoint vs Oxigraph server", "",
                *table(by_server, SIDE_BY_SIDE, SIDE_RATIOS), ""]
        if label == "100k":
            out += ["Targets (100k):", "", *targets(by_server), ""]
        remote = table(by_server, REMOTE, REMOTE_RATIOS)
        if remote:
            out += [f"### {label} triples: migkg in front of remote stores", "", *remote, ""]
    out += ["### Loading and footprint", "",
            "*ready after*: from start to the first answer (migkg builds its on-disk store from the "
            "Turtle files, rdflib-endpoint parses the N-Quads; the remote stores start empty and are "
            "filled by `migkg push`, whole dataset, one request per graph by GSP, 500-triple batches by "
            "SPARQL Update). Memory: after the run, summed over the server's processes (migkg: the "
            "uvicorn process and its four workers, which share the store's pages). CPU per request: "
            "over the lookup, join, path and aggregate scenarios (for a front end: its own and the "
            "store's).", "", *costs(results), ""]
    return "\n".join(out) + "\n"
