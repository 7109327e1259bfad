"""Settings: one object, read from ``MIGKG_*`` environment variables, passed into factories.

Nothing here runs at import time; callers build ``Settings()`` (or ``Settings(root_dir=...)`` in
tests) and hand it to ``create_app``, the builders and the stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from migkg.layout import ProjectFolders
from migkg.namespaces import BASE


class Settings(ProjectFolders, BaseSettings):
    """Runtime configuration of the library, the CLI and the web app (the project's folders:
    :class:`~migkg.layout.ProjectFolders`)."""

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

    # Admission control: per-client budgets and parallel requests, the slow lane, bounded queues
    # (429/503 with Retry-After); see migkg.stores.admission and docs/deployment.md.
    client_budget_s: float = Field(
        default=120.0, gt=0, description="Worker CPU-seconds a client may use per budget window.")
    client_budget_window_s: float = Field(
        default=60.0, gt=0, description="The window the budget refills over (a token bucket).")
    client_max_parallel: int = Field(
        default=8, ge=1, description="Requests of one client in progress at once (static files free).")
    slow_query_after_s: float = Field(
        default=0.5, gt=0, description="A query still running after this, having used as much CPU, "
                                       "moves to the slow lane.")
    slow_query_cpu_s: float = Field(
        default=0.25, gt=0, description="...and has used this much CPU in its worker (a cheap query "
                                       "slowed by a busy machine stays in the fast pool).")
    slow_client_after_s: float = Field(
        default=5.0, gt=0, description="A query text one run of which used this much CPU starts its "
                                       "next runs in the slow lane, for slow_client_memory_s.")
    slow_lane_overflow: int = Field(
        default=8, ge=0, description="Further slow-lane places for queries of clients that are not "
                                     "suspect, whose text was not stopped at its deadline.")
    slow_lane_workers: int = Field(
        default=2, ge=1, description="Long queries running at once (one per client), outside the pool.")
    slow_client_memory_s: float = Field(
        default=60.0, ge=0, description="How long a query text stays long or runaway, and a client "
                                        "whose query was stopped at its deadline suspect.")
    slow_lane_nice: int = Field(
        default=19, ge=0, le=19, description="CPU niceness of the slow lane's worker processes "
                                             "(19: the fast lane always gets the CPU first).")
    max_waiting_queries: int = Field(
        default=64, ge=0, description="Queries waiting for a free worker; more get 503.")
    max_wait_s: float = Field(default=10.0, gt=0, description="Longest wait for a free worker (503).")
    reserved_workers: int = Field(
        default=2, ge=0, description="Fast-pool workers kept for clients with a record of quick "
                                     "queries (new and suspect clients share the others; at "
                                     "least one).")
    max_inflight_requests: int = Field(
        default=256, ge=1, description="Requests in progress on the server; more get 503.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of proxies whose Forwarded / X-Forwarded-For "
                    "header names the client; empty: the peer address is the client.")

    journal_dir: Path | None = Field(
        default=None, description="Where accepted updates are journalled; None: data/journal.")
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
