"""What the web layer adds around an accepted update: who sent it (for the journal), fresh caches.

The journal (:mod:`migkg.journal`) records the client's address and a fingerprint of the token; the
app's caches of derived documents (the ontology page, the downloads) are dropped once the update is
applied, so every page and file follows the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI, Request

from migkg.journal import Author, author, token_id
from migkg.stores.admission import current

#: ``app.state`` attributes holding documents derived from the data.
CACHES = ("ontology_html", "download_cache")


def forget_caches(app: FastAPI) -> None:
    """Drop every cached derived document; they are rebuilt from the data on the next request."""
    for name in CACHES:
        app.state.__dict__.pop(name, None)


@contextmanager
def accepted_update(request: Request) -> Iterator[None]:
    """Around applying an update: its author set for the journal, the caches dropped afterwards."""
    ticket = current.get()
    client = ticket.client if ticket else (request.client.host if request.client else "unknown")
    secret = request.app.state.settings.update_token
    mark = author.set(Author(client, token_id(secret.get_secret_value()) if secret else "none"))
    try:
        yield
    finally:
        author.reset(mark)
        forget_caches(request.app)
