"""What SPARQLWrapper and urllib raise, as the store errors the web layer knows.

* 400 from the store → :class:`QuerySyntaxError` (400), with the store's message;
* a timeout, while connecting or reading → :class:`RemoteTimeout` (504);
* anything else (refused connection, 401/404/5xx, a dropped connection) → :class:`StoreUnavailable` (502).
"""

from __future__ import annotations

import socket
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPException

from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from migkg.stores.base import QuerySyntaxError, StoreError, StoreUnavailable
from migkg.stores.graph_store import RemoteTimeout, excerpt

_HTTP_STATUS = {
    "QueryBadFormed": 400,
    "Unauthorized": 401,
    "EndPointNotFound": 404,
    "URITooLong": 414,
    "EndPointInternalError": 500,
}


def _status_error(status: int, message: str, url: str) -> StoreError:
    if status == 400:
        return QuerySyntaxError(f"the remote store rejected the query: {message}")
    if status in (408, 504):
        return RemoteTimeout(f"the remote store at {url} timed out ({status}): {message}")
    return StoreUnavailable(f"the remote store at {url} answered {status}: {message}")


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
def query_errors(url: str, timeout_s: float) -> Iterator[None]:
    """Translate the failures of one query to ``url`` into store errors."""
    try:
        yield
    except StoreError:
        raise
    except SPARQLWrapperException as err:
        status = _HTTP_STATUS.get(type(err).__name__, 500)
        raise _status_error(status, _wrapper_message(err), url) from err
    except urllib.error.HTTPError as err:
        body = err.read().decode("utf-8", errors="replace") if err.fp else str(err.reason)
        raise _status_error(err.code, excerpt(body), url) from err
    except (urllib.error.URLError, HTTPException, OSError) as err:
        if _is_timeout(err):
            raise RemoteTimeout(f"the remote store at {url} did not answer within {timeout_s:g} s") from err
        reason = getattr(err, "reason", err)
        raise StoreUnavailable(f"cannot reach the remote store at {url}: {reason}") from err
