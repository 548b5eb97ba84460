"""When a kept-place callback is dialled, and to whom (CC-5, issue 10): the decision,
pure. The worker around it is :mod:`callcenter.callback_release_worker`.

A caller who asked for a callback while waiting keeps their place: the callback is
released in the order of the moment its caller joined the queue, among the callers
still waiting live there. It goes to an operator of the queue who is free — available,
not paused (or held for callbacks, below), not ringing, talking or in after-call work,
the device free — only while no live caller of the queue joined before it, and only in
the queue's working hours. Each free operator takes one callback at most, so never more
callbacks are in flight than operators were free.

What Asterisk can and cannot do here: a live caller in ``Queue()`` is served by
app_queue itself. The moment a member's device frees, app_queue rings it for the
callers waiting (at once when the device state changes, at the latest after the
queue's ``retry``, 2 s in queues.conf, with ``wrapuptime = 0``); the engine learns of
the free member from the same events and cannot win that race by originating first.
So the engine holds an operator *before* they free up: while a callback is ahead of
every live caller of its queue and no operator is free, one operator who is talking or
in after-call work in that queue is paused there with the reason :data:`HOLD_REASON`.
A paused member is never rung by app_queue; when that operator's call ends they are
free-and-held, and the callback is dialled to them. The callback's own call runs with
the operator held in every queue (app_queue would ring a Local member that is in use
as free), and the hold is let go when no callback needs the operator any more — the
live callers then reach them as before. An operator on a break is never held: only
memberships not paused are paused, and only pauses with :data:`HOLD_REASON` are undone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from callcenter.operator_state import FREE, Activity, CallPhase, OperatorState
from callcenter.queue_call_watch import Waiting

HOLD_REASON = "callback"
"""The pause reason of an operator the engine keeps for a callback."""
BUSY_WITH_A_CALL = frozenset({Activity.TALKING, Activity.AFTER_CALL_WORK})


@dataclass(frozen=True)
class KeptCallback:
    """A due kept-place callback, as the decision sees it."""

    task_id: int
    queue: str
    joined_at: datetime


@dataclass(frozen=True)
class Dial:
    task_id: int
    queue: str
    login: str
    interface: str
    """The operator's device in the callback's queue: where the Originate rings."""


@dataclass(frozen=True)
class Pause:
    """Pause (``paused``) or unpause one membership for callbacks."""

    login: str
    queue: str
    interface: str
    paused: bool


@dataclass(frozen=True)
class Release:
    dials: tuple[Dial, ...] = ()
    pauses: tuple[Pause, ...] = ()
    """Holds to take (before the dials) and to let go."""
    reserved: frozenset[str] = field(default_factory=frozenset)
    """Operators kept for a callback ahead of the live callers, not yet free."""


def held(state: OperatorState, queue: str) -> bool:
    member = state.memberships.get(queue)
    return member is not None and member.paused and member.paused_reason == HOLD_REASON


def free_for(state: OperatorState, queue: str) -> bool:
    """Free to take a callback of ``queue``: in it, not paused there (unless held for
    callbacks), not ringing, talking or wrapping up, the device free."""
    member = state.memberships.get(queue)
    if member is None or (member.paused and member.paused_reason != HOLD_REASON):
        return False
    if state.activity in (Activity.OFFLINE, Activity.UNKNOWN) or state.phase is not CallPhase.IDLE:
        return False
    if state.activity in (Activity.RINGING, Activity.TALKING, Activity.AFTER_CALL_WORK):
        return False
    return state.device in FREE


def decide(
    now: datetime,
    callbacks: Sequence[KeptCallback],
    waiting: Sequence[Waiting],
    operators: Sequence[OperatorState],
    is_open: Callable[[str, datetime], bool],
    busy: frozenset[str] = frozenset(),
) -> Release:
    """What to do now. ``callbacks``: the due ones; ``waiting``: the live callers;
    ``busy``: operators in a callback's call now (the engine's own knowledge: a call it
    placed does not show on the queue board)."""
    used: set[str] = set(busy)
    dials: list[Dial] = []
    takes: list[Pause] = []
    reserved: set[str] = set()
    for callback in sorted(callbacks, key=lambda c: (c.joined_at, c.task_id)):
        queue = callback.queue
        if not is_open(queue, now):
            continue
        behind = [c for c in waiting if c.queue == queue]
        if any(c.joined_at < callback.joined_at for c in behind):
            continue  # a live caller who came first is app_queue's to serve
        candidates = [s for s in operators if s.login not in used]
        free = sorted(
            (s for s in candidates if free_for(s, queue)),
            key=lambda s: (not held(s, queue), s.login),
        )
        if free:
            chosen = free[0]
            used.add(chosen.login)
            dials.append(Dial(callback.task_id, queue, chosen.login, _interface(chosen, queue)))
            takes.extend(_hold_everywhere(chosen))
            continue
        if not behind:
            continue  # nobody competes: the first operator to free up is dialled
        keeper = _keeper(candidates, queue)
        if keeper is not None:
            used.add(keeper.login)
            reserved.add(keeper.login)
            if not held(keeper, queue):
                takes.append(Pause(keeper.login, queue, _interface(keeper, queue), True))
    lets_go = [
        Pause(state.login, queue, member.interface, False)
        for state in operators
        if state.login not in used
        for queue, member in sorted(state.memberships.items())
        if held(state, queue)
    ]
    return Release(tuple(dials), (*takes, *lets_go), frozenset(reserved))


def _keeper(candidates: Sequence[OperatorState], queue: str) -> OperatorState | None:
    """The operator to hold for a callback: one already held, else the one longest in
    a call of the queue (talking or wrapping up, not paused there)."""
    in_call = [
        s
        for s in candidates
        if queue in s.memberships
        and s.activity in BUSY_WITH_A_CALL
        and (held(s, queue) or not s.memberships[queue].paused)
    ]
    in_call.sort(key=lambda s: (not held(s, queue), s.since, s.login))
    return in_call[0] if in_call else None


def _hold_everywhere(state: OperatorState) -> list[Pause]:
    """During the callback's call the operator is held in every queue not paused."""
    return [
        Pause(state.login, queue, member.interface, True)
        for queue, member in sorted(state.memberships.items())
        if not member.paused
    ]


def _interface(state: OperatorState, queue: str) -> str:
    return state.memberships[queue].interface
