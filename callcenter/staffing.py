"""How many operators a queue needs: Erlang C (M/M/N, callers wait, none gives up).

With λ calls per hour, mean handle time h seconds and N operators, the offered traffic
is A = λ·h / 3600 Erlangs, and

* Erlang B by the stable recurrence B(0) = 1, B(k) = A·B(k−1) ÷ (k + A·B(k−1)) (no
  factorials, no powers: it neither overflows nor loses precision for hundreds of
  operators);
* P(wait) = C(N, A) = N·B(N) ÷ (N − A·(1 − B(N))) for N > A, and 1 for N ≤ A (the
  queue grows without end);
* service level = share answered within T seconds = 1 − C·e^(−(N − A)·T / h);
* ASA (average speed of answer) = C·h ÷ (N − A);
* the operators needed = the least N whose service level reaches the target.

The demand of a weekday hour comes from the registered calls: arrivals = the calls
offered in that hour of that weekday ÷ the days of that weekday in the history; handle
time = the mean (talk + after-call work) of the calls answered then, or of all
answered calls when none was answered in that hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, tzinfo

from callcenter.call_register import QueueCall
from worktime.clock import local_zone

MAX_AGENTS = 100_000
"""More than this is not a queue to staff but an error in the figures given."""


def traffic(calls_per_hour: float, handle_seconds: float) -> float:
    """Offered traffic in Erlangs."""
    return calls_per_hour * handle_seconds / 3600.0


def erlang_b(agents: int, traffic_erlangs: float) -> float:
    """Blocking probability of ``agents`` lines offered ``traffic_erlangs``."""
    _check(agents, traffic_erlangs)
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic_erlangs * blocking / (k + traffic_erlangs * blocking)
    return blocking


def erlang_c(agents: int, traffic_erlangs: float) -> float:
    """P(wait): the probability that a caller is not answered at once."""
    if agents <= traffic_erlangs:
        return 1.0
    return _c_from_b(agents, traffic_erlangs, erlang_b(agents, traffic_erlangs))


def service_level(
    agents: int, calls_per_hour: float, handle_seconds: float, answer_seconds: float
) -> float:
    """The share of callers answered within ``answer_seconds``."""
    load = traffic(calls_per_hour, _positive(handle_seconds))
    if agents <= load:
        return 0.0
    return _level(agents, load, erlang_c(agents, load), handle_seconds, answer_seconds)


def average_speed_of_answer(agents: int, calls_per_hour: float, handle_seconds: float) -> float:
    """Mean wait in seconds over all callers; infinite when the queue cannot keep up."""
    load = traffic(calls_per_hour, _positive(handle_seconds))
    if agents <= load:
        return math.inf
    return erlang_c(agents, load) * handle_seconds / (agents - load)


def agents_needed(
    calls_per_hour: float, handle_seconds: float, answer_seconds: float, target: float
) -> int:
    """The least number of operators answering ``target`` (a share, 0 < target < 1) of
    callers within ``answer_seconds``; 0 for no calls."""
    if not 0 < target < 1:
        raise ValueError(f"a target share must be between 0 and 1 exclusive, not {target}")
    load = traffic(calls_per_hour, _positive(handle_seconds))
    if load == 0:
        return 0
    agents = math.floor(load) + 1
    blocking = erlang_b(agents, load)
    while True:
        waiting = _c_from_b(agents, load, blocking)
        if _level(agents, load, waiting, handle_seconds, answer_seconds) >= target:
            return agents
        if agents >= MAX_AGENTS:
            raise ValueError(f"{load:.1f} Erlangs need more than {MAX_AGENTS} operators")
        agents += 1
        blocking = load * blocking / (agents + load * blocking)


@dataclass(frozen=True)
class HourDemand:
    weekday: int
    """0 Monday … 6 Sunday, in the region's time."""
    hour: int
    offered: int
    """Calls offered in this hour over the whole history."""
    calls_per_hour: float
    handle_seconds: float | None
    """None when no call of the history was answered."""
    agents: int | None
    """None when there is no handle time to size on."""


def demand(
    calls: Iterable[QueueCall],
    days: Iterable[date],
    *,
    answer_seconds: float,
    target: float,
    zone: tzinfo | None = None,
) -> list[HourDemand]:
    """Per weekday × hour with calls, from the finished calls that joined on ``days``
    (the days the history covers: leave out holidays to size ordinary weeks)."""
    covered = set(days)
    weekdays = [sum(1 for day in covered if day.weekday() == w) for w in range(7)]
    offered: dict[tuple[int, int], int] = {}
    handled: dict[tuple[int, int], list[float]] = {}
    for call in calls:
        joined = call.joined_at.astimezone(zone or local_zone())
        if call.outcome is None or joined.date() not in covered:
            continue
        slot = (joined.weekday(), joined.hour)
        offered[slot] = offered.get(slot, 0) + 1
        if call.answered:
            handled.setdefault(slot, []).append(call.handle_seconds)
    every = [seconds for values in handled.values() for seconds in values]
    overall = sum(every) / len(every) if every else None
    rows = []
    for slot in sorted(offered):
        values = handled.get(slot)
        handle = sum(values) / len(values) if values else overall
        rate = offered[slot] / weekdays[slot[0]]
        agents = None
        if handle is not None and handle > 0:
            agents = agents_needed(rate, handle, answer_seconds, target)
        rows.append(HourDemand(slot[0], slot[1], offered[slot], rate, handle, agents))
    return rows


def _c_from_b(agents: int, load: float, blocking: float) -> float:
    return agents * blocking / (agents - load * (1.0 - blocking))


def _level(agents: int, load: float, waiting: float, handle: float, answer: float) -> float:
    return max(0.0, 1.0 - waiting * math.exp(-(agents - load) * answer / handle))


def _check(agents: int, traffic_erlangs: float) -> None:
    if agents < 0 or traffic_erlangs < 0:
        raise ValueError(f"agents ({agents}) and traffic ({traffic_erlangs}) must not be negative")


def _positive(handle_seconds: float) -> float:
    if handle_seconds <= 0:
        raise ValueError(f"a handle time must be positive, not {handle_seconds}")
    return handle_seconds
