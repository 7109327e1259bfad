"""Assemble a served app from settings: open or build the store, then ``create_app``.

With ``settings.store_dir`` the store lives on disk, is rebuilt when missing or stale (the sources
changed since the last build) and is served by :class:`PooledOxigraphBackend` (queries in worker
processes, killed at ``query_timeout_s``). Without it the store is built in memory and queried
in-process: fine for tests and library use, but a query cannot be stopped at its timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from fastapi import FastAPI

from migkg import __version__
from migkg.build import build_backend
from migkg.config import Settings
from migkg.sources import discover
from migkg.stores.base import Backend
from migkg.stores.graph_store import RemoteEndpoints
from migkg.stores.limits import QueryPolicy
from migkg.stores.pooled import PooledOxigraphBackend
from migkg.stores.remote import RemoteBackend
from migkg.web.app import create_app

log = logging.getLogger(__name__)


def sources_fingerprint(settings: Settings) -> str:
    """A hash of every source file's path, size and modification time, and of the migkg version."""
    digest = hashlib.sha256(__version__.encode())
    for source in discover(settings.root_dir, settings.source_dirs):
        stat = source.path.stat()
        digest.update(f"{source.relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp_path(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + ".stamp.json")


def ensure_store(settings: Settings, *, rebuild: bool = False) -> Path:
    """Build ``settings.store_dir`` when missing, stale or ``rebuild``; return its path."""
    store_dir = settings.store_dir
    assert store_dir is not None, "ensure_store needs settings.store_dir"
    fingerprint = sources_fingerprint(settings)
    stamp = _stamp_path(store_dir)
    current = json.loads(stamp.read_text()) if stamp.is_file() else {}
    if not rebuild and store_dir.is_dir() and current.get("sources") == fingerprint:
        log.info("store %s is up to date", store_dir)
        return store_dir
    log.info("building the store in %s", store_dir)
    backend, summary = build_backend(settings)
    backend.close()
    del backend  # release the writable handle before any reader opens the store
    stamp.write_text(json.dumps({"sources": fingerprint, "quads": summary.quads}))
    return store_dir


def make_backend(settings: Settings) -> Backend:
    """The served backend: a remote store, pooled workers over the on-disk store, or in memory."""
    policy = QueryPolicy.from_settings(settings)
    if settings.store == "remote":  # stateless: every request goes to the remote store
        return RemoteBackend(RemoteEndpoints.from_settings(settings), policy, settings.public_base)
    if settings.store_dir is None:
        backend, _ = build_backend(settings)
        backend.policy = policy
        return backend
    return PooledOxigraphBackend(ensure_store(settings), policy, settings.query_workers)


def make_app(settings: Settings) -> FastAPI:
    """The app over the store configured in ``settings`` (built from the sources when needed)."""
    return create_app(settings, make_backend(settings))
