"""The emulated Asterisk records calls with MixMonitor, as Asterisk 22.10.1 does.

A scripted engine drives one emulated call over FastAGI on loopback; the WAV that
MixMonitor leaves must be as long as the call's virtual time since MixMonitor, and
hold what was heard where it was heard: prompts (cut where the caller stopped them),
the caller's speech, the operator's leg.
"""

from __future__ import annotations

import asyncio
import re
import struct
import wave
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import QueueBehaviour
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import CallerAction, HangUp, Press, ScriptedCaller, Speak
from telephony.emulator.dialplan import EmulatedDialplan
from telephony.emulator.sounds import SoundLibrary
from tests.audio import tone_wav
from tests.telephony.test_agi_emulator import TERMINAL
from tests.telephony.test_ami_emulator import RawAmi, header
from tests.transcripts import ami_messages

RATE = 8000
Step = str | Callable[[EmulatedChannel], str | None]
"""A command line, or something done between commands (which may return the command)."""


@dataclass
class ScriptedEngine:
    """The engine's side of one FastAGI session: each step in turn, each reply kept."""

    steps: list[Step]
    channel: EmulatedChannel | None = None
    replies: dict[str, str] = field(default_factory=dict)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        for step in self.steps:
            assert self.channel is not None
            command = step(self.channel) if callable(step) else step
            if command is None:
                continue
            writer.write(command.encode() + b"\n")
            while not TERMINAL.match(line := (await reader.readline()).decode().rstrip("\n")):
                if not line:
                    break
            self.replies[command] = line
        writer.close()


@pytest.fixture
def sounds(tmp_path: Path) -> SoundLibrary:
    """welcome: 2 s at 600 Hz; Asterisk's beep stays a silent known sound."""
    (tmp_path / "sounds").mkdir()
    tone_wav(tmp_path / "sounds" / "welcome.wav", seconds=2.0, hertz=600)
    return SoundLibrary([tmp_path / "sounds"], known={"beep": 0.44})


def mixmonitor(path: Path, options: str = "i(CALLGRID_MIXMONITOR_ID)") -> str:
    return f'EXEC MixMonitor "{path},{options}"'


async def call(
    steps: list[Step],
    sounds: SoundLibrary,
    caller: list[CallerAction] | None = None,
    *,
    queue: QueueBehaviour | None = None,
    ami_events: Callable[[str, Mapping[str, str]], None] | None = None,
    dialplan: bool = False,
) -> tuple[EmulatedChannel, ScriptedEngine]:
    engine = ScriptedEngine(steps)
    server = await asyncio.start_server(engine.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = ChannelSettings(language="en", queue=queue or QueueBehaviour())
    channel = EmulatedChannel(
        "127.0.0.1", port, ScriptedCaller(caller), sounds, settings, ami_events=ami_events
    )
    engine.channel = channel
    running = EmulatedDialplan([("127.0.0.1", port)]).run(channel) if dialplan else channel.run()
    try:
        await asyncio.wait_for(running, 10)
    finally:
        server.close()
        await server.wait_closed()
    return channel, engine


def samples(path: Path) -> array[int]:
    """The recording's samples, once checked to be what Asterisk writes."""
    with wave.open(str(path), "rb") as audio:
        assert (audio.getframerate(), audio.getsampwidth(), audio.getnchannels()) == (RATE, 2, 1)
        return array("h", audio.readframes(audio.getnframes()))


def header_sizes(path: Path) -> tuple[int, int]:
    """The RIFF chunk size and the data size the header states."""
    head = path.read_bytes()[:44]
    return struct.unpack("<I", head[4:8])[0], struct.unpack("<I", head[40:44])[0]


async def test_the_file_lasts_from_mixmonitor_to_the_hang_up(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path = tmp_path / "2026" / "12" / "02" / "call.wav"
    steps: list[Step] = ["ANSWER", "EXEC Wait 0.5", mixmonitor(path), 'STREAM FILE welcome ""']
    steps += ["EXEC Wait 1.5", "GET VARIABLE CALLGRID_MIXMONITOR_ID"]
    channel, engine = await call([*steps, "GET VARIABLE MIXMONITOR_FILENAME", "HANGUP"], sounds)

    seconds = len(samples(path)) / RATE
    began = next(event.at for event in channel.heard if event.kind == "recording")
    assert engine.replies[mixmonitor(path)] == "200 result=0"
    assert abs(seconds - (channel.model.now - began)) <= 0.001
    assert abs(seconds - 3.5) <= 0.001
    mixmonitor_id = engine.replies["GET VARIABLE CALLGRID_MIXMONITOR_ID"]
    assert re.fullmatch(r"200 result=1 \(0x[0-9a-f]+\)", mixmonitor_id), "i(VAR) sets VAR"
    assert engine.replies["GET VARIABLE MIXMONITOR_FILENAME"] == f"200 result=1 ({path})"


async def test_a_prompt_is_heard_where_it_played_and_stops_at_the_key(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path = tmp_path / "call.wav"
    steps: list[Step] = ["ANSWER", mixmonitor(path), "EXEC Wait 1"]
    steps += ['STREAM FILE welcome "0123456789#"', "EXEC Wait 1", "HANGUP"]
    await call(steps, sounds, [Press("5", after=0.8)])

    recorded, welcome = samples(path), samples(tmp_path / "sounds" / "welcome.wav")
    heard = round(1.02 * RATE)  # the key is reported at the end of its tone
    assert not any(recorded[:RATE])
    assert recorded[RATE : RATE + heard] == welcome[:heard]
    assert not any(recorded[RATE + heard :])
    assert len(recorded) == RATE + heard + RATE


async def test_read_plays_its_prompt_until_the_first_key(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path = tmp_path / "call.wav"
    steps: list[Step] = ["ANSWER", mixmonitor(path), 'EXEC Read "DIGITS,welcome,4"']
    _, engine = await call([*steps, "GET VARIABLE DIGITS", "HANGUP"], sounds, [Press("42#")])

    recorded, welcome = samples(path), samples(tmp_path / "sounds" / "welcome.wav")
    heard = round(0.72 * RATE)
    assert engine.replies["GET VARIABLE DIGITS"] == "200 result=1 (42)"
    assert recorded[:heard] == welcome[:heard]
    assert not any(recorded[heard:])


async def test_the_callers_speech_is_in_the_file(tmp_path: Path, sounds: SoundLibrary) -> None:
    path, speech = tmp_path / "call.wav", tone_wav(tmp_path / "speech.wav", hertz=300)
    record = f'RECORD FILE {tmp_path / "message"} wav "#" 10000'
    steps: list[Step] = ["ANSWER", mixmonitor(path), 'STREAM FILE welcome ""', record, "HANGUP"]
    await call(steps, sounds, [Speak(speech)])

    recorded, spoken = samples(path), samples(speech)
    assert recorded[2 * RATE : 2 * RATE + len(spoken)] == spoken


async def test_the_operators_leg_is_audible_while_they_talk(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path = tmp_path / "call.wav"
    steps: list[Step] = ["ANSWER", mixmonitor(path), 'EXEC Queue "operators"', "HANGUP"]
    await call(steps, sounds, queue=QueueBehaviour(answer_after=3, talk_seconds=4))

    recorded = samples(path)
    assert len(recorded) == 7 * RATE
    assert not any(recorded[: 3 * RATE]), "waiting in the queue is silence"
    windows = [recorded[start : start + RATE // 10] for start in range(3 * RATE, 7 * RATE, 800)]
    assert all(max(abs(sample) for sample in window) > 4000 for window in windows)


async def test_the_operators_own_audio_repeats_over_the_talk(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path, voice = tmp_path / "call.wav", tone_wav(tmp_path / "operator.wav", 0.5, 300)
    queue = QueueBehaviour(answer_after=1, talk_seconds=1.2, operator_audio=voice)
    steps: list[Step] = ["ANSWER", mixmonitor(path), 'EXEC Queue "operators"', "HANGUP"]
    await call(steps, sounds, queue=queue)

    recorded, said = samples(path), samples(voice)
    assert recorded[RATE:] == said + said + said[: round(0.2 * RATE)]


async def test_the_header_says_no_data_until_the_call_ends(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path, during, events = tmp_path / "call.wav", [], []

    def look(channel: EmulatedChannel) -> None:
        during.append((path.stat().st_size, header_sizes(path)))

    steps: list[Step] = ["ANSWER", mixmonitor(path), 'STREAM FILE welcome ""', look, "HANGUP"]
    await call(steps, sounds, ami_events=lambda name, headers: events.append(name))

    size = path.stat().st_size
    assert during == [(44, (0, 0))]
    assert header_sizes(path) == (size - 8, size - 44) == (36 + 2 * 2 * RATE, 2 * 2 * RATE)
    assert events == ["MixMonitorStart"], "Asterisk raises MixMonitorStop only on a stop"


async def test_stopmixmonitor_finishes_the_file_early(tmp_path: Path, sounds: SoundLibrary) -> None:
    path, events = tmp_path / "call.wav", []

    def stop(channel: EmulatedChannel) -> str:
        return f'EXEC StopMixMonitor "{channel.model.variables["CALLGRID_MIXMONITOR_ID"]}"'

    steps: list[Step] = ["ANSWER", mixmonitor(path), 'STREAM FILE welcome ""', stop]
    steps += ["EXEC Wait 2", "EXEC StopMixMonitor", "HANGUP"]
    _, engine = await call(steps, sounds, ami_events=lambda name, headers: events.append(name))

    assert len(samples(path)) == 2 * RATE
    assert events == ["MixMonitorStart", "MixMonitorStop"]
    assert engine.replies["EXEC StopMixMonitor"] == "200 result=0"


async def test_a_caller_gone_during_the_first_prompt_leaves_a_short_file(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path = tmp_path / "call.wav"
    steps: list[Step] = ["ANSWER", mixmonitor(path), 'STREAM FILE welcome ""', "HANGUP"]
    await call(steps, sounds, [HangUp(after=0.7, anywhere=True)])

    recorded, welcome = samples(path), samples(tmp_path / "sounds" / "welcome.wav")
    assert recorded == welcome[: round(0.7 * RATE)]


async def test_a_caller_gone_before_any_audio_leaves_the_header_alone(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    path = tmp_path / "call.wav"
    steps: list[Step] = ["ANSWER", mixmonitor(path), lambda channel: channel.caller_hangs_up()]
    await call(steps, sounds)

    assert path.stat().st_size == 44
    assert header_sizes(path) == (36, 0)
    assert len(samples(path)) == 0


async def test_only_wav_is_recorded(tmp_path: Path, sounds: SoundLibrary) -> None:
    path = tmp_path / "calls" / "call.gsm"
    steps: list[Step] = ["ANSWER", mixmonitor(path), 'STREAM FILE welcome ""', "HANGUP"]
    channel, engine = await call(steps, sounds)

    assert engine.replies[mixmonitor(path)] == "200 result=0"
    assert not path.exists()
    assert [event.kind for event in channel.heard].count("not recorded") == 1


async def test_a_call_handed_to_the_dialplan_is_recorded_until_it_ends(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    """The engine leaves the AGI with the caller still up; the file is finished when
    the dialplan ends the call."""
    path = tmp_path / "call.wav"
    queue = QueueBehaviour(answer_after=2, talk_seconds=3)
    steps: list[Step] = ["ANSWER", mixmonitor(path), 'EXEC Queue "operators"']
    channel, _ = await call(steps, sounds, queue=queue, dialplan=True)

    assert not channel.model.dead
    assert len(samples(path)) == 5 * RATE
    assert header_sizes(path)[1] == 5 * 2 * RATE


async def test_mixmonitor_events_reach_ami_as_asterisk_sends_them(
    tmp_path: Path, sounds: SoundLibrary
) -> None:
    reference = {
        message[0]: message
        for message in ami_messages("ami/ami-mixmonitor.txt")
        if message[0] in ("Event: MixMonitorStart", "Event: MixMonitorStop")
    }
    emulator = AmiEmulator(auth_failure_delay=0)
    await emulator.start()
    client = await RawAmi.connect(emulator.port)
    client.send(["Action: Login", "ActionID: a-1", "Username: ivr", "Secret: ivrsecret"])
    await client.read_until(lambda m: m[0] == "Event: SuccessfulAuth")
    steps: list[Step] = ["ANSWER", mixmonitor(tmp_path / "call.wav"), "EXEC StopMixMonitor"]
    try:
        channel, _ = await call([*steps, "HANGUP"], sounds, ami_events=emulator.emit_event)
        stop = await client.read_until(lambda m: m[0] == "Event: MixMonitorStop")
        start = next(m for m in client.received if m[0] == "Event: MixMonitorStart")
    finally:
        client.close()
        await emulator.stop()

    for ours, theirs in ((start, reference[start[0]]), (stop, reference[stop[0]])):
        assert [line.split(":")[0] for line in ours] == [line.split(":")[0] for line in theirs]
        for name in ("Privilege", "ChannelState", "CallerIDNum", "ConnectedLineName", "Language"):
            assert header(ours, name) == header(theirs, name)
        assert header(ours, "Channel") == channel.channel
        assert header(ours, "Uniqueid") == header(ours, "Linkedid") == channel.uniqueid
