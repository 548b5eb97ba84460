"""The post-call surveys as stored (CC-11), on SQLite and on PostgreSQL: an offer is kept
with no answers until the survey ends, the customer's last offer is found under their
key or their phone number, and a month's offers come back in the order they were made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.survey import AnsweredCall, SurveyAnswers, customer_of
from callcenter.survey_store import SqlSurveys
from callgrid.database import Database

NOON = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)


def answered(uniqueid: str, caller_id: str, account: str | None = None) -> AnsweredCall:
    return AnsweredCall(uniqueid, "billing", "olga", caller_id, account)


async def offered(store: SqlSurveys, call: AnsweredCall, at: datetime) -> int:
    customer = customer_of(call)
    assert customer is not None
    kept = await store.add_offer(call, customer, at)
    assert kept.id is not None and kept.answers == SurveyAnswers()
    return kept.id


async def test_an_offer_is_kept_and_then_its_answers(database: Database) -> None:
    store = SqlSurveys(database)
    first = await offered(store, answered("1.1", "79130000001"), NOON)
    await offered(store, answered("1.2", "79130000002", "7000000002"), NOON + timedelta(hours=1))
    await store.answered(first, SurveyAnswers(resolved=True, rating=4))

    kept = await store.offered_between(NOON, NOON + timedelta(days=1))

    assert [(o.uniqueid, o.customer_key, o.completed) for o in kept] == [
        ("1.1", "phone:79130000001", True),
        ("1.2", "account:7000000002", False),
    ]
    assert kept[0].answers == SurveyAnswers(True, 4) and kept[0].offered_at == NOON
    assert kept[1].answers == SurveyAnswers(None, None)
    assert (kept[0].queue, kept[0].operator) == ("billing", "olga")
    assert await store.offered_between(NOON + timedelta(hours=2), NOON + timedelta(days=1)) == []


async def test_a_partly_answered_survey_is_kept_as_not_completed(database: Database) -> None:
    store = SqlSurveys(database)
    offer = await offered(store, answered("1.1", "79130000001"), NOON)
    await store.answered(offer, SurveyAnswers(resolved=False))

    (kept,) = await store.offered_between(NOON, NOON + timedelta(seconds=1))

    assert kept.answers == SurveyAnswers(False, None) and not kept.completed


async def test_the_last_offer_is_found_by_account_or_by_phone(database: Database) -> None:
    store = SqlSurveys(database)
    await offered(store, answered("1.1", "79130000001", "7000000001"), NOON)
    await offered(store, answered("1.2", "79130000001", "7000000001"), NOON + timedelta(days=31))
    await offered(store, answered("1.3", "79130000003"), NOON + timedelta(days=2))

    async def last(call: AnsweredCall) -> datetime | None:
        customer = customer_of(call)
        assert customer is not None
        return await store.last_offered(customer)

    same_account_elsewhere = answered("2.1", "79139999999", "7000000001")
    same_phone_unidentified = answered("2.2", "89130000001")
    phone_then_account = answered("2.3", "79130000003", "7000000003")
    assert await last(same_account_elsewhere) == NOON + timedelta(days=31)
    assert await last(same_phone_unidentified) == NOON + timedelta(days=31)
    assert await last(phone_then_account) == NOON + timedelta(days=2)
    assert await last(answered("2.4", "79135555555")) is None
