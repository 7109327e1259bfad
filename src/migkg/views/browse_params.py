"""The URL parameters of ``/instruments`` (the same for HTML, JSON and CSV) and the links they make.

=============  ==========================================================================
parameter      meaning
=============  ==========================================================================
``country``    a country: ISO 3166 alpha-2, alpha-3 or numeric code, name, slug or IRI
``region``     a UN M49 region or sub-region (slug, label or IRI)
``level``      governance level (``national``, ``gl:national``, ``6`` — its notation)
``type``       instrument type, with its narrower types (``law``, ``documentary``)
``objective``  GCM objective (``23``, ``gcmo:23``), with its actions
``action``     GCM action (``1(f)``, its IRI)
``sdg``        SDG target (``10.7``, its IRI)
``theme``      theme, with narrower themes; ``group``: target group, with narrower groups
``provision``  provision of a bilateral labour agreement (slug, label or IRI)
``dataset``    the named graph that records it (``data/instruments/asean`` or its IRI)
``recorded``   the dataset a bilateral labour agreement was first recorded in (text)
``status``     verification status (``verified``, ``unverified``)
``year_from``  first year (inclusive); ``year_to``: last year (inclusive)
``q``          words every label must contain
``sort``       ``label`` (default), ``-label``, ``year``, ``-year``, ``level``
``page``       page number from 1; ``per_page``: 1–500 (default 50) or ``all``
=============  ==========================================================================

A facet parameter may be repeated (any of the values); different facets combine (all of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast
from urllib.parse import urlencode

import pyoxigraph as ox

from migkg.namespaces import DISPLAY_PREFIXES
from migkg.views.facets import FACETS, FACETS_BY_KEY, Selection, Sort
from migkg.views.instrument_browser import SelectionError, Vocabulary

PER_PAGE = 50
MAX_PER_PAGE = 500
#: Parameters the server reads besides the facets (``lang`` and ``_mediatype`` belong to every page).
OTHER = ("year_from", "year_to", "q", "sort", "page", "per_page", "lang", "_mediatype")


def parse_selection(params: Iterable[tuple[str, str]], vocab: Vocabulary) -> Selection:
    """The :class:`Selection` of the query-string pairs ``params``.

    Raises:
        SelectionError: an unknown parameter or a value that does not parse (the message says which).
    """
    values: dict[str, list[ox.NamedNode | ox.Literal]] = {}
    single: dict[str, str] = {}
    for name, text in params:
        if name in FACETS_BY_KEY:
            if text.strip():
                term = vocab.resolve(name, text)
                values.setdefault(name, [])
                if term not in values[name]:
                    values[name].append(term)
        elif name in OTHER:
            if name in single and single[name] != text:
                raise SelectionError(name, f"parameter {name!r} given more than once")
            single[name] = text
        else:
            known = ", ".join([f.key for f in FACETS] + list(OTHER[:6]))
            raise SelectionError(name, f"unknown parameter {name!r} (known: {known})")
    return Selection(
        values={k: tuple(sorted(v, key=str)) for k, v in values.items()},
        year_from=_year(single, "year_from"), year_to=_year(single, "year_to"),
        text=single.get("q", "").strip(), sort=_sort(single.get("sort")),
        page=_int(single, "page", 1, 1, 1_000_000), per_page=_per_page(single.get("per_page")),
    )


def _year(single: Mapping[str, str], name: str) -> int | None:
    text = single.get(name, "").strip()
    if not text:
        return None
    if not text.lstrip("-").isdigit() or len(text.lstrip("-")) > 4:
        raise SelectionError(name, f"{name} expects a year such as 2018, got {text!r}")
    return int(text)


def _int(single: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = single.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise SelectionError(name, f"{name} expects a whole number from {low} to {high}, got {text!r}")
    return int(text)


def _sort(text: str | None) -> Sort:
    if not text:
        return Sort.LABEL
    try:
        return Sort(text.strip())
    except ValueError:
        known = ", ".join(s.value for s in Sort)
        raise SelectionError("sort", f"sort expects one of {known}, got {text!r}") from None


def _per_page(text: str | None) -> int | None:
    if text is not None and text.strip().lower() == "all":
        return None
    return _int({"per_page": text or ""}, "per_page", PER_PAGE, 1, MAX_PER_PAGE)


# --- links ----------------------------------------------------------------------------------------------


def value_param(key: str, term: ox.NamedNode | ox.Literal, vocab: Vocabulary) -> str:
    """The short text naming ``term`` in a link: a country's alpha-2 (else alpha-3) code, else a
    prefixed name, else the IRI.

    >>> from migkg.views.facets import Context
    >>> value_param("level", ox.NamedNode("https://w3id.org/migkg/concept/governance-level/national"),
    ...             Vocabulary(Context(), {}, {}, {}, ()))
    'gl:national'
    """
    if isinstance(term, ox.Literal):
        return term.value
    if key == "country":
        country = vocab.by_country_key.get(term.value)
        if country is not None and (country.alpha2 or country.alpha3):
            return country.code
    for prefix, namespace in sorted(DISPLAY_PREFIXES.items(), key=lambda item: -len(item[1])):
        rest = term.value[len(namespace):]
        if term.value.startswith(namespace) and rest and all(c.isalnum() or c in "-_." for c in rest):
            return f"{prefix}:{rest}"
    return term.value


def facet_href(key: str, iri: str) -> str:
    """The browser's address for one facet value, e.g. every national instrument.

    >>> facet_href("level", "https://w3id.org/migkg/concept/governance-level/national")
    '/instruments?level=gl%3Anational'
    """
    from migkg.views.facets import Context

    return "/instruments?" + urlencode([(key, value_param(key, ox.NamedNode(iri),
                                                          Vocabulary(Context(), {}, {}, {}, ())))])


def query_string(selection: Selection, vocab: Vocabulary, **changes: object) -> str:
    """The canonical query string of ``selection`` (facets in a fixed order, defaults left out),
    with ``changes`` applied: ``page=2``, ``toggle=("level", term)``, ``sort=Sort.YEAR``, ...
    """
    values = {k: list(v) for k, v in selection.values.items()}
    toggle = changes.pop("toggle", None)
    if toggle is not None:
        key, term = cast(tuple[str, ox.NamedNode | ox.Literal], toggle)
        chosen = values.setdefault(key, [])
        if term in chosen:
            chosen.remove(term)
        else:
            chosen.append(term)
        changes.setdefault("page", 1)
    pairs: list[tuple[str, str]] = []
    for facet in FACETS:
        pairs += sorted((facet.key, value_param(facet.key, t, vocab)) for t in values.get(facet.key, ()))
    state: dict[str, object] = {
        "year_from": selection.year_from, "year_to": selection.year_to, "q": selection.text,
        "sort": selection.sort, "per_page": selection.per_page, "page": selection.page,
    } | changes
    pairs += _others(state)
    return urlencode(pairs)


def _others(state: Mapping[str, object]) -> Sequence[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name in ("year_from", "year_to", "q"):
        if state.get(name) not in (None, ""):
            pairs.append((name, str(state[name])))
    sort = state.get("sort")
    if isinstance(sort, Sort) and sort is not Sort.LABEL:
        pairs.append(("sort", sort.value))
    per_page = state.get("per_page", PER_PAGE)
    if per_page != PER_PAGE:
        pairs.append(("per_page", "all" if per_page is None else str(per_page)))
    page = state.get("page", 1)
    if page not in (1, None):
        pairs.append(("page", str(page)))
    return pairs
