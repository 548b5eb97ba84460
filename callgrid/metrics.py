"""The engine's Prometheus metrics, in one registry served at ``/metrics``.

Capabilities import the metric they feed from here (the shell's public piece), so
every name and label is declared once."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

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
AGI_TURNAROUND = Histogram(
    "callgrid_agi_turnaround_seconds",
    "From Asterisk's reply to the engine's next command",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=REGISTRY,
)
