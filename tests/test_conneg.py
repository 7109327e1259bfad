"""Content negotiation: table tests of ``migkg.formats.parse_accept``/``negotiate`` and of the
representation choice of linked-data documents (``migkg.web.iri_map.choose_representation``)."""

from __future__ import annotations

import pytest

from migkg.formats import AcceptError, MediaRange, negotiate, parse_accept
from migkg.web.iri_map import NotAcceptable, choose_representation

OFFER = ["text/html", "text/turtle", "application/ld+json", "application/n-triples",
         "application/rdf+xml"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # Missing or empty header: the server's first offer.
        (None, "text/html"),
        ("", "text/html"),
        ("   ", "text/html"),
        # Exact types and q-values.
        ("text/turtle", "text/turtle"),
        ("application/ld+json, text/turtle;q=0.5", "application/ld+json"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/turtle;q=1.000, application/rdf+xml;q=0.999", "text/turtle"),
        # Equal q: the server's order decides.
        ("application/rdf+xml, text/turtle", "text/turtle"),
        # Wildcards.
        ("*/*", "text/html"),
        ("application/*", "application/ld+json"),
        ("text/*;q=0.3, */*;q=0.9", "application/ld+json"),
        # Specificity: the most specific range sets the q of a type.
        ("text/*;q=0.3, text/html;q=0, */*;q=0.1", "text/turtle"),
        ("*/*;q=0.9, text/html;q=0.1", "text/turtle"),
        ("text/html;q=0, */*", "text/turtle"),
        # Case and parameters other than q.
        ("TEXT/Turtle", "text/turtle"),
        ("text/turtle;charset=utf-8;q=0.8, text/html;level=1;q=0.7", "text/turtle"),
        # A browser.
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        # Nothing acceptable (the caller answers 406).
        ("image/png", None),
        ("text/turtle;q=0", None),
        ("*/*;q=0", None),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, OFFER) == expected


def test_negotiate_nothing_offered() -> None:
    assert negotiate(None, []) is None
    assert negotiate("*/*", []) is None


@pytest.mark.parametrize(
    ("header", "ranges"),
    [
        ("text/turtle", [MediaRange("text", "turtle", 1.0)]),
        ("text/turtle;q=0.5", [MediaRange("text", "turtle", 0.5)]),
        ("text/*; q=0", [MediaRange("text", "*", 0.0)]),
        ("*/*;q=0.1,text/html", [MediaRange("*", "*", 0.1), MediaRange("text", "html", 1.0)]),
        ("a/b, , c/d", [MediaRange("a", "b", 1.0), MediaRange("c", "d", 1.0)]),
        ("", []),
    ],
)
def test_parse_accept(header: str, ranges: list[MediaRange]) -> None:
    assert parse_accept(header) == ranges


@pytest.mark.parametrize(
    "header",
    ["text", "text/", "/turtle", "*/turtle", "text/turtle;q=2", "text/turtle;q=abc",
     "text/turtle;q=0.1234", "te xt/turtle", "text/turtle;q=-1"],
)
def test_parse_accept_malformed(header: str) -> None:
    with pytest.raises(AcceptError):
        parse_accept(header)


def test_negotiate_malformed_raises() -> None:
    with pytest.raises(AcceptError):
        negotiate("text", OFFER)


@pytest.mark.parametrize(
    ("accept", "override", "suffix"),
    [
        (None, None, "html"),
        ("text/turtle", None, "ttl"),
        ("application/json", None, "jsonld"),  # alias of JSON-LD
        ("text/plain", None, "nt"),  # alias of N-Triples
        ("application/xml", None, "rdf"),
        ("application/xhtml+xml", None, "html"),
        ("text/html", "text/turtle", "ttl"),  # ?_mediatype= wins over Accept
        ("text/html", "jsonld", "jsonld"),
        ("image/png", "application/rdf+xml", "rdf"),
        ("text", "nt", "nt"),  # a malformed Accept is ignored when overridden
    ],
)
def test_choose_representation(accept: str | None, override: str | None, suffix: str) -> None:
    assert choose_representation(accept, override).suffix == suffix


@pytest.mark.parametrize(("accept", "override"), [("image/png", None), (None, "image/png"),
                                                  ("application/n-quads", None)])
def test_choose_representation_not_acceptable(accept: str | None, override: str | None) -> None:
    with pytest.raises(NotAcceptable):
        choose_representation(accept, override)
