"""A campaign's own files (frozen layout, template, plan) kept in its store."""

from __future__ import annotations

from . import Store, now


def put_file(store: Store, name: str, content: bytes) -> None:
    with store.transaction() as db:
        db.execute("INSERT INTO campaign_files (name, content, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET content = excluded.content, "
                   "updated_at = excluded.updated_at", (name, content, now()))


def get_files(store: Store) -> dict[str, bytes]:
    return {name: bytes(content) for name, content in
            store.db.execute("SELECT name, content FROM campaign_files")}
