"""Configuration from the environment, with the embedded defaults. Read once per process, in main()."""

import os
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    nats_url: str = "nats://127.0.0.1:4222"
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 3000
    public_url: str = ""  # base of publicUrl; empty means the bridge's own address
    engine: str = "local"
    validator_backend: str = "classical"
    dinov3_model: str = ""  # local directory or hub id of DINOv3 weights
    request_timeout_s: float = 600.0
    generation_timeout_s: float = 180.0  # the saga's wait for one generation attempt
    replicas: int = 1
    min_generated_consistency: float = 85.0
    # The learned fallback of prompt analysis (fine-tuned MiniLM): None is "auto", on when its model wheel is
    # installed, because on writers nobody tuned or trained it for it reads better than the rules alone
    # (docs/analysis.md); True insists on it, False reads with the rules alone.
    analyzer_embedding: bool | None = None
    otlp_endpoint: str = ""  # OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces; empty: no tracing

    @property
    def public_base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


def _switch(text: str) -> bool | None:
    """on/off, or "auto" (None): the choice is made where what it needs is known."""
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    if word == "auto":
        return None
    raise ValueError(word)


def from_env(env: dict[str, str] | None = None, **overrides: object) -> Settings:
    source = os.environ if env is None else env
    values: dict[str, object] = {}
    table = {
        "NATS_URL": ("nats_url", str),
        "SMARTGEN_DATA": ("data_dir", Path),
        "SMARTGEN_HOST": ("host", str),
        "SMARTGEN_PORT": ("port", int),
        "SMARTGEN_PUBLIC_URL": ("public_url", str),
        "SMARTGEN_ENGINE": ("engine", str),
        "SMARTGEN_VALIDATOR": ("validator_backend", str),
        "SMARTGEN_DINOV3_MODEL": ("dinov3_model", str),
        "SMARTGEN_REQUEST_TIMEOUT_S": ("request_timeout_s", float),
        "SMARTGEN_GENERATION_TIMEOUT_S": ("generation_timeout_s", float),
        "SMARTGEN_REPLICAS": ("replicas", int),
        "SMARTGEN_MIN_GENERATED_CONSISTENCY": ("min_generated_consistency", float),
        "SMARTGEN_OTLP_ENDPOINT": ("otlp_endpoint", str),
        "SMARTGEN_ANALYZER_EMBEDDING": ("analyzer_embedding", _switch),
    }
    for variable, (field, convert) in table.items():
        if variable in source and source[variable] != "":
            try:
                values[field] = convert(source[variable])  # type: ignore[operator]
            except ValueError:
                raise SystemExit(f"{variable}={source[variable]!r} is not a valid {field.replace('_', ' ')}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
