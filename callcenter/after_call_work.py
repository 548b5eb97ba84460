"""After-call work (CC-2: at most 5 minutes after each call) taken as a queue pause.
Pure: the decision only; the AMI part is :mod:`callcenter.after_call_work_watch`.

app_queue offers an operator the next caller as soon as the queue's ``wrapuptime`` (a
few seconds) is over; the standard gives them up to 5 minutes of after-call work. So
when a queue call of theirs ends (``AgentComplete``, whatever its ``Reason``), the
operator is paused in each of their queues with the after-call-work reason until they
say they are ready (the desk's Ready unpauses them). The board shows that pause as
after-call work (``StateRules.after_call_work_reasons``) and flags it past the limit.

A pause already there is never overwritten: a break (taken during the call) keeps its
reason, and an operator held for a kept-place callback
(:data:`callcenter.callback_release.HOLD_REASON`, in any queue) is left to the callback
release, which dials them next and lets its hold go itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.callback_release import HOLD_REASON
from callcenter.operator_state import Activity, Membership, OperatorState


@dataclass(frozen=True, slots=True)
class WorkPause:
    """Pause the member ``interface`` in ``queue`` for after-call work."""

    queue: str
    interface: str


def pauses_after_call(state: OperatorState, queue: str, interface: str) -> tuple[WorkPause, ...]:
    """What to pause when the operator of ``state`` ended a call of ``queue`` as member
    ``interface``: each of their memberships not paused yet, or nothing while the state
    is unknown (the link was lost) or a callback holds them."""
    if state.activity is Activity.UNKNOWN:
        return ()
    memberships = {queue: Membership(queue, interface), **state.memberships}
    if any(m.paused and m.paused_reason == HOLD_REASON for m in memberships.values()):
        return ()
    return tuple(
        WorkPause(name, member.interface)
        for name, member in sorted(memberships.items())
        if not member.paused
    )
