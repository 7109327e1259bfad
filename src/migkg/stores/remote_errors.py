"""The one error map for remote stores: what an HTTP status or a transport failure stands for.

* 400 from the store → :class:`~migkg.stores.base.QuerySyntaxError` (400), with the store's message;
* 408/504, or no answer within the deadline, while connecting or reading → :class:`RemoteTimeout` (504);
* anything else (refused connection, 401/404/5xx, a dropped connection) →
  :class:`~migkg.stores.base.StoreUnavailable` (502).

:func:`status_error` is the map; :func:`remote_call` and :func:`check_status` apply it to the shared
``httpx`` client (queries, updates, Graph Store Protocol), :func:`query_errors` to SPARQLWrapper
(:mod:`migkg.stores.sparql_client`).
"""

from __future__ import annotations

import socket
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPException

import httpx
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from migkg.stores.base import QuerySyntaxError, QueryTimeout, StoreError, StoreUnavailable

_EXCERPT = 300
_WRAPPER_STATUS = {
    "QueryBadFormed": 400,
    "Unauthorized": 401,
    "EndPointNotFound": 404,
    "URITooLong": 414,
    "EndPointInternalError": 500,
}


class RemoteTimeout(QueryTimeout):
    """The remote store did not answer in time (504 Gateway Timeout)."""

    status = 504


def excerpt(text: str) -> str:
    """The start of a server's error message, on one line.

    >>> excerpt("line one\\n   line two")
    'line one line two'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[:_EXCERPT] + "…"


def status_error(status: int, message: str, what: str, url: str) -> StoreError:
    """The store error an unsuccessful answer to ``what`` (e.g. ``"query"``) at ``url`` stands for.

    >>> status_error(400, "bad token", "query", "http://s/").args[0]
    'the remote store rejected the query: bad token'
    >>> type(status_error(504, "", "query", "http://s/")).__name__
    'RemoteTimeout'
    """
    if status == 400:
        return QuerySyntaxError(f"the remote store rejected the {what}: {message}")
    if status in (408, 504):
        return RemoteTimeout(f"{what}: the remote store at {url} timed out ({status}): {message}")
    return StoreUnavailable(f"{what}: the remote store at {url} answered {status}: {message}")


def _timed_out(url: str, timeout_s: float, what: str) -> RemoteTimeout:
    return RemoteTimeout(f"{what}: the remote store at {url} did not answer within {timeout_s:g} s")


def _unreachable(url: str, reason: object, what: str) -> StoreUnavailable:
    return StoreUnavailable(f"{what}: cannot reach the remote store at {url}: {reason}")


@contextmanager
def remote_call(what: str, url: str, timeout_s: float) -> Iterator[None]:
    """Map the transport failures of one ``httpx`` call to ``url`` to store errors."""
    try:
        yield
    except httpx.TimeoutException as err:
        raise _timed_out(url, timeout_s, what) from err
    except httpx.TransportError as err:
        raise _unreachable(url, err, what) from err


def check_status(response: httpx.Response, what: str) -> None:
    """Raise the error an unsuccessful ``httpx`` answer stands for (:func:`status_error`)."""
    if not response.is_success:
        raise status_error(response.status_code, excerpt(response.text), what, str(response.url))


def _wrapper_message(err: SPARQLWrapperException) -> str:
    """The store's own words from a SPARQLWrapper exception (it keeps the response body)."""
    text = str(err)
    _, _, response = text.partition("Response:\n")
    if response.startswith(("b'", 'b"')):
        response = response[2:-1].encode().decode("unicode_escape", errors="replace")
    return excerpt(response or text)


def _is_timeout(err: BaseException) -> bool:
    reason = getattr(err, "reason", None)
    return isinstance(err, TimeoutError | socket.timeout) or isinstance(reason, TimeoutError | socket.timeout)


@contextmanager
def query_errors(url: str, timeout_s: float, what: str = "query") -> Iterator[None]:
    """Map the failures of one SPARQLWrapper (urllib) query to ``url`` to store errors."""
    try:
        yield
    except StoreError:
        raise
    except SPARQLWrapperException as err:
        status = _WRAPPER_STATUS.get(type(err).__name__, 500)
        raise status_error(status, _wrapper_message(err), what, url) from err
    except urllib.error.HTTPError as err:
        body = err.read().decode("utf-8", errors="replace") if err.fp else str(err.reason)
        raise status_error(err.code, excerpt(body), what, url) from err
    except (urllib.error.URLError, HTTPException, OSError) as err:
        if _is_timeout(err):
            raise _timed_out(url, timeout_s, what) from err
        raise _unreachable(url, getattr(err, "reason", err), what) from err
