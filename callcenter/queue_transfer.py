"""Putting a caller into an Asterisk operator queue and reading how it ended.

``Queue(name,,,,timeout)`` returns -1 when the call ended inside it: answered by an
operator, or the caller left (then Asterisk sets ``ABANDONED=TRUE``; variables still
read on a dead channel). On a live channel it returns with ``QUEUESTATUS`` (TIMEOUT,
FULL, JOINEMPTY, LEAVEEMPTY, JOINUNAVAIL, LEAVEUNAVAIL).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telephony.agi import AgiCall

LONGEST_CONVERSATION_SECONDS = 4 * 3600


class QueueOutcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    NOT_ANSWERED = "not_answered"


@dataclass(frozen=True)
class QueueResult:
    outcome: QueueOutcome
    status: str = ""
    operator: str = ""


VIP_PRIORITY = 10
"""``QUEUE_PRIO`` of a VIP customer's call: app_queue seats it ahead of every caller of
priority 0, the rest, in the order they came (CC-9)."""


async def transfer_to_queue(
    call: AgiCall, queue: str, wait_seconds: int, *, vip: bool = False
) -> QueueResult:
    """Wait at most ``wait_seconds`` (IVR-6: 60 s) for an operator of ``queue``; a VIP
    customer waits ahead of the others."""
    with call.one_step():  # how the wait ended is read even if the engine is stopping
        if vip:
            await call.set_variable("QUEUE_PRIO", str(VIP_PRIORITY))
        return await _queue(call, queue, wait_seconds)


async def _queue(call: AgiCall, queue: str, wait_seconds: int) -> QueueResult:
    code = await call.exec(
        "Queue",
        queue,
        "",
        "",
        "",
        str(wait_seconds),
        timeout=call.reply_timeout + wait_seconds + LONGEST_CONVERSATION_SECONDS,
    )
    if code >= 0:  # Queue() returned on its own (timeout, empty…), even if the caller
        status = await call.get_variable("QUEUESTATUS") or "UNKNOWN"  # hung up just then
        return QueueResult(QueueOutcome.NOT_ANSWERED, status)
    if await call.get_variable("ABANDONED") == "TRUE":
        return QueueResult(QueueOutcome.ABANDONED)
    return QueueResult(
        QueueOutcome.ANSWERED, operator=await call.get_variable("MEMBERINTERFACE") or ""
    )
