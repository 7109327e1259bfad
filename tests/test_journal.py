"""An accepted update is never lost: journalled, replayed after every build, listed and exported.

A copy of the project in a temporary folder, served live over its on-disk store with updates on.
The update goes in by the SPARQL protocol; then the server restarts, ``migkg build`` rewrites the
store, a source file is edited, and the update is still there each time. Caches follow the data.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import REPO, live_server
from typer.testing import CliRunner

from migkg.build import build_backend
from migkg.cli import app as cli
from migkg.config import Settings
from migkg.journal import Journal, JournalError, token_id
from migkg.stores.base import QueryRequest, UpdateRequest
from migkg.web.server import make_app

TOKEN = "journal-test-token"
GRAPH = "https://w3id.org/migkg/graph/data/instruments/un"
GCM = "https://w3id.org/migkg/id/instrument/gcm"
LABEL = "Marrakesh Compact (journal test)"
ONTOLOGY_GRAPH = "https://w3id.org/migkg/graph/ontology/migkg"
NOTE = "A note added through the endpoint (journal test)."
UPDATE = (f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GCM}> '
          f'<http://www.w3.org/2004/02/skos/core#altLabel> "{LABEL}"@en }} }}')
ASK = f'ASK {{ <{GCM}> <http://www.w3.org/2004/02/skos/core#altLabel> "{LABEL}"@en }}'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("journal"))
    return root


def settings_for(root: Path) -> Settings:
    return Settings(root_dir=root, store_dir=root / "build" / "store", update_token=TOKEN,
                    query_workers=1)


def post_update(base: str, text: str) -> httpx.Response:
    return httpx.post(f"{base}/sparql", content=text, timeout=30, headers={
        "content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"})


def ask(base: str, query: str = ASK) -> bool:
    r = httpx.get(f"{base}/sparql", params={"query": query}, timeout=30)
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def stored(store_dir: Path, query: str = ASK) -> bool:
    store = ox.Store.read_only(str(store_dir))
    answer = bool(store.query(query, use_default_graph_as_union=True))
    del store
    return answer


def test_an_update_survives_restart_build_and_source_edits(project: Path) -> None:
    settings = settings_for(project)
    with live_server(make_app(settings)) as base:
        assert not ask(base)
        r = post_update(base, UPDATE)
        assert r.status_code == 204, r.text
        assert ask(base)
    entries = Journal(project / "data" / "journal").entries()
    assert [e.effect for e in entries] == [1]
    assert entries[0].content is not None
    assert entries[0].content.startswith("sha256:")
    text = entries[0].path.read_text()
    assert "# effect: +1 quads (1 added, 0 removed)" in text
    assert re.fullmatch(r"0001-\d{8}T\d{6}Z\.ru", entries[0].name)
    assert "# client: 127.0.0.1" in text
    assert f"# token: {token_id(TOKEN)}" in text
    assert TOKEN not in text  # never the token itself
    assert UPDATE in text

    # a restart: the stamp is stale (the journal changed), the store is rebuilt from sources + journal
    with live_server(make_app(settings)) as base:
        assert ask(base)

    # migkg build --full rewrites the store from the files (and replays the journal)
    runner = CliRunner()
    done = runner.invoke(cli, ["--root", str(project), "build", "--full", "--store-dir",
                               str(settings.store_dir)])
    assert done.exit_code == 0, done.output
    assert "up to date" not in done.output, done.output
    assert stored(settings.store_dir)  # type: ignore[arg-type]

    # an edit of a source file (what make run then rebuilds): the update is replayed after it
    un = project / "data" / "instruments" / "un.ttl"
    un.write_text(un.read_text() + f'\n<{GCM}> <http://www.w3.org/2000/01/rdf-schema#comment> '
                  '"edited source"@en .\n')
    with live_server(make_app(settings)) as base:
        assert ask(base)
        assert ask(base, f'ASK {{ <{GCM}> ?p "edited source"@en }}')

    listed = runner.invoke(cli, ["--root", str(project), "journal", "list"])
    assert listed.exit_code == 0, listed.output
    assert "0001\t" in listed.output
    assert "+1 quads" in listed.output
    exported = runner.invoke(cli, ["--root", str(project), "journal", "export"])
    assert exported.exit_code == 0, exported.output
    assert f"# graph <{GRAPH}> = data/instruments/un.ttl" in exported.output
    assert f'"{LABEL}"@en' in exported.output
    assert "# added (1):" in exported.output
    assert "# removed (0):" in exported.output


def test_an_entry_that_no_longer_applies_fails_the_build(project: Path) -> None:
    """Folded into the curated file but not deleted: the build stops and names the entry."""
    settings = settings_for(project)
    with live_server(make_app(settings)) as base:
        assert post_update(base, UPDATE).status_code == 204
    un = project / "data" / "instruments" / "un.ttl"
    un.write_text(un.read_text() + f'\n<{GCM}> <http://www.w3.org/2004/02/skos/core#altLabel> '
                  f'"{LABEL}"@en .\n')
    with pytest.raises(JournalError, match="no longer applies: when accepted it changed \\+1 quads"):
        build_backend(settings.model_copy(update={"store_dir": None}))
    done = CliRunner().invoke(cli, ["--root", str(project), "build"])
    assert done.exit_code == 2
    assert "data/journal/0001-" in done.output
    # deleting the folded entry is the fix
    for path in (project / "data" / "journal").glob("*.ru"):
        path.unlink()
    assert CliRunner().invoke(cli, ["--root", str(project), "build"]).exit_code == 0


def test_a_refused_update_is_not_journalled(project: Path) -> None:
    settings = settings_for(project)
    with live_server(make_app(settings)) as base:
        assert post_update(base, "INSERT DATA { <urn:a> <urn:b> ").status_code == 400
        r = httpx.post(f"{base}/sparql", content=UPDATE, timeout=30, headers={
            "content-type": "application/sparql-update", "authorization": "Bearer wrong"})
        assert r.status_code == 401
    assert Journal(project / "data" / "journal").entries() == []


def test_caches_follow_the_data_after_an_update(project: Path) -> None:
    """The ontology page, downloads, home figures and dataset description show the update."""
    settings = settings_for(project)
    note = (f'INSERT DATA {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <https://w3id.org/migkg/ontology#JournalTest> '
            f'a <http://www.w3.org/2002/07/owl#Class> ; '
            f'<http://www.w3.org/2000/01/rdf-schema#label> "{NOTE}"@en }} }}')
    app = make_app(settings)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        html = {"accept": "text/html"}
        triples_before = _home_triples(http)
        page_before = http.get("/ontology", headers=html)
        assert page_before.status_code == 200
        assert NOTE not in page_before.text
        description_before = http.get("/dataset.ttl").text
        download_name = _dataset_download(http)
        download_before = http.get(f"/downloads/{download_name}").content
        assert post_update(base, note).status_code == 204
        assert NOTE in http.get("/ontology", headers=html).text  # the cached page was dropped
        assert NOTE in http.get("/ontology.ttl").text
        assert http.get("/dataset.ttl").text != description_before  # triple counts moved
        download_after = http.get(f"/downloads/{download_name}").content
        assert download_after != download_before
        assert NOTE.encode() in download_after
        http.get("/", headers=html)  # the figures are recomputed in the background...
        assert app.state.view_cache.wait_refreshed(60)
        assert _home_triples(http) == triples_before + 2  # ...and then count the update


def test_the_label_search_follows_the_data_after_an_update(project: Path) -> None:
    """The search's label index is kept per store generation: an update's new label is found at once."""
    label = "Zyxwvut search index test"
    insert = (f'INSERT DATA {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <https://w3id.org/migkg/id/instrument/zyxwvut> '
              f'a <https://w3id.org/migkg/ontology#Instrument> ; '
              f'<http://www.w3.org/2004/02/skos/core#prefLabel> "{label}"@en }} }}')
    with live_server(make_app(settings_for(project))) as base, httpx.Client(base_url=base, timeout=60) as http:
        assert http.get("/explore/search.json", params={"q": "zyxwvut"}).json() == []
        assert post_update(base, insert).status_code == 204
        hits = http.get("/explore/search.json", params={"q": "zyxwvut"}).json()
        assert [h["label"] for h in hits] == [label]
        assert label in http.get("/search", params={"q": "zyxwvut"}, headers={"accept": "text/html"}).text


def _home_triples(http: httpx.Client) -> int:
    page = http.get("/", headers={"accept": "text/html"}).text
    found = re.search(r"<strong>(\d+)</strong><span>triples</span>", page)
    assert found, page[:300]
    return int(found.group(1))


def _dataset_download(http: httpx.Client) -> str:
    page = http.get("/downloads", headers={"accept": "text/html"}).text
    names = re.findall(r'href="/downloads/([^"]+\.nq)"', page)
    assert names, "the downloads page lists the dataset in N-Quads"
    return names[0]


def test_validation_sees_the_journal(tmp_path: Path) -> None:
    """``migkg validate`` of the whole data validates it with the journal applied (graphs dropped)."""
    from rdflib import Graph, URIRef

    from migkg.cli.data import apply_journal
    from migkg.journal import triple_delta

    root = tmp_path / "small"
    (root / "data").mkdir(parents=True)
    (root / "data" / "x.ttl").write_text("<urn:a> <urn:p> <urn:old> .\n<urn:a> <urn:p> <urn:kept> .\n")
    (root / "data" / "y.ttl").write_text("<urn:a> <urn:p> <urn:kept> .\n")
    settings = Settings(root_dir=root)
    assert triple_delta(settings) is None  # no journal: nothing to apply
    accept(settings, "DELETE DATA { GRAPH <https://w3id.org/migkg/graph/data/x> { <urn:a> <urn:p> "
                     "<urn:old>, <urn:kept> } } ; INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "
                     "<urn:new> } }")
    delta = triple_delta(settings)
    assert delta is not None
    removed, added = delta
    assert {str(t.object) for t in removed} == {"<urn:old>"}  # urn:kept is still in y.ttl
    assert {str(t.object) for t in added} == {"<urn:new>"}
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:old")))
    apply_journal(store, settings)
    assert {str(q.object) for q in store} == {"<urn:new>"}
    graph = Graph()
    graph.add((URIRef("urn:a"), URIRef("urn:p"), URIRef("urn:old")))
    apply_journal(graph, settings)
    assert set(graph.objects()) == {URIRef("urn:new")}


def accept(settings: Settings, update: str) -> None:
    """Apply ``update`` to the sources built in memory, journalled as the endpoint does."""
    backend, _ = build_backend(settings.model_copy(update={"store_dir": None}))
    backend.journal = Journal(settings.journal_folder)
    backend.update(UpdateRequest(update))
    backend.close()


def small_project(root: Path, comment: str) -> Settings:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "x.ttl").write_text(f'<urn:a> <urn:p> <urn:b> .\n<urn:a> <urn:c> "{comment}" .\n')
    return Settings(root_dir=root)


REPLACE = ('WITH <https://w3id.org/migkg/graph/data/x> DELETE { ?s <urn:c> ?c } '
           'INSERT { ?s <urn:c> "replaced" } WHERE { ?s <urn:c> ?c FILTER(STRSTARTS(?c, "before")) }')


def test_replay_compares_content_not_counts(tmp_path: Path) -> None:
    """An entry that replaced one quad by another replays only while it replaces that very quad:
    once the source under it changed, it still changes one quad for one (the net count is the
    same) but other quads, and the build stops naming it."""
    settings = small_project(tmp_path / "p", "before")
    accept(settings, REPLACE)
    [entry] = Journal(settings.journal_folder).entries()
    assert entry.effect == 0
    assert "(1 added, 1 removed)" in entry.path.read_text()
    backend, _ = build_backend(settings)  # the sources unchanged: it applies
    assert backend.ask(QueryRequest('ASK { <urn:a> <urn:c> "replaced" }'))
    assert not backend.ask(QueryRequest('ASK { <urn:a> <urn:c> "before" }'))
    backend.close()
    small_project(tmp_path / "p", "before, then edited")  # the source moved under the entry
    with pytest.raises(JournalError, match="now it changes other quads") as failure:
        build_backend(settings)
    assert entry.name in str(failure.value)
    assert "1 added, 1 removed" in str(failure.value)


def test_blank_nodes_replay_with_the_same_content(tmp_path: Path) -> None:
    """Fresh blank nodes get new labels on every run; the content digest does not depend on them."""
    settings = small_project(tmp_path / "p", "before")
    accept(settings, "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:q> [ <urn:r> 1 ] } }")
    backend, summary = build_backend(settings)
    assert summary.journal == 1
    assert backend.ask(QueryRequest("ASK { <urn:a> <urn:q> [ <urn:r> 1 ] }"))
    backend.close()
