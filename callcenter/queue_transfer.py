"""Putting a caller into an Asterisk operator queue and reading how it ended.

The IVR and the campaign calls hand the caller to the queue (:func:`hand_to_queue`):
they set the queue, the wait and the request to come back with on the channel and end
their FastAGI session, and the dialplan ([callgrid-queued], [callgrid-campaign]) runs
``Queue()`` with no engine session open for the wait and the talk. When ``Queue()``
returns, or the caller hangs up in it (``h``), the engines are offered the call again
with that request, and :func:`result_after_queue` reads how the queue ended from the
channel's variables. The desk's transfers (a ring limit of seconds) run ``Queue()``
inside that after-queue session (:func:`queue_once`).

``Queue(name,c,,,timeout)``: with ``c`` the caller's channel comes back from Queue()
alive when the operator hangs up (app_queue's QUEUE_CONTINUE: the return code 0,
``QUEUESTATUS=CONTINUE``), so the FastAGI session goes on — to a transfer the operator
asked for at the desk (:mod:`callcenter.transfer_call`), or to end the call itself. It
returns 0 with ``QUEUESTATUS=CONTINUE`` too when the caller hung up during the talk (the
channel is dead then: CHANNEL STATUS tells). It returns -1 when the caller left while
waiting (``ABANDONED=TRUE``; variables still read on a dead channel), and 0 with
``QUEUESTATUS`` TIMEOUT, FULL, JOINEMPTY, LEAVEEMPTY, JOINUNAVAIL or LEAVEUNAVAIL when
nobody answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from telephony.agi import AgiCall, CallHungUp
from telephony.dialplan import (
    AFTER_QUEUE_VARIABLE,
    PARKED_BY_VARIABLE,
    QUEUE_VARIABLE,
    QUEUE_WAIT_VARIABLE,
)

LONGEST_CONVERSATION_SECONDS = 4 * 3600
CONTINUE = "CONTINUE"
"""QUEUESTATUS after an answered call with option ``c``."""


class QueueOutcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    NOT_ANSWERED = "not_answered"


@dataclass(frozen=True)
class QueueResult:
    outcome: QueueOutcome
    status: str = ""
    operator: str = ""
    """The member interface that took the call last (after a transfer: the target's)."""
    caller_present: bool = False
    """After an answered call: the caller is still on the line (the operator hung up
    first), and the engine must end the call itself."""


VIP_PRIORITY = 10
"""``QUEUE_PRIO`` of a VIP customer's call: app_queue seats it ahead of every caller of
priority 0, the rest, in the order they came (CC-9)."""


def after_queue_request(script: str, **query: str) -> str:
    """The AGI request the dialplan comes back with once the queue is over."""
    return f"{script}?{urlencode(query)}"


async def hand_to_queue(
    call: AgiCall, queue: str, wait_seconds: int, after_queue: str, *, vip: bool = False
) -> None:
    """Give the caller to the dialplan's ``Queue()`` for at most ``wait_seconds`` (CC-2:
    40 s); a VIP customer waits ahead of the others (CC-9). The session is closed here;
    the dialplan offers ``after_queue`` when the queue is over. Raises CallHungUp when
    the caller is gone already."""
    variables = {
        QUEUE_WAIT_VARIABLE: str(wait_seconds),
        AFTER_QUEUE_VARIABLE: after_queue,
        PARKED_BY_VARIABLE: call.environment.engine_address,
    }
    if vip:
        variables["QUEUE_PRIO"] = str(VIP_PRIORITY)
    # The dialplan queues the caller only once CALLGRID_QUEUE is set, so it comes last:
    # an engine killed half-way leaves a caller the dialplan hands on, not one queued
    # with no request to come back with.
    variables[QUEUE_VARIABLE] = queue
    with call.one_step():
        if not await call.return_to_dialplan(variables):
            raise CallHungUp("caller hung up before the queue")


async def result_after_queue(call: AgiCall) -> QueueResult:
    """How the dialplan's ``Queue()`` ended, read in the after-queue session: on a live
    channel when Queue() returned, on a dead one when the caller hung up in it.
    ``ABANDONED`` says nothing here: app_queue sets it on a timeout too."""
    with call.one_step():
        status = await call.get_variable("QUEUESTATUS") or ""
        present = await still_on_the_line(call)
        if status == CONTINUE or await call.get_variable("MEMBERINTERFACE"):
            return await _answered(call, present=present)
        if not present:
            return QueueResult(QueueOutcome.ABANDONED, status)
        return QueueResult(QueueOutcome.NOT_ANSWERED, status or "UNKNOWN")


async def queue_once(call: AgiCall, queue: str, wait_seconds: int) -> QueueResult:
    """One ``Queue()`` and how it ended."""
    code = await call.exec(
        "Queue",
        queue,
        "c",
        "",
        "",
        str(wait_seconds),
        timeout=call.reply_timeout + wait_seconds + LONGEST_CONVERSATION_SECONDS,
    )
    if code < 0:
        if await call.get_variable("ABANDONED") == "TRUE":
            return QueueResult(QueueOutcome.ABANDONED)
        return await _answered(call, present=False)
    status = await call.get_variable("QUEUESTATUS") or "UNKNOWN"
    if status == CONTINUE:
        return await _answered(call, present=await still_on_the_line(call))
    return QueueResult(QueueOutcome.NOT_ANSWERED, status)


async def _answered(call: AgiCall, *, present: bool) -> QueueResult:
    operator = await call.get_variable("MEMBERINTERFACE") or ""
    return QueueResult(QueueOutcome.ANSWERED, operator=operator, caller_present=present)


async def still_on_the_line(call: AgiCall) -> bool:
    """Whether the caller's channel is alive: CHANNEL STATUS answers 511 on a dead one."""
    if call.is_hung_up:
        return False
    try:
        await call.command("CHANNEL STATUS")
    except CallHungUp:
        return False
    return not call.is_hung_up
