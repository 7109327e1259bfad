"""Unit tests of the explorer library (migkg.views.explorer) on the small fixture graph of conftest.py."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from migkg.stores.base import Backend
from migkg.views import explorer
from migkg.views.explorer import Caps, NotFound

INST = "https://w3id.org/migkg/id/instrument/"
OBJ23 = "https://w3id.org/migkg/gcm/objective/23"
SDG107 = "http://metadata.un.org/sdg/10.7"
ASEAN = "https://w3id.org/migkg/id/org/asean"
SEA = "https://w3id.org/migkg/concept/place/sea"
THEME = "https://w3id.org/migkg/concept/theme/social-protection"


def ids(view: explorer.GraphView | explorer.TraceView | explorer.PathView) -> set[str]:
    return {n.id for n in view.nodes}


def triples(view: explorer.GraphView | explorer.TraceView | explorer.PathView) -> set[tuple[str, str, str]]:
    return {(e.source, e.relation, e.target) for e in view.edges}


# --- neighbourhood ---------------------------------------------------------------------------------


def test_neighbourhood_depth_one(explore_backend: Backend) -> None:
    view = explorer.neighbourhood(explore_backend, INST + "portability", depth=1)
    assert ids(view) == {
        INST + "portability", INST + "cebu", INST + "consensus", OBJ23, SDG107, ASEAN, SEA,
    }
    assert (INST + "portability", "realises", INST + "cebu") in triples(view)
    assert not view.truncated
    assert THEME not in ids(view)  # themes are not followed unless asked


def test_neighbourhood_adds_edges_among_outer_nodes(explore_backend: Backend) -> None:
    view = explorer.neighbourhood(explore_backend, INST + "portability", depth=1)
    found = triples(view)
    assert (INST + "consensus", "implements", INST + "cebu") in found
    assert (OBJ23, "closeMatch", SDG107) in found
    assert (INST + "cebu", "issuedBy", ASEAN) in found


def test_node_fields(explore_backend: Backend) -> None:
    view = explorer.neighbourhood(explore_backend, INST + "portability", depth=1)
    node = {n.id: n for n in view.nodes}
    root = node[INST + "portability"]
    assert (root.kind, root.level, root.band_order, root.type, root.depth) == (
        "instrument", "regional", 4, "declaration", 0,
    )
    assert root.label == "ASEAN Declaration on Portability of Social Security Benefits"
    assert root.level_label == "Regional (supranational)"
    assert root.type_label == "Declaration"
    assert root.colour_class == "kind-instrument"
    assert root.date == "2022-11-11"
    assert root.sources == ("https://example.org/portability",)
    assert node[INST + "cebu"].acronym == "Cebu Declaration"
    assert (node[OBJ23].kind, node[OBJ23].band) == ("commitment", "commitment")
    assert (node[ASEAN].kind, node[ASEAN].acronym, node[ASEAN].level) == ("actor", "ASEAN", None)
    assert node[SEA].kind == "place"


def test_edge_evidence_comes_from_claims(explore_backend: Backend) -> None:
    view = explorer.neighbourhood(explore_backend, INST + "portability", depth=1)
    edges = {(e.source, e.relation, e.target): e for e in view.edges}
    backed = edges[(INST + "portability", "realises", INST + "cebu")]
    (evidence,) = backed.evidence
    assert evidence.text == "The Declaration gives effect to the Cebu Declaration."
    assert evidence.sources == ("https://example.org/portability",)
    assert evidence.method == "stated-in-source"
    assert edges[(INST + "portability", "realises", INST + "consensus")].evidence == ()


def test_neighbourhood_depth_zero_and_two(explore_backend: Backend) -> None:
    assert ids(explorer.neighbourhood(explore_backend, INST + "oriental", depth=0)) == {INST + "oriental"}
    two = explorer.neighbourhood(explore_backend, INST + "oriental", depth=2)
    assert {INST + "psnsi", INST + "oujda", OBJ23} <= ids(two)
    assert {n.id: n.depth for n in two.nodes}[OBJ23] == 2


def test_neighbourhood_follows_chosen_relations(explore_backend: Backend) -> None:
    rels = explorer.relations_for(["theme"])
    view = explorer.neighbourhood(explore_backend, INST + "portability", relations=rels)
    assert ids(view) == {INST + "portability", THEME}
    assert {n.kind for n in view.nodes} == {"instrument", "concept"}


def test_relations_for_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="nope"):
        explorer.relations_for(["realises", "nope"])
    assert explorer.relations_for(None) == explorer.DEFAULT_RELATIONS


def test_neighbourhood_node_cap_truncates(explore_backend: Backend) -> None:
    view = explorer.neighbourhood(explore_backend, INST + "portability", depth=2, caps=Caps(max_nodes=3))
    assert len(view.nodes) == 3
    assert view.truncated
    assert all({e.source, e.target} <= ids(view) for e in view.edges)


def test_neighbourhood_edge_cap_truncates(explore_backend: Backend) -> None:
    view = explorer.neighbourhood(explore_backend, INST + "portability", caps=Caps(max_edges=2))
    assert len(view.edges) == 2
    assert view.truncated


def test_neighbourhood_errors(explore_backend: Backend) -> None:
    with pytest.raises(NotFound):
        explorer.neighbourhood(explore_backend, INST + "missing")
    with pytest.raises(ValueError, match="depth"):
        explorer.neighbourhood(explore_backend, INST + "portability", depth=4)


# --- trace -----------------------------------------------------------------------------------------


def test_trace_of_a_commitment(explore_backend: Backend) -> None:
    view = explorer.trace(explore_backend, OBJ23)
    nodes = {n.id: n for n in view.nodes}
    members = {i for i, n in nodes.items() if not n.context}
    assert members == {
        OBJ23, INST + "portability", INST + "amo", INST + "psnsi", INST + "oriental", INST + "oujda",
    }
    assert nodes[INST + "oriental"].depth == 2
    assert nodes[INST + "oujda"].depth == 3
    # What the members realise is shown as context: the ASEAN chain and the GCM.
    assert {i for i, n in nodes.items() if n.context} == {INST + "cebu", INST + "consensus", INST + "gcm"}
    assert SDG107 not in nodes  # other commitments would swamp the top band
    assert (INST + "oriental", "localizes", INST + "psnsi") in triples(view)
    assert (INST + "portability", "realises", INST + "cebu") in triples(view)


def test_trace_bands_run_from_commitments_to_local(explore_backend: Backend) -> None:
    view = explorer.trace(explore_backend, OBJ23)
    assert [b.key for b in view.bands] == [
        "commitment", "global", "continental", "regional", "national", "subnational", "local",
    ]
    assert [b.order for b in view.bands] == [0, 1, 3, 4, 6, 7, 8]
    assert view.bands[3].label == "Regional (supranational)"
    assert {n.id: n.band for n in view.nodes}[INST + "oriental"] == "subnational"


def test_trace_of_an_instrument(explore_backend: Backend) -> None:
    view = explorer.trace(explore_backend, INST + "psnsi")
    assert {n.id for n in view.nodes if not n.context} == {INST + "psnsi", INST + "oriental", INST + "oujda"}


def test_trace_cap_truncates(explore_backend: Backend) -> None:
    view = explorer.trace(explore_backend, OBJ23, caps=Caps(max_nodes=4))
    assert len(view.nodes) == 4
    assert view.truncated


def test_trace_unknown(explore_backend: Backend) -> None:
    with pytest.raises(NotFound):
        explorer.trace(explore_backend, OBJ23 + "0")


# --- paths -----------------------------------------------------------------------------------------


def test_shortest_path_crosses_a_commitment(explore_backend: Backend) -> None:
    view = explorer.shortest_paths(explore_backend, INST + "portability", INST + "oriental")
    assert view.paths == ((INST + "portability", OBJ23, INST + "psnsi", INST + "oriental"),)
    assert ids(view) == set(view.paths[0])
    assert len(view.edges) == 3
    assert view.to_dict()["length"] == 3


def test_all_shortest_paths_and_their_cap(explore_backend: Backend) -> None:
    view = explorer.shortest_paths(explore_backend, INST + "cebu", OBJ23)
    assert view.paths == ((INST + "cebu", INST + "portability", OBJ23),)
    two = explorer.shortest_paths(explore_backend, ASEAN, SEA)
    assert set(two.paths) == {(ASEAN, INST + "cebu", SEA), (ASEAN, INST + "portability", SEA)}
    one = explorer.shortest_paths(explore_backend, ASEAN, SEA, caps=Caps(max_paths=1))
    assert len(one.paths) == 1
    assert one.truncated


def test_no_path_is_empty_not_an_error(explore_backend: Backend) -> None:
    view = explorer.shortest_paths(explore_backend, INST + "lonely", OBJ23)
    assert view.paths == ()
    assert not view.truncated
    assert ids(view) == {INST + "lonely", OBJ23}


def test_path_visit_cap_truncates(explore_backend: Backend) -> None:
    view = explorer.shortest_paths(explore_backend, INST + "oujda", INST + "cebu", caps=Caps(max_visited=3))
    assert view.paths == ()
    assert view.truncated


def test_path_unknown_end(explore_backend: Backend) -> None:
    with pytest.raises(NotFound):
        explorer.shortest_paths(explore_backend, INST + "cebu", INST + "missing")


# --- search ----------------------------------------------------------------------------------------

Find = Callable[..., tuple[explorer.Suggestion, ...]]


@pytest.fixture(params=["sparql", "index"])
def find(request: pytest.FixtureRequest, explore_backend: Backend) -> Find:
    """The search by its SPARQL scan, and by the label index the web app keeps per store generation."""
    index = explorer.label_index(explore_backend) if request.param == "index" else None
    return lambda text, **options: explorer.search(explore_backend, text, index=index, **options)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("cebu", INST + "cebu"),  # alternative label
        ("ASEAN", ASEAN),  # exact acronym first
        ("portabilité", INST + "portability"),  # French label
        ("Cooperación", OBJ23),  # Spanish label
        ("psnsi", INST + "psnsi"),  # French acronym
        ("santé et immigration", INST + "psnsi"),  # French title
        ("Objective 23", OBJ23),
        ("objetivo 23", OBJ23),
        ("  oriental   regional ", INST + "oriental"),
    ],
)
def test_search_first_hit(find: Find, text: str, first: str) -> None:
    hits = find(text)
    assert hits[0].id == first


def test_search_reports_what_matched(find: Find) -> None:
    (hit,) = [h for h in find("portabilité") if h.id == INST + "portability"]
    assert (hit.lang, hit.kind, hit.level) == ("fr", "instrument", "regional")
    assert hit.label == "ASEAN Declaration on Portability of Social Security Benefits"
    assert hit.matched == "Déclaration de l'ASEAN sur la portabilité"


def test_search_skips_attribute_concepts_and_limits(find: Find) -> None:
    hits = find("declaration")
    assert {h.id for h in hits} == {INST + "portability", INST + "cebu"}  # not the instrument type
    assert len(find("as", limit=2)) == 2


@pytest.mark.parametrize("text", ["", "a", " x ", "y" * 101])
def test_search_rejects_bad_text(find: Find, text: str) -> None:
    with pytest.raises(ValueError, match="characters"):
        find(text)


def test_the_label_index_matches_without_accents(explore_backend: Backend) -> None:
    """The web app's path (the label index, folded) finds an accented label from an unaccented query,
    which the SPARQL scan (lower case only) does not; otherwise both paths agree (the tests above)."""
    index = explorer.label_index(explore_backend)
    assert INST + "portability" in {h.id for h in explorer.search(explore_backend, "portabilite", index=index)}
    assert INST + "portability" not in {h.id for h in explorer.search(explore_backend, "portabilite")}


def test_commitments_in_order(explore_backend: Backend) -> None:
    assert [c.id for c in explorer.commitments(explore_backend)] == [OBJ23, SDG107]


def test_views_serialise_to_json(explore_backend: Backend) -> None:
    for view in (
        explorer.neighbourhood(explore_backend, INST + "portability"),
        explorer.trace(explore_backend, OBJ23),
        explorer.shortest_paths(explore_backend, INST + "portability", INST + "oriental"),
    ):
        data = json.loads(json.dumps(view.to_dict()))
        assert data["nodes"]
        assert all({"id", "source", "target", "relation", "evidence"} <= e.keys() for e in data["edges"])
        assert data["truncated"] is False
        assert data["caps"]["max_nodes"] == 150


# --- Hub listings ------------------------------------------------------------------------------------


def test_trace_shows_hub_listings_as_derived_edges_not_record_nodes() -> None:
    """A practice the Hub lists under a commitment joins its trace by a "listedUnder" edge.

    The data's triple is record → commitment (a listing is no claim of contribution); the explorer draws
    instrument → commitment and leaves the record out.
    """
    import pyoxigraph

    from migkg.stores.oxigraph import OxigraphBackend

    store = pyoxigraph.Store()
    store.load(input=b"""
        @prefix mig: <https://w3id.org/migkg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <urn:x:objective> a mig:Commitment ; skos:prefLabel "Objective"@en .
        <urn:x:practice> a mig:DocumentaryInstrument ; skos:prefLabel "Practice"@en .
        <urn:x:local> a mig:DocumentaryInstrument ; skos:prefLabel "Local"@en ; mig:localizes <urn:x:practice> .
        <urn:x:record> a mig:HubRecord ; mig:describes <urn:x:practice> ; mig:listedUnder <urn:x:objective> .
        """, format=pyoxigraph.RdfFormat.TURTLE)
    backend = OxigraphBackend(store)
    try:
        view = explorer.trace(backend, "urn:x:objective")
    finally:
        backend.close()
    assert ("urn:x:practice", "listedUnder", "urn:x:objective") in triples(view)
    assert ("urn:x:local", "localizes", "urn:x:practice") in triples(view)
    assert "urn:x:record" not in ids(view)
    assert not any(e.evidence for e in view.edges if e.relation == "listedUnder")  # no claim backs a listing
