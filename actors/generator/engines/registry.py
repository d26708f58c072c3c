"""Build the configured engines from a settings mapping (a TOML/JSON file, or a dict in tests).

The mapping's keys are engine names (what a request's `engine` field picks); each value holds that engine's settings.
The engine type is the value's `type` key, or the name itself, so two OpenAI-compatible servers can sit side by side:

    [local]                       # always present unless include_local=False; these keys are optional
    max_concurrency = 2

    [comfyui]
    base_url = "http://gpu-box:8188"
    workflow_path = "workflows/kontext_api.json"

    [fal]                         # key from $FAL_KEY (api_key_env)

    [openai]                      # key from $OPENAI_API_KEY (api_key_env)
    model = "gpt-image-1"

    [local-sd]
    type = "openai"
    base_url = "http://127.0.0.1:8080/v1"
    api_key_env = ""

Every engine comes back wrapped in `LimitedEngine` (its `max_concurrency` and per-attempt `timeout_s`). A setting that
cannot work (an unknown key, a missing key variable, a bad workflow file) raises EngineConfigError at startup.
"""

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, TypeVar

import msgspec

from actors.generator.engines.base import Engine
from actors.generator.engines.comfyui import ComfyUIConfig, ComfyUIEngine
from actors.generator.engines.fal import FalConfig, FalEngine
from actors.generator.engines.http_retry import EngineConfigError
from actors.generator.engines.limits import LimitedEngine
from actors.generator.engines.local import LocalEngine
from actors.generator.engines.openai_images import OpenAIImagesConfig, OpenAIImagesEngine

__all__ = ["ENGINE_TYPES", "EngineConfigError", "LocalConfig", "build_engine", "build_engines", "load_engine_settings"]

C = TypeVar("C")
_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ENV_FILE: Final = "SMARTGEN_ENGINES_FILE"  # path of a TOML or JSON engine settings file
ENV_INLINE: Final = "SMARTGEN_ENGINES"  # the same settings as inline JSON


class LocalConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    max_concurrency: int = 0  # 0: one render per CPU core
    timeout_s: float = 120.0


def _api_key(name: str, variable: str, env: Mapping[str, str]) -> str:
    if not variable:
        return ""
    key = env.get(variable, "")
    if not key:
        raise EngineConfigError(f"engine '{name}': the API key variable {variable} is not set (or set api_key_env)")
    return key


def _local(name: str, settings: Mapping[str, Any], env: Mapping[str, str]) -> LimitedEngine:
    config = _convert(name, settings, LocalConfig)
    engine = LocalEngine(config.max_concurrency or None, name=name)
    return LimitedEngine(engine, timeout_s=config.timeout_s)


def _comfyui(name: str, settings: Mapping[str, Any], env: Mapping[str, str]) -> LimitedEngine:
    config = _convert(name, settings, ComfyUIConfig)
    engine = ComfyUIEngine(config, name=name)
    return LimitedEngine(engine, max_concurrency=config.max_concurrency, timeout_s=config.timeout_s)


def _fal(name: str, settings: Mapping[str, Any], env: Mapping[str, str]) -> LimitedEngine:
    config = _convert(name, settings, FalConfig)
    engine = FalEngine(config, api_key=_api_key(name, config.api_key_env, env), name=name)
    return LimitedEngine(engine, max_concurrency=config.max_concurrency, timeout_s=config.timeout_s)


def _openai(name: str, settings: Mapping[str, Any], env: Mapping[str, str]) -> LimitedEngine:
    config = _convert(name, settings, OpenAIImagesConfig)
    engine = OpenAIImagesEngine(config, api_key=_api_key(name, config.api_key_env, env), name=name)
    return LimitedEngine(engine, max_concurrency=config.max_concurrency, timeout_s=config.timeout_s)


_BUILDERS: Final[dict[str, Callable[[str, Mapping[str, Any], Mapping[str, str]], LimitedEngine]]] = {
    "local": _local,
    "comfyui": _comfyui,
    "fal": _fal,
    "openai": _openai,
}
ENGINE_TYPES: Final = tuple(_BUILDERS)


def _convert(name: str, settings: Mapping[str, Any], kind: type[C]) -> C:
    try:
        return msgspec.convert(dict(settings), kind, strict=False)
    except msgspec.ValidationError as error:
        raise EngineConfigError(f"engine '{name}': {error}") from None


def build_engine(name: str, settings: Mapping[str, Any], env: Mapping[str, str] | None = None) -> LimitedEngine:
    """One engine from its settings; the type is settings['type'] or the name."""
    if not _NAME.match(name):
        raise EngineConfigError(f"engine name {name!r}: use 1-64 letters, digits, '_' or '-'")
    if not isinstance(settings, Mapping):
        raise EngineConfigError(f"engine '{name}': expected a table of settings, got {type(settings).__name__}")
    values = dict(settings)
    kind = str(values.pop("type", name))
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise EngineConfigError(f"engine '{name}': unknown type '{kind}' (known: {', '.join(ENGINE_TYPES)})")
    return builder(name, values, os.environ if env is None else env)


def build_engines(
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    include_local: bool = True,
) -> dict[str, Engine]:
    """Every configured engine by name (plus `local` with its defaults unless configured or excluded)."""
    entries: dict[str, Mapping[str, Any]] = dict(settings or {})
    if include_local:
        entries.setdefault("local", {})
    return {name: build_engine(name, entry, env) for name, entry in entries.items()}


def load_engine_settings(path: Path) -> dict[str, dict[str, Any]]:
    """Read engine settings from a .toml or .json file (a table per engine)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise EngineConfigError(f"cannot read engine settings {path}: {error}") from None
    try:
        data: Any = tomllib.loads(raw.decode()) if path.suffix == ".toml" else msgspec.json.decode(raw)
    except (tomllib.TOMLDecodeError, msgspec.DecodeError, UnicodeDecodeError) as error:
        raise EngineConfigError(f"engine settings {path} do not parse: {error}") from None
    return _tables(data, str(path))


def engine_settings_from_env(env: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Settings from $SMARTGEN_ENGINES_FILE (TOML/JSON) or $SMARTGEN_ENGINES (inline JSON); empty if neither."""
    source = os.environ if env is None else env
    if source.get(ENV_FILE):
        return load_engine_settings(Path(source[ENV_FILE]).expanduser())
    if source.get(ENV_INLINE):
        try:
            data = msgspec.json.decode(source[ENV_INLINE])
        except msgspec.DecodeError as error:
            raise EngineConfigError(f"{ENV_INLINE} is not valid JSON: {error}") from None
        return _tables(data, ENV_INLINE)
    return {}


def _tables(data: Any, source: str) -> dict[str, dict[str, Any]]:
    if not isinstance(data, dict) or not all(isinstance(value, dict) for value in data.values()):
        raise EngineConfigError(f"{source}: expected one table (object) of settings per engine name")
    return data
