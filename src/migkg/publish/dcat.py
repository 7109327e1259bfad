"""The dataset description (DCAT 3 + VoID) and the catalogue of downloadable files.

Everything is computed from the backend (sizes, partitions, linksets, dates); nothing reads the clock.
The description keeps public IRIs: distributions are ``{public base}downloads/{file}``, the SPARQL
endpoint ``{public base}sparql``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, VOID, XSD

from migkg import __version__
from migkg.formats import CSV_MEDIA_TYPE, rdf_format
from migkg.namespaces import GRAPH, ONTOLOGY_IRI, sparql_prefix_block
from migkg.sources import LICENSE, PROJECT_AGENT
from migkg.stores.base import Backend, QueryRequest
from migkg.views.describe import bind_prefixes
from migkg.views.tables import TABLES

IANA = "https://www.iana.org/assignments/media-types/"
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it
TITLE = "migkg: knowledge graph of migration governance instruments"
DESCRIPTION = (
    "Laws, strategies, declarations, agreements and institutions through which migration is governed,"
    " from global to local: issuers, levels, jurisdictions, how instruments realise, implement or"
    " localize one another, the commitments of the Global Compact for Migration they contribute to,"
    " and the verbatim evidence for each relation."
)
_P = sparql_prefix_block()
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
_PROPERTIES = ("SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p")
_LINKS = _P + "SELECT ?o WHERE { ?s skos:exactMatch ?o FILTER(isIRI(?o)) }"
_MODIFIED = _P + "SELECT (MAX(?d) AS ?m) WHERE { ?g dcterms:modified ?d }"
#: The published datasets the graph imports from (described by the importers, data/imported/).
_SOURCES = _P + """SELECT ?src ?p ?o WHERE {
  ?src a dcat:Dataset .
  FILTER (?src != <%s>)
  VALUES ?p { dcterms:title dcterms:creator dcterms:license dcterms:rights owl:versionInfo dcterms:modified
              dcat:landingPage dcterms:bibliographicCitation }
  ?src ?p ?o .
} ORDER BY ?src ?p ?o"""


@dataclass(frozen=True)
class Download:
    """A downloadable file: name under ``/downloads/``, title, media type and what it holds."""

    filename: str
    title: str
    media_type: str
    kind: str  # "dataset", "ontology", "scheme", "table", "description"
    graph: str | None = None  # the named graph it holds (ontology, schemes)


def downloads(backend: Backend) -> list[Download]:
    """Every file ``/downloads`` serves, in display order."""
    found = [Download(f"migkg.{f.suffix}", _dataset_title(f.suffix), f.media_type, "dataset")
             for f in map(rdf_format, ("nq", "trig", "jsonld", "ttl", "nt", "rdf"))]
    graph_formats = [rdf_format(s) for s in ("ttl", "jsonld", "nt", "rdf")]
    found += [Download(f"ontology.{f.suffix}", "The migkg ontology (OWL)", f.media_type, "ontology",
                       str(GRAPH) + "ontology/migkg") for f in graph_formats]
    for name in scheme_names(backend):
        found += [Download(f"scheme/{name}.{f.suffix}", f"Concept scheme “{name}” (SKOS)",
                           f.media_type, "scheme", f"{GRAPH}ontology/schemes/{name}")
                  for f in graph_formats]
    found += [Download(f"tables/{t.filename}", t.title, CSV_MEDIA_TYPE, "table") for t in TABLES]
    found += [Download(f"dataset.{f.suffix}", "Dataset description (DCAT 3 + VoID)", f.media_type,
                       "description") for f in graph_formats]
    return found


def _dataset_title(suffix: str) -> str:
    if rdf_format(suffix).is_dataset:
        return "Whole dataset, one named graph per source file"
    return "Whole dataset, union of all graphs"


def scheme_names(backend: Backend) -> list[str]:
    """Names of the concept schemes loaded (one named graph each under ``ontology/schemes/``)."""
    prefix = f"{GRAPH}ontology/schemes/"
    return sorted(g.iri[len(prefix):] for g in backend.graphs() if g.iri.startswith(prefix))


def describe_dataset(backend: Backend, public_base: str, version: str = __version__) -> Graph:
    """The DCAT 3 + VoID description of the dataset served by ``backend``."""
    graph = bind_prefixes(Graph())
    ds = URIRef(public_base + "dataset")
    for cls in (DCAT.Dataset, VOID.Dataset):
        graph.add((ds, RDF.type, cls))
    _add_metadata(graph, ds, backend, public_base, version)
    _add_partitions(graph, ds, backend)
    _add_access(graph, ds, backend, public_base)
    _add_linksets(graph, ds, backend)
    _add_sources(graph, ds, backend)
    return graph


def _add_sources(graph: Graph, ds: URIRef, backend: Backend) -> None:
    """Each imported dataset as a ``dcterms:source`` / ``prov:wasDerivedFrom`` of the dataset, with its
    title, creator, licence as published (``dcterms:license``, or ``dcterms:rights`` saying it is not
    stated), version (commit) and date."""
    from rdflib.namespace import PROV

    for row in backend.select(QueryRequest(_SOURCES % ds)):
        source = row["src"]
        if not isinstance(source, URIRef):
            continue
        graph.add((ds, DCTERMS.source, source))
        graph.add((ds, PROV.wasDerivedFrom, source))
        graph.add((source, RDF.type, DCAT.Dataset))
        graph.add((source, URIRef(str(row["p"])), row["o"]))


def _add_metadata(graph: Graph, ds: URIRef, backend: Backend, base: str, version: str) -> None:
    graph.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    graph.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    graph.add((ds, DCTERMS.license, URIRef(LICENSE)))
    graph.add((ds, DCTERMS.publisher, URIRef(PROJECT_AGENT)))
    graph.add((ds, DCAT_VERSION, Literal(version)))
    graph.add((ds, DCAT.landingPage, URIRef(base)))
    for word in ("migration", "governance", "Global Compact for Migration", "policy instruments"):
        graph.add((ds, DCAT.keyword, Literal(word, lang="en")))
    rows = backend.select(QueryRequest(_MODIFIED))
    if rows and "m" in rows[0]:
        graph.add((ds, DCTERMS.modified, Literal(str(rows[0]["m"]), datatype=XSD.date)))
    graph.add((ds, VOID.uriSpace, Literal(base + "id/")))
    graph.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    graph.add((ds, VOID.vocabulary, URIRef(str(SKOS))))


def _add_partitions(graph: Graph, ds: URIRef, backend: Backend) -> None:
    classes = backend.select(QueryRequest(_CLASSES))
    properties = backend.select(QueryRequest(_PROPERTIES))
    total = sum(int(r["n"]) for r in properties)
    graph.add((ds, VOID.triples, Literal(total)))
    graph.add((ds, VOID.classes, Literal(len(classes))))
    graph.add((ds, VOID.properties, Literal(len(properties))))
    for row in classes:
        part = BNode()
        graph.add((ds, VOID.classPartition, part))
        graph.add((part, VOID["class"], row["c"]))
        graph.add((part, VOID.entities, Literal(int(row["n"]))))
    for row in properties:
        part = BNode()
        graph.add((ds, VOID.propertyPartition, part))
        graph.add((part, VOID.property, row["p"]))
        graph.add((part, VOID.triples, Literal(int(row["n"]))))


def _add_access(graph: Graph, ds: URIRef, backend: Backend, base: str) -> None:
    endpoint = URIRef(base + "sparql")
    graph.add((ds, VOID.sparqlEndpoint, endpoint))
    graph.add((endpoint, RDF.type, DCAT.DataService))
    graph.add((endpoint, DCTERMS.title, Literal("migkg SPARQL 1.1 endpoint", lang="en")))
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, DCAT.servesDataset, ds))
    for item in downloads(backend):
        if item.kind != "dataset":
            continue
        dist = URIRef(f"{base}downloads/{item.filename}")
        graph.add((ds, DCAT.distribution, dist))
        graph.add((ds, VOID.dataDump, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(item.title, lang="en")))
        graph.add((dist, DCAT.downloadURL, dist))
        graph.add((dist, DCAT.mediaType, URIRef(IANA + item.media_type)))
        graph.add((dist, DCTERMS.license, URIRef(LICENSE)))


def link_targets(objects: Sequence[str]) -> Counter[str]:
    """How many links point into each target space (``scheme://host/``).

    >>> link_targets(["http://www.wikidata.org/entity/Q1", "http://www.wikidata.org/entity/Q2"])
    Counter({'http://www.wikidata.org/': 2})
    """
    return Counter(f"{urlsplit(o).scheme}://{urlsplit(o).netloc}/" for o in objects)


def _add_linksets(graph: Graph, ds: URIRef, backend: Backend) -> None:
    objects = [str(r["o"]) for r in backend.select(QueryRequest(_LINKS))]
    for space, count in sorted(link_targets(objects).items()):
        linkset, target = BNode(), BNode()
        graph.add((ds, VOID.subset, linkset))
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.linkPredicate, SKOS.exactMatch))
        graph.add((linkset, VOID.subjectsTarget, ds))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((linkset, VOID.triples, Literal(count)))
        graph.add((target, RDF.type, VOID.Dataset))
        graph.add((target, VOID.uriSpace, Literal(space)))
        graph.add((target, DCTERMS.title, Literal(urlsplit(space).netloc)))


@dataclass(frozen=True)
class DatasetView:
    """The description, flattened for a page."""

    title: str
    description: str
    version: str
    license: str
    modified: str
    triples: int
    endpoint: str
    uri_space: str
    classes: tuple[tuple[str, int], ...]
    properties: tuple[tuple[str, int], ...]
    linksets: tuple[tuple[str, int], ...]
    distributions: tuple[tuple[str, str, str], ...]


def dataset_view(graph: Graph, public_base: str) -> DatasetView:
    """What the ``/dataset`` page shows, read back from the description graph."""
    ds = URIRef(public_base + "dataset")

    def one(p: URIRef, node: URIRef = ds) -> str:
        value = graph.value(node, p)
        return "" if value is None else str(value)

    def parts(p: URIRef, key: URIRef, count: URIRef) -> tuple[tuple[str, int], ...]:
        found = [(one(key, part), int(one(count, part) or 0)) for part in graph.objects(ds, p)]  # type: ignore[arg-type]
        return tuple(sorted(found, key=lambda kv: (-kv[1], kv[0])))

    linksets = [(one(VOID.uriSpace, graph.value(ls, VOID.objectsTarget)),  # type: ignore[arg-type]
                 int(one(VOID.triples, ls) or 0)) for ls in graph.objects(ds, VOID.subset)]  # type: ignore[arg-type]
    dists = sorted((str(d), one(DCAT.mediaType, d)[len(IANA):], one(DCTERMS.title, d))  # type: ignore[arg-type]
                   for d in graph.objects(ds, DCAT.distribution))
    return DatasetView(
        title=one(DCTERMS.title), description=one(DCTERMS.description), version=one(DCAT_VERSION),
        license=one(DCTERMS.license), modified=one(DCTERMS.modified),
        triples=int(one(VOID.triples) or 0), endpoint=one(VOID.sparqlEndpoint),
        uri_space=one(VOID.uriSpace),
        classes=parts(VOID.classPartition, VOID["class"], VOID.entities),
        properties=parts(VOID.propertyPartition, VOID.property, VOID.triples),
        linksets=tuple(sorted(linksets)), distributions=tuple(dists),
    )
