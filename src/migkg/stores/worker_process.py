"""The worker-process side of :mod:`migkg.stores.workers`: open a snapshot read-only, answer queries.

Messages on the pipe: ``("query", QueryRequest, results format name, RDF format name)`` answered by
``("ok", form, media type, size, seconds)`` and the body as bytes, or ``("error", error class name,
message, seconds)`` (seconds: the CPU time the query used in the worker, for the client's budget);
``("open", path)`` drops the snapshot read so far and opens the one at ``path``, answered by
``("opened",)`` once it is open (so is the first snapshot, at start: the pool waits for that answer
before it sends a query, so that no query's time includes opening a snapshot); anything else
stops.
"""

from __future__ import annotations

import signal
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox

from migkg.formats import rdf_format, results_format
from migkg.stores.base import QueryRequest, StoreError
from migkg.stores.limits import QueryPolicy
from migkg.stores.oxigraph import OxigraphBackend


def worker_main(conn: Connection, store_dir: str, policy: QueryPolicy) -> None:
    """The loop of a worker process: open the snapshot read-only, answer messages until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    backend = OxigraphBackend(ox.Store.read_only(store_dir), policy)
    conn.send(("opened",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "query":
            _answer(conn, backend, message[1], message[2], message[3])
        elif message[0] == "open":
            del backend  # the old snapshot's files are closed before the new one is opened
            backend = OxigraphBackend(ox.Store.read_only(message[1]), policy)
            conn.send(("opened",))
        else:
            return


def _answer(conn: Connection, backend: OxigraphBackend, request: QueryRequest,
            results_name: str, rdf_name: str) -> None:
    started = time.process_time()
    try:
        result = backend.execute(request, results_format=results_format(results_name),
                                 rdf_format=rdf_format(rdf_name))
    except StoreError as err:
        conn.send(("error", type(err).__name__, str(err), time.process_time() - started))
        return
    except Exception as err:  # anything else still gets an answer; the worker lives on
        conn.send(("error", "StoreError", f"{type(err).__name__}: {err}",
                   time.process_time() - started))
        return
    conn.send(("ok", result.form.value, result.media_type, len(result.body),
               time.process_time() - started))
    conn.send_bytes(result.body)
