"""A transfer from the operator's desk end to end through the emulated Asterisk (CC-4):
the caller presses 0, Olga answers, and transfers the call from her desk to a
specialist. Petr does not answer within the ring limit, so the call comes back to Olga;
Anna answers. The recording of the caller's channel goes on across the transfer, and
the desk refuses what cannot be transferred, storing nothing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from callcenter.call_register import CallOutcome
from callcenter.plugin import QUEUE_CALLS
from callcenter.transfer import TargetKind, Transfer, TransferState
from callcenter.transfer_store import SqlTransfers
from callgrid.database import Database
from ivr.content import IvrContent
from recordings.settings import RecordingSettings
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import Heard
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.queue_members import NEVER_ANSWERS, MemberBehaviour
from telephony.emulator.recording import RATE, read_frames
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime
from tests.callcenter.engine_site import engine_site
from tests.waiting import eventually
from tests.web.conftest import CSRF_INPUT, RunningWeb
from worktime.clock import ManualClock

WEDNESDAY_10 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Tomsk
OLGA, PETR, ANNA = (f"Local/{name}@operators/n" for name in ("olga", "petr", "anna"))
RING_LIMIT = 15
"""The default ring limit (CallcenterSettings.transfer_ring_limit_seconds)."""
OLGA_TALKS, ANNA_TALKS = 40.0, 20.0


@dataclass
class Center:
    site: RunningWeb
    emulator: AmiEmulator
    time: VirtualTime
    transfers: SqlTransfers
    ivr_content: IvrContent
    recordings: Path

    def caller(self) -> EmulatedChannel:
        assert self.site.engine.agi is not None
        return EmulatedChannel(
            "127.0.0.1",
            self.site.engine.agi.port,
            ScriptedCaller.from_keys("0"),
            SoundLibrary([self.ivr_content.library.directory]),
            ChannelSettings(caller_id="79130000007"),
            ami_events=self.emulator.emit_event,
            queue_calls=self.emulator.queue_calls,
        )

    async def answered_by_olga(self, desk: aiohttp.ClientSession) -> EmulatedChannel:
        """A caller in the queue whom Olga answers; returns once her desk shows the call."""
        channel = self.caller()
        self.calls.append(asyncio.create_task(channel.run()))
        await eventually(lambda: bool(self.emulator.queues.queues["operators"].callers))
        await self.time.advance(3)  # Olga answers after 2 s

        async def on_her_desk() -> bool:
            return channel.uniqueid in await page(desk)

        await eventually(on_her_desk)
        return channel

    async def ring(self, interface: str) -> None:
        """The caller's session dials ``interface``: wait until it rings."""
        dial = self.emulator.queue_calls.dials
        await eventually(lambda: interface in dial.dialled)

    async def call_over(self, channel: EmulatedChannel) -> None:
        await asyncio.wait_for(asyncio.gather(*self.calls), 10)
        assert channel.model.dead

    def __post_init__(self) -> None:
        self.calls: list[asyncio.Task[None]] = []


@pytest.fixture
async def center(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[Center]:
    time = VirtualTime(manual=True)
    emulator = AmiEmulator(
        auth_failure_delay=0,
        queues={"operators": [OLGA], "specialists": [PETR, ANNA]},
        members={
            OLGA: MemberBehaviour(answer_after=2.0, talk_seconds=OLGA_TALKS),
            PETR: NEVER_ANSWERS,
            ANNA: MemberBehaviour(answer_after=4.0, talk_seconds=ANNA_TALKS),
        },
        queue_time=time,
    )
    recordings = tmp_path / "recordings"
    clock = ManualClock(WEDNESDAY_10)
    sections = RecordingSettings(recordings_dir=str(recordings))
    async with engine_site(database, emulator, ivr_content, tmp_path, clock, sections) as site:
        for login in ("olga", "petr"):
            await site.add_user(login, "operator")
        transfers = SqlTransfers(site.engine.database)
        center = Center(site, emulator, time, transfers, ivr_content, recordings)
        yield center
        for call in center.calls:
            call.cancel()
        await asyncio.gather(*center.calls, return_exceptions=True)


async def page(desk: aiohttp.ClientSession) -> str:
    async with desk.get("/desk") as response:
        return await response.text()


async def transfer(desk: aiohttp.ClientSession, **form: str) -> tuple[int, str]:
    """POST the desk's Transfer form (with the page's CSRF token unless given)."""
    if "csrf_token" not in form:
        found = CSRF_INPUT.search(await page(desk))
        assert found is not None
        form["csrf_token"] = found.group(1)
    async with desk.post("/desk/transfer", data=form, allow_redirects=False) as response:
        return response.status, await response.text()


async def stored(center: Center, uniqueid: str) -> list[Transfer]:
    return await center.transfers.of_call(uniqueid)


async def settled(center: Center, uniqueid: str) -> Transfer:
    """The call's one transfer, once it ended."""

    async def ended() -> bool:
        found = await stored(center, uniqueid)
        return len(found) == 1 and found[0].ended_at is not None

    await eventually(ended)
    (done,) = await stored(center, uniqueid)
    return done


def moment(heard: list[Heard], kind: str, nth: int = 0) -> float:
    return [note.at for note in heard if note.kind == kind][nth]


def loudness(frames: bytes, start: float, end: float) -> float:
    """Mean absolute sample value between two moments of a recording."""
    chunk = memoryview(frames)[round(start * RATE) * 2 : round(end * RATE) * 2].cast("h")
    return sum(abs(sample) for sample in chunk) / max(len(chunk), 1)


def recording_of(center: Center, channel: EmulatedChannel) -> bytes:
    (path,) = [Path(note.detail) for note in channel.heard if note.kind == "recording"]
    assert path.is_relative_to(center.recordings)
    return read_frames(path)


async def test_a_specialist_who_does_not_answer_sends_the_call_back_to_the_operator(
    center: Center,
) -> None:
    async with center.site.client() as desk:
        await center.site.sign_in(desk, "olga")
        channel = await center.answered_by_olga(desk)
        status, _ = await transfer(desk, uniqueid=channel.uniqueid, kind="operator", target="petr")
        assert status == 303, "back to the desk"
    # the desk stored the request and ended Olga's leg; Petr rings out, then Olga rings
    await center.ring(PETR)
    await center.time.advance(RING_LIMIT)
    await center.ring(OLGA)
    await center.time.advance(3)  # she answers after 2 s
    await center.time.advance(OLGA_TALKS + 1)
    await center.call_over(channel)

    done = await settled(center, channel.uniqueid)
    assert (done.state, done.answered_by) == (TransferState.RETURNED, OLGA)
    assert (done.from_operator, done.from_interface) == ("olga", OLGA)
    assert (done.target_kind, done.target, done.queue) == (TargetKind.OPERATOR, PETR, "operators")
    dials = [note.detail for note in channel.heard if note.kind in ("dialled", "dial ended")]
    assert dials == [PETR, "NOANSWER", OLGA], "Petr rang out, then the call went back to Olga"

    stays = center.site.engine.host.require(QUEUE_CALLS)
    day = (WEDNESDAY_10, WEDNESDAY_10 + timedelta(days=1))

    async def registered() -> bool:
        return len(await stays.joined_between(*day)) == 1

    await eventually(registered)
    (stay,) = await stays.joined_between(*day)
    assert (stay.outcome, stay.operator_interface) == (CallOutcome.ANSWERED, OLGA)
    assert stay.talk_seconds == pytest.approx(1, abs=1), "Olga's leg ended at the transfer"

    frames = recording_of(center, channel)
    heard = channel.heard
    back = moment(heard, "callee answered")
    assert len(frames) / 2 / RATE >= moment(heard, "callee hung up") - 1
    assert loudness(frames, back + 1, back + OLGA_TALKS - 1) > 1000, "Olga again, recorded"
    ringing = moment(heard, "dialled")
    assert loudness(frames, ringing + 1, ringing + RING_LIMIT - 1) < 50, "silence while Petr rang"


async def test_a_specialist_who_answers_takes_the_call(center: Center) -> None:
    async with center.site.client() as desk:
        await center.site.sign_in(desk, "olga")
        channel = await center.answered_by_olga(desk)
        status, _ = await transfer(desk, uniqueid=channel.uniqueid, kind="operator", target="anna")
        assert status == 303, "back to the desk"
    await center.ring(ANNA)
    await center.time.advance(5)  # Anna answers after 4 s
    await center.time.advance(ANNA_TALKS + 1)
    await center.call_over(channel)

    done = await settled(center, channel.uniqueid)
    assert (done.state, done.answered_by) == (TransferState.ANSWERED, ANNA)
    frames = recording_of(center, channel)
    anna = moment(channel.heard, "callee answered")
    assert loudness(frames, anna + 1, anna + ANNA_TALKS - 1) > 1000, "Anna's talk is recorded"
    olga = moment(channel.heard, "operator answered")
    assert loudness(frames, olga, olga + 0.9) > 1000, "and Olga's before it, in the same file"


async def test_the_desk_refuses_what_cannot_be_transferred_and_stores_nothing(
    center: Center,
) -> None:
    async with center.site.client() as olga, center.site.client() as petr:
        await center.site.sign_in(olga, "olga")
        await center.site.sign_in(petr, "petr")
        status, text = await transfer(olga, kind="operator", target="anna")
        assert status == 409 and "no call to transfer" in text

        channel = await center.answered_by_olga(olga)
        refused = [
            (await transfer(olga, uniqueid=channel.uniqueid, kind="operator", target="boris"), 400),
            (await transfer(olga, uniqueid=channel.uniqueid, kind="queue", target="nowhere"), 400),
            (await transfer(olga, uniqueid=channel.uniqueid, kind="operator", target="olga"), 400),
            (await transfer(olga, uniqueid=channel.uniqueid, kind="fax", target="anna"), 400),
            (await transfer(petr, uniqueid=channel.uniqueid, kind="operator", target="anna"), 403),
            (await transfer(olga, uniqueid="1.2", kind="operator", target="anna"), 409),
        ]
        for (status, text), expected in refused:
            assert status == expected, text
            assert re.search(r'role="alert" id="refusal">[^<]+', text), "the reason is shown"
        status, text = await transfer(
            olga, uniqueid=channel.uniqueid, kind="operator", target="anna", csrf_token="forged"
        )
        assert status == 403 and "expired" in text
        assert await stored(center, channel.uniqueid) == []
        await center.time.advance(OLGA_TALKS)  # Olga's call goes on untouched, then ends
        await center.call_over(channel)
    assert not [note for note in channel.heard if note.kind == "dialled"]
