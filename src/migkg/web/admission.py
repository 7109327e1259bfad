"""Admission at the door: who the client is, how many of its requests run, whether it has budget.

A pure ASGI middleware in front of every route but ``/static`` and ``/health``. The client is the
peer address; a ``Forwarded`` or ``X-Forwarded-For`` header is believed only when the peer is one of
``settings.trusted_proxies`` (never by default), and then the client is the right-most address in it
that is not a trusted proxy. Refusals are plain text with ``Retry-After``: **503** when the server has
``max_inflight_requests`` in progress, **429** when the client has ``client_max_parallel`` requests in
progress or has used its worker-second budget. A refused client waits (up to a second) before its
answer, so that a loop which ignores ``Retry-After`` cannot turn refusals into a flood. The
request's :class:`~migkg.stores.admission.Ticket` is set for the worker pool, which charges the
client's budget and moves its long queries to the slow lane.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Iterable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from migkg.config import Settings
from migkg.stores.admission import AdmissionPolicy, Ledger, Overloaded, Refused, Ticket, current

log = logging.getLogger(__name__)

FREE_PREFIXES = ("/static/", "/health")
TARPIT_S = 1.0

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The trusted-proxy setting as networks (a bare address is a one-address network).

    >>> networks(["10.0.0.0/8", "::1"])
    (IPv4Network('10.0.0.0/8'), IPv6Network('::1/128'))
    """
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip().strip('"')
    if value.startswith("["):  # [v6]:port
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # v4:port
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _forwarded_for(headers: dict[bytes, bytes]) -> list[str]:
    """The addresses a proxy chain reports, nearest-to-client first (RFC 7239, then XFF)."""
    forwarded = headers.get(b"forwarded")
    if forwarded is not None:
        found = []
        for element in forwarded.decode("latin-1").split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    found.append(value.strip())
        return found
    xff = headers.get(b"x-forwarded-for")
    return [part.strip() for part in xff.decode("latin-1").split(",")] if xff else []


def client_of(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer, or what trusted proxies say the client was.

    >>> scope = {"client": ("10.0.0.2", 5000), "headers": [(b"x-forwarded-for", b"1.2.3.4, 10.0.0.9")]}
    >>> client_of(scope, ())
    '10.0.0.2'
    >>> client_of(scope, networks(["10.0.0.0/8"]))
    '1.2.3.4'
    """
    peer = scope.get("client")
    address = str(peer[0]) if peer else "unknown"
    if not trusted:
        return address
    parsed = _address(address)
    if parsed is None or not any(parsed in net for net in trusted):
        return address
    headers = dict(scope.get("headers") or [])
    for hop in reversed(_forwarded_for(headers)):
        hop_address = _address(hop)
        if hop_address is None:
            return hop.strip().strip('"') or address  # e.g. for=unknown, an obfuscated name
        if not any(hop_address in net for net in trusted):
            return str(hop_address)
    return address


class Admission:
    """The middleware: set the ticket, count the request in, refuse with 429/503 when due."""

    def __init__(self, app: ASGIApp, ledger: Ledger, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.ledger = ledger
        self.trusted = trusted
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(FREE_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = client_of(scope, self.trusted)
        try:
            if self.in_flight >= self.ledger.policy.max_inflight:
                raise Overloaded(f"the server has {self.in_flight} requests in progress, its most "
                                 "(MIGKG_MAX_INFLIGHT_REQUESTS); retry shortly")
            self.ledger.check_budget(client)
            self.ledger.enter(client)
        except Refused as err:
            await refuse(send, err)
            return
        self.in_flight += 1
        token = current.set(Ticket(client, self.ledger))

        async def send_slowly(message: Message) -> None:
            # The tarpit for refusals made further in (the worker pool's 429/503).
            if message["type"] == "http.response.start" and message["status"] in (429, 503):
                retry = dict(message.get("headers") or []).get(b"retry-after")
                if retry is not None and retry.isdigit():
                    await asyncio.sleep(min(TARPIT_S, int(retry)))
            await send(message)

        try:
            await self.app(scope, receive, send_slowly)
        finally:
            current.reset(token)
            self.in_flight -= 1
            self.ledger.leave(client)


def retry_headers(err: BaseException) -> dict[str, str]:
    """``Retry-After`` for a refusal, nothing for any other error."""
    return {"Retry-After": str(err.retry_after)} if isinstance(err, Refused) else {}


async def refuse(send: Send, err: Refused) -> None:
    """Answer ``err`` as plain text with ``Retry-After``, after a short wait (the tarpit)."""
    log.info("refused (%s): %s", type(err).__name__, err)
    await asyncio.sleep(min(TARPIT_S, err.retry_after))
    body = f"{type(err).__name__}: {err}\n".encode()
    await send({"type": "http.response.start", "status": err.status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(err.retry_after).encode()), (b"access-control-allow-origin", b"*"),
    ]})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> Ledger:
    """Put the admission middleware in front of ``app``'s routes; return its ledger."""
    ledger = Ledger(AdmissionPolicy.from_settings(settings))
    app.add_middleware(Admission, ledger=ledger, trusted=networks(settings.trusted_proxies))
    return ledger
