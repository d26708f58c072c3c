"""A tiny REST client for `smartgen generate`: prints the reply and exits non-zero on an error body."""

import json
import urllib.error
import urllib.request


def _value(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def generate(base_url: str, character: str, prompt: str, options: list[str]) -> int:
    body: dict[str, object] = {"prompt": prompt}
    for option in options:
        key, _, value = option.partition("=")
        body[key] = _value(value)
    url = f"{base_url.rstrip('/')}/api/v1/characters/{character}/generate-smart-image"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=900) as response:
            print(json.dumps(json.loads(response.read()), indent=2))
            return 0
    except urllib.error.HTTPError as error:
        print(json.dumps(json.loads(error.read() or b"{}"), indent=2))
        return 1
    except urllib.error.URLError as error:
        print(f"cannot reach smartgen at {base_url}: {error.reason}")
        return 2
