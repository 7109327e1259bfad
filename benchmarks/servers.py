"""Start, fill and stop the servers under test on free loopback ports, and read their CPU and memory.

Every server runs in its own process group (so that it can be stopped with everything it started,
and its CPU time and memory summed over its processes):

* ``migkg`` — ``migkg serve`` over the generated project (embedded store, built on start);
* ``rdflib-endpoint`` — over the N-Quads file;
* ``oxigraph`` and ``virtuoso`` — started empty, then filled by ``migkg push`` (timed, by SPARQL Update
  and by the Graph Store Protocol), then queried directly and through ``migkg serve --store remote``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

from migkg.publish.push import GraphWriter, GspWriter, push_dataset
from migkg.publish.push_update import UpdateWriter
from migkg.stores.graph_store import RemoteEndpoints
from migkg.stores.oxigraph import OxigraphBackend
from migkg.stores.remote import RemoteBackend

HOST = "127.0.0.1"
VIRTUOSO = shutil.which("virtuoso-t")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server: its name, process (group leader), port and query path."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    path: str
    ready_s: float = 0.0  # from start to the first answer (includes building or parsing the data)
    endpoints: RemoteEndpoints | None = None  # for a store that migkg can push to and serve from

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def query_path(self, sparql: str) -> str:
        """The GET path asking ``sparql``."""
        return f"{self.path}?{urlencode({'query': sparql})}"

    def stop(self) -> None:
        """Stop the server and everything it started (its process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def usage(self) -> tuple[float, float]:
        """(CPU seconds, resident MB) summed over the server's process group."""
        cpu = rss = 0.0
        tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            if int(fields[2]) == self.process.pid:  # same process group
                cpu += (int(fields[11]) + int(fields[12])) / tick
                rss += int(fields[21]) * page / 2**20
        return cpu, rss


def _start(name: str, command: list[str], port: int, path: str, log: Path, timeout_s: float,
           env: dict[str, str] | None = None, cwd: Path | None = None) -> Server:
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, **(env or {})}, cwd=cwd)
    server = Server(name, process, port, path)
    while time.monotonic() < started + timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}); see {log}")
        try:
            r = httpx.get(server.base_url + server.query_path("ASK {}"), timeout=2,
                          headers={"accept": "application/sparql-results+json"})
            if r.status_code == 200:
                server.ready_s = time.monotonic() - started
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise TimeoutError(f"{name} did not answer within {timeout_s:g} s; see {log}")


def start_migkg(data: Path, work: Path, query_timeout_s: float, cap_s: float) -> Server:
    """``migkg serve`` over the generated project; it builds a fresh on-disk store first."""
    store = work / "migkg-store"
    shutil.rmtree(store, ignore_errors=True)
    port = free_port()
    command = [sys.executable, "-m", "migkg.cli", "--root", str(data / "project"), "serve",
               "--host", HOST, "--port", str(port), "--store-dir", str(store)]
    env = {"MIGKG_QUERY_TIMEOUT_S": str(query_timeout_s)}
    return _start("migkg", command, port, "/sparql", work / "migkg.log", cap_s, env)


def start_rdflib_endpoint(data: Path, work: Path, cap_s: float) -> Server:
    """rdflib-endpoint over the N-Quads (an rdflib Dataset with the union as default graph)."""
    port = free_port()
    command = [_bin("rdflib-endpoint"), "serve", str(data / "dataset.nq"), "--host", HOST,
               "--port", str(port)]
    return _start("rdflib-endpoint", command, port, "/", work / "rdflib-endpoint.log", cap_s)


def start_oxigraph(work: Path, timeout_s: float, fresh: bool = True) -> Server:
    """The native Oxigraph server (over an empty store when ``fresh``), with the union as default graph."""
    location = work / "oxigraph-store"
    if fresh:
        shutil.rmtree(location, ignore_errors=True)
    port = free_port()
    command = [_bin("oxigraph"), "serve", "--location", str(location), "--bind", f"{HOST}:{port}",
               "--union-default-graph"]
    server = _start("oxigraph", command, port, "/query", work / "oxigraph.log", 60)
    base = server.base_url
    server.endpoints = RemoteEndpoints(f"{base}/query", f"{base}/update", f"{base}/store",
                                       timeout_s=timeout_s)
    return server


def optimize_oxigraph(store: Server, work: Path, timeout_s: float) -> tuple[Server, float]:
    """Stop the server, ``oxigraph optimize`` its store (compacted as ``oxigraph load`` leaves it:
    joins 2.5× faster at 100k than right after a push), start it again; return it and the seconds."""
    store.stop()
    started = time.perf_counter()
    subprocess.run([_bin("oxigraph"), "optimize", "--location", str(work / "oxigraph-store")], check=True,
                   capture_output=True)
    seconds = time.perf_counter() - started
    return start_oxigraph(work, timeout_s, fresh=False), seconds


def start_virtuoso(work: Path, triples: int, timeout_s: float) -> Server:
    """Virtuoso with the tests' small ini (tests/remote_servers.py), its page cache grown for big graphs."""
    from tests.remote_servers import VIRTUOSO_INI

    assert VIRTUOSO is not None
    folder = work / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port, buffers = free_port(), max(10_000, triples // 10)  # 8 kB pages: ~85 MB, ~800 MB at 1M
    ini = VIRTUOSO_INI.format(dir=folder, sql_port=free_port(), http_port=port).replace(
        "NumberOfBuffers = 10000", f"NumberOfBuffers = {buffers}").replace(
        "MaxDirtyBuffers = 6000", f"MaxDirtyBuffers = {buffers * 3 // 4}")
    (folder / "virtuoso.ini").write_text(ini)
    server = _start("virtuoso", [VIRTUOSO, "-f", "-c", str(folder / "virtuoso.ini")], port, "/sparql",
                    folder / "stdout.log", 120, cwd=folder)
    base = server.base_url
    server.endpoints = RemoteEndpoints(f"{base}/sparql", f"{base}/sparql-auth",
                                       f"{base}/sparql-graph-crud-auth", user="dba", password="dba",
                                       timeout_s=timeout_s)
    return server


def start_front(store: Server, work: Path) -> Server:
    """``migkg serve --store remote`` (one uvicorn process) in front of ``store``."""
    assert store.endpoints is not None
    ep, port = store.endpoints, free_port()
    command = [sys.executable, "-m", "migkg.cli", "serve", "--host", HOST, "--port", str(port),
               "--store", "remote", "--query-url", ep.query_url]
    env = {"MIGKG_REMOTE_USER": ep.user or "", "MIGKG_REMOTE_PASSWORD": ep.password or ""} \
        if ep.user else {}
    return _start(f"migkg → {store.name}", command, port, "/sparql", work / f"front-{store.name}.log",
                  60, env)


def push(store: Server, source: OxigraphBackend, method: str) -> float:
    """Seconds ``migkg push`` takes to load ``source`` into ``store`` (``method``: gsp or update)."""
    assert store.endpoints is not None
    remote = RemoteBackend(store.endpoints)
    try:
        assert remote.graph_store is not None
        assert store.endpoints.update_url is not None
        writer: GraphWriter = GspWriter(remote.graph_store) if method == "gsp" else \
            UpdateWriter(remote.client, store.endpoints.update_url)
        started = time.perf_counter()
        push_dataset(source, writer)
        return time.perf_counter() - started
    finally:
        remote.close()


def _bin(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name
