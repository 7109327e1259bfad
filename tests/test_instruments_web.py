"""``/instruments``: facets, counts, paging and formats, on a hand-made graph and on the bundled data.

The expected figures for tests/fixtures/views/graph.trig are worked out by hand from that file;
every facet count is also checked against an independent computation: each facet's membership
(value → instruments) asked of ``/sparql`` with patterns written here, and the faceted counts worked
out from those sets in Python.
"""

from __future__ import annotations

import csv
import html as markup
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from views_graph import UPDATE_TOKEN

from migkg.stores.text_limits import TextLimits, check_text

PLACE = "https://w3id.org/migkg/concept/place/"
INST = "https://w3id.org/migkg/id/instrument/"
TOKEN = UPDATE_TOKEN


@pytest.fixture(scope="module")
def client(views_client: TestClient) -> TestClient:
    return views_client


def browse(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/instruments.json?{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def counts(body: dict[str, Any], key: str) -> dict[str, int]:
    facet = next(f for f in body["facets"] if f["key"] == key)
    return {v["value"].rsplit("/", 1)[-1]: v["count"] for v in facet["values"] if v["count"]}


# --- figures worked out by hand -------------------------------------------------------------------------

def test_counts_without_selection(client: TestClient) -> None:
    body = browse(client)
    assert body["total"] == 8
    assert counts(body, "country") == {"morocco": 5, "spain": 3, "germany": 3, "philippines": 2,
                                       "yugoslavia": 1}
    assert counts(body, "region") == {"africa": 5, "northern-africa": 5, "europe": 6, "southern-europe": 4,
                                      "western-europe": 3, "asia": 2, "south-eastern-asia": 2}
    assert counts(body, "level") == {"bilateral": 4, "national": 2, "subnational": 1, "global": 1}
    assert counts(body, "type") == {"documentary": 8, "bilateral-labour-agreement": 3, "law": 3, "treaty": 2}
    assert counts(body, "objective") == {"5": 3, "6": 1}
    assert counts(body, "action") == {"a": 1, "b": 1}
    assert counts(body, "sdg") == {"10.7": 1, "8.8": 1}
    assert counts(body, "theme") == {"basic-services": 2, "health": 1, "labour-migration": 1}
    assert counts(body, "group") == {"migrants": 2, "migrant-workers": 1}
    assert counts(body, "provision") == {"social-security": 2, "skills-recognition": 2}
    assert counts(body, "dataset") == {"agreements": 3, "national": 3, "treaties": 2}
    assert counts(body, "recorded") == {"CPW (2017)": 2, "ILO (2015)": 1}
    assert counts(body, "status") == {"verified": 3, "unverified": 5}
    assert {y["year"]: y["count"] for y in body["years"]} == {
        1968: 1, 1990: 1, 2001: 1, 2003: 1, 2005: 1, 2013: 1, 2018: 1}


def test_each_facet_counts_without_its_own_filter(client: TestClient) -> None:
    body = browse(client, "country=MA&level=bilateral")
    assert body["total"] == 2
    assert {r["iri"].rsplit("/", 1)[-1] for r in body["results"]} == {"bla-1", "bla-3"}
    assert counts(body, "level") == {"bilateral": 2, "national": 1, "subnational": 1, "global": 1}
    assert counts(body, "country") == {"morocco": 2, "spain": 1, "germany": 3, "philippines": 1,
                                       "yugoslavia": 1}
    assert counts(body, "provision") == {"social-security": 2, "skills-recognition": 1}


def test_values_of_one_facet_combine_with_or_and_facets_with_and(client: TestClient) -> None:
    assert browse(client, "country=PH&country=YUG")["total"] == 3  # bla-2, convention, yu-de
    assert browse(client, "country=PH&country=YUG&level=bilateral")["total"] == 2


@pytest.mark.parametrize("value", ["MA", "MAR", "504", "Morocco", "maroc", "morocco", f"{PLACE}morocco"])
def test_country_by_code_name_slug_or_iri(client: TestClient, value: str) -> None:
    body = browse(client, f"country={value}")
    assert body["total"] == 5
    assert body["selection"]["country"] == [f"{PLACE}morocco"]


def test_historic_state_by_alpha3(client: TestClient) -> None:
    assert [r["iri"] for r in browse(client, "country=YUG")["results"]] == [f"{INST}yu-de-treaty"]


def test_hierarchies_roll_up(client: TestClient) -> None:
    assert browse(client, "objective=5")["total"] == 3  # one through its action 5(a)
    assert browse(client, "action=5(a)")["total"] == 1
    assert browse(client, "objective=23")["total"] == 0  # named by its number though nothing serves it
    assert browse(client, "theme=basic-services")["total"] == 2  # health is narrower
    assert browse(client, "region=africa")["total"] == 5  # the Oriental Region lies in Morocco
    assert browse(client, "type=documentary")["total"] == 8


def test_year_range_text_and_dataset(client: TestClient) -> None:
    assert {r["year"] for r in browse(client, "year_from=2000&year_to=2005")["results"]} == {2001, 2003, 2005}
    assert [r["iri"] for r in browse(client, "q=ORIENTAL health")["results"]] == [f"{INST}oriental-plan"]
    assert browse(client, "dataset=data/instruments/treaties")["total"] == 2
    assert browse(client, "recorded=CPW (2017)")["total"] == 2


def test_sort_and_stable_pages(client: TestClient) -> None:
    everything = [r["iri"] for r in browse(client, "sort=-year&per_page=all")["results"]]
    assert len(everything) == 8
    assert everything[0] == f"{INST}oriental-plan"  # 2018
    assert everything[-1] == f"{INST}es-law"  # no year: last
    first, second, third = (browse(client, f"sort=-year&per_page=3&page={n}") for n in (1, 2, 3))
    assert [r["iri"] for b in (first, second, third) for r in b["results"]] == everything
    assert first["links"]["next"] == "/instruments?sort=-year&per_page=3&page=2"
    assert "prev" not in first["links"]
    assert "next" not in third["links"]
    assert third["pages"] == 3


def test_toggle_links_add_and_remove_a_value(client: TestClient) -> None:
    body = browse(client, "level=bilateral")
    level = next(f for f in body["facets"] if f["key"] == "level")
    hrefs = {v["value"].rsplit("/", 1)[-1]: v["href"] for v in level["values"]}
    assert hrefs["bilateral"] == "/instruments"
    assert hrefs["national"] == "/instruments?level=gl%3Abilateral&level=gl%3Anational"


# --- formats ---------------------------------------------------------------------------------------------

def test_same_parameters_in_html_json_and_csv(client: TestClient) -> None:
    query = "country=DE&sort=year"
    json_rows = [r["iri"] for r in browse(client, query)["results"]]
    csv_body = client.get(f"/instruments?{query}", headers={"Accept": "text/csv"})
    assert csv_body.headers["content-type"].startswith("text/csv")
    assert [row["iri"] for row in csv.DictReader(io.StringIO(csv_body.text))] == json_rows
    html = client.get(f"/instruments?{query}", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert [i for i in json_rows if f'data-iri="{i}"' in html.text] == json_rows
    assert html.text.index(json_rows[0]) < html.text.index(json_rows[-1])
    assert client.get(f"/instruments?{query}&_mediatype=csv").text == csv_body.text
    assert client.get(f"/instruments.csv?{query}").text == csv_body.text
    assert client.get(f"/instruments?{query}", headers={"Accept": "application/json"}).json()["results"]


def test_bad_input_is_a_400_naming_the_parameter(client: TestClient) -> None:
    for query, parameter in [("country=Narnia", "country"), ("colour=red", "colour"),
                             ("year_from=20x", "year_from"), ("sort=random", "sort"),
                             ("per_page=0", "per_page"), ("level=gl:nowhere&page=-1", "page")]:
        response = client.get(f"/instruments.json?{query}")
        assert response.status_code == 400, query
        assert response.json()["parameter"] == parameter
    assert client.get("/instruments", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/instruments", headers={"Accept": "text"}).status_code == 400
    assert client.get("/instruments.xml").status_code == 404


def test_counts_follow_an_update(client: TestClient) -> None:
    before = browse(client, "country=PH")["total"]
    update = (f"INSERT DATA {{ GRAPH <urn:test:update> {{ <{INST}ph-new> a "
              "<https://w3id.org/migkg/ontology#DocumentaryInstrument> ; "
              f"<http://data.europa.eu/eli/ontology#jurisdiction> <{PLACE}philippines> }} }}")
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    assert client.post("/sparql", content=update, headers=headers).status_code == 204
    try:
        assert browse(client, "country=PH")["total"] == before + 1
    finally:
        client.post("/sparql", content="DROP GRAPH <urn:test:update>", headers=headers)
    assert browse(client, "country=PH")["total"] == before


# --- every count equals an independent SPARQL query sent to /sparql ----------------------------------------

_CODE = 'FILTER(REGEX(STR(?code), "^[A-Z]{2,3}$"))'
_COUNTRY_OF = """{ ?i eli:jurisdiction ?pl . ?pl skos:broader* ?x } UNION { ?i mig:party ?st . ?st dcterms:spatial ?x }
  UNION { ?i mig:issuedBy ?st . ?st dcterms:spatial ?x }"""
INDEPENDENT = {
    "country": f"{_COUNTRY_OF} ?x skos:notation|mig:iso3166Alpha3 ?code {_CODE}",
    "region": f"""{_COUNTRY_OF.replace('?x', '?p0')} ?p0 skos:broader* ?x . FILTER(?x != place:world)
      FILTER EXISTS {{ ?c skos:broader+ ?x . ?c skos:notation|mig:iso3166Alpha3 ?code {_CODE} }}
      FILTER NOT EXISTS {{ ?x skos:notation|mig:iso3166Alpha3 ?code2 FILTER(REGEX(STR(?code2), "^[A-Z]{{2,3}}$")) }}""",
    "level": "?i mig:governanceLevel ?x",
    "type": "?i mig:instrumentType ?t . ?t skos:broader* ?x",
    "objective": "?i mig:contributesTo ?c . ?c skos:broader* ?x . "
                 "FILTER(STRSTARTS(STR(?x), STR(gcmo:)) && !CONTAINS(STR(?x), '/action/'))",
    "action": "?i mig:contributesTo ?x . FILTER(CONTAINS(STR(?x), '/action/'))",
    "sdg": "?i mig:contributesTo ?c . ?c skos:broader* ?x . FILTER(STRSTARTS(STR(?x), STR(sdg:)))",
    "theme": "?i mig:theme ?t . ?t skos:broader* ?x",
    "group": "?i mig:targetGroup ?t . ?t skos:broader* ?x",
    "provision": "?i mig:provides ?x",
    "dataset": "GRAPH ?x { ?i a ?anyclass }",
    "recorded": "?i mig:firstRecordedIn ?x",
    "status": "?i mig:curationStatus ?x",
}
PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX gcmo: <https://w3id.org/migkg/gcm/objective/> PREFIX mig: <https://w3id.org/migkg/ontology#>
PREFIX place: <https://w3id.org/migkg/concept/place/> PREFIX sdg: <http://metadata.un.org/sdg/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"""


def _term(value: str) -> str:
    return f"<{value}>" if value.startswith("http") else '"' + value.replace('"', '\\"') + '"'


def memberships(client: TestClient, facet: str) -> dict[str, set[str]]:
    """Each value of ``facet`` and the instruments having it, asked of /sparql (no selection)."""
    sparql = f"""{PREFIXES}
SELECT DISTINCT ?x ?i WHERE {{
  VALUES ?cls {{ mig:Instrument mig:DocumentaryInstrument mig:InstitutionalInstrument }} ?i a ?cls .
  {INDEPENDENT[facet]}
}}"""
    response = client.post("/sparql", data={"query": sparql},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    found: dict[str, set[str]] = {}
    for b in response.json()["results"]["bindings"]:
        found.setdefault(b["x"]["value"], set()).add(b["i"]["value"])
    return found


def expected_counts(members: dict[str, dict[str, set[str]]], selection: dict[str, list[str]],
                    facet: str) -> dict[str, int]:
    """Standard faceted counts by set algebra: values of one facet OR, facets AND, own facet left out."""
    allowed: set[str] | None = None
    for key, values in selection.items():
        if key == facet or not values:
            continue
        having = set().union(*(members[key].get(v, set()) for v in values))
        allowed = having if allowed is None else allowed & having
    counted = {x: len(ids if allowed is None else ids & allowed) for x, ids in members[facet].items()}
    return {x: n for x, n in counted.items() if n}


def assert_counts_agree(client: TestClient, query: str) -> None:
    body = browse(client, query)
    selection = {k: v for k, v in body["selection"].items() if isinstance(v, list)}
    members = {key: memberships(client, key) for key in INDEPENDENT}
    for facet in body["facets"]:
        shown = {v["value"]: v["count"] for v in facet["values"] if v["count"]}
        assert shown == expected_counts(members, selection, facet["key"]), (query, facet["key"])
    everything = {i for ids in members["level"].values() for i in ids}
    total = expected_counts({**members, "_all": {"all": everything}}, selection, "_all")
    assert body["total"] == total.get("all", 0)


@pytest.mark.parametrize("query", ["", "country=MA", "country=MA&level=bilateral", "region=europe&provision=social-security",
                                   "objective=5&status=unverified", "type=law&theme=basic-services",
                                   "dataset=data/imported/bla/agreements&recorded=CPW (2017)",
                                   "group=migrants&sdg=10.7", "action=6(b)"])
def test_counts_agree_with_sparql_on_the_fixture(client: TestClient, query: str) -> None:
    assert_counts_agree(client, query)


@pytest.mark.parametrize("query", ["", "level=national", "country=PH&level=bilateral", "region=africa&objective=5",
                                   "type=treaty&status=verified"])
def test_counts_agree_with_sparql_on_the_bundled_data(repo_client: TestClient, query: str) -> None:
    assert_counts_agree(repo_client, query)


def test_level_objective_and_region_pages_link_into_the_browser(repo_client: TestClient) -> None:
    home = repo_client.get("/", headers={"Accept": "text/html"}).text
    assert 'href="/instruments"' in home
    assert "/instruments?level=gl%3Anational" in home
    assert "/instruments?objective=gcmo%3A23" in home
    assert "/instruments?region=place%3Aafrica" in home


def test_concept_pages_link_into_the_browser_and_say_what_they_cut(repo_client: TestClient) -> None:
    level = repo_client.get("/doc/concept/governance-level/national", headers={"Accept": "text/html"}).text
    assert 'href="/instruments?level=gl%3Anational"' in level
    country = repo_client.get("/doc/concept/place/morocco", headers={"Accept": "text/html"}).text
    assert 'href="/instruments?country=place%3Amorocco"' in country
    # Africa now holds its two M49 sub-regions; Sub-Saharan Africa holds 48 countries.
    africa = repo_client.get("/doc/concept/place/sub-saharan-africa", headers={"Accept": "text/html"}).text
    assert 'href="/instruments?region=place%3Asub-saharan-africa"' in africa
    listed = re.search(r"The first (\d+) of (\d+) are listed", africa)
    assert listed is not None, "Sub-Saharan Africa has more places and instruments than a page lists"
    assert int(listed.group(1)) < int(listed.group(2))
    world = repo_client.get("/doc/concept/place/world", headers={"Accept": "text/html"}).text
    assert "/instruments?region=" not in world


@pytest.mark.parametrize(("which", "query"), [
    ("fixture", "country=MA&level=bilateral&year_from=2000&q=agreement"),
    ("bundled", "country=PH&level=bilateral&year_from=1990&provision=social-security"),
    ("bundled", "region=africa&objective=5&type=treaty&status=verified&theme=labour-migration")])
def test_the_pages_own_counts_query_runs_by_post_within_the_text_limits(
        client: TestClient, repo_client: TestClient, which: str, query: str) -> None:
    """The page offers its counts SPARQL as a POST form (no /sparql?query= link: it runs to ~20-30k
    characters); the text passes the endpoint's default MIGKG_QUERY_MAX_* limits and its rows are the
    page's counts."""
    c = client if which == "fixture" else repo_client
    page = c.get(f"/instruments?{query}", headers={"Accept": "text/html"}).text
    assert "/sparql?query=" not in page
    form = re.search(r'<form class="run-sparql" action="/sparql" method="post">\s*'
                     r'<input type="hidden" name="query" value="([^"]*)">', page)
    assert form is not None
    sparql = markup.unescape(form.group(1))
    check_text(sparql, TextLimits())
    response = c.post("/sparql", data={"query": sparql, "format": "json"})
    assert response.status_code == 200, response.text
    rows = {(b["facet"]["value"], b.get("v", {}).get("value")): int(b["n"]["value"])
            for b in response.json()["results"]["bindings"]}
    body = browse(c, query)
    assert rows.get(("_total", None), 0) == body["total"]
    for facet in body["facets"]:
        for value in facet["values"]:
            if value["count"]:
                assert rows[(facet["key"], value["value"])] == value["count"], (facet["key"], value["value"])
