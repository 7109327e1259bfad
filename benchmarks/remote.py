"""The remote-store benchmark: push, then query through ``migkg serve --store remote`` and directly.

    python -m benchmarks.remote                          # 10k and 100k triples, Oxigraph server + Virtuoso
    python -m benchmarks.remote --sizes 10k --duration 2 --remotes oxigraph   # a quick look

For each size and remote store: ``migkg push`` time by the Graph Store Protocol and by SPARQL Update,
then queries/s and latency of the lookup, join, path and aggregate scenarios of ``benchmarks.run``,
straight to the store and through one migkg front end, with the memory (RSS) and CPU time of the
store and of the front end. The figures go into their own section of RESULTS.md (between markers;
the rest of the file is left alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import generate
from benchmarks.loadgen import LoadResult, load
from benchmarks.run import ACCEPT, SIZES, queries
from benchmarks.servers import HOST, Server, _start, free_port
from migkg.build import build_backend
from migkg.config import Settings
from migkg.push import GspWriter, push_dataset
from migkg.push_update import UpdateWriter
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.remote import RemoteBackend
from tests.remote_servers import VIRTUOSO, RemoteServer, start_oxigraph, start_virtuoso

log = logging.getLogger("benchmarks.remote")

BEGIN, END = "<!-- remote-backends:begin -->", "<!-- remote-backends:end -->"
SCENARIOS = ("lookup", "join", "path", "aggregate")


@dataclass
class Figures:
    """What one remote store measured at one size."""

    remote: str
    size: str
    push_gsp_s: float = 0.0
    push_update_s: float = 0.0
    direct: dict[str, LoadResult] = field(default_factory=dict)
    front: dict[str, LoadResult] = field(default_factory=dict)
    store_rss_mb: float = 0.0
    front_rss_mb: float = 0.0
    store_cpu_ms_per_req: float = 0.0
    front_cpu_ms_per_req: float = 0.0


def rss_mb(pid: int) -> float:
    """Resident memory of a process (and nothing else), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    """User + system CPU time a process has used, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_push(source: OxigraphBackend, remote: RemoteBackend, method: str) -> float:
    assert remote.graph_store is not None
    assert remote.endpoints.update_url is not None
    writer = GspWriter(remote.graph_store) if method == "gsp" else \
        UpdateWriter(remote.client, remote.endpoints.update_url)
    started = time.perf_counter()
    push_dataset(source, writer)
    return time.perf_counter() - started


def start_front(server: RemoteServer, work: Path) -> Server:
    """``migkg serve --store remote`` over ``server`` (credentials from the environment)."""
    ep = server.endpoints
    port = free_port()
    command = [sys.executable, "-m", "migkg.cli", "serve", "--host", HOST, "--port", str(port),
               "--store", "remote", "--query-url", ep.query_url]
    env = {"MIGKG_REMOTE_USER": ep.user or "", "MIGKG_REMOTE_PASSWORD": ep.password or ""} \
        if ep.user else {}
    return _start("migkg-remote", command, port, "/sparql", work / f"front-{server.name}.log", 60, env)


def run_load(port: int, path: str, texts: list[str], args: argparse.Namespace) -> LoadResult:
    from urllib.parse import urlencode

    paths = [f"{path}?{urlencode({'query': t})}" for t in texts]
    load(HOST, port, paths, accept=ACCEPT, connections=2, duration_s=0.5, max_requests=50)
    return load(HOST, port, paths, accept=ACCEPT, connections=args.connections,
                duration_s=args.duration, max_requests=args.max_requests)


def measure(server: RemoteServer, size: str, source: OxigraphBackend, args: argparse.Namespace) -> Figures:
    figures = Figures(server.name, size)
    remote = RemoteBackend(server.endpoints)
    try:
        figures.push_update_s = timed_push(source, remote, "update")
        figures.push_gsp_s = timed_push(source, remote, "gsp")
    finally:
        remote.close()
    front = start_front(server, args.work)
    store_path = "/" + server.endpoints.query_url.split("/", 3)[3]
    try:
        requests = 0
        store_cpu, front_cpu = cpu_s(server.process.pid), cpu_s(front.process.pid)
        for scenario in SCENARIOS:
            texts = queries(SIZES[size])[scenario]
            figures.direct[scenario] = run_load(server.port, store_path, texts, args)
            figures.front[scenario] = run_load(front.port, "/sparql", texts, args)
            requests += figures.front[scenario].requests + figures.direct[scenario].requests
            log.info("%s %s %s: direct %.0f/s, via migkg %.0f/s", server.name, size, scenario,
                     figures.direct[scenario].rps, figures.front[scenario].rps)
        front_requests = sum(r.requests for r in figures.front.values()) or 1
        figures.store_cpu_ms_per_req = 1000 * (cpu_s(server.process.pid) - store_cpu) / max(requests, 1)
        figures.front_cpu_ms_per_req = 1000 * (cpu_s(front.process.pid) - front_cpu) / front_requests
        figures.store_rss_mb, figures.front_rss_mb = rss_mb(server.process.pid), rss_mb(front.process.pid)
    finally:
        front.stop()
    return figures


def run_size(size: str, args: argparse.Namespace) -> list[Figures]:
    data = args.work / size
    if not (data / "dataset.nq").exists():
        generate.write(data, SIZES[size], args.seed)
    source, _ = build_backend(Settings(root_dir=data / "project"))
    results = []
    for name in args.remotes:
        if name == "virtuoso" and VIRTUOSO is None:
            log.warning("virtuoso-t is not installed: skipping Virtuoso")
            continue
        folder = args.work / f"{name}-{size}-{time.time_ns()}"
        server = start_oxigraph(folder) if name == "oxigraph" else start_virtuoso(folder)
        try:
            results.append(measure(server, size, source, args))
        finally:
            server.stop()
    return results


def _cell(r: LoadResult) -> str:
    return f"{r.rps:,.0f}/s · p95 {r.p95_ms:.1f} ms" + (f" · {r.errors} err" if r.errors else "")


def render(all_figures: list[Figures], args: argparse.Namespace, started: dt.datetime) -> str:
    """The RESULTS.md section (Markdown) for these figures."""
    lines = [BEGIN, "", "## Remote backends (`python -m benchmarks.remote`)", "",
             f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; {args.duration:g} s per "
             f"scenario, {args.connections} connections; synthetic graphs of `benchmarks.generate`. "
             "*direct*: the store's own endpoint; *via migkg*: `migkg serve --store remote` (one uvicorn "
             "process) in front of it. Load generator, store and front end share the machine.", "",
             "| size | store | push GSP | push SPARQL Update | scenario | direct | via migkg |",
             "|---|---|---|---|---|---|---|"]
    for f in all_figures:
        for i, scenario in enumerate(SCENARIOS):
            push = (f"{f.push_gsp_s:.2f} s", f"{f.push_update_s:.2f} s") if i == 0 else ("", "")
            first = (f.size, f.remote) if i == 0 else ("", "")
            lines.append(f"| {first[0]} | {first[1]} | {push[0]} | {push[1]} | {scenario} | "
                         f"{_cell(f.direct[scenario])} | {_cell(f.front[scenario])} |")
    lines += ["", "| size | store | store RSS | store CPU / request | front end RSS | "
              "front end CPU / request |", "|---|---|---|---|---|---|"]
    lines += [f"| {f.size} | {f.remote} | {f.store_rss_mb:.0f} MB | {f.store_cpu_ms_per_req:.2f} ms | "
              f"{f.front_rss_mb:.0f} MB | {f.front_cpu_ms_per_req:.2f} ms |" for f in all_figures]
    return "\n".join([*lines, "", END])


def write_section(results: Path, section: str) -> None:
    """Replace (or append) the remote-backends section of RESULTS.md; the rest stays as it is."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        text = head + section + rest.partition(END)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("migkg").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--remotes", default="oxigraph,virtuoso")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("build/bench").resolve())
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args()
    args.remotes = [r.strip() for r in args.remotes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    figures = [f for size in args.sizes.split(",") for f in run_size(size.strip().lower(), args)]
    write_section(args.results, render(figures, args, started))
    log.info("wrote the remote-backends section of %s", args.results)


if __name__ == "__main__":
    main()
