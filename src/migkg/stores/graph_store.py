"""HTTP plumbing for remote stores: endpoints, one shared ``httpx.Client``, the Graph Store Protocol.

The client made by :func:`make_client` is the one auth path: queries, updates and Graph Store requests
all go through it. Every request goes through :func:`~migkg.stores.remote_errors.remote_call` and
:func:`~migkg.stores.remote_errors.check_status` (the one error map), so a slow or dead store never
hangs a caller and always produces a clear error.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass

import httpx

from migkg.config import Settings
from migkg.formats import FORM_MEDIA_TYPE, rdf_format
from migkg.stores.remote_errors import check_status, remote_call

log = logging.getLogger(__name__)

_NTRIPLES = rdf_format("nt").media_type


@dataclass(frozen=True)
class RemoteEndpoints:
    """Where a remote store answers, and how to authenticate to it."""

    query_url: str
    update_url: str | None = None
    graph_store_url: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout_s: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteEndpoints:
        """The endpoints named by ``settings`` (``query_url`` is required)."""
        if not settings.query_url:
            raise ValueError("a remote store needs a query URL (--query-url / MIGKG_QUERY_URL)")
        return cls(
            query_url=settings.query_url,
            update_url=settings.update_url,
            graph_store_url=settings.graph_store_url,
            user=settings.remote_user,
            password=settings.remote_password.get_secret_value() if settings.remote_password else None,
            token=settings.remote_token.get_secret_value() if settings.remote_token else None,
            timeout_s=settings.remote_timeout_s,
        )


class ChallengeAuth(httpx.Auth):
    """User and password answered the way the server asks: Digest (Virtuoso) or Basic.

    Nothing is sent until the server answers 401, so anonymous endpoints see no credentials; the
    scheme learnt from the first challenge is reused for the client's lifetime.
    """

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme is not None:
            yield from self._scheme.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self._scheme = self._digest if challenge.startswith("digest") else self._basic
        yield from self._scheme.auth_flow(request)


def make_timeout(timeout_s: float) -> httpx.Timeout:
    """An ``httpx`` timeout of ``timeout_s`` per read, connecting within at most 10 s."""
    return httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))


def make_client(endpoints: RemoteEndpoints) -> httpx.Client:
    """The one HTTP client shared by every GSP and update request to ``endpoints``."""
    auth: httpx.Auth | None = None
    headers: dict[str, str] = {}
    if endpoints.token:
        headers["Authorization"] = f"Bearer {endpoints.token}"
    elif endpoints.user and endpoints.password is not None:
        auth = ChallengeAuth(endpoints.user, endpoints.password)
    timeout = make_timeout(endpoints.timeout_s)
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
    return httpx.Client(auth=auth, headers=headers, timeout=timeout, limits=limits)


class GraphStore:
    """SPARQL 1.1 Graph Store HTTP Protocol client (``?graph=<iri>``) over a shared client."""

    def __init__(self, client: httpx.Client, url: str) -> None:
        self.client = client
        self.url = url
        self._timeout_s = _timeout_of(client)

    def put(self, graph: str, body: bytes, media_type: str = _NTRIPLES) -> None:
        """Replace ``graph`` with ``body`` in one request (atomic on Oxigraph and Virtuoso)."""
        what = f"PUT graph <{graph}>"
        with remote_call(what, self.url, self._timeout_s):
            response = self.client.put(
                self.url, params={"graph": graph}, content=body, headers={"Content-Type": media_type}
            )
        check_status(response, what)

    def get(self, graph: str, media_type: str = _NTRIPLES) -> bytes:
        """The content of ``graph`` (empty when the store does not know it)."""
        what = f"GET graph <{graph}>"
        with remote_call(what, self.url, self._timeout_s):
            response = self.client.get(self.url, params={"graph": graph}, headers={"Accept": media_type})
        if response.status_code == 404:
            return b""
        check_status(response, what)
        return response.content

    def delete(self, graph: str) -> None:
        """Remove ``graph``; a graph that does not exist is not an error."""
        what = f"DELETE graph <{graph}>"
        with remote_call(what, self.url, self._timeout_s):
            response = self.client.delete(self.url, params={"graph": graph})
        if response.status_code != 404:
            check_status(response, what)


def post_update(client: httpx.Client, url: str, form: dict[str, str | list[str]], what: str) -> None:
    """POST a SPARQL Update (form-encoded, as SPARQL 1.1 Protocol §2.2.1) through ``client``."""
    with remote_call(what, url, _timeout_of(client)):
        response = client.post(url, data=form, headers={"Content-Type": FORM_MEDIA_TYPE})
    check_status(response, what)


def _timeout_of(client: httpx.Client) -> float:
    """The read timeout ``client`` was made with (for error messages)."""
    return client.timeout.read or 0.0
