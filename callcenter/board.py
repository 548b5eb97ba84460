"""All operators' states (:mod:`callcenter.operator_state`) in one place: fed every member
and agent event, ticked by the clock, resynced from QueueStatus after the link to
Asterisk comes back. It answers "who takes calls in queue Q now" (CC-3) and hands back
each finished stretch of time in one state, which the operators' statistics add up
(CC-8). Pure: no database, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from callcenter.operator_state import (
    Activity,
    OperatorState,
    StateRules,
    advance,
    from_snapshot,
    login_of,
    next_state,
    offline,
    unknown,
)
from telephony.ami.event_base import AmiEvent
from telephony.ami.member_events import QueueMemberEvent

_Change = Callable[[OperatorState], OperatorState]


@dataclass(frozen=True, slots=True)
class Span:
    """A finished stretch an operator spent in one state. The time between losing the
    link and the resync is a span of ``unknown``, never of a state guessed."""

    login: str
    activity: Activity
    reason: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


class Board:
    def __init__(self, rules: StateRules) -> None:
        self.rules = rules
        self._states: dict[str, OperatorState] = {}
        self.lost_at: datetime | None = None
        """When the link was lost; None while it holds."""

    @property
    def link_up(self) -> bool:
        return self.lost_at is None

    def apply(self, event: AmiEvent, now: datetime) -> list[Span]:
        """One event as it arrived. While the link is down nothing arrives that counts:
        the resync's snapshot decides."""
        login = login_of(event)
        if login is None or not self.link_up:
            return []
        old = self._states.get(login) or offline(login, now)
        ticked = advance(old, now, self.rules)
        new = next_state(ticked, event, now, self.rules)
        self._states[login] = new
        return [*_finished(old, ticked), *_finished(ticked, new)]

    def advance(self, now: datetime) -> list[Span]:
        """The clock's tick: wrap-ups that have run out end, over-long ones are flagged."""
        return self._replace_all(lambda state: advance(state, now, self.rules))

    def link_lost(self, now: datetime) -> list[Span]:
        if self.link_up:
            self.lost_at = now
        return self._replace_all(lambda state: unknown(state, now))

    def resync(self, members: Iterable[QueueMemberEvent], now: datetime) -> list[Span]:
        """Replace every state by a full QueueStatus snapshot (its QueueMember items);
        an operator absent from it is in no queue."""
        items: dict[str, list[QueueMemberEvent]] = defaultdict(list)
        for member in members:
            login = login_of(member)
            if login is not None:
                items[login].append(member)
        for login in items:
            self._states.setdefault(login, offline(login, now))
        self.lost_at = None
        return self._replace_all(
            lambda state: from_snapshot(state, items.get(state.login, []), now, self.rules)
        )

    def state(self, login: str, now: datetime) -> OperatorState:
        """The operator's state at ``now`` (offline for a login never seen)."""
        found = self._states.get(login)
        return offline(login, now) if found is None else advance(found, now, self.rules)

    def operators(self, now: datetime) -> list[OperatorState]:
        return [self.state(login, now) for login in sorted(self._states)]

    def queues(self) -> frozenset[str]:
        return frozenset(queue for state in self._states.values() for queue in state.queues)

    def taking_calls(self, queue: str, now: datetime) -> list[str]:
        """Logins of the operators taking the queue's calls now (none while the link is
        down: nobody can say)."""
        return [state.login for state in self.operators(now) if state.taking_calls(queue)]

    def _replace_all(self, change: _Change) -> list[Span]:
        spans: list[Span] = []
        for login, old in sorted(self._states.items()):
            new = change(old)
            self._states[login] = new
            spans.extend(_finished(old, new))
        return spans


def _finished(old: OperatorState, new: OperatorState) -> list[Span]:
    if new.since == old.since:
        return []
    return [Span(old.login, old.activity, old.reason, old.since, new.since)]
