"""Selector actor: asks the gallery for the character's references and ranks them for the analysed prompt."""

from collections.abc import Sequence

import msgspec
from faststream.nats import NatsBroker, NatsRouter
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from actors.gallery.client import GalleryClient
from actors.runtime import publish_event, stage_consumer
from actors.selector.coverage import coverage
from actors.selector.rank import rank_references
from actors.stage import add_ping, current_message, decode_command, event_id
from contracts import subjects
from contracts.codec import encode
from contracts.commands import SelectReferences
from contracts.events import FailureKind, ReferencesSelected, SelectionFailed
from contracts.model import RankedReference
from contracts.queries import CharacterView, CoverageView, GetCharacter, QueryError

_decoder = msgspec.json.Decoder(SelectReferences)
_get_decoder = msgspec.json.Decoder(GetCharacter)


class SelectorSettings(msgspec.Struct, frozen=True, kw_only=True):
    # A generated image becomes a reference only when it stayed this close to the master, so drift cannot compound.
    min_generated_consistency: float = 85.0
    # How many of the most consistent generated images are ranked at all, and how many travel in the ranking (the
    # saga keeps it in its state and the reply lists it): enough for five attempts, bounded however big the gallery.
    generated_candidates: int = 50
    generated_in_ranking: int = 5


def shortlist(ranking: Sequence[RankedReference], generated: int) -> tuple[RankedReference, ...]:
    """Every master and core reference (the validator compares with them), and only the best generated images."""
    kept: list[RankedReference] = []
    for ranked in ranking:
        if ranked.reference.role != "generated" or generated > 0:
            kept.append(ranked)
            generated -= ranked.reference.role == "generated"
    return tuple(kept)


async def select(gallery: GalleryClient, command: SelectReferences, settings: SelectorSettings) -> object:
    rid = command.request_id
    try:
        reply = await gallery.get_character(
            command.character_id,
            min_generated_consistency=settings.min_generated_consistency,
            generated_limit=settings.generated_candidates,
        )
    except NoRespondersError:
        return SelectionFailed(request_id=rid, kind="unavailable", reason="Service unavailable: no gallery worker")
    except NatsTimeout:
        return SelectionFailed(request_id=rid, kind="timeout", reason="Timed out: the gallery did not answer")
    if isinstance(reply, QueryError):
        kind: FailureKind = "not_found" if reply.status == 404 else "invalid"
        return SelectionFailed(request_id=rid, kind=kind, reason=reply.error)
    assert isinstance(reply, CharacterView)
    ranking = shortlist(
        rank_references(
            reply.references, command.analysis, min_generated_consistency=settings.min_generated_consistency
        ),
        settings.generated_in_ranking,
    )
    return ReferencesSelected(request_id=rid, character=reply.character, ranking=ranking)


def build_router(broker: NatsBroker, settings: SelectorSettings | None = None) -> NatsRouter:
    router = NatsRouter()
    config = settings or SelectorSettings()

    @router.subscriber(**stage_consumer("selector", subjects.CMD_SELECT))
    async def select_references() -> None:
        command = await decode_command(current_message(broker), _decoder)
        if command is None:
            return
        event = await select(GalleryClient(broker.connection), command, config)
        if isinstance(event, ReferencesSelected):
            await publish_event(broker, subjects.EVT_SELECTED, event, msg_id=event_id(command.request_id, "selected"))
        else:
            msg_id = event_id(command.request_id, "selection_failed")
            await publish_event(broker, subjects.EVT_SELECTION_FAILED, event, msg_id=msg_id)

    @router.subscriber(subjects.SELECTOR_COVERAGE, queue="smartgen-selector")
    async def character_coverage() -> bytes:
        try:
            request = _get_decoder.decode(current_message(broker).body)
        except msgspec.DecodeError as error:
            return encode(QueryError(status=400, error=f"Invalid parameters: {error}"))
        reply = await GalleryClient(broker.connection).get_character(request.character_id)
        if not isinstance(reply, CharacterView):
            return encode(reply)
        report = coverage(reply.references, min_generated_consistency=config.min_generated_consistency)
        return encode(CoverageView(character=reply.character, coverage=dict(report)))

    add_ping(router, "selector")
    return router
