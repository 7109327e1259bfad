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
from migkg.web.responses import document, embedded_jsonld, iri_map, not_found, pick_named, render
from migkg.web.state import backend_of, cached, settings_of

router = APIRouter()


@router.get("/downloads", include_in_schema=False)
def downloads_page(request: Request) -> Response:
    """The list of files: dataset, ontology, schemes, CSV tables, dataset description."""
    items = downloads(backend_of(request))
    groups = {kind: [d for d in items if d.kind == kind]
              for kind in ("dataset", "ontology", "scheme", "table", "description")}
    return render(request, "downloads.html", {"groups": groups})


@router.api_route("/downloads/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
def download(name: str, request: Request) -> Response:
    """One file of the catalogue, built from the backend (cached while the data cannot change)."""
    backend: Backend = backend_of(request)
    item = next((d for d in downloads(backend) if d.filename == name), None)
    if item is None:
        return not_found(request, request.url.path)
    body = cached(request, ("download", name), lambda: _build(request, backend, item))
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
    return describe_dataset(backend_of(request), settings_of(request).public_base)


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
        view = dataset_view(graph, settings_of(request).public_base)
        return render(request, "dataset.html", {
            "view": view, "jsonld": embedded_jsonld(graph), "doc_url": "/dataset",
            "representations": REPRESENTATIONS,
        })

    return document(request, f"{mapping.local_base}dataset", rep, negotiated, graph, html)

