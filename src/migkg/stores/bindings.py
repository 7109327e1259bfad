"""Bind query variables for a remote store, where pyoxigraph ``substitutions`` are not available.

The bound values travel as a one-row ``VALUES`` block placed first inside the query's top-level
``WHERE`` group. Each value is written by pyoxigraph, which validates IRIs and language tags and
escapes literals, so no user text is ever pasted into the query:

* placed *first in the WHERE group* (not as a trailing ``VALUES`` after the solution modifiers), the
  binding is joined before ``FILTER``, ``GROUP BY`` and aggregates see the solutions, which is what
  pre-binding a parameter means (a trailing ``VALUES`` is joined after grouping);
* a binding for a variable that the query never mentions leaves the results unchanged except for the
  extra column, as pyoxigraph's substitutions do.

Blank nodes cannot be bound (SPARQL forbids them in ``VALUES``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib.term import BNode, Identifier

from migkg.stores.base import InvalidRequest, QuerySyntaxError
from migkg.stores.sparql_text import Token, tokens
from migkg.stores.terms import to_oxigraph

_VARNAME = re.compile(r"^[A-Za-z0-9_\u00B7-\uFFFF]+$")


def sparql_term(value: Identifier) -> str:
    """The SPARQL text of a bound value, validated and escaped by pyoxigraph.

    >>> from rdflib import Literal, URIRef
    >>> sparql_term(Literal('say "hi" }', lang="en"))
    '"say \\\\"hi\\\\" }"@en'
    >>> sparql_term(URIRef("https://w3id.org/migkg/id/x"))
    '<https://w3id.org/migkg/id/x>'
    >>> sparql_term(URIRef("http://x/> } DROP ALL #"))
    Traceback (most recent call last):
    ...
    migkg.stores.base.InvalidRequest: cannot bind 'http://x/> } DROP ALL #': ...
    """
    if isinstance(value, BNode):
        raise InvalidRequest("a blank node cannot be bound to a variable of a remote query")
    try:
        return str(to_oxigraph(value))
    except (ValueError, TypeError) as err:
        raise InvalidRequest(f"cannot bind {str(value)!r}: {err}") from err


def values_block(bindings: Mapping[str, Identifier]) -> str:
    """A one-row ``VALUES`` block for ``bindings`` (variables sorted by name).

    >>> from rdflib import Literal
    >>> values_block({"year": Literal(2018), "name": Literal("a")})
    'VALUES (?name ?year) { ("a" "2018"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    """
    names = sorted(bindings)
    for name in names:
        if not _VARNAME.match(name):
            raise InvalidRequest(f"{name!r} is not a SPARQL variable name")
    variables = " ".join(f"?{name}" for name in names)
    terms = " ".join(sparql_term(bindings[name]) for name in names)
    return f"VALUES ({variables}) {{ ({terms}) }}"


def where_group_start(sparql: str) -> int:
    """The offset just after the ``{`` opening the query's top-level WHERE group.

    A CONSTRUCT template is skipped; braces inside strings, IRIs, comments and parenthesised
    expressions (``SELECT (EXISTS { … } AS ?x)``) are not counted.

    >>> q = 'CONSTRUCT { ?s ?p "{" } WHERE { ?s ?p ?o }'
    >>> q[where_group_start(q):]
    ' ?s ?p ?o }'
    >>> q = 'PREFIX e: <http://e/#x> SELECT (1 AS ?one) # {\\n{ ?s ?p ?o }'
    >>> q[where_group_start(q):]
    ' ?s ?p ?o }'
    """
    toks = list(tokens(sparql))
    start = _first_group(toks, 0)
    if start is None:
        raise QuerySyntaxError("the query has no WHERE group to bind variables in")
    form = next((t for t in toks if t.is_keyword("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")), None)
    after_form = toks[toks.index(form) + 1] if form and toks.index(form) + 1 < len(toks) else None
    if form and form.is_keyword("CONSTRUCT") and after_form is not None and after_form.text == "{":
        end = _group_end(toks, start)
        start = _first_group(toks, end + 1) if end is not None else None
        if start is None:
            raise QuerySyntaxError("the CONSTRUCT query has no WHERE group to bind variables in")
    return toks[start].start + 1


def _first_group(toks: list[Token], begin: int) -> int | None:
    """Index of the first ``{`` at parenthesis depth 0 from ``begin``."""
    parens = 0
    for index in range(begin, len(toks)):
        text = toks[index].text
        if text == "(":
            parens += 1
        elif text == ")":
            parens -= 1
        elif text == "{" and parens == 0:
            return index
    return None


def _group_end(toks: list[Token], start: int) -> int | None:
    """Index of the ``}`` closing the group opened at ``start``."""
    depth = 0
    for index in range(start, len(toks)):
        if toks[index].text == "{":
            depth += 1
        elif toks[index].text == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def inline_bindings(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """``sparql`` with ``bindings`` as a ``VALUES`` block first in its top-level WHERE group.

    >>> from rdflib import URIRef
    >>> inline_bindings("SELECT ?l WHERE { ?c <http://l> ?l }", {"c": URIRef("http://x")})
    'SELECT ?l WHERE { VALUES (?c) { (<http://x>) } ?c <http://l> ?l }'
    """
    if not bindings:
        return sparql
    at = where_group_start(sparql)
    return f"{sparql[:at]} {values_block(bindings)}{sparql[at:]}"
