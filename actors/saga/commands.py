"""The command a saga state is waiting on, derived from the state alone.

Because the outstanding command is a pure function of the state, the saga can save first and publish after,
and re-publish (under the same JetStream message id) when a crash fell between the two.
"""

from actors.saga.state import SagaState
from contracts import subjects
from contracts.commands import AnalyzePrompt, GenerateImage, SaveGeneratedImage, SelectReferences, ValidateImage

Command = AnalyzePrompt | SelectReferences | GenerateImage | ValidateImage | SaveGeneratedImage

SUBJECT_OF: dict[type, str] = {
    AnalyzePrompt: subjects.CMD_ANALYZE,
    SelectReferences: subjects.CMD_SELECT,
    GenerateImage: subjects.CMD_GENERATE,
    ValidateImage: subjects.CMD_VALIDATE,
    SaveGeneratedImage: subjects.CMD_SAVE,
}
STAGE_OF: dict[type, str] = {
    AnalyzePrompt: "analyzer",
    SelectReferences: "selector",
    GenerateImage: "generator",
    ValidateImage: "validator",
    SaveGeneratedImage: "gallery",
}


def command_id(state: SagaState, command: Command) -> str:
    attempt = state.attempts[-1].attempt if state.attempts else 0
    return f"{state.request_id}:{attempt}:{type(command).__name__}"


def outstanding(state: SagaState) -> Command | None:
    rid, request = state.request_id, state.request
    if state.phase == "analyzing":
        return AnalyzePrompt(request_id=rid, prompt=request.prompt)
    if state.phase == "selecting":
        assert state.analysis is not None
        return SelectReferences(request_id=rid, character_id=request.character_id, analysis=state.analysis)
    if state.phase not in ("generating", "validating", "saving"):
        return None
    assert state.analysis is not None and state.character is not None
    record = state.attempts[-1]
    name = request.character_name or state.character.name
    if state.phase == "generating":
        return GenerateImage(
            request_id=rid,
            attempt=record.attempt,
            character_id=state.character.id,
            character_name=name,
            prompt=request.prompt,
            style=request.style,
            analysis=state.analysis,
            reference=record.reference.reference,
            params=record.params,
            engine=request.engine or "",
        )
    assert record.asset_id is not None
    if state.phase == "validating":
        anchor = anchor_asset(state)
        cores = tuple(
            r.reference.asset_id
            for r in state.ranking
            if r.reference.role == "core_reference" and r.reference.asset_id != anchor
        )
        return ValidateImage(
            request_id=rid,
            attempt=record.attempt,
            candidate_asset_id=record.asset_id,
            master_asset_id=anchor,
            core_asset_ids=cores,
        )
    assert record.report is not None and state.filename is not None
    return SaveGeneratedImage(
        request_id=rid,
        character_id=state.character.id,
        character_name=name,
        asset_id=record.asset_id,
        filename=state.filename,
        prompt=request.prompt,
        style=request.style,
        tags=tuple(t.strip() for t in request.tags.split(",") if t.strip()),
        analysis=state.analysis,
        reference_id=record.reference.reference.id,
        quality_score=record.report.quality_score,
        consistency_score=record.report.consistency_score,
        width=record.width,
        height=record.height,
    )


def anchor_asset(state: SagaState) -> str:
    """Consistency is measured against the master; a character without one is measured against its best core view."""
    master = next((r for r in state.ranking if r.reference.role == "master"), None)
    return (master or state.ranking[0]).reference.asset_id
