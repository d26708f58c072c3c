"""What every engine gets around it: progress reporting, a concurrency limit, a per-attempt timeout, cancellation.

Progress: `generate(job, progress=callback)` takes an optional keyword argument
`progress: ProgressCallback | None = None` (defined in base.py), awaited as `progress(detail, fraction)`:
- `detail` is one short human-readable line ("queued at position 3", "step 12/20", "fetching the output");
- `fraction` is the engine's own completed share in [0, 1] (0 while queued or when the engine does not say; ComfyUI
  sampler steps give value/max, which restarts for each sampler in multi-sampler workflows).
Reports are best effort: consecutive duplicates are dropped, and an exception raised by the callback is logged and
swallowed, never failing the generation. Engines that cannot report simply never call it; callers that pass nothing
get the old behaviour.

`LimitedEngine` wraps any engine with a semaphore (backpressure: at most `max_concurrency` attempts in flight, the
rest wait their turn and are told so through `progress`) and a per-attempt timeout that cancels the attempt, which
makes the adapter cancel its remote job, and reports `EngineError("transient", ...)`.
"""

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable

from actors.generator.engines.base import Engine, EngineError, EngineJob, ProgressCallback

log = logging.getLogger("smartgen.engines")


class ProgressReporter:
    """Calls a progress callback best-effort: deduplicated, clamped to [0, 1], never failing the generation."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._last: tuple[str, float] | None = None

    async def __call__(self, detail: str, fraction: float) -> None:
        if self._callback is None:
            return
        fraction = 0.0 if math.isnan(fraction) else min(1.0, max(0.0, fraction))
        if self._last == (detail, fraction):
            return
        self._last = (detail, fraction)
        try:
            await self._callback(detail, fraction)
        except Exception:
            log.warning("a progress callback failed; generation goes on", exc_info=True)


_cancellations: set[asyncio.Task[None]] = set()


async def _bounded(what: str, cancel: Callable[[], Awaitable[None]], timeout_s: float) -> None:
    try:
        async with asyncio.timeout(timeout_s):
            await cancel()
    except Exception as error:
        log.warning("could not cancel %s: %s: %s", what, type(error).__name__, error)


async def cancel_remote(what: str, cancel: Callable[[], Awaitable[None]], timeout_s: float) -> None:
    """Cancel a remote job and wait (at most `timeout_s`) for the engine to take it.

    Meant for `except BaseException:` blocks while the calling task is itself being cancelled: the cancellation runs
    in its own shielded task, so a second cancel of the caller does not abort it (it then finishes in the background).
    Failures are logged, never raised: the original error or CancelledError is what the caller must see.
    """
    task = asyncio.get_running_loop().create_task(_bounded(what, cancel, timeout_s))
    _cancellations.add(task)
    task.add_done_callback(_cancellations.discard)
    await asyncio.shield(task)


class LimitedEngine:
    """An engine behind a concurrency limit and a per-attempt timeout. `name` is the wrapped engine's."""

    def __init__(self, inner: Engine, *, max_concurrency: int | None = None, timeout_s: float | None = None) -> None:
        self.name = inner.name
        self.inner = inner
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self.in_flight = 0
        self.waiting = 0

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        report = ProgressReporter(progress)
        if self._slots is None:
            return await self._run(job, report)
        if self._slots.locked():
            self.waiting += 1
            try:
                await report(
                    f"waiting for a free {self.name} slot ({self.in_flight} running, {self.waiting} waiting)", 0.0
                )
                await self._slots.acquire()
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()
        try:
            return await self._run(job, report)
        finally:
            self._slots.release()

    async def _run(self, job: EngineJob, report: ProgressReporter) -> bytes:
        self.in_flight += 1
        deadline = asyncio.timeout(self.timeout_s)
        try:
            async with deadline:
                return await self.inner.generate(job, progress=report)
        except TimeoutError:
            if not deadline.expired():
                raise
            raise EngineError(
                "transient", f"{self.name}: no result within {self.timeout_s:g} s (per-attempt timeout)"
            ) from None
        finally:
            self.in_flight -= 1

    async def close(self) -> None:
        await self.inner.close()
