"""Validator throughput: images/s per backend, batch 1 and under concurrent load, beside the raw model forward pass.

Each backend runs in its own subprocess, so its peak memory (ru_maxrss) is that of a validator process with only
that backend loaded. Measured in each subprocess, in one run:

- dinov3 (a ViT-S/16-sized DINOv3, hidden 384, 12 layers, 6 heads, patch 16, 224 px, *randomly initialised*:
  speed and memory do not depend on the weights' values), loaded through the real factory from a saved folder:
  * raw forward: the model alone on preprocessed tensors, at batch 1 and at batch B;
  * embed path, batch 1: `EmbeddingBatcher.embed` called one image at a time (includes preprocessing, the
    micro-batching window and the thread hop), beside raw preprocess+forward at batch 1;
  * embed path, concurrent: C callers at once through the batcher, beside raw preprocess+forward at the batch
    sizes the batcher formed;
  * whole validation: `Validator.validate` one at a time, and C at once (decode, quality and consistency; the
    references are cached, as they are after the first request of a character).
- classical: the same validation figures, and the raw descriptor.

Usage: python -m bench.validator_throughput [--images 32] [--concurrency 8] [--backend dinov3 --backend classical]
"""

import argparse
import asyncio
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from actors.media import MemoryMedia
from actors.validator.backends import build_embedder
from actors.validator.backends.base import Embedder
from actors.validator.batching import EmbeddingBatcher
from actors.validator.service import Validator
from ops.demo_art import draw_view

SIZE = 512  # px, the size the local engine renders by default


def vit_small(folder: Path) -> str:
    """Save a random-init ViT-S/16 DINOv3. Built on a short-lived thread, so that the measured process's torch
    work all happens on the embedder's own thread, as in the validator actor."""

    def build() -> None:
        from transformers import DINOv3ViTConfig, DINOv3ViTModel

        config = DINOv3ViTConfig(hidden_size=384, num_hidden_layers=12, num_attention_heads=6, intermediate_size=1536)
        DINOv3ViTModel(config).save_pretrained(folder)

    thread = threading.Thread(target=build)
    thread.start()
    thread.join()
    return str(folder)


def candidates(count: int) -> list[Image.Image]:
    """Distinct images (so nothing is cached by accident): demo views with a per-image tint."""
    base = [draw_view(angle, shot, SIZE) for angle in ("front", "side", "45-degree") for shot in ("close-up", "medium")]
    images = []
    for i in range(count):
        pixels = np.asarray(base[i % len(base)], np.int16) + (i % 7) - 3
        images.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))
    return images


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("nan")


ROUNDS = 3  # each figure is the best of this many rounds: the machine is shared, and noise only ever slows a run


def best(measure: Callable[[], float]) -> float:
    return max(measure() for _ in range(ROUNDS))


def total(fn: Callable[[Any], object], arguments: list[Any]) -> float:
    """Seconds to call `fn` once per argument, in order."""
    return sum(timed(fn, argument) for argument in arguments)


def timed(fn: Any, *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


async def best_async(count: int, run: Callable[[], Awaitable[None]]) -> float:
    rates = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await run()
        rates.append(rate(count, time.perf_counter() - started))
    return max(rates)


async def embed_figures(embedder: Embedder, images: list[Image.Image], concurrency: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    batcher = EmbeddingBatcher(embedder)
    await batcher.embed(images[:2])  # warm-up: thread pool, allocator

    async def sequential() -> None:
        for image in images:
            await batcher.embed([image])

    figures["embed path, batch 1"] = await best_async(len(images), sequential)
    semaphore = asyncio.Semaphore(concurrency)

    async def one(image: Image.Image) -> None:
        async with semaphore:
            await batcher.embed([image])

    async def concurrent() -> None:
        batcher.stats.batch_sizes.clear()
        await asyncio.gather(*(one(image) for image in images))

    figures[f"embed path, {concurrency} concurrent"] = await best_async(len(images), concurrent)
    figures["batch sizes formed"] = list(batcher.stats.batch_sizes)
    await batcher.aclose()
    return figures


async def validation_figures(embedder: Embedder, images: list[Image.Image], concurrency: int) -> dict[str, Any]:
    media = MemoryMedia()
    validator = Validator(embedder, media)
    master = await media.put(_png(draw_view("front", "full-body", SIZE)))
    cores = [await media.put(_png(draw_view(angle, "full-body", SIZE))) for angle in ("side", "back")]
    ids = [await media.put(_png(image)) for image in images]
    await validator.validate(ids[0], master, cores)  # references computed and cached here

    async def sequential() -> None:
        for asset_id in ids:
            await validator.validate(asset_id, master, cores)

    figures: dict[str, Any] = {"validate, one at a time": await best_async(len(ids), sequential)}
    semaphore = asyncio.Semaphore(concurrency)

    async def one(asset_id: str) -> None:
        async with semaphore:
            await validator.validate(asset_id, master, cores)

    async def concurrent() -> None:
        await asyncio.gather(*(one(asset_id) for asset_id in ids))

    figures[f"validate, {concurrency} concurrent"] = await best_async(len(ids), concurrent)
    await validator.aclose()
    return figures


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def worker(backend: str, count: int, concurrency: int) -> dict[str, Any]:
    images = candidates(count)
    figures: dict[str, Any] = {"backend": backend, "images": count}
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "dinov3":
            import torch

            embedder = build_embedder("dinov3", vit_small(Path(tmp) / "vit-s16"))
            figures["torch threads"] = torch.get_num_threads()
            from actors.validator.backends.dinov3 import Dinov3Embedder

            assert isinstance(embedder, Dinov3Embedder)
            model = embedder
            one = model.preprocess(images[:1])
            model.forward(one)  # warm-up
            figures["raw forward, batch 1"] = best(lambda: rate(count, total(model.forward, [one] * count)))
            figures["raw preprocess+forward, batch 1"] = best(
                lambda: rate(count, total(model.embed, [[image] for image in images]))
            )
        else:
            embedder = build_embedder(backend)
            figures["raw embed, one at a time"] = best(
                lambda: rate(count, total(embedder.embed, [[image] for image in images]))
            )
        figures.update(asyncio.run(embed_figures(embedder, images, concurrency)))
        if backend == "dinov3":
            sizes = figures["batch sizes formed"]
            batches = [images[sum(sizes[:i]) : sum(sizes[: i + 1])] for i in range(len(sizes))]
            figures["raw preprocess+forward, same batches"] = best(lambda: rate(count, total(embedder.embed, batches)))
        figures.update(asyncio.run(validation_figures(embedder, images, concurrency)))
    figures["peak RSS MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.validator_throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=32)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backend", action="append", choices=["dinov3", "classical"])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.images, args.concurrency)))
        return 0
    print(f"{os.cpu_count()} CPUs; {args.images} distinct {SIZE} px images per figure; concurrency {args.concurrency}")
    for backend in args.backend or ["dinov3", "classical"]:
        command = [sys.executable, "-m", "bench.validator_throughput", "--worker", backend]
        command += ["--images", str(args.images), "--concurrency", str(args.concurrency)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"\n{backend}: failed\n{done.stderr[-2000:]}")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\n{backend}" + (" (ViT-S/16 size, random init, fp32)" if backend == "dinov3" else ""))
        for name, value in figures.items():
            if isinstance(value, float):
                unit = "" if "MiB" in name else " images/s"
                print(f"  {name:40s} {value:8.1f}{unit}")
            elif name not in ("backend", "images"):
                print(f"  {name:40s} {value}")
        if backend == "dinov3":
            path, raw = (
                figures[f"embed path, {args.concurrency} concurrent"],
                figures["raw preprocess+forward, same batches"],
            )
            print(f"  concurrent embed path / raw at the same batches: {path / raw:.0%}")
            one, raw_one = figures["embed path, batch 1"], figures["raw preprocess+forward, batch 1"]
            print(f"  batch-1 embed path / raw batch 1:                {one / raw_one:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
