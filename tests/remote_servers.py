"""Real SPARQL servers on loopback for the remote-store tests (and the remote benchmark).

* Oxigraph server (``oxigraph`` from PyPI, a test dependency): ``oxigraph serve`` on a free port over
  a folder in a temp dir, with ``--union-default-graph`` as migkg expects of a remote store.
* Virtuoso Open Source 7 (Debian ``virtuoso-opensource-7-bin``, installed by scripts/system-deps.sh):
  ``virtuoso-t -f`` with a generated ini, SQL and HTTP ports free on 127.0.0.1, database files in a
  temp dir; queries at ``/sparql``, updates at ``/sparql-auth`` and GSP writes at
  ``/sparql-graph-crud-auth``, both with digest auth ``dba``/``dba``.

The fixtures are session-scoped: a server starts once (Virtuoso takes ~5 s) and every test module
uses it. Tests that stop a server start their own with :func:`start_oxigraph`.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from migkg.stores.graph_store import RemoteEndpoints

VIRTUOSO = shutil.which("virtuoso-t")
NO_VIRTUOSO = ("virtuoso-t is not installed (Debian package virtuoso-opensource-7-bin; "
               "`make system-deps` installs it as root)")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str:
    """The ``oxigraph`` command installed next to this Python (the venv), or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph, a test extra)")
    return found


@dataclass
class RemoteServer:
    """A running SPARQL server and how to reach it."""

    name: str
    endpoints: RemoteEndpoints
    process: subprocess.Popen[bytes]
    directory: Path
    port: int
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server (SIGKILL: as if it crashed) and wait for it to exit."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def wait_ready(server: RemoteServer, timeout_s: float) -> None:
    """Wait until the server answers ``ASK {}``; fail with its log if it dies or takes too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.log.read_text(errors='replace')[-2000:]}")
        try:
            answer = httpx.get(server.endpoints.query_url, params={"query": "ASK {}"}, timeout=2)
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer within {timeout_s} s")


def start_oxigraph(location: Path, port: int | None = None) -> RemoteServer:
    """``oxigraph serve`` over ``location`` (created if needed) on a free loopback port."""
    location.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    log = location.with_name(location.name + ".log")
    command = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
               "--union-default-graph"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    # 60 s: a PUT of one of the imported graphs (≈30k triples) takes seconds on a loaded CI machine.
    endpoints = RemoteEndpoints(f"{base}/query", f"{base}/update", f"{base}/store", timeout_s=60)
    server = RemoteServer("oxigraph", endpoints, process, location, port, log)
    wait_ready(server, 20)
    return server


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ServerThreads = 10
CheckpointInterval = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def start_virtuoso(directory: Path) -> RemoteServer:
    """``virtuoso-t -f`` with a generated ini over ``directory``, on free loopback ports."""
    assert VIRTUOSO is not None, NO_VIRTUOSO
    directory.mkdir(parents=True, exist_ok=True)
    http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=free_port(), http_port=http_port))
    log = directory / "stdout.log"
    with log.open("ab") as out:
        process = subprocess.Popen([VIRTUOSO, "-f", "-c", str(ini)], cwd=directory, stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    endpoints = RemoteEndpoints(
        f"{base}/sparql", f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth",
        user="dba", password="dba", timeout_s=90,  # the imported graphs (≈30k triples each) load slowly
    )
    server = RemoteServer("virtuoso", endpoints, process, directory, http_port, log)
    wait_ready(server, 60)
    return server


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteServer]:
    """An Oxigraph server for the whole session."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server") / "store")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteServer]:
    """A Virtuoso server for the whole session (skipped when virtuoso-t is missing)."""
    if VIRTUOSO is None:
        pytest.skip(NO_VIRTUOSO)
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(
    scope="session",
    params=[pytest.param("oxigraph", marks=pytest.mark.server),
            pytest.param("virtuoso", marks=[pytest.mark.server, pytest.mark.virtuoso])],
)
def remote_server(request: pytest.FixtureRequest) -> RemoteServer:
    """Each real server in turn."""
    server: RemoteServer = request.getfixturevalue(f"{request.param}_server")
    return server
