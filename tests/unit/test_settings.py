"""Configuration from the environment: defaults, conversions, and one clear line for a bad value."""

from pathlib import Path

import pytest

from ops.settings import from_env


def test_defaults_are_the_embedded_stack() -> None:
    settings = from_env({})
    assert (settings.host, settings.port, settings.data_dir) == ("127.0.0.1", 3000, Path("var"))
    assert settings.public_base_url == "http://127.0.0.1:3000"


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"SMARTGEN_PORT": "8080"}, "port", 8080),
        ({"SMARTGEN_PUBLIC_URL": "https://cdn.example"}, "public_base_url", "https://cdn.example"),
        ({"SMARTGEN_ANALYZER_EMBEDDING": "yes"}, "analyzer_embedding", True),
        ({"SMARTGEN_ANALYZER_EMBEDDING": "0"}, "analyzer_embedding", False),
        ({"SMARTGEN_ANALYZER_EMBEDDING": "Off"}, "analyzer_embedding", False),
        ({"SMARTGEN_ANALYZER_EMBEDDING": "auto"}, "analyzer_embedding", None),
        ({"SMARTGEN_GENERATION_TIMEOUT_S": "2.5"}, "generation_timeout_s", 2.5),
        ({"SMARTGEN_PORT": ""}, "port", 3000),
    ],
)
def test_environment_values_are_converted(env: dict[str, str], field: str, value: object) -> None:
    assert getattr(from_env(env), field) == value


def test_command_line_overrides_win_over_the_environment() -> None:
    assert from_env({"SMARTGEN_PORT": "8080"}, port=9090).port == 9090


@pytest.mark.parametrize(
    "env",
    [{"SMARTGEN_PORT": "abc"}, {"SMARTGEN_REQUEST_TIMEOUT_S": "soon"}, {"SMARTGEN_ANALYZER_EMBEDDING": "maybe"}],
)
def test_a_bad_value_stops_with_one_clear_line(env: dict[str, str]) -> None:
    with pytest.raises(SystemExit, match="is not a valid"):
        from_env(env)


def test_the_learned_analysis_fallback_is_left_to_what_is_installed() -> None:
    assert from_env({}).analyzer_embedding is None
    assert from_env({"SMARTGEN_ANALYZER_EMBEDDING": "1"}).analyzer_embedding is True
