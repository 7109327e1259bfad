"""``/map`` and ``/timeline``: pictures of the data, each with the CSV (and JSON) behind it.

``/map`` draws country shapes (world-atlas, vendored) in the browser with d3-geo, coloured by the
data of ``/map.json`` (same parameters); ``/map.csv`` is that data as a table. ``/timeline`` is an
SVG drawn on the server (also alone at ``/timeline.svg``), its data at ``/timeline.csv`` and
``/timeline.json``. Both take the instrument browser's URL parameters (``/instruments``) to narrow
what they count; the map also ``measure`` (``instruments``, ``blas``, ``status``) and, for
``status``, ``instrument`` (a treaty IRI or prefixed name).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from migkg.formats import CSV_MEDIA_TYPE, SVG_MEDIA_TYPE, content_type
from migkg.stores.base import Backend
from migkg.views.browse_params import parse_selection, query_string
from migkg.views.facets import Selection
from migkg.views.instrument_browser import SelectionError, Vocabulary, expand_name
from migkg.views.pictures import (
    BLA,
    MapValue,
    Measure,
    TimelineBar,
    counts_by_country,
    map_values,
    timeline,
    treaties,
    treaty_status,
    without_shape,
)
from migkg.web.generation import store_generation, view_cache
from migkg.web.instruments import cached_browse, cached_vocabulary
from migkg.web.responses import languages, render
from migkg.web.state import backend_of

router = APIRouter()
MAP_ONLY = ("measure", "instrument")
#: Bar colours by governance-level notation; each has a contrast of at least 3:1 on white (tested).
LEVEL_COLOURS = {"1": "#1f5fa8", "2": "#6a3d9a", "3": "#8a4b00", "4": "#b3261e", "5": "#00695c",
                 "6": "#ad1457", "7": "#4e5a6b", "8": "#2e6b30", "": "#5b6475"}


def _bad(err: Exception) -> Response:
    return PlainTextResponse(f"Bad parameter: {err}", status_code=400)


def _bad_json(err: Exception) -> Response:
    return JSONResponse({"error": str(err), "parameter": getattr(err, "parameter", None)}, status_code=400)


def _selection(request: Request, vocab: Vocabulary, skip: Sequence[str] = ()) -> Selection:
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in skip]
    return parse_selection(pairs, vocab)


def _measure(request: Request, vocab: Vocabulary) -> tuple[Measure, str | None, Selection]:
    try:
        measure = Measure(request.query_params.get("measure", "instruments"))
    except ValueError:
        raise SelectionError("measure", "measure expects instruments, blas or status") from None
    selection = _selection(request, vocab, MAP_ONLY)
    instrument = request.query_params.get("instrument")
    if measure is Measure.STATUS:
        if not instrument:
            raise SelectionError("instrument", "measure=status needs instrument=<a treaty's IRI>")
        instrument = vocab_iri(instrument)
    return measure, instrument, selection


def vocab_iri(text: str) -> str:
    """An instrument IRI from an IRI, ``<IRI>`` or ``inst:slug``."""
    iri = expand_name(text.strip()) or expand_name("inst:" + text.strip())
    if iri is None:
        raise SelectionError("instrument", f"instrument {text!r} is not an IRI or inst: name")
    return iri


def map_data(request: Request) -> tuple[Measure, str | None, tuple[MapValue, ...]]:
    """The measure, the chosen instrument and every country's value (cached per generation)."""
    vocab = cached_vocabulary(request)
    measure, instrument, selection = _measure(request, vocab)
    backend: Backend = backend_of(request)
    langs = languages(request)

    def compute() -> tuple[MapValue, ...]:
        if measure is Measure.STATUS:
            assert instrument is not None
            return map_values(vocab, None, treaty_status(backend, instrument), langs)
        chosen = selection
        if measure is Measure.BLAS:
            chosen = Selection(values={**selection.values, "type": (ox.NamedNode(BLA),)},
                               year_from=selection.year_from, year_to=selection.year_to, text=selection.text)
        counts = counts_by_country(cached_browse(request, Selection(
            values=chosen.values, year_from=chosen.year_from, year_to=chosen.year_to, text=chosen.text,
            per_page=1), vocab))
        return map_values(vocab, counts, None, langs)

    key = ("map", measure.value, instrument, query_string(selection, vocab), langs)
    return measure, instrument, view_cache(request).get(store_generation(request), key, compute)


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(out.getvalue().encode(), media_type=content_type(CSV_MEDIA_TYPE),
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/map.json", include_in_schema=False)
def map_json(request: Request) -> Response:
    """Every country's value on the map (see the module documentation)."""
    try:
        measure, instrument, values = map_data(request)
    except (SelectionError, ValueError) as err:
        return _bad_json(err)
    missing = {v.iri for v in without_shape(values)}
    return JSONResponse({"measure": measure.value, "instrument": instrument,
                         "countries": [{**asdict(v), "shape": v.iri not in missing} for v in values]})


@router.get("/map.csv", include_in_schema=False)
def map_csv(request: Request) -> Response:
    """The map's data as CSV: one row per country."""
    try:
        measure, _, values = map_data(request)
    except (SelectionError, ValueError) as err:
        return _bad(err)
    column = "status" if measure is Measure.STATUS else measure.value
    missing = {v.iri for v in without_shape(values)}
    rows = [(v.iri, v.label, v.code, v.alpha3, v.numeric,
             v.category if measure is Measure.STATUS else v.value, "no" if v.iri in missing else "yes")
            for v in values]
    return _csv(("iri", "country", "code", "alpha3", "iso3166_numeric", column, "on_map"), rows,
                "migkg-map.csv")


@router.get("/map", include_in_schema=False)
def map_page(request: Request) -> Response:
    """The world map page (the shapes are drawn by static/map.js from /map.json)."""
    vocab = cached_vocabulary(request)
    try:
        measure, instrument, values = map_data(request)
    except (SelectionError, ValueError) as err:
        return _bad(err)
    backend: Backend = backend_of(request)
    options = view_cache(request).get(store_generation(request), ("treaties",), lambda: treaties(backend))
    query = request.url.query
    return render(request, "map.html", {
        "measure": measure.value, "instrument": instrument, "values": values, "treaties": options,
        "without_shape": without_shape(values),
        "query": query, "selection_qs": query_string(_selection(request, vocab, MAP_ONLY), vocab)})


# --- timeline ------------------------------------------------------------------------------------------


def timeline_data(request: Request) -> tuple[Selection, tuple[TimelineBar, ...], Vocabulary]:
    """The selection and its bars (cached per generation)."""
    vocab = cached_vocabulary(request)
    selection = _selection(request, vocab)
    backend: Backend = backend_of(request)
    key = ("timeline", query_string(selection, vocab))
    bars = view_cache(request).get(store_generation(request), key,
                                   lambda: timeline(backend, selection, vocab.context))
    return selection, bars, vocab


def timeline_layout(bars: Sequence[TimelineBar], vocab: Vocabulary, langs: Sequence[str]) -> dict[str, Any]:
    """Positions of the stacked bars in an 860 × 300 SVG, the axis ticks and the legend."""
    if not bars:
        return {"rects": [], "ticks": [], "legend": [], "width": 860, "height": 300, "top": 0}
    first, last = min(b.year for b in bars), max(b.year for b in bars)
    totals: dict[int, int] = {}
    for bar in bars:
        totals[bar.year] = totals.get(bar.year, 0) + bar.count
    top = max(totals.values())
    span = last - first + 1
    left, width, height = 40, 800, 240
    step = width / span
    order = sorted({b.level for b in bars}, key=lambda lv: (int(vocab.notations.get(lv, "99") or 99), lv))
    stacked: dict[int, float] = {}
    rects = []
    for level in order:
        for bar in (b for b in bars if b.level == level):
            h = height * bar.count / top
            y = 20 + height - stacked.get(bar.year, 0) - h
            stacked[bar.year] = stacked.get(bar.year, 0) + h
            rects.append({"x": round(left + (bar.year - first) * step + step * 0.1, 2), "y": round(y, 2),
                          "w": round(max(step * 0.8, 1), 2), "h": round(h, 2), "year": bar.year,
                          "count": bar.count, "level": vocab.label(level, langs) if level else "no level",
                          "colour": LEVEL_COLOURS.get(vocab.notations.get(level, ""), LEVEL_COLOURS[""])})
    every = next(n for n in (1, 2, 5, 10, 20, 25, 50, 100) if span / n <= 16)
    years = [y for y in range(first, last + 1) if y % every == 0]
    years += [y for y in (first, last) if all(abs(y - t) * 2 >= every for t in years)]
    ticks = [{"x": round(left + (y - first) * step + step / 2, 2), "year": y} for y in sorted(years)]
    legend = [{"level": vocab.label(lv, langs) if lv else "no level",
               "colour": LEVEL_COLOURS.get(vocab.notations.get(lv, ""), LEVEL_COLOURS[""])} for lv in order]
    return {"rects": rects, "ticks": ticks, "legend": legend, "width": 860, "height": 300, "top": top}


@router.get("/timeline.csv", include_in_schema=False)
def timeline_csv(request: Request) -> Response:
    """The timeline's data: instruments by year and level."""
    try:
        _, bars, vocab = timeline_data(request)
    except (SelectionError, ValueError) as err:
        return _bad(err)
    langs = languages(request)
    return _csv(("year", "level", "level_label", "instruments"),
                [(b.year, b.level, vocab.label(b.level, langs) if b.level else "", b.count) for b in bars],
                "migkg-timeline.csv")


@router.get("/timeline.json", include_in_schema=False)
def timeline_json(request: Request) -> Response:
    """The timeline's data as JSON."""
    try:
        _, bars, _ = timeline_data(request)
    except (SelectionError, ValueError) as err:
        return _bad_json(err)
    return JSONResponse({"bars": [asdict(b) for b in bars]})


@router.get("/timeline.svg", include_in_schema=False)
def timeline_svg(request: Request) -> Response:
    """The timeline alone, as an SVG document."""
    try:
        _, bars, vocab = timeline_data(request)
    except (SelectionError, ValueError) as err:
        return _bad(err)
    response = render(request, "timeline.svg", {"layout": timeline_layout(bars, vocab, languages(request)),
                                                "standalone": True})
    return Response(response.body, media_type=content_type(SVG_MEDIA_TYPE),
                    headers={"Content-Disposition": 'inline; filename="migkg-timeline.svg"'})


@router.get("/timeline", include_in_schema=False)
def timeline_page(request: Request) -> Response:
    """Instruments by year and level, filterable like the browser."""
    try:
        selection, bars, vocab = timeline_data(request)
    except (SelectionError, ValueError) as err:
        return _bad(err)
    return render(request, "timeline.html", {
        "layout": timeline_layout(bars, vocab, languages(request)), "bars": bars, "selection": selection,
        "query": request.url.query, "total": sum(b.count for b in bars)})

