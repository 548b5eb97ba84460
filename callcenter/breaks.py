"""Breaks (CC-3, the standard's p.4.1.5): "a break cannot be taken by all the specialists
who take calls at once". Pure: the decision only; pausing the member is the caller's.

A break is refused when it would leave a queue the operator serves with nobody taking
its calls: available, ringing, talking or in after-call work, and not paused there. A
queue nobody takes calls in already is not the operator's to keep. The standard names
lunch and technical breaks but bounds neither, so a reason's maximum length is
optional; the reasons themselves are a fixed list, a setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcenter.board import Board
from callcenter.operator_state import TAKING_CALLS, Activity, OperatorState
from worktime.clock import local_zone

REASON_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
"""A reason is sent to Asterisk as QueuePause's ``Reason``: a short plain word."""


class BreakRulesError(ValueError):
    """The list of break reasons cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class BreakReason:
    name: str
    max_minutes: int | None = None
    """None: no bound (the standard gives none)."""


@dataclass(frozen=True, slots=True)
class BreakRules:
    reasons: tuple[BreakReason, ...]

    def reason(self, name: str) -> BreakReason | None:
        return next((reason for reason in self.reasons if reason.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(reason.name for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class Allowed:
    reason: BreakReason
    ends_by: datetime | None
    """When the break must be over, if its reason is bounded."""


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str
    """Why, in words an operator or a supervisor reads."""


def parse_break_reasons(text: str) -> BreakRules:
    """``lunch=60, rest=15, training`` (minutes; no number, no bound) as rules, so a
    setting holds the list and a bad one stops the engine with a clear message."""
    reasons: list[BreakReason] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, _, minutes = (piece.strip() for piece in entry.partition("="))
        if not REASON_NAME.match(name):
            raise BreakRulesError(f"{name!r} is not a reason: a short word in a-z, 0-9, _ or -")
        if any(reason.name == name for reason in reasons):
            raise BreakRulesError(f"the reason {name!r} is listed twice")
        if minutes and not (minutes.isdigit() and 0 < int(minutes) <= 24 * 60):
            raise BreakRulesError(f"{name}: {minutes!r} is not a number of minutes (1–1440)")
        reasons.append(BreakReason(name, int(minutes) if minutes else None))
    if not reasons:
        raise BreakRulesError("no break reasons are listed")
    return BreakRules(tuple(reasons))


def break_allowed(
    board: Board, operator: str, reason: str, now: datetime, rules: BreakRules
) -> Allowed | Refused:
    """May ``operator`` start a break for ``reason`` now?"""
    known = rules.reason(reason)
    if known is None:
        return Refused(
            f"{reason!r} is not a break reason; the reasons are {', '.join(rules.names)}"
        )
    if not board.link_up:
        return Refused(
            "the link to the telephony server is down: who else takes calls is not known"
        )
    state = board.state(operator, now)
    if not state.memberships:
        return Refused(f"{operator} is in no queue")
    if state.activity is Activity.BREAK:
        begun = state.since.astimezone(local_zone()).strftime("%H:%M")
        return Refused(
            f"{operator} is already on a break ({state.reason or 'no reason'}) since {begun}"
        )
    others = [other for other in board.operators(now) if other.login != operator]
    work = board.rules.after_call_work_reasons
    alone = [queue for queue in sorted(state.queues) if _last_one(state, others, queue, work)]
    if alone:
        names = ", ".join(alone)
        word = "queue" if len(alone) == 1 else "queues"
        return Refused(f"nobody else takes calls in {word} {names}")
    ends_by = now + timedelta(minutes=known.max_minutes) if known.max_minutes else None
    return Allowed(known, ends_by)


def break_overrun(state: OperatorState, now: datetime, rules: BreakRules) -> bool:
    """Has a bounded break lasted longer than its reason allows?"""
    if state.activity is not Activity.BREAK:
        return False
    known = rules.reason(state.reason)
    if known is None or known.max_minutes is None:
        return False
    return now - state.since > timedelta(minutes=known.max_minutes)


def _last_one(
    state: OperatorState, others: list[OperatorState], queue: str, work: frozenset[str]
) -> bool:
    serving = [other for other in others if _takes_calls(other, queue, work)]
    return _takes_calls(state, queue, work) and not serving


def _takes_calls(state: OperatorState, queue: str, work: frozenset[str]) -> bool:
    """Taking the queue's calls; a pause for after-call work is part of that work, not a
    break: the operator is back once they press Ready."""
    member = state.memberships.get(queue)
    if member is not None and member.paused and member.paused_reason in work:
        return state.activity in TAKING_CALLS
    return state.taking_calls(queue)
