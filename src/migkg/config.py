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

    # Limits on the text of a query or update, checked before parsing (400 naming the limit); see
    # migkg.stores.text_limits and docs/deployment.md.
    query_max_chars: int = Field(default=100_000, gt=0,
                                 description="Characters in a query (updates: max_request_bytes).")
    query_max_nesting: int = Field(default=64, gt=0,
                                   description="Depth of nested braces, parentheses and brackets.")
    query_max_tokens: int = Field(default=20_000, gt=0,
                                  description="Tokens (words, terms, operators) outside DATA blocks.")
    query_max_literal_chars: int = Field(default=65_536, gt=0, description="Characters in a literal.")
    query_max_iri_chars: int = Field(default=4_096, gt=0, description="Characters in an IRI.")
    query_max_triple_patterns: int = Field(
        default=256, gt=0, description="Triple-pattern separators ('.', ';', ',') outside DATA blocks.")
    query_max_unions: int = Field(default=256, gt=0, description="UNION operators.")
    query_max_operators: int = Field(default=512, gt=0, description="'&&', '||' and '!' operators.")
    query_max_path_steps: int = Field(default=256, gt=0,
                                      description="Property-path steps ('/', '|', '^').")

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
