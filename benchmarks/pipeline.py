"""The pipeline benchmark: parse, build, validate and check a generated project, with peers, in one run.

    python -m benchmarks.pipeline                      # 10k, 100k, 1M triples; writes RESULTS.md
    python -m benchmarks.pipeline --sizes 10k --pyshacl-max 10k    # a quick look

For each size, on the same generated project (``benchmarks/generate.py``: records the shapes accept,
plus ``--violations`` injected records per rule), every step runs in a child process of its own, so
that its wall time, CPU time (user + system) and peak memory (``ru_maxrss``, from ``os.wait4``) are its
alone:

* **parse**: migkg's parser (``migkg.sources.parse_all``, pyoxigraph) over ontology/, data/, shapes/;
* **build**: ``migkg build`` in memory and ``migkg build --store-dir`` on disk; peer: pyoxigraph's own
  ``Store.bulk_load`` of the same files into the same named graphs, in memory and on disk;
* **validate**: ``migkg validate --full --format json`` (native engine, everything, no cache); peer:
  ``migkg validate --full --engine pyshacl`` up to ``--pyshacl-max`` triples, stopped at
  ``--pyshacl-cap`` seconds. The reports are checked: every injected violation found, nothing else,
  and the same per-shape counts for both;
* **check**: ``migkg check`` (the whole-graph check queries; injected records make them fail).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import generate, report

log = logging.getLogger("benchmarks.pipeline")

MIGKG = [sys.executable, "-c", "from migkg.cli import app; app()"]
PARSE = """
import sys
from pathlib import Path
from migkg.sources import discover, parse_all
root = Path(sys.argv[1])
parsed = parse_all(discover(root, [root / "ontology", root / "data", root / "shapes"]))
print(sum(len(p.quads) for p in parsed))
"""
BULK_LOAD = """
import sys
from pathlib import Path
import pyoxigraph as ox
from migkg.namespaces import graph_iri_for
root = Path(sys.argv[1])
store = ox.Store(sys.argv[2]) if len(sys.argv) > 2 else ox.Store()
for folder in ("ontology", "data", "shapes"):
    for path in sorted((root / folder).rglob("*.ttl")):
        graph = ox.NamedNode(graph_iri_for(path.relative_to(root).as_posix()))
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE, to_graph=graph)
if len(sys.argv) > 2:
    store.optimize()
print(len(store))
"""

ENGINE_ONLY = """
import json, sys, time
from pathlib import Path
from migkg.quality.validation import load_ontology_graph, load_shapes, validate
from migkg.sources import load_rdflib_graph, load_store
root, engine = Path(sys.argv[1]), sys.argv[2]
load = load_store if engine == "native" else load_rdflib_graph
data = load(root, [root / "ontology", root / "data"])
shapes, ontology = load_shapes(root / "shapes"), load_ontology_graph(root / "ontology")
wall, cpu = time.perf_counter(), time.process_time()
report = validate(data, shapes, ontology, engine=engine)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "results": len(report.results)}))
"""


@dataclass
class Step:
    """One child process: what it cost and what it printed."""

    wall_s: float
    cpu_s: float
    peak_mb: float
    code: int | None  # None: stopped at the cap
    stdout: str = ""
    stderr: str = ""
    walls: tuple[float, ...] = ()  # every run's wall time, when the step was repeated (wall_s: median)

    @property
    def ok(self) -> bool:
        return self.code is not None


def measure(command: list[str], cap: float) -> Step:
    """Run ``command`` as a child; its wall time, CPU time and peak RSS (stopped after ``cap`` s)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            child.kill()

        timer = threading.Timer(cap, stop)
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        timer.cancel()
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Step(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024,
                    code=None if stopped.is_set() else child.returncode,
                    stdout=out.read().decode("utf-8", "replace"),
                    stderr=err.read().decode("utf-8", "replace"))


def repeated(name: str, command: list[str], cap: float, args: argparse.Namespace,
             after: Callable[[], None]) -> Step:
    """``command`` run up to ``--repeat`` times while its runs take under ``--repeat-budget`` s in all:
    the median wall and CPU time (one run's time moves by a quarter on this machine), the highest peak.

    ``after`` runs after each run (the disk builds start from an empty folder every time). For the
    *engine call only* steps, the times are the ones the child measured around the call.
    """
    runs: list[Step] = []
    while len(runs) < max(args.repeat, 1) and sum(r.wall_s for r in runs) < args.repeat_budget:
        step = measure(command, cap)
        after()
        if "engine call only" in name and step.ok and step.stdout.strip():
            timed = json.loads(step.stdout.strip().splitlines()[-1])  # the call, not the loading
            step.wall_s, step.cpu_s = timed["wall"], timed["cpu"]
        runs.append(step)
        if not step.ok or step.code not in (0, 1):
            break  # stopped or failed: reported as it is
    last = runs[-1]
    if len(runs) == 1 or not all(r.ok for r in runs):
        return last
    return Step(wall_s=statistics.median(r.wall_s for r in runs),
                cpu_s=statistics.median(r.cpu_s for r in runs), peak_mb=max(r.peak_mb for r in runs),
                code=last.code, stdout=last.stdout, stderr=last.stderr,
                walls=tuple(r.wall_s for r in runs))


@dataclass
class SizeRun:
    """Everything measured on one graph size."""

    label: str
    triples: int = 0  # quads in the built store
    steps: dict[str, Step] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def project_for(label: str, args: argparse.Namespace) -> Path:
    """The generated project of one size (made once; remade when its parameters differ)."""
    out = (args.work / label).resolve()
    wanted = {"generator": generate.VERSION, "triples": parse_size(label), "seed": args.seed,
              "violations_per_rule": args.violations}
    expected = out / "expected.json"
    current = json.loads(expected.read_text()) if expected.is_file() else {}
    if {k: current.get(k) for k in wanted} != wanted or not (out / "project" / "shapes").is_dir():
        log.info("generating %s triples (%d violations per rule) in %s", label, args.violations, out)
        generate.write(out, wanted["triples"], args.seed, args.violations)
    else:  # the copies of ontology/, shapes/ and queries/ follow the repository
        generate.copy_repository_parts(out / "project")
    return out


def shape_counts(report_json: str) -> collections.Counter[tuple[str, str]]:
    """(source shape, severity) → results, from ``migkg validate --format json``."""
    results = json.loads(report_json)["results"]
    return collections.Counter((r["source_shape"], r["severity"]) for r in results)


def verify_injected(report_json: str, expected: dict[str, list[str]]) -> str:
    """Whether the report holds exactly the injected violations: a line saying so, or what differs."""
    results = json.loads(report_json)["results"]
    violations = collections.Counter(r["source_shape"] for r in results if r["severity"] == "Violation")
    wanted = collections.Counter({shape: len(focus) for shape, focus in expected.items()})
    found = {(r["source_shape"], r["focus_node"]) for r in results}
    missing = [(s, f) for s, nodes in expected.items() for f in nodes if (s, f) not in found]
    others = sorted((violations - wanted).items())
    total = sum(wanted.values())
    if not missing and violations == wanted:
        return (f"all {total} injected violations found ({len(expected)} rules), no other violation, "
                f"{len(results) - total} other results")
    return f"MISSED {len(missing)} of {total} injected violations; unexpected: {others[:5]}"


def run_size(label: str, args: argparse.Namespace) -> SizeRun:
    """Generate (once) the project of one size and measure each step."""
    out = project_for(label, args)
    project = out / "project"
    expected = json.loads((out / "expected.json").read_text())["results"]
    run = SizeRun(label)
    size = parse_size(label)
    cap = args.cap
    root = ["--root", str(project)]
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        disk = Path(scratch)
        commands: dict[str, list[str]] = {
            "parse · migkg": [sys.executable, "-c", PARSE, str(project)],
            "build (memory) · migkg": [*MIGKG, *root, "build"],
            "build (memory) · pyoxigraph bulk_load": [sys.executable, "-c", BULK_LOAD, str(project)],
            "build (disk) · migkg": [*MIGKG, *root, "build", "--store-dir", str(disk / "migkg")],
            "build (disk) · pyoxigraph bulk_load": [sys.executable, "-c", BULK_LOAD, str(project),
                                                    str(disk / "oxigraph")],
            "validate · migkg (native)": [*MIGKG, *root, "validate", "--full", "--format", "json"],
        }
        commands["validate (engine call only) · migkg (native)"] = [
            sys.executable, "-c", ENGINE_ONLY, str(project), "native"]
        if size <= args.pyshacl_max:
            commands["validate · pyshacl"] = [*MIGKG, *root, "validate", "--full", "--engine",
                                              "pyshacl", "--format", "json"]
            if size <= 10_000:  # at 100k it would take pyshacl's minutes twice
                commands["validate (engine call only) · pyshacl"] = [
                    sys.executable, "-c", ENGINE_ONLY, str(project), "pyshacl"]
        else:
            run.notes.append(f"pyshacl skipped above {args.pyshacl_max:,} triples (--pyshacl-max)")
        commands["check · migkg"] = [*MIGKG, *root, "check"]
        def clean() -> None:
            for path in (disk / "migkg", disk / "oxigraph"):
                if path.exists():
                    shutil.rmtree(path)

        for name, command in commands.items():
            log.info("%s: %s", label, name)
            step_cap = args.pyshacl_cap if "pyshacl" in name and "validate" in name else cap
            step = repeated(name, command, step_cap, args, clean)
            run.steps[name] = step
            if not step.ok:
                run.notes.append(f"{name}: stopped after {step.wall_s:.0f} s (cap)")
            elif step.code not in (0, 1):
                run.notes.append(f"{name}: exit {step.code}: {step.stderr.strip()[-300:]}")
    with contextlib.suppress(ValueError, IndexError):
        run.triples = int(run.steps["build (memory) · pyoxigraph bulk_load"].stdout.split()[-1])
    native = run.steps["validate · migkg (native)"]
    if native.ok and native.stdout.strip():
        run.checks.append("migkg (native): " + verify_injected(native.stdout, expected))
        reference = run.steps.get("validate · pyshacl")
        if reference is not None and reference.ok and reference.stdout.strip():
            same = shape_counts(native.stdout) == shape_counts(reference.stdout)
            run.checks.append("pyshacl: " + verify_injected(reference.stdout, expected))
            run.checks.append("per-shape counts, migkg (native) vs pyshacl: "
                              + ("identical" if same else "DIFFERENT"))
            identical = json.loads(native.stdout)["results"] == json.loads(reference.stdout)["results"]
            run.checks.append("whole reports (focus, shape, severity, path, value, message): "
                              + ("identical" if identical else "DIFFERENT"))
    return run


# --- RESULTS.md -----------------------------------------------------------------------------------

PEERS = {  # step -> the peer it is compared with
    "build (memory) · migkg": "build (memory) · pyoxigraph bulk_load",
    "build (disk) · migkg": "build (disk) · pyoxigraph bulk_load",
    "validate · migkg (native)": "validate · pyshacl",
    "validate (engine call only) · migkg (native)": "validate (engine call only) · pyshacl",
}


def _ratio(ours: Step | None, theirs: Step | None, attr: str) -> str:
    if ours is None or theirs is None or not ours.ok:
        return "–"
    value = getattr(theirs, attr) / max(getattr(ours, attr), 1e-9)
    return f"{value:.2f}×" if theirs.ok else f"> {value:.1f}× (peer stopped)"


def table(run: SizeRun) -> list[str]:
    lines = ["| step · tool | runs | wall s (median) | wall s (range) | CPU s (median) | peak MB | exit | "
             "peer ÷ migkg (wall) | peer ÷ migkg (CPU) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, step in run.steps.items():
        peer = run.steps.get(PEERS.get(name, ""))
        code = "stopped" if step.code is None else str(step.code)
        spread = f"{min(step.walls):.2f}–{max(step.walls):.2f}" if step.walls else "–"
        lines.append(f"| {name} | {len(step.walls) or 1} | {step.wall_s:.2f} | {spread} | {step.cpu_s:.2f} | "
                     f"{step.peak_mb:.0f} | {code} | {_ratio(step, peer, 'wall_s')} | "
                     f"{_ratio(step, peer, 'cpu_s')} |")
    return lines


def targets(runs: list[SizeRun]) -> list[str]:
    out: list[str] = []
    by = {r.label: r for r in runs}

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    small = by.get("10k")
    if small and "validate · pyshacl" in small.steps:
        ours, theirs = small.steps["validate · migkg (native)"], small.steps["validate · pyshacl"]
        wall, cpu = theirs.wall_s / ours.wall_s, theirs.cpu_s / ours.cpu_s
        same = any("per-shape counts" in c and c.endswith("identical") for c in small.checks)
        out.append(f"- 10k: `migkg validate` vs pyshacl: {wall:.1f}× faster (wall), {cpu:.1f}× (CPU), "
                   f"per-shape counts {'identical' if same else 'DIFFERENT'} (target ≥ 10×, identical) — "
                   f"{verdict(min(wall, cpu) >= 10 and same)} (wall {verdict(wall >= 10)}, "
                   f"CPU {verdict(cpu >= 10)})")
        engine_ours = small.steps.get("validate (engine call only) · migkg (native)")
        engine_theirs = small.steps.get("validate (engine call only) · pyshacl")
        if engine_ours is not None and engine_theirs is not None and engine_theirs.ok:
            wall = engine_theirs.wall_s / engine_ours.wall_s
            cpu = engine_theirs.cpu_s / engine_ours.cpu_s
            out.append(f"- 10k, the engine call alone (data, shapes and ontology loaded): {wall:.1f}× "
                       f"(wall), {cpu:.1f}× (CPU) — wall {verdict(wall >= 10)}, CPU {verdict(cpu >= 10)}")
    big = by.get("1m")
    if big:
        step = big.steps["validate · migkg (native)"]
        out.append(f"- 1M: `migkg validate` {step.wall_s:.1f} s wall ({step.cpu_s:.1f} s CPU), peak "
                   f"{step.peak_mb:.0f} MB (target < 60 s) — {verdict(step.ok and step.wall_s < 60)}")
        for kind in ("memory", "disk"):
            ours = big.steps[f"build ({kind}) · migkg"]
            peer = big.steps[f"build ({kind}) · pyoxigraph bulk_load"]
            ratio = ours.wall_s / peer.wall_s
            out.append(f"- 1M: `migkg build` ({kind}) {ours.wall_s:.1f} s vs pyoxigraph bulk_load "
                       f"{peer.wall_s:.1f} s: {ratio:.2f}× (CPU {ours.cpu_s / peer.cpu_s:.2f}×; target "
                       f"≤ 1.2×) — {verdict(ratio <= 1.2)}")
    return out


def render(run: SizeRun, args: argparse.Namespace, started: dt.datetime) -> str:
    """The RESULTS.md block of one size (each size has its own: sizes can be run separately)."""
    command = (f"python -m benchmarks.pipeline --sizes {run.label} --violations "
               f"{args.violations} --pyshacl-max {args.pyshacl_max} --pyshacl-cap {args.pyshacl_cap:g} "
               f"--repeat {args.repeat} --repeat-budget {args.repeat_budget:g}")
    out = [f"## Pipeline at {run.label}: parse, build, validate, check (`make bench-pipeline`)", "",
           f"Run {started:%Y-%m-%d %H:%M} UTC with `{command}`"
           + (f" under `{args.wrapper}`" if args.wrapper else "") + ".", "", *report.machine()[:2],
           f"- SHACL: pyshacl-turbo {report._version('pyshacl-turbo')} (migkg's native engine), pyshacl "
           f"{report._version('pyshacl')} (rdflib {report._version('rdflib')})",
           f"- Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}."
           + (" Measured alone on the machine (the other helpers' CPU work held back)."
              if args.wrapper else " The 2 cores may be shared with other work: wall times move with "
              "it; CPU times (user + system of the step's process) less so."), "",
           "Each step is a child process of its own (wall time, CPU time, peak RSS from `os.wait4`), "
           "on the same generated project: records the shapes accept plus "
           f"{args.violations} injected records per rule (`benchmarks/generate.py`). Like with like: "
           "*validate · migkg (native)* and *validate · pyshacl* are both the whole command "
           "(`migkg validate --full --format json`, with `--engine pyshacl` for the peer: the same "
           "start-up, loading and report writing around the engine); *engine call only* times the "
           "`validate()` call alone, in-process, after the data, shapes and ontology are loaded, for "
           "both engines. Each step runs up to `--repeat` times while its runs take under "
           "`--repeat-budget` s in all; the table gives the median and the range of the wall times, "
           "and the ratios are of medians. migkg's own modules are byte-compiled before the run (as an "
           "installed package has them; this machine sets PYTHONDONTWRITEBYTECODE). Exit 1 of validate "
           "and check is expected: the injected records violate the rules. See benchmarks/README.md.", "",
           f"### {run.label} ({run.triples:,} quads built)", "", *table(run), ""]
    out += [f"- {line}" for line in run.checks + run.notes]
    lines = targets([run])
    if lines:
        out += ["", "Targets:", "", *lines]
    return "\n".join(out) + "\n"


def compile_migkg() -> None:
    """Byte-compile migkg's modules, so that no step pays for compiling them (site-packages have
    their .pyc from the install; an editable install under PYTHONDONTWRITEBYTECODE has none)."""
    import migkg

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(migkg.__file__).parent)],
                   check=True, stdout=subprocess.DEVNULL)


def parse_size(text: str) -> int:
    """``10k``, ``1m`` or a number of triples."""
    text = text.strip().lower()
    return int(float(text.rstrip("km")) * {"k": 1000, "m": 1_000_000}.get(text[-1:], 1))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--violations", type=int, default=3, help="injected records per rule")
    parser.add_argument("--pyshacl-max", type=parse_size, default=100_000,
                        help="largest graph pyshacl validates (default 100k)")
    parser.add_argument("--pyshacl-cap", type=float, default=900.0,
                        help="seconds pyshacl gets per graph before it is stopped")
    parser.add_argument("--cap", type=float, default=900.0, help="seconds any other step gets")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of each step (median reported), while they take under --repeat-budget")
    parser.add_argument("--repeat-budget", type=float, default=60.0,
                        help="seconds of runs after which a step is not run again (default 60)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("build/bench-pipeline"))
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "RESULTS.md")
    parser.add_argument("--generate-only", action="store_true",
                        help="only make the generated projects (then measure them in another run)")
    parser.add_argument("--wrapper", default=os.environ.get("BENCH_WRAPPER", ""),
                        help="how the run was isolated, said in RESULTS.md (e.g. /work/wt/quiet)")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.generate_only:
        for label in args.sizes:
            project_for(label, args)
        return
    compile_migkg()
    for label in args.sizes:  # each size into RESULTS.md as soon as it is measured
        started = dt.datetime.now(dt.UTC)
        block = render(run_size(label, args), args, started)
        existing = args.results.read_text(encoding="utf-8") if args.results.is_file() else ""
        existing = report.drop(existing, "pipeline")  # the block of all sizes, before they were split
        args.results.write_text(report.merge(existing, [f"pipeline-{label}"], block), encoding="utf-8")
        print(block)


if __name__ == "__main__":
    main()
