"""A small, fast load generator: keep-alive HTTP/1.1 over raw asyncio streams (uvloop when present).

Each of ``connections`` coroutines sends pre-built GET requests one after another on its own
connection, cycling through the given paths, until ``duration_s`` passes or ``max_requests`` are done
(count- and time-bounded). Latencies are measured per request. ``wrk`` (if installed) is offered as a
cross-check that the Python client is not the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GRACE_S = 2.0  # how long past the end of a run an answer is still awaited


@dataclass(frozen=True)
class LoadResult:
    """Throughput and latency of one load run."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    unfinished: int = 0  # requests still unanswered when the time was up (not in the latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(b":") for ln in lines[1:] if ln)}
    if b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _worker(host: str, port: int, requests: list[bytes], stop_at: float, budget: list[int],
                  latencies: list[float], errors: list[int], unfinished: list[int], offset: int) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = offset
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(requests[i % len(requests)])
            try:  # strictly time-bounded: an answer still missing at the end is given up
                status = await asyncio.wait_for(_read_response(reader), stop_at + GRACE_S - started)
            except TimeoutError:
                unfinished[0] += 1
                return
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[0] += 1
            i += 1
    finally:
        writer.close()


def _request(host: str, port: int, path: str, accept: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: {accept}\r\n"
            "Connection: keep-alive\r\n\r\n").encode()


async def aload(host: str, port: int, paths: list[str], *, accept: str, connections: int,
                duration_s: float, max_requests: int) -> LoadResult:
    """Run the load from the current event loop."""
    requests = [_request(host, port, p, accept) for p in paths]
    latencies: list[float] = []
    errors, unfinished, budget = [0], [0], [max_requests]
    started = time.perf_counter()
    stop_at = started + duration_s
    await asyncio.gather(*(_worker(host, port, requests, stop_at, budget, latencies, errors, unfinished,
                                   k * 7) for k in range(connections)))
    elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return LoadResult(len(ms), errors[0], elapsed, _percentile(ms, 50), _percentile(ms, 95),
                      _percentile(ms, 99), unfinished[0])


def load(host: str, port: int, paths: list[str], *, accept: str, connections: int = 8,
         duration_s: float = 5.0, max_requests: int = 200_000) -> LoadResult:
    """Run the load in a fresh event loop (uvloop when installed)."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run  # type: ignore[assignment]
    return runner(aload(host, port, paths, accept=accept, connections=connections,
                        duration_s=duration_s, max_requests=max_requests))


_WRK_SCRIPT = """
local paths = {%s}
local i = 0
wrk.headers["Accept"] = "%s"
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local fmt = '{"requests": %%d, "errors": %%d, "seconds": %%f, '
    .. '"p50": %%f, "p95": %%f, "p99": %%f}\\n'
  io.write(string.format(fmt,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_available() -> bool:
    """Whether the ``wrk`` command is installed."""
    return shutil.which("wrk") is not None


def wrk(base_url: str, paths: list[str], *, accept: str, connections: int = 8, threads: int = 1,
        duration_s: float = 5.0) -> LoadResult:
    """The same load measured by ``wrk`` (time-bounded)."""
    script = _WRK_SCRIPT % (", ".join(json.dumps(p) for p in paths), accept)
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "paths.lua"
        lua.write_text(script)
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(round(duration_s), 1)}s",
                   "-s", str(lua), base_url]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return LoadResult(data["requests"], data["errors"], data["seconds"], data["p50"], data["p95"],
                      data["p99"])
