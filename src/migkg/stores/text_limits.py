"""Limits on the text of a query or update, checked before any parser sees it.

pyoxigraph's parser and planner recurse: a query nested a few thousand groups deep, or a chain of
ten thousand ``UNION``, ``&&`` or path steps, overflows the stack of the process that runs it (a
segmentation fault: the worker dies, the client used to get a 500). :func:`check_text` scans the text
with a small lexer (strings, IRIs and comments skipped as SPARQL lexes them) and refuses, with a
:class:`TextTooComplex` (400) naming the limit, anything past :class:`TextLimits`. The defaults are far
above what the catalogue queries need (nesting 6, 33 triple-pattern separators, 4 path steps) and far
below what crashed here (nesting ~4,000; chains of ~10,000 UNIONs, ``&&``, ``!``, path steps or triple
patterns; pyoxigraph 0.5.13, 8 MiB stack). Cost is the deadline's business, not this module's: 256
triple patterns plan in ~1.4 s and 256 path steps in ~0.9 s, within any sensible timeout.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from migkg.stores.base import StoreError
from migkg.stores.settings_map import FromSettings, setting


class TextTooComplex(StoreError):
    """The query or update passes a limit on its text (400); the message names the limit."""

    status = 400


@dataclass(frozen=True)
class TextLimits(FromSettings):
    """Limits on a query or update text; each is named in the error message and in the settings
    (``MIGKG_QUERY_MAX_*``)."""

    max_chars: int = setting("query_max_chars", 100_000)
    max_nesting: int = setting("query_max_nesting", 64)
    max_tokens: int = setting("query_max_tokens", 20_000)
    max_literal_chars: int = setting("query_max_literal_chars", 65_536)
    max_iri_chars: int = setting("query_max_iri_chars", 4_096)
    max_separators: int = setting("query_max_triple_patterns", 256)
    max_unions: int = setting("query_max_unions", 256)
    max_operators: int = setting("query_max_operators", 512)
    max_path_steps: int = setting("query_max_path_steps", 256)


# One alternative per lexical class, tried in order at each position (SPARQL 1.1 §19.8 terminals).
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z))
  | (?P<string>'(?:[^'\\\n\r]|\\.)*(?:'|\Z)|"(?:[^"\\\n\r]|\\.)*(?:"|\Z))
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<logical>&&|\|\|)
  | (?P<compare>!=|<=|>=|\^\^)
  | (?P<step>[/|^])
  | (?P<bang>!)
  | (?P<sep>[.;,])(?![0-9])
  | (?P<word>[A-Za-z_][\w\-]*:?[\w\-.%:]*|[?$]\w+|:[\w\-.%:]*|@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _refuse(what: str, found: int, limit: int, setting: str) -> TextTooComplex:
    return TextTooComplex(f"the text has {what} {found}, over the limit of {limit} "
                          f"(setting MIGKG_{setting})")


def check_text(text: str, limits: TextLimits, *, update: bool = False) -> None:
    """Raise :class:`TextTooComplex` when ``text`` passes one of ``limits`` (never parses it).

    For an update (``update=True``) the length is left to the request-size cap and the triples of
    ``INSERT DATA`` / ``DELETE DATA`` blocks count neither as tokens nor as triple patterns (they are
    a flat list, not a pattern to plan); their nesting, literals and IRIs are checked all the same.

    >>> check_text("SELECT * { { ?s ?p ?o } }", TextLimits())
    >>> check_text("SELECT * " + "{" * 100 + "}" * 100, TextLimits())
    Traceback (most recent call last):
    ...
    migkg.stores.text_limits.TextTooComplex: the text has nesting depth 65, over the limit of 64 \
(setting MIGKG_QUERY_MAX_NESTING)
    """
    if not update and len(text) > limits.max_chars:
        raise _refuse("length (characters)", len(text), limits.max_chars, "QUERY_MAX_CHARS")
    depth = deepest = tokens = 0
    data_depth = 0  # the depth of the INSERT/DELETE DATA block we are in; 0: none
    after_data = False
    counts: Counter[str] = Counter()
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if not data_depth:
            tokens += 1
        if kind == "open":
            depth += 1
            if after_data and match.group() == "{":
                data_depth = depth
            if depth > deepest:
                deepest = depth
                if deepest > limits.max_nesting:
                    raise _refuse("nesting depth", deepest, limits.max_nesting, "QUERY_MAX_NESTING")
        elif kind == "close":
            if depth == data_depth:
                data_depth = 0
            depth -= 1
        elif kind in ("long", "string"):
            size = match.end() - match.start()
            if size > limits.max_literal_chars:
                raise _refuse("a literal of length", size, limits.max_literal_chars,
                              "QUERY_MAX_LITERAL_CHARS")
        elif kind == "iri":
            size = match.end() - match.start()
            if size > limits.max_iri_chars:
                raise _refuse("an IRI of length", size, limits.max_iri_chars, "QUERY_MAX_IRI_CHARS")
        elif kind == "word" and match.group().upper() == "UNION":
            counts["union"] += 1
        elif kind in ("logical", "bang", "step") or (kind == "sep" and not data_depth):
            counts[kind] += 1
        after_data = update and kind == "word" and match.group().upper() == "DATA"
    if tokens > limits.max_tokens:
        raise _refuse("tokens", tokens, limits.max_tokens, "QUERY_MAX_TOKENS")
    checks = (
        ("triple-pattern separators ('.', ';', ',')", counts["sep"], limits.max_separators,
         "QUERY_MAX_TRIPLE_PATTERNS"),
        ("UNION operators", counts["union"], limits.max_unions, "QUERY_MAX_UNIONS"),
        ("logical operators ('&&', '||', '!')", counts["logical"] + counts["bang"],
         limits.max_operators, "QUERY_MAX_OPERATORS"),
        ("property-path steps ('/', '|', '^')", counts["step"], limits.max_path_steps,
         "QUERY_MAX_PATH_STEPS"),
    )
    for what, found, limit, name in checks:
        if found > limit:
            raise _refuse(f"{what}:", found, limit, name)
