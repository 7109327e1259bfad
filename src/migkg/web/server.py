"""Assemble a served app from settings: open or build the store, then ``create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from migkg.build import build_backend
from migkg.config import Settings
from migkg.web.app import create_app


def make_app(settings: Settings) -> FastAPI:
    """The app over the store configured in ``settings`` (built from the sources when needed)."""
    backend, _ = build_backend(settings)
    return create_app(settings, backend)
