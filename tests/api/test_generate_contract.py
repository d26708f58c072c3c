"""The REST contract of spec/smart-image-generation-api.md, through the real bridge over loopback HTTP."""

import io
import re

import pytest
from PIL import Image

from tests.conftest import Stack

SPEC_SUCCESS_FIELDS = {
    "characterId",
    "characterName",
    "imageId",
    "dinoAssetId",
    "publicUrl",
    "selectedReferenceId",
    "selectedReferenceType",
    "qualityScore",
    "consistencyScore",
    "attempts",
    "generationTime",
    "validationNotes",
    "filename",
}


async def test_spec_basic_curl_example(stack: Stack) -> None:
    status, body = await stack.post_json(
        "/api/v1/characters/demo/generate-smart-image", {"prompt": "close-up portrait with dramatic lighting"}
    )
    assert status == 200, body
    assert body["success"] is True
    data = body["data"]
    assert isinstance(data, dict)
    assert set(data) >= SPEC_SUCCESS_FIELDS
    attempts = data["attempts"]
    assert body["message"] == f"Smart image generated successfully in {attempts} attempt{'s' if attempts != 1 else ''}"
    assert data["publicUrl"] == f"{stack.base_url}/media/{data['dinoAssetId']}"
    assert re.fullmatch(r"nova_smart_\d{13}\.jpg", str(data["filename"]))
    assert isinstance(data["generationTime"], int) and data["generationTime"] > 0
    assert str(data["validationNotes"])
    async with stack.http.get(str(data["publicUrl"])) as media:
        assert media.status == 200 and media.content_type == "image/jpeg"
        assert (await media.read())[:3] == b"\xff\xd8\xff"


async def test_spec_advanced_curl_example_on_the_unversioned_path(stack: Stack) -> None:
    status, body = await stack.post_json(
        "/api/characters/demo/generate-smart-image",
        {
            "prompt": "full body action pose, jumping through the air",
            "maxRetries": 5,
            "qualityThreshold": 80,
            "consistencyThreshold": 85,
            "style": "character_production",
            "tags": "action scene, dynamic pose",
        },
    )
    assert status == 200, body
    data = body["data"]
    assert isinstance(data, dict)
    assert data["qualityScore"] >= 80 and data["consistencyScore"] >= 85
    assert 1 <= data["attempts"] <= 5
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo/gallery") as response:
        images = (await response.json())["data"]["images"]
    saved = next(i for i in images if i["id"] == data["imageId"])
    assert saved["tags"] == ["action scene", "dynamic pose"] and saved["type"] == "generated"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": 42}, "prompt"),
        ({"prompt": "x", "maxRetries": 0}, "maxRetries"),
        ({"prompt": "x", "maxRetries": 6}, "maxRetries"),
        ({"prompt": "x", "maxRetries": 2.5}, "maxRetries"),
        ({"prompt": "x", "maxRetries": "3"}, "maxRetries"),
        ({"prompt": "x", "qualityThreshold": 49}, "qualityThreshold"),
        ({"prompt": "x", "qualityThreshold": 101}, "qualityThreshold"),
        ({"prompt": "x", "qualityThreshold": True}, "qualityThreshold"),
        ({"prompt": "x", "consistencyThreshold": 59.9}, "consistencyThreshold"),
        ({"prompt": "x", "consistencyThreshold": None}, "consistencyThreshold"),
        ({"prompt": "x", "style": "anime"}, "style"),
        ({"prompt": "x", "tags": ["a", "b"]}, "tags"),
        ({"prompt": "x", "characterName": 7}, "characterName"),
        ({"prompt": "x", "maxretries": 3}, "maxretries"),
    ],
)
async def test_invalid_bodies_are_400_naming_the_field_and_rule(
    stack: Stack, body: dict[str, object], field: str
) -> None:
    status, reply = await stack.post_json("/api/v1/characters/demo/generate-smart-image", body)
    assert status == 400
    assert reply["success"] is False
    assert field in str(reply["error"])
    assert reply["details"] == {
        "attempts": [],
        "totalAttempts": 0,
        "failureReasons": [],
        "field": field,
        "requestId": "",
    }


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", b'"prompt"'])
async def test_non_object_bodies_are_400(stack: Stack, raw: bytes) -> None:
    async with stack.http.post(
        f"{stack.base_url}/api/v1/characters/demo/generate-smart-image",
        data=raw,
        headers={"Content-Type": "application/json"},
    ) as response:
        body = await response.json()
    assert response.status == 400 and body["success"] is False
    assert body["error"].startswith("Invalid parameters")


@pytest.mark.parametrize("character", ["nobody", "bad.id", "x" * 65])
async def test_unknown_character_is_404(stack: Stack, character: str) -> None:
    status, body = await stack.post_json(f"/api/v1/characters/{character}/generate-smart-image", {"prompt": "portrait"})
    assert status == 404
    assert body == {
        "success": False,
        "error": f"Character not found: {character}",
        "details": {
            "attempts": [],
            "totalAttempts": 0,
            "failureReasons": [],
            "field": None,
            "requestId": body["details"]["requestId"],  # type: ignore[index]
        },
    }


async def test_unknown_route_is_a_json_404(stack: Stack) -> None:
    async with stack.http.get(f"{stack.base_url}/api/v1/nothing-here") as response:
        body = await response.json()
    assert response.status == 404 and body["success"] is False


async def test_healthz_reports_ready(stack: Stack) -> None:
    async with stack.http.get(f"{stack.base_url}/healthz") as response:
        assert response.status == 200


async def test_the_requested_size_is_the_size_generated(stack: Stack) -> None:
    status, body = await stack.post_json(
        "/api/v1/characters/demo/generate-smart-image",
        {
            "prompt": "full body portrait",
            "width": 384,
            "height": 256,
            "qualityThreshold": 50,
            "consistencyThreshold": 60,
        },
    )
    assert status == 200, body
    async with stack.http.get(str(body["data"]["publicUrl"])) as media:  # type: ignore[index]
        data = await media.read()
    assert Image.open(io.BytesIO(data)).size == (384, 256)


@pytest.mark.parametrize("size", [{"width": 63}, {"height": 4096}, {"width": "big"}])
async def test_an_impossible_size_is_a_400(stack: Stack, size: dict[str, object]) -> None:
    status, body = await stack.post_json("/api/v1/characters/demo/generate-smart-image", {"prompt": "x", **size})
    assert status == 400 and next(iter(size)) in str(body["error"])
