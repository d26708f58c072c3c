"""`smartgen score REFERENCE CANDIDATE...`: the validator's two scores for image files, one JSON object per line.

It runs the validator actor's own code (actors/validator/service.py: the same decoding, reference views, cache,
backend, calibration and notes) on files instead of stored assets, so a user can see what the service would say
about an image before, or without, running the service.

Output per candidate (one line each, in order):
  {"candidate": PATH, "qualityScore": 0-100, "consistencyScore": 0-100, "backend": ..., "model": ...,
   "qualityParts": {...}, "consistencyParts": {...}, "notes": "...", "elapsedMs": ...}
A candidate that cannot be read gets {"candidate": PATH, "error": "..."} and the exit status is 1.
Exit status 2: the backend cannot run (for example, DINOv3 weights are missing) or the reference cannot be read.
"""

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from actors.images import InvalidImage, decode_image
from actors.media import MemoryMedia
from actors.validator.backends import BACKENDS, BackendUnavailable, build_embedder
from actors.validator.service import Validator
from ops.settings import from_env


def build_parser() -> argparse.ArgumentParser:
    settings = from_env()
    parser = argparse.ArgumentParser(
        prog="smartgen score",
        description="Score candidate images against a reference with the validator's own code: quality and "
        "consistency, with their parts, one JSON object per candidate.",
    )
    parser.add_argument("reference", type=Path, help="the master reference image")
    parser.add_argument("candidates", type=Path, nargs="+", help="images to score against the reference")
    parser.add_argument(
        "--core", type=Path, action="append", default=[], help="a core reference (another view); repeatable"
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=settings.validator_backend,
        help=f"consistency backend (default: SMARTGEN_VALIDATOR or {settings.validator_backend})",
    )
    parser.add_argument(
        "--model",
        default=settings.dinov3_model,
        help="DINOv3 weights for --backend dinov3: a local directory or a hub id in the local Hugging Face cache "
        "(default: SMARTGEN_DINOV3_MODEL)",
    )
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        embedder = build_embedder(args.backend, args.model)
    except BackendUnavailable as error:
        print(f"smartgen score: {error}", file=sys.stderr)
        return 2
    media = MemoryMedia()
    return asyncio.run(_score(Validator(embedder, media), media, args.reference, args.core, args.candidates))


async def _score(
    validator: Validator, media: MemoryMedia, reference: Path, cores: list[Path], candidates: list[Path]
) -> int:
    try:
        references = await asyncio.to_thread(_read_references, [reference, *cores])
    except (OSError, InvalidImage) as error:
        print(f"smartgen score: cannot use a reference: {_reason(error)}", file=sys.stderr)
        return 2
    master_id, *core_ids = [await media.put(data) for data in references]
    status = 0
    try:
        for candidate in candidates:
            line: dict[str, Any] = {"candidate": str(candidate)}
            try:
                candidate_id = await media.put(await asyncio.to_thread(candidate.read_bytes))
                report, elapsed = await validator.validate(candidate_id, master_id, core_ids)
            except (OSError, InvalidImage) as error:
                line["error"] = _reason(error)
                status = 1
            else:
                line.update(
                    qualityScore=report.quality_score,
                    consistencyScore=report.consistency_score,
                    backend=report.backend,
                    model=validator.embedder.model_id,
                    qualityParts=report.quality_parts,
                    consistencyParts=report.consistency_parts,
                    notes=report.notes,
                    elapsedMs=round(elapsed, 1),
                )
            print(json.dumps(line), flush=True)
    finally:
        await validator.aclose()
    return status


def _read_references(paths: list[Path]) -> list[bytes]:
    """The references' bytes, each checked to be a usable image (raises OSError or InvalidImage)."""
    contents = [path.read_bytes() for path in paths]
    for data in contents:
        decode_image(data)
    return contents


def _reason(error: Exception) -> str:
    return error.message if isinstance(error, InvalidImage) else str(error)
