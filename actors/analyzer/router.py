"""Analyzer actor: prompt in, `PromptAnalysis` out.

The rules run inline (a few hundredths of a millisecond). With the learned fallback (fine-tuned MiniLM, loaded once by
the composition root), analysis runs in a worker thread, because a forward pass takes milliseconds of CPU.
"""

import asyncio
from collections.abc import Callable

import msgspec
from faststream.nats import NatsBroker, NatsRouter

from actors.analyzer.analyze import analyze
from actors.runtime import publish_event, stage_consumer
from actors.stage import add_ping, current_message, decode_command, event_id
from contracts import subjects
from contracts.commands import AnalyzePrompt
from contracts.events import AnalysisFailed, PromptAnalyzed
from contracts.model import PromptAnalysis

_decoder = msgspec.json.Decoder(AnalyzePrompt)


def build_router(broker: NatsBroker, learned: Callable[[str], PromptAnalysis] | None = None) -> NatsRouter:
    """`learned`: the rules plus the learned fallback (`LearnedFallback.analyze`), when it is switched on."""
    router = NatsRouter()

    @router.subscriber(**stage_consumer("analyzer", subjects.CMD_ANALYZE))
    async def analyze_prompt() -> None:
        command = await decode_command(current_message(broker), _decoder)
        if command is None:
            return
        rid = command.request_id
        try:
            if learned is None:
                analysis = analyze(command.prompt)
            else:  # milliseconds of model inference: off the event loop
                analysis = await asyncio.to_thread(learned, command.prompt)
        except Exception as error:  # a bug in the rules must fail the request, not leave the saga waiting
            failed = AnalysisFailed(request_id=rid, reason=f"{type(error).__name__}: {error}")
            await publish_event(broker, subjects.EVT_ANALYSIS_FAILED, failed, msg_id=event_id(rid, "analysis_failed"))
            return
        event = PromptAnalyzed(request_id=rid, analysis=analysis)
        await publish_event(broker, subjects.EVT_ANALYZED, event, msg_id=event_id(rid, "analyzed"))

    add_ping(router, "analyzer")
    return router
