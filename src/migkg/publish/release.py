"""Versioned releases of the ontology: every serialisation, the HTML docs, checksums, CHANGELOG.

The version has one source: ``owl:versionInfo`` in ``ontology/migkg.ttl``. :func:`release` sets it
(and ``owl:versionIRI``, ``dcterms:modified``) in that file, writes the release files and adds the
CHANGELOG entry. Dates are given or taken from git (the last commit), never from the clock.
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD

from migkg.formats import rdf_format
from migkg.namespaces import BASE, ONTOLOGY_IRI
from migkg.publish.export import serialize_graph
from migkg.publish.ontology_docs import ontology_html
from migkg.views.describe import bind_prefixes

log = logging.getLogger(__name__)

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
FORMATS = ("ttl", "jsonld", "nt", "rdf")
CHECKSUMS = "SHA256SUMS"


class ReleaseError(ValueError):
    """The release cannot be made (bad version, already released, missing files)."""


@dataclass(frozen=True)
class Release:
    """What a release wrote."""

    version: str
    date: str
    previous: str | None
    files: tuple[Path, ...]
    checksums: Path


def release(root: Path, version: str, out_dir: Path, date: str | None = None) -> Release:
    """Release the ontology of the project at ``root`` as ``version`` into ``out_dir``."""
    if not SEMVER.match(version):
        raise ReleaseError(f"version {version!r} is not X.Y.Z")
    source = root / "ontology" / "migkg.ttl"
    if not source.is_file():
        raise ReleaseError(f"{source} not found")
    when = date or release_date(root)
    changelog = root / "CHANGELOG.md"
    if changelog.is_file() and f"## [{version}]" in changelog.read_text(encoding="utf-8"):
        raise ReleaseError(f"{version} is already in {changelog.name}")
    previous = set_version(source, version, when)
    ontology = bind_prefixes(Graph().parse(source, format="turtle"))
    schemes = bind_prefixes(Graph())
    for path in sorted((root / "ontology" / "schemes").glob("*.ttl")):
        schemes.parse(path, format="turtle")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = _write(out_dir, f"migkg-{version}", ontology)
    if len(schemes):
        files += _write(out_dir, f"migkg-schemes-{version}", schemes)
    html = out_dir / f"migkg-{version}.html"
    html.write_text(ontology_html(ontology, BASE, BASE), encoding="utf-8")
    files.append(html)
    checksums = write_checksums(out_dir, files)
    add_changelog_entry(changelog, version, when)
    return Release(version, when, previous, tuple(files), checksums)


def _write(out_dir: Path, stem: str, graph: Graph) -> list[Path]:
    written = []
    for suffix in FORMATS:
        path = out_dir / f"{stem}.{suffix}"
        path.write_bytes(serialize_graph(graph, rdf_format(suffix)))
        written.append(path)
    return written


def set_version(source: Path, version: str, date: str) -> str | None:
    """Set ``owl:versionInfo``, ``owl:versionIRI`` and ``dcterms:modified`` of the ontology in
    ``source`` (edited in place, formatting kept); return the previous version."""
    text = source.read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    onto = URIRef(ONTOLOGY_IRI)
    old = graph.value(onto, OWL.versionInfo)
    replacements = (
        ("owl:versionInfo", r'(owl:versionInfo\s+)"[^"]*"', rf'\g<1>"{version}"'),
        ("owl:versionIRI", r"(owl:versionIRI\s+)<[^>]*>", rf"\g<1><{ONTOLOGY_IRI}/{version}>"),
        ("dcterms:modified", r'(dcterms:modified\s+)"[^"]*"\^\^xsd:date', rf'\g<1>"{date}"^^xsd:date'),
    )
    for name, pattern, repl in replacements:
        text, count = re.subn(pattern, repl, text, count=1)
        if count != 1:
            raise ReleaseError(f"{source.name}: no {name} to set")
    check = Graph().parse(data=text, format="turtle")
    if check.value(onto, OWL.versionInfo) != Literal(version) or check.value(
            onto, DCTERMS.modified) != Literal(date, datatype=XSD.date):
        raise ReleaseError(f"{source.name}: the ontology header is not the first one in the file")
    source.write_text(text, encoding="utf-8")
    return None if old is None else str(old)


def write_checksums(out_dir: Path, files: list[Path]) -> Path:
    """A ``sha256sum -c`` compatible file listing every file of the release."""
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sorted(files)]
    target = out_dir / CHECKSUMS
    target.write_text("".join(lines), encoding="utf-8")
    return target


def add_changelog_entry(changelog: Path, version: str, date: str) -> None:
    """Turn the ``[Unreleased]`` section into ``[version] - date`` and open a new empty one.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "CHANGELOG.md"
    >>> _ = p.write_text("# Changelog\\n\\n## [Unreleased]\\n\\n- a change\\n")
    >>> add_changelog_entry(p, "1.0.0", "2026-01-02")
    >>> print(p.read_text())
    # Changelog
    <BLANKLINE>
    ## [Unreleased]
    <BLANKLINE>
    ## [1.0.0] - 2026-01-02
    <BLANKLINE>
    - a change
    <BLANKLINE>
    """
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n"
    heading = f"## [{version}] - {date}"
    if "## [Unreleased]" in text:
        text = text.replace("## [Unreleased]", f"## [Unreleased]\n\n{heading}", 1)
    else:
        text = text.rstrip("\n") + f"\n\n## [Unreleased]\n\n{heading}\n\n- Release {version}.\n"
    changelog.write_text(text, encoding="utf-8")


def release_date(root: Path) -> str:
    """The date of the last git commit under ``root`` (YYYY-MM-DD); the ontology's
    ``dcterms:modified`` when git is not available."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=root, capture_output=True,
                             text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", out):
        return out
    graph = Graph().parse(root / "ontology" / "migkg.ttl", format="turtle")
    modified = graph.value(URIRef(ONTOLOGY_IRI), DCTERMS.modified)
    if modified is None:
        raise ReleaseError("no date: give --date, or run inside git")
    return str(modified)
