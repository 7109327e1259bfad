"""Query policy (timeout, result caps, SERVICE allow-list) and capped serialisation of results.

Results are serialised by pyoxigraph straight into a writer that stops the work once the byte cap is
passed; the row cap is checked on the serialised body (solutions) or while collecting (triples).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from itertools import islice
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from migkg.formats import RdfFormat, ResultsFormat
from migkg.stores.base import QueryForm, ResultTooLarge, SerializedResult

if TYPE_CHECKING:
    from migkg.config import Settings


@dataclass(frozen=True)
class QueryPolicy:
    """What a store allows a query to do. ``None`` means no limit."""

    timeout_s: float | None = None
    max_rows: int | None = None
    max_bytes: int | None = None
    service_allowlist: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryPolicy:
        """The policy the settings describe."""
        return cls(
            timeout_s=settings.query_timeout_s,
            max_rows=settings.max_result_rows,
            max_bytes=settings.max_result_bytes,
            service_allowlist=tuple(settings.service_allowlist),
        )


class _TooManyBytes(Exception):
    """Raised inside pyoxigraph's serialiser to abort it."""


class CappedWriter(io.RawIOBase):
    """A binary sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise _TooManyBytes
        self.parts.append(bytes(data))
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def too_large_bytes(limit: int | None) -> ResultTooLarge:
    """The error for a result over the byte cap ``limit``."""
    return ResultTooLarge(f"the result is larger than {limit} bytes: narrow the query or add LIMIT")


def _too_many_rows(limit: int | None) -> ResultTooLarge:
    return ResultTooLarge(f"the result has more than {limit} rows: narrow the query or add LIMIT")


def serialize(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    results_format: ResultsFormat,
    rdf_format: RdfFormat,
    policy: QueryPolicy,
) -> SerializedResult:
    """Serialise a pyoxigraph result under the policy's caps (raises :class:`ResultTooLarge`)."""
    writer = CappedWriter(policy.max_bytes)
    try:
        if isinstance(result, ox.QueryTriples):
            triples = list(islice(result, policy.max_rows + 1 if policy.max_rows else None))
            if policy.max_rows is not None and len(triples) > policy.max_rows:
                raise _too_many_rows(policy.max_rows)
            ox.serialize(triples, cast("IO[bytes]", writer), rdf_format.oxigraph)
            return SerializedResult(QueryForm.CONSTRUCT, rdf_format.media_type, writer.getvalue())
        result.serialize(cast("IO[bytes]", writer), results_format.oxigraph)
    except _TooManyBytes:  # pyoxigraph lets the writer's exception through
        raise too_large_bytes(policy.max_bytes) from None
    body = writer.getvalue()
    if isinstance(result, ox.QueryBoolean):
        return SerializedResult(QueryForm.ASK, results_format.media_type, body)
    if (policy.max_rows is not None and _rows_at_most(body, results_format.name) > policy.max_rows
            and count_rows(body, results_format.name) > policy.max_rows):
        raise _too_many_rows(policy.max_rows)
    return SerializedResult(QueryForm.SELECT, results_format.media_type, body)


def _rows_at_most(body: bytes, format_name: str) -> int:
    """A cheap upper bound of :func:`count_rows` (separators inside strings count too)."""
    if format_name == "json":
        return body.count(b"},{") + 1
    return body.count(b"<result>") if format_name == "xml" else body.count(b"\n")


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def count_rows(body: bytes, format_name: str) -> int:
    """The number of solutions in a serialised SELECT result (formats as written by pyoxigraph).

    >>> body = b'{"head":{"vars":["x"]},"results":{"bindings":[{},{"x":{"type":"literal",'
    >>> count_rows(body + b'"value":"},{"}}]}}', "json")
    2
    >>> count_rows(b'?x\\n"a"\\n"b"\\n', "tsv")
    2
    """
    if format_name == "tsv":
        return max(body.count(b"\n") - 1, 0)
    if format_name == "xml":
        return body.count(b"<result>")
    if format_name == "csv":
        return max(sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1, 0)
    bindings = _JSON_STRING.sub(b'""', body.partition(b'"results":{"bindings":[')[2])
    if not bindings.startswith(b"{"):
        return 0
    return bindings.count(b"},{") + 1
