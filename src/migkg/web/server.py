"""Assemble a served app from settings: open or build the store, then ``create_app``.

The store is remote (``settings.store == "remote"``) or embedded (:func:`migkg.build.embedded_backend`:
on disk under ``settings.store_dir`` and served by worker processes, else built in memory).
"""

from __future__ import annotations

from fastapi import FastAPI

from migkg.build import embedded_backend
from migkg.config import Settings
from migkg.stores.base import Backend
from migkg.stores.graph_store import RemoteEndpoints
from migkg.stores.limits import QueryPolicy
from migkg.stores.remote import RemoteBackend
from migkg.web.app import create_app


def make_backend(settings: Settings) -> Backend:
    """The served backend: a remote store, pooled workers over the on-disk store, or in memory."""
    policy = QueryPolicy.from_settings(settings)
    if settings.store == "remote":  # stateless: every request goes to the remote store
        return RemoteBackend(RemoteEndpoints.from_settings(settings), policy, settings.public_base)
    return embedded_backend(settings, policy)


def make_app(settings: Settings) -> FastAPI:
    """The app over the store configured in ``settings`` (built from the sources when needed)."""
    return create_app(settings, make_backend(settings))
