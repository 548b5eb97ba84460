"""The supervisor's reports page and its CSV files, from queue calls as stored: a small
November with figures worked out by hand."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime, timedelta

import pytest

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.plugin import QUEUE_CALLS
from tests.web.conftest import RunningWeb, web
from worktime.clock import DEFAULT_ZONE

__all__ = ["web"]
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=DEFAULT_ZONE)


def call(n: int, wait: float, outcome: CallOutcome, queue: str = "billing") -> QueueCall:
    joined = MONDAY + timedelta(minutes=7 * n)
    answered = joined + timedelta(seconds=wait) if outcome is CallOutcome.ANSWERED else None
    return QueueCall(
        queue=queue, uniqueid=f"c{n}", linkedid=f"c{n}", caller="79130000001",
        joined_at=joined, answered_at=answered, ended_at=joined + timedelta(minutes=4),
        operator="olga" if answered else None, wait_seconds=wait,
        talk_seconds=180.0 if answered else 0.0, outcome=outcome,
        topic="Долг" if answered else None,
    )  # fmt: skip


async def stored_november(site: RunningWeb) -> None:
    """Billing: answered after 10, 30 and 50 s, one abandoned after 20 s and one after
    3 s (short); dispatch: one answered after 5 s."""
    store = site.engine.host.require(QUEUE_CALLS)
    for each in (
        call(1, 10, CallOutcome.ANSWERED),
        call(2, 30, CallOutcome.ANSWERED),
        call(3, 50, CallOutcome.ANSWERED),
        call(4, 20, CallOutcome.ABANDONED),
        call(5, 3, CallOutcome.ABANDONED),
        call(6, 5, CallOutcome.ANSWERED, queue="dispatch"),
    ):
        await store.add(each)


async def test_the_month_s_figures_and_the_standard_s_limits(web: RunningWeb) -> None:
    await stored_november(web)
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        async with client.get("/reports", params={"month": "2026-11"}) as page:
            assert page.status == 200
            text = html.unescape(await page.text())
        async with client.get("/reports/queue.csv", params={"month": "2026-11"}) as queues:
            rows = {row["name"]: row for row in csv.DictReader(io.StringIO(await queues.text()))}
        async with client.get("/reports/compliance.csv?month=2026-11") as compliance:
            limits = {
                row["key"]: row for row in csv.DictReader(io.StringIO(await compliance.text()))
            }

    # billing: 3 answered, 2 within 40 s -> SL 66.7 %; 2 abandoned, 1 of them short;
    # ASA (10 + 30 + 50) / 3 = 30 s; AHT = talk 180 s
    assert (rows["billing"]["offered"], rows["billing"]["answered"]) == ("5", "3")
    assert (rows["billing"]["abandoned"], rows["billing"]["short_abandoned"]) == ("2", "1")
    assert rows["billing"]["service_level"] == "66.7"
    assert (rows["billing"]["asa"], rows["billing"]["aht"]) == ("30", "180")
    assert rows["dispatch"]["service_level"] == "100.0"
    assert "Reports, 2026-11" in text and "Operators needed (Erlang C)" in text
    answer = next(row for key, row in limits.items() if "answer" in key)
    assert answer["worst"] == "50" and answer["passed"] == "NOT MET"


@pytest.mark.parametrize("month", ["2026-13", "ноябрь", "2026-11-01"])
async def test_a_bad_month_is_refused_with_the_reason(web: RunningWeb, month: str) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        async with client.get("/reports", params={"month": month}) as refused:
            assert refused.status == 400
            assert "is not a month like 2026-11" in await refused.text()


async def test_an_operator_is_refused_the_reports(web: RunningWeb) -> None:
    await web.add_user("oleg", "operator")
    async with web.client() as client:
        await web.sign_in(client, "oleg")
        async with client.get("/reports") as refused:
            assert refused.status == 403
