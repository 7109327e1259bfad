"""``/countries`` (every country, HTML, JSON or CSV) and ``/countries/{code}`` (one country's profile).

A country is named by its ISO 3166 alpha-2, alpha-3 or numeric code, its slug or its name; the
profile is also shown on the page of the country's state (``/doc/id/org/{slug}``). Figures are
cached per store generation.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from migkg.formats import CSV_MEDIA_TYPE, HTML_MEDIA_TYPE, JSON_MEDIA_TYPE, content_type
from migkg.namespaces import CONCEPT, ID
from migkg.stores.base import Backend
from migkg.views.country_profile import CountryProfile, country_profile
from migkg.views.describe import pick_label
from migkg.views.facets import Selection
from migkg.views.instrument_browser import Vocabulary
from migkg.views.places import Country, countries, fold
from migkg.views.resource_page import ResourcePage
from migkg.web.generation import store_generation, view_cache
from migkg.web.instruments import cached_browse, cached_vocabulary
from migkg.web.queries import QueryPageError, choose_media_type
from migkg.web.responses import languages, not_found, render
from migkg.web.state import backend_of

router = APIRouter()
SHORT = {"html": HTML_MEDIA_TYPE, "json": JSON_MEDIA_TYPE, "csv": CSV_MEDIA_TYPE}
BLA = "https://w3id.org/migkg/concept/instrument-type/bilateral-labour-agreement"


def _media_type(request: Request, suffix: str | None, offered: list[str]) -> str:
    if suffix is not None:
        if suffix not in SHORT or SHORT[suffix] not in offered or suffix == "html":
            raise QueryPageError(404, f"no such format .{suffix}")
        return SHORT[suffix]
    override = request.query_params.get("_mediatype", "").strip().lower()
    if override in SHORT and SHORT[override] in offered:
        return SHORT[override]
    return choose_media_type(request, offered)


def country_rows(request: Request) -> list[dict[str, Any]]:
    """Every country with its codes, region, number of instruments and of BLAs (cached)."""
    vocab = cached_vocabulary(request)
    everything = cached_browse(request, Selection(per_page=1), vocab)
    import pyoxigraph as ox

    blas = cached_browse(request, Selection(values={"type": (ox.NamedNode(BLA),)}, per_page=1), vocab)
    langs = languages(request)

    def counts(result: Any) -> dict[str, int]:
        facet = next(f for f in result.facets if f.facet.key == "country")
        return {v.value: v.count for v in facet.values}

    instruments, agreements = counts(everything), counts(blas)
    rows = [{"iri": c.iri, "code": code(c), "label": pick_label(c.labels, langs) or c.slug,
             "alpha2": c.alpha2, "alpha3": c.alpha3, "numeric": c.numeric,
             "region": [vocab.label(b, langs) for b in c.broader], "states": list(c.states),
             "instruments": instruments.get(c.iri, 0), "blas": agreements.get(c.iri, 0)}
            for c in vocab.countries]
    return sorted(rows, key=lambda r: fold(str(r["label"])))


def code(country: Country) -> str:
    """The code in a country's address (:attr:`Country.code`)."""
    return country.code


@router.get("/countries", include_in_schema=False)
@router.get("/countries.{suffix}", include_in_schema=False)
def countries_page(request: Request, suffix: str | None = None) -> Response:
    """Every country: codes, region, instruments, BLAs; links to profiles and to the browser."""
    try:
        media_type = _media_type(request, suffix, [HTML_MEDIA_TYPE, JSON_MEDIA_TYPE, CSV_MEDIA_TYPE])
    except QueryPageError as err:
        return PlainTextResponse(str(err), status_code=err.status)
    rows = country_rows(request)
    headers = {"Vary": "Accept"}
    if media_type == JSON_MEDIA_TYPE:
        return JSONResponse({"countries": rows}, headers=headers)
    if media_type == CSV_MEDIA_TYPE:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        columns = ("iri", "label", "alpha2", "alpha3", "numeric", "region", "instruments", "blas")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([" | ".join(row[c]) if isinstance(row[c], list) else row[c] for c in columns])
        return Response(out.getvalue().encode(), media_type=content_type(CSV_MEDIA_TYPE), headers=headers)
    response = render(request, "countries.html", {"rows": rows})
    response.headers.update(headers)
    return response


def find_country(vocab: Vocabulary, text: str) -> Country | None:
    """The country ``text`` names (code, slug, name or IRI), if any."""
    return vocab.by_country_key.get(fold(text)) or vocab.by_country_key.get(text)


def cached_profile(request: Request, country: Country) -> CountryProfile:
    """The profile of ``country`` for this store generation and the request's languages."""
    backend: Backend = backend_of(request)
    langs = languages(request)
    return view_cache(request).get(store_generation(request), ("profile", country.iri, langs),
                                   lambda: country_profile(backend, country, langs))


@router.get("/countries/{name}", include_in_schema=False)
def country_page(request: Request, name: str) -> Response:
    """One country's profile (HTML or JSON); a name other than its code redirects to the code."""
    stem, dot, suffix = name.rpartition(".")
    fixed = suffix if dot and suffix in ("json", "html") else None
    wanted = stem if fixed else name
    vocab = cached_vocabulary(request)
    country = find_country(vocab, wanted)
    if country is None:
        return not_found(request, request.url.path)
    if wanted != code(country):
        return RedirectResponse(f"/countries/{code(country)}{'.' + fixed if fixed else ''}", status_code=301)
    try:
        media_type = _media_type(request, fixed, [HTML_MEDIA_TYPE, JSON_MEDIA_TYPE])
    except QueryPageError as err:
        return PlainTextResponse(str(err), status_code=err.status)
    profile = cached_profile(request, country)
    if media_type == JSON_MEDIA_TYPE:
        return JSONResponse(profile_json(profile), headers={"Vary": "Accept"})
    response = render(request, "country.html", {"profile": profile, "code": code(country)})
    response.headers["Vary"] = "Accept"
    return response


def profile_json(profile: CountryProfile) -> dict[str, Any]:
    """The profile as JSON."""
    from dataclasses import asdict

    body = asdict(profile)
    body["country"]["labels"] = [str(label) for label in profile.country.labels]
    return body


def profile_for_page(request: Request, page: ResourcePage) -> CountryProfile | None:
    """The profile to show on a resource page: the page of a country's state (or of its place).

    Other pages run no query for it; the country list is cached per store generation.
    """
    if not page.iri.startswith((str(ID["org/"]), f"{CONCEPT}place/")):
        return None
    backend: Backend = backend_of(request)
    found = view_cache(request).get(store_generation(request), ("countries",), lambda: countries(backend))
    for country in found:
        if page.iri == country.iri or page.iri in country.states:
            return cached_profile(request, country)
    return None


#: Resource pages show a country's profile: what their template calls.
TEMPLATE_GLOBALS: dict[str, object] = {"country_profile_for": profile_for_page, "country_code": code}
