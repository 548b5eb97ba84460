"""What the queue_log tells the recordings index: how a call left in the queue ended,
and the calls the dialplan served (and recorded) while no engine ran (REC-1)."""

from __future__ import annotations

from ivr.queue_outcomes import Ending
from recordings.model import CallFacts
from recordings.recorder import CallRecorder, RecordedCall


def facts_of(ending: Ending) -> CallFacts:
    return CallFacts(
        ended_at=ending.ended_at,
        operator=ending.operator,
        outcome=ending.outcome.value,
    )


async def tell_recordings(
    recorder: CallRecorder,
    closed: list[tuple[str, Ending]],
    without_engine: list[tuple[RecordedCall, Ending | None]],
) -> None:
    """After the import's transaction: each closed call's recording takes its end; each
    call served without an engine gets its recording indexed."""
    for call_id, ending in closed:
        await recorder.call_closed(call_id, facts_of(ending))
    for recorded, known_end in without_engine:
        await recorder.adopt(recorded, None if known_end is None else facts_of(known_end))
