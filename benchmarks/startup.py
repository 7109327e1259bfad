"""How fast ``make run`` answers: cold (after the install, nothing built) and warm (nothing changed).

    python -m benchmarks.startup                       # the bundled data, port 8102
    python -m benchmarks.startup --synthetic 100k      # plus a generated 100k-triple graph in data/

On a copy of the project (ontology/, data/, shapes/, queries/) in a temporary folder, it runs the
commands of the Makefile's ``run`` target with the installed ``migkg`` (validate, check, build
--store-dir, serve) and times from the first command to the first answer of ``/sparql`` (a COUNT
over the whole graph); then stops the server and does it again (warm: every step finds its cache or
stamp up to date); then edits one data file and does it again (after an edit). Each step's wall
time is printed; ``--results`` writes the "startup" block of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
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

REPO = Path(__file__).resolve().parents[1]
MIGKG = [sys.executable, "-c", "from migkg.cli import app; app()"]
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def run_target(root: Path, port: int, cap: float = 600.0) -> dict[str, float]:
    """The Makefile's ``run`` recipe on ``root``: seconds per step and to the first answer."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    store = root / "build" / "store"
    for name, args in (("validate", ["validate"]), ("check", ["check"]),
                       ("build", ["build", "--store-dir", str(store)])):
        begun = time.perf_counter()
        done = subprocess.run([*MIGKG, "--root", str(root), *args], capture_output=True, text=True,
                              check=False, timeout=cap)
        times[name] = time.perf_counter() - begun
        if done.returncode not in (0, 1):  # 1: the data does not conform; make run stops there too
            raise RuntimeError(f"{name}: exit {done.returncode}: {done.stderr[-500:]}")
    begun = time.perf_counter()
    server = subprocess.Popen([*MIGKG, "--root", str(root), "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--store-dir", str(store)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.perf_counter() + cap
        while time.perf_counter() < deadline:
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
        times["serve (to first answer)"] = time.perf_counter() - begun
        times["total"] = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(30)
    return times


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
    steps = ["validate", "check", "build", "serve (to first answer)", "total"]
    out = ["## `make run`: cold and warm start to the first answer (`benchmarks/startup.py`)", "",
           f"Run {started:%Y-%m-%d %H:%M} UTC with `python -m benchmarks.startup --synthetic "
           f"{args.synthetic} --port {args.port}` on the bundled data"
           + (f" plus a generated {args.synthetic:,}-triple graph" if args.synthetic else "")
           + f" ({triples:,} quads built).", "", *report.machine()[:2],
           f"- Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (the 2 cores "
           "are shared with other work: wall times move with it).", "",
           "Seconds of wall time per step of the Makefile's `run` recipe (validate, check, build "
           "--store-dir, serve), each a fresh process, to the first answer of `/sparql`. *cold*: after "
           "the install, nothing built (no build/); *warm*: restarted with nothing changed (the "
           "validation cache, the check cache and the store's stamp are up to date); *after an edit*: one "
           "data file changed (validation and the store update only what it affects).", "",
           "| step | " + " | ".join(rows) + " |", "|---|" + "---|" * len(rows)]
    for step in steps:
        out.append(f"| {step} | " + " | ".join(f"{r.get(step, float('nan')):.2f}" for r in rows.values())
                   + " |")
    cold, warm = rows["cold"]["total"], rows["warm"]["total"]
    out += ["", f"Targets: cold {cold:.1f} s (< 15 s) — {'met' if cold < 15 else 'MISSED'}; warm "
            f"{warm:.1f} s (< 3 s) — {'met' if warm < 3 else 'MISSED'}.", ""]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--synthetic", type=generate_size, default=0,
                        help="add a generated graph of this many triples (e.g. 100k) to data/")
    parser.add_argument("--results", type=Path, default=None, help="write the block into this RESULTS.md")
    args = parser.parse_args(argv)
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
