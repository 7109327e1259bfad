"""The GCM to action level: ``migkg import gcm``.

Reads the vendored transcription of A/RES/73/195 (``data/sources/raw/gcm-text/gcms_long.md``): per
objective a ``# Objective N`` heading, a ``## Title:`` line, the commitment paragraph, a ``## Associated
actions`` heading and one ``- x. text`` line per lettered action. Writes
``data/imported/gcm-text/gcm.ttl``: each objective's commitment paragraph (verbatim, whitespace
normalised) and paragraph number (objective + 16), and each action as a ``mig:Commitment`` concept
``gcm/objective/{n}/action/{letter}`` under its objective (``skos:broader``), notation ``n(x)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from migkg.importers.common import (
    RAW_DIR,
    Dataset,
    Report,
    describe_dataset,
    line_iri,
    new_graph,
    normalise_space,
    write_turtle,
)
from migkg.namespaces import GCM_OBJECTIVE, MIG, SCHEME

FILE = "gcms_long.md"
GCM_DOC = URIRef("https://undocs.org/A/RES/73/195")
PARAGRAPH_OFFSET = 16  # objective n is set out in paragraph n + 16 of A/RES/73/195
EXPECTED_OBJECTIVES = 23
EXPECTED_ACTIONS = 187
DATASET = Dataset(
    "gcm-text", "Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195): objectives and "
    "actions as text", "iomeval (PyPI package)", "https://pypi.org/project/iomeval/",
    "iomeval 0.4.1, file iomeval/files/themes/gcms_long.md",
    license="http://www.apache.org/licenses/LICENSE-2.0",
    rights="The package's licence (LICENSE-iomeval, Apache 2.0) covers the package; the text is UN General "
           "Assembly resolution A/RES/73/195, cited as the primary source.")

_OBJECTIVE = re.compile(r"^# Objective (\d{1,2})\s*$")
_TITLE = re.compile(r"^## Title:\s*(.+)$")
_ACTIONS = re.compile(r"^## Associated actions\s*$")
_ACTION = re.compile(r"^- ([a-z])\.\s+(.+)$")


@dataclass(frozen=True)
class Action:
    """One lettered action: its objective, letter, verbatim text and 0-based line."""

    objective: int
    letter: str
    text: str
    line: int


@dataclass(frozen=True)
class Objective:
    """One objective: number, title, commitment paragraph, its 0-based first line, and actions."""

    number: int
    title: str
    commitment: str
    line: int
    actions: tuple[Action, ...]


class GcmTextError(ValueError):
    """The transcription does not have the expected structure (with the line where it broke)."""


def action_iri(objective: int, letter: str) -> URIRef:
    """The IRI of a GCM action.

    >>> str(action_iri(1, "f"))
    'https://w3id.org/migkg/gcm/objective/1/action/f'
    """
    return URIRef(f"{GCM_OBJECTIVE}{objective}/action/{letter}")


def parse(text: str, source: str = FILE, headings: list[str] | None = None) -> list[Objective]:
    """Parse the transcription; raise :class:`GcmTextError` naming the line of any surprise.

    Sub-headings among the actions (a line ending with a colon, such as Objective 2's "Natural
    disasters, ...:") are not actions; they are appended to ``headings`` when it is given.
    """
    headings = [] if headings is None else headings
    objectives: list[Objective] = []
    lines = text.splitlines()
    current: dict[str, object] | None = None

    def close() -> None:
        if current is not None:
            objectives.append(Objective(
                number=int(str(current["number"])), title=str(current["title"]),
                commitment=normalise_space(" ".join(current["commitment"])),  # type: ignore[arg-type]
                line=int(str(current["line"])), actions=tuple(current["actions"]),  # type: ignore[arg-type]
            ))

    in_actions = False
    for index, raw in enumerate(lines):
        line = raw.strip()
        if match := _OBJECTIVE.match(line):
            close()
            current = {"number": match.group(1), "title": "", "commitment": [], "line": index,
                       "actions": []}
            in_actions = False
        elif current is None or not line:
            continue
        elif match := _TITLE.match(line):
            current["title"] = normalise_space(match.group(1))
        elif _ACTIONS.match(line):
            in_actions = True
        elif in_actions:
            found = _ACTION.match(line)
            if not found and line.endswith(":"):
                headings.append(f"{source}:{index + 1}: sub-heading {line!r} among the actions of "
                                f"objective {current['number']} (not an action)")
                continue
            if not found:
                raise GcmTextError(f"{source}:{index + 1}: not a '- x. text' action line: {line[:60]!r}")
            actions = current["actions"]
            assert isinstance(actions, list)
            actions.append(Action(int(str(current["number"])), found.group(1),
                                  normalise_space(found.group(2)), index))
        else:
            commitment = current["commitment"]
            assert isinstance(commitment, list)
            commitment.append(line)
    close()
    numbers = [o.number for o in objectives]
    if numbers != list(range(1, EXPECTED_OBJECTIVES + 1)):
        raise GcmTextError(f"{source}: objectives {numbers} are not 1..{EXPECTED_OBJECTIVES} in order")
    for objective in objectives:
        letters = "".join(a.letter for a in objective.actions)
        if letters != "abcdefghijklmnopqrstuvwxyz"[: len(letters)]:
            raise GcmTextError(f"{source}:{objective.line + 1}: objective {objective.number} has "
                               f"actions {letters!r}, not consecutive letters from a")
    return objectives


def to_graph(objectives: list[Objective]) -> Graph:
    """Commitment paragraphs on the objectives, and the actions as concepts under them."""
    g = new_graph()
    describe_dataset(g, DATASET)
    for objective in objectives:
        node = GCM_OBJECTIVE[str(objective.number)]
        g.add((node, MIG.commitmentText, Literal(objective.commitment, lang="en")))
        g.add((node, MIG.paragraph, Literal(objective.number + PARAGRAPH_OFFSET, datatype=XSD.integer)))
        g.add((node, PROV.wasDerivedFrom, line_iri("gcm-text", FILE, objective.line)))
        for action in objective.actions:
            iri = action_iri(action.objective, action.letter)
            notation = f"{action.objective}({action.letter})"
            g.add((iri, RDF.type, SKOS.Concept))
            g.add((iri, RDF.type, MIG.Commitment))
            g.add((iri, SKOS.prefLabel, Literal(f"Objective {action.objective}, action ({action.letter})",
                                                lang="en")))
            g.add((iri, SKOS.altLabel, Literal(f"GCM {notation}", lang="en")))
            g.add((iri, SKOS.notation, Literal(notation)))
            g.add((iri, SKOS.definition, Literal(action.text, lang="en")))
            g.add((iri, SKOS.inScheme, SCHEME["gcm-objectives"]))
            g.add((iri, SKOS.broader, node))
            g.add((iri, MIG.paragraph, Literal(objective.number + PARAGRAPH_OFFSET, datatype=XSD.integer)))
            g.add((iri, DCTERMS.source, GCM_DOC))
            g.add((iri, PROV.wasDerivedFrom, line_iri("gcm-text", FILE, action.line)))
    return g


HEADER = """Generated by `migkg import gcm` from data/sources/raw/gcm-text/gcms_long.md (a transcription of
A/RES/73/195): do not edit; rerun the importer. Commitment paragraphs of the 23 objectives (verbatim,
whitespace normalised, paragraph = objective + 16) and the 187 lettered actions, each a mig:Commitment
under its objective. Texts are the transcription's, with its stray spaces around commas."""


def run(root: Path) -> Report:
    """Parse the vendored text and write ``data/imported/gcm-text/gcm.ttl``."""
    report = Report("gcm")
    objectives = parse((root / RAW_DIR / "gcm-text" / FILE).read_text(encoding="utf-8"),
                       headings=report.notes)
    actions = sum(len(o.actions) for o in objectives)
    if actions != EXPECTED_ACTIONS:
        report.notes.append(f"{actions} actions read, {EXPECTED_ACTIONS} expected")
    report.counts["objectives"] = len(objectives)
    report.counts["actions"] = actions
    write_turtle(to_graph(objectives), root / "data" / "imported" / "gcm-text" / "gcm.ttl", HEADER)
    return report
