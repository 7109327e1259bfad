"""What the web layer adds around an accepted update: who sent it (for the journal), fresh caches.

The journal (:mod:`migkg.journal`) records the client's address and a fingerprint of the token; the
store generation is bumped once the update is applied, which clears the one view cache (figures,
profiles, the ontology page, the downloads), so every page and file follows the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request

from migkg.journal import Author, author, token_id
from migkg.stores.admission import current
from migkg.web.generation import bump_generation
from migkg.web.state import settings_of


@contextmanager
def accepted_update(request: Request) -> Iterator[None]:
    """Around applying an update: its author set for the journal, the caches dropped afterwards."""
    ticket = current.get()
    client = ticket.client if ticket else (request.client.host if request.client else "unknown")
    secret = settings_of(request).update_token
    mark = author.set(Author(client, token_id(secret.get_secret_value()) if secret else "none"))
    try:
        yield
    finally:
        author.reset(mark)
        bump_generation(request.app)  # cached views, pages and files are recomputed
