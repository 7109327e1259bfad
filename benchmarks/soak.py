"""Soak test: several clients hit a live ``migkg serve`` for a few minutes; figures into RESULTS.md.

``make soak`` (``python -m benchmarks.soak [--duration S]``) copies the project's sources into a
temporary folder, starts ``migkg serve`` on a free loopback port over a fresh on-disk store with
updates on (the journal goes to the copy, never to the repository), and runs, each client from its own
loopback address (127.0.0.x, so each is its own client for admission control):

* ``lookup`` clients: SPARQL lookups of one resource;
* ``browser`` clients: resource pages, the home page, catalogue queries and explorer calls;
* ``runaway`` clients: the runaway query ``SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d .
  ?e ?r ?f }`` in a loop, ignoring ``Retry-After``;
* one ``writer``: an authorised ``INSERT DATA`` every ``--update-every`` seconds, each read back by
  an ASK.

It stops by itself after ``--duration`` seconds, stops the server, rebuilds the copy from its sources
and journal and checks that every accepted update is there, then writes a *Soak* block into
``benchmarks/RESULTS.md``: requests by kind and status, p50/p95 per kind, 5xx answers, lost updates,
the server's memory (its process and its workers) at start and end. It exits 0 only when the targets
of issue 14 hold: every lookup, page, catalogue and explorer request answered 200, every update 204
and found when read back, no 5xx but the runaway queries' 503, p95 of lookups and of pages under
``--target-ms`` (250), nothing missing after the rebuild.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
SOAK_GRAPH = "urn:migkg:soak"
INSTRUMENTS = ("SELECT ?s WHERE { ?s <https://w3id.org/migkg/ontology#instrumentType> ?t } "
               "ORDER BY ?s LIMIT 40")


@dataclass
class Tally:
    """What the clients saw, shared by all of them."""

    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)  # why non-runaway requests got a 5xx
    accepted: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # read back and not found
    unconfirmed: list[str] = field(default_factory=list)  # every read-back refused
    slowest: list[tuple[float, str, str]] = field(default_factory=list)  # (seconds, kind, what)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, response: httpx.Response | None, seconds: float, what: str) -> None:
        with self.lock:
            if response is None:
                self.statuses[kind][0] += 1
                self.errors.append(f"{kind} {what}: no answer")
                return
            self.statuses[kind][response.status_code] += 1
            self.latencies[kind].append(seconds)
            if kind in ("lookup", "page", "catalogue", "explorer"):
                self.slowest = sorted([*self.slowest, (seconds, kind, what)], reverse=True)[:8]
            if response.status_code >= 500 and not (
                    kind == "runaway" and response.status_code == 503):
                self.errors.append(f"{kind} {what}: {response.status_code} {response.text[:200]}")
                self.reasons[f"{response.status_code} {_reason(response.text)}"] += 1


def _reason(text: str) -> str:
    """The gist of a refusal: its error class and the clause that says why."""
    for marker in ("the slow lane is full", "already has a long query",
                   "no query worker became free", "requests are waiting", "was stopped",
                   "requests in progress"):
        if marker in text:
            return f"{text.partition(':')[0]}: {marker}"
    return text[:60]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (the worker processes), in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
        for child in list(pids[1:]):
            grand = Path(f"/proc/{child}/task/{child}/children")
            if grand.exists():
                pids += [int(p) for p in grand.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            total += int(match.group(1)) if match else 0
    return total / 1024


def client(base: str, n: int) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60,
                        transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"))


def timed(tally: Tally, kind: str, what: str, call: Callable[..., httpx.Response], *args: Any,
          **kwargs: Any) -> httpx.Response | None:
    """``call(*args, **kwargs)``, timed and tallied under ``kind``."""
    started = time.perf_counter()
    try:
        response = call(*args, **kwargs)
    except httpx.HTTPError as err:
        tally.add(kind, None, 0.0, f"{what}: {err!r}")
        return None
    tally.add(kind, response, time.perf_counter() - started, what)
    return response


def lookup_client(base: str, n: int, iris: list[str], tally: Tally, stop: threading.Event) -> None:
    with client(base, n) as http:
        i = 0
        while not stop.is_set():
            iri = iris[i % len(iris)]
            i += 1
            timed(tally, "lookup", iri, http.get, "/sparql",
                  params={"query": f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"},
                  headers={"accept": "application/sparql-results+json"})


def browser_client(base: str, n: int, iris: list[str], queries: list[str], tally: Tally,
                   stop: threading.Event) -> None:
    html = {"accept": "text/html"}
    with client(base, n) as http:
        i = 0
        while not stop.is_set():
            iri = iris[i % len(iris)]
            name = queries[i % len(queries)]
            i += 1
            doc = "/doc/" + iri.removeprefix("https://w3id.org/migkg/id/")
            timed(tally, "page", doc, http.get, doc, headers=html)
            timed(tally, "catalogue", name, http.get, f"/queries/{name}",  # CONSTRUCT: Turtle
                  headers={"accept": "application/sparql-results+json, text/turtle;q=0.9"})
            timed(tally, "explorer", iri, http.get, "/explore/graph.json",
                  params={"iri": iri, "depth": 1})
            timed(tally, "explorer", "search", http.get, "/explore/search.json",
                  params={"q": ["labour", "migrant", "return"][i % 3]})
            if i % 10 == 0:
                timed(tally, "page", "/", http.get, "/", headers=html)


def runaway_client(base: str, n: int, tally: Tally, stop: threading.Event) -> None:
    with client(base, n) as http:
        while not stop.is_set():
            timed(tally, "runaway", "runaway", http.post, "/sparql", content=RUNAWAY,
                  headers={"content-type": "application/sparql-query"})


def writer_client(base: str, n: int, token: str, tally: Tally, stop: threading.Event,
                  every_s: float) -> None:
    headers = {"content-type": "application/sparql-update", "authorization": f"Bearer {token}"}
    with client(base, n) as http:
        k = 0
        while not stop.is_set():
            k += 1
            marker = f"soak update {k} {secrets.token_hex(4)}"
            update = (f'INSERT DATA {{ GRAPH <{SOAK_GRAPH}> {{ <urn:migkg:soak:{k}> '
                      f'<http://www.w3.org/2000/01/rdf-schema#label> "{marker}" }} }}')
            r = timed(tally, "update", marker, http.post, "/sparql", content=update, headers=headers)
            if r is not None and r.status_code == 204:
                with tally.lock:
                    tally.accepted.append(marker)
                ask = f'ASK {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "{marker}" }}'
                found = None
                for _ in range(10):  # a refusal (429/503) is retried; only "false" is a loss
                    back = timed(tally, "read-back", marker, http.get, "/sparql",
                                 params={"query": ask})
                    if back is not None and back.status_code == 200:
                        found = back.json()["boolean"] is True
                        break
                    stop.wait(1.0)
                with tally.lock:
                    if found is False:
                        tally.lost.append(marker)
                    elif found is None:
                        tally.unconfirmed.append(marker)
            stop.wait(every_s)


def copy_project(into: Path) -> Path:
    root = into / "project"
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("journal"))
    return root


def wait_ready(base: str, process: subprocess.Popen[bytes], limit_s: float = 180) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not start")


def verify_rebuild(root: Path, accepted: list[str]) -> list[str]:
    """Rebuild the copy from its sources and journal; the accepted updates missing from it."""
    from migkg.build import build_backend
    from migkg.config import Settings
    from migkg.stores.base import QueryRequest

    backend, _ = build_backend(Settings(root_dir=root))
    missing = [m for m in accepted if not backend.ask(QueryRequest(
        f'ASK {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "{m}" }}'))]
    backend.close()
    return missing


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def shortfalls(tally: Tally, missing: list[str], target_ms: float) -> list[str]:
    """What keeps the run from meeting the targets (empty: they hold)."""
    found: list[str] = []
    expected = {"lookup": 200, "page": 200, "catalogue": 200, "explorer": 200, "update": 204,
                "read-back": 200}
    for kind, status in expected.items():
        other = {c: n for c, n in tally.statuses.get(kind, Counter()).items() if c != status}
        if other:
            found.append(f"{kind}: answers other than {status}: {other}")
    for kind in ("lookup", "page"):
        p95 = percentile(tally.latencies.get(kind, []), 95) * 1000
        if not p95 < target_ms:  # NaN (no request) fails too
            found.append(f"{kind}: p95 {p95:.0f} ms, not under {target_ms:g} ms")
    runaway_5xx = {c: n for c, n in tally.statuses.get("runaway", Counter()).items()
                   if c >= 500 and c != 503}
    if runaway_5xx:
        found.append(f"runaway: {runaway_5xx}")
    if tally.lost:
        found.append(f"{len(tally.lost)} updates lost")
    if tally.unconfirmed:
        found.append(f"{len(tally.unconfirmed)} updates never read back")
    if missing:
        found.append(f"{len(missing)} updates missing after the rebuild")
    return found


def report(tally: Tally, args: argparse.Namespace, memory: tuple[float, float], missing: list[str],
           journal: int, seconds: float, command: str) -> str:
    kinds = ["lookup", "page", "catalogue", "explorer", "update", "read-back", "runaway"]
    codes = sorted({c for counts in tally.statuses.values() for c in counts})
    head = "| kind | requests | " + " | ".join(str(c) if c else "no answer" for c in codes) + \
        " | p50 ms | p95 ms |"
    rows = [head, "|" + "---|" * (len(codes) + 4)]
    for kind in kinds:
        counts = tally.statuses.get(kind, Counter())
        lat = tally.latencies.get(kind, [])
        rows.append(f"| {kind} | {sum(counts.values())} | " + " | ".join(
            str(counts.get(c, 0)) for c in codes) +
            f" | {percentile(lat, 50) * 1000:.0f} | {percentile(lat, 95) * 1000:.0f} |")
    fivexx = sum(n for kind, counts in tally.statuses.items() for c, n in counts.items()
                 if c >= 500 and not (kind == "runaway" and c == 503))
    runaway = tally.statuses.get("runaway", Counter())
    load = os.getloadavg()
    failed = shortfalls(tally, missing, args.target_ms)
    return "\n".join([
        BEGIN,
        f"## Soak ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds:.0f} s)",
        "",
        f"`{command}` on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; `migkg serve` with the default admission settings over the "
        f"repository's data (a copy), clients on loopback: {args.lookups} lookup, {args.browsers} "
        f"browser (pages, catalogue, explorer), {args.runaways} runaway (ignoring Retry-After), 1 "
        f"writer (an authorised update every {args.update_every:g} s, each read back; readers "
        "finish on the snapshot they started on). The load generator runs on the same 2 cores as "
        f"the server (load average at the end {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f})"
        + (f"; {args.note}" if args.note else "") + ".",
        "",
        *rows,
        "",
        f"* 5xx answers other than the runaway queries': **{fivexx}**"
        + (" (" + "; ".join(f"{n}× {why}" for why, n in tally.reasons.most_common()) + ")"
           if tally.reasons else ""),
        f"* runaway queries: {runaway.get(503, 0)} answered 503 (stopped at the deadline, or "
        f"refused: slow lane full), {runaway.get(429, 0)} answered 429 "
        f"(budget spent, one long query per client), {runaway.get(500, 0)} answered 500",
        f"* updates accepted: {len(tally.accepted)}; found when read back right after: "
        f"{len(tally.accepted) - len(tally.lost) - len(tally.unconfirmed)}; read back and not found "
        f"(**lost**): **{len(tally.lost)}**; read-back refused ten times: {len(tally.unconfirmed)}; "
        f"journal entries: {journal}; missing after rebuilding the copy from sources + journal: "
        f"**{len(missing)}**",
        f"* server memory (its process and its workers, RSS): {memory[0]:.0f} MB at start, "
        f"{memory[1]:.0f} MB at the end",
        "* slowest lookups, pages, catalogue and explorer requests: " + "; ".join(
            f"{kind} {what} {seconds * 1000:.0f} ms" for seconds, kind, what in tally.slowest),
        "* targets (every lookup, page, catalogue and explorer request 200; lookup and page p95 "
        f"under {args.target_ms:g} ms; no 5xx but the runaway 503s; no update lost): "
        + ("**met** (exit 0)" if not failed else "**not met** (exit 1): " + "; ".join(failed)),
        END,
    ])


def write_results(block: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        before, _, rest = text.partition(BEGIN)
        _, _, after = rest.partition(END)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load (180)")
    parser.add_argument("--lookups", type=int, default=2)
    parser.add_argument("--browsers", type=int, default=2)
    parser.add_argument("--runaways", type=int, default=8)
    parser.add_argument("--update-every", type=float, default=5.0, help="seconds between updates")
    parser.add_argument("--target-ms", type=float, default=250.0,
                        help="the p95 lookups and pages must stay under (250)")
    parser.add_argument("--note", default="", help="a remark for RESULTS.md (how the run was made)")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args(argv)
    token = secrets.token_urlsafe(16)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="migkg-soak-") as tmp:
        root = copy_project(Path(tmp))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "MIGKG_UPDATE_TOKEN": token}
        process = subprocess.Popen(
            [sys.executable, "-m", "migkg.cli", "--root", str(root), "serve", "--host", "127.0.0.1",
             "--port", str(port), "--store-dir", str(Path(tmp) / "store")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(base, process)
            iris = [row["s"]["value"] for row in httpx.get(
                f"{base}/sparql", params={"query": INSTRUMENTS}, timeout=60).json()["results"]["bindings"]]
            queries = sorted(p.stem for p in (root / "queries" / "cq").glob("*.rq"))
            with client(base, 250) as warm:  # the workers' first queries read a cold store
                for iri in iris[:5]:
                    warm.get("/doc/" + iri.removeprefix("https://w3id.org/migkg/id/"))
            memory_start = tree_rss_mb(process.pid)
            stop = threading.Event()
            threads = [threading.Thread(target=lookup_client, args=(base, 2 + i, iris, tally, stop))
                       for i in range(args.lookups)]
            threads += [threading.Thread(target=browser_client,
                                         args=(base, 20 + i, iris, queries, tally, stop))
                        for i in range(args.browsers)]
            threads += [threading.Thread(target=runaway_client, args=(base, 40 + i, tally, stop))
                        for i in range(args.runaways)]
            threads.append(threading.Thread(target=writer_client,
                                            args=(base, 60, token, tally, stop, args.update_every)))
            started = time.monotonic()
            for thread in threads:
                thread.start()
            stop.wait(args.duration)
            stop.set()
            for thread in threads:
                thread.join(90)
            seconds = time.monotonic() - started
            memory_end = tree_rss_mb(process.pid)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        journal = len(list((root / "data" / "journal").glob("*.ru")))
        missing = verify_rebuild(root, tally.accepted)
    given = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--no-write"]
    command = "make soak" + (f" SOAK_ARGS={shlex.quote(shlex.join(given))}" if given else "")
    block = report(tally, args, (memory_start, memory_end), missing, journal, seconds, command)
    print(block)
    if not args.no_write:
        write_results(block)
    return 1 if shortfalls(tally, missing, args.target_ms) else 0


if __name__ == "__main__":
    raise SystemExit(main())
