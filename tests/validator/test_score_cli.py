"""`smartgen score`: one JSON object per candidate, from the validator's own code."""

import json
from pathlib import Path

import pytest

from ops.demo_art import draw_other_character, draw_view
from ops.score import main


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "master": draw_view("front", "full-body", 192),
        "side": draw_view("side", "full-body", 192),
        "close": draw_view("front", "close-up", 192),
        "other": draw_other_character(192),
    }
    out = {}
    for name, image in paths.items():
        out[name] = tmp_path / f"{name}.png"
        image.save(out[name])
    out["broken"] = tmp_path / "broken.png"
    out["broken"].write_bytes(b"not an image")
    return out


def test_each_candidate_gets_its_scores_backend_and_parts(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([str(files["master"]), str(files["close"]), str(files["other"]), "--core", str(files["side"])])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert [line["candidate"] for line in lines] == [str(files["close"]), str(files["other"])]
    close, other = lines
    assert close["backend"] == other["backend"] == "classical"
    assert close["consistencyScore"] >= 80 > other["consistencyScore"]
    assert 0 <= close["qualityScore"] <= 100
    assert {"sharpness", "noise"} <= set(close["qualityParts"])
    assert {"master", "bestCore", "spread"} <= set(close["consistencyParts"])
    assert close["notes"]


def test_an_unreadable_candidate_is_reported_and_the_rest_still_scored(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([str(files["master"]), str(files["broken"]), str(files["close"])])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert "error" in lines[0]
    assert lines[1]["consistencyScore"] >= 80


def test_a_dinov3_backend_without_weights_says_what_is_missing(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main([str(files["master"]), str(files["close"]), "--backend", "dinov3", "--model", str(tmp_path / "x")])
    assert status == 2
    assert "SMARTGEN_DINOV3_MODEL" in capsys.readouterr().err


def test_the_dinov3_backend_scores_with_local_weights(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], tiny_dinov3: Path
) -> None:
    status = main([str(files["master"]), str(files["close"]), "--backend", "dinov3", "--model", str(tiny_dinov3)])
    line = json.loads(capsys.readouterr().out)
    assert status == 0
    assert line["backend"] == "dinov3"
    assert line["model"].startswith("dinov3_vit:")


def test_a_broken_reference_stops_with_status_2(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(files["broken"]), str(files["close"])]) == 2
    assert "cannot use a reference" in capsys.readouterr().err
