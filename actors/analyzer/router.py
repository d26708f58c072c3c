"""Analyzer actor: prompt in, `PromptAnalyzed` out.

The rules run inline (a few hundredths of a millisecond). With a fallback (the optional embedding model, loaded once
by the composition root: `await asyncio.to_thread(EmbeddingFallback.load)`), analysis runs in a worker thread,
because embedding the unfamiliar words takes milliseconds of CPU.
"""

import asyncio

import msgspec
from faststream.nats import NatsBroker, NatsRouter

from actors.analyzer.analyze import Fallback, analyze
from actors.runtime import publish_event, stage_consumer
from actors.stage import add_ping, current_message, decode_command, event_id
from contracts import subjects
from contracts.commands import AnalyzePrompt
from contracts.events import AnalysisFailed, PromptAnalyzed

_decoder = msgspec.json.Decoder(AnalyzePrompt)


def build_router(broker: NatsBroker, fallback: Fallback | None = None) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(**stage_consumer("analyzer", subjects.CMD_ANALYZE))
    async def analyze_prompt() -> None:
        command = await decode_command(current_message(broker), _decoder)
        if command is None:
            return
        rid = command.request_id
        try:
            if fallback is None:
                analysis = analyze(command.prompt)
            else:
                analysis = await asyncio.to_thread(analyze, command.prompt, fallback)
        except Exception as error:  # a bug in the rules must fail the request, not leave the saga waiting
            failed = AnalysisFailed(request_id=rid, reason=f"{type(error).__name__}: {error}")
            await publish_event(broker, subjects.EVT_ANALYSIS_FAILED, failed, msg_id=event_id(rid, "analysis_failed"))
            return
        event = PromptAnalyzed(request_id=rid, analysis=analysis)
        await publish_event(broker, subjects.EVT_ANALYZED, event, msg_id=event_id(rid, "analyzed"))

    add_ping(router, "analyzer")
    return router
