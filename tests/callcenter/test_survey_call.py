"""The post-call survey on an emulated Asterisk channel (CC-11): the caller answers with
keys, presses a wrong one and is asked again once, says nothing or hangs up part way;
every offer is stored, completed or not, and a customer asked is not asked again within
the month."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcenter.survey import SurveyAnswers, SurveyOffer, SurveyRules
from callcenter.survey_call import PostCallSurvey, answered_call
from callcenter.survey_store import SqlSurveys
from callgrid.database import Database
from ivr.content import IvrContent
from prompts.catalog import Variant
from telephony.agi import AgiCall, FastAgiServer
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from tests.autodialer.campaign_fixtures import account
from tests.ivr.calls import played
from worktime.clock import ManualClock

MORNING = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
OLGA = "Local/olga@operators/n"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlSurveys]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    yield SqlSurveys(database)
    await database.close()


class SurveyLine:
    """A FastAGI server whose only call is the survey after an operator call."""

    def __init__(self, survey: PostCallSurvey, content: IvrContent) -> None:
        self.survey = survey
        self.directory = content.library.directory
        self.offers: list[SurveyOffer | None] = []

    def prompt(self, prompt_id: str, variant: Variant) -> str:
        return f"{self.directory}/{prompt_id}-{variant}"

    async def handle(self, call: AgiCall) -> None:
        await call.answer()
        query = call.environment.query
        known = None
        if "account" in query:
            known = account(int(query["account"]), vip=query.get("vip") == "1").account
        answered = answered_call(call, "billing", OLGA, known)
        self.offers.append(await self.survey.offer(call, answered, self.prompt))
        await call.hangup()

    async def call(
        self,
        keys: str,
        caller_id: str = "79130000001",
        query: str = "",
        *,
        stop_at: str | None = None,
    ) -> tuple[EmulatedChannel, SurveyOffer | None]:
        """``query``: ``account=7`` is identified as test account 7 (``&vip=1`` a VIP);
        ``stop_at``: the engine stops (hands every call back) once that prompt played."""
        server = FastAgiServer({"ivr": self.handle}, port=0)
        await server.start()
        settings = ChannelSettings(caller_id=caller_id, query=query)
        channel = EmulatedChannel(
            "127.0.0.1",
            server.port,
            ScriptedCaller.from_keys(keys),
            SoundLibrary([self.directory]),
            settings,
            keep_wire=True,
        )
        if stop_at is not None:
            prompt = stop_at

            def stop(_now: float) -> None:
                if any(prompt in event.detail for event in channel.heard):
                    server.hand_back_all()

            channel.on_virtual_time = stop
        try:
            await channel.run()
            await server.drained(5)
        finally:
            await server.stop()
        return channel, self.offers[-1]


def line(
    store: SqlSurveys, content: IvrContent, clock: ManualClock, rules: SurveyRules | None = None
) -> SurveyLine:
    return SurveyLine(PostCallSurvey(store, clock, rules or SurveyRules(), 5000), content)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MORNING)


async def stored(store: SqlSurveys) -> list[SurveyOffer]:
    return await store.offered_between(MORNING - timedelta(days=1), MORNING + timedelta(days=90))


async def test_the_caller_answers_both_questions(
    store: SqlSurveys, ivr_content: IvrContent, clock: ManualClock
) -> None:
    channel, offer = await line(store, ivr_content, clock).call("1 4")

    assert played(channel) == [
        "survey_resolved-short",
        "survey_rating-short",
        "survey_thanks-short",
    ]
    assert offer is not None and offer.answers == SurveyAnswers(resolved=True, rating=4)
    (kept,) = await stored(store)
    assert kept.completed and kept.answers == SurveyAnswers(True, 4)
    assert (kept.uniqueid, kept.customer_key) == (channel.uniqueid, "phone:79130000001")
    assert (kept.queue, kept.operator, kept.offered_at) == ("billing", "olga", MORNING)


async def test_a_wrong_key_asks_the_question_again_once(
    store: SqlSurveys, ivr_content: IvrContent, clock: ManualClock
) -> None:
    channel, _ = await line(store, ivr_content, clock).call("7 2 9 5")

    assert played(channel) == [
        "survey_resolved-short", "survey_wrong_key-short", "survey_resolved-full",
        "survey_rating-short", "survey_wrong_key-short", "survey_rating-full",
        "survey_thanks-short",
    ]  # fmt: skip
    (kept,) = await stored(store)
    assert kept.answers == SurveyAnswers(resolved=False, rating=5) and kept.completed


async def test_a_second_wrong_key_ends_the_survey_not_completed(
    store: SqlSurveys, ivr_content: IvrContent, clock: ManualClock
) -> None:
    channel, _ = await line(store, ivr_content, clock).call("7 #")

    assert played(channel) == [
        "survey_resolved-short", "survey_wrong_key-short", "survey_resolved-full", "goodbye-short",
    ]  # fmt: skip
    (kept,) = await stored(store)
    assert kept.answers == SurveyAnswers() and not kept.completed


async def test_silence_ends_the_survey_after_the_timeout(
    store: SqlSurveys, ivr_content: IvrContent, clock: ManualClock
) -> None:
    channel, _ = await line(store, ivr_content, clock).call("1 _")

    assert played(channel) == ["survey_resolved-short", "survey_rating-short", "goodbye-short"]
    asked = [line for direction, line in channel.wire if line.startswith("GET DATA")]
    assert all(line.endswith(" 5000 1") for line in asked) and len(asked) == 2
    (kept,) = await stored(store)
    assert kept.answers == SurveyAnswers(resolved=True) and not kept.completed


async def test_a_caller_hanging_up_mid_survey_is_stored_as_not_completed(
    store: SqlSurveys, ivr_content: IvrContent, clock: ManualClock
) -> None:
    channel, offer = await line(store, ivr_content, clock).call("2 h")

    assert played(channel)[-1] == "survey_rating-short"
    assert offer is not None and offer.answers == SurveyAnswers(resolved=False)
    (kept,) = await stored(store)
    assert kept.answers == SurveyAnswers(resolved=False) and not kept.completed


async def test_an_engine_stopping_mid_survey_ends_the_call_with_the_survey(
    store: SqlSurveys, ivr_content: IvrContent, clock: ManualClock
) -> None:
    """The operator's call is over: the caller is not handed back to the queue for it."""
    channel, offer = await line(store, ivr_content, clock).call(
        "1 4", stop_at="survey_resolved-short"
    )

    assert played(channel) == ["survey_resolved-short"]
    assert channel.model.dead and not channel.model.caller_hung_up, "the engine hung up"
    assert offer is not None and offer.answers == SurveyAnswers(resolved=True)
    (kept,) = await stored(store)
    assert not kept.completed


async def test_a_customer_asked_is_not_asked_again_within_the_month(
    store: SqlSurveys, ivr_content: IvrContent, clock: ManualClock
) -> None:
    survey = line(store, ivr_content, clock)
    await survey.call("1 5", query="account=7")
    clock.advance(29 * 86400)
    same_account, not_offered = await survey.call("1 5", "79139999999", "account=7")
    same_phone, also_not = await survey.call("1 5")
    clock.advance(86400)
    again, offered_again = await survey.call("2 3")

    assert not_offered is None and also_not is None
    assert played(same_account) == [] and played(same_phone) == []
    assert offered_again is not None and played(again)[0] == "survey_resolved-short"
    kept = await stored(store)
    assert [offer.offered_at for offer in kept] == [MORNING, MORNING + timedelta(days=30)]


@pytest.mark.parametrize(
    ("rules", "caller_id", "query"),
    [
        (SurveyRules(enabled=False), "79130000001", ""),
        (SurveyRules(), "anonymous", ""),
        (SurveyRules(), "79130000001", "account=7&vip=1"),
    ],
)
async def test_no_survey_when_switched_off_for_an_unknown_caller_or_a_vip(
    store: SqlSurveys,
    ivr_content: IvrContent,
    clock: ManualClock,
    rules: SurveyRules,
    caller_id: str,
    query: str,
) -> None:
    channel, offer = await line(store, ivr_content, clock, rules).call("1 5", caller_id, query)

    assert offer is None and played(channel) == [] and await stored(store) == []
