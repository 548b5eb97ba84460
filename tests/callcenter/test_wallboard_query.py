"""The wallboard's figures summed by the database (one row a queue) are the figures the
statistics compute over the same stored calls, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.operator_state import Activity
from callcenter.operator_store import OperatorNow
from callcenter.queue_call_store import SqlQueueCalls
from callcenter.queue_call_watch import Waiting
from callcenter.statistics import Figures, by_queue, grouped
from callcenter.wallboard import WallboardRules, wallboard, wallboard_of
from callgrid.database import Database

MIDNIGHT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 00:00 in Tomsk
NOW = MIDNIGHT + timedelta(hours=11)
RULES = WallboardRules(40, 5, timedelta(hours=2))
QUEUES = ("billing", "dispatch", "paid_services")


def stay(
    number: int,
    queue: str,
    outcome: CallOutcome,
    wait: float,
    joined_at: datetime,
    talk: float = 0.0,
    work: float | None = None,
) -> QueueCall:
    answered = outcome in (CallOutcome.ANSWERED, CallOutcome.TRANSFERRED)
    answered_at = joined_at + timedelta(seconds=wait) if answered else None
    return QueueCall(
        queue=queue,
        uniqueid=f"1795775090.{number}",
        linkedid=f"1795775090.{number}",
        caller="79131234567",
        joined_at=joined_at,
        operator="olga" if answered else None,
        answered_at=answered_at,
        ended_at=joined_at + timedelta(seconds=wait + talk),
        wait_seconds=wait,
        talk_seconds=talk,
        outcome=outcome,
        abandon_position=None if answered else 1,
        after_call_work_seconds=work if answered else None,
    )


def edge_calls() -> list[QueueCall]:
    """On each limit and on either side: waits of exactly T and of the short abandon,
    work unknown, a transfer, a timeout; and calls just outside the day."""
    at = MIDNIGHT + timedelta(hours=9)
    answered, transferred = CallOutcome.ANSWERED, CallOutcome.TRANSFERRED
    abandoned, timeout = CallOutcome.ABANDONED, CallOutcome.TIMEOUT
    return [
        stay(1, "billing", answered, 40.0, at, talk=120.5, work=30.25),
        stay(2, "billing", answered, 40.001, at, talk=60.0, work=None),
        stay(3, "billing", transferred, 12.5, at, talk=33.0, work=5.0),
        stay(4, "billing", abandoned, 5.0, at),
        stay(5, "billing", abandoned, 4.999, at),
        stay(6, "billing", abandoned, 41.0, at),
        stay(7, "billing", timeout, 60.0, at),
        stay(8, "dispatch", timeout, 40.0, at),
        stay(9, "dispatch", abandoned, 0.4, at),
        stay(10, "paid_services", answered, 0.0, MIDNIGHT, talk=10.0, work=0.0),
        stay(11, "billing", answered, 3.0, MIDNIGHT - timedelta(microseconds=1), talk=1.0),
        stay(12, "dispatch", abandoned, 3.0, NOW),
    ]


def random_calls(count: int, seed: int) -> list[QueueCall]:
    draw = random.Random(seed)
    outcomes = list(CallOutcome)
    return [
        stay(
            100 + number,
            draw.choice(QUEUES),
            draw.choice(outcomes),
            draw.choice([40.0, 5.0, round(draw.uniform(0, 90), 3)]),
            MIDNIGHT + timedelta(seconds=draw.uniform(-3600, 13 * 3600)),
            talk=round(draw.uniform(0, 600), 2),
            work=draw.choice([None, round(draw.uniform(0, 400), 2)]),
        )
        for number in range(count)
    ]


async def stored(database: Database, calls: list[QueueCall]) -> SqlQueueCalls:
    store = SqlQueueCalls(database)
    for call in calls:
        await store.add(call)
    return store


def same(summed: dict[str, Figures], computed: dict[str, Figures]) -> None:
    """Counts exactly; sums of seconds to the rounding of the order they were added in."""
    assert list(summed) == sorted(computed)
    for queue, figures in computed.items():
        assert asdict(summed[queue]) == pytest.approx(asdict(figures)), queue


@pytest.mark.parametrize("calls", [edge_calls(), random_calls(300, seed=10)], ids=["edges", "300"])
async def test_the_summed_figures_are_those_of_the_stored_calls(
    database: Database, calls: list[QueueCall]
) -> None:
    store = await stored(database, calls)

    summed = await store.figures_between(MIDNIGHT, NOW, 40, 5)
    today = await store.joined_between(MIDNIGHT, NOW)

    assert today, "some calls are today's"
    same(summed, grouped(today, by_queue, 40, 5))


async def test_the_edges_count_as_worked_out_by_hand(database: Database) -> None:
    store = await stored(database, edge_calls())

    billing = (await store.figures_between(MIDNIGHT, NOW, 40, 5))["billing"]

    assert (billing.answered, billing.answered_within, billing.transferred) == (3, 2, 1)
    assert (billing.abandoned, billing.short_abandoned, billing.timed_out) == (3, 1, 1)
    assert billing.unanswered_within == 2, "the abandons of 5 and 4.999 s"
    assert billing.after_call_work_seconds == pytest.approx(35.25), "unknown work is none"
    assert billing.abandon_rate_without_short == pytest.approx(2 / 6)


async def test_the_wallboard_from_the_database_shows_what_it_shows_over_the_calls(
    database: Database,
) -> None:
    store = await stored(database, random_calls(120, seed=3))
    operators = [
        OperatorNow("olga", Activity.TALKING, "", NOW - timedelta(seconds=70), ("billing",), False),
        OperatorNow("ivan", Activity.AVAILABLE, "", NOW, ("support",), False),
    ]
    waiting = [Waiting("dispatch", "w1", "7913", NOW - timedelta(seconds=50))]

    summed = await store.figures_between(MIDNIGHT, NOW, RULES.answer_seconds, 5)
    board = wallboard_of(NOW, operators, waiting, summed, True, None, RULES)
    today = await store.joined_between(MIDNIGHT, NOW)

    assert board == wallboard(NOW, operators, waiting, today, True, None, RULES)
    assert [queue["queue"] for queue in board["queues"]] == [
        *QUEUES[:2],
        "paid_services",
        "support",
    ]
