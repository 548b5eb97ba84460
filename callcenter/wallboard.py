"""What the supervisor's wallboard shows (WEB-2, CC-2, CC-3, CC-5, CC-10): each queue's
callers waiting and, beside them, the callbacks keeping a place there, its figures
today, each operator's state with its reason and time in it, and the alerts — all from
what the engine stores and sees now. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from callcenter.call_register import QueueCall
from callcenter.operator_state import Activity
from callcenter.operator_store import OperatorNow
from callcenter.queue_call_watch import Waiting
from callcenter.statistics import Figures, by_queue, grouped

TAKING_CALLS = frozenset(
    {Activity.AVAILABLE, Activity.RINGING, Activity.TALKING, Activity.AFTER_CALL_WORK}
)


@dataclass(frozen=True)
class WallboardRules:
    answer_seconds: float
    """CC-2: a caller waits at most this long (40 s)."""
    short_abandon_seconds: float
    outage_limit: timedelta
    """CC-10: the link down longer than this is an alert of its own."""


def wallboard(
    now: datetime,
    operators: Sequence[OperatorNow],
    waiting: Sequence[Waiting] | None,
    today: Sequence[QueueCall],
    link_up: bool | None,
    link_lost_at: datetime | None,
    rules: WallboardRules,
    kept: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The board as JSON-able data over the day's calls. ``waiting`` is None in a
    process without the AMI link (nobody here knows who waits); ``link_up`` likewise.
    ``kept``: per queue, the callbacks keeping a place there (stored: known anywhere)."""
    done = grouped(today, by_queue, rules.answer_seconds, rules.short_abandon_seconds)
    return wallboard_of(now, operators, waiting, done, link_up, link_lost_at, rules, kept)


def wallboard_of(
    now: datetime,
    operators: Sequence[OperatorNow],
    waiting: Sequence[Waiting] | None,
    today: Mapping[str, Figures],
    link_up: bool | None,
    link_lost_at: datetime | None,
    rules: WallboardRules,
    kept: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """:func:`wallboard` with the day's figures of each queue already summed (by the
    database: :meth:`callcenter.queue_call_store.SqlQueueCalls.figures_between`)."""
    kept = kept or {}
    names = sorted(
        set(today)
        | {queue for operator in operators for queue in operator.queues}
        | {caller.queue for caller in waiting or ()}
        | {queue for queue, count in kept.items() if count}
    )
    empty = Figures(rules.answer_seconds)
    queues = [
        _queue(name, now, operators, waiting, today.get(name, empty), kept.get(name, 0))
        for name in names
    ]
    return {
        "at": now.isoformat(),
        "link": "unknown" if link_up is None else "up" if link_up else "down",
        "queues": queues,
        "operators": [
            {
                "login": operator.login,
                "activity": operator.activity.value,
                "reason": operator.reason,
                "since": operator.since.isoformat(),
                "seconds": round(operator.seconds_in_state(now)),
                "queues": list(operator.queues),
                "over_limit": operator.over_limit,
            }
            for operator in operators
        ],
        "alerts": _alerts(queues, operators, link_up, _down_for(link_lost_at, now), rules),
    }


def _queue(
    name: str,
    now: datetime,
    operators: Sequence[OperatorNow],
    waiting: Sequence[Waiting] | None,
    done: Figures,
    kept: int,
) -> dict[str, Any]:
    here = None if waiting is None else [caller for caller in waiting if caller.queue == name]
    longest = max(((now - caller.joined_at).total_seconds() for caller in here or ()), default=0)
    taking = [
        operator.login
        for operator in operators
        if name in operator.queues and operator.activity in TAKING_CALLS
    ]
    level = done.service_level
    return {
        "queue": name,
        "waiting": None if here is None else len(here),
        "kept_callbacks": kept,
        "longest_wait_seconds": None if here is None else round(longest),
        "answered": done.answered,
        "abandoned": done.abandoned,
        "service_level": None if level is None else round(level, 3),
        "taking_calls": len(taking),
    }


def _alerts(
    queues: Sequence[dict[str, Any]],
    operators: Sequence[OperatorNow],
    link_up: bool | None,
    down_for: timedelta | None,
    rules: WallboardRules,
) -> list[str]:
    alerts = []
    if link_up is False:
        alerts.append("The link to Asterisk is down: states and queues are not known")
    if down_for is not None and down_for > rules.outage_limit:
        alerts.append(
            f"The link to Asterisk has been down {round(down_for.total_seconds() / 60)} min, "
            f"longer than the {rules.outage_limit} the standard allows (CC-10)"
        )
    for queue in queues:
        name, waiting = queue["queue"], queue["waiting"]
        if waiting and queue["longest_wait_seconds"] > rules.answer_seconds:
            alerts.append(
                f"Queue {name}: a caller has waited {queue['longest_wait_seconds']} s "
                f"(limit {rules.answer_seconds:g} s)"
            )
        if waiting and queue["taking_calls"] == 0:
            alerts.append(f"Queue {name}: {waiting} waiting and nobody takes its calls")
    for operator in operators:
        if operator.over_limit:
            alerts.append(f"{operator.login}: after-call work over its limit")
    return alerts


def _down_for(lost_at: datetime | None, now: datetime) -> timedelta | None:
    return None if lost_at is None else now - lost_at
