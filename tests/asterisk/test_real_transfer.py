"""A transfer from the operator's desk on a real Asterisk (CC-4): a caller who pressed 0
talks to Olga (a Local-channel operator); she transfers from her desk, the engine hangs
up her leg over AMI, and the caller's own FastAGI session dials the specialist. Petr
never answers, so the call comes back to Olga; Anna answers. The real Asterisk settles
what the emulator copies: Queue(…,c) returns 0 with QUEUESTATUS=CONTINUE and
MEMBERINTERFACE set, AgentComplete says ``Reason: agent`` after the AMI Hangup, Dial's
DIALSTATUS is NOANSWER / ANSWER, and MixMonitor records the caller's channel throughout.
"""

from __future__ import annotations

import contextlib
import re
import wave
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from argon2 import PasswordHasher

from callcenter.settings import CallcenterSettings
from callcenter.transfer import Transfer, TransferState
from callcenter.transfer_store import SqlTransfers
from callgrid.web.users import Users
from ivr.content import IvrContent
from telephony.ami import AmiActionError, AmiClient, actions
from tests.asterisk.asterisk_runner import AsteriskRunner
from tests.asterisk.conftest import (
    Observer,
    Phone,
    RealCall,
    RealEngine,
    engine_settings,
    real_engine,
)
from tests.waiting import eventually
from tests.web.conftest import CSRF_INPUT

MAIN_MENU = r"^GET DATA \S+/toll_free_main-short "
CONTEXT = "callgrid-test-transfer"
OLGA, PETR, ANNA = (f"Local/{name}@{CONTEXT}/n" for name in ("olga", "petr", "anna"))
RING_LIMIT = 5
PASSWORD = "a desk password"
DESK_CONTEXT = f"""

; Appended by tests/asterisk/test_real_transfer.py: an operator who answers and talks
; until hung up, a specialist who never answers, one who answers and talks 2 s.
[{CONTEXT}]
exten => olga,1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait(120)
 same => n,Hangup()
exten => petr,1,Ringing()
 same => n,Wait(120)
 same => n,Hangup()
exten => anna,1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait(2)
 same => n,Hangup()
"""


@pytest.fixture
async def engine(
    real_asterisk: AsteriskRunner, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[RealEngine]:
    """The IVR, the AMI link and the desk, as ``callgrid serve`` runs them."""
    extensions = real_asterisk.etc / "extensions.conf"
    if f"[{CONTEXT}]" not in extensions.read_text():
        with extensions.open("a") as conf:
            conf.write(DESK_CONTEXT)
        real_asterisk.rx("dialplan reload")
    settings = engine_settings(
        real_asterisk, ivr_content, tmp_path, real_asterisk.agi_port, web_port=0
    )
    settings = replace(settings, ami_enabled=True, ami_port=real_asterisk.ami_port)
    settings = settings.with_sections(CallcenterSettings(transfer_ring_limit_seconds=RING_LIMIT))
    parts = ("agi", "ami", "web", "workers")
    async with real_engine(settings, ivr_content, parts=parts) as running:
        core = running.engine
        await eventually(lambda: core.ami is not None and core.ami.is_connected, within=15)
        await Users(core.database, core.clock, PasswordHasher()).add(
            "olga", PASSWORD, ("operator",), display_name="Olga"
        )
        yield running


@pytest.fixture
async def members(ami: AmiClient) -> AsyncIterator[None]:
    """Olga takes the operators' calls; Petr and Anna are specialists of ``business``."""
    added = [("operators", OLGA), ("business", PETR), ("business", ANNA)]
    for queue, interface in added:
        with contextlib.suppress(AmiActionError):  # already there from a test before
            await ami.send(actions.QueueAdd(queue, interface))
    yield
    for queue, interface in added:
        with contextlib.suppress(AmiActionError):
            await ami.send(actions.QueueRemove(queue, interface))


async def desk_of_olga(engine: RealEngine) -> aiohttp.ClientSession:
    runner = engine.engine._web_runner
    assert runner is not None
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}"
    jar = aiohttp.CookieJar(unsafe=True)  # the session cookie of an address, not a name
    desk = aiohttp.ClientSession(url, headers={"Origin": url}, cookie_jar=jar)
    async with desk.post("/sign-in", data={"login": "olga", "password": PASSWORD}) as signed:
        assert signed.status == 200
    return desk


async def talking_to_olga(
    phone: Phone, engine: RealEngine, observer: Observer, desk: aiohttp.ClientSession
) -> tuple[RealCall, str]:
    """A caller presses 0 and Olga answers; the call once on her desk, and its token."""
    call = await phone.call()
    await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await call.press("0")
    await observer.wait_for(
        lambda seen: seen.event.name == "AgentConnect" and seen.event.get("Interface") == OLGA,
        30,
    )

    async def on_her_desk() -> bool:
        async with desk.get("/desk") as page:
            return call.ivr_uniqueid in await page.text()

    await eventually(on_her_desk, within=10)
    async with desk.get("/desk") as page:
        found = CSRF_INPUT.search(await page.text())
    assert found is not None
    return call, found.group(1)


async def transferred(engine: RealEngine, uniqueid: str, timeout: float) -> Transfer:
    store = SqlTransfers(engine.engine.database)

    async def ended() -> bool:
        found = await store.of_call(uniqueid)
        return len(found) == 1 and found[0].ended_at is not None

    await eventually(ended, within=timeout)
    (done,) = await store.of_call(uniqueid)
    return done


def reply_after(wire: list[str], command: str) -> str:
    """Asterisk's reply to the first command sent that starts with ``command``."""
    index = next(i for i, line in enumerate(wire) if line.startswith(f">> {command}"))
    return next(line for line in wire[index + 1 :] if line.startswith("<< 200"))


def recorded_seconds(runner: AsteriskRunner, uniqueid: str, engine: RealEngine) -> float:
    files = [path for path in Path(runner.recordings_dir).rglob("*.wav")]
    assert files, "the call was recorded"
    newest = max(files, key=lambda path: path.stat().st_mtime)
    with wave.open(str(newest), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


async def test_a_specialist_who_does_not_answer_sends_the_call_back_to_olga(
    phone: Phone,
    engine: RealEngine,
    observer: Observer,
    members: None,
    real_asterisk: AsteriskRunner,
) -> None:
    desk = await desk_of_olga(engine)
    async with desk:
        call, token = await talking_to_olga(phone, engine, observer, desk)
        form = {"csrf_token": token, "uniqueid": call.ivr_uniqueid, "kind": "operator"}
        async with desk.post("/desk/transfer", data={**form, "target": "petr"}) as answer:
            assert answer.status == 200, await answer.text()
    _, complete = await observer.wait_for(
        lambda seen: seen.event.name == "AgentComplete" and seen.event.get("Interface") == OLGA,
        10,
    )
    assert complete.event.get("Reason") == "agent", "the AMI Hangup of her leg"
    await call.next_agi(rf'^EXEC Dial "{re.escape(PETR)},', 10)
    await call.next_agi(rf'^EXEC Dial "{re.escape(OLGA)},', RING_LIMIT + 5)
    since = len(observer.events)  # not the DialEnd of the queue's own ring of Olga
    await observer.wait_for(
        lambda seen: (
            seen.event.name == "DialEnd"
            and (seen.event.get("DestChannel") or "").startswith(f"Local/olga@{CONTEXT}")
            and seen.event.get("DialStatus") == "ANSWER"
        ),
        10,
        since,
    )
    await call.hang_up()
    done = await transferred(engine, call.ivr_uniqueid, 15)
    assert (done.state, done.answered_by, done.target) == (TransferState.RETURNED, OLGA, PETR)

    wire = call.wire()
    assert reply_after(wire, "SET VARIABLE CALLGRID_QUEUE ") == "<< 200 result=1"
    assert reply_after(wire, "GET VARIABLE QUEUESTATUS") == "<< 200 result=1 (CONTINUE)"
    assert reply_after(wire, "GET VARIABLE MEMBERINTERFACE") == f"<< 200 result=1 ({OLGA})"
    dial_statuses = [
        line for line in wire if line.startswith("<< 200 result=1 (") and "ANSWER" in line
    ]
    assert dial_statuses[:2] == ["<< 200 result=1 (NOANSWER)", "<< 200 result=1 (ANSWER)"]
    row = await call.stored(15)
    assert row.answered_at is not None and row.ended_at is not None
    talked = (row.ended_at - row.answered_at).total_seconds()
    seconds = recorded_seconds(real_asterisk, call.ivr_uniqueid, engine)
    assert seconds == pytest.approx(talked, abs=2), "one recording, from the answer to the end"


async def test_a_specialist_who_answers_takes_the_call(
    phone: Phone, engine: RealEngine, observer: Observer, members: None
) -> None:
    desk = await desk_of_olga(engine)
    async with desk:
        call, token = await talking_to_olga(phone, engine, observer, desk)
        form = {"csrf_token": token, "uniqueid": call.ivr_uniqueid, "kind": "operator"}
        async with desk.post("/desk/transfer", data={**form, "target": "anna"}) as answer:
            assert answer.status == 200, await answer.text()
    await call.next_agi(rf'^EXEC Dial "{re.escape(ANNA)},', 10)
    done = await transferred(engine, call.ivr_uniqueid, 15)
    assert (done.state, done.answered_by) == (TransferState.ANSWERED, ANNA)
    wire = call.wire()
    assert reply_after(wire, f'EXEC Dial "{ANNA},') == "<< 200 result=0", "g: the caller goes on"
    await call.gone(15)  # Anna hung up after 2 s; the engine then ends the call itself
