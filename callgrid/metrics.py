"""The engine's Prometheus metrics, in one registry served at ``/metrics``.

Capabilities import the metric they feed from here (the shell's public piece), so
every name and label is declared once. The link and listener state is read from the
running engine at scrape time (:func:`engine_registry`), through :class:`FastAgiState`
and :class:`AmiState`, which ``/readyz`` reports as well."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from telephony.agi.observation import TURNAROUNDS

if TYPE_CHECKING:
    from callgrid.engine import Engine
    from telephony.agi import FastAgiServer
    from telephony.ami import AmiClient

REGISTRY = CollectorRegistry(auto_describe=True)

CALLS_ENDED = Counter(
    "callgrid_calls_ended", "Calls ended, by outcome", ["outcome"], registry=REGISTRY
)
CALL_RECORD_WRITES_FAILED = Counter(
    "callgrid_call_record_writes_failed",
    "Call records the database refused or could not take",
    registry=REGISTRY,
)
CALL_RECORD_QUEUE = Gauge(
    "callgrid_call_record_queue", "Call records waiting to be written", registry=REGISTRY
)


class TurnaroundCollector(Collector):
    """The FastAGI side's turnaround counts as a Prometheus histogram, at scrape time."""

    def __init__(self, name: str, documentation: str, registry: CollectorRegistry) -> None:
        self.name = name
        self.documentation = documentation
        registry.register(self)

    def collect(self) -> Iterator[Metric]:
        cumulative = 0
        buckets: list[tuple[str, float]] = []
        bounds = [*map(str, TURNAROUNDS.bounds), "+Inf"]
        for bound, count in zip(bounds, TURNAROUNDS.counts, strict=True):
            cumulative += count
            buckets.append((bound, cumulative))
        yield HistogramMetricFamily(
            self.name, self.documentation, buckets=buckets, sum_value=TURNAROUNDS.total_seconds
        )


AGI_TURNAROUND = TurnaroundCollector(
    "callgrid_agi_turnaround_seconds",
    "From Asterisk's reply to the engine's next command",
    registry=REGISTRY,
)


@dataclass(frozen=True, slots=True)
class FastAgiState:
    """The FastAGI listener as monitoring sees it, read in one go."""

    listening: bool
    port: int
    active_calls: int
    calls_served: int
    refused_connections: int
    malformed_connections: int

    @classmethod
    def of(cls, agi: FastAgiServer) -> FastAgiState:
        return cls(
            agi.listening,
            agi.port,
            agi.active_calls,
            agi.calls_served,
            agi.refused_connections,
            agi.malformed_connections,
        )


@dataclass(frozen=True, slots=True)
class AmiState:
    """The AMI link as monitoring sees it; ``last_error`` says why it is down."""

    connected: bool
    host: str
    reconnects: int
    last_error: str | None

    @classmethod
    def of(cls, ami: AmiClient) -> AmiState:
        return cls(ami.is_connected, f"{ami.host}:{ami.port}", ami.reconnects, ami.last_error)


class EngineCollector(Collector):
    """Calls in progress, the FastAGI listener's refusals and the AMI link, as they are
    when Prometheus scrapes."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[Metric]:
        if self._engine.agi is not None:
            agi = FastAgiState.of(self._engine.agi)
            yield GaugeMetricFamily(
                "callgrid_calls_in_progress",
                "Calls the FastAGI server serves now",
                agi.active_calls,
            )
            yield CounterMetricFamily(
                "callgrid_fastagi_refused_connections",
                "FastAGI connections closed unread: from an address not allowed",
                agi.refused_connections,
            )
            yield CounterMetricFamily(
                "callgrid_fastagi_malformed_connections",
                "FastAGI connections dropped: their environment block was not FastAGI",
                agi.malformed_connections,
            )
        if self._engine.ami is not None:
            ami = AmiState.of(self._engine.ami)
            yield GaugeMetricFamily(
                "callgrid_ami_connected",
                "1 while logged in to Asterisk's AMI, 0 while the link is down",
                1 if ami.connected else 0,
            )
            yield CounterMetricFamily(
                "callgrid_ami_reconnects", "AMI logins after the first one", ami.reconnects
            )


def engine_registry(engine: Engine) -> CollectorRegistry:
    """The metrics of one running engine, scraped next to :data:`REGISTRY`'s."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(EngineCollector(engine))
    return registry
