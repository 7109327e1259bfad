"""Import a Migration Network Hub listing (plain text copied from a Hub objective page) as draft RDF.

The listing is a run of practices, each: a title line, a "Submitted by … on …" line, then description
paragraphs; a footer "Subscribe to Objective N: title" names the objective. Every practice becomes a
source record (``prov:Entity``, ``mig:HubRecord``) linked to a draft instrument that a curator then
completes. A block the parser cannot read is reported with its line number; the others still import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from migkg.namespaces import CONCEPT, GCM_OBJECTIVE, ID, MIG, PREFIXES

RECORD = Namespace(str(ID) + "record/")
INSTRUMENT = Namespace(str(ID) + "instrument/")

_SUBMITTED = re.compile(r"^Submitted by\s+(?P<who>.+?)\s+on\b\s*(?P<date>.*)$")
_SUBMITTED_LOOSE = re.compile(r"^Submitted\b", re.IGNORECASE)
_FOOTER = re.compile(r"^Subscribe to Objective\s+(?P<n>\d{1,2})\s*:\s*(?P<title>.+)$")
_MAX_TITLE = 200  # longer "titles" are paragraphs whose practice lost its title line
_SENTENCE_END = re.compile(r"[.!?;:)\"'”’]$")


@dataclass(frozen=True)
class Practice:
    """One practice of the listing, as written (whitespace normalised)."""

    title: str
    submitted_by: str
    submitted_on: str | None
    paragraphs: tuple[str, ...]
    line: int  # 1-based line of the title

    @property
    def truncated(self) -> bool:
        """True when the last paragraph stops mid-sentence (the Hub cuts long teasers)."""
        return bool(self.paragraphs) and not _SENTENCE_END.search(self.paragraphs[-1])


@dataclass(frozen=True)
class Problem:
    """A part of the listing that could not be read as a practice."""

    line: int
    message: str
    text: str


@dataclass(frozen=True)
class Listing:
    """What the parser read: the practices, the objective of the footer, and the problems."""

    practices: tuple[Practice, ...]
    objective: int | None
    objective_title: str | None
    problems: tuple[Problem, ...] = field(default=())


def _blocks(text: str) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers, whitespace collapsed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [(n, " ".join(raw.split())) for n, raw in enumerate(lines, 1) if raw.strip()]


def parse_listing(text: str) -> Listing:
    """Parse a listing; never raises on odd input, but reports what it skipped in ``problems``.

    >>> listing = parse_listing("A law\\n\\nSubmitted by Anonymous (not verified) on\\n\\nIt works.")
    >>> listing.practices[0].title, listing.practices[0].submitted_by
    ('A law', 'Anonymous (not verified)')
    """
    lines = _blocks(text)
    objective, objective_title, body = _footer(lines)
    starts = [i for i, (_, line) in enumerate(body) if _SUBMITTED_LOOSE.match(line)]
    practices: list[Practice] = []
    problems: list[Problem] = []
    first_title = starts[0] - 1 if starts else len(body)
    for number, line in body[: max(first_title, 0)]:
        problems.append(Problem(number, "text before the first practice (no 'Submitted by' line)",
                                line))
    for k, start in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(body)
        practice, problem = _practice(body, start, end)
        if practice:
            practices.append(practice)
        if problem:
            problems.append(problem)
    return Listing(tuple(practices), objective, objective_title, tuple(problems))


def _footer(lines: list[tuple[int, str]]) -> tuple[int | None, str | None, list[tuple[int, str]]]:
    for index in range(len(lines) - 1, -1, -1):
        found = _FOOTER.match(lines[index][1])
        if found:
            return int(found["n"]), found["title"].strip(), lines[:index] + lines[index + 1 :]
    return None, None, lines


def _practice(
    body: list[tuple[int, str]], start: int, end: int
) -> tuple[Practice | None, Problem | None]:
    number, submitted = body[start]
    found = _SUBMITTED.match(submitted)
    if start == 0 or _SUBMITTED_LOOSE.match(body[start - 1][1]):
        return None, Problem(number, "'Submitted by' line without a title before it", submitted)
    title_line, title = body[start - 1]
    if len(title) > _MAX_TITLE:
        return None, Problem(title_line, "no title: the line before 'Submitted by' is a paragraph",
                             title)
    if not found:
        return None, Problem(number, f"cannot read the submitter of {title!r}", submitted)
    paragraphs = tuple(line for _, line in body[start + 1 : end])
    return Practice(title, found["who"].strip(), found["date"].strip() or None, paragraphs,
                    title_line), None


def slugify(text: str, max_words: int = 8) -> str:
    """A readable IRI slug.

    >>> slugify("Declarations on Portability of Social Security Benefits, for ASEAN!")
    'declarations-on-portability-of-social-security-benefits-for'
    """
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words]) or "untitled"


def to_graph(listing: Listing, source_iri: str) -> Graph:
    """Draft RDF: one source record per practice, each describing a draft instrument to curate."""
    graph = Graph()
    for prefix in ("dcterms", "mig", "prov", "skos", "gcmo"):
        graph.bind(prefix, PREFIXES[prefix])
    graph.bind("record", RECORD)
    graph.bind("inst", INSTRUMENT)
    source = URIRef(source_iri)
    graph.add((source, RDF.type, PROV.Entity))
    unverified = CONCEPT["curation-status/unverified"]
    for practice in listing.practices:
        slug = slugify(practice.title)
        record = RECORD[f"hub-obj{listing.objective or 0}-{slug}"]
        instrument = INSTRUMENT[slug]
        graph.add((record, RDF.type, PROV.Entity))
        graph.add((record, RDF.type, MIG.HubRecord))
        graph.add((record, DCTERMS.title, Literal(practice.title, lang="en")))
        graph.add((record, MIG.submittedBy, Literal(practice.submitted_by)))
        graph.add((record, MIG.descriptionText, Literal("\n\n".join(practice.paragraphs),
                                                        lang="en")))
        graph.add((record, PROV.wasDerivedFrom, source))
        graph.add((record, MIG.describes, instrument))
        if listing.objective:
            graph.add((record, MIG.listedUnder, GCM_OBJECTIVE[str(listing.objective)]))
        if practice.truncated:
            graph.add((record, RDFS.comment,
                       Literal("The listing's description stops mid-sentence.", lang="en")))
        graph.add((instrument, SKOS.prefLabel, Literal(practice.title, lang="en")))
        graph.add((instrument, DCTERMS.source, source))
        graph.add((instrument, MIG.curationStatus, unverified))
    return graph


def describe_problems(problems: Sequence[Problem], filename: str) -> list[str]:
    """``file:line: message: text`` lines, one per problem."""
    return [f"{filename}:{p.line}: {p.message}: {p.text[:80]}" for p in problems]
