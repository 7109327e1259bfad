"""A small SPARQL lexer for the few checks that must happen before a store sees a request.

It never parses SPARQL (the store's parser has the last word); it only splits the text into tokens so
that keywords are found outside strings, IRIs and comments:

* ``SERVICE`` (and ``LOAD`` in updates) name URLs that pyoxigraph would fetch: refused unless the
  endpoint is allow-listed (server-side request forgery);
* ``USING`` / ``WITH`` in an update conflict with the protocol's ``using-graph-uri`` parameters;
* ``using-graph-uri`` / ``using-named-graph-uri`` become ``USING`` clauses before each ``WHERE`` of a
  ``DELETE``/``INSERT`` operation (pyoxigraph's update API has no dataset arguments).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from migkg.stores.base import QueryRefused

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
       |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][\w\u00B7-\uFFFF]+)
    |(?P<pname>(?:[^\W\d][\w.\-\u00B7-\uFFFF]*)?:(?:[\w.\-:%\u00B7-\uFFFF]|\\.)*)
    |(?P<word>[^\W\d][\w\-]*)
    |(?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

ANY_ENDPOINT = "*"
_MAYBE_REMOTE = re.compile(r"service|load", re.IGNORECASE)  # no such letters: nothing to lex


@dataclass(frozen=True)
class Token:
    """A significant token: its kind (iri, var, pname, word, string, punct), text and offset."""

    kind: str
    text: str
    start: int

    def is_keyword(self, *words: str) -> bool:
        """Whether the token is one of ``words`` (case-insensitive keyword, not a name or string)."""
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of ``text`` (whitespace and comments dropped).

    >>> [t.text for t in tokens('SELECT * { ?s <p#x> "SERVICE # no" } # SERVICE')]
    ['SELECT', '*', '{', '?s', '<p#x>', '"SERVICE # no"', '}']
    """
    for found in _TOKEN.finditer(text):
        kind = found.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            yield Token(kind, found.group(), found.start())


@dataclass(frozen=True)
class RemoteRef:
    """A URL a request would make the store fetch: ``SERVICE <url>`` or ``LOAD <url>``."""

    keyword: str
    endpoint: str | None  # None for a variable (SERVICE ?x): unknown until evaluation


def remote_refs(text: str, base_iri: str | None = None) -> list[RemoteRef]:
    """Every ``SERVICE`` and ``LOAD`` target, prefixed names and relative IRIs resolved.

    >>> remote_refs('PREFIX e: <http://e/> SELECT * { SERVICE SILENT e:sparql { ?s ?p ?o } }')
    [RemoteRef(keyword='SERVICE', endpoint='http://e/sparql')]
    >>> remote_refs('SELECT * { ?s ?p "SERVICE <http://x/>" . SERVICE ?where { } }')
    [RemoteRef(keyword='SERVICE', endpoint=None)]
    """
    toks = list(tokens(text))
    prefixes: dict[str, str] = {}
    base = base_iri
    refs: list[RemoteRef] = []
    for i, tok in enumerate(toks):
        after = toks[i + 1] if i + 1 < len(toks) else None
        if tok.is_keyword("BASE") and after and after.kind == "iri":
            base = _resolve(after.text[1:-1], base)
        elif tok.is_keyword("PREFIX") and after and after.kind == "pname" and i + 2 < len(toks):
            prefixes[after.text[:-1]] = _resolve(toks[i + 2].text[1:-1], base)
        elif tok.is_keyword("SERVICE", "LOAD"):
            target = toks[i + 2] if after and after.is_keyword("SILENT") and i + 2 < len(toks) else after
            refs.append(RemoteRef(tok.text.upper(), _endpoint(target, prefixes, base)))
    return refs


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _endpoint(tok: Token | None, prefixes: dict[str, str], base: str | None) -> str | None:
    if tok is None or tok.kind == "var":
        return None
    if tok.kind == "iri":
        return _resolve(tok.text[1:-1], base)
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        return prefixes.get(prefix, "") + local if prefix in prefixes else tok.text
    return tok.text


def refused_remote(text: str, allowlist: Sequence[str], base_iri: str | None = None) -> str | None:
    """Why ``text`` may not run under ``allowlist`` (None when it may).

    An endpoint must be listed exactly; ``SERVICE ?var`` needs ``"*"`` (any endpoint) in the list.

    >>> refused_remote("SELECT * { SERVICE <http://a/> {} }", ["http://a/"]) is None
    True
    >>> refused_remote("SELECT * { SERVICE <http://b/> {} }", [])
    'SERVICE <http://b/> is not allowed: federated queries are disabled on this endpoint'
    """
    if not _MAYBE_REMOTE.search(text):
        return None
    allowed = set(allowlist)
    for ref in remote_refs(text, base_iri):
        if ANY_ENDPOINT in allowed or (ref.endpoint is not None and ref.endpoint in allowed):
            continue
        target = f"<{ref.endpoint}>" if ref.endpoint is not None else "with a variable endpoint"
        why = "is not on the allow-list" if allowed else (
            "federated queries are disabled on this endpoint" if ref.keyword == "SERVICE"
            else "loading remote data is disabled on this endpoint")
        return f"{ref.keyword} {target} is not allowed: {why}"
    return None


def check_remote(text: str, allowlist: Sequence[str], base_iri: str | None = None) -> None:
    """Raise :class:`~migkg.stores.base.QueryRefused` when ``text`` may not run under ``allowlist``.

    >>> check_remote("SELECT * { SERVICE <http://a/> {} }", ["http://a/"])
    >>> check_remote("SELECT * { SERVICE <http://b/> {} }", [])
    Traceback (most recent call last):
    migkg.stores.base.QueryRefused: SERVICE <http://b/> is not allowed: federated ...
    """
    refusal = refused_remote(text, allowlist, base_iri)
    if refusal:
        raise QueryRefused(refusal)


def has_update_dataset(text: str) -> bool:
    """Whether an update names its own dataset (``USING``, ``USING NAMED`` or ``WITH``).

    >>> has_update_dataset("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    True
    >>> has_update_dataset("INSERT DATA { <http://s> <http://p> 'WITH' }")
    False
    """
    return any(tok.is_keyword("USING", "WITH") for tok in tokens(text))


def add_using(text: str, graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """Insert ``USING``/``USING NAMED`` clauses before each top-level ``WHERE`` of an update's
    ``DELETE``/``INSERT`` operations (``DELETE WHERE`` and ``INSERT/DELETE DATA`` take none).

    >>> add_using("INSERT { ?s a <T> } WHERE { ?s a <U> }", ["http://g"], [])
    'INSERT { ?s a <T> } USING <http://g> WHERE { ?s a <U> }'
    """
    clauses = " ".join([f"USING <{g}>" for g in graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
    if not clauses:
        return text
    positions: list[int] = []
    depth = 0
    previous: Token | None = None
    for tok in tokens(text):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.is_keyword("WHERE") and not (previous and previous.is_keyword("DELETE")):
            positions.append(tok.start)
        previous = tok
    for start in reversed(positions):
        text = f"{text[:start]}{clauses} {text[start:]}"
    return text
