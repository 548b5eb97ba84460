"""Dialling a callback (CC-5): an Originate to the operator's device into
``[callgrid-callback]`` (asterisk-conf/extensions.conf), where the operator answers and
then the customer is dialled. The desk's "Call back" button and the release of
kept-place callbacks (:mod:`callcenter.callback_release_worker`) both dial through here.

Each call placed is noted in the task's details (``calls``: when, by whom, the
OriginateResponse reason); its first channel is ``cb-<task>-<n>``, so the events of
that call (DialEnd of the customer's leg, Hangup) name the task and the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.storage import SqlTasks
from callcenter.tasks import Task
from telephony.ami import AmiClient

CALLBACK_CONTEXT = "callgrid-callback"
"""asterisk-conf/extensions.conf: the operator answers, then the customer is dialled."""
CHANNEL_PREFIX = "cb-"


@dataclass(frozen=True)
class PlacedCall:
    channel_id: str
    reason: int
    """The OriginateResponse's: 4 the operator answered (OriginateReason)."""


def number_of(task: Task) -> str:
    """The digits to dial; empty when the task has no number."""
    return "".join(ch for ch in task.phone if ch.isdigit())


def channel_for(task: Task) -> str:
    """The first channel's id of the task's next call."""
    return f"{CHANNEL_PREFIX}{task.id}-{len(task.details.get('calls', [])) + 1}"


async def dial_callback(
    ami: AmiClient, tasks: SqlTasks, task: Task, interface: str, by: str, at: datetime
) -> PlacedCall:
    """Ring the operator's ``interface``, then the customer's number; AmiError when
    Asterisk refuses. The call is noted in the task's details."""
    number = number_of(task)
    calls = list(task.details.get("calls", []))
    channel_id = channel_for(task)
    answer = await ami.originate(
        interface,
        context=CALLBACK_CONTEXT,
        exten=number,
        priority=1,
        caller_id=f"<{number}>",
        variables={"CALLGRID_TASK": str(task.id)},
        channel_id=channel_id,
    )
    placed = {"at": at.isoformat(), "by": by, "reason": answer.reason}
    await tasks.note(task.id, {"calls": [*calls, placed]})
    return PlacedCall(channel_id, answer.reason)
