"""The graph explorer: the ``/explore`` page and the JSON it draws (``/explore/*.json``).

Handlers check their parameters (400 with a message when one is wrong), run the library call of
:mod:`migkg.views.explorer` in the thread pool (the store answers synchronously) and return its
``to_dict()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from migkg import __version__
from migkg.stores.base import Backend
from migkg.views import explorer
from migkg.views.explorer import Caps
from migkg.views.explorer.groups import OTHER, GroupKey, open_group
from migkg.vocabulary import RELATIONS, Relation
from migkg.web.responses import labels_of
from migkg.web.state import backend_of, settings_of, templates_of


class _Route(APIRoute):
    """A route whose parameter errors are 400s (the client sent a bad view), not FastAPI's 422s."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as err:
                return JSONResponse({"detail": jsonable_encoder(err.errors())}, status_code=400)

        return checked


router = APIRouter(prefix="/explore", tags=["explore"], route_class=_Route)

#: Largest views a client may ask for; the defaults are :class:`migkg.views.explorer.Caps`.
HARD_MAX_NODES = 500
MAX_IRI = 2000
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")

IriParam = Annotated[str, Query(max_length=MAX_IRI, description="The IRI of a node.")]
RelParam = Annotated[
    list[str] | None, Query(description="Relation keys to follow (default: all but theme/targetGroup).")
]
MaxNodes = Annotated[int | None, Query(ge=1, le=HARD_MAX_NODES, description="Node cap of the view.")]


def check_iri(value: str, name: str = "iri") -> str:
    """``value`` if it is an absolute http(s) IRI, else a 400.

    >>> check_iri("https://w3id.org/migkg/gcm/objective/23")
    'https://w3id.org/migkg/gcm/objective/23'
    """
    value = value.strip()
    if not _IRI.match(value):
        raise HTTPException(400, f"{name} must be an absolute http(s) IRI")
    return value


def _caps(max_nodes: int | None) -> Caps:
    return Caps(max_nodes=max_nodes) if max_nodes else Caps()


def _relations(rel: list[str] | None) -> tuple[Relation, ...]:
    keys = [k for value in rel or [] for k in value.split(",") if k]
    try:
        return explorer.relations_for(keys)
    except ValueError as err:
        raise HTTPException(400, str(err)) from err


async def _run(request: Request, call: Callable[[Backend], Any]) -> JSONResponse:
    """Run ``call(backend)`` off the event loop; NotFound is a 404, ValueError a 400."""
    backend: Backend = backend_of(request)
    try:
        result = await run_in_threadpool(call, backend)
    except explorer.NotFound as err:
        raise HTTPException(404, f"nothing is known about <{err}>") from err
    except ValueError as err:
        raise HTTPException(400, str(err)) from err
    data = [item.to_dict() for item in result] if isinstance(result, tuple) else result.to_dict()
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.get("", response_class=HTMLResponse, summary="The graph explorer page")
async def page(request: Request) -> Response:
    """The explorer page; its state lives in the query string, so a view can be shared."""
    listed = await run_in_threadpool(explorer.commitments, backend_of(request))
    context = {
        "version": __version__,
        "public_base": settings_of(request).public_base,
        "commitments": listed,
        "relations": RELATIONS,
        "default_relations": [r.key for r in explorer.DEFAULT_RELATIONS],
    }
    return templates_of(request).TemplateResponse(request, "explore.html", context)


@router.get("/graph.json", summary="Neighbourhood of a node")
async def graph_json(
    request: Request,
    iri: IriParam,
    depth: Annotated[int, Query(ge=0, le=Caps().max_depth)] = 1,
    rel: RelParam = None,
    max_nodes: MaxNodes = None,
) -> JSONResponse:
    """Nodes within ``depth`` hops of ``iri`` and the edges among them (``truncated`` if capped)."""
    node, relations, caps = check_iri(iri), _relations(rel), _caps(max_nodes)
    return await _run(request, lambda b: explorer.neighbourhood(b, node, depth, relations, caps))


@router.get("/group.json", summary="The members of a group node, a page at a time")
async def group_json(
    request: Request,
    anchor: IriParam,
    relation: Annotated[str, Query(max_length=100)],
    direction: Annotated[str, Query(pattern="^(in|out)$")],
    type: Annotated[str, Query(max_length=MAX_IRI)],
    offset: Annotated[int, Query(ge=0)] = 0,
    max_nodes: MaxNodes = None,
) -> JSONResponse:
    """Members of the group of ``anchor``'s neighbours over ``relation`` in ``direction`` of ``type``
    (an instrument type or classification IRI, or ``other``), from ``offset``; a group for the rest."""
    if relation not in {r.key for r in RELATIONS}:
        raise HTTPException(400, f"unknown relation {relation!r}")
    key = GroupKey(check_iri(anchor, "anchor"), relation, direction,
                   type if type == OTHER else check_iri(type, "type"))
    caps = _caps(max_nodes)
    return await _run(request, lambda b: open_group(b, key, offset, caps))


@router.get("/trace.json", summary="Everything that realises a commitment or instrument")
async def trace_json(request: Request, iri: IriParam, max_nodes: MaxNodes = None) -> JSONResponse:
    """The transitive trace of ``iri``, with governance-level bands from global to local."""
    node, caps = check_iri(iri), _caps(max_nodes)
    return await _run(request, lambda b: explorer.trace(b, node, caps))


@router.get("/path.json", summary="Shortest relation paths between two nodes")
async def path_json(
    request: Request,
    source: Annotated[str, Query(alias="from", max_length=MAX_IRI)],
    target: Annotated[str, Query(alias="to", max_length=MAX_IRI)],
    rel: RelParam = None,
) -> JSONResponse:
    """The shortest paths from ``from`` to ``to``, relations taken in either direction."""
    start, end, relations = check_iri(source, "from"), check_iri(target, "to"), _relations(rel)
    return await _run(request, lambda b: explorer.shortest_paths(b, start, end, relations))


@router.get("/search.json", summary="Label and acronym search (en, fr, es)")
async def search_json(
    request: Request,
    q: Annotated[str, Query(max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 15,
) -> JSONResponse:
    """Suggestions for a search box: nodes whose label, acronym or title contains ``q``."""
    return await _run(request, lambda b: explorer.search(b, q, limit, index=labels_of(request)))

