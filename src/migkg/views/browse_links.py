"""Which instrument-browser selection a resource page stands for (a level, objective, region, ...).

A concept page lists what links to it; for a governance level, an objective or a region that is
hundreds of instruments, so the page shows the first few and links into ``/instruments`` for all.
"""

from __future__ import annotations

import re

from rdflib.namespace import SKOS

from migkg.namespaces import CONCEPT, GCM_OBJECTIVE, SDG
from migkg.views.browse_params import facet_href
from migkg.views.resource_page import ResourcePage

_BY_PREFIX = (
    (f"{CONCEPT}governance-level/", "level"), (f"{CONCEPT}instrument-type/", "type"),
    (f"{CONCEPT}theme/", "theme"), (f"{CONCEPT}target-group/", "group"),
    (f"{CONCEPT}curation-status/", "status"), (f"{CONCEPT}bla-provision/", "provision"),
    (str(SDG), "sdg"),
)
_OBJECTIVE = re.compile(re.escape(str(GCM_OBJECTIVE)) + r"[0-9]+$")
_ACTION = re.compile(re.escape(str(GCM_OBJECTIVE)) + r"[0-9]+/action/[a-z]+$")
_ISO = re.compile(r"[A-Z]{2,3}$")
#: How many items of one "referenced by" group a page lists before pointing to the browser.
INCOMING_SHOWN = 25


def browse_facet(page: ResourcePage) -> str | None:
    """The browser facet whose value ``page`` is (``level``, ``objective``, ``country``, ...), if any.

    A place with an ISO 3166 code (``skos:notation``) is a country, another place a region.
    """
    iri = page.iri
    if _OBJECTIVE.match(iri):
        return "objective"
    if _ACTION.match(iri):
        return "action"
    for prefix, key in _BY_PREFIX:
        if iri.startswith(prefix):
            return key
    if iri.startswith(f"{CONCEPT}place/") and iri != f"{CONCEPT}place/world":
        notations = [r.target.text for g in page.facts if g.property.iri == str(SKOS.notation)
                     for r in g.items]
        return "country" if any(_ISO.match(n) for n in notations) else "region"
    return None


def browse_link(page: ResourcePage) -> str | None:
    """The ``/instruments`` address listing every instrument with ``page`` as value, if any."""
    key = browse_facet(page)
    return facet_href(key, page.iri) if key else None
