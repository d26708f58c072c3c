"""The embedded default engine: the deterministic compositor in local_render, run off the event loop."""

import asyncio
import os

import msgspec
from PIL import Image

from actors.generator.engines.base import EngineError, EngineJob, ProgressCallback
from actors.generator.engines.local_render import render
from actors.images import InvalidImage, decode_image, encode_jpeg


class LocalEngine:
    name = "local"

    def __init__(self, max_concurrency: int | None = None, *, name: str = "local") -> None:
        self.name = name
        # CPU-bound: more renders in flight than cores only adds queueing inside the thread pool.
        self._slots = asyncio.Semaphore(max_concurrency or os.cpu_count() or 1)

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        """Render in a worker thread. `progress` is accepted for the common interface; a render takes well under a
        second, so nothing is reported."""
        async with self._slots:
            return await asyncio.to_thread(self._render, job)

    @staticmethod
    def _render(job: EngineJob) -> bytes:
        try:
            reference = decode_image(job.reference)
        except InvalidImage as error:
            raise EngineError("permanent", f"reference image unusable: {error.message}") from None
        params = job.params
        if params.width <= 0 or params.height <= 0:
            params = msgspec.structs.replace(params, width=reference.width, height=reference.height)
        image: Image.Image = render(reference, job.analysis, params)
        return encode_jpeg(image)

    async def close(self) -> None:
        return None
