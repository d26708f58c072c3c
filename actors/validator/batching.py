"""Micro-batching of embedding requests: concurrent validations share one forward pass.

Callers `await batcher.embed(images)` from the event loop. One worker task takes the first waiting request, keeps
collecting for up to `max_wait_s` (a few ms) or until `max_batch` images are waiting, and runs one
`embedder.embed(batch)` in a worker thread; every caller then gets its own rows. While a forward pass runs, new
requests queue up, so under load batches fill without any waiting at all, and only one forward pass runs at a time
(a model is not safe to call from several threads at once, and on a CPU the batch already uses every core).
The forward passes always run on the batcher's own thread: torch keeps its intra-op thread pool per calling
thread, and hopping between the event loop's pool threads cost about a quarter of the throughput at batch 1.
"""

import asyncio
import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from PIL import Image

from actors.validator.backends.base import Embedder, Embeddings

DEFAULT_MAX_WAIT_S: Final = 0.003


@dataclass
class _Request:
    image: Image.Image
    future: asyncio.Future[np.ndarray]


@dataclass
class BatchStats:
    forward_calls: int = 0
    images: int = 0
    batch_sizes: list[int] = field(default_factory=list)


class EmbeddingBatcher:
    """Groups embed requests that arrive close together into single `embedder.embed` calls."""

    def __init__(self, embedder: Embedder, *, max_batch: int | None = None, max_wait_s: float = DEFAULT_MAX_WAIT_S):
        self.embedder = embedder
        self.max_batch = max(1, max_batch if max_batch is not None else embedder.max_batch)
        self.max_wait_s = max_wait_s
        self.stats = BatchStats()
        self._queue: asyncio.Queue[_Request] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedding-batcher")

    async def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        """Rows for `images`, in order, computed together with whatever else is waiting."""
        if not images:
            return self.embedder.embed([])
        loop = asyncio.get_running_loop()
        queue = self._ensure_worker()
        requests = [_Request(image, loop.create_future()) for image in images]
        for request in requests:
            queue.put_nowait(request)
        rows = await asyncio.gather(*(request.future for request in requests))
        return np.stack(rows).astype(np.float32, copy=False)

    async def aclose(self) -> None:
        """Stop the worker; requests still queued fail with CancelledError."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        queue, self._queue = self._queue, None
        while queue is not None and not queue.empty():
            queue.get_nowait().future.cancel()
        self._thread.shutdown(wait=False)

    def _ensure_worker(self) -> asyncio.Queue[_Request]:
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = self._queue or asyncio.Queue()
            self._worker = asyncio.get_running_loop().create_task(self._run(self._queue), name="embedding-batcher")
        return self._queue

    async def _run(self, queue: asyncio.Queue[_Request]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            deadline = loop.time() + self.max_wait_s
            while len(batch) < self.max_batch:
                if not queue.empty():
                    batch.append(queue.get_nowait())
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(queue.get(), remaining))
                except TimeoutError:
                    break
            live = [request for request in batch if not request.future.done()]
            if live:
                await self._forward(live)

    async def _forward(self, batch: list[_Request]) -> None:
        self.stats.forward_calls += 1
        self.stats.images += len(batch)
        self.stats.batch_sizes.append(len(batch))
        try:
            images = [request.image for request in batch]
            rows = await asyncio.get_running_loop().run_in_executor(self._thread, self.embedder.embed, images)
        except Exception as error:  # every waiting caller learns why, and the worker keeps serving
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(error)
            return
        for request, row in zip(batch, rows, strict=True):
            if not request.future.done():
                request.future.set_result(row)
