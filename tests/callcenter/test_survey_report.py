"""The post-call survey on the supervisor's reports page and in its CSV (CC-11): a small
November of stored offers with figures worked out by hand, beside the month's other
figures, and a month without offers."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime, timedelta

from callcenter.survey import AnsweredCall, SurveyAnswers, customer_of
from callcenter.survey_store import SqlSurveys
from tests.web.conftest import RunningWeb, web
from worktime.clock import DEFAULT_ZONE

__all__ = ["web"]
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=DEFAULT_ZONE)


async def offered(
    store: SqlSurveys, call: AnsweredCall, at: datetime, answers: SurveyAnswers
) -> None:
    customer = customer_of(call)
    assert customer is not None
    offer = await store.add_offer(call, customer, at)
    assert offer.id is not None
    await store.answered(offer.id, answers)


async def stored_november(site: RunningWeb) -> None:
    """billing: olga resolved 5, olga not resolved 2, ivan resolved then hung up;
    dispatch: ivan, no answer at all; and one offer in December."""
    store = SqlSurveys(site.engine.database)
    offers = [
        ("billing", "olga", SurveyAnswers(True, 5)),
        ("billing", "olga", SurveyAnswers(False, 2)),
        ("billing", "ivan", SurveyAnswers(True, None)),
        ("dispatch", "ivan", SurveyAnswers()),
    ]
    for n, (queue, operator, answers) in enumerate(offers):
        call = AnsweredCall(f"c{n}", queue, operator, f"7913000000{n}")
        await offered(store, call, MONDAY + timedelta(hours=n), answers)
    december = AnsweredCall("d1", "billing", "olga", "79130000009")
    first_of_december = datetime(2026, 12, 1, 9, 0, tzinfo=DEFAULT_ZONE)
    await offered(store, december, first_of_december, SurveyAnswers(True, 1))


async def test_the_month_s_survey_per_queue_and_operator(web: RunningWeb) -> None:
    await stored_november(web)
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        async with client.get("/reports", params={"month": "2026-11"}) as page:
            assert page.status == 200
            text = html.unescape(await page.text())
        async with client.get("/reports/survey.csv", params={"month": "2026-11"}) as survey:
            assert survey.headers["Content-Disposition"].endswith('"survey-2026-11.csv"')
            rows = {
                (row["grouping"], row["name"]): row
                for row in csv.DictReader(io.StringIO(await survey.text()))
            }

    figures = {
        key: (row["offered"], row["completed"], row["resolved_share"], row["average_rating"])
        for key, row in rows.items()
    }
    assert figures == {
        ("queue", "billing"): ("3", "2", "66.7", "3.50"),  # resolved 2 of 3; (5 + 2) / 2
        ("queue", "dispatch"): ("1", "0", "", ""),
        ("operator", "ivan"): ("2", "0", "100.0", ""),
        ("operator", "olga"): ("2", "2", "50.0", "3.50"),
    }
    queues = text[text.index('id="survey-queue"') : text.index('id="survey-operator"')]
    assert "<td>billing</td><td>3</td><td>2</td><td>66.7</td><td>3.50</td>" in queues
    assert "at most once in 30 days" in text and "Operators needed (Erlang C)" in text


async def test_a_month_without_offers_says_so(web: RunningWeb) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        async with client.get("/reports", params={"month": "2026-10"}) as page:
            text = html.unescape(await page.text())
        async with client.get("/reports/survey.csv", params={"month": "2026-10"}) as survey:
            lines = (await survey.text()).splitlines()

    assert text.count("No survey offered this month.") == 2
    assert lines == ["grouping,name,offered,completed,resolved_share,average_rating"]
