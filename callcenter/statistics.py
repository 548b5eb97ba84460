"""Statistics of operators' work over registered queue calls (CC-8, IVR-8, WEB-1):
per queue, operator, topic, hour or day. Pure arithmetic, no I/O.

Only finished calls count (a call still waiting or talking has no outcome yet).
With T the answer limit (``answer_limit_seconds``, the standard's 40 s) and "within T"
meaning a wait of at most T seconds (``<=``, as app_queue compares):

* offered = answered + abandoned + timed out; answered includes transferred calls;
* SL  = answered within T ÷ answered — app_queue's ``ServicelevelPerf``;
* SL2 = (answered within T + unanswered within T) ÷ (answered + unanswered), where
  unanswered = abandoned + timed out — app_queue's ``ServicelevelPerf2``
  (``callsabandonedinsl + callscompletedinsl`` over ``callsabandoned + callscompleted``
  in apps/app_queue.c: a caller who gave up within T counts as served in time);
* SL of offered = answered within T ÷ (answered + abandoned − short abandons + timed
  out): the strict form, never above SL nor SL2;
* abandon rate = abandoned ÷ offered; without short abandons (those that hung up in
  less than ``short_abandon_seconds``) = (abandoned − short) ÷ (offered − short);
* ASA (average speed of answer) = Σ wait of answered ÷ answered;
* AHT (average handle time) = Σ (talk + after-call work) of answered ÷ answered, work
  not known yet counting as none;
* occupancy of an operator = Σ handle time of their calls ÷ their logged-in time.

A share with nothing to divide by is None, not 0.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TypeVar

from callcenter.call_register import CallOutcome, QueueCall
from worktime.clock import local_date, local_zone

DEFAULT_SHORT_ABANDON_SECONDS = 5.0
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Figures:
    """Counts and sums over a set of finished calls; the ratios are properties."""

    answer_seconds: float
    """T of the service level."""
    answered: int = 0
    answered_within: int = 0
    transferred: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timed_out: int = 0
    unanswered_within: int = 0
    """Abandoned or timed out with a wait of at most T (app_queue's ``callsabandonedinsl``)."""
    wait_seconds: float = 0.0
    """Σ wait of answered calls."""
    talk_seconds: float = 0.0
    after_call_work_seconds: float = 0.0
    longest_wait_seconds: float = 0.0
    """Over every call, answered or not."""

    @property
    def unanswered(self) -> int:
        return self.abandoned + self.timed_out

    @property
    def offered(self) -> int:
        return self.answered + self.unanswered

    @property
    def service_level(self) -> float | None:
        return _share(self.answered_within, self.answered)

    @property
    def service_level_2(self) -> float | None:
        return _share(self.answered_within + self.unanswered_within, self.offered)

    @property
    def service_level_of_offered(self) -> float | None:
        return _share(self.answered_within, self.offered - self.short_abandoned)

    @property
    def abandon_rate(self) -> float | None:
        return _share(self.abandoned, self.offered)

    @property
    def abandon_rate_without_short(self) -> float | None:
        return _share(self.abandoned - self.short_abandoned, self.offered - self.short_abandoned)

    @property
    def average_speed_of_answer(self) -> float | None:
        return _ratio(self.wait_seconds, self.answered)

    @property
    def handle_seconds(self) -> float:
        return self.talk_seconds + self.after_call_work_seconds

    @property
    def average_handle_time(self) -> float | None:
        return _ratio(self.handle_seconds, self.answered)

    @property
    def average_talk_time(self) -> float | None:
        return _ratio(self.talk_seconds, self.answered)


def figures(
    calls: Iterable[QueueCall],
    answer_seconds: float,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
) -> Figures:
    """The figures of the finished calls among ``calls``."""
    counts = dict.fromkeys(
        ("answered", "answered_within", "transferred", "abandoned", "short", "timed_out"), 0
    )
    unanswered_within = 0
    wait = talk = work = longest = 0.0
    for call in calls:
        if call.outcome is None:
            continue
        within = call.wait_seconds <= answer_seconds
        longest = max(longest, call.wait_seconds)
        if call.answered:
            counts["answered"] += 1
            counts["answered_within"] += within
            counts["transferred"] += call.outcome is CallOutcome.TRANSFERRED
            wait += call.wait_seconds
            talk += call.talk_seconds
            work += call.after_call_work_seconds or 0.0
            continue
        unanswered_within += within
        if call.outcome is CallOutcome.TIMEOUT:
            counts["timed_out"] += 1
        else:
            counts["abandoned"] += 1
            counts["short"] += call.wait_seconds < short_abandon_seconds
    return Figures(
        answer_seconds=answer_seconds,
        answered=counts["answered"],
        answered_within=counts["answered_within"],
        transferred=counts["transferred"],
        abandoned=counts["abandoned"],
        short_abandoned=counts["short"],
        timed_out=counts["timed_out"],
        unanswered_within=unanswered_within,
        wait_seconds=wait,
        talk_seconds=talk,
        after_call_work_seconds=work,
        longest_wait_seconds=longest,
    )


def grouped(
    calls: Iterable[QueueCall],
    key: Callable[[QueueCall], K],
    answer_seconds: float,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
) -> dict[K, Figures]:
    """Figures per value of ``key`` (one of the ``by_…`` functions), in key order of
    first appearance."""
    groups: dict[K, list[QueueCall]] = {}
    for call in calls:
        groups.setdefault(key(call), []).append(call)
    return {
        value: figures(members, answer_seconds, short_abandon_seconds)
        for value, members in groups.items()
    }


def by_queue(call: QueueCall) -> str:
    return call.queue


def by_operator(call: QueueCall) -> str | None:
    """None groups the calls no operator answered."""
    return call.operator


def by_topic(call: QueueCall) -> str | None:
    return call.topic


def by_day(call: QueueCall, zone: tzinfo | None = None) -> date:
    """The region's date the caller joined the queue on."""
    return local_date(call.joined_at, zone)


def by_hour(call: QueueCall, zone: tzinfo | None = None) -> datetime:
    """The start of the region's hour the caller joined the queue in."""
    return _local(call.joined_at, zone).replace(minute=0, second=0, microsecond=0)


def occupancy(
    calls: Iterable[QueueCall], logged_in_seconds: Mapping[str, float]
) -> dict[str, float | None]:
    """Per operator of ``logged_in_seconds``: handle time of their answered calls ÷ the
    time they were logged in (None for no time logged in). It is not capped at 1:
    above it, the logged-in time given is short of the calls taken."""
    handled = dict.fromkeys(logged_in_seconds, 0.0)
    for call in calls:
        if call.answered and call.operator in handled:
            handled[call.operator] += call.handle_seconds
    return {name: _ratio(handled[name], seconds) for name, seconds in logged_in_seconds.items()}


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: a moment must carry a zone")
    return moment.astimezone(zone or local_zone())


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def _ratio(total: float, count: float) -> float | None:
    return total / count if count > 0 else None
