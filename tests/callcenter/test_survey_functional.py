"""The post-call survey end to end through the emulated Asterisk (CC-11): a caller presses
0, an operator answers and hangs up first, the caller answers the survey; the same
customer calling again within the month is not asked; the reports page and its CSV show
the result per queue and operator."""

from __future__ import annotations

import asyncio
import csv
import html
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.settings import CallcenterSettings
from callgrid.database import Database
from ivr.call_record import Outcome
from ivr.content import IvrContent
from ivr.plugin import CALL_LOG
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.queue_members import MemberBehaviour
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime
from tests.callcenter.engine_site import engine_site
from tests.ivr.calls import played
from tests.web.conftest import RunningWeb
from worktime.clock import ManualClock

WEDNESDAY_10 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Tomsk
OLGA = "Local/olga@operators/n"
CALLER = "79130000007"
SURVEY_PROMPTS = ("survey_resolved-short", "survey_rating-short", "survey_thanks-short")


@pytest.fixture
async def center(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[tuple[RunningWeb, AmiEmulator]]:
    emulator = AmiEmulator(
        auth_failure_delay=0,
        queues={"operators": [OLGA]},
        members={OLGA: MemberBehaviour(answer_after=2.0, talk_seconds=30, hangs_up="agent")},
        queue_time=VirtualTime(),
    )
    async with engine_site(
        database,
        emulator,
        ivr_content,
        tmp_path,
        ManualClock(WEDNESDAY_10),
        CallcenterSettings(survey_enabled=True),
    ) as site:
        yield site, emulator


async def operator_call(
    site: RunningWeb, emulator: AmiEmulator, content: IvrContent, keys: str
) -> EmulatedChannel:
    engine = site.engine
    assert engine.agi is not None
    channel = EmulatedChannel(
        "127.0.0.1",
        engine.agi.port,
        ScriptedCaller.from_keys(keys),
        SoundLibrary([content.library.directory]),
        ChannelSettings(caller_id=CALLER),
        ami_events=emulator.emit_event,
        queue_calls=emulator.queue_calls,
    )
    await asyncio.wait_for(channel.run(), 20)
    await engine.agi.drained(timeout=10)
    await engine.host.require(CALL_LOG).flush()
    return channel


async def test_the_caller_rates_the_operator_once_a_month_and_the_report_shows_it(
    center: tuple[RunningWeb, AmiEmulator], ivr_content: IvrContent
) -> None:
    site, emulator = center
    first = await operator_call(site, emulator, ivr_content, "0 1 4")
    site.clock.advance(10 * 86400)
    second = await operator_call(site, emulator, ivr_content, "0 1 4")

    heard = played(first)
    assert heard[heard.index("operator_connecting-short") + 1 :] == list(SURVEY_PROMPTS)
    assert not set(SURVEY_PROMPTS) & set(played(second)), "asked once a month"
    record = await site.engine.host.require(CALL_LOG).find_by_uniqueid(first.uniqueid)
    assert record is not None
    assert (record.outcome, record.ended_by, record.operator) == (Outcome.OPERATOR, "queue", OLGA)

    await site.add_user("sofia", "supervisor")
    async with site.client() as client:
        await site.sign_in(client, "sofia")
        async with client.get("/reports", params={"month": "2026-12"}) as page:
            assert page.status == 200
            text = html.unescape(await page.text())
        async with client.get("/reports/survey.csv", params={"month": "2026-12"}) as survey:
            rows = list(csv.DictReader(io.StringIO(await survey.text())))

    assert {(row["grouping"], row["name"]) for row in rows} == {
        ("queue", "operators"),
        ("operator", "olga"),
    }
    for row in rows:
        assert (row["offered"], row["completed"]) == ("1", "1")
        assert (row["resolved_share"], row["average_rating"]) == ("100.0", "4.00")
    table = text[text.index('id="survey-operator"') :]
    assert "<td>olga</td><td>1</td><td>1</td><td>100.0</td><td>4.00</td>" in table
