"""Building engines from settings, and the local engine behind the common interface."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from actors.generator.engines.comfyui import ComfyUIEngine
from actors.generator.engines.fal import FalEngine
from actors.generator.engines.http_retry import EngineConfigError
from actors.generator.engines.limits import LimitedEngine
from actors.generator.engines.local import LocalEngine
from actors.generator.engines.openai_images import OpenAIImagesEngine
from actors.generator.engines.registry import build_engines, engine_settings_from_env, load_engine_settings
from tests.engines.conftest import Progress, make_job
from tests.engines.test_comfyui import WORKFLOW

ENV = {"FAL_KEY": "fal-secret", "OPENAI_API_KEY": "sk-secret", "MY_KEY": "sk-other"}


def inner(engine: object) -> Any:
    assert isinstance(engine, LimitedEngine)
    return engine.inner


def test_every_engine_type_builds_from_a_mapping(tmp_path: Path) -> None:
    workflow = tmp_path / "workflow_api.json"
    workflow.write_text(json.dumps(WORKFLOW))
    engines = build_engines(
        {
            "comfyui": {"base_url": "http://gpu:8188", "workflow_path": str(workflow), "max_concurrency": 1},
            "fal": {"timeout_s": 90},
            "openai": {"model": "gpt-image-1"},
            "gateway": {"type": "openai", "base_url": "http://127.0.0.1:8080/v1", "api_key_env": "MY_KEY"},
            "selfhosted": {"type": "openai", "base_url": "http://127.0.0.1:8081", "api_key_env": ""},
        },
        env=ENV,
    )
    assert sorted(engines) == ["comfyui", "fal", "gateway", "local", "openai", "selfhosted"]
    assert isinstance(inner(engines["local"]), LocalEngine)
    comfy = engines["comfyui"]
    assert isinstance(comfy, LimitedEngine) and comfy.max_concurrency == 1 and comfy.timeout_s == 600
    assert isinstance(inner(comfy), ComfyUIEngine)
    fal = engines["fal"]
    assert isinstance(fal, LimitedEngine) and fal.timeout_s == 90 and isinstance(fal.inner, FalEngine)
    assert fal.inner._auth == {"Authorization": "Key fal-secret"}
    gateway = inner(engines["gateway"])
    assert isinstance(gateway, OpenAIImagesEngine) and gateway.name == "gateway"
    assert gateway._url == "http://127.0.0.1:8080/v1/images/edits" and gateway._auth == {
        "Authorization": "Bearer sk-other"
    }
    assert inner(engines["selfhosted"])._auth == {}
    assert {name: engine.name for name, engine in engines.items()} == {name: name for name in engines}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"fal": {}}, "FAL_KEY is not set"),
        ({"openai": {"modle": "x"}}, "unknown field `modle`"),
        ({"openai": {"timeout_s": "soon"}}, "Expected `float`"),
        ({"openai": {"input_fidelity": "max"}}, "Invalid enum value 'max'"),
        ({"dalle": {}}, "unknown type 'dalle'"),
        ({"bad name": {"type": "local"}}, "use 1-64 letters"),
        ({"comfyui": {}}, "workflow_path"),
    ],
)
def test_settings_that_cannot_work_fail_at_startup(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(EngineConfigError, match=message):
        build_engines(settings, env={})


def test_settings_load_from_toml_json_or_the_environment(tmp_path: Path) -> None:
    toml = tmp_path / "engines.toml"
    toml.write_text('[openai]\nmodel = "gpt-image-1"\n\n[local]\nmax_concurrency = 1\n')
    assert load_engine_settings(toml) == {"openai": {"model": "gpt-image-1"}, "local": {"max_concurrency": 1}}
    as_json = tmp_path / "engines.json"
    as_json.write_text('{"fal": {"poll_interval_s": 0.5}}')
    assert engine_settings_from_env({"SMARTGEN_ENGINES_FILE": str(as_json)}) == {"fal": {"poll_interval_s": 0.5}}
    assert engine_settings_from_env({"SMARTGEN_ENGINES": '{"fal": {}}'}) == {"fal": {}}
    assert engine_settings_from_env({}) == {}
    with pytest.raises(EngineConfigError, match="one table"):
        engine_settings_from_env({"SMARTGEN_ENGINES": '{"fal": 3}'})


async def test_the_local_engine_renders_with_or_without_a_progress_callback() -> None:
    engine = build_engines(env={})["local"]
    job = make_job(width=96, height=64)
    plain = await LocalEngine().generate(job)
    progress = Progress()
    wrapped = await engine.generate(job, progress=progress)  # type: ignore[call-arg]
    assert plain == wrapped  # deterministic, whichever way it is called
    with Image.open(io.BytesIO(wrapped)) as image:
        assert image.size == (96, 64) and image.format == "JPEG"
    await engine.close()
