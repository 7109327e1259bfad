"""Public IRIs ↔ the server's own addresses, and the representations a document offers.

The data keeps its public IRIs (``https://w3id.org/migkg/...``) wherever it is hosted; pages link to
the server that serves them, so browsing works offline. The mapping, with ``B`` the public base and
``L`` the server's base URL:

==========================================  ============================  =========================
public IRI                                  identifier route              document route
==========================================  ============================  =========================
``B id/{path}`` (instruments, orgs, ...)    ``L id/{path}`` → 303         ``L doc/{path}``
``B concept/{scheme}/{slug}``               ``L concept/...`` → 303       ``L doc/concept/...``
``B scheme/{name}``                         ``L scheme/{name}`` → 303     ``L doc/scheme/{name}``
``B gcm/objective/{n}``, ``gcm/principle``  ``L gcm/...`` → 303           ``L doc/gcm/...``
``B graph/{path}`` (named graphs)           ``L graph/...`` → 303         ``L doc/graph/...``
``B ontology`` and ``B ontology#Term``      ``L ontology`` (200, conneg: HTML = pyLODE docs, RDF
                                            = the ontology graph); ``#Term`` is an anchor there
``B dataset``                               ``L dataset`` (200, conneg: DCAT + VoID)
==========================================  ============================  =========================

Every document also answers at ``{document}.{html,ttl,jsonld,nt,rdf}`` (fixed representation).
"""

from __future__ import annotations

from dataclasses import dataclass

from migkg.formats import HTML_MEDIA_TYPE, RdfFormat, negotiate, rdf_format

#: First path segments of public IRIs that are not under ``id/`` but are served under ``/doc/``.
DOC_ROOTS: tuple[str, ...] = ("concept", "scheme", "gcm", "graph")


@dataclass(frozen=True)
class IriMap:
    """Maps public IRIs to local addresses and back.

    >>> m = IriMap("https://w3id.org/migkg/", "http://127.0.0.1:8000/")
    >>> m.iri_for_doc("instrument/x")
    'https://w3id.org/migkg/id/instrument/x'
    >>> m.iri_for_doc("concept/theme/health")
    'https://w3id.org/migkg/concept/theme/health'
    >>> m.local("https://w3id.org/migkg/id/instrument/x")
    'http://127.0.0.1:8000/doc/instrument/x'
    >>> m.local("https://w3id.org/migkg/ontology#Claim")
    'http://127.0.0.1:8000/ontology#Claim'
    >>> m.local("http://www.wikidata.org/entity/Q1")
    'http://www.wikidata.org/entity/Q1'
    """

    public_base: str
    local_base: str

    def iri_for_doc(self, doc_path: str) -> str:
        """The public IRI a ``/doc/{doc_path}`` document describes."""
        root = doc_path.split("/", 1)[0]
        if root in DOC_ROOTS:
            return self.public_base + doc_path
        return self.public_base + "id/" + doc_path

    def doc_path(self, iri: str) -> str | None:
        """The ``{doc_path}`` of the document describing ``iri``; None for IRIs served elsewhere."""
        if not iri.startswith(self.public_base) or "#" in iri:
            return None
        rest = iri[len(self.public_base):]
        if rest.startswith("id/") and len(rest) > 3:
            return rest[3:]
        if rest.split("/", 1)[0] in DOC_ROOTS and "/" in rest:
            return rest
        return None

    def local(self, iri: str) -> str:
        """Where a browser on this server finds ``iri`` (unchanged for external IRIs)."""
        path = self.doc_path(iri)
        if path is not None:
            return f"{self.local_base}doc/{path}"
        if iri.startswith(self.public_base):
            return self.local_base + iri[len(self.public_base):]
        return iri


@dataclass(frozen=True)
class Representation:
    """One representation of a document: its URL suffix, media type and RDF format (None: HTML)."""

    suffix: str
    media_type: str
    rdf: RdfFormat | None


class NotAcceptable(Exception):
    """No representation fits the Accept header or ``_mediatype`` (answer 406)."""


HTML = Representation("html", HTML_MEDIA_TYPE, None)
REPRESENTATIONS: tuple[Representation, ...] = (HTML, *(
    Representation(f.suffix, f.media_type, f) for f in map(rdf_format, ("ttl", "jsonld", "nt", "rdf"))
))
_ALIASES: dict[str, Representation] = {"application/xhtml+xml": HTML} | {
    alias: r for r in REPRESENTATIONS if r.rdf is not None for alias in r.rdf.aliases
}


def by_suffix(suffix: str) -> Representation | None:
    """The representation served at ``{document}.{suffix}``, if any."""
    return next((r for r in REPRESENTATIONS if r.suffix == suffix), None)


def choose_representation(accept: str | None, override: str | None = None) -> Representation:
    """The representation to serve: ``override`` (``?_mediatype=``) wins over ``accept``.

    Raises :class:`migkg.formats.AcceptError` for a malformed header (400) and
    :class:`NotAcceptable` when nothing offered fits (406).

    >>> choose_representation("text/turtle;q=0.9, application/ld+json").suffix
    'jsonld'
    >>> choose_representation("text/html", override="text/turtle").suffix
    'ttl'
    >>> choose_representation(None, override="nt").suffix
    'nt'
    """
    if override:
        wanted = override.strip().lower()
        for rep in REPRESENTATIONS:
            if wanted in (rep.suffix, rep.media_type) or (rep.rdf and wanted == rep.rdf.name):
                return rep
        if wanted in _ALIASES:
            return _ALIASES[wanted]
        raise NotAcceptable(f"unknown _mediatype {override!r}")
    offered = [r.media_type for r in REPRESENTATIONS] + list(_ALIASES)
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise NotAcceptable(f"none of {', '.join(offered[:5])} is acceptable")
    return next((r for r in REPRESENTATIONS if r.media_type == chosen), None) or _ALIASES[chosen]


def link_header(doc_url: str, current: Representation) -> str:
    """``Link`` header value listing every representation of the document at ``doc_url``."""
    links = [
        f'<{doc_url}.{r.suffix}>; rel="{"self" if r == current else "alternate"}"; type="{r.media_type}"'
        for r in REPRESENTATIONS
    ]
    return ", ".join(links)
