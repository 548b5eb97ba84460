"""The wallboard's figures summed by the database (one row a queue) are the figures the
statistics compute over the same stored calls, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.emergency import EmergencyMode
from callcenter.operator_state import Activity
from callcenter.operator_store import OperatorNow, SqlOperators
from callcenter.queue_call_store import SqlQueueCalls
from callcenter.queue_call_watch import Waiting
from callcenter.statistics import Figures, by_queue, grouped
from callcenter.storage import KEPT_PLACES_TOPIC, SqlTasks
from callcenter.tasks import QueuePlace
from callcenter.wallboard import WallboardRules, wallboard, wallboard_of
from callcenter.wallboard_http import WallboardSources
from callgrid.database import Database
from callgrid.events import EventHub
from worktime.calendar import default_calendar
from worktime.clock import ManualClock

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


async def test_kept_place_callbacks_are_counted_by_the_database_for_the_board(
    database: Database,
) -> None:
    hub = EventHub()
    changes = hub.subscribe(KEPT_PLACES_TOPIC)
    tasks = SqlTasks(database, default_calendar(), hub)
    joined, lease = NOW - timedelta(minutes=4), timedelta(seconds=60)

    async def callback(n: int, queue: str | None) -> int:
        place = None if queue is None else QueuePlace(queue, joined + timedelta(seconds=n))
        return await tasks.request_callback(
            f"c{n}", f"791300000{n:02}", "households", None, NOW, place
        )

    ids = [await callback(n, queue) for n, queue in enumerate(
        ["billing", "billing", "billing", "billing", "support", "dispatch", None]
    )]  # fmt: skip
    for n in (1, 2, 3):  # being dialled: still kept; put through, or out of attempts: not
        claimed = await tasks.claim_place(ids[n], "engine", "olga", NOW, lease)
        assert claimed is not None and claimed.place is not None
        if n == 2:
            assert await tasks.move_place(ids[n], "engine", claimed.place.connected())
        if n == 3:
            assert await tasks.move_place(ids[n], "engine", claimed.place.failed(NOW, lease, 1))
    await tasks.done(ids[5], "ivan", NOW)  # done while it kept its place

    counted = await tasks.kept_per_queue()
    stored = Counter(task.place.queue for task in await tasks.kept_places() if task.place)
    sources = WallboardSources(
        SqlOperators(database), SqlQueueCalls(database), None, lambda: None, None, hub,
        EmergencyMode(database, ManualClock(NOW), 40, 180), RULES, ManualClock(NOW), tasks,
    )  # fmt: skip
    board = await sources.figures()

    assert counted == stored == {"billing": 2, "support": 1}
    assert [(q["queue"], q["waiting"], q["kept_callbacks"]) for q in board["queues"]] == [
        ("billing", None, 2),
        ("support", None, 1),
    ]
    queues = [changes.queue.get_nowait().data["queue"] for _ in range(changes.queue.qsize())]
    assert Counter(queues) == {"billing": 4 + 3 + 2, "support": 1, "dispatch": 2}, (
        "the board is told of each change: 6 places kept, 3 claimed, 2 moved, 1 done"
    )
