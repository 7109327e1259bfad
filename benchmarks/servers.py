"""Start and stop the three servers under test on free loopback ports, over the same data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server: its name, process, port and query path."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    path: str

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


def _start(name: str, command: list[str], port: int, path: str, log: Path, timeout_s: float,
           env: dict[str, str] | None = None) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, **(env or {})})
    server = Server(name, process, port, path)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}); see {log}")
        try:
            r = httpx.get(server.base_url + server.query_path("ASK {}"), timeout=2,
                          headers={"accept": "application/sparql-results+json"})
            if r.status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer within {timeout_s} s; see {log}")


def start_migkg(data: Path, work: Path, timeout_query_s: float) -> Server:
    """``migkg serve`` over the generated project (it builds its on-disk store first)."""
    port = free_port()
    command = [sys.executable, "-m", "migkg.cli", "--root", str(data / "project"), "serve",
               "--host", HOST, "--port", str(port), "--store-dir", str(work / "migkg-store")]
    env = {"MIGKG_QUERY_TIMEOUT_S": str(timeout_query_s)}
    return _start("migkg", command, port, "/sparql", work / "migkg.log", 600, env)


def start_oxigraph(data: Path, work: Path) -> Server:
    """The native Oxigraph server (``oxigraph load`` then ``serve --union-default-graph``)."""
    location = work / "oxigraph-store"
    if not location.exists():
        subprocess.run([_bin("oxigraph"), "load", "--location", str(location), "--file",
                        str(data / "dataset.nq")], check=True, capture_output=True)
    port = free_port()
    command = [_bin("oxigraph"), "serve", "--location", str(location), "--bind", f"{HOST}:{port}",
               "--union-default-graph"]
    return _start("oxigraph", command, port, "/query", work / "oxigraph.log", 120)


def start_rdflib_endpoint(data: Path, work: Path) -> Server:
    """rdflib-endpoint over the N-Quads (an rdflib Dataset with the union as default graph)."""
    port = free_port()
    command = [_bin("rdflib-endpoint"), "serve", str(data / "dataset.nq"), "--host", HOST,
               "--port", str(port)]
    return _start("rdflib-endpoint", command, port, "/", work / "rdflib-endpoint.log", 900)


def _bin(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name
