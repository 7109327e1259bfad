"""The query catalogue (``queries/cq/NN-slug.rq``): headers, typed parameters and safe binding.

Each catalogue file holds one SPARQL query whose parameters are plain variables, so the text is
valid SPARQL as it stands. A ``#+`` header describes it (the full syntax is in
``queries/README.md``)::

    #+ summary: Instruments that contribute to a GCM objective
    #+ description: Every instrument that contributes to ?objective, directly or through
    #+   realises / implements / localizes chains.
    #+ param: objective iri = gcmo:23 -- the commitment (GCM objective or SDG target)
    #+ tags: traceability, gcm

Values given for parameters are parsed into typed rdflib terms and bound as variable
substitutions (:attr:`migkg.stores.base.QueryRequest.bindings`); they are never pasted into the
query text. For stores that cannot take bindings (a remote endpoint, YASGUI)
:meth:`CatalogueQuery.runnable_text` writes them into a ``VALUES`` block opening the WHERE group
(:func:`migkg.stores.bindings.inline_bindings`: terms written by pyoxigraph, which escapes them).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, urljoin

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from migkg.namespaces import BASE
from migkg.stores.base import QueryForm, QueryRequest, query_form
from migkg.stores.bindings import inline_bindings

CATALOGUE_SUFFIX = ".rq"
Bindings = dict[str, Identifier]


class ParamType(str, Enum):
    """The types a catalogue parameter can take; each value parses into one kind of rdflib term."""

    IRI = "iri"
    STRING = "string"
    LANG_STRING = "langString"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    GYEAR = "gYear"


class CatalogueError(ValueError):
    """A catalogue file whose header cannot be read."""


class ParameterError(ValueError):
    """A parameter value that cannot be used; ``name`` is the parameter it concerns."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class UnknownParameter(ParameterError):
    """A value was given for a parameter the query does not declare."""


class InvalidParameterValue(ParameterError):
    """A value does not parse as the parameter's type (or a required parameter is missing)."""


@dataclass(frozen=True)
class Param:
    """One declared parameter: a variable of the query, its type, default and documentation."""

    name: str
    type: ParamType
    default: Identifier | None = None
    optional: bool = False
    doc: str = ""

    @property
    def required(self) -> bool:
        """True when a value must be given (no default, not optional)."""
        return self.default is None and not self.optional


@dataclass(frozen=True)
class CatalogueQuery:
    """One catalogue query: its header and its SPARQL text."""

    name: str
    sparql: str
    summary: str
    description: str = ""
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = ()
    prefixes: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def form(self) -> QueryForm | None:
        """SELECT, ASK, CONSTRUCT or DESCRIBE (None if the text is not a query)."""
        return query_form(self.sparql)

    @property
    def slug(self) -> str:
        """The name without its ``NN-`` number, e.g. ``commitment-traceability``."""
        return re.sub(r"^\d+-", "", self.name)

    def param(self, name: str) -> Param:
        """The declared parameter ``name``; raises :class:`UnknownParameter` naming it."""
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise UnknownParameter(name, f"unknown parameter {name!r} for query {self.name!r} "
                                     f"(parameters: {known})")

    def bind(self, values: Mapping[str, str]) -> Bindings:
        """Typed terms for ``values`` (parameter name → text), with defaults for the rest.

        Raises:
            UnknownParameter: a name the query does not declare.
            InvalidParameterValue: a value that is not of the parameter's type, or a required
                parameter without a value.
        """
        bindings: Bindings = {}
        for name, text in values.items():
            param = self.param(name)
            bindings[name] = parse_value(param, text, self.prefixes)
        for param in self.params:
            if param.name in bindings:
                continue
            if param.default is not None:
                bindings[param.name] = param.default
            elif param.required:
                raise InvalidParameterValue(param.name, f"parameter {param.name!r} is required")
        return bindings

    def request(self, values: Mapping[str, str] | None = None) -> QueryRequest:
        """The request running this query with ``values`` bound as substitutions."""
        return QueryRequest(self.sparql, bindings=self.bind(values or {}))

    def runnable_text(self, values: Mapping[str, str] | None = None) -> str:
        """The query text with the bound values (defaults unless given) in a ``VALUES`` block.

        This is the text for YASGUI and stores without substitutions: it runs as it stands.
        """
        return inline_bindings(self.sparql, self.bind(values or {}))


# --- values -------------------------------------------------------------------------------------

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_PNAME = re.compile(r"^([A-Za-z][\w.\-]*)?:(\S*)$")
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def parse_iri(text: str, prefixes: Mapping[str, str] | None = None) -> URIRef:
    """An IRI from ``<iri>``, a prefixed name, an absolute IRI or a reference relative to the base.

    Characters that may not appear in an IRI are percent-encoded, so any text is a value that
    cannot leave the IRI: ``x> } ;`` becomes ``x%3E%20%7D%20;``.

    >>> parse_iri("gcmo:23", {"gcmo": "https://w3id.org/migkg/gcm/objective/"})
    rdflib.term.URIRef('https://w3id.org/migkg/gcm/objective/23')
    >>> parse_iri("<http://example.org/a b>")
    rdflib.term.URIRef('http://example.org/a%20b')
    >>> parse_iri("id/instrument/x")
    rdflib.term.URIRef('https://w3id.org/migkg/id/instrument/x')
    """
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    else:
        value = _expand_pname(value, prefixes or {})
    if not _SCHEME.match(value):
        value = urljoin(BASE, value.lstrip("/"))
    value = _IRI_FORBIDDEN.sub(lambda m: quote(m.group(0), safe=""), value)
    ox.NamedNode(value)  # raises ValueError when it is still not an IRI
    return URIRef(value)


def _expand_pname(value: str, prefixes: Mapping[str, str]) -> str:
    found = _PNAME.match(value)
    if found and (found.group(1) or "") in prefixes:
        return prefixes[found.group(1) or ""] + found.group(2)
    return value


def _unquote(text: str) -> str:
    """The text of a double-quoted JSON-style string, or ``text`` itself when it is not quoted."""
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        decoded = json.loads(text)
        if isinstance(decoded, str):
            return decoded
    return text


def _parse_lang_string(text: str) -> Literal:
    body, at, tag = text.strip().rpartition("@")
    if not at or not _LANG_TAG.match(tag):
        raise ValueError("expected text@lang, e.g. salud@es")
    return Literal(_unquote(body), lang=tag.lower())


def _parse_boolean(text: str) -> Literal:
    lowered = text.strip().lower()
    if lowered not in ("true", "false", "1", "0"):
        raise ValueError("expected true or false")
    return Literal(lowered in ("true", "1"))


def _parse_gyear(text: str) -> Literal:
    if not re.fullmatch(r"-?\d{4,}", text.strip()):
        raise ValueError("expected a year, e.g. 2018")
    return Literal(text.strip(), datatype=XSD.gYear)


def _parse_decimal(text: str) -> Literal:
    try:
        return Literal(Decimal(text.strip()), datatype=XSD.decimal)
    except InvalidOperation as err:
        raise ValueError("expected a decimal number") from err


def _convert(ptype: ParamType, text: str, prefixes: Mapping[str, str]) -> Identifier:
    match ptype:
        case ParamType.IRI:
            return parse_iri(text, prefixes)
        case ParamType.STRING:
            return Literal(_unquote(text))
        case ParamType.LANG_STRING:
            return _parse_lang_string(text)
        case ParamType.INTEGER:
            return Literal(int(text.strip()), datatype=XSD.integer)
        case ParamType.DECIMAL:
            return _parse_decimal(text)
        case ParamType.BOOLEAN:
            return _parse_boolean(text)
        case ParamType.DATE:
            return Literal(date.fromisoformat(text.strip()).isoformat(), datatype=XSD.date)
        case ParamType.GYEAR:
            return _parse_gyear(text)
    raise AssertionError(ptype)  # pragma: no cover


def parse_value(param: Param, text: str, prefixes: Mapping[str, str] | None = None) -> Identifier:
    """The typed term for ``text`` given to ``param``.

    Raises:
        InvalidParameterValue: naming the parameter, its type and the reason.

    >>> parse_value(Param("year", ParamType.GYEAR), "2018").n3()
    '"2018"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    >>> parse_value(Param("n", ParamType.INTEGER), "ten")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    migkg.catalogue.queries.InvalidParameterValue: parameter 'n' expects integer: 'ten' (...)
    """
    try:
        return _convert(param.type, text, prefixes or {})
    except (ValueError, json.JSONDecodeError) as err:
        raise InvalidParameterValue(
            param.name, f"parameter {param.name!r} expects {param.type.value}: {text!r} ({err})"
        ) from err


# --- header -------------------------------------------------------------------------------------

_HEADER_ENTRY = re.compile(r"^#\+ ?(?P<key>[A-Za-z][\w-]*):\s?(?P<value>.*)$")
_HEADER_MORE = re.compile(r"^#\+\s{2,}(?P<value>.*)$")
_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.\-]*)?:\s*<([^>]*)>", re.I | re.M)
_PARAM_SPEC = re.compile(
    r"""^(?P<name>[A-Za-z_]\w*)\s+(?P<type>[A-Za-z]+)(?P<opt>\?)?
        (?:\s*=\s*(?P<default>"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9\-]+)?|<[^>]*>|\S+))?
        (?:\s+--\s*(?P<doc>.*))?\s*$""",
    re.X,
)


def header_entries(text: str) -> Iterator[tuple[str, str]]:
    """The ``(key, value)`` entries of the ``#+`` header; indented lines continue the last value.

    >>> list(header_entries("#+ summary: One\\n#+ description: a\\n#+   b\\n# note\\nSELECT * {}"))
    [('summary', 'One'), ('description', 'a b')]
    """
    entries: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        entry, more = _HEADER_ENTRY.match(line), _HEADER_MORE.match(line)
        if entry:
            entries.append([entry.group("key").lower(), entry.group("value").strip()])
        elif more and entries:
            entries[-1][1] = f"{entries[-1][1]} {more.group('value').strip()}".strip()
    yield from ((key, value) for key, value in entries)


def parse_param(spec: str, prefixes: Mapping[str, str]) -> Param:
    """A :class:`Param` from ``name type[?] [= default] [-- doc]``.

    >>> p = parse_param("objective iri = gcmo:23 -- the objective", {"gcmo": "https://x/"})
    >>> p.name, p.type.value, str(p.default), p.doc
    ('objective', 'iri', 'https://x/23', 'the objective')
    """
    found = _PARAM_SPEC.match(spec.strip())
    if found is None:
        raise CatalogueError(f"malformed param {spec!r}: expected 'name type[?] [= default] [-- doc]'")
    try:
        ptype = ParamType(found.group("type"))
    except ValueError:
        known = ", ".join(t.value for t in ParamType)
        raise CatalogueError(f"param {found.group('name')!r}: unknown type "
                             f"{found.group('type')!r} (known: {known})") from None
    param = Param(found.group("name"), ptype, optional=bool(found.group("opt")),
                  doc=(found.group("doc") or "").strip())
    if found.group("default") is not None:
        try:
            default = parse_value(param, found.group("default"), prefixes)
        except ParameterError as err:
            raise CatalogueError(f"bad default: {err}") from err
        param = Param(param.name, ptype, default, param.optional, param.doc)
    return param


def parse_query(text: str, name: str, path: Path | None = None) -> CatalogueQuery:
    """A :class:`CatalogueQuery` from the text of a ``.rq`` file.

    Raises:
        CatalogueError: a malformed header (the message names the file).
    """
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(text)}
    fields: dict[str, str] = {}
    params: list[Param] = []
    try:
        for key, value in header_entries(text):
            if key == "param":
                params.append(parse_param(value, prefixes))
            else:
                fields[key] = value
    except CatalogueError as err:
        raise CatalogueError(f"{path or name}: {err}") from err
    tags = tuple(t.strip() for t in fields.pop("tags", "").split(",") if t.strip())
    return CatalogueQuery(
        name=name, sparql=text, summary=fields.pop("summary", name),
        description=fields.pop("description", ""), params=tuple(params), tags=tags,
        prefixes=prefixes, path=path, extra=fields,
    )


def load_query_file(path: Path) -> CatalogueQuery:
    """Read one ``.rq`` file; its name is the file stem."""
    return parse_query(path.read_text(encoding="utf-8"), path.stem, path)


def load_catalogue(directory: Path) -> dict[str, CatalogueQuery]:
    """Every ``*.rq`` query under ``directory`` by name, in file-name order."""
    return {p.stem: load_query_file(p) for p in sorted(directory.glob("*" + CATALOGUE_SUFFIX))}


def find_query(catalogue: Mapping[str, CatalogueQuery], name: str) -> CatalogueQuery | None:
    """The query named ``name`` (``07-commitment-traceability``), by slug or by number."""
    if name in catalogue:
        return catalogue[name]
    for query in catalogue.values():
        if name in (query.slug, query.name.split("-", 1)[0]):
            return query
    return None


def resolve_query(target: str, catalogue_dir: Path, stdin: TextIO | None = None) -> CatalogueQuery:
    """The query named by ``target``: ``-`` (read ``stdin``), a ``.rq`` file, or a catalogue name.

    Raises:
        CatalogueError: no such file or catalogue query, or a malformed header.
    """
    if target == "-":
        return parse_query((stdin or sys.stdin).read(), "stdin")
    path = Path(target)
    if path.is_file():
        return load_query_file(path)
    if path.suffix == CATALOGUE_SUFFIX:
        raise CatalogueError(f"no such query file: {target}")
    found = find_query(load_catalogue(catalogue_dir), target)
    if found is None:
        raise CatalogueError(f"no catalogue query named {target!r} in {catalogue_dir}")
    return found


# --- running: parameters from the command line, results as a table -----------------------------------


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """``name=value`` strings (``--param``) as a mapping; a repeated name is an error.

    >>> parse_assignments(["objective=gcmo:23", "text=a=b"])
    {'objective': 'gcmo:23', 'text': 'a=b'}
    """
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InvalidParameterValue(pair, f"expected name=value, got {pair!r}")
        if name in values:
            raise InvalidParameterValue(name, f"parameter {name!r} given more than once")
        values[name] = value
    return values
