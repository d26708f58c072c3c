"""Seeding the demo character "demo" (drawn by ops.demo_art, no downloads) so the spec's curl examples work at once."""

import asyncio
import logging

from nats.aio.client import Client

from actors.gallery.client import GalleryClient
from actors.images import encode_jpeg
from actors.media import ObjectStoreMedia
from contracts.queries import AddReference, CharacterView, CreateCharacter, QueryError
from ops.demo_art import DEMO_VIEWS, draw_view

log = logging.getLogger("smartgen.seed")
DEMO_ID = "demo"
DEMO_NAME = "Nova"
DEMO_DESCRIPTION = "The built-in demo character: a courier in a teal jacket with a star emblem."


async def seed_demo(nc: Client, *, size: int = 512) -> bool:
    """Create the demo character and its references unless it exists. Returns True when it created them."""
    gallery = GalleryClient(nc)
    existing = await gallery.get_character(DEMO_ID)
    if isinstance(existing, CharacterView) and existing.references:
        return False
    if isinstance(existing, QueryError):
        created = await gallery.create_character(
            CreateCharacter(id=DEMO_ID, name=DEMO_NAME, description=DEMO_DESCRIPTION)
        )
        if isinstance(created, QueryError):
            raise RuntimeError(f"could not create the demo character: {created.error}")
    media = await ObjectStoreMedia.open(nc.jetstream(timeout=10.0))
    for role, angle, shot_type in DEMO_VIEWS:
        image = await asyncio.to_thread(draw_view, angle, shot_type, size)
        data = encode_jpeg(image, quality=95)
        asset_id = await media.put(data)
        await gallery.add_reference(
            AddReference(
                character_id=DEMO_ID,
                asset_id=asset_id,
                role=role,  # type: ignore[arg-type]
                shot_type=shot_type,
                angle=angle,
                tags=(DEMO_NAME.lower(), angle, shot_type),
                caption=f"{DEMO_NAME}, {angle} view, {shot_type}",
                filename=f"nova_{role}_{angle}_{shot_type}.jpg",
                width=image.width,
                height=image.height,
            )
        )
    log.info("seeded demo character '%s' with %d references", DEMO_ID, len(DEMO_VIEWS))
    return True
