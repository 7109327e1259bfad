"""The SHACL engines migkg can validate with (an enum only, so the CLI can name them cheaply)."""

from __future__ import annotations

from enum import Enum


class Engine(str, Enum):
    """The SHACL engine that validates: the fast native one, or pyshacl (the reference)."""

    NATIVE = "native"
    PYSHACL = "pyshacl"
