"""Operators' statistics over registered calls: a dozen calls worked out by hand, and
the relations between the figures for any calls at all."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.statistics import (
    by_day,
    by_hour,
    by_operator,
    by_queue,
    by_topic,
    figures,
    grouped,
    occupancy,
)
from worktime.clock import DEFAULT_ZONE

T = 40.0
"""The standard's answer limit, the service level's T."""
FRIDAY = datetime(2026, 11, 27, tzinfo=DEFAULT_ZONE)
A, S, TO, X = CallOutcome.ABANDONED, CallOutcome.ANSWERED, CallOutcome.TIMEOUT, None


def call(
    number: int,
    queue: str,
    joined: str,
    outcome: CallOutcome | None,
    wait: float,
    talk: float = 0.0,
    work: float | None = None,
    operator: str | None = None,
    topic: str | None = None,
    day: int = 27,
) -> QueueCall:
    hour, minute = map(int, joined.split(":"))
    joined_at = FRIDAY.replace(day=day, hour=hour, minute=minute)
    return QueueCall(
        queue=queue,
        uniqueid=f"1795775090.{number}",
        linkedid=f"1795775090.{number}",
        caller="79001234567",
        joined_at=joined_at,
        operator=operator,
        topic=topic,
        answered_at=joined_at + timedelta(seconds=wait) if operator else None,
        wait_seconds=wait,
        talk_seconds=talk,
        after_call_work_seconds=work,
        outcome=outcome,
    )


CALLS = [
    call(1, "billing", "09:05", S, 10, 120, 30, "Ivanova", "Оплата"),
    call(2, "billing", "09:20", S, 35, 200, 60, "Ivanova", "Оплата"),
    call(3, "billing", "09:40", S, 40, 90, 20, "Petrov", "Показания"),  # at T: within
    call(4, "billing", "10:10", S, 55, 300, 100, "Petrov", "Показания"),
    call(5, "billing", "10:30", CallOutcome.TRANSFERRED, 20, 60, None, "Ivanova", "Долг"),
    call(6, "billing", "10:35", A, 3),  # a short abandon (< 5 s)
    call(7, "billing", "10:50", A, 25),
    call(8, "billing", "11:00", A, 70),
    call(9, "billing", "11:10", TO, 60),
    call(10, "dispatch", "11:20", S, 5, 150, 30, "Sidorov", "Авария"),
    call(11, "dispatch", "11:30", S, 45, 240, 0, "Sidorov", "Авария"),
    call(12, "dispatch", "11:45", A, 4, day=28),  # a short abandon, on Saturday
    call(13, "billing", "11:50", X, 12),  # still waiting: not counted anywhere
]


def test_the_dozen_calls_worked_out_by_hand() -> None:
    total = figures(CALLS, T)

    # offered 12 (call 13 is not over): answered 1,2,3,4,5,10,11 = 7 (5 is transferred);
    # abandoned 6,7,8,12 = 4 of which short 6 (3 s) and 12 (4 s) = 2; timed out 9 = 1
    assert (total.offered, total.answered, total.transferred) == (12, 7, 1)
    assert (total.abandoned, total.short_abandoned, total.timed_out) == (4, 2, 1)
    # answered within 40 s: 1 (10), 2 (35), 3 (40), 5 (20), 10 (5) = 5; not 4 (55), 11 (45)
    assert total.answered_within == 5
    # SL = 5 / 7
    assert total.service_level == pytest.approx(5 / 7)
    # SL2 as app_queue: unanswered within 40 s are 6 (3), 7 (25), 12 (4) = 3 → (5 + 3) / 12
    assert total.service_level_2 == pytest.approx(8 / 12)
    # strict: 5 / (12 − 2 short abandons) = 0.5
    assert total.service_level_of_offered == pytest.approx(0.5)
    # abandoned 4 / 12; without short (4 − 2) / (12 − 2) = 0.2
    assert total.abandon_rate == pytest.approx(4 / 12)
    assert total.abandon_rate_without_short == pytest.approx(0.2)
    # ASA = (10 + 35 + 40 + 55 + 20 + 5 + 45) / 7 = 210 / 7 = 30
    assert total.average_speed_of_answer == pytest.approx(30.0)
    # talk 120+200+90+300+60+150+240 = 1160, work 30+60+20+100+0+30+0 = 240 (5 unknown)
    # AHT = (1160 + 240) / 7 = 200
    assert total.average_handle_time == pytest.approx(200.0)
    assert total.average_talk_time == pytest.approx(1160 / 7)
    assert total.longest_wait_seconds == 70.0


def test_per_queue() -> None:
    queues = grouped(CALLS, by_queue, T)

    billing, dispatch = queues["billing"], queues["dispatch"]
    # billing 1–9: answered 5, within 4 (1, 2, 3, 5); abandoned 6, 7, 8 (short 6); timeout 9
    assert (billing.offered, billing.answered, billing.answered_within) == (9, 5, 4)
    assert billing.service_level == pytest.approx(4 / 5)
    assert billing.service_level_2 == pytest.approx((4 + 2) / 9)  # 6 (3 s), 7 (25 s)
    assert billing.service_level_of_offered == pytest.approx(4 / 8)
    assert billing.average_speed_of_answer == pytest.approx((10 + 35 + 40 + 55 + 20) / 5)
    assert billing.average_handle_time == pytest.approx((770 + 210) / 5)  # 196
    # dispatch 10–12: answered 2, within 1 (10); abandoned 12 in 4 s
    assert dispatch.service_level == pytest.approx(1 / 2)
    assert dispatch.service_level_2 == pytest.approx((1 + 1) / 3)
    assert dispatch.average_handle_time == pytest.approx((150 + 30 + 240) / 2)  # 210


def test_per_operator_topic_hour_and_day() -> None:
    operators = grouped(CALLS, by_operator, T)
    topics = grouped(CALLS, by_topic, T)
    hours = grouped(CALLS, partial(by_hour, zone=DEFAULT_ZONE), T)
    days = grouped(CALLS, partial(by_day, zone=DEFAULT_ZONE), T)

    assert {name: f.answered for name, f in operators.items()} == {
        "Ivanova": 3,
        "Petrov": 2,
        "Sidorov": 2,
        None: 0,  # the unanswered calls
    }
    assert operators[None].offered == 5
    assert operators["Ivanova"].handle_seconds == 150 + 260 + 60
    assert {topic: f.offered for topic, f in topics.items()} == {
        "Оплата": 2,
        "Показания": 2,
        "Долг": 1,
        "Авария": 2,
        None: 5,
    }
    nine, ten, eleven = (FRIDAY.replace(hour=h) for h in (9, 10, 11))
    assert {hour: f.offered for hour, f in hours.items()} == {
        nine: 3,
        ten: 4,
        eleven: 4,
        FRIDAY.replace(day=28, hour=11): 1,
    }
    assert hours[nine].service_level == 1.0
    assert hours[ten].service_level == pytest.approx(1 / 2)  # 4 (55 s), 5 (20 s)
    assert {day: f.offered for day, f in days.items()} == {
        date(2026, 11, 27): 11,
        date(2026, 11, 28): 1,
    }


def test_occupancy_is_handle_time_over_logged_in_time() -> None:
    logged_in = {"Ivanova": 3600.0, "Petrov": 1020.0, "Sidorov": 0.0, "Kuznetsova": 1800.0}

    shares = occupancy(CALLS, logged_in)

    assert shares["Ivanova"] == pytest.approx(470 / 3600)  # 150 + 260 + 60
    assert shares["Petrov"] == pytest.approx(510 / 1020)  # 110 + 400
    assert shares["Sidorov"] is None  # never logged in: nothing to divide by
    assert shares["Kuznetsova"] == 0.0


def test_no_calls_give_no_shares() -> None:
    empty = figures([CALLS[-1]], T)

    assert empty.offered == 0
    assert empty.service_level is None and empty.service_level_2 is None
    assert empty.abandon_rate is None and empty.average_speed_of_answer is None


OUTCOMES = st.sampled_from([*CallOutcome, None])
CALL_STRATEGY = st.builds(
    lambda outcome, wait, talk, work, queue: call(0, queue, "10:00", outcome, wait, talk, work),
    OUTCOMES,
    st.floats(0, 600),
    st.floats(0, 3600),
    st.none() | st.floats(0, 900),
    st.sampled_from(["billing", "dispatch"]),
)


@given(st.lists(CALL_STRATEGY, max_size=40), st.floats(1, 120), st.floats(0, 1))
def test_shares_stay_in_bounds_and_in_order(
    calls: list[QueueCall], answer_seconds: float, short_part: float
) -> None:
    short = short_part * answer_seconds  # a short abandon is never longer than T
    total = figures(calls, answer_seconds, short)
    shares = [
        total.service_level,
        total.service_level_2,
        total.service_level_of_offered,
        total.abandon_rate,
        total.abandon_rate_without_short,
    ]

    assert all(0.0 <= share <= 1.0 for share in shares if share is not None)
    if total.service_level_of_offered is not None and total.service_level is not None:
        assert total.service_level_of_offered <= total.service_level + 1e-12
    if total.service_level_of_offered is not None and total.service_level_2 is not None:
        assert total.service_level_of_offered <= total.service_level_2 + 1e-12
    parts = grouped(calls, by_queue, answer_seconds, short).values()
    assert sum(part.offered for part in parts) == total.offered
    assert sum(part.answered_within for part in parts) == total.answered_within
