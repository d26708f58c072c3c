"""Characters, reference uploads and the gallery over REST, including the uploads a user must not get stored."""

import io

import aiohttp
import pytest
from PIL import Image

from ops.demo_art import draw_view
from tests.conftest import Stack


def png_bytes(size: int = 64) -> bytes:
    buffer = io.BytesIO()
    draw_view("front", "full-body", size).save(buffer, "PNG")
    return buffer.getvalue()


def bomb_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")  # tiny file, 400 Mpx when decoded
    return buffer.getvalue()


async def upload(
    stack: Stack, character: str, data: bytes, filename: str, **fields: str
) -> tuple[int, dict[str, object]]:
    form = aiohttp.FormData()
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("image", data, filename=filename, content_type="application/octet-stream")
    async with stack.http.post(f"{stack.base_url}/api/v1/characters/{character}/references", data=form) as response:
        return response.status, await response.json()


async def gallery(stack: Stack, character: str) -> list[dict[str, object]]:
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/{character}/gallery") as response:
        assert response.status == 200
        images: list[dict[str, object]] = (await response.json())["data"]["images"]
        return images


async def test_create_character_upload_references_and_generate(stack: Stack) -> None:
    status, created = await stack.post_json("/api/v1/characters", {"name": "Rook", "description": "a test hero"})
    assert status == 201
    character_id = str(created["data"]["id"])  # type: ignore[index]
    status, master = await upload(
        stack,
        character_id,
        png_bytes(256),
        "rook.png",
        role="master",
        angle="front",
        shotType="full-body",
        tags="hero, front",
    )
    assert status == 201, master
    entry = master["data"]
    assert isinstance(entry, dict)
    assert (entry["type"], entry["angle"], entry["shotType"], entry["tags"]) == (
        "master",
        "front",
        "full-body",
        ["hero", "front"],
    )
    async with stack.http.get(str(entry["publicUrl"])) as media:
        assert media.status == 200 and media.content_type == "image/png"
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/{character_id}") as response:
        character = (await response.json())["data"]
    assert character["name"] == "Rook" and [r["id"] for r in character["references"]] == [entry["id"]]
    status, body = await stack.post_json(
        f"/api/v1/characters/{character_id}/generate-smart-image", {"prompt": "portrait"}
    )
    assert status == 200, body
    assert body["data"]["selectedReferenceId"] == entry["id"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "filename", "status", "message"),
    [
        (b"this is not an image at all", "notes.png", 400, "Not an image"),
        (png_bytes()[:200], "cut.png", 400, "Corrupt or truncated image"),
        (bomb_png(), "bomb.png", 413, "Image too large"),
    ],
)
async def test_bad_uploads_are_refused_and_nothing_is_stored(
    stack: Stack, data: bytes, filename: str, status: int, message: str
) -> None:
    before = await gallery(stack, "demo")
    got_status, body = await upload(stack, "demo", data, filename, role="core_reference")
    assert got_status == status
    assert body["success"] is False and str(body["error"]).startswith(message)
    assert await gallery(stack, "demo") == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"role": "generated"}, "role"),
        ({"role": "boss"}, "role"),
        ({"angle": "top"}, "angle"),
        ({"shotType": "huge"}, "shotType"),
    ],
)
async def test_upload_fields_are_validated(stack: Stack, fields: dict[str, str], field: str) -> None:
    status, body = await upload(stack, "demo", png_bytes(), "ok.png", **fields)
    assert status == 400 and field in str(body["error"])


async def test_upload_to_unknown_character_is_404(stack: Stack) -> None:
    status, body = await upload(stack, "ghost", png_bytes(), "ok.png")
    assert status == 404 and body["error"] == "Character not found: ghost"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": ""}, 400),
        ({"description": "no name"}, 400),
        ({"name": "A", "extra": 1}, 400),
        ({"name": "Dup", "id": "demo"}, 409),
    ],
)
async def test_character_creation_errors(stack: Stack, body: dict[str, object], status: int) -> None:
    got, reply = await stack.post_json("/api/v1/characters", body)
    assert got == status and reply["success"] is False


async def test_missing_media_is_404(stack: Stack) -> None:
    async with stack.http.get(f"{stack.base_url}/media/{'0' * 64}") as response:
        assert response.status == 404


async def test_reference_metadata_can_be_corrected_with_patch(stack: Stack) -> None:
    images = await gallery(stack, "demo")
    side = next(i for i in images if i["angle"] == "side")
    url = f"{stack.base_url}/api/v1/characters/demo/references/{side['id']}"
    async with stack.http.patch(
        url, json={"angle": "45-degree", "tags": ["turnaround"], "caption": "fixed"}
    ) as response:
        body = await response.json()
    assert response.status == 200, body
    assert (body["data"]["angle"], body["data"]["tags"], body["data"]["caption"]) == (
        "45-degree",
        ["turnaround"],
        "fixed",
    )
    assert body["data"]["shotType"] == side["shotType"]  # fields left out stay as they were
    updated = next(i for i in await gallery(stack, "demo") if i["id"] == side["id"])
    assert updated["angle"] == "45-degree"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"angle": "upside-down"}, 400), ({"colour": "red"}, 400), ([1], 400), ({"role": "generated"}, 400)],
)
async def test_bad_patches_are_refused(stack: Stack, body: object, status: int) -> None:
    reference = (await gallery(stack, "demo"))[0]
    async with stack.http.patch(
        f"{stack.base_url}/api/v1/characters/demo/references/{reference['id']}", json=body
    ) as response:
        assert response.status == status
    async with stack.http.patch(
        f"{stack.base_url}/api/v1/characters/demo/references/nope", json={"angle": "side"}
    ) as response:
        assert response.status == 404


async def test_a_new_master_demotes_the_previous_one(stack: Stack) -> None:
    status, _ = await upload(
        stack, "demo", png_bytes(256), "new-master.png", role="master", angle="front", shotType="full-body"
    )
    assert status == 201
    masters = [i for i in await gallery(stack, "demo") if i["type"] == "master"]
    assert len(masters) == 1 and masters[0]["filename"] == "new-master.png"


async def test_dry_run_plans_without_generating(stack: Stack) -> None:
    before = await gallery(stack, "demo")
    status, body = await stack.post_json(
        "/api/v1/characters/demo/generate-smart-image",
        {"prompt": "side view, full body", "dryRun": True, "maxRetries": 3},
    )
    assert status == 200, body
    data = body["data"]
    assert isinstance(data, dict)
    assert data["analysis"]["angle"] == "side" and data["analysis"]["shotType"] == "full-body"
    top = data["selection"][0]
    assert top["reference"]["angle"] == "side" and top["parts"]["angleMatch"] == 5
    assert [p["attempt"] for p in data["plan"]] == [1, 2, 3]
    assert data["plan"][1]["referenceUsed"].startswith("master:")
    assert await gallery(stack, "demo") == before


@pytest.mark.parametrize(("angle", "shot"), [("side", "full-body"), ("back", "medium"), ("front", "close-up")])
async def test_missing_shot_type_and_angle_are_derived_from_the_image(stack: Stack, angle: str, shot: str) -> None:
    buffer = io.BytesIO()
    draw_view(angle, shot, 256).save(buffer, "PNG")  # type: ignore[arg-type]
    status, body = await upload(stack, "demo", buffer.getvalue(), "unlabelled.png")
    assert status == 201, body
    assert (body["data"]["angle"], body["data"]["shotType"]) == (angle, shot)  # type: ignore[index]


async def test_what_the_uploader_says_wins_over_derivation(stack: Stack) -> None:
    status, body = await upload(stack, "demo", png_bytes(256), "labelled.png", angle="back")
    assert status == 201
    assert body["data"]["angle"] == "back" and body["data"]["shotType"] == "full-body"  # type: ignore[index]


async def test_coverage_lists_covered_views_and_what_to_add(stack: Stack) -> None:
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo/coverage") as response:
        body = await response.json()
    assert response.status == 200, body
    data = body["data"]
    covered = {(c["shotType"], c["angle"]) for c in data["cells"] if c["count"] > 0}
    assert ("full-body", "front") in covered and ("close-up", "front") in covered
    missing = {(f["shotType"], f["angle"]) for f in data["fallbacks"]}
    assert ("close-up", "back") in missing and ("full-body", "front") not in missing
    assert data["suggestions"], "a character without back close-ups should be told which views to add"
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/ghost/coverage") as response:
        assert response.status == 404


async def test_the_gallery_comes_in_pages_newest_first(stack: Stack) -> None:
    url = f"{stack.base_url}/api/v1/characters/demo/gallery"
    async with stack.http.get(url, params={"limit": "2"}) as response:
        first = (await response.json())["data"]
    async with stack.http.get(url, params={"limit": "2", "offset": "2"}) as response:
        second = (await response.json())["data"]
    assert first["total"] == second["total"] == 5
    ids = [i["id"] for i in first["images"] + second["images"]]
    assert len(ids) == 4 and len(set(ids)) == 4
    stamps = [i["createdAt"] for i in first["images"] + second["images"]]
    assert stamps == sorted(stamps, reverse=True)
    async with stack.http.get(url, params={"type": "master"}) as response:
        masters = (await response.json())["data"]
    assert masters["total"] == 1 and masters["images"][0]["type"] == "master"


@pytest.mark.parametrize(
    "params", [{"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"type": "boss"}, {"limit": "ten"}]
)
async def test_bad_gallery_paging_is_a_400(stack: Stack, params: dict[str, str]) -> None:
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo/gallery", params=params) as response:
        assert response.status == 400
