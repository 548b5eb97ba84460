"""Registration of a queue call (CC-6, CC-8, IVR-8): the app_queue AMI events of one
caller folded into one record. Pure: each event comes with the moment it was received.

Where each figure comes from (Asterisk 22, apps/app_queue.c):

* wait = ``HoldTime`` of AgentConnect or QueueCallerAbandon: whole seconds counted by
  Asterisk from the caller's entry (``time(NULL) - qe->start``), the very number its own
  service level is judged on; the moments' difference only when neither event came;
* ring = the sum over ring attempts of ``AgentRingNoAnswer.RingTime`` (ms) and
  ``AgentConnect.RingTime`` (s); an attempt that ended with no event of its own (another
  member answered under ``ringall``, or the caller left) counts from its AgentCalled to
  that moment;
* talk = ``AgentComplete.TalkTime`` (s); the moments' difference when no TalkTime came.

Asterisk sends QueueCallerAbandon both when the caller hangs up and when the queue
itself ends the wait (timeout, leavewhenempty: ``record_abandoned()``), so the two are
told apart by ``QUEUESTATUS`` when the dialplan side reports it, else by the wait
reaching the limit the call was queued with. A blind or an attended transfer ends the
queue call with ``AgentComplete`` ``Reason: transfer`` (``send_agent_complete``); no
separate transfer event is needed.

After-call work, the moment the operator found the customer, the topic and whether the
question was complex are learnt later (operator state, customer card, classification)
and set with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from telephony.ami.event_base import AmiEvent
from telephony.ami.queue_events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AgentRingNoAnswer,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
)

GAVE_UP_STATUSES = frozenset({"TIMEOUT", "LEAVEEMPTY", "LEAVEUNAVAIL"})
"""``QUEUESTATUS`` values that mean the queue, not the caller, ended the wait."""
TRANSFER_REASON = "transfer"

_CallerEvent = (
    AgentCalled
    | AgentRingNoAnswer
    | AgentConnect
    | AgentComplete
    | QueueCallerAbandon
    | QueueCallerLeave
)


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    """The caller hung up before an operator answered."""
    TIMEOUT = "timeout"
    """The queue ended the wait (its timeout, or no operator left)."""
    TRANSFERRED = "transferred"
    """Answered, then transferred by the operator (to a specialist, CC-4)."""


@dataclass(frozen=True, kw_only=True)
class QueueCall:
    """One caller's stay in one queue, and the conversation it led to. Seconds are floats."""

    queue: str
    uniqueid: str
    """The caller's channel in the queue; queue_log's callid."""
    linkedid: str
    """Shared by every channel of the call: joins the record to the IVR's and recordings."""
    caller: str | None
    joined_at: datetime
    operator: str | None = None
    """The member's name (``MemberName``) who answered."""
    operator_interface: str | None = None
    topic: str | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    """When the conversation or the wait ended; None while the call goes on."""
    wait_seconds: float = 0.0
    ring_seconds: float = 0.0
    ring_attempts: int = 0
    talk_seconds: float = 0.0
    outcome: CallOutcome | None = None
    """None while the call goes on."""
    abandon_position: int | None = None
    """The caller's place in the queue when the wait ended unanswered (1 = next)."""
    after_call_work_seconds: float | None = None
    customer_found_seconds: float | None = None
    """From the answer until the operator had the customer's card (CC-2: 45 s)."""
    complex_question: bool = False
    """The question became a callback task (CC-5): the 5-minute information limit does
    not apply to this call."""

    @property
    def answered(self) -> bool:
        return self.outcome in (CallOutcome.ANSWERED, CallOutcome.TRANSFERRED)

    @property
    def unanswered(self) -> bool:
        return self.outcome in (CallOutcome.ABANDONED, CallOutcome.TIMEOUT)

    @property
    def handle_seconds(self) -> float:
        """Talk plus after-call work; work not known yet counts as none."""
        return self.talk_seconds + (self.after_call_work_seconds or 0.0)


class QueueCallFold:
    """Folds the events of one queue call, in the order they arrive.

    ``wait_limit_seconds`` is the timeout the call was queued with (``Queue(q,,,,60)``):
    an unanswered wait that reached it is a timeout, not an abandon.
    """

    def __init__(self, *, wait_limit_seconds: float | None = None) -> None:
        self._wait_limit = wait_limit_seconds
        self._call: QueueCall | None = None
        self._ringing: dict[str, datetime] = {}
        """AgentCalled moments of the attempts still ringing, by the member's channel."""

    @property
    def record(self) -> QueueCall | None:
        """The call as known so far; None before its QueueCallerJoin."""
        return self._call

    @property
    def finished(self) -> bool:
        return self._call is not None and self._call.outcome is not None

    def take(self, at: datetime, event: AmiEvent) -> bool:
        """Fold ``event`` in. False when it is not about this call: another caller's,
        not a queue call's, or a new QueueCallerJoin (a new stay in a queue)."""
        if isinstance(event, QueueCallerJoin):
            if self._call is not None:
                return False
            self._call = QueueCall(
                queue=event.queue,
                uniqueid=event.uniqueid,
                linkedid=event.linkedid,
                caller=event.caller_id_num,
                joined_at=at,
            )
            return True
        call = self._call
        if call is None or not isinstance(event, _CallerEvent) or event.uniqueid != call.uniqueid:
            return False
        if call.outcome is None:
            self._call = self._apply(call, at, event)
        return True

    def queue_status(self, status: str) -> None:
        """``QUEUESTATUS`` as the dialplan side read it once ``Queue()`` returned."""
        call = self._call
        gave_up = status.strip().upper() in GAVE_UP_STATUSES
        if call is not None and call.outcome is CallOutcome.ABANDONED and gave_up:
            self._call = replace(call, outcome=CallOutcome.TIMEOUT)

    def _apply(self, call: QueueCall, at: datetime, event: _CallerEvent) -> QueueCall:
        if isinstance(event, AgentCalled):
            self._ringing[event.dest_uniqueid] = at
            return replace(call, ring_attempts=call.ring_attempts + 1)
        if isinstance(event, AgentRingNoAnswer):
            self._ringing.pop(event.dest_uniqueid, None)
            return replace(call, ring_seconds=call.ring_seconds + event.ring_time_ms / 1000)
        if isinstance(event, AgentConnect):
            self._ringing.pop(event.dest_uniqueid, None)
            return replace(
                call,
                operator=event.member_name or None,
                operator_interface=event.interface or None,
                answered_at=at,
                wait_seconds=float(event.hold_time),
                ring_seconds=call.ring_seconds + event.ring_time + self._stop_ringing(at),
            )
        if isinstance(event, AgentComplete):
            answered_at = call.answered_at or at
            talk = event.talk_time if "TalkTime" in event.message else _seconds(answered_at, at)
            outcome = (
                CallOutcome.TRANSFERRED if event.reason == TRANSFER_REASON else CallOutcome.ANSWERED
            )
            return replace(
                call,
                operator=call.operator or event.member_name or None,
                operator_interface=call.operator_interface or event.interface or None,
                answered_at=answered_at,
                ended_at=at,
                wait_seconds=call.wait_seconds if call.answered_at else float(event.hold_time),
                ring_seconds=call.ring_seconds + self._stop_ringing(at),
                talk_seconds=float(talk),
                outcome=outcome,
            )
        if isinstance(event, QueueCallerAbandon):
            waited = float(event.hold_time) if "HoldTime" in event.message else None
            wait = _seconds(call.joined_at, at) if waited is None else waited
            gave_up = self._wait_limit is not None and wait >= self._wait_limit
            return replace(
                call,
                ended_at=at,
                wait_seconds=wait,
                ring_seconds=call.ring_seconds + self._stop_ringing(at),
                outcome=CallOutcome.TIMEOUT if gave_up else CallOutcome.ABANDONED,
                abandon_position=event.position,
            )
        return call  # QueueCallerLeave: for an answered call it comes before AgentConnect

    def _stop_ringing(self, at: datetime) -> float:
        rung = sum(_seconds(called, at) for called in self._ringing.values())
        self._ringing.clear()
        return rung


def register_call(
    events: Iterable[tuple[datetime, AmiEvent]],
    *,
    wait_limit_seconds: float | None = None,
    queue_status: str | None = None,
) -> QueueCall | None:
    """The record of the first queue call among ``events`` (moment, event); None when
    no QueueCallerJoin is among them. Events of other calls are skipped."""
    fold = QueueCallFold(wait_limit_seconds=wait_limit_seconds)
    for at, event in events:
        fold.take(at, event)
    if queue_status is not None:
        fold.queue_status(queue_status)
    return fold.record


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())
