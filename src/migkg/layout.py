"""Where a project keeps its sources: the folders under ``root_dir`` (and the journal's).

Light on purpose (pathlib only): :class:`migkg.config.Settings` inherits these folders, and
``migkg validate`` uses :class:`Layout` on its own when no ``MIGKG_*`` variable is set, without
importing pydantic-settings (see :func:`migkg.cli.common.layout_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING


class ProjectFolders:
    """The project's folders, derived from ``root_dir`` and ``journal_dir``."""

    if TYPE_CHECKING:  # declared by the subclasses (a pydantic field, a dataclass field)
        root_dir: Path
        journal_dir: Path | None

    @property
    def ontology_dir(self) -> Path:
        return self.root_dir / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root_dir / "data"

    @property
    def journal_folder(self) -> Path:
        """The journal of accepted updates (``journal_dir``, else ``data/journal``)."""
        return self.journal_dir if self.journal_dir is not None else self.data_dir / "journal"

    @property
    def shapes_dir(self) -> Path:
        return self.root_dir / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root_dir / "queries"

    @property
    def source_dirs(self) -> tuple[Path, ...]:
        """Folders whose Turtle files become named graphs, in load order."""
        return (self.ontology_dir, self.data_dir, self.shapes_dir)


@dataclass(frozen=True)
class Layout(ProjectFolders):
    """The folders of the project at ``root_dir``, as ``Settings(root_dir=root_dir)`` has them when
    no ``MIGKG_*`` variable is set."""

    root_dir: Path
    journal_dir: Path | None = None
