"""The commitment frame's importers (issue 11), by name: states, gcm, sdg, treaties, ilo."""

from __future__ import annotations

from pathlib import Path

from migkg.importers.common import Report

NAMES = ("states", "gcm", "sdg", "treaties", "ilo")


def run(root: Path, what: str) -> list[Report]:
    """Run the importer ``what`` (or all of them, in order) over the raw files under ``root``."""
    reports: list[Report] = []
    for name in NAMES if what == "all" else (what,):
        if name == "states":
            from migkg.importers import states

            reports.append(states.run(root))
        elif name == "gcm":
            from migkg.importers import gcm

            reports.append(gcm.run(root))
        elif name == "sdg":
            from migkg.importers import sdg

            reports.append(sdg.run(root))
        elif name == "treaties":
            from migkg.importers import treaties

            reports.append(treaties.run(root))
        elif name == "ilo":
            from migkg.importers import ilo

            reports.append(ilo.run(root))
        else:
            raise ValueError(f"unknown importer {name!r}; expected one of {', '.join(NAMES)}")
    return reports
