"""Turning untrusted request bytes into a valid request, or into an error sentence a person can act on."""

import re

import msgspec

from contracts.api import REQUEST_ID_PATTERN, SmartImageBody, SmartImageRequest

# What each field must be, in the words of the spec, used whenever that field fails to decode.
FIELD_RULES: dict[str, str] = {
    "prompt": "prompt is required and must be a non-empty string of at most 4000 characters",
    "characterName": "characterName must be a non-empty string of at most 200 characters",
    "maxRetries": "maxRetries must be an integer from 1 to 5 (default 3)",
    "qualityThreshold": "qualityThreshold must be a number from 50 to 100 (default 70)",
    "consistencyThreshold": "consistencyThreshold must be a number from 60 to 100 (default 80)",
    "style": "style must be one of character_turnaround, character_production, custom",
    "tags": "tags must be a string of at most 1000 characters",
    "characterId": "characterId must be 1-64 letters, digits, '_' or '-'",
    "requestId": "requestId must be 1-64 letters, digits, '_' or '-'",
    "dryRun": "dryRun must be true or false",
    "width": "width must be an integer from 64 to 2048 (pixels)",
    "height": "height must be an integer from 64 to 2048 (pixels)",
    "engine": "engine must be the name of a configured engine (letters, digits, '_' or '-')",
}

_AT_FIELD = re.compile(r"at `\$\.([A-Za-z_]+)")
_MISSING = re.compile(r"missing required field `([A-Za-z_]+)`")
_UNKNOWN = re.compile(r"unknown field `([^`]*)`")


class InvalidRequest(ValueError):
    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def explain(error: msgspec.DecodeError) -> InvalidRequest:
    """Map a msgspec error onto the field it concerns and the rule that field follows."""
    text = str(error)
    if not isinstance(error, msgspec.ValidationError):
        return InvalidRequest(f"Invalid parameters: the body is not valid JSON ({text})", None)
    if match := _UNKNOWN.search(text):
        name = match.group(1)
        return InvalidRequest(f"Invalid parameters: unknown field '{name}'", name)
    match = _MISSING.search(text) or _AT_FIELD.search(text)
    if match and (name := match.group(1)) in FIELD_RULES:
        return InvalidRequest(f"Invalid parameters: {FIELD_RULES[name]}", name)
    if text.startswith("Expected `object`"):
        return InvalidRequest("Invalid parameters: the body must be a JSON object", None)
    return InvalidRequest(f"Invalid parameters: {text}", None)


_body_decoder = msgspec.json.Decoder(SmartImageBody)
_request_decoder = msgspec.json.Decoder(SmartImageRequest)


def parse_body(raw: bytes) -> SmartImageBody:
    try:
        return _body_decoder.decode(raw)
    except msgspec.DecodeError as error:
        raise explain(error) from None


def parse_request(raw: bytes) -> SmartImageRequest:
    try:
        return _request_decoder.decode(raw)
    except msgspec.DecodeError as error:
        raise explain(error) from None


def to_request(character_id: str, body: SmartImageBody, request_id: str | None = None) -> SmartImageRequest:
    """Raises msgspec.ValidationError when the path's character id cannot be a character id at all."""
    fields = msgspec.to_builtins(body)
    return msgspec.convert({**fields, "characterId": character_id, "requestId": request_id}, SmartImageRequest)


def claimed_request_id(raw: bytes) -> str:
    """The requestId a rejected body carries, when it is a well-formed one, so the rejection can still be correlated
    by whoever submitted it; empty otherwise."""
    try:
        decoded = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return ""
    value = decoded.get("requestId") if isinstance(decoded, dict) else None
    return value if isinstance(value, str) and re.fullmatch(REQUEST_ID_PATTERN, value) else ""
