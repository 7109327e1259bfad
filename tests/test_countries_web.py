"""``/countries`` and country profiles, on tests/fixtures/views/graph.trig (figures worked out by hand)
and on the bundled data."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi.testclient import TestClient

INST = "https://w3id.org/migkg/id/instrument/"
ORG = "https://w3id.org/migkg/id/org/"


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_countries_lists_every_country_with_counts(views_client: TestClient) -> None:
    body = views_client.get("/countries.json").json()
    rows = {r["alpha3"]: r for r in body["countries"]}
    assert set(rows) == {"MAR", "DEU", "ESP", "PHL", "YUG"}  # AU member states has no ISO code
    assert {k: (r["instruments"], r["blas"]) for k, r in rows.items()} == {
        "MAR": (5, 2), "DEU": (3, 2), "ESP": (3, 1), "PHL": (2, 1), "YUG": (1, 0)}
    assert rows["MAR"]["region"] == ["Northern Africa"]
    assert rows["YUG"]["code"] == "YUG"  # historic: alpha-3 only
    table = list(csv.DictReader(io.StringIO(views_client.get("/countries.csv").text)))
    assert [(r["alpha3"], r["blas"]) for r in table] == [(r["alpha3"], str(r["blas"])) for r in body["countries"]]
    html = views_client.get("/countries", headers={"Accept": "text/html"}).text
    assert 'href="/countries/MA"' in html
    assert 'href="/countries/YUG"' in html


def profile(client: TestClient, code: str) -> dict[str, Any]:
    response = client.get(f"/countries/{code}.json")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_profile_instruments_by_role_and_level(views_client: TestClient) -> None:
    roles = {role: {short(g["level"]): sorted(short(i["iri"]) for i in g["items"]) for g in groups}
             for role, _, groups in profile(views_client, "MA")["roles"]}
    assert roles == {
        "issued": {"national": ["ma-law"]},
        "party": {"global": ["convention"], "bilateral": ["bla-1", "bla-3"]},
        "applies": {"bilateral": ["bla-1", "bla-3"], "national": ["ma-law"], "subnational": ["oriental-plan"]},
    }


def test_profile_agreements_statuses_memberships_objectives(views_client: TestClient) -> None:
    body = profile(views_client, "MA")
    assert [(short(a["item"]["iri"]), a["item"]["year"], [p["label"] for p in a["partners"]],
             sorted(short(p["iri"]) for p in a["provisions"])) for a in body["agreements"]] == [
        ("bla-1", 2001, ["Spain"], ["skills-recognition", "social-security"]),
        ("bla-3", 2005, ["Germany"], ["social-security"])]
    assert [(e["kind"], e["year"], e["date"]) for e in body["statuses"]] == [
        ("signature", 1991, "1991-08-15"), ("ratification", 1993, "")]
    assert all(e["sources"] == ["https://example.org/convention/status"] for e in body["statuses"])
    assert [(m["organisation"]["label"], m["begin"], m["sources"]) for m in body["memberships"]] == [
        ("African Union", "2017-01-30", ["https://au.int/en/member_states/countryprofiles2"])]
    assert [(short(o["iri"]), n) for o, n in body["objectives"]] == [("5", 3), ("6", 1)]


def test_profile_addresses(views_client: TestClient) -> None:
    for name in ("morocco", "MAR", "504", "Maroc"):
        response = views_client.get(f"/countries/{name}", follow_redirects=False)
        assert response.status_code == 301
        assert response.headers["location"] == "/countries/MA"
    assert views_client.get("/countries/Narnia").status_code == 404
    assert profile(views_client, "YUG")["roles"][1][2][0]["items"][0]["iri"] == f"{INST}yu-de-treaty"


def test_state_page_shows_the_profile_with_its_timeline(views_client: TestClient) -> None:
    html = views_client.get("/doc/org/morocco", headers={"Accept": "text/html"}).text
    assert "Country profile: Morocco" in html
    assert html.count('class="ev ') == 3  # signature 1991, ratification 1993, AU membership from 2017
    assert 'class="ev signature"' in html
    # The membership (African Union since 2017-01-30, no end recorded) is a bar on the same time axis.
    assert re.search(r'class="row-label membership">Member: African Union</text>\s*<rect [^>]*class="member open">'
                     r'<title>member of African Union since 2017-01-30 \(no end recorded\)</title>', html)
    assert "Germany–Morocco labour agreement" in html
    page = views_client.get("/countries/MA", headers={"Accept": "text/html"}).text
    assert "Country profile: Morocco" in page
    assert views_client.get("/doc/org/african-union", headers={"Accept": "text/html"}).text.count(
        "Country profile") == 0


def test_bundled_profiles(repo_client: TestClient) -> None:
    rows = repo_client.get("/countries.json").json()["countries"]
    assert len(rows) > 50
    philippines = profile(repo_client, "PH")
    assert any(e["kind"] == "ratification" for e in philippines["statuses"])
    assert [m["organisation"]["label"] for m in philippines["memberships"]] == [
        "Association of Southeast Asian Nations"]
    assert repo_client.get("/", headers={"Accept": "text/html"}).text.count('href="/countries"') >= 1


def test_bundled_profiles_follow_the_agencies_of_a_state(repo_client: TestClient) -> None:
    """The 2013 Philippines–Germany agreement's parties are the POEA and the BA/ZAV, agencies
    (org:subOrganizationOf) of the two States: both profiles list it, the partner with its State."""
    triple_win = f"{INST}ph-de-2013-triple-win-agreement"
    philippines, germany = profile(repo_client, "PH"), profile(repo_client, "DE")
    for body, partner, state in ((philippines, "ba-zav", "Germany"), (germany, "poea", "Philippines")):
        agreement = next(a for a in body["agreements"] if a["item"]["iri"] == triple_win)
        assert [p["iri"] for p in agreement["partners"]] == [f"{ORG}{partner}"]
        assert [s["label"] for s in agreement["partner_states"]] == [state]
    issued = {i["iri"]: i["through"] for g in philippines["roles"][0][2] for i in g["items"]}
    assert issued[triple_win] == ["POEA"]
    html = repo_client.get("/countries/PH", headers={"Accept": "text/html"}).text
    assert "through POEA" in html
    assert '(<a href="http://testserver/doc/org/germany">Germany</a>)' in html


def test_bundled_profiles_count_the_agreements_the_browser_counts(repo_client: TestClient) -> None:
    """The largest profiles list as many BLAs as /countries (the browser's count) gives them; a historic
    State's address is its alpha-3 (ISO reused CS: Czechoslovakia, then Serbia and Montenegro)."""
    rows = repo_client.get("/countries.json").json()["countries"]
    largest = sorted(rows, key=lambda r: -r["blas"])[:4]
    assert {r["code"] for r in largest} >= {"FR", "DE"}
    for row in largest:
        assert len(profile(repo_client, row["code"])["agreements"]) == row["blas"], row["code"]
    codes = {r["label"]: r["code"] for r in rows}
    assert (codes["Czechoslovakia"], codes["Serbia and Montenegro"]) == ("CSK", "SCG")
    assert len({r["code"] for r in rows}) == len(rows)
    assert profile(repo_client, "CSK")["label"] == "Czechoslovakia"


def test_bundled_profiles_say_what_a_missing_status_means(repo_client: TestClient) -> None:
    """Issue 11, point 5: a profile lists the party lists without a status of the State, and absence
    reads as "not a party" only on a complete list (with its date and coverage), never on a partial one."""
    germany = profile(repo_client, "DE")
    lists = {short(p["instrument"]["iri"]): p for p in germany["party_lists"]}
    assert {"icrmw", "ilo-c143", "ilo-c189"} <= set(lists)
    icrmw, c143, c189 = lists["icrmw"], lists["ilo-c143"], lists["ilo-c189"]
    assert (icrmw["complete"], icrmw["complete_as_of"], icrmw["recorded"]) == (True, "2022-08-25", False)
    assert "UN member states" in icrmw["coverage"]
    assert (c143["complete"], c143["recorded"]) == (False, False)
    assert (c189["complete"], c189["recorded"]) == (True, True)  # Germany ratified C189 (Swiss table)
    recorded = {short(s["instrument"]["iri"]) for s in germany["statuses"]}
    assert {short(i) for i, p in lists.items() if p["recorded"]} == recorded & set(lists)
    html = repo_client.get("/countries/DE", headers={"Accept": "text/html"}).text
    table = html.split('<table class="party-lists">', 1)[1].split("</table>", 1)[0]
    icrmw_row = re.search(r'<tr data-completeness="complete"><td><a [^>]*/icrmw">.*?</tr>', table, re.S)
    assert icrmw_row
    assert "Not a party nor a signatory as of 2022-08-25" in icrmw_row.group(0)
    c143_row = re.search(r'<tr data-completeness="partial"><td><a [^>]*/ilo-c143">.*?</tr>', table, re.S)
    assert c143_row
    assert "Unknown: the list is partial" in c143_row.group(0)
    assert "/ilo-c189" not in table  # recorded, so in the status table with its list's completeness
    assert "complete as of 2020-10-05" in html


def test_instrument_pages_say_how_complete_their_party_list_is(repo_client: TestClient) -> None:
    """Issue 11, point 5, on the instrument's own page: right after its party list, what absence means."""
    def completeness(slug: str) -> str:
        html = repo_client.get(f"/doc/instrument/{slug}", headers={"Accept": "text/html"}).text
        found = re.search(r'ontology#partyList".*?</dd>\s*<dt><a [^>]*ontology#listCompleteness"[^>]*>'
                          r"party list completeness</a></dt>\s*<dd><span>([^<]*)</span>", html, re.S)
        assert found, slug
        return found.group(1)

    assert completeness("icrmw") == (
        "complete as of 2022-08-25 (covers: UN member states (193) only: the Holy See, the State of "
        "Palestine and other non-members are not covered): a State it covers that is absent from it was "
        "not a party as of 2022-08-25")
    assert completeness("ilo-c143") == "partial: absence from it says nothing about a State"
