"""Erlang C staffing: a published worked example, the formula's own properties, and the
operators a week of registered calls asks for."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.staffing import (
    agents_needed,
    average_speed_of_answer,
    demand,
    erlang_b,
    erlang_c,
    service_level,
    traffic,
)
from worktime.clock import DEFAULT_ZONE


def test_the_worked_example_of_call_centre_helper() -> None:
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example":
    100 calls in 30 minutes (200 an hour), average handle time 180 s, target 80 % of
    calls answered in 20 s. Traffic A = 10 Erlangs; with N = 11 agents the probability
    that a call waits is 0.6821 and the service level about 39 %; 14 agents are the
    fewest that reach 80 %."""
    assert traffic(200, 180) == pytest.approx(10.0)
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    assert service_level(11, 200, 180, 20) == pytest.approx(0.3896, abs=5e-5)
    assert service_level(13, 200, 180, 20) < 0.80 <= service_level(14, 200, 180, 20)
    assert agents_needed(200, 180, 20, 0.80) == 14
    # ASA = C·h / (N − A) = 0.6821 · 180 / 1
    assert average_speed_of_answer(11, 200, 180) == pytest.approx(122.78, abs=0.01)


def test_erlang_b_table_value() -> None:
    """Erlang B tables: 5 Erlangs on 10 lines block 1.84 % of calls."""
    assert erlang_b(10, 5.0) == pytest.approx(0.0184, abs=5e-5)


def test_an_overloaded_queue_always_waits() -> None:
    assert erlang_c(10, 10.0) == 1.0
    assert service_level(10, 200, 180, 20) == 0.0
    assert math.isinf(average_speed_of_answer(9, 200, 180))


def test_large_centres_do_not_overflow() -> None:
    """Factorials of 550 and powers of 500 overflow a float; the recurrence does not."""
    waiting = erlang_c(550, 500.0)
    assert 0.0 < waiting < 0.05
    assert agents_needed(6000, 300, 20, 0.8) > 500


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="target"):
        agents_needed(200, 180, 20, 1.0)
    with pytest.raises(ValueError, match="handle time"):
        service_level(11, 200, 0, 20)
    assert agents_needed(0, 180, 20, 0.8) == 0


def direct_erlang_c(agents: int, load: float) -> float:
    """The textbook form with factorials, for small numbers only."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    return top / (sum(load**k / math.factorial(k) for k in range(agents)) + top)


@given(st.floats(0.1, 30), st.integers(1, 40))
def test_the_recurrence_agrees_with_the_textbook_formula(load: float, extra: int) -> None:
    agents = math.floor(load) + extra
    if agents <= load:
        return
    assert erlang_c(agents, load) == pytest.approx(direct_erlang_c(agents, load), rel=1e-9)


@given(st.floats(0.1, 200), st.integers(1, 300))
def test_waiting_falls_as_agents_are_added(load: float, agents: int) -> None:
    now, more = erlang_c(agents, load), erlang_c(agents + 1, load)

    assert 0.0 <= more <= now <= 1.0
    if agents > load and now > 0.0:  # (below ~1e-308 a float has run out)
        assert more < now


@given(
    st.floats(1, 3000),
    st.floats(20, 900),
    st.floats(0, 120),
    st.floats(0.05, 0.99),
)
def test_the_least_agents_meet_the_target_and_one_fewer_do_not(
    calls_per_hour: float, handle: float, answer: float, target: float
) -> None:
    agents = agents_needed(calls_per_hour, handle, answer, target)

    assert service_level(agents, calls_per_hour, handle, answer) >= target
    assert service_level(agents - 1, calls_per_hour, handle, answer) < target


MONDAY = datetime(2026, 11, 16, tzinfo=DEFAULT_ZONE)


def answered(day: int, hour: int, minute: int, handle: float) -> QueueCall:
    joined = MONDAY.replace(day=day, hour=hour, minute=minute)
    return QueueCall(
        queue="billing",
        uniqueid=f"{day}.{hour}.{minute}",
        linkedid=f"{day}.{hour}.{minute}",
        caller=None,
        joined_at=joined,
        answered_at=joined + timedelta(seconds=10),
        talk_seconds=handle - 60,
        after_call_work_seconds=60,
        wait_seconds=10,
        outcome=CallOutcome.ANSWERED,
    )


def test_the_operators_each_weekday_hour_asks_for() -> None:
    two_mondays = [date(2026, 11, 16), date(2026, 11, 23)]
    nine = [answered(16, 9, m, 180) for m in range(0, 60, 1)]  # 60 calls on the 16th
    nine += [answered(23, 9, m, 180) for m in range(0, 60, 2)]  # 30 on the 23rd
    ten = [replace(answered(16, 10, 5, 180), outcome=CallOutcome.ABANDONED, answered_at=None)]
    elsewhere = [answered(17, 9, 0, 180), answered(30, 9, 0, 180)]  # days not covered

    rows = demand(
        nine + ten + elsewhere, two_mondays, answer_seconds=20, target=0.8, zone=DEFAULT_ZONE
    )

    monday_nine, monday_ten = rows
    assert (monday_nine.weekday, monday_nine.hour, monday_nine.offered) == (0, 9, 90)
    assert monday_nine.calls_per_hour == 45.0  # 90 calls over 2 Mondays
    assert monday_nine.handle_seconds == 180.0
    # 45 calls an hour of 180 s = 2.25 Erlangs
    assert monday_nine.agents == agents_needed(45, 180, 20, 0.8)
    assert monday_nine.agents == 4
    # nothing answered at ten: sized on the mean handle time of all answered calls
    assert (monday_ten.hour, monday_ten.calls_per_hour) == (10, 0.5)
    assert monday_ten.handle_seconds == 180.0 and monday_ten.agents == 1
