"""Fuzzing a live server: no query, update or page parameter may answer 5xx or hurt the server.

One uvicorn server on loopback over the repository's data in an on-disk store (worker processes, as
``migkg serve`` runs it). Each case is sent, its answer must be 2xx/4xx (a query that runs into the
deadline may be a 503 *with the deadline's message*, a result over the row or byte cap the
documented 507: the limits working, not a crash), and after each case the server must still answer
a cheap query. Cases: every construct nested far past
the limit and far past what crashed pyoxigraph (a segmentation fault in the worker, a 500 before),
long chains (UNION, ``&&``, ``!``, path steps, triple patterns), huge literals, IRIs and names,
invalid UTF-8 and odd Unicode, seeded random mutations of the catalogue queries (``queries/cq``),
the same for updates, and junk in the pages' parameters. ``MIGKG_FUZZ_SEED`` replays another seed;
the random part stops after ``MUTATIONS`` cases or ``BUDGET_S`` seconds, whichever comes first.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import REPO, live_server

from migkg.build import ensure_store
from migkg.config import Settings
from migkg.stores.text_limits import TextLimits, TextTooComplex, check_text
from migkg.web.server import make_app

SEED = int(os.environ.get("MIGKG_FUZZ_SEED", "14"))
MUTATIONS = 150
BUDGET_S = 25.0
TOKEN = "fuzz-token"
Q = {"content-type": "application/sparql-query"}
U = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
PROBE = "ASK { ?s ?p ?o }"
P = "<https://w3id.org/migkg/ontology#party>"
DEEP = (65, 5_000, 60_000)  # just past the limit; where pyoxigraph crashed; far past it
LONG = (300, 10_000, 60_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server over the repository's data on disk, updates enabled, 3 s deadline."""
    tmp = tmp_path_factory.mktemp("fuzz")
    settings = Settings(root_dir=REPO, store_dir=tmp / "store", query_workers=2, query_timeout_s=3.0,
                        update_token=TOKEN, journal_dir=tmp / "journal")
    ensure_store(settings)
    with live_server(make_app(settings)) as base:
        yield base


def nested(kind: str, n: int) -> str:
    """A query with ``n`` levels of one construct."""
    if kind == "group":
        return "SELECT * WHERE " + "{" * n + "?s ?p ?o" + "}" * n
    if kind == "optional":
        return "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * n + "}" * n + " }"
    if kind == "union":
        return "SELECT * WHERE " + "{ { ?s ?p ?o } UNION " * n + "{ ?s ?p ?o }" + " }" * n
    if kind == "minus":
        return "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o " * n + "}" * n + " }"
    if kind == "subselect":
        return "SELECT * WHERE { " + "{ SELECT * WHERE " * n + "{ ?s ?p ?o }" + " }" * n + " }"
    if kind == "exists":
        return "SELECT * WHERE { ?s ?p ?o " + "FILTER EXISTS { ?s ?p ?o " * n + "}" * n + " }"
    if kind == "filter":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "?o" + ")" * n + ") }"
    if kind == "function":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + "STR(" * n + "?o" + ")" * n + " != '') }"
    if kind == "minus-sign":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + "-(" * n + "1" + ")" * n + " < 0) }"
    if kind == "path":
        return f"SELECT * WHERE {{ ?s {'(' * n}{P}{')' * n} ?o }}"
    if kind == "path-inverse":
        return f"SELECT * WHERE {{ ?s {'^(' * n}{P}{')' * n} ?o }}"
    if kind == "blank-node":
        return f"SELECT * WHERE {{ ?s {P} {('[ ' + P + ' ') * n}?o{' ]' * n} }}"
    if kind == "collection":
        return "SELECT * WHERE { ?s ?p " + "(" * n + "1" + ")" * n + " }"
    if kind == "bind":
        return "SELECT * WHERE { BIND(" + "(1 + " * n + "1" + ")" * n + " AS ?x) }"
    if kind == "graph":
        return "SELECT * WHERE { " + "GRAPH ?g { " * n + "?s ?p ?o" + " }" * n + " }"
    raise ValueError(kind)


def chain(kind: str, n: int) -> str:
    """A query with a flat chain of ``n`` items."""
    if kind == "union":
        return "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }"
    if kind == "and":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + " && ".join(["true"] * n) + ") }"
    if kind == "or":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["false"] * n) + ") }"
    if kind == "sequence":
        return "SELECT * WHERE { ?s " + "/".join([P] * n) + " ?o }"
    if kind == "alternative":
        return "SELECT * WHERE { ?s " + "|".join([P] * n) + " ?o }"
    if kind == "inverse":
        return "SELECT * WHERE { ?s " + "/".join(["^" + P] * n) + " ?o }"
    if kind == "patterns":
        return "SELECT * WHERE { " + " . ".join(f"?s{i} {P} ?o{i}" for i in range(n)) + " }"
    if kind == "objects":
        return f"SELECT * WHERE {{ ?s {P} " + " , ".join(f"?o{i}" for i in range(n)) + " }"
    if kind == "not":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * n + "true) }"
    if kind == "plus":
        return "SELECT * WHERE { BIND(" + " + ".join(["1"] * n) + " AS ?x) }"
    raise ValueError(kind)


NESTED = ("group", "optional", "union", "minus", "subselect", "exists", "filter", "function",
          "minus-sign", "path", "path-inverse", "blank-node", "collection", "bind", "graph")
CHAINS = ("union", "and", "or", "not", "sequence", "alternative", "inverse", "patterns", "objects", "plus")

HUGE = [
    "SELECT * WHERE { ?s ?p '" + "x" * 200_000 + "' }",
    'SELECT * WHERE { ?s ?p """' + "y\n" * 100_000 + '""" }',
    "SELECT * WHERE { ?s ?p <https://example.org/" + "a" * 100_000 + "> }",
    "PREFIX p" + "x" * 50_000 + ": <https://e/> SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT ?" + "v" * 90_000 + " WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(30_000)) + " } }",
    "SELECT * WHERE { ?s ?p '" + "\\u0041" * 30_000 + "' }",
    "SELECT * WHERE { ?s ?p " + "9" * 50_000 + " }",
    "# " + "comment " * 20_000 + "\nSELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1" + " " * 99_000,
]

RAW_BODIES = [
    b"SELECT * WHERE { ?s ?p '\xff\xfe' }",
    b"SELECT * WHERE { ?s ?p '\xed\xa0\x80' }",  # an encoded surrogate
    b"SELECT * WHERE { ?s ?p '\xc0\xaf' }",  # an overlong encoding
    b"\xef\xbb\xbfSELECT * WHERE { ?s ?p ?o } LIMIT 1",  # a byte-order mark
    b"SELECT * WHERE { ?s ?p '\x00' }",
    b"SELECT * WHERE { ?s ?p ?o \x00 }",
    b"\x80\x81\x82",
    bytes(range(256)),
]

ODD_TEXT = [
    "SELECT * WHERE { ?s ?p '\\uD800' }",
    "SELECT * WHERE { ?s ?p '\\U0010FFFF' }",
    "SELECT * WHERE { ?s ?p '\\U00110000' }",
    "SELECT * WHERE { ?s ?p <\u202e\u0000> }",
    "SELECT * WHERE { ?s ?p 'x'@" + "a" * 5000 + " }",
    "SELECT * WHERE { ?s ?p 'x'^^<" + "http://e/" * 400 + "> }",
    "SELECT * WHERE { ?s ?p '\U0001f600' }",
    "SÉLECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, '" + "(a*)*" * 200 + "b')) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, '[')) }",
    "SELECT * WHERE { BIND(xsd:integer('" + "9" * 5000 + "') AS ?x) }",
    "SELECT * WHERE { BIND(STRDT('x', <http://www.w3.org/2001/XMLSchema#dateTime>) AS ?x) }",
]


def updates() -> list[str]:
    """Update texts: nested and long, plus huge data."""
    found = [
        "INSERT DATA { GRAPH <urn:fuzz> { <urn:s> <urn:p> " + "(" * n + "1" + ")" * n + " } }"
        for n in DEEP
    ]
    found += [
        "DELETE { ?s ?p ?o } WHERE " + "{" * n + "?s <urn:none> ?o" + "}" * n for n in DEEP
    ]
    found += [
        "INSERT { GRAPH <urn:fuzz> { ?s <urn:p> 1 } } WHERE { " + " UNION ".join(
            ["{ ?s <urn:none> ?o }"] * n) + " }" for n in LONG
    ]
    found += [
        "INSERT { GRAPH <urn:fuzz> { ?s <urn:p> 1 } } WHERE { " + " . ".join(
            f"?s <urn:none> ?o{i}" for i in range(n)) + " }" for n in LONG
    ]
    found += [
        "INSERT DATA { GRAPH <urn:fuzz> { " + " . ".join(
            f"<urn:s{i}> <urn:p> {i}" for i in range(5_000)) + " } }",
        "INSERT DATA { GRAPH <urn:fuzz> { <urn:s> <urn:p> '" + "z" * 100_000 + "' } }",
        "INSERT DATA { GRAPH <urn:fuzz> { <urn:" + "i" * 50_000 + "> <urn:p> 1 } }",
        "INSERT DATA { GRAPH <urn:fuzz> { <urn:s> <urn:p> '\\uD800' } }",
        "CLEAR GRAPH <urn:does-not-exist>",
        "DROP GRAPH <urn:does-not-exist>",
        "LOAD <file:///etc/passwd>",
        "INSERT DATA { GRAPH <urn:fuzz> { _:b <urn:p> _:b } }",
    ]
    return found


def catalogue() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((REPO / "queries" / "cq").glob("*.rq"))]


ALPHABET = "{}()[]<>?$.;,|/^*+!&=\"'#:@_- \n\tSELECTWHEREOPTIONALUNIONFILTER0123456789é\u0000\ufffd"


def mutate(rng: random.Random, text: str) -> str:
    """One random edit of ``text``: cut, repeat, insert, swap or truncate."""
    if not text:
        return rng.choice(ALPHABET)
    i = rng.randrange(len(text))
    j = min(len(text), i + rng.randint(1, 40))
    op = rng.randrange(7)
    if op == 0:
        return text[:i] + text[j:]
    if op == 1:
        return text[:j] + text[i:j] * rng.choice((2, 50, 3_000)) + text[j:]
    if op == 2:
        return text[:i] + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))) + text[i:]
    if op == 3:
        k = rng.randrange(len(text))
        return text[:i] + text[k] + text[i + 1:]
    if op == 4:
        return text[:i]
    if op == 5:
        return text[:i] + rng.choice("{([") * rng.choice((10, 100, 10_000)) + text[i:]
    return text[:i] + text[i:j].swapcase() + text[j:]


def assert_answered(client: httpx.Client, response: httpx.Response, case: str) -> None:
    """2xx/4xx (or the deadline's 503, the caps' 507), and the server still answers a cheap query."""
    status = response.status_code
    by_design = ((status == 503 and "was stopped" in response.text)  # the deadline
                 or (status == 507 and "narrow the query" in response.text))  # the result caps
    assert status < 500 or by_design, f"{status} for {case[:200]!r}: {response.text[:300]}"
    probe = client.get("/sparql", params={"query": PROBE})
    assert probe.status_code == 200, f"unhealthy after {case[:200]!r}: {probe.status_code}"


def refused(response: httpx.Response, *names: str) -> None:
    """A 400 naming one of the limits ``names``, or a 413 for a body over the request cap."""
    if response.status_code == 413:
        assert "larger than" in response.text
        return
    assert response.status_code == 400, response.text[:300]
    assert any(name in response.text for name in names), response.text[:300]


def post(client: httpx.Client, text: str | bytes, headers: dict[str, str]) -> httpx.Response:
    return client.post("/sparql", content=text, headers=headers)


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


@pytest.mark.parametrize("kind", NESTED)
@pytest.mark.server
def test_deep_nesting_is_a_400_naming_the_limit(client: httpx.Client, kind: str) -> None:
    for depth in DEEP:
        text = nested(kind, depth)
        r = post(client, text, Q)
        assert_answered(client, r, text)
        refused(r, "MIGKG_QUERY_MAX_NESTING", "MIGKG_QUERY_MAX_CHARS")


@pytest.mark.parametrize("kind", NESTED)
@pytest.mark.server
def test_nesting_within_the_limit_is_evaluated(client: httpx.Client, kind: str) -> None:
    text = nested(kind, 20) + " LIMIT 10"
    r = post(client, text, Q)
    assert_answered(client, r, text)
    assert "MIGKG_QUERY_MAX" not in r.text  # not refused by a text limit: parsed and run (or 400 syntax)


@pytest.mark.parametrize("kind", CHAINS)
@pytest.mark.server
def test_long_chains_are_refused_or_answered(client: httpx.Client, kind: str) -> None:
    for n in LONG:
        text = chain(kind, n)
        r = post(client, text, Q)
        assert_answered(client, r, text)
        if n >= 10_000:  # where pyoxigraph crashed: always refused before parsing
            refused(r, "MIGKG_QUERY_MAX")


@pytest.mark.parametrize("index", range(len(HUGE)))
@pytest.mark.server
def test_huge_terms(client: httpx.Client, index: int) -> None:
    r = post(client, HUGE[index], Q)
    assert_answered(client, r, HUGE[index])
    assert r.status_code in (200, 400), r.text[:300]


@pytest.mark.server
def test_invalid_bytes_and_odd_unicode(client: httpx.Client) -> None:
    for body in RAW_BODIES:
        assert_answered(client, post(client, body, Q), repr(body))
    for text in ODD_TEXT:
        assert_answered(client, post(client, text, Q), text)
        assert_answered(client, client.get("/sparql", params={"query": text[:4000]}), text)
    for raw in ("%FF%FE", "%ED%A0%80", "%00", "%C0%AF", "%E2%80%AE" * 100):
        r = client.get(f"/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%22{raw}%22%7D")
        assert_answered(client, r, raw)


@pytest.mark.server
def test_a_function_the_engine_lacks_is_a_400_with_its_message(client: httpx.Client) -> None:
    text = "SELECT (<http://example.org/f>(?o) AS ?v) WHERE { ?s ?p ?o } LIMIT 1"
    response = client.get("/sparql", params={"query": text})
    assert response.status_code == 400, response.text[:300]
    assert "<http://example.org/f> is not supported" in response.text
    assert_answered(client, response, text)


@pytest.mark.server
def test_updates(client: httpx.Client) -> None:
    for text in updates():
        r = post(client, text, U)
        assert_answered(client, r, text)
    for text in (nested("group", 5_000), chain("union", 10_000)):
        refused(post(client, "DELETE WHERE " + text.partition("WHERE")[2], U), "MIGKG_QUERY_MAX")


@pytest.mark.server
def test_random_mutations_of_the_catalogue(client: httpx.Client) -> None:
    rng = random.Random(SEED)
    sources = catalogue()
    started = time.monotonic()
    sent = 0
    while sent < MUTATIONS and time.monotonic() - started < BUDGET_S:
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 4)):
            text = mutate(rng, text)
        assert_answered(client, post(client, text, Q), f"seed {SEED} case {sent}: {text}")
        if sent % 10 == 0:  # some as updates too (the same text rarely parses as one)
            assert_answered(client, post(client, text, U), f"seed {SEED} update {sent}: {text}")
        sent += 1
    assert sent >= 30, f"only {sent} mutations in {BUDGET_S} s"


PAGE_JUNK = ["", "x", "\u0000", "é" * 3000, "%", "<script>", "'\"{}", "a" * 100_000, "\ud800",
             "../../etc/passwd", "https://w3id.org/migkg/" + "x/" * 2000, "?" * 500]


@pytest.mark.server
def test_page_parameters(client: httpx.Client) -> None:
    rng = random.Random(SEED)
    names = [path.stem for path in sorted((REPO / "queries" / "cq").glob("*.rq"))]
    for junk in PAGE_JUNK:
        # What a URL can carry: UTF-8 (a lone surrogate becomes U+FFFD), 8k characters (httpx's cap
        # is 64k for the whole URL; uvicorn's request line is larger).
        safe = junk.encode("utf-8", "surrogatepass").decode("utf-8", "replace")[:8000]
        requests = [
            ("/search", {"q": safe}),
            ("/explore/search.json", {"q": safe}),
            ("/explore/graph.json", {"iri": safe, "depth": rng.choice(["1", "-1", "99", safe])}),
            ("/explore/trace.json", {"iri": safe, "max_nodes": safe}),
            ("/explore/path.json", {"from": safe, "to": safe, "rel": safe}),
            (f"/queries/{rng.choice(names)}", {"state": safe, "_format": safe}),
            (f"/queries/{rng.choice(names)}", {rng.choice(["iri", "text", "year", "from"]): safe}),
            ("/doc/" + quote(safe[:3000]), {"lang": safe}),
            ("/", {"lang": safe}),
        ]
        for path, params in requests:
            r = client.get(path, params=params)
            assert_answered(client, r, f"{path} {params}"[:300])


def test_limits_never_refuse_the_catalogue() -> None:
    """Every catalogue and check query passes the default limits (a limit must not break the site)."""
    limits = TextLimits()
    for path in sorted((REPO / "queries").rglob("*.rq")):
        check_text(path.read_text(encoding="utf-8"), limits)
    with pytest.raises(TextTooComplex, match="MIGKG_QUERY_MAX_UNIONS"):
        check_text(chain("union", 300), limits)


def test_data_blocks_of_updates_are_not_patterns() -> None:
    data = "INSERT DATA { " + " . ".join(f"<urn:s{i}> <urn:p> {i}" for i in range(1_000)) + " }"
    check_text(data, TextLimits(), update=True)
    with pytest.raises(TextTooComplex, match="MIGKG_QUERY_MAX_TRIPLE_PATTERNS"):
        check_text(data.replace("INSERT DATA", "INSERT {} WHERE"), TextLimits(), update=True)



def test_a_worker_that_crashes_is_a_400_and_is_replaced(tmp_path: Path) -> None:
    """Past the text limits' protection (here: none), a crashing query still answers 4xx."""
    import pyoxigraph as ox

    from migkg.formats import rdf_format, results_format
    from migkg.stores.base import QueryRequest
    from migkg.stores.limits import QueryPolicy
    from migkg.stores.pooled import PooledOxigraphBackend
    from migkg.stores.workers import WorkerCrashed

    store_dir = tmp_path / "store"
    store = ox.Store(str(store_dir))
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("1"),
                      ox.NamedNode("urn:g")))
    store.flush()
    del store
    backend = PooledOxigraphBackend(store_dir, QueryPolicy(timeout_s=20), 1)
    formats = {"results_format": results_format("json"), "rdf_format": rdf_format("nt")}
    try:
        before = backend.pool.pids()
        with pytest.raises(WorkerCrashed, match="stopped its worker process") as caught:
            backend.execute(QueryRequest(nested("group", 60_000)), **formats)
        assert caught.value.status == 400
        assert backend.ask(QueryRequest("ASK { <urn:s> <urn:p> ?o }")) is True
        assert backend.pool.pids() != before
    finally:
        backend.close()
