"""OpenTelemetry tracing: one trace per request across the bridge, the saga and every stage (via NATS headers)."""

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from ops.settings import Settings


def tracer_provider_for(settings: Settings, service: str) -> TracerProvider | None:
    """None when no collector is configured: then no tracing middleware runs at all (it costs per message)."""
    if not settings.otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint)))
    return provider
