"""The catalog of characters, their references and generated images in SQLite; the gallery actor is its only writer."""

import hashlib
import json
import secrets
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import msgspec

from contracts.commands import SaveGeneratedImage
from contracts.model import Character, Reference
from contracts.queries import (
    AddReference,
    CreateCharacter,
    EmbeddingRef,
    ListGallery,
    StoredEmbedding,
    UpdateReference,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS characters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY,
    character_id TEXT NOT NULL REFERENCES characters(id),
    asset_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('master', 'core_reference', 'generated')),
    shot_type TEXT,
    angle TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    caption TEXT NOT NULL DEFAULT '',
    quality_score REAL,
    consistency_score REAL,
    filename TEXT NOT NULL DEFAULT '',
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    request_id TEXT UNIQUE,
    prompt TEXT NOT NULL DEFAULT '',
    reference_id TEXT
);
CREATE INDEX IF NOT EXISTS entries_by_character ON entries(character_id, created_at);
CREATE TABLE IF NOT EXISTS embeddings (
    asset_id TEXT NOT NULL,
    backend TEXT NOT NULL,
    model_id TEXT NOT NULL,
    views TEXT NOT NULL,
    rows INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (asset_id, backend, model_id, views)
);
"""

_COLUMNS = (
    "id, character_id, asset_id, role, shot_type, angle, tags, caption, quality_score, consistency_score, "
    "filename, width, height, created_at"
)


class CharacterExists(ValueError):
    pass


class InvalidUpdate(ValueError):
    pass


def _reference(row: sqlite3.Row) -> Reference:
    return Reference(
        id=row["id"],
        character_id=row["character_id"],
        asset_id=row["asset_id"],
        role=row["role"],
        shot_type=row["shot_type"],
        angle=row["angle"],
        tags=tuple(json.loads(row["tags"])),
        caption=row["caption"],
        quality_score=row["quality_score"],
        consistency_score=row["consistency_score"],
        filename=row["filename"],
        width=row["width"],
        height=row["height"],
        created_at=row["created_at"],
    )


class Catalog:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: Path) -> "Catalog":
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path)
        db.row_factory = sqlite3.Row
        # WAL + synchronous=FULL: readers never block the writer, and a committed write survives a power cut.
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.executescript(SCHEMA)
        await db.commit()
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    async def create_character(self, request: CreateCharacter, now: int) -> Character:
        character = Character(
            id=request.id or f"ch_{secrets.token_hex(6)}",
            name=request.name.strip(),
            description=request.description,
            created_at=now,
        )
        try:
            await self._db.execute(
                "INSERT INTO characters (id, name, description, created_at) VALUES (?, ?, ?, ?)",
                (character.id, character.name, character.description, character.created_at),
            )
            await self._db.commit()
        except sqlite3.IntegrityError:
            raise CharacterExists(character.id) from None
        return character

    async def get_character(self, character_id: str) -> Character | None:
        async with self._db.execute(
            "SELECT id, name, description, created_at FROM characters WHERE id = ?", (character_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return Character(id=row["id"], name=row["name"], description=row["description"], created_at=row["created_at"])

    async def entries(
        self, character_id: str, *, min_generated_consistency: float | None = None, generated_limit: int | None = None
    ) -> tuple[Reference, ...]:
        """Every entry, or (for selection) the references plus the most consistent eligible generated images."""
        if min_generated_consistency is None and generated_limit is None:
            query = f"SELECT {_COLUMNS} FROM entries WHERE character_id = ? ORDER BY created_at, id"
            parameters: tuple[object, ...] = (character_id,)
        else:
            query = (
                f"SELECT {_COLUMNS} FROM entries WHERE character_id = ? AND role != 'generated' "
                f"UNION ALL SELECT * FROM (SELECT {_COLUMNS} FROM entries WHERE character_id = ? "
                "AND role = 'generated' AND consistency_score >= ? "
                "ORDER BY consistency_score DESC, created_at DESC LIMIT ?)"
            )
            limit = -1 if generated_limit is None else generated_limit
            parameters = (character_id, character_id, min_generated_consistency or 0.0, limit)
        async with self._db.execute(query, parameters) as cursor:
            rows = await cursor.fetchall()
        return tuple(_reference(row) for row in rows)

    async def page(self, request: ListGallery) -> tuple[tuple[Reference, ...], int]:
        """Newest first, `limit` entries from `offset`, and how many there are in all."""
        where, parameters = "character_id = ?", [request.character_id]
        if request.role is not None:
            where += " AND role = ?"
            parameters.append(request.role)
        async with self._db.execute(f"SELECT COUNT(*) FROM entries WHERE {where}", parameters) as cursor:
            row = await cursor.fetchone()
        total = int(row[0]) if row else 0
        query = f"SELECT {_COLUMNS} FROM entries WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        async with self._db.execute(query, [*parameters, request.limit, request.offset]) as cursor:
            rows = await cursor.fetchall()
        return tuple(_reference(row) for row in rows), total

    async def _demote_master(self, character_id: str) -> None:
        """A character has one master: a new one turns the previous master into a core reference."""
        await self._db.execute(
            "UPDATE entries SET role = 'core_reference' WHERE character_id = ? AND role = 'master'", (character_id,)
        )

    async def add_reference(self, request: AddReference, now: int) -> Reference:
        entry_id = f"ref_{secrets.token_hex(8)}"
        if request.role == "master":
            await self._demote_master(request.character_id)
        await self._insert(
            {
                "id": entry_id,
                "character_id": request.character_id,
                "asset_id": request.asset_id,
                "role": request.role,
                "shot_type": request.shot_type,
                "angle": request.angle,
                "tags": json.dumps(list(request.tags)),
                "caption": request.caption,
                "filename": request.filename,
                "width": request.width,
                "height": request.height,
                "created_at": now,
            },
            upsert_on=None,
        )
        return await self._entry(entry_id)

    async def update_reference(self, update: UpdateReference) -> Reference | None:
        changes = {
            name: value
            for name, value in (
                ("role", update.role),
                ("shot_type", update.shot_type),
                ("angle", update.angle),
                (
                    "tags",
                    json.dumps(list(update.tags)) if not isinstance(update.tags, msgspec.UnsetType) else update.tags,
                ),
                ("caption", update.caption),
            )
            if not isinstance(value, msgspec.UnsetType)
        }
        async with self._db.execute(
            "SELECT role FROM entries WHERE id = ? AND character_id = ?", (update.reference_id, update.character_id)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        if row["role"] == "generated" and "role" in changes:
            raise InvalidUpdate("a generated image keeps its role; upload it as a reference to promote it")
        if changes.get("role") == "master":
            await self._demote_master(update.character_id)
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            await self._db.execute(
                f"UPDATE entries SET {assignments} WHERE id = ?", (*changes.values(), update.reference_id)
            )
        await self._db.commit()
        return await self._entry(update.reference_id)

    async def embedding(self, key: EmbeddingRef) -> StoredEmbedding | None:
        async with self._db.execute(
            "SELECT rows, dim, data FROM embeddings WHERE asset_id = ? AND backend = ? AND model_id = ? AND views = ?",
            (key.asset_id, key.backend, key.model_id, key.views),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return StoredEmbedding(key=key, rows=row["rows"], dim=row["dim"], data=bytes(row["data"]))

    async def store_embedding(self, stored: StoredEmbedding) -> None:
        key = stored.key
        await self._db.execute(
            "INSERT OR REPLACE INTO embeddings (asset_id, backend, model_id, views, rows, dim, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key.asset_id, key.backend, key.model_id, key.views, stored.rows, stored.dim, stored.data),
        )
        await self._db.commit()

    async def save_generated(self, command: SaveGeneratedImage, width: int, height: int, now: int) -> Reference:
        """Upsert keyed by request id: a redelivered save returns the entry the first delivery wrote."""
        entry_id = "img_" + hashlib.sha256(command.request_id.encode()).hexdigest()[:16]
        await self._insert(
            {
                "id": entry_id,
                "character_id": command.character_id,
                "asset_id": command.asset_id,
                "role": "generated",
                "shot_type": command.analysis.shot_type,
                "angle": command.analysis.angle,
                "tags": json.dumps(list(command.tags)),
                "caption": command.prompt,
                "quality_score": command.quality_score,
                "consistency_score": command.consistency_score,
                "filename": command.filename,
                "width": width,
                "height": height,
                "created_at": now,
                "request_id": command.request_id,
                "prompt": command.prompt,
                "reference_id": command.reference_id,
            },
            upsert_on="request_id",
        )
        return await self._entry(entry_id)

    async def _insert(self, values: dict[str, Any], upsert_on: str | None) -> None:
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        conflict = f" ON CONFLICT({upsert_on}) DO NOTHING" if upsert_on else ""
        await self._db.execute(f"INSERT INTO entries ({names}) VALUES ({marks}){conflict}", tuple(values.values()))
        await self._db.commit()

    async def _entry(self, entry_id: str) -> Reference:
        async with self._db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)) as cursor:
            row = await cursor.fetchone()
        assert row is not None, entry_id
        return _reference(row)
