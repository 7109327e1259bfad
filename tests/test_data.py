"""Data tests: the curated graph under data/ carries the relations, evidence and curation marks it claims.

All `data/**/*.ttl` and `ontology/**/*.ttl` are loaded into one Oxigraph store (one named graph per file,
queried through the union default graph)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).parents[1]
LISTING_FILE = ROOT / "data" / "sources" / "hub-objective-23-listing.txt"
LISTING = "https://w3id.org/migkg/id/source/hub-objective-23-listing"
GRAPH_BASE = "https://w3id.org/migkg/graph/"

PREFIXES = """
PREFIX mig: <https://w3id.org/migkg/ontology#>
PREFIX inst: <https://w3id.org/migkg/id/instrument/>
PREFIX orgid: <https://w3id.org/migkg/id/org/>
PREFIX record: <https://w3id.org/migkg/id/record/>
PREFIX gcmo: <https://w3id.org/migkg/gcm/objective/>
PREFIX sdg: <http://metadata.un.org/sdg/>
PREFIX cs: <https://w3id.org/migkg/concept/curation-status/>
PREFIX am: <https://w3id.org/migkg/concept/assertion-method/>
PREFIX place: <https://w3id.org/migkg/concept/place/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

SEVEN_PRACTICE_INSTRUMENTS = {
    "morocco-psnsi-2021-2025",
    "ecuador-lomh-2017",
    "asean-2022-portability-declaration",
    "au-blma-guidelines",
    "unnetwork-2022-blma-guidance",
    "african-migration-observatory",
    "ph-de-2022-mou-healthcare-professionals",
    "ph-de-2022-loi-skilled-workers",
}


def ttl_files() -> list[Path]:
    return sorted((ROOT / "data").rglob("*.ttl")) + sorted((ROOT / "ontology").rglob("*.ttl"))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for f in ttl_files():
        graph = ox.NamedNode(GRAPH_BASE + f.relative_to(ROOT).with_suffix("").as_posix())
        s.load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=graph)
    return s


def q(store: ox.Store, query: str):
    return store.query(PREFIXES + query, use_default_graph_as_union=True)


def ask(store: ox.Store, query: str) -> bool:
    return bool(q(store, "ASK { " + query + " }"))


def rows(store: ox.Store, query: str) -> list:
    return list(q(store, query))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_data_file_parses():
    files = sorted((ROOT / "data").rglob("*.ttl"))
    assert len(files) >= 10
    for f in files:
        ox.Store().load(path=str(f), format=ox.RdfFormat.TURTLE)


def claim_exists(store, s, p, o, method="stated-in-source", asserted=True) -> bool:
    """A claim of ``s p o`` with evidence and source; ``asserted``: the plain triple is there too."""
    triple = f"{s} {p} {o} ." if asserted else ""
    return ask(
        store,
        f"""
        {triple}
        ?c a mig:Claim ; mig:claimSubject {s} ; mig:claimPredicate {p} ; mig:claimObject {o} ;
           mig:assertionMethod am:{method} ; mig:evidenceText ?e ; dcterms:source ?src .""",
    )


# ---------------------------------------------------------------- key relations from the listing
@pytest.mark.parametrize(
    "target", ["inst:asean-2007-cebu-declaration", "inst:asean-2017-consensus-migrant-workers"]
)
def test_portability_declaration_realises_cebu_and_consensus(store, target):
    assert claim_exists(store, "inst:asean-2022-portability-declaration", "mig:realises", target)


def test_portability_declaration_aligns_with_the_community_vision_2025(store):
    # The listing's "ASEAN 2025 Vision" is the ASEAN Community Vision 2025, a document of its own that the
    # Kuala Lumpur Declaration adopts (recorded as eli:cites), not the Declaration itself.
    assert claim_exists(
        store,
        "inst:asean-2022-portability-declaration",
        "mig:alignsWith",
        "inst:asean-2015-community-vision-2025",
    )
    assert not ask(
        store, "inst:asean-2022-portability-declaration mig:alignsWith inst:asean-2015-kuala-lumpur-declaration-asean-2025"
    )
    assert claim_exists(
        store, "inst:asean-2015-kuala-lumpur-declaration-asean-2025", "eli:cites", "inst:asean-2015-community-vision-2025"
    )
    assert ask(store, 'inst:asean-2015-community-vision-2025 dcterms:title "ASEAN Community Vision 2025"@en')


@pytest.mark.parametrize(
    ("inst", "day"),
    [("inst:asean-2015-kuala-lumpur-declaration-asean-2025", "2015-11-22"), ("inst:ilo-c189", "2011-06-16")],
)
def test_exact_days_where_the_sources_give_them(store, inst, day):
    assert ask(store, f'{inst} eli:date_document "{day}"^^xsd:date ; mig:curationStatus cs:verified')
    assert not ask(store, f"{inst} mig:datePrecision ?p")


def test_oriental_strategy_localizes_national_plan_as_a_claim_within_its_jurisdiction(store):
    # The claim rests on an unverified identification: a claim only, no plain triple (data/README.md).
    assert claim_exists(
        store,
        "inst:morocco-oriental-regional-health-strategy",
        "mig:localizes",
        "inst:morocco-psnsi-2021-2025",
        asserted=False,
    )
    assert not ask(store, "inst:morocco-oriental-regional-health-strategy mig:localizes ?t .")
    # strictly inside: every jurisdiction of the source lies (skos:broader+) within one of the target's
    assert ask(
        store,
        """
        inst:morocco-oriental-regional-health-strategy eli:jurisdiction ?a .
        inst:morocco-psnsi-2021-2025 eli:jurisdiction ?b .
        ?a skos:broader+ ?b .""",
    )


def test_no_localizes_outside_target_jurisdiction(store):
    bad = rows(
        store,
        """
        SELECT ?s ?t WHERE {
          { ?s mig:localizes ?t } UNION
          { ?c a mig:Claim ; mig:claimSubject ?s ; mig:claimPredicate mig:localizes ; mig:claimObject ?t }
          ?s eli:jurisdiction ?a .
          FILTER NOT EXISTS { ?t eli:jurisdiction ?b . ?a skos:broader+ ?b . }
        }""",
    )
    assert bad == []


def test_observatory_facilitates_gcm(store):
    assert claim_exists(
        store, "inst:african-migration-observatory", "mig:facilitatesImplementationOf", "inst:gcm"
    )
    assert ask(
        store,
        "inst:african-migration-observatory a mig:InstitutionalInstrument ; "
        'mig:dateInaugurated "2020-12-18"^^xsd:date ; mig:issuedBy orgid:african-union .',
    )


def test_every_state_has_a_country_place_with_an_iso_code_and_groups_are_no_states(store):
    """org:classification at:state is a State with its place and code; a group of States is not one."""
    bad = rows(
        store,
        """
        SELECT ?s WHERE {
          ?s org:classification <https://w3id.org/migkg/concept/actor-type/state> .
          FILTER NOT EXISTS { ?s dcterms:spatial/mig:iso3166Alpha3 ?code }
        }""",
    )
    assert bad == []
    assert ask(store, "orgid:au-member-states org:classification "
                      "<https://w3id.org/migkg/concept/actor-type/group-of-states>")


@pytest.mark.parametrize("addressee", ["orgid:au-member-states", "orgid:african-recs"])
def test_au_guidelines_addressed_to_member_states_and_recs(store, addressee):
    assert claim_exists(store, "inst:au-blma-guidelines", "mig:addressedTo", addressee)


def test_listing_paragraph_on_one_unnamed_bla_is_not_attached_to_the_2022_pair(store):
    # The listing's "The BLA also applies social dialogue… (PSLINK/Philippines and Ver.di/Germany) in the
    # oversight committee" speaks of one agreement it does not name; nothing is derived from it for the June
    # 2022 MoU or Letter of Intent (trade-union involvement, Objective 6).
    for i in ("inst:ph-de-2022-mou-healthcare-professionals", "inst:ph-de-2022-loi-skilled-workers"):
        assert not ask(store, f"{i} mig:involves ?u . ?u org:classification <https://w3id.org/migkg/concept/actor-type/trade-union>")
        assert not ask(store, f"{i} mig:contributesTo gcmo:6")


@pytest.mark.parametrize("union", ["orgid:pslink", "orgid:verdi"])
def test_trade_unions_sit_on_the_2013_agreements_committee_with_both_sentences(store, union):
    # Two claims for each union: the PSI sentence (stated) and the listing's sentence (curator-assessed,
    # identifying the listing's unnamed "BLA"); each with the union's role.
    got = rows(store, f"""
        SELECT ?method ?role ?evidence WHERE {{
          inst:ph-de-2013-triple-win-agreement mig:involves {union} .
          ?c mig:claimSubject inst:ph-de-2013-triple-win-agreement ; mig:claimPredicate mig:involves ;
             mig:claimObject {union} ; mig:assertionMethod ?method ; mig:role ?role ; mig:evidenceText ?evidence .
        }}""")
    methods = sorted(str(r["method"].value).rsplit("/", 1)[1] for r in got)
    assert methods == ["curator-assessed", "stated-in-source"]
    listing = next(r for r in got if r["method"].value.endswith("curator-assessed"))
    assert "(PSLINK/Philippines and Ver.di/Germany) in the oversight committee" in listing["evidence"].value
    assert all("committee" in r["role"].value.lower() for r in got)


def test_no_guessed_issuer_for_the_oriental_strategy(store):
    # Its issuing body is unknown: the least specific issuer the listing supports is the State of Morocco.
    got = rows(store, "SELECT ?o WHERE { inst:morocco-oriental-regional-health-strategy mig:issuedBy ?o }")
    assert [str(r["o"].value) for r in got] == ["https://w3id.org/migkg/id/org/morocco"]
    assert ask(store, "inst:morocco-oriental-regional-health-strategy mig:curationStatus cs:unverified")


def test_the_seven_practices_are_listed_under_objective_23_not_claimed_to_contribute(store):
    # The listing's only mention of Objective 23 is its "Subscribe to Objective 23: ..." link: the fact is
    # that the Hub lists the practices under Objective 23 (mig:listedUnder), not that they contribute to it.
    listed = {
        str(r["i"].value).rsplit("/", 1)[-1]
        for r in rows(store, "SELECT ?i WHERE { ?rec a mig:HubRecord ; mig:listedUnder gcmo:23 ; mig:describes ?i }")
    }
    assert listed == SEVEN_PRACTICE_INSTRUMENTS
    records = rows(store, "SELECT DISTINCT ?r WHERE { ?r a mig:HubRecord ; mig:listedUnder gcmo:23 }")
    assert len(records) == 7
    assert rows(store, "SELECT ?i WHERE { ?i mig:contributesTo gcmo:23 }") == []
    assert rows(store, "SELECT ?c WHERE { ?c mig:claimObject gcmo:23 }") == []


def test_no_evidence_quotes_the_subscribe_link(store):
    # "Subscribe to Objective 23: Strengthen international cooperation ..." is the page's subscription link;
    # no evidence text may be (part of) it.
    footer = norm(LISTING_FILE.read_text(encoding="utf-8").rsplit("Subscribe to", 1)[1])
    bad = [
        str(r["c"].value)
        for r in rows(store, "SELECT ?c ?e WHERE { ?c a mig:Claim ; mig:evidenceText ?e }")
        if norm(r["e"].value) in footer or "Subscribe to" in r["e"].value
    ]
    assert bad == []


def test_curator_assessed_claims_have_rationale_and_non_listing_source(store):
    bad = rows(
        store,
        """
        SELECT ?c WHERE {
          ?c a mig:Claim ; mig:assertionMethod am:curator-assessed .
          FILTER NOT EXISTS { ?c mig:rationale ?r . FILTER(LANG(?r) = "en") }
        }""",
    )
    assert bad == []
    for s, o, asserted in [
        ("inst:asean-2022-portability-declaration", "gcmo:22", True),
        ("inst:morocco-psnsi-2021-2025", "gcmo:15", False),  # unverified claim: claim only
        ("inst:african-migration-observatory", "gcmo:1", True),
        ("inst:gcm", "sdg:10.7", True),
        ("inst:ph-de-2022-mou-healthcare-professionals", "gcmo:5", False),  # unverified claim: claim only
    ]:
        assert claim_exists(store, s, "mig:contributesTo", o, method="curator-assessed",
                            asserted=asserted), (s, o)


def test_every_claim_has_its_triple_asserted(store):
    """Except a derived or unverified claim: its triple stays out of the plain graph."""
    bad = rows(
        store,
        """
        SELECT ?c WHERE {
          ?c a mig:Claim ; mig:claimSubject ?s ; mig:claimPredicate ?p ; mig:claimObject ?o .
          FILTER NOT EXISTS { ?s ?p ?o }
          FILTER NOT EXISTS { ?c mig:assertionMethod am:derived }  # claims only, by design (data/README.md)
          FILTER NOT EXISTS { ?c mig:curationStatus cs:unverified }  # claims only (issue 11, point 6)
        }""",
    )
    assert bad == []


def test_a_relation_resting_only_on_unverified_claims_is_not_asserted(store):
    """Verified means verified on the plain triple too (issue 11, point 6)."""
    claim_only = rows(
        store,
        """
        SELECT DISTINCT ?s ?p ?o ?derived WHERE {
          ?c a mig:Claim ; mig:curationStatus cs:unverified ;
             mig:claimSubject ?s ; mig:claimPredicate ?p ; mig:claimObject ?o .
          FILTER NOT EXISTS {
            ?v a mig:Claim ; mig:claimSubject ?s ; mig:claimPredicate ?p ; mig:claimObject ?o .
            FILTER NOT EXISTS { ?v mig:curationStatus cs:unverified }
          }
          BIND (EXISTS { ?c mig:assertionMethod am:derived } AS ?derived)
        }""",
    )
    asserted = [r for r in claim_only
                if ask(store, f"<{r['s'].value}> <{r['p'].value}> <{r['o'].value}>")]
    assert asserted == []
    inst, mig, gcmo = ("https://w3id.org/migkg/id/instrument/", "https://w3id.org/migkg/ontology#",
                       "https://w3id.org/migkg/gcm/objective/")
    curated = {(r["s"].value.removeprefix(inst), r["p"].value.removeprefix(mig),
                r["o"].value.removeprefix(inst).removeprefix(gcmo))
               for r in claim_only if r["derived"].value == "false"}
    assert curated == {
        ("morocco-oriental-regional-health-strategy", "localizes", "morocco-psnsi-2021-2025"),
        ("morocco-psnsi-2021-2025", "contributesTo", "15"),
        ("ph-de-2022-mou-healthcare-professionals", "contributesTo", "5"),
        ("ph-de-2022-loi-skilled-workers", "contributesTo", "5"),
    }
    # the derived BLA claims (data/imported/bla/claims.ttl) are claims only as well
    assert any(r["derived"].value == "true" for r in claim_only)


# ---------------------------------------------------------------- evidence is verbatim
def test_stated_listing_claims_quote_the_listing_verbatim(store):
    listing = norm(LISTING_FILE.read_text(encoding="utf-8"))
    evidence = rows(
        store,
        f"""
        SELECT ?c ?e WHERE {{
          ?c a mig:Claim ; mig:assertionMethod am:stated-in-source ; mig:evidenceText ?e ;
             dcterms:source <{LISTING}> .
        }}""",
    )
    assert len(evidence) >= 7  # realises ×2, alignsWith, localizes, facilitatesImplementationOf, addressedTo ×2
    missing = [str(r["c"].value) for r in evidence if norm(r["e"].value) not in listing]
    assert missing == []


def test_hub_records_quote_the_listing_verbatim(store):
    listing = norm(LISTING_FILE.read_text(encoding="utf-8"))
    for r in rows(
        store,
        "SELECT ?r ?t ?d ?by WHERE { ?r a mig:HubRecord ; dcterms:title ?t ; "
        "mig:descriptionText ?d ; mig:submittedBy ?by }",
    ):
        assert norm(r["t"].value) in listing
        assert norm(r["d"].value) in listing
        assert norm("Submitted by " + r["by"].value + " on") in listing


# ---------------------------------------------------------------- instrument hygiene
def test_every_instrument_has_source_and_curation_status(store):
    instruments = rows(
        store,
        """
        SELECT DISTINCT ?i WHERE { VALUES ?cls { mig:DocumentaryInstrument mig:InstitutionalInstrument } ?i a ?cls }""",
    )
    assert len(instruments) >= 20
    bad = rows(
        store,
        """
        SELECT ?i WHERE {
          VALUES ?cls { mig:DocumentaryInstrument mig:InstitutionalInstrument } ?i a ?cls .
          FILTER (NOT EXISTS { ?i dcterms:source ?s }
                  || NOT EXISTS { ?i mig:curationStatus ?st . FILTER(?st IN (cs:verified, cs:unverified)) })
        }""",
    )
    assert bad == []


WIKI_MIRRORS = ("wikipedia", "wikimili", "wiki/")


def test_no_portal_home_page_and_no_wiki_mirror_as_the_only_source(store):
    # A source is the page where the fact was read: never a site's home page. A Wikipedia mirror may back a
    # record only next to another source. (Party statuses are not covered here: C143's Montenegro rests on a
    # mirror only, which its status says; see data/sources/raw/ilo-ratifications/PROVENANCE.md.)
    got = rows(store, """SELECT ?x ?src WHERE {
        { VALUES ?cls { mig:DocumentaryInstrument mig:InstitutionalInstrument mig:Claim } ?x a ?cls }
        ?x dcterms:source ?src }""")
    home_pages = [(str(r["x"].value), r["src"].value) for r in got
                  if re.fullmatch(r"https?://[^/]+/?", r["src"].value)]
    assert home_pages == []
    sources: dict[str, set[str]] = {}
    for r in got:
        sources.setdefault(str(r["x"].value), set()).add(r["src"].value)
    only_mirrors = [x for x, srcs in sources.items() if all(any(m in s for m in WIKI_MIRRORS) for s in srcs)]
    assert only_mirrors == []


def test_unverified_records_say_what_is_unverified(store):
    bad = rows(
        store,
        """
        SELECT ?x WHERE {
          ?x mig:curationStatus cs:unverified .
          FILTER NOT EXISTS { ?x <http://www.w3.org/2000/01/rdf-schema#comment> ?c .
                              FILTER(CONTAINS(UCASE(STR(?c)), "UNVERIFIED")) }
        }""",
    )
    assert bad == []


def test_bilateral_instruments_have_exactly_two_parties(store):
    for r in rows(
        store,
        """
        SELECT ?i (COUNT(DISTINCT ?p) AS ?n) WHERE {
          ?i mig:governanceLevel <https://w3id.org/migkg/concept/governance-level/bilateral> .
          OPTIONAL { ?i mig:party ?p }
        } GROUP BY ?i""",
    ):
        assert int(r["n"].value) == 2, r["i"]


def test_gcm_dates_and_identifier(store):
    assert ask(
        store,
        """inst:gcm eli:date_document "2018-12-10"^^xsd:date ;
                         mig:dateEndorsed "2018-12-19"^^xsd:date ; eli:id_local "A/RES/73/195" .""",
    )


def test_gcm_is_issued_by_the_conference_and_endorsed_by_the_general_assembly(store):
    # Adopted by the Intergovernmental Conference in Marrakech on 10 December 2018; the General Assembly only
    # endorsed it (A/RES/73/195, 19 December 2018): it is no issuer.
    issuers = [str(r["o"].value) for r in rows(store, "SELECT ?o WHERE { inst:gcm mig:issuedBy ?o }")]
    assert issuers == ["https://w3id.org/migkg/id/org/gcm-intergovernmental-conference-2018"]
    assert ask(store, 'orgid:gcm-intergovernmental-conference-2018 skos:prefLabel '
                      '"Intergovernmental Conference to Adopt the Global Compact for Safe, Orderly and Regular Migration"@en')
    assert claim_exists(store, "inst:gcm", "mig:involves", "orgid:un-general-assembly")
    role = rows(store, """SELECT ?r ?e WHERE { ?c mig:claimSubject inst:gcm ; mig:claimObject orgid:un-general-assembly ;
                                              mig:role ?r ; mig:evidenceText ?e }""")
    assert len(role) == 1
    assert "endorsed" in role[0]["r"].value
    assert role[0]["e"].value.startswith("Endorses the Global Compact")


def test_rwanda_ratified_the_free_movement_protocol_but_is_no_party(store):
    # The Protocol is not in force: Rwanda is a ratifying State (a party status of kind ratification), not a party.
    assert not ask(store, "inst:au-free-movement-protocol-2018 mig:party ?s")
    assert ask(store, """?ps a mig:PartyStatus ; mig:ofInstrument inst:au-free-movement-protocol-2018 ;
                            mig:partyState orgid:rwanda ; mig:statusKind "ratification" ;
                            mig:statusDate "2018-05-26"^^xsd:date .""")
    assert not ask(store, "inst:au-free-movement-protocol-2018 eli:first_date_entry_in_force ?d")


def test_observatory_is_established_by_assembly_decision_695(store):
    assert claim_exists(
        store, "inst:african-migration-observatory", "mig:establishedBy", "inst:au-assembly-2018-decision-695"
    )
    assert ask(store, """inst:au-assembly-2018-decision-695 a mig:DocumentaryInstrument ;
                            eli:id_local "Assembly/AU/Dec.695 (XXXI)" ; mig:issuedBy orgid:au-assembly ;
                            eli:date_document "2018-07-01"^^xsd:date ; mig:datePrecision "month" .""")
    assert not ask(store, "inst:au-assembly-2018-decision-695 dcterms:title ?t")  # the official title is unknown


def test_2013_agreement_parties_are_the_two_agencies_and_its_title_is_its_own(store):
    parties = {str(r["p"].value).rsplit("/", 1)[1]
               for r in rows(store, "SELECT ?p WHERE { inst:ph-de-2013-triple-win-agreement mig:party ?p }")}
    assert parties == {"poea", "ba-zav"}
    for agency, state in (("orgid:poea", "orgid:philippines"), ("orgid:ba-zav", "orgid:germany")):
        assert ask(store, f"{agency} org:subOrganizationOf {state} . {state} org:classification "
                          "<https://w3id.org/migkg/concept/actor-type/state>")
    assert ask(store, 'inst:ph-de-2013-triple-win-agreement dcterms:title "Agreement Concerning the Placement of '
                      'Filipino Health Professionals in Employment Positions in the Federal Republic of Germany"@en')


def test_union_involvement_is_not_presented_as_foreseen_in_the_2013_agreement(store):
    # The Gender and Migration Hub case study: "Although this was not foreseen in the agreement, ... trade
    # unions ... have been invited to become members of the Joint Committee". Every union claim says so.
    got = rows(store, """SELECT ?c ?role WHERE {
        ?c mig:claimSubject inst:ph-de-2013-triple-win-agreement ; mig:claimPredicate mig:involves ;
           mig:claimObject ?u ; mig:role ?role .
        ?u org:classification <https://w3id.org/migkg/concept/actor-type/trade-union> }""")
    assert len(got) == 4
    assert all("not provided for in the agreement" in r["role"].value for r in got)
    for r in got:
        assert ask(store, f"<{r['c'].value}> dcterms:source <https://gendermigrationhub.org/case-3/>")


@pytest.mark.parametrize(
    ("inst", "decree", "published", "source"),
    [
        ("inst:ecuador-lomh-reglamento-2017", "Decreto Ejecutivo 111", "2017-08-10",
         "https://derechoecuador.com/registro-oficial-no-55-jueves-10-de-agosto-de-2017-suplemento"),
        ("inst:ecuador-lomh-reglamento-2022", "Decreto Ejecutivo 354", "2022-03-10",
         "https://vlex.ec/vid/354-expidese-reglamento-ley-898499123"),
    ],
)
def test_each_lomh_reglamento_rests_on_its_own_decree(store, inst, decree, published, source):
    # Decree 111 (2017) and Decree 354 (2022) each issued a Reglamento; each implements claim quotes the
    # heading of its own decree, with that decree's source (not the other decree's).
    assert ask(store, f'{inst} eli:id_local "{decree}" ; eli:date_publication "{published}"^^xsd:date ; '
                      'dcterms:title "Reglamento a la Ley Orgánica de Movilidad Humana"@es')
    assert claim_exists(store, inst, "mig:implements", "inst:ecuador-lomh-2017")
    got = rows(store, f"""SELECT ?src WHERE {{ ?c mig:claimSubject {inst} ; mig:claimPredicate mig:implements ;
                                               dcterms:source ?src }}""")
    assert source in {str(r["src"].value) for r in got}


def test_lomh_dates_are_kept_apart(store):
    assert ask(
        store,
        """inst:ecuador-lomh-2017 eli:date_document "2017-01-28"^^xsd:date ;
                         eli:date_publication "2017-02-06"^^xsd:date ;
                         eli:id_local "Registro Oficial Suplemento 938" ;
                         dcterms:title "Ley Orgánica de Movilidad Humana"@es .""",
    )


def test_snia_launch_and_approval_are_separate(store):
    assert ask(
        store,
        """inst:morocco-snia mig:dateLaunched "2013-09"^^xsd:gYearMonth ;
                         mig:dateApproved "2014-12-18"^^xsd:date .""",
    )


def test_mpfa_2018_replaces_mpfa_2006(store):
    assert claim_exists(store, "inst:au-mpfa-2018-2030", "dcterms:replaces", "inst:au-mpfa-2006")


# ---------------------------------------------------------------- memberships and parties
def test_timor_leste_asean_membership_begins_2025_10_26(store):
    r = rows(
        store,
        """
        SELECT ?d WHERE {
          ?m a org:Membership ; org:member orgid:timor-leste ; org:organization orgid:asean ;
             org:memberDuring/time:hasBeginning/time:inXSDDate ?d .
        }""",
    )
    assert [x["d"].value for x in r] == ["2025-10-26"]
    assert ask(store, "orgid:timor-leste org:memberOf orgid:asean")


def test_asean_has_eleven_members_now_and_ten_before_timor_leste(store):
    members = rows(
        store,
        "SELECT DISTINCT ?m WHERE { ?x a org:Membership ; org:organization orgid:asean ; org:member ?m }",
    )
    assert len(members) == 11
    before = rows(
        store,
        """
        SELECT DISTINCT ?m WHERE {
          ?x a org:Membership ; org:organization orgid:asean ; org:member ?m ; org:memberDuring/time:hasBeginning ?b .
          { ?b time:inXSDDate ?d . FILTER(?d < "2025-10-26"^^xsd:date) }
          UNION { ?b time:inXSDgYear ?y . FILTER(STR(?y) < "2025") }
        }""",
    )
    assert len(before) == 10


def test_icrmw_has_57_party_statuses(store):
    r = rows(
        store,
        "SELECT (COUNT(DISTINCT ?ps) AS ?n) (COUNT(DISTINCT ?s) AS ?k) WHERE { "
        "?ps a mig:PartyStatus ; mig:ofInstrument inst:icrmw ; mig:partyState ?s . "
        "inst:icrmw mig:party ?s . }",
    )
    assert int(r[0]["n"].value) == 57
    assert int(r[0]["k"].value) == 57
    assert ask(
        store,
        """?ps mig:ofInstrument inst:icrmw ; mig:partyState orgid:morocco ;
                         mig:statusYear "1993"^^xsd:gYear .""",
    )


def test_every_referenced_state_has_a_place(store):
    bad = rows(
        store,
        """
        SELECT ?s WHERE {
          { ?x mig:party ?s } UNION { ?x org:member ?s }
          FILTER NOT EXISTS { ?s dcterms:spatial ?p . ?p skos:inScheme <https://w3id.org/migkg/scheme/place> ;
                                 skos:broader+ place:world }
        }""",
    )
    assert bad == []


# ---------------------------------------------------------------- no unverified fact on a verified record
# (instrument, property, forbidden value or None = the property must be absent) — from facts.md UNVERIFIED items
UNVERIFIED_ON_VERIFIED = [
    ("inst:asean-2022-portability-declaration", "eli:date_document", None),
    ("inst:ph-de-2024-joint-declaration-of-intent", "eli:date_document", '"2024-01-11"^^xsd:date'),
    ("inst:au-free-movement-protocol-2018", "eli:date_document", '"2018-01-29"^^xsd:date'),
]


@pytest.mark.parametrize(("inst", "prop", "value"), UNVERIFIED_ON_VERIFIED)
def test_no_unverified_date_on_verified_record(store, inst, prop, value):
    # An unverified fact may only sit on a record marked unverified (with a comment saying what).
    pattern = f"{inst} {prop} ?v" if value is None else f"{inst} {prop} {value}"
    carries = ask(store, pattern)
    verified = ask(store, f"{inst} mig:curationStatus cs:verified")
    assert not (carries and verified), f"{inst} carries an unverified {prop} but is marked verified"


def test_month_or_year_precision_dates_are_normalised(store):
    """A date whose day is unverified is encoded as the first of the month/year plus mig:datePrecision."""
    bad = rows(
        store,
        """
        SELECT ?i ?d ?p WHERE {
          ?i eli:date_document ?d ; mig:datePrecision ?p .
          FILTER ((?p = "month" && DAY(?d) != 1) || (?p = "year" && (DAY(?d) != 1 || MONTH(?d) != 1)))
        }""",
    )
    assert bad == []
    # the June 2022 Philippines–Germany pair has no day-precision date (the exact day is unverified)
    for i in ("inst:ph-de-2022-mou-healthcare-professionals", "inst:ph-de-2022-loi-skilled-workers"):
        assert ask(store, f'{i} eli:date_document "2022-06-01"^^xsd:date ; mig:datePrecision "month"')


def test_unverified_instruments_carry_no_date(store):
    bad = rows(
        store,
        """
        SELECT ?i WHERE { ?i mig:curationStatus cs:unverified ; eli:date_document ?d .
                          ?i a mig:DocumentaryInstrument
                          # An imported record's date is the dataset's (sourced, with its row), not a
                          # guess; "unverified" there says nobody checked it against the text.
                          FILTER NOT EXISTS { GRAPH ?g { ?i eli:date_document ?d }
                                              FILTER(STRSTARTS(STR(?g), "https://w3id.org/migkg/graph/data/imported/")) }
        }""",
    )
    assert bad == []


def test_all_xsd_dates_are_valid(store):
    for r in rows(store, "SELECT ?o WHERE { ?s ?p ?o . FILTER(isLiteral(?o) && DATATYPE(?o) = xsd:date) }"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["o"].value), r["o"]
