"""``/map`` and ``/timeline`` and the data behind them, on tests/fixtures/views/graph.trig (figures by
hand) and on the bundled data."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from migkg.web.pictures import LEVEL_COLOURS

GL = "https://w3id.org/migkg/concept/governance-level/"


def by_alpha3(client: TestClient, query: str) -> dict[str, object]:
    response = client.get(f"/map.json?{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    key = "category" if body["measure"] == "status" else "value"
    return {c["alpha3"]: c[key] for c in body["countries"]}


def test_map_measures(views_client: TestClient) -> None:
    assert by_alpha3(views_client, "") == {"MAR": 5, "DEU": 3, "ESP": 3, "PHL": 2, "YUG": 1}
    assert by_alpha3(views_client, "measure=blas") == {"MAR": 2, "DEU": 2, "ESP": 1, "PHL": 1, "YUG": 0}
    assert by_alpha3(views_client, "objective=5") == {"MAR": 3, "DEU": 0, "ESP": 2, "PHL": 1, "YUG": 0}
    # Morocco signed (1991) then ratified (1993): the stronger status wins.
    assert by_alpha3(views_client, "measure=status&instrument=inst:convention") == {
        "MAR": "ratification", "DEU": "", "ESP": "accession", "PHL": "ratification", "YUG": ""}
    assert by_alpha3(views_client, "measure=status&instrument=inst:yu-de-treaty") == {
        "MAR": "", "DEU": "party", "ESP": "", "PHL": "", "YUG": "party"}


def test_map_csv_is_the_data_behind_it(views_client: TestClient) -> None:
    body = views_client.get("/map.json?measure=blas").json()
    table = list(csv.DictReader(io.StringIO(views_client.get("/map.csv?measure=blas").text)))
    assert [(r["iso3166_numeric"], int(r["blas"])) for r in table] == [
        (c["numeric"], c["value"]) for c in body["countries"]]
    assert {r["iso3166_numeric"] for r in table} == {"504", "276", "724", "608", ""}


def test_map_page_offers_the_measures_and_exports(views_client: TestClient) -> None:
    html = views_client.get("/map?measure=blas", headers={"Accept": "text/html"}).text
    assert 'data-source="/map.json?measure=blas"' in html
    assert "/static/vendor/world-atlas/countries-50m.json" in html
    assert 'href="/map.csv?measure=blas"' in html
    assert 'data-svg="#map svg"' in html
    assert 'data-png="#map svg"' in html
    assert re.search(r'<option value="https://w3id.org/migkg/id/instrument/convention"', html)
    for asset in ("vendor/world-atlas/countries-50m.json", "vendor/world-atlas/LICENSE", "vendor/d3-geo/d3-geo.min.js",
                  "vendor/d3-geo/LICENSE", "vendor/topojson-client/topojson-client.min.js",
                  "vendor/d3-array/d3-array.min.js", "map.js", "export.js"):
        assert views_client.get(f"/static/{asset}").status_code == 200, asset


def test_map_bad_parameters(views_client: TestClient) -> None:
    assert views_client.get("/map.json?measure=colour").json()["parameter"] == "measure"
    assert views_client.get("/map.json?measure=status").json()["parameter"] == "instrument"
    assert views_client.get("/map.csv?country=Narnia").status_code == 400


def test_timeline_counts_by_year_and_level(views_client: TestClient) -> None:
    bars = {(b["year"], b["level"].removeprefix(GL)): b["count"]
            for b in views_client.get("/timeline.json").json()["bars"]}
    assert bars == {(1968, "bilateral"): 1, (1990, "global"): 1, (2001, "bilateral"): 1, (2003, "national"): 1,
                    (2005, "bilateral"): 1, (2013, "bilateral"): 1, (2018, "subnational"): 1}
    morocco = {b["year"] for b in views_client.get("/timeline.json?country=MA").json()["bars"]}
    assert morocco == {1990, 2001, 2003, 2005, 2018}
    table = list(csv.DictReader(io.StringIO(views_client.get("/timeline.csv?country=MA").text)))
    assert sorted(int(r["year"]) for r in table) == sorted(morocco)


def test_timeline_svg_is_a_document_with_one_bar_per_year_and_level(views_client: TestClient) -> None:
    response = views_client.get("/timeline.svg?level=bilateral")
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(response.text)
    bars = [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.get("data-year")]
    assert sorted(int(r.get("data-year", "0")) for r in bars) == [1968, 2001, 2005, 2013]
    assert all(r.get("fill") == LEVEL_COLOURS["5"] for r in bars)
    html = views_client.get("/timeline?level=bilateral", headers={"Accept": "text/html"}).text
    assert 'href="/timeline.csv?level=bilateral"' in html
    assert 'href="/timeline.svg?level=bilateral"' in html


def test_browser_links_to_its_pictures(views_client: TestClient) -> None:
    html = views_client.get("/instruments?country=MA", headers={"Accept": "text/html"}).text
    assert 'href="/timeline?country=MA"' in html
    assert 'href="/map?country=MA"' in html


def test_bundled_map_and_timeline(repo_client: TestClient) -> None:
    status = repo_client.get("/map.json?measure=status&instrument=inst:icrmw").json()["countries"]
    assert sum(1 for c in status if c["category"]) > 20
    assert repo_client.get("/timeline.json").json()["bars"]
    home = repo_client.get("/", headers={"Accept": "text/html"}).text
    assert 'href="/map"' in home
    assert 'href="/timeline"' in home


def unshaped_section(html: str) -> str:
    return html.split('id="unshaped-title"', 1)[1].split("</section>", 1)[0]


def test_countries_without_a_shape_are_listed_beside_the_map(views_client: TestClient) -> None:
    """The fixture's Yugoslavia has no ISO numeric code, so no shape: it is listed, with its value."""
    body = views_client.get("/map.json").json()
    assert {c["alpha3"]: c["shape"] for c in body["countries"]} == {
        "MAR": True, "DEU": True, "ESP": True, "PHL": True, "YUG": False}
    section = unshaped_section(views_client.get("/map", headers={"Accept": "text/html"}).text)
    assert re.search(r'<a href="/countries/YUG">Yugoslavia</a>.*?<span class="count">1</span>', section, re.S)
    assert "Morocco" not in section
    table = list(csv.DictReader(io.StringIO(views_client.get("/map.csv").text)))
    assert {r["alpha3"]: r["on_map"] for r in table} == {
        "MAR": "yes", "DEU": "yes", "ESP": "yes", "PHL": "yes", "YUG": "no"}


def test_bundled_historic_states_are_listed_not_dropped(repo_client: TestClient) -> None:
    """Historic States have their ISO 3166 numeric code but no world-atlas shape; each is listed with its
    number of BLAs and a link to its profile (alpha-3 address)."""
    blas = {c["alpha3"]: (c["value"], c["shape"]) for c in repo_client.get("/map.json?measure=blas").json()["countries"]}
    for alpha3 in ("YUG", "SUN", "CSK", "DDR", "SCG"):
        assert blas[alpha3][1] is False, alpha3
    assert blas["MAR"][1] is True
    section = unshaped_section(repo_client.get("/map?measure=blas", headers={"Accept": "text/html"}).text)
    for alpha3, name in (("YUG", "Yugoslavia"), ("CSK", "Czechoslovakia"), ("DDR", "German Democratic Republic")):
        assert re.search(rf'<a href="/countries/{alpha3}">{name}</a>.*?<span class="count">{blas[alpha3][0]}</span>',
                         section, re.S), alpha3
    assert blas["YUG"][0] > 0


def test_country_and_region_facets_refuse_other_places(views_client: TestClient) -> None:
    assert views_client.get("/map.json?country=place:western-europe").json()["parameter"] == "country"
    assert views_client.get("/instruments.json?region=place:morocco").status_code == 400
