"""Whether the call-record writer keeps up, for ``/readyz`` (IVR-8, CC-10)."""

from __future__ import annotations

from typing import Any

from ivr.storage import SqlCallLog


def call_record_readiness(call_log: SqlCallLog) -> tuple[bool, dict[str, Any]]:
    """Ready while the writer stores records; its backlog and last error either way."""
    details: dict[str, Any] = {"backlog": call_log.backlog}
    if call_log.last_error:
        details["error"] = call_log.last_error
    return call_log.healthy, details
