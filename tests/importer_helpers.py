"""Helpers shared by the importer tests."""

from __future__ import annotations

from rdflib import Graph

ORG = "https://w3id.org/migkg/id/org/"


def pycountry_states(slugs: dict[str, str] | None = None) -> Graph:
    """Every ISO 3166-1 country as a State (slug = lower-case alpha-3 unless ``slugs`` names it),
    plus four historic ones (YUG, CSK, DDR, SUN)."""
    import pycountry

    codes = [str(c.alpha_3) for c in pycountry.countries] + ["YUG", "CSK", "DDR", "SUN"]
    lines = ["@prefix mig: <https://w3id.org/migkg/ontology#> .", "@prefix org: <http://www.w3.org/ns/org#> .",
             "@prefix dcterms: <http://purl.org/dc/terms/> ."]
    for code in codes:
        name = (slugs or {}).get(code, code.lower())
        lines.append(f"<{ORG}{name}> org:classification "
                     "<https://w3id.org/migkg/concept/actor-type/state> ; "
                     f"dcterms:spatial <https://w3id.org/migkg/concept/place/{name}> .")
        lines.append(f'<https://w3id.org/migkg/concept/place/{name}> mig:iso3166Alpha3 "{code}" .')
    return Graph().parse(data="\n".join(lines), format="turtle")
