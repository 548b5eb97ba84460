"""The record of a call the dialplan served while no engine ran, made from what
Asterisk's queue_log said of it (IVR-8, CC-10), and the recording to index with it."""

from __future__ import annotations

import uuid

from ivr.call_rows import CallRow, CallStatus, fitted
from ivr.queue_outcomes import Ending, QueueCall
from recordings.recorder import RecordedCall

ROW_NAMESPACE = uuid.UUID("6f1c9a52-3f0e-4c55-9d3e-0b8a4f1f2c11")


def row_id_without_engine(callid: str) -> str:
    """The same id whichever engine makes the row, so it is made once."""
    return uuid.uuid5(ROW_NAMESPACE, callid).hex


def call_row(call: QueueCall, line: str, ending: Ending | None) -> CallRow:
    """The call's row; still ``in_queue`` while its end is not known."""
    assert call.no_engine_at is not None
    return CallRow(
        **fitted(
            {
                "id": row_id_without_engine(call.callid),
                "uniqueid": call.callid,
                "channel": "",
                "line": line,
                "dialled_number": call.dialled_number or "",
                "caller_id": call.caller_id or "",
                "started_at": call.no_engine_at,
                "answered_at": call.no_engine_at,
                "ended_at": ending.ended_at if ending else None,
                "last_seen_at": ending.ended_at if ending else call.no_engine_at,
                "path": ["no_engine"],
                "inputs": "",
                "topic": None,
                "outcome": ending.outcome.value if ending else None,
                "ended_by": ending.ended_by if ending else None,
                "operator": ending.operator if ending else None,
                "status": (
                    CallStatus.WITHOUT_ENGINE.value if ending else CallStatus.IN_QUEUE.value
                ),
                "engine_id": None,
            }
        )
    )


def recorded_call(row: CallRow) -> RecordedCall:
    """The call as its recording's index row needs it."""
    return RecordedCall(
        call_id=row.id,
        uniqueid=row.uniqueid,
        started_at=row.started_at,
        line=row.line,
        dialled_number=row.dialled_number,
        caller_id=row.caller_id,
    )
