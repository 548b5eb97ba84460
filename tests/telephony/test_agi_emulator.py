"""The emulator answers as Asterisk 22.10.1 did in every reference AGI transcript.

The test plays the engine's side of each transcript: it sends the ``>>`` commands to
the emulator, makes the emulated caller do what the ``## caller side:`` comments say
at the moment they say it, and compares every line the emulator sends back with the
``<<`` lines of the real Asterisk. Sample counts (endpos) and RECORD FILE's remaining
milliseconds depend on the caller's timing to the tenth of a second, so they are
compared within a tolerance; everything else must match exactly.
"""

from __future__ import annotations

import asyncio
import re
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import CallerAction, HangUp, Press, ScriptedCaller, Speak, StaySilent
from telephony.emulator.sounds import SoundLibrary
from tests import transcripts
from tests.audio import tone_wav

# Durations of Asterisk's stock sounds, from the endpos values in the transcripts.
STOCK_SOUNDS = {"hello-world": 1.42, "vm-intro": 5.66, "demo-congrats": 4.5, "demo-thanks": 5.0}
ENDPOS_TOLERANCE = 2400  # samples: 0.3 s of DTMF timing
RECORD_TOLERANCE_MS = 1500
TERMINAL = re.compile(r"^(200|510|511|520) ")
FIXED_ENVIRONMENT = (
    "network",
    "type",
    "version",
    "callerid",
    "calleridname",
    "callingpres",
    "callingani2",
    "callington",
    "callingtns",
    "dnid",
    "rdnis",
    "context",
    "enhanced",
    "language",
    "extension",
    "network_script",
)


@dataclass
class Step:
    command: str
    replies: list[str] = field(default_factory=list)
    during: list[tuple[str, float]] = field(default_factory=list)  # caller acts mid-command
    hangs_up_after: bool = False  # caller hangs up once the reply is in


def steps(relative: str) -> list[Step]:
    result: list[Step] = []
    started = 0.0
    for line in transcripts.load(relative):
        if line.direction == ">>":
            result.append(Step(line.text))
            started = line.seconds
        elif not result:
            continue
        elif line.direction == "<<":
            result[-1].replies.append(line.text)
        elif line.text.startswith("caller side: "):
            what = line.text.removeprefix("caller side: ")
            replied = any(TERMINAL.match(reply) for reply in result[-1].replies)
            if replied and what == "hangup":
                result[-1].hangs_up_after = True
            else:
                result[-1].during.append((what, line.seconds - started))
    return result


def caller_action(step: Step, speech: Path) -> CallerAction:
    """What the caller does during one command, from the capture tool's comments."""
    kinds = [what.split(":", 1)[0] for what, _ in step.during]
    if "hangup" in kinds:
        return HangUp(after=step.during[kinds.index("hangup")][1], anywhere=True)
    if kinds and kinds[0] == "play":
        keys = [w.split(":", 1)[1] for w, _ in step.during if w.startswith("dtmf:")]
        return Speak(speech, then_key=keys[0] if keys else None)
    if kinds and kinds[0] == "dtmf":
        what, at = step.during[0]
        return Press(what.split(":", 1)[1], after=at)
    return StaySilent()


def same(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    offsets = [re.fullmatch(r"200 result=1 \((\d+)\)", line) for line in (expected, actual)]
    if offsets[0] and offsets[1]:  # CPLAYBACKOFFSET: milliseconds into the prompt
        return abs(int(offsets[0][1]) - int(offsets[1][1])) <= ENDPOS_TOLERANCE // 8
    pattern = re.compile(r"^200 result=(-?\d*)( \(\w+\))?( endpos=(\d+))?$")
    want, got = pattern.match(expected), pattern.match(actual)
    if not (want and got) or want[2] != got[2] or bool(want[3]) != bool(got[3]):
        return False
    if want[1] != got[1]:
        remaining = want[2] == " (timeout)" and want[1] not in ("", "0", "-1")
        if not (remaining and abs(int(want[1]) - int(got[1] or 0)) <= RECORD_TOLERANCE_MS):
            return False
    if want[4] is not None:
        tolerance = 8000 if want[2] else ENDPOS_TOLERANCE  # RECORD FILE trims silence
        return abs(int(want[4]) - int(got[4])) <= tolerance
    return True


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tone as long as hello-world, played into RECORD FILE."""
    return tone_wav(tmp_path_factory.mktemp("speech") / "hello.wav")


async def run_transcript(
    relative: str, speech: Path, stop_before: int | None = None, **settings: object
) -> tuple[list[str], list[str], list[str]]:
    """Play the engine's side; return (expected lines, emulator's lines, environment)."""
    plan = steps(relative)[:stop_before]
    env_lines = transcripts.environment(relative)
    env = dict(line.split(": ", 1) for line in env_lines if ": " in line)
    caller = ScriptedCaller()
    received: list[str] = []
    environment: list[str] = []
    done = asyncio.Event()

    async def engine_side(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (line := (await reader.readline()).decode().rstrip("\n")) != "":
            environment.append(line)
        for step in plan:
            caller.replace_actions([caller_action(step, speech)])
            writer.write(step.command.encode() + b"\n")
            while not TERMINAL.match(line := (await reader.readline()).decode().rstrip("\n")):
                received.append(line)
                if not line:
                    break
            received.append(line)
            if step.hangs_up_after:
                channel.caller_hangs_up()
            try:
                while True:
                    extra = await asyncio.wait_for(reader.readline(), 0.02)
                    if not extra:
                        break
                    received.append(extra.decode().rstrip("\n"))
            except TimeoutError:
                pass
        writer.close()
        done.set()

    server = await asyncio.start_server(engine_side, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    channel = EmulatedChannel(
        "127.0.0.1",
        port,
        caller,
        SoundLibrary(known=STOCK_SOUNDS),
        ChannelSettings(
            dialled=env["agi_extension"],
            script=env["agi_network_script"],
            caller_id=env["agi_callerid"],
            caller_name=env["agi_calleridname"],
            language=env["agi_language"],
            **settings,  # type: ignore[arg-type]
        ),
    )
    await asyncio.wait_for(asyncio.gather(channel.run(), done.wait()), 10)
    server.close()
    expected = [reply for step in plan for reply in step.replies]
    return expected, [line for line in received if line != ""], environment


TRANSCRIPTS: dict[str, dict[str, object]] = {
    "agi-env-ru.txt": {},
    "agi-stream.txt": {},
    "agi-getdata.txt": {"stop_before": 14},  # 14: GET DATA left waiting; virtual time answers it
    "agi-say.txt": {},
    "agi-vars.txt": {},
    "agi-exec.txt": {},
    "agi-record.txt": {},
    "agi-invalid.txt": {},
    "agi-dead.txt": {},
    "agi-vars-short.txt": {},
    "agi-hangup-stream.txt": {},
    "agi-hangup-getdata.txt": {},
    "agi-hangup-getdata-digits.txt": {},
    "agi-hangup-waitdigit.txt": {},
    "agi-hangup-record.txt": {},
    "agi-hangup-say.txt": {},
    "agi-hangup-exec.txt": {},
    "agi-hangup-idle.txt": {},
    "agi-hangup-by-engine.txt": {},
    "agi-hangup-by-exec.txt": {},
    "agi-hangup-interleaved.txt": {},
    "agi-exit-on-hangup.txt": {"exit_on_hangup": True},
    "agi-no-sighup.txt": {"sighup": False},
}


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
async def test_emulator_replies_as_asterisk_did(name: str, speech: Path) -> None:
    options = dict(TRANSCRIPTS[name])
    stop_before = options.pop("stop_before", None)
    assert stop_before is None or isinstance(stop_before, int)
    expected, received, _ = await run_transcript(f"agi/{name}", speech, stop_before, **options)
    assert len(received) == len(expected), "\n".join(received)
    mismatches = [
        (want, got) for want, got in zip(expected, received, strict=True) if not same(want, got)
    ]
    assert mismatches == [], (
        "expected:\n  " + "\n  ".join(expected) + "\nreceived:\n  " + "\n  ".join(received)
    )


def test_every_agi_transcript_is_covered() -> None:
    files = {p.name for p in (transcripts.REFERENCE_DIR / "agi").glob("*.txt")}
    assert files - set(TRANSCRIPTS) <= {"agi-env.txt", "agi-close-early.txt"}


@pytest.mark.parametrize("name", ["agi-env.txt", "agi-env-ru.txt"])
async def test_environment_block_matches(name: str, speech: Path) -> None:
    _, _, environment = await run_transcript(f"agi/{name}", speech, stop_before=0)
    reference = transcripts.environment(f"agi/{name}")[:-1]
    names = [line.split(":", 1)[0] for line in reference if not line.startswith("agi_arg_")]
    assert [line.split(":", 1)[0] for line in environment] == names
    ours = dict(line.split(": ", 1) for line in environment)
    theirs = dict(line.split(": ", 1) for line in reference)
    for key in FIXED_ENVIRONMENT:
        value = theirs[f"agi_{key}"]
        assert ours[f"agi_{key}"] == value


async def test_an_engine_that_resets_the_connection_ends_the_agi_like_a_close() -> None:
    """A killed engine with unread data makes the kernel send RST, not FIN: Asterisk
    ends the AGI all the same, and so does the emulated channel."""

    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    server = await asyncio.start_server(reset, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    channel = EmulatedChannel("127.0.0.1", port, ScriptedCaller(), SoundLibrary())
    try:
        await asyncio.wait_for(channel.run(), 5)
    finally:
        server.close()
        await server.wait_closed()
    assert channel.closed_by_engine and not channel.model.dead
