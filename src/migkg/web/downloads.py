"""Downloads (``/downloads`` and its files) and the dataset description (``/dataset``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph

from migkg.formats import content_type, rdf_format
from migkg.publish.dcat import Download, dataset_view, describe_dataset, downloads
from migkg.publish.export import export_dataset, serialize_graph
from migkg.publish.ontology_docs import ontology_graph
from migkg.stores.base import Backend
from migkg.views.tables import table, table_csv
from migkg.web.iri_map import REPRESENTATIONS
from migkg.web.resources import document, embedded_jsonld, iri_map, not_found, pick_named, render

router = APIRouter()


@router.get("/downloads", include_in_schema=False)
def downloads_page(request: Request) -> Response:
    """The list of files: dataset, ontology, schemes, CSV tables, dataset description."""
    items = downloads(request.app.state.backend)
    groups = {kind: [d for d in items if d.kind == kind]
              for kind in ("dataset", "ontology", "scheme", "table", "description")}
    return render(request, "downloads.html", {"groups": groups})


@router.api_route("/downloads/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
def download(name: str, request: Request) -> Response:
    """One file of the catalogue, built from the backend (cached while the data cannot change)."""
    backend: Backend = request.app.state.backend
    item = next((d for d in downloads(backend) if d.filename == name), None)
    if item is None:
        return not_found(request, request.url.path)
    cache: dict[str, bytes] = request.app.state.__dict__.setdefault("download_cache", {})
    body = cache.get(name)
    if body is None:
        body = _build(request, backend, item)
        if request.app.state.settings.update_token is None:
            cache[name] = body
    filename = name.replace("/", "-")
    if not filename.startswith("migkg"):
        filename = "migkg-" + filename
    return Response(body, media_type=content_type(item.media_type),
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _build(request: Request, backend: Backend, item: Download) -> bytes:
    suffix = item.filename.rsplit(".", 1)[-1]
    if item.kind == "dataset":
        return export_dataset(backend, rdf_format(suffix))
    if item.kind == "table":
        return table_csv(backend, table(item.filename.split("/")[-1][:-4])).encode("utf-8")
    if item.kind == "description":
        return serialize_graph(_description(request), rdf_format(suffix))
    assert item.graph is not None
    return serialize_graph(ontology_graph(backend, item.graph), rdf_format(suffix))


def _description(request: Request) -> Graph:
    return describe_dataset(request.app.state.backend, request.app.state.settings.public_base)


@router.api_route("/dataset", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/dataset.{suffix}", methods=["GET", "HEAD"], include_in_schema=False)
def dataset(request: Request, suffix: str | None = None) -> Response:
    """The DCAT 3 + VoID description, as a page or in any RDF format (content negotiation)."""
    chosen = pick_named(request, suffix)
    if isinstance(chosen, Response):
        return chosen
    rep, negotiated = chosen
    graph = _description(request)
    mapping = iri_map(request)

    def html() -> Response:
        view = dataset_view(graph, request.app.state.settings.public_base)
        return render(request, "dataset.html", {
            "view": view, "jsonld": embedded_jsonld(graph), "doc_url": "/dataset",
            "representations": REPRESENTATIONS,
        })

    return document(request, f"{mapping.local_base}dataset", rep, negotiated, graph, html)

