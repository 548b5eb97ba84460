"""The answered campaign call on the wire: the engine's FastAGI route ``campaign`` against
the emulated Asterisk channel, after AMD, with the message rendered and played."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from autodialer.campaign_call import AFTER_QUEUE_ROUTE
from autodialer.contact_judge import ContactJudge
from autodialer.model import Cause, MessageChannel
from autodialer.pacing import dial_budget
from autodialer.parts import campaign_parts
from autodialer.storage import ListEntry
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from ivr.content import IvrContent
from ivr.settings import IvrSettings
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import QueueBehaviour
from telephony.emulator.caller import CallerAction, HangUp, Press, ScriptedCaller, StaySilent
from telephony.emulator.queue_handoff import DIALPLAN_QUEUE
from telephony.emulator.sounds import SoundLibrary
from tests.audio import tone_wav
from tests.autodialer.campaign_fixtures import account, add_customers, draft, running_campaign
from tests.autodialer.test_dialing_turns import TOMSK_MORNING
from worktime.clock import ManualClock


@pytest.fixture
async def engine(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[Engine]:
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=database.url,
        agi_port=0,
        agi_reply_timeout=5.0,
        ami_enabled=False,
    ).with_sections(IvrSettings(prompts_dir=ivr_content.library.directory))
    running = Engine(settings, ManualClock(TOMSK_MORNING), parts=("agi",))
    await running.start()
    yield running
    await running.stop()


async def answered_call(
    engine: Engine,
    caller: list[CallerAction],
    amd: str = "HUMAN",
    *,
    own_channel: bool = True,
    audio: Path | None = None,
) -> tuple[EmulatedChannel, int]:
    """Begin one attempt as the dialer does, then play its answered call."""
    clock = engine.clock
    parts = campaign_parts(engine.database, engine.settings, clock)
    await add_customers(engine.database, [account(1)], clock())
    prepared = draft(clock())
    if audio is not None:
        prepared = await parts.service.with_audio(await parts.service.measured(prepared), audio)
    campaign = await running_campaign(parts, prepared, [ListEntry("7000000001")], clock())

    def budget(busy: int, recent: int) -> int:
        return dial_budget(
            line_limit=1, lines_busy=busy, calls_per_second=1, started_in_window=recent
        )

    started, _ = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        clock(),
        budget,
        ContactJudge(campaign, parts.rules, clock()),
    )
    attempt = started[0]
    assert engine.agi is not None
    channel = EmulatedChannel(
        "127.0.0.1",
        engine.agi.port,
        ScriptedCaller(caller),
        SoundLibrary([Path(parts.settings.campaign_audio_dir)]),
        ChannelSettings(
            script="campaign",
            query=f"attempt={attempt.id}",
            queue=QueueBehaviour(answer_after=3.0, talk_seconds=20.0),
        ),
    )
    if own_channel:  # Originate's ChannelId names the answered channel
        channel.uniqueid = attempt.channel_id
        channel.model.variables["UNIQUEID"] = attempt.channel_id
    channel.model.variables.update({"AMDSTATUS": amd, "AMDCAUSE": f"{amd}-1-1"})
    await channel.run()
    await engine.agi.drained(timeout=10)
    return channel, attempt.id


async def attempt_row(engine: Engine, attempt_id: int) -> dict[str, object]:
    parts = campaign_parts(engine.database, engine.settings, engine.clock)
    (proven,) = [p for p in await parts.reports.attempts(1) if p.attempt.id == attempt_id]
    attempt = proven.attempt
    return {
        "cause": attempt.cause,
        "ended": attempt.ended_at is not None,
        "events": [event.kind for event in proven.events],
        **attempt.details,
    }


async def test_a_person_who_hears_it_to_the_end_got_the_message(engine: Engine) -> None:
    channel, attempt_id = await answered_call(engine, [StaySilent()])
    row = await attempt_row(engine, attempt_id)

    played = [event for event in channel.heard if event.kind == "played"]
    assert played and "phrase-" in played[0].detail
    assert row["cause"] is Cause.HEARD
    assert float(str(row["heard_seconds"])) > 5  # the whole message, as played
    assert row["amd_status"] == "HUMAN"
    assert row["events"][:3] == ["start", "answered", "amd"]


async def test_a_recorded_audio_is_played_before_the_text_and_heard_with_it(
    engine: Engine, tmp_path: Path
) -> None:
    recorded = tone_wav(tmp_path / "обращение.wav", seconds=4.0)
    channel, attempt_id = await answered_call(engine, [StaySilent(), StaySilent()], audio=recorded)
    row = await attempt_row(engine, attempt_id)

    played = [event.detail for event in channel.heard if event.kind == "played"]
    assert "scenario-" in played[0] and "phrase-" in played[1]
    assert row["cause"] is Cause.HEARD
    assert float(str(row["heard_seconds"])) > 4.0 + 5


async def test_a_key_during_the_recorded_audio_ends_the_message(
    engine: Engine, tmp_path: Path
) -> None:
    recorded = tone_wav(tmp_path / "обращение.wav", seconds=4.0)
    channel, attempt_id = await answered_call(
        engine, [Press("1", after=1.0), StaySilent()], audio=recorded
    )
    row = await attempt_row(engine, attempt_id)

    played = [event.detail for event in channel.heard if event.kind == "played"]
    assert "scenario-" in played[0] and "(interrupted)" in played[0]
    assert len(played) == 2, "the text is not played after the key; the thanks is"
    assert (row["cause"], row["key"]) == (Cause.CONFIRMED, "1")
    assert float(str(row["heard_seconds"])) < 2.0


async def test_zero_puts_the_customer_through_and_counts_as_reached(engine: Engine) -> None:
    channel, attempt_id = await answered_call(engine, [Press("0", after=2.0), StaySilent()])
    row = await attempt_row(engine, attempt_id)

    assert channel.model.variables.get("MEMBERINTERFACE")  # an operator took the call
    assert row["cause"] is Cause.OPERATOR
    assert row["key"] == "0"
    assert "operator" in row["events"], "noted by the after-queue session"
    # the dialplan held the customer in the queue, with no engine session open
    assert [e.detail for e in channel.heard if e.kind == DIALPLAN_QUEUE] == ["operators,c,,,60"]
    assert channel.sessions == 2 and channel.settings.script == AFTER_QUEUE_ROUTE


async def test_an_after_queue_request_for_another_channel_is_refused(engine: Engine) -> None:
    """Only the channel of an attempt put through is served after the queue: another
    channel naming that attempt is hung up, and nothing is noted on it."""
    _, attempt_id = await answered_call(engine, [Press("0", after=2.0), StaySilent()])
    before = await attempt_row(engine, attempt_id)
    assert engine.agi is not None
    for query in (f"attempt={attempt_id}", "attempt=abc", "attempt=-1", "attempt=" + "9" * 5000):
        forged = EmulatedChannel(
            "127.0.0.1",
            engine.agi.port,
            ScriptedCaller([StaySilent()]),
            SoundLibrary([]),
            ChannelSettings(script=AFTER_QUEUE_ROUTE, query=query),
        )
        forged.model.variables.update({"QUEUESTATUS": "CONTINUE", "MEMBERINTERFACE": "Local/x"})
        await forged.run()
        await engine.agi.drained(timeout=10)
        assert forged.closed_by_engine and forged.model.dead, f"{query[:20]}: hung up at once"
    after = await attempt_row(engine, attempt_id)
    assert after["events"] == before["events"]


async def test_a_hang_up_during_the_message_is_negative_with_what_was_heard(
    engine: Engine,
) -> None:
    _, attempt_id = await answered_call(engine, [HangUp(after=1.5, anywhere=True)])
    row = await attempt_row(engine, attempt_id)

    assert row["cause"] is Cause.EARLY_HANGUP
    assert 1.0 <= float(str(row["heard_seconds"])) <= 2.0


async def test_a_machine_gets_the_message_but_it_counts_negative(engine: Engine) -> None:
    _, attempt_id = await answered_call(engine, [StaySilent()], amd="MACHINE")
    row = await attempt_row(engine, attempt_id)

    assert row["cause"] is Cause.MACHINE
    assert float(str(row["heard_seconds"])) > 5


async def test_a_channel_claiming_another_attempt_is_refused(engine: Engine) -> None:
    channel, attempt_id = await answered_call(engine, [StaySilent()], own_channel=False)
    row = await attempt_row(engine, attempt_id)

    assert not [event for event in channel.heard if event.kind == "played"]
    assert row["ended"] is False and row["cause"] is None
