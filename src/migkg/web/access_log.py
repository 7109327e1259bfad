"""One log line per request: method, path, status and milliseconds (a pure ASGI middleware)."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class AccessLog:
    """Logs ``METHOD path status ms`` at INFO for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info("%s %s %d %.1f ms", scope["method"], scope["path"], status,
                         (time.perf_counter() - started) * 1000)


def install(app: FastAPI) -> None:
    """Wrap ``app`` in the access log."""
    app.add_middleware(AccessLog)
