"""Settings: one object, read from ``MIGKG_*`` environment variables, passed into factories.

Nothing here runs at import time; callers build ``Settings()`` (or ``Settings(root_dir=...)`` in
tests) and hand it to ``create_app``, the builders and the stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from migkg.namespaces import BASE


class Settings(BaseSettings):
    """Runtime configuration of the library, the CLI and the web app."""

    model_config = SettingsConfigDict(env_prefix="MIGKG_", extra="ignore")

    root_dir: Path = Field(
        default_factory=Path.cwd,
        description="Project folder holding ontology/, data/, shapes/ and queries/.",
    )
    store_dir: Path | None = Field(
        default=None, description="On-disk Oxigraph store; None keeps the store in memory."
    )
    public_base: str = Field(
        default=BASE, description="Base of the published IRIs (never changes with hosting)."
    )
    base_url: str | None = Field(
        default=None,
        description="Where the server is reached, e.g. http://127.0.0.1:8000/; None: from the request.",
    )

    # Query safety.
    query_timeout_s: float = Field(default=30.0, gt=0)
    max_result_rows: int = Field(default=100_000, gt=0)
    max_result_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    max_request_bytes: int = Field(default=1024 * 1024, gt=0)
    query_workers: int = Field(
        default=4, ge=1,
        description="Worker processes running queries (more than cores: one is always ready while "
                    "the server answers another; a heavy query holds only one).")
    service_allowlist: list[str] = Field(
        default_factory=list, description="Endpoints a SERVICE clause may call; empty refuses all."
    )
    update_token: SecretStr | None = Field(
        default=None, description="Bearer token enabling SPARQL Update; None disables updates."
    )

    # Store selection.
    store: Literal["embedded", "remote"] = "embedded"
    query_url: str | None = None
    update_url: str | None = None
    graph_store_url: str | None = None
    remote_user: str | None = None
    remote_password: SecretStr | None = None
    remote_token: SecretStr | None = None
    remote_timeout_s: float = Field(default=30.0, gt=0)

    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def ontology_dir(self) -> Path:
        return self.root_dir / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root_dir / "data"

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
