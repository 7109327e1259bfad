"""Every format the project reads or writes, in one table, and content negotiation over it.

No other module spells a media type: look formats up here by suffix, media type or name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation: its names in the media-type, file, rdflib and pyoxigraph worlds."""

    name: str
    suffix: str
    media_type: str
    aliases: tuple[str, ...]
    rdflib_name: str
    oxigraph: ox.RdfFormat
    is_dataset: bool


@dataclass(frozen=True)
class ResultsFormat:
    """A SPARQL query results serialisation (SELECT / ASK)."""

    name: str
    suffix: str
    media_type: str
    aliases: tuple[str, ...]
    oxigraph: ox.QueryResultsFormat


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "ttl", "text/turtle", ("application/x-turtle",), "turtle",
              ox.RdfFormat.TURTLE, False),
    RdfFormat("ntriples", "nt", "application/n-triples", ("text/plain",), "nt11",
              ox.RdfFormat.N_TRIPLES, False),
    RdfFormat("rdfxml", "rdf", "application/rdf+xml", ("application/xml", "text/xml"), "xml",
              ox.RdfFormat.RDF_XML, False),
    RdfFormat("jsonld", "jsonld", "application/ld+json", ("application/json",), "json-ld",
              ox.RdfFormat.JSON_LD, True),
    RdfFormat("trig", "trig", "application/trig", ("application/x-trig",), "trig",
              ox.RdfFormat.TRIG, True),
    RdfFormat("nquads", "nq", "application/n-quads", ("text/x-nquads",), "nquads",
              ox.RdfFormat.N_QUADS, True),
)

RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat("json", "srj", "application/sparql-results+json", ("application/json",),
                  ox.QueryResultsFormat.JSON),
    ResultsFormat("xml", "srx", "application/sparql-results+xml", ("application/xml", "text/xml"),
                  ox.QueryResultsFormat.XML),
    ResultsFormat("csv", "csv", "text/csv", (), ox.QueryResultsFormat.CSV),
    ResultsFormat("tsv", "tsv", "text/tab-separated-values", (), ox.QueryResultsFormat.TSV),
)

HTML_MEDIA_TYPE = "text/html"
JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv"
SVG_MEDIA_TYPE = "image/svg+xml"
SPARQL_QUERY_MEDIA_TYPE = "application/sparql-query"
SPARQL_UPDATE_MEDIA_TYPE = "application/sparql-update"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def content_type(media_type: str) -> str:
    """The ``Content-Type`` header for ``media_type``: text types say they are UTF-8.

    >>> content_type("text/turtle")
    'text/turtle; charset=utf-8'
    >>> content_type("application/ld+json")
    'application/ld+json'
    """
    return media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")


class FormatError(ValueError):
    """An unknown format name, suffix or media type."""


def rdf_format(key: str) -> RdfFormat:
    """The RDF format named by a name, a suffix or a media type (aliases included).

    >>> rdf_format("ttl").media_type
    'text/turtle'
    >>> rdf_format("application/n-quads").suffix
    'nq'
    >>> rdf_format("nq").is_dataset
    True
    """
    wanted = key.strip().lower()
    for fmt in RDF_FORMATS:
        if wanted in (fmt.name, fmt.suffix, fmt.media_type):
            return fmt
    for fmt in RDF_FORMATS:
        if wanted in fmt.aliases:
            return fmt
    raise FormatError(f"unknown RDF format {key!r}; known: {', '.join(f.suffix for f in RDF_FORMATS)}")


def results_format(key: str) -> ResultsFormat:
    """The SPARQL results format named by a name, a suffix or a media type.

    >>> results_format("csv").media_type
    'text/csv'
    >>> results_format("application/sparql-results+json").name
    'json'
    """
    wanted = key.strip().lower()
    for fmt in RESULTS_FORMATS:
        if wanted in (fmt.name, fmt.suffix, fmt.media_type):
            return fmt
    for fmt in RESULTS_FORMATS:
        if wanted in fmt.aliases:
            return fmt
    raise FormatError(f"unknown results format {key!r}")


def rdf_media_types(*, datasets: bool = True) -> list[str]:
    """Media types of the RDF formats, preferred first (Turtle); ``datasets=False`` drops TriG/N-Quads."""
    return [f.media_type for f in RDF_FORMATS if datasets or not f.is_dataset]


# --- Content negotiation -------------------------------------------------------------------------


class Specificity(int, Enum):
    """How specifically an Accept range names a media type; more specific ranges win ties."""

    ANY = 0  # */*
    TYPE = 1  # text/*
    EXACT = 2  # text/turtle


class AcceptError(ValueError):
    """A malformed Accept header (answer 400)."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> Specificity:
        if self.type == "*":
            return Specificity.ANY
        return Specificity.TYPE if self.subtype == "*" else Specificity.EXACT

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)


_TOKEN = re.compile(r"^[A-Za-z0-9!#$&^_.+\-*]+$")


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an Accept header into media ranges (RFC 9110 §12.5.1); parameters other than q are ignored.

    >>> parse_accept("text/turtle;q=0.9, */*;q=0.1")
    [MediaRange(type='text', subtype='turtle', q=0.9), MediaRange(type='*', subtype='*', q=0.1)]
    >>> parse_accept("text")
    Traceback (most recent call last):
    ...
    migkg.formats.AcceptError: malformed media range 'text' in Accept header
    """
    ranges: list[MediaRange] = []
    for part in header.split(","):
        part = part.strip()
        if not part:
            continue
        media, *params = (p.strip() for p in part.split(";"))
        main, slash, sub = media.partition("/")
        if not slash or not _TOKEN.match(main) or not _TOKEN.match(sub) or (main == "*" != sub):
            raise AcceptError(f"malformed media range {media!r} in Accept header")
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _parse_q(value.strip(), media)
        ranges.append(MediaRange(main.lower(), sub.lower(), q))
    return ranges


def _parse_q(value: str, media: str) -> float:
    if not re.fullmatch(r"(0(\.\d{0,3})?|1(\.0{0,3})?)", value):
        raise AcceptError(f"malformed q-value {value!r} for {media!r} in Accept header")
    return float(value)


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers most, or None when nothing acceptable is offered.

    Each offered type takes the q of the most specific range that matches it; the highest q wins,
    then the server's order of ``offered``. A missing or empty header accepts the first offer.

    >>> negotiate("application/ld+json, text/turtle;q=0.5", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> negotiate("text/*;q=0.3, text/html;q=0, */*;q=0.1", ["text/html", "text/turtle"])
    'text/turtle'
    >>> negotiate(None, ["text/turtle", "text/html"])
    'text/turtle'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    if accept is None or not accept.strip():
        return offered[0] if offered else None
    ranges = parse_accept(accept)
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for order, media_type in enumerate(offered):
        matching = [r for r in ranges if r.matches(media_type.lower())]
        if not matching:
            continue
        q = max(matching, key=lambda r: (r.specificity, r.q)).q
        if q <= 0:
            continue
        rank = (q, -order)
        if best is None or rank > best:
            best, chosen = rank, media_type
    return chosen
