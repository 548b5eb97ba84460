"""After-call work (CC-2) as a pause, ended by Ready on the desk: the decision alone, and
end to end through the emulated Asterisk — after a call Olga is paused with the
after-call-work reason, the board and the wallboard show her in after-call work, the
next caller is not offered to her until she presses Ready, and past 5 minutes she is
shown over the limit; a break taken during the call is kept as it is."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from callcenter.after_call_work import WorkPause, pauses_after_call
from callcenter.board import Board
from callcenter.breaks import Allowed, Refused, break_allowed, parse_break_reasons
from callcenter.callback_release import HOLD_REASON
from callcenter.operator_state import Activity, StateRules
from callcenter.plugin import BOARD, OPERATORS
from callcenter.settings import CallcenterSettings
from callgrid.database import Database
from ivr.content import IvrContent
from telephony.ami.actions import QueueStatus
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.queue_members import NEVER_ANSWERS, MemberBehaviour
from telephony.emulator.queue_state import EmulatedMember, EmulatedQueue
from telephony.emulator.sounds import SoundLibrary
from telephony.emulator.virtual_time import VirtualTime
from tests.callcenter import test_abandon_and_wrapup as abandon
from tests.callcenter.engine_site import engine_site
from tests.callcenter.member_wire import agent, at, member
from tests.callcenter.test_transfer_return import page
from tests.waiting import eventually
from tests.web.conftest import CSRF_INPUT
from worktime.clock import ManualClock

REASON = CallcenterSettings().after_call_work_reason
RULES = StateRules(timedelta(minutes=5), after_call_work_reasons=frozenset({REASON}))
BREAKS = parse_break_reasons("lunch=45, rest=15")
IVAN, OLGA = abandon.IVAN, abandon.OLGA
ANSWER_AFTER, TALK = 3.0, 40.0
QUEUES_CONF = Path(__file__).resolve().parents[2] / "asterisk-conf" / "queues.conf"


def shipped_wrapup() -> int:
    """The ``wrapuptime`` every queue of asterisk-conf/queues.conf inherits."""
    found = re.search(r"^wrapuptime\s*=\s*(\d+)", QUEUES_CONF.read_text(), re.MULTILINE)
    assert found is not None
    return int(found.group(1))


# -- the decision ---------------------------------------------------------------------


def interface(login: str) -> str:
    return f"Local/{login}@operators/n"


def serving(queues: dict[str, list[str]]) -> Board:
    board = Board(RULES)
    for queue, logins in queues.items():
        for login in logins:
            board.apply(member("QueueMemberAdded", queue, interface(login)), at(0))
    return board


def paused(board: Board, login: str, queue: str, reason: str, seconds: float) -> None:
    event = member("QueueMemberPause", queue, interface(login), paused=True, reason=reason)
    board.apply(event, at(seconds))


def call_ends(board: Board, login: str, queue: str, seconds: float) -> tuple[WorkPause, ...]:
    """The operator talks in ``queue`` from 1 s until ``seconds``: what is paused then."""
    board.apply(agent("AgentConnect", queue, interface(login)), at(1))
    board.apply(agent("AgentComplete", queue, interface(login), Reason="agent"), at(seconds))
    return pauses_after_call(board.state(login, at(seconds)), queue, interface(login))


def test_after_a_call_the_operator_is_paused_in_every_queue_they_serve() -> None:
    board = serving({"billing": ["olga"], "dispatch": ["olga"]})

    assert call_ends(board, "olga", "billing", 60) == (
        WorkPause("billing", interface("olga")),
        WorkPause("dispatch", interface("olga")),
    )


def test_a_pause_already_there_is_kept_and_the_other_queues_are_paused() -> None:
    board = serving({"billing": ["olga"], "dispatch": ["olga"]})
    paused(board, "olga", "dispatch", "training", 10)

    assert call_ends(board, "olga", "billing", 60) == (WorkPause("billing", interface("olga")),)


def test_a_break_taken_during_the_call_is_not_paused_over() -> None:
    board = serving({"billing": ["olga"], "dispatch": ["olga"]})
    for queue in ("billing", "dispatch"):
        paused(board, "olga", queue, "lunch", 10)

    assert call_ends(board, "olga", "billing", 60) == ()


def test_an_operator_held_for_a_callback_is_left_to_the_callback() -> None:
    board = serving({"billing": ["olga"], "dispatch": ["olga"]})
    paused(board, "olga", "billing", HOLD_REASON, 10)

    assert call_ends(board, "olga", "dispatch", 60) == ()


def test_nothing_is_paused_while_the_link_is_down() -> None:
    board = serving({"billing": ["olga"]})
    board.link_lost(at(30))

    assert call_ends(board, "olga", "billing", 60) == ()


def test_the_pause_shows_as_after_call_work_and_over_the_limit_past_five_minutes() -> None:
    board = serving({"billing": ["olga"]})
    call_ends(board, "olga", "billing", 60)
    paused(board, "olga", "billing", REASON, 60)

    work = board.state("olga", at(60 + 300))
    assert (work.activity, work.reason, work.over_limit) == (
        Activity.AFTER_CALL_WORK,
        REASON,
        False,
    )
    late = board.state("olga", at(60 + 301))
    assert (late.activity, late.over_limit, late.seconds_in_state(at(361))) == (
        Activity.AFTER_CALL_WORK,
        True,
        301,
    )


def test_an_operator_in_after_call_work_still_counts_as_taking_calls_for_breaks() -> None:
    board = serving({"billing": ["olga", "ivan"]})
    call_ends(board, "ivan", "billing", 60)
    paused(board, "ivan", "billing", REASON, 60)

    assert isinstance(break_allowed(board, "olga", "lunch", at(70), BREAKS), Allowed)
    paused(board, "olga", "billing", "lunch", 70)
    assert break_allowed(board, "ivan", "rest", at(80), BREAKS) == Refused(
        "nobody else takes calls in queue billing"
    )


def test_the_reason_must_be_a_word_no_break_or_callback_uses() -> None:
    problems = {
        reason: [name for name, _ in CallcenterSettings(after_call_work_reason=reason).check()]
        for reason in (REASON, "lunch", HOLD_REASON, "после звонка")
    }

    assert problems == {
        REASON: [],
        "lunch": ["after_call_work_reason"],
        HOLD_REASON: ["after_call_work_reason"],
        "после звонка": ["after_call_work_reason"],
    }


# -- end to end -----------------------------------------------------------------------


@dataclass
class Center(abandon.Center):
    time: VirtualTime
    calls: list[asyncio.Task[None]]

    def caller(self, number: int) -> EmulatedChannel:
        """A caller who presses 0 for an operator, then waits in the queue."""
        assert self.engine.agi is not None
        channel = EmulatedChannel(
            "127.0.0.1",
            self.engine.agi.port,
            ScriptedCaller.from_keys("0"),
            self.sounds,
            ChannelSettings(caller_id=f"7913000{number:04d}"),
            ami_events=self.emulator.emit_event,
            queue_calls=self.emulator.queue_calls,
        )
        self.calls.append(asyncio.create_task(channel.run()))
        return channel

    async def queued(self, count: int) -> None:
        await eventually(lambda: len(self.emulator.queues.queues["operators"].callers) == count)

    async def call_with_olga(self, number: int, during: Awaitable[object] | None = None) -> None:
        """A caller Olga answers and talks to; ``during`` is done while they talk."""
        self.caller(number)
        await self.queued(1)
        await self.time.advance(ANSWER_AFTER)
        await eventually(lambda: self.olga_member().in_call)
        if during is not None:
            await during
        await self.time.advance(TALK)
        await asyncio.wait_for(asyncio.gather(*self.calls), 10)
        self.calls.clear()

    def olga_member(self) -> EmulatedMember:
        found = self.emulator.queues.queues["operators"].member(OLGA)
        assert found is not None
        return found

    async def olga_pause(self) -> tuple[bool, str]:
        """Olga's pause as Asterisk keeps it, once the engine's actions so far are done."""
        assert self.engine.ami is not None
        await self.engine.ami.send_list(QueueStatus())
        member = self.olga_member()
        return member.paused, member.paused_reason

    async def olga_shown(self, activity: Activity, reason: str = "") -> None:
        """Wait until the stored board shows Olga in ``activity`` (with ``reason``)."""
        operators = self.engine.host.require(OPERATORS)

        async def shown() -> bool:
            found = {s.login: s for s in await operators.now()}
            olga = found.get("olga")
            return olga is not None and (olga.activity, olga.reason) == (activity, reason)

        await eventually(shown)

    async def desk_post(self, desk: aiohttp.ClientSession, path: str, **form: str) -> int:
        found = CSRF_INPUT.search(await page(desk))
        assert found is not None
        data = {"csrf_token": found.group(1), **form}
        async with desk.post(path, data=data, allow_redirects=False) as response:
            return response.status


@asynccontextmanager
async def running_center(
    database: Database, ivr_content: IvrContent, tmp_path: Path, **callcenter: Any
) -> AsyncIterator[Center]:
    """Olga answers after 3 s and talks 40 s; Ivan's phone rings unanswered; the queue
    has the shipped wrap-up; the queue's clock moves only when the test moves it."""
    time = VirtualTime(manual=True)
    queue = EmulatedQueue(
        "operators",
        members=[EmulatedMember(OLGA), EmulatedMember(IVAN)],
        retry=2,
        wrapup_time=shipped_wrapup(),
    )
    emulator = AmiEmulator(
        auth_failure_delay=0,
        queues=[queue],
        members={OLGA: MemberBehaviour(ANSWER_AFTER, TALK), IVAN: NEVER_ANSWERS},
        queue_time=time,
    )
    clock = ManualClock(abandon.WEDNESDAY_10)
    async with engine_site(
        database, emulator, ivr_content, tmp_path, clock, CallcenterSettings(**callcenter)
    ) as site:
        await site.add_user("sofia", "supervisor")
        await site.add_user("olga", "operator")
        center = Center(site, emulator, SoundLibrary([ivr_content.library.directory]), time, [])
        try:
            await center.olga_shown(Activity.AVAILABLE)
            yield center
        finally:
            for call in center.calls:
                call.cancel()
            await asyncio.gather(*center.calls, return_exceptions=True)


@pytest.fixture
async def center(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[Center]:
    async with running_center(database, ivr_content, tmp_path) as running:
        yield running


async def test_after_a_call_olga_works_until_she_is_ready_and_only_then_gets_the_next(
    center: Center,
) -> None:
    await center.call_with_olga(1)

    assert await center.olga_pause() == (True, REASON)
    await center.olga_shown(Activity.AFTER_CALL_WORK, REASON)
    (olga,) = [o for o in (await center.wallboard())["operators"] if o["login"] == "olga"]
    assert (olga["activity"], olga["reason"], olga["over_limit"]) == (
        "after_call_work",
        REASON,
        False,
    )
    async with center.site.client() as desk:
        await center.site.sign_in(desk, "olga")
        shown = await page(desk)
        assert '<section id="after-call-work" aria-label="After-call work">' in shown
        async with desk.ws_connect("/ws/desk") as ringing:
            center.caller(2)
            await center.queued(1)
            await center.time.advance(20)  # Ivan rings unanswered; Olga is not offered
            with pytest.raises(TimeoutError):
                await ringing.receive(timeout=0.3)
            assert center.emulator.queues.queues["operators"].callers, "still waiting"

            assert await center.desk_post(desk, "/desk/ready") == 303
            await center.olga_shown(Activity.AVAILABLE)
            await center.time.advance(15)  # Ivan's ring times out; the next try has Olga
            message = await ringing.receive(timeout=5)
            assert message.json()["data"]["caller"].endswith("79130000002")
    await center.time.advance(ANSWER_AFTER)
    await eventually(lambda: center.olga_member().in_call)
    await center.time.advance(TALK)
    await asyncio.wait_for(asyncio.gather(*center.calls), 10)
    stays = {stay.caller: stay for stay in await center.stays(2)}
    first, second = stays["79130000001"], stays["79130000002"]
    assert (first.operator_interface, second.operator_interface) == (OLGA, OLGA)
    assert second.wait_seconds >= 20, "she was not offered the caller before her Ready"
    assert await center.olga_pause() == (True, REASON), "and after that call, again"


async def test_after_call_work_past_five_minutes_shows_over_the_limit_then_a_break_may_follow(
    center: Center,
) -> None:
    await center.call_with_olga(1)
    await center.olga_shown(Activity.AFTER_CALL_WORK, REASON)
    board = center.engine.host.require(BOARD)

    center.site.clock.advance(5 * 60)
    await board.tick()
    (olga,) = [o for o in (await center.wallboard())["operators"] if o["login"] == "olga"]
    assert (olga["activity"], olga["over_limit"]) == ("after_call_work", False)

    center.site.clock.advance(1)
    await board.tick()
    shown = await center.wallboard()
    (olga,) = [o for o in shown["operators"] if o["login"] == "olga"]
    assert (olga["activity"], olga["over_limit"], olga["seconds"]) == ("after_call_work", True, 301)
    assert "olga: after-call work over its limit" in shown["alerts"]
    async with center.site.client() as desk:
        await center.site.sign_in(desk, "olga")
        shown_on_desk = await page(desk)
        assert "over its limit" in shown_on_desk and 'action="/desk/break"' in shown_on_desk
        assert await center.desk_post(desk, "/desk/break", reason="lunch") == 303
    assert await center.olga_pause() == (True, "lunch"), "from after-call work to lunch"
    await center.olga_shown(Activity.BREAK, "lunch")


async def test_a_break_taken_during_the_call_is_kept_when_the_call_ends(center: Center) -> None:
    async with center.site.client() as desk:
        await center.site.sign_in(desk, "olga")

        async def lunch() -> None:
            assert await center.desk_post(desk, "/desk/break", reason="lunch") == 303
            await eventually(lambda: center.olga_member().paused)

        await center.call_with_olga(1, during=lunch())
        await center.stays(1)

        assert await center.olga_pause() == (True, "lunch")
        await center.olga_shown(Activity.BREAK, "lunch")
        assert await center.desk_post(desk, "/desk/ready") == 303
    assert await center.olga_pause() == (False, "")


async def test_the_pause_switched_off_leaves_the_operator_to_the_queue(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> None:
    async with running_center(
        database, ivr_content, tmp_path, after_call_work_pause=False
    ) as center:
        await center.call_with_olga(1)
        await center.stays(1)

        assert await center.olga_pause() == (False, "")
        await center.olga_shown(Activity.AVAILABLE)
