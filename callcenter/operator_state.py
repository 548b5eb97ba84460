"""An operator's state on the queues (CC-2, CC-3, CC-8), moved by typed AMI events and
by the clock. Pure: no database, no I/O; the engine hands in each event with the moment
it arrived.

An operator is the login their member interface names (``Local/olga@operators/n`` and
``PJSIP/olga`` are both ``olga``). A call is the operator's, a pause is a queue's: a call
rings the operator in every queue at once, while a pause may hold them out of one queue.

Wrap-up runs from the AgentComplete the engine saw, never from Asterisk's ``LastCall``:
an attended transfer resets that to 0 (asterisk/asterisk#607), which would end the
after-call work at once. The shared board of all operators is :mod:`callcenter.board`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from telephony.ami.event_base import AmiEvent
from telephony.ami.member_events import MemberStatus, QueueMemberEvent, QueueMemberRemoved
from telephony.ami.queue_events import AgentCalled, AgentComplete, AgentConnect, AgentRingNoAnswer
from telephony.interfaces import operator_login


class Activity(StrEnum):
    OFFLINE = "offline"
    """In no queue, or the device cannot be reached."""
    AVAILABLE = "available"
    RINGING = "ringing"
    TALKING = "talking"
    AFTER_CALL_WORK = "after_call_work"
    BREAK = "break"
    """Paused in every queue the operator serves."""
    UNKNOWN = "unknown"
    """The link to Asterisk was lost: nothing is known until the next QueueStatus."""


TAKING_CALLS = frozenset(
    {Activity.AVAILABLE, Activity.RINGING, Activity.TALKING, Activity.AFTER_CALL_WORK}
)
"""CC-3: an operator in these (and not paused in the queue) takes the queue's calls."""


class CallPhase(StrEnum):
    IDLE = "idle"
    RINGING = "ringing"
    TALKING = "talking"
    WRAP_UP = "wrap_up"


UNREACHABLE = frozenset({MemberStatus.INVALID, MemberStatus.UNAVAILABLE})
FREE = frozenset({MemberStatus.UNKNOWN, MemberStatus.NOT_IN_USE})
RUNG = frozenset({MemberStatus.RINGING, MemberStatus.RING_IN_USE, MemberStatus.IN_USE})
"""A device seen rung in a QueueStatus: a Local member being rung shows IN_USE."""
AgentEvent = AgentCalled | AgentRingNoAnswer | AgentConnect | AgentComplete


@dataclass(frozen=True, slots=True)
class StateRules:
    after_call_work_limit: timedelta
    """CC-2: after-call work longer than this is flagged (the standard says 5 minutes)."""
    queue_wrapup: Mapping[str, timedelta] = field(default_factory=dict)
    """Each queue's ``wrapuptime`` from queues.conf; the AMI does not report it."""
    after_call_work_reasons: frozenset[str] = frozenset()
    """Pause reasons that mean after-call work rather than a break."""


@dataclass(frozen=True, slots=True)
class Membership:
    queue: str
    interface: str
    paused: bool = False
    paused_reason: str = ""
    wrapup_seconds: int = 0
    """The member's own wrap-up; 0 means the queue's applies (as in app_queue)."""


@dataclass(frozen=True, slots=True)
class OperatorState:
    login: str
    activity: Activity
    since: datetime
    reason: str = ""
    """The pause reason of a break, or of after-call work taken as a pause."""
    memberships: Mapping[str, Membership] = field(default_factory=dict)
    device: int = MemberStatus.NOT_IN_USE
    phase: CallPhase = CallPhase.IDLE
    call_queue: str = ""
    wrap_up_until: datetime | None = None
    over_limit: bool = False
    """After-call work has gone on longer than the rules allow (CC-2)."""

    @property
    def queues(self) -> frozenset[str]:
        return frozenset(self.memberships)

    def seconds_in_state(self, now: datetime) -> float:
        return (now - self.since).total_seconds()

    def taking_calls(self, queue: str) -> bool:
        member = self.memberships.get(queue)
        return member is not None and not member.paused and self.activity in TAKING_CALLS


def offline(login: str, now: datetime) -> OperatorState:
    return OperatorState(login, Activity.OFFLINE, now)


def login_of(event: AmiEvent) -> str | None:
    """The operator an event is about, or None for events about no member."""
    if isinstance(event, QueueMemberEvent | AgentEvent):
        return operator_login(event.interface) or None
    return None


def advance(state: OperatorState, now: datetime, rules: StateRules) -> OperatorState:
    """The clock's part: wrap-up ends when its time has passed, at that moment."""
    if state.activity is Activity.UNKNOWN:
        return state
    until = state.wrap_up_until
    if state.phase is CallPhase.WRAP_UP and until is not None and now >= until:
        idle = replace(state, phase=CallPhase.IDLE, call_queue="", wrap_up_until=None)
        return _settled(state, idle, until, now, rules)
    return _settled(state, state, now, now, rules)


def next_state(
    state: OperatorState, event: AmiEvent, now: datetime, rules: StateRules
) -> OperatorState:
    """The state after ``event`` arrived at ``now``; other operators' events change nothing,
    and while the state is unknown only a resync (:func:`from_snapshot`) does."""
    state = advance(state, now, rules)
    if state.activity is Activity.UNKNOWN or login_of(event) != state.login:
        return state
    return _settled(state, _changed(state, event, now, rules), now, now, rules)


def unknown(state: OperatorState, now: datetime) -> OperatorState:
    """The link is lost: the queues are remembered, nothing else is known."""
    if state.activity is Activity.UNKNOWN:
        return state
    return OperatorState(state.login, Activity.UNKNOWN, now, memberships=state.memberships)


def from_snapshot(
    previous: OperatorState,
    items: Sequence[QueueMemberEvent],
    now: datetime,
    rules: StateRules,
) -> OperatorState:
    """The state a QueueStatus list shows (its QueueMember items for this operator).

    After a gap the new state starts now. The engine's own wrap-up is kept while the link
    held; Asterisk's ``LastCall`` stands in for it only when the engine has no record.
    """
    if not items:
        gone = OperatorState(previous.login, Activity.OFFLINE, previous.since)
        return _settled(previous, gone, now, now, rules)
    memberships = {item.queue: _membership(item) for item in items}
    base = OperatorState(previous.login, previous.activity, previous.since, previous.reason)
    state = replace(base, memberships=memberships, device=items[0].status)
    return _settled(previous, _snapshot_call(previous, state, items, now, rules), now, now, rules)


def _snapshot_call(
    previous: OperatorState,
    state: OperatorState,
    items: Sequence[QueueMemberEvent],
    now: datetime,
    rules: StateRules,
) -> OperatorState:
    in_call = next((item for item in items if item.in_call), None)
    if in_call is not None:
        return replace(state, phase=CallPhase.TALKING, call_queue=in_call.queue)
    if state.device in RUNG:
        return replace(state, phase=CallPhase.RINGING)
    if previous.phase is CallPhase.TALKING:
        return _wrapping_up(state, previous.call_queue, now, rules)
    until = previous.wrap_up_until
    if previous.phase is CallPhase.WRAP_UP and until is not None and until > now:
        return replace(
            state, phase=CallPhase.WRAP_UP, call_queue=previous.call_queue, wrap_up_until=until
        )
    if previous.activity not in (Activity.UNKNOWN, Activity.OFFLINE):
        return state
    last = max(items, key=lambda item: item.last_call)
    until = datetime.fromtimestamp(last.last_call, UTC) + _wrapup(
        state.memberships, last.queue, rules
    )
    if last.last_call and until > now:
        return replace(state, phase=CallPhase.WRAP_UP, call_queue=last.queue, wrap_up_until=until)
    return state


def _changed(
    state: OperatorState, event: AmiEvent, now: datetime, rules: StateRules
) -> OperatorState:
    if isinstance(event, QueueMemberRemoved):
        left = {queue: m for queue, m in state.memberships.items() if queue != event.queue}
        return replace(state, memberships=left) if left else offline(state.login, state.since)
    if isinstance(event, QueueMemberEvent):
        memberships = {**state.memberships, event.queue: _membership(event)}
        updated = replace(state, memberships=memberships, device=event.status)
        return _device_changed(updated, event, now, rules)
    if not isinstance(event, AgentEvent):
        return state
    if event.queue not in state.memberships:
        joined = Membership(event.queue, event.interface)
        state = replace(state, memberships={**state.memberships, event.queue: joined})
    if isinstance(event, AgentCalled) and state.phase is not CallPhase.TALKING:
        return replace(state, phase=CallPhase.RINGING, call_queue=event.queue, wrap_up_until=None)
    if isinstance(event, AgentRingNoAnswer) and state.phase is CallPhase.RINGING:
        return replace(state, phase=CallPhase.IDLE, call_queue="")
    if isinstance(event, AgentConnect):
        return replace(state, phase=CallPhase.TALKING, call_queue=event.queue, wrap_up_until=None)
    if isinstance(event, AgentComplete):
        return _wrapping_up(state, event.queue, now, rules)
    return state


def _device_changed(
    state: OperatorState, event: QueueMemberEvent, now: datetime, rules: StateRules
) -> OperatorState:
    """What a member's status says of the call. A ring that ends without AgentRingNoAnswer
    (the caller hung up, another member answered) shows only here, as the device free."""
    free = event.status in FREE and not event.in_call
    if event.in_call and state.phase in (CallPhase.IDLE, CallPhase.RINGING):
        return replace(state, phase=CallPhase.TALKING, call_queue=event.queue)
    if free and state.phase is CallPhase.RINGING:
        return replace(state, phase=CallPhase.IDLE, call_queue="")
    if free and state.phase is CallPhase.TALKING:
        return _wrapping_up(state, state.call_queue or event.queue, now, rules)
    return state


def _wrapping_up(
    state: OperatorState, queue: str, ended: datetime, rules: StateRules
) -> OperatorState:
    wrapup = _wrapup(state.memberships, queue, rules)
    if wrapup <= timedelta(0):
        return replace(state, phase=CallPhase.IDLE, call_queue="", wrap_up_until=None)
    return replace(state, phase=CallPhase.WRAP_UP, call_queue=queue, wrap_up_until=ended + wrapup)


def _wrapup(memberships: Mapping[str, Membership], queue: str, rules: StateRules) -> timedelta:
    member = memberships.get(queue)
    if member is not None and member.wrapup_seconds > 0:
        return timedelta(seconds=member.wrapup_seconds)
    return rules.queue_wrapup.get(queue, timedelta(0))


def _membership(event: QueueMemberEvent) -> Membership:
    reason = event.paused_reason if event.paused else ""
    return Membership(event.queue, event.interface, event.paused, reason, event.wrapup_time)


def _activity(state: OperatorState, rules: StateRules) -> tuple[Activity, str]:
    members = list(state.memberships.values())
    if not members:
        return Activity.OFFLINE, ""
    if state.phase is CallPhase.RINGING:
        return Activity.RINGING, ""
    if state.phase is CallPhase.TALKING:
        return Activity.TALKING, ""
    paused = sorted((m for m in members if m.paused), key=lambda m: m.queue)
    work = [m.paused_reason for m in paused if m.paused_reason in rules.after_call_work_reasons]
    if work:
        return Activity.AFTER_CALL_WORK, work[0]
    if len(paused) == len(members):
        return Activity.BREAK, paused[0].paused_reason
    if state.device in UNREACHABLE:
        return Activity.OFFLINE, ""
    if state.phase is CallPhase.WRAP_UP:
        return Activity.AFTER_CALL_WORK, ""
    return Activity.AVAILABLE, ""


def _settled(
    old: OperatorState, new: OperatorState, at: datetime, now: datetime, rules: StateRules
) -> OperatorState:
    """``new`` with its activity; the time in state restarts at ``at`` only when the
    activity changed (after-call work stays one stretch whether timed or paused)."""
    activity, reason = _activity(new, rules)
    same = activity is old.activity and (
        reason == old.reason or activity is Activity.AFTER_CALL_WORK
    )
    since = old.since if same else at
    over = activity is Activity.AFTER_CALL_WORK and now - since > rules.after_call_work_limit
    return replace(new, activity=activity, reason=reason, since=since, over_limit=over)
