"""The SPARQL 1.1 Service Description of the endpoint, and the URL a client reached it by."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD
from starlette.requests import Request

from migkg.formats import RDF_FORMATS, RESULTS_FORMATS
from migkg.namespaces import SD
from migkg.stores.base import GraphInfo
from migkg.web.state import settings_of

#: W3C format IRIs (http://www.w3.org/ns/formats/) of the formats in :mod:`migkg.formats`, by name.
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD", "trig": "TriG", "nquads": "N-Quads",
}
_FORMATS_NS = "http://www.w3.org/ns/formats/"


def _forwarded(value: str) -> dict[str, str]:
    """The first element of an RFC 7239 ``Forwarded`` header as a dict.

    >>> _forwarded('for=1.2.3.4;proto=https;host="example.org", for=5.6.7.8')
    {'for': '1.2.3.4', 'proto': 'https', 'host': 'example.org'}
    """
    first = value.split(",")[0]
    pairs = (p.strip().partition("=") for p in first.split(";") if "=" in p)
    return {k.strip().lower(): v.strip().strip('"') for k, _, v in pairs}


def public_url(headers: Mapping[str, str], scheme: str, host: str, path: str) -> str:
    """The URL the client used, honouring ``Forwarded`` then ``X-Forwarded-Proto/Host``.

    >>> public_url({"x-forwarded-proto": "https", "x-forwarded-host": "kg.org"}, "http", "app:80", "/sparql")
    'https://kg.org/sparql'
    >>> public_url({}, "http", "127.0.0.1:8000", "/sparql")
    'http://127.0.0.1:8000/sparql'
    """
    forwarded = _forwarded(headers["forwarded"]) if "forwarded" in headers else {}
    proto = forwarded.get("proto") or headers.get("x-forwarded-proto", "").split(",")[0].strip()
    where = forwarded.get("host") or headers.get("x-forwarded-host", "").split(",")[0].strip()
    return f"{proto or scheme}://{where or host}{path}"


def local_base(request: Request) -> str:
    """The site's base URL as the client sees it, ending in ``/``.

    ``settings.base_url`` when set, else the request's, honouring ``Forwarded`` then
    ``X-Forwarded-Proto/Host`` (see :func:`public_url`).
    """
    configured: str | None = settings_of(request).base_url
    if configured:
        return configured.rstrip("/") + "/"
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return public_url(request.headers, request.url.scheme, host, request.base_url.path)


def service_description(endpoint: str, graphs: Sequence[GraphInfo], *, updates: bool,
                        federation: bool) -> Graph:
    """The ``sd:Service`` at ``endpoint``: languages, formats, features and the default dataset."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if updates:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for name in [f.name for f in RESULTS_FORMATS] + [f.name for f in RDF_FORMATS]:
        g.add((service, SD.resultFormat, URIRef(_FORMATS_NS + _FORMAT_IRIS[name])))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if federation:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    g.add((service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    g.add((service, SD.defaultDataset, _dataset(g, graphs)))
    return g


def _dataset(g: Graph, graphs: Sequence[GraphInfo]) -> BNode:
    dataset, default = BNode(), BNode()
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(sum(i.triples for i in graphs), datatype=XSD.integer)))
    for info in graphs:
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(info.iri)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    return dataset
