"""Explorer group nodes: a large fan-out is one node that says how many it holds and opens on demand."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph
import pytest
from fastapi.testclient import TestClient

from migkg.config import Settings
from migkg.stores.oxigraph import OxigraphBackend
from migkg.views.explorer import Caps, neighbourhood
from migkg.views.explorer.groups import GROUP_AT, GroupKey, open_group
from migkg.web.app import create_app

M = "https://w3id.org/migkg/"
STATE = f"{M}id/org/atlantis"
BLA = f"{M}concept/instrument-type/bilateral-labour-agreement"
BLAS, LAWS = 15, 5


def fan_out_graph() -> str:
    """A state party to 15 bilateral labour agreements and 5 laws (more than GROUP_AT of one type)."""
    lines = [f"<{STATE}> a <http://www.w3.org/ns/org#FormalOrganization> ; "
             f"<http://www.w3.org/2004/02/skos/core#prefLabel> \"Atlantis\"@en ; "
             f"<http://www.w3.org/ns/org#classification> <{M}concept/actor-type/state> .",
             f"<{BLA}> <http://www.w3.org/2004/02/skos/core#prefLabel> \"Bilateral labour agreement\"@en ."]
    for n in range(BLAS + LAWS):
        kind = BLA if n < BLAS else f"{M}concept/instrument-type/law"
        lines.append(f"<{M}id/instrument/i{n:02d}> a <{M}ontology#DocumentaryInstrument> ; "
                     f"<http://www.w3.org/2004/02/skos/core#prefLabel> \"Instrument {n:02d}\"@en ; "
                     f"<{M}ontology#instrumentType> <{kind}> ; <{M}ontology#party> <{STATE}> .")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def backend() -> Iterator[OxigraphBackend]:
    store = pyoxigraph.Store()
    store.load(fan_out_graph().encode(), format=pyoxigraph.RdfFormat.TURTLE,
               to_graph=pyoxigraph.NamedNode(f"{M}graph/test/fan-out"))
    backend = OxigraphBackend(store)
    yield backend
    backend.close()


def test_fan_out_becomes_a_group_that_says_how_many(backend: OxigraphBackend) -> None:
    assert GROUP_AT < BLAS
    view = neighbourhood(backend, STATE)
    groups = [n for n in view.nodes if n.kind == "group"]
    assert [(g.label, g.group_size) for g in groups] == [("15 × Bilateral labour agreement", 15)]
    singles = [n.id for n in view.nodes if n.kind == "instrument"]
    assert len(singles) == LAWS  # too few laws to group
    assert any(e.source == groups[0].id and e.target == STATE and e.relation == "party" for e in view.edges)


def test_open_group_pages_and_keeps_the_rest_grouped(backend: OxigraphBackend) -> None:
    key = GroupKey(STATE, "party", "in", BLA)
    first = open_group(backend, key, 0, Caps(max_nodes=8))
    members = [n.id for n in first.nodes if n.kind == "instrument"]
    assert len(members) == 6
    rest = [n for n in first.nodes if n.kind == "group"]
    assert [(r.group_size, r.group_offset, r.label) for r in rest] == [(9, 6, "9 more × Bilateral labour agreement")]
    assert first.truncated
    second = open_group(backend, key, 6, Caps(max_nodes=20))
    later = [n.id for n in second.nodes if n.kind == "instrument"]
    assert not second.truncated
    assert sorted(members + later) == [f"{M}id/instrument/i{n:02d}" for n in range(BLAS)]
    assert all(e.target == STATE for e in second.edges)


def test_group_endpoint(backend: OxigraphBackend) -> None:
    with TestClient(create_app(Settings(), backend)) as client:
        ok = client.get("/explore/group.json", params={"anchor": STATE, "relation": "party", "direction": "in",
                                                       "type": BLA})
        assert ok.status_code == 200
        assert len([n for n in ok.json()["nodes"] if n["kind"] == "instrument"]) == BLAS
        for bad in ({"relation": "nope"}, {"direction": "sideways"}, {"type": "not an iri"}, {"offset": "-1"}):
            params = {"anchor": STATE, "relation": "party", "direction": "in", "type": BLA} | bad
            assert client.get("/explore/group.json", params=params).status_code == 400, bad


def test_trace_starts_from_a_gcm_action(views_client: TestClient) -> None:
    action = f"{M}gcm/objective/5/action/a"
    body = views_client.get("/explore/trace.json", params={"iri": action}).json()
    assert {n["id"] for n in body["nodes"]} >= {action, f"{M}id/instrument/bla-1"}
    picker = views_client.get("/explore").text
    assert f'value="{action}"' in picker


def test_caps_say_what_they_cut(backend: OxigraphBackend) -> None:
    """The state, 5 laws and one group of 15 BLAs are 7 nodes: a cap of 4 leaves 3 out, by name."""
    whole = neighbourhood(backend, STATE)
    assert (len(whole.nodes), whole.cut.nodes, whole.truncated) == (1 + LAWS + 1, 0, False)
    view = neighbourhood(backend, STATE, caps=Caps(max_nodes=4))
    assert len(view.nodes) == 4
    assert view.truncated
    assert view.cut.nodes == len(whole.nodes) - 4
    assert view.to_dict()["cut"] == {"nodes": len(whole.nodes) - 4, "edges": 0}
    edges = neighbourhood(backend, STATE, caps=Caps(max_edges=2))
    assert (len(edges.edges) - sum(1 for e in edges.edges if e.source.startswith("group:")), edges.cut.edges) \
        == (2, LAWS - 2)


def test_trace_of_an_objective_takes_what_points_only_at_its_actions(views_client: TestClient) -> None:
    """ma-law contributes to action 6(b) only; bla-1 to 5(a) only: each is in its objective's trace."""
    for objective, action, instrument in (("6", "b", "ma-law"), ("5", "a", "bla-1")):
        body = views_client.get("/explore/trace.json", params={"iri": f"{M}gcm/objective/{objective}"}).json()
        members = {n["id"] for n in body["nodes"] if not n["context"]}
        assert {f"{M}gcm/objective/{objective}/action/{action}", f"{M}id/instrument/{instrument}"} <= members
        assert body["cut"] == {"nodes": 0, "edges": 0}
