"""How fast ``make run`` answers: cold (after the install, nothing built) and warm (nothing changed).

    python -m benchmarks.startup                       # the bundled data, port 8102
    python -m benchmarks.startup --synthetic 100k      # plus a generated 100k-triple graph in data/

On a copy of the project (ontology/, data/, shapes/, queries/) in a temporary folder, it runs the
Makefile's ``run`` recipe with the installed ``migkg`` (``migkg serve --prepare``: validate, check,
store up to date, serve) and times it to the first answer of ``/sparql`` (a COUNT over the whole
graph), wall and CPU; then stops the server and does it again (warm: every step finds its cache or
stamp up to date); then edits one data file and does it again (after an edit). ``--results`` writes
the "startup" block of benchmarks/RESULTS.md. On a shared machine, run it under a wrapper that holds
other work back and name it with ``--wrapper`` or ``BENCH_WRAPPER`` (written into the block), as
``make bench-pipeline`` does; migkg's modules are byte-compiled first, as an installed package has them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks import generate, report
from benchmarks.pipeline import compile_migkg

REPO = Path(__file__).resolve().parents[1]
MIGKG = [sys.executable, "-c", "from migkg.cli import app; app()"]
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants (Linux /proc)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    return total


def run_target(root: Path, port: int, cap: float = 600.0) -> dict[str, float]:
    """The Makefile's ``run`` recipe on ``root`` (``migkg serve --prepare``): wall and CPU seconds to
    the first answer."""
    start = time.perf_counter()
    store = root / "build" / "store"
    server = subprocess.Popen([*MIGKG, "--root", str(root), "serve", "--prepare", "--host", "127.0.0.1",
                               "--port", str(port), "--store-dir", str(store)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.perf_counter() + cap
        while time.perf_counter() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"migkg serve --prepare exited with {server.returncode}")
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": QUERY},
                                   headers={"Accept": "application/sparql-results+json"}, timeout=5)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("the server did not answer")
        return {"wall": time.perf_counter() - start, "cpu": _tree_cpu(server.pid)}
    finally:
        server.terminate()
        server.wait(30)


def prepare(work: Path, synthetic: int) -> Path:
    """A copy of the project, with a generated graph under data/synthetic/ when ``synthetic``."""
    root = work / "project"
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    if synthetic:
        generated = work / "generated"
        generate.write(generated, synthetic)
        shutil.copytree(generated / "project" / "data" / "synthetic", root / "data" / "synthetic")
    return root


def edit_one_file(root: Path) -> str:
    """Change one instrument's English label (a curator's edit); the file changed."""
    path = sorted((root / "data" / "instruments").glob("*.ttl"))[0]
    text = path.read_text(encoding="utf-8")
    marker = '"@en'
    where = text.index(marker)
    path.write_text(text[:where] + " (edited)" + text[where:], encoding="utf-8")
    return str(path.relative_to(root))


def render(rows: dict[str, dict[str, float]], args: argparse.Namespace, started: dt.datetime,
           triples: int) -> str:
    out = ["## `make run`: cold and warm start to the first answer (`benchmarks/startup.py`)", "",
           f"Run {started:%Y-%m-%d %H:%M} UTC with `python -m benchmarks.startup --synthetic "
           f"{args.synthetic} --port {args.port}` on the bundled data"
           + (f" plus a generated {args.synthetic:,}-triple graph" if args.synthetic else "")
           + f" ({triples:,} quads built)"
           + (f" under `{args.wrapper}`" if args.wrapper else "") + ".", "", *report.machine()[:2],
           f"- Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
           + (" (measured alone on the machine: the other helpers' CPU work held back, so the wall "
              "times count)." if args.wrapper else " (the 2 cores may be shared with other work: wall "
              "times move with it, CPU times much less)."), "",
           "The Makefile's `run` recipe (`migkg serve --prepare`: validate, check, bring the on-disk "
           "store up to date, serve) on a copy of the project, from the start to the first answer of "
           "`/sparql` (a COUNT over the whole graph); CPU = user + system of the server process and its "
           "query workers until then. *cold*: after the install, nothing built (no build/); *warm*: "
           "restarted with nothing changed (the validation and check caches and the store's stamp are "
           "up to date); *after an edit*: one data file changed.", "",
           "| start | wall s | CPU s |", "|---|---|---|"]
    out += [f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} |" for name, r in rows.items()]
    cold, warm = rows["cold"], rows["warm"]
    out += ["", f"Targets: cold {cold['wall']:.1f} s wall, {cold['cpu']:.1f} s CPU (< 15 s) — wall "
            f"{'met' if cold['wall'] < 15 else 'MISSED'}, CPU {'met' if cold['cpu'] < 15 else 'MISSED'}; "
            f"warm {warm['wall']:.1f} s wall, {warm['cpu']:.1f} s CPU (< 3 s) — wall "
            f"{'met' if warm['wall'] < 3 else 'MISSED'}, CPU {'met' if warm['cpu'] < 3 else 'MISSED'}.",
            ""]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--synthetic", type=generate_size, default=0,
                        help="add a generated graph of this many triples (e.g. 100k) to data/")
    parser.add_argument("--results", type=Path, default=None, help="write the block into this RESULTS.md")
    parser.add_argument("--wrapper", default=os.environ.get("BENCH_WRAPPER", ""),
                        help="how the run was isolated, said in RESULTS.md (e.g. /work/wt/quiet)")
    args = parser.parse_args(argv)
    compile_migkg()
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as work:
        root = prepare(Path(work), args.synthetic)
        rows = {"cold": run_target(root, args.port), "warm": run_target(root, args.port)}
        edited = edit_one_file(root)
        rows[f"after an edit ({edited})"] = run_target(root, args.port)
        stamp = root / "build" / "store.stamp.json"
        triples = int(json.loads(stamp.read_text())["quads"])
    block = render(rows, args, started, triples)
    if args.results is not None:
        existing = args.results.read_text(encoding="utf-8") if args.results.is_file() else ""
        args.results.write_text(report.merge(existing, ["startup"], block), encoding="utf-8")
    print(block)


def generate_size(text: str) -> int:
    """``100k``, ``1m`` or a number of triples."""
    text = text.strip().lower()
    return int(float(text.rstrip("km")) * {"k": 1000, "m": 1_000_000}.get(text[-1:], 1))


if __name__ == "__main__":
    main()
