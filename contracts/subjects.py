"""The one place where bus subjects, streams and buckets are spelled.

These names are a public API: other systems publish requests and subscribe to events with them.
"""

from typing import Final

# Request-reply entry point: body `SmartImageRequest`, reply the spec's success or error body.
GENERATE: Final = "smartgen.generate"
# The durable way in for other systems: published to a work-queue stream, taken by a saga when one runs; the outcome
# is announced only as an event (smartgen.evt.request.succeeded|failed), correlated by the body's requestId.
SUBMIT: Final = "smartgen.submit"

# Commands: imperative, one consumer each, on the work-queue stream below.
CMD_ANALYZE: Final = "smartgen.cmd.analyze"
CMD_SELECT: Final = "smartgen.cmd.select"
CMD_GENERATE: Final = "smartgen.cmd.generate"
CMD_VALIDATE: Final = "smartgen.cmd.validate"
CMD_SAVE: Final = "smartgen.cmd.save"
COMMAND_WILDCARD: Final = "smartgen.cmd.>"

# Events: past-tense facts, broadcast. Stage events feed the saga; request outcomes are for everyone else.
EVT_ANALYZED: Final = "smartgen.evt.analyzer.analyzed"
EVT_ANALYSIS_FAILED: Final = "smartgen.evt.analyzer.failed"
EVT_SELECTED: Final = "smartgen.evt.selector.selected"
EVT_SELECTION_FAILED: Final = "smartgen.evt.selector.failed"
EVT_GENERATED: Final = "smartgen.evt.generator.generated"
EVT_GENERATION_FAILED: Final = "smartgen.evt.generator.failed"
EVT_VALIDATED: Final = "smartgen.evt.validator.validated"
EVT_VALIDATION_FAILED: Final = "smartgen.evt.validator.failed"
EVT_SAVED: Final = "smartgen.evt.gallery.saved"
EVT_SAVE_FAILED: Final = "smartgen.evt.gallery.failed"
STAGE_EVENT_SUBJECTS: Final = (
    "smartgen.evt.analyzer.>",
    "smartgen.evt.selector.>",
    "smartgen.evt.generator.>",
    "smartgen.evt.validator.>",
    "smartgen.evt.gallery.>",
)
EVT_REQUEST_SUCCEEDED: Final = "smartgen.evt.request.succeeded"
EVT_REQUEST_FAILED: Final = "smartgen.evt.request.failed"
EVENT_WILDCARD: Final = "smartgen.evt.>"

# Attempt progress from engines that report it (core NATS, not persisted): `smartgen.progress.<requestId>`.
PROGRESS_PREFIX: Final = "smartgen.progress"

# Published by the gallery after every catalog write, one subject per character.
GALLERY_UPDATED_PREFIX: Final = "smartgen.gallery.updated"
GALLERY_UPDATED_WILDCARD: Final = "smartgen.gallery.updated.>"

# Catalog queries and writes that answer at once (core request-reply, gallery actor).
GALLERY_CREATE_CHARACTER: Final = "smartgen.gallery.character.create"
GALLERY_GET_CHARACTER: Final = "smartgen.gallery.character.get"
GALLERY_ADD_REFERENCE: Final = "smartgen.gallery.reference.add"
GALLERY_LIST: Final = "smartgen.gallery.list"
GALLERY_UPDATE_REFERENCE: Final = "smartgen.gallery.reference.update"
GALLERY_GET_EMBEDDING: Final = "smartgen.gallery.embedding.get"
GALLERY_PUT_EMBEDDING: Final = "smartgen.gallery.embedding.put"
SELECTOR_COVERAGE: Final = "smartgen.selector.coverage"

# Liveness: every stage answers a ping, so the saga can tell "nobody is running X" from "X is slow".
PING_PREFIX: Final = "smartgen.ping"

COMMAND_STREAM: Final = "SMARTGEN_COMMANDS"
EVENT_STREAM: Final = "SMARTGEN_EVENTS"
GALLERY_STREAM: Final = "SMARTGEN_GALLERY"
SUBMISSION_STREAM: Final = "SMARTGEN_SUBMISSIONS"
SAGA_BUCKET: Final = "smartgen-sagas"
ATTEMPT_BUCKET: Final = "smartgen-attempts"  # finished generations, so a redelivered command reuses its result
MEDIA_BUCKET: Final = "smartgen-media"

STAGES: Final = ("analyzer", "selector", "generator", "validator", "gallery")


def gallery_updated(character_id: str) -> str:
    return f"{GALLERY_UPDATED_PREFIX}.{character_id}"


def progress(request_id: str) -> str:
    return f"{PROGRESS_PREFIX}.{request_id}"


def ping(stage: str) -> str:
    return f"{PING_PREFIX}.{stage}"


def durable_name(stage: str) -> str:
    return f"smartgen-{stage}"
