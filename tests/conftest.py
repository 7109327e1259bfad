"""Shared fixtures, one section per area; the first section is generic (repo data, app, live server)."""
# ruff: noqa: E402 -- each section imports what it needs at its start, so imports follow code

# --- Generic: the repo's data in a store, an app client, a real server on loopback ----------------

import contextlib as _contextlib
import socket as _socket
import threading as _threading
import time as _time
from collections.abc import Iterator as _GIterator
from pathlib import Path as _GPath
from typing import Any as _Any

import pytest as _gpytest  # noqa: PT013 -- private names: several sections share this file

REPO_ROOT = _GPath(__file__).resolve().parents[1]


@_gpytest.fixture(scope="session")
def repo_settings() -> _Any:
    """Settings over the repository's own ontology/, data/, shapes/ and queries/ (store in memory)."""
    from migkg.config import Settings

    return Settings(root_dir=REPO_ROOT)


@_gpytest.fixture(scope="session")
def repo_backend(repo_settings: _Any) -> _GIterator[_Any]:
    """The repository's data built into an in-memory store (with the settings' query policy)."""
    from migkg.web.server import make_backend

    backend = make_backend(repo_settings)
    yield backend
    backend.close()


@_gpytest.fixture(scope="session")
def repo_client(repo_settings: _Any, repo_backend: _Any) -> _GIterator[_Any]:
    """A TestClient of the whole app over the repository's data."""
    from fastapi.testclient import TestClient

    from migkg.web.app import create_app

    with TestClient(create_app(repo_settings, repo_backend)) as client:
        yield client


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with _socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@_contextlib.contextmanager
def live_server(app: _Any) -> _GIterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = _threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = _time.monotonic() + 10
    while not server.started and _time.monotonic() < deadline:
        _time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# --- Linked data (web/resources, downloads, export, dataset, release): a small fixture project -------
# tests/fixtures/linked-data/ plus the repo's ontology/migkg.ttl, built once per session.

import shutil as _shutil
from collections.abc import Iterator as _Iterator
from pathlib import Path as _Path

import pytest as _pytest  # noqa: PT013 -- private names: several sections share this file

_REPO = _Path(__file__).resolve().parents[1]


@_pytest.fixture(scope="session")
def ld_root(tmp_path_factory: _pytest.TempPathFactory) -> _Path:
    """A project folder: the linked-data fixture files and the repo's ontology."""
    root = tmp_path_factory.mktemp("ld-project")
    _shutil.copytree(_REPO / "tests" / "fixtures" / "linked-data", root, dirs_exist_ok=True)
    _shutil.copy(_REPO / "ontology" / "migkg.ttl", root / "ontology" / "migkg.ttl")
    return root


@_pytest.fixture(scope="session")
def ld_backend(ld_root: _Path) -> _Iterator[object]:
    """The fixture project built into an in-memory store."""
    from migkg.build import build_backend
    from migkg.config import Settings

    backend, _ = build_backend(Settings(root_dir=ld_root))
    yield backend
    backend.close()


@_pytest.fixture(scope="session")
def ld_client(ld_root: _Path, ld_backend: object) -> _Iterator[object]:
    """A test client of the app over the fixture project (public base mapped to testserver)."""
    from fastapi.testclient import TestClient

    from migkg.config import Settings
    from migkg.web.app import create_app

    app = create_app(Settings(root_dir=ld_root), ld_backend)  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


# --- explorer (issue 7): a small graph of instruments across levels, in an in-memory store ---------

EXPLORE_TTL = """
@prefix mig: <https://w3id.org/migkg/ontology#> .
@prefix gl: <https://w3id.org/migkg/concept/governance-level/> .
@prefix it: <https://w3id.org/migkg/concept/instrument-type/> .
@prefix am: <https://w3id.org/migkg/concept/assertion-method/> .
@prefix theme: <https://w3id.org/migkg/concept/theme/> .
@prefix place: <https://w3id.org/migkg/concept/place/> .
@prefix scheme: <https://w3id.org/migkg/scheme/> .
@prefix gcmo: <https://w3id.org/migkg/gcm/objective/> .
@prefix inst: <https://w3id.org/migkg/id/instrument/> .
@prefix orgid: <https://w3id.org/migkg/id/org/> .
@prefix claim: <https://w3id.org/migkg/id/claim/> .
@prefix sdg: <http://metadata.un.org/sdg/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

gl:global a skos:Concept ; skos:prefLabel "Global"@en ; skos:notation "1" ;
    skos:inScheme scheme:governance-level .
gl:continental a skos:Concept ; skos:prefLabel "Continental"@en ; skos:notation "3" ;
    skos:inScheme scheme:governance-level .
gl:regional a skos:Concept ; skos:prefLabel "Regional (supranational)"@en ; skos:notation "4" ;
    skos:inScheme scheme:governance-level .
gl:national a skos:Concept ; skos:prefLabel "National"@en ; skos:notation "6" ;
    skos:inScheme scheme:governance-level .
gl:subnational a skos:Concept ; skos:prefLabel "Subnational"@en ; skos:notation "7" ;
    skos:inScheme scheme:governance-level .
gl:local a skos:Concept ; skos:prefLabel "Local"@en ; skos:notation "8" ;
    skos:inScheme scheme:governance-level .
it:declaration a skos:Concept ; skos:prefLabel "Declaration"@en ; skos:inScheme scheme:instrument-type .
it:strategic-plan a skos:Concept ; skos:prefLabel "Strategic plan"@en ;
    skos:inScheme scheme:instrument-type .
it:observatory a skos:Concept ; skos:prefLabel "Observatory"@en ; skos:inScheme scheme:instrument-type .
theme:social-protection a skos:Concept ; skos:prefLabel "Social protection"@en ;
    skos:inScheme scheme:theme .
place:sea a skos:Concept, eli:AdministrativeArea ; skos:prefLabel "South-eastern Asia"@en ;
    skos:inScheme scheme:place .

gcmo:23 a skos:Concept, mig:Commitment ; skos:notation "23" ; skos:inScheme scheme:gcm-objectives ;
    skos:prefLabel "23 - International cooperation"@en, "23 - Cooperación internacional"@es,
        "23 – Coopération internationale"@fr ;
    skos:closeMatch sdg:10.7 .
sdg:10.7 a skos:Concept, mig:Commitment ; skos:notation "10.7" ; skos:prefLabel "SDG target 10.7"@en .

orgid:asean a org:FormalOrganization ; skos:prefLabel "Association of Southeast Asian Nations"@en ;
    skos:altLabel "ASEAN"@en .

inst:gcm a mig:DocumentaryInstrument ; skos:prefLabel "Global Compact for Migration"@en ;
    skos:altLabel "GCM"@en ;
    mig:governanceLevel gl:global .
inst:portability a mig:DocumentaryInstrument ;
    skos:prefLabel "ASEAN Declaration on Portability of Social Security Benefits"@en,
        "Déclaration de l'ASEAN sur la portabilité"@fr ;
    mig:instrumentType it:declaration ; mig:governanceLevel gl:regional ; mig:issuedBy orgid:asean ;
    eli:jurisdiction place:sea ; eli:date_document "2022-11-11"^^xsd:date ;
    mig:theme theme:social-protection ;
    mig:realises inst:cebu, inst:consensus ; mig:contributesTo gcmo:23, sdg:10.7 ;
    dcterms:source <https://example.org/portability> .
claim:portability--realises--cebu a mig:Claim ; mig:claimSubject inst:portability ;
    mig:claimPredicate mig:realises ; mig:claimObject inst:cebu ;
    mig:evidenceText "The Declaration gives effect to the Cebu Declaration."@en ;
    dcterms:source <https://example.org/portability> ; mig:assertionMethod am:stated-in-source .
inst:cebu a mig:DocumentaryInstrument ;
    skos:prefLabel "ASEAN Declaration on the Rights of Migrant Workers"@en ;
    skos:altLabel "Cebu Declaration"@en ; mig:instrumentType it:declaration ;
    mig:governanceLevel gl:regional ;
    mig:issuedBy orgid:asean ; eli:jurisdiction place:sea .
inst:consensus a mig:DocumentaryInstrument ; skos:prefLabel "ASEAN Consensus"@en ;
    mig:instrumentType it:declaration ; mig:governanceLevel gl:regional ; mig:implements inst:cebu .
inst:amo a mig:InstitutionalInstrument ; skos:prefLabel "African Migration Observatory"@en ;
    skos:altLabel "AMO"@en ;
    mig:instrumentType it:observatory ; mig:governanceLevel gl:continental ;
    mig:facilitatesImplementationOf inst:gcm ; mig:contributesTo gcmo:23 .
inst:psnsi a mig:DocumentaryInstrument ;
    skos:prefLabel "National Health and Immigration Strategic Plan"@en ;
    dcterms:title "Plan stratégique national santé et immigration"@fr ; skos:altLabel "PSNSI"@fr ;
    mig:instrumentType it:strategic-plan ; mig:governanceLevel gl:national ; mig:contributesTo gcmo:23 .
inst:oriental a mig:DocumentaryInstrument ; skos:prefLabel "Oriental Regional Health Strategy"@en ;
    mig:instrumentType it:strategic-plan ; mig:governanceLevel gl:subnational ; mig:localizes inst:psnsi .
inst:oujda a mig:DocumentaryInstrument ; skos:prefLabel "Oujda Municipal Health Plan"@en ;
    mig:governanceLevel gl:local ; mig:implements inst:oriental .
inst:lonely a mig:DocumentaryInstrument ; skos:prefLabel "Unrelated Ordinance"@en ;
    mig:governanceLevel gl:local .
"""


@_pytest.fixture(scope="session")
def explore_backend() -> _Iterator[object]:
    """An in-memory store holding :data:`EXPLORE_TTL` in one named graph."""
    import pyoxigraph

    from migkg.stores.oxigraph import OxigraphBackend

    store = pyoxigraph.Store()
    store.load(
        EXPLORE_TTL.encode(),
        format=pyoxigraph.RdfFormat.TURTLE,
        to_graph=pyoxigraph.NamedNode("https://w3id.org/migkg/graph/test/explore"),
    )
    backend = OxigraphBackend(store)
    yield backend
    backend.close()


# --- Remote stores (issue 8): real SPARQL servers on loopback; see tests/remote_servers.py ----------

from remote_servers import oxigraph_server, remote_server, virtuoso_server  # noqa: F401 -- fixtures
