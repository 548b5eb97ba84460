"""The post-call survey's rules (CC-11): a customer is offered it at most once in any 30
days, whatever the clock; VIPs and callers nobody can tell apart are not; what each key
pressed means; and the month's figures per queue and operator worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.settings import CallcenterSettings
from callcenter.survey import (
    PROMPTS,
    RATING,
    RESOLVED,
    AnsweredCall,
    Customer,
    Heard,
    Question,
    Skip,
    SurveyAnswers,
    SurveyOffer,
    SurveyRules,
    customer_of,
    due,
    excluded,
    judge,
)
from callcenter.survey_figures import SURVEY_GROUPINGS, survey_figures, survey_row
from callgrid.settings import Settings, SettingsError
from prompts.catalog import load_catalog

RULES = SurveyRules()
START = datetime(2026, 11, 1, tzinfo=UTC)
PEOPLE = [(f"700000000{n}", f"7913000000{n}") for n in range(3)]
"""Each person's account number and phone."""


def answered(
    caller_id: str = "79130000001", account: str | None = None, vip: bool = False
) -> AnsweredCall:
    return AnsweredCall("1795775090.84", "billing", "olga", caller_id, account, vip)


def test_the_customer_is_the_account_else_the_callers_number() -> None:
    assert customer_of(answered("8 (913) 000-00-01", "7000000007")) == Customer(
        "account:7000000007", "79130000001"
    )
    assert customer_of(answered("+79130000001")) == Customer("phone:79130000001", "79130000001")
    assert customer_of(answered("anonymous")) is None
    assert customer_of(answered("", "7000000007")) == Customer("account:7000000007", None)


@pytest.mark.parametrize(
    ("call", "rules", "skip"),
    [
        (answered(), SurveyRules(enabled=False), Skip.SWITCHED_OFF),
        (answered(account="7000000007", vip=True), RULES, Skip.VIP),
        (answered("unknown"), RULES, Skip.UNKNOWN_CUSTOMER),
        (answered("unknown", "7000000007"), RULES, None),
        (answered(), RULES, None),
    ],
)
def test_who_is_never_asked(call: AnsweredCall, rules: SurveyRules, skip: Skip | None) -> None:
    assert excluded(rules, call) is skip


def test_a_month_is_thirty_days_even_across_a_month_s_end() -> None:
    last = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert not due(RULES, last, datetime(2026, 2, 1, 12, 0, tzinfo=UTC))
    assert not due(RULES, last, last + timedelta(days=30, seconds=-1))
    assert due(RULES, last, last + timedelta(days=30))
    assert due(RULES, None, last)


@given(
    st.lists(
        st.tuples(
            st.integers(0, len(PEOPLE) - 1),
            st.booleans(),
            st.floats(0, 20 * 86400, allow_nan=False),
        ),
        max_size=60,
    ),
    st.integers(1, 60),
)
def test_once_in_the_interval_per_customer_whatever_the_clock(
    calls: list[tuple[int, bool, float]], days: int
) -> None:
    """Calls at random moments, each person sometimes identified and sometimes not; an
    offer is remembered under its customer key and phone, as the store keeps it."""
    rules = SurveyRules(interval=timedelta(days=days))
    offers: list[tuple[int, datetime]] = []
    keys: list[tuple[str, str | None, datetime]] = []
    now = START
    for person, identified, gap in calls:
        now += timedelta(seconds=gap)
        account, phone = PEOPLE[person]
        call = answered(phone, account if identified else None)
        customer = customer_of(call)
        assert customer is not None and excluded(rules, call) is None
        last = max(
            (at for key, kept, at in keys if key == customer.key or kept == customer.phone),
            default=None,
        )
        recent = [at for who, at in offers if who == person and now - at < rules.interval]
        assert due(rules, last, now) == (not recent), "offered exactly when none is recent"
        if due(rules, last, now):
            offers.append((person, now))
            keys.append((customer.key, customer.phone, now))
    for person in range(len(PEOPLE)):
        times = [at for who, at in offers if who == person]
        assert all(b - a >= rules.interval for a, b in pairwise(times))


@pytest.mark.parametrize(
    ("question", "digits", "timed_out", "heard"),
    [
        (RESOLVED, "1", False, Heard.ANSWERED),
        (RESOLVED, "2", False, Heard.ANSWERED),
        (RESOLVED, "3", False, Heard.WRONG_KEY),
        (RESOLVED, "", False, Heard.WRONG_KEY),  # "#" alone
        (RESOLVED, "", True, Heard.SILENCE),
        (RATING, "5", False, Heard.ANSWERED),
        (RATING, "0", False, Heard.WRONG_KEY),
        (RATING, "*", False, Heard.WRONG_KEY),
        (RATING, "45", False, Heard.WRONG_KEY),
    ],
)
def test_what_a_key_means(question: Question, digits: str, timed_out: bool, heard: Heard) -> None:
    assert judge(question, digits, timed_out) is heard


def test_answers_are_completed_when_both_questions_are_answered() -> None:
    resolved = SurveyAnswers().with_answer(RESOLVED, "2")
    assert (resolved.resolved, resolved.rating, resolved.completed) == (False, None, False)
    rated = resolved.with_answer(RATING, "4")
    assert (rated.resolved, rated.rating, rated.completed) == (False, 4, True)


def test_every_prompt_of_the_survey_is_in_the_catalog() -> None:
    catalog = load_catalog()
    assert [prompt for prompt in PROMPTS if prompt not in catalog] == []


def offer(queue: str, operator: str, resolved: bool | None, rating: int | None) -> SurveyOffer:
    return SurveyOffer(
        "u", "phone:79130000001", queue, operator, START, SurveyAnswers(resolved, rating)
    )


def test_the_month_s_figures_per_queue_and_operator() -> None:
    offers = [
        offer("billing", "olga", True, 5),
        offer("billing", "olga", False, 2),
        offer("billing", "ivan", True, None),  # hung up at the mark
        offer("billing", "ivan", None, None),  # said nothing
        offer("dispatch", "olga", True, 4),
    ]
    queues = survey_figures(offers, SURVEY_GROUPINGS["queue"])
    operators = survey_figures(offers, SURVEY_GROUPINGS["operator"])

    # billing: 4 offered, 2 completed; resolved 2 of the 3 who answered; marks (5 + 2) / 2
    assert survey_row("queue", "billing", queues["billing"]) == {
        "grouping": "queue", "name": "billing", "offered": 4, "completed": 2,
        "resolved_share": "66.7", "average_rating": "3.50",
    }  # fmt: skip
    assert list(operators) == ["ivan", "olga"]
    # olga: 3 offered, all completed; 2 of 3 resolved; (5 + 2 + 4) / 3
    assert survey_row("operator", "olga", operators["olga"])["average_rating"] == "3.67"
    ivan = survey_row("operator", "ivan", operators["ivan"])
    assert (ivan["completed"], ivan["resolved_share"], ivan["average_rating"]) == (0, "100.0", "")


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"CALLGRID_SURVEY_INTERVAL_DAYS": "0"}, "CALLGRID_SURVEY_INTERVAL_DAYS"),
        ({"CALLGRID_SURVEY_ANSWER_TIMEOUT_SECONDS": "90"}, "CALLGRID_SURVEY_ANSWER_TIMEOUT"),
        ({"CALLGRID_SURVEY_ENABLED": "perhaps"}, "CALLGRID_SURVEY_ENABLED"),
    ],
)
def test_a_bad_survey_setting_stops_the_engine_naming_it(
    environment: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_environment(environment, [CallcenterSettings])


def test_the_survey_is_off_by_default_and_can_be_switched_on() -> None:
    assert (
        not Settings.from_environment({}, [CallcenterSettings])
        .of(CallcenterSettings)
        .survey_enabled
    )
    on = Settings.from_environment({"CALLGRID_SURVEY_ENABLED": "true"}, [CallcenterSettings])
    assert on.of(CallcenterSettings).survey_enabled
