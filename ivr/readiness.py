"""Whether the call-record writer keeps up, for ``/readyz`` (IVR-8, CC-10)."""

from __future__ import annotations

from typing import Any

from ivr.storage import SqlCallLog


def call_record_readiness(call_log: SqlCallLog) -> tuple[bool, dict[str, Any]]:
    """Ready while the writer stores records; its backlog and last error either way."""
    healthy = bool(getattr(call_log, "healthy", True))
    details: dict[str, Any] = {"backlog": getattr(call_log, "backlog", 0)}
    last_error = getattr(call_log, "last_error", None)
    if last_error:
        details["error"] = str(last_error)
    return healthy, details
