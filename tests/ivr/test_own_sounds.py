"""The engine speaks with sounds of its own: an Asterisk without its ``beep`` and Russian
``digits/`` files (a stock installation may lack them) still gives callers the signal
before a message and their callback number read back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ivr.spoken_numbers import parse_digits
from prompts.render import BEEP
from telephony.agi import AgiCall, FastAgiServer
from telephony.emulator.agi_channel import EmulatedChannel
from telephony.emulator.caller import Press, ScriptedCaller, Speak, StaySilent
from telephony.emulator.sounds import SoundLibrary
from tests.audio import tone_wav
from tests.conftest import RunningIvr
from tests.ivr.calls import place, played
from tests.ivr.self_service import heard_texts
from worktime.clock import DEFAULT_ZONE, ManualClock

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=DEFAULT_ZONE)


def sent(channel: EmulatedChannel) -> list[str]:
    return [line for direction, line in channel.wire if direction == ">>"]


def wav_bytes(name: str) -> int:
    """The size of a file as Asterisk names it (``.wav`` added if missing); 0 if absent."""
    path = Path(name if name.endswith(".wav") else f"{name}.wav")
    return path.stat().st_size if path.is_file() else 0


def refused_or_mute(channel: EmulatedChannel) -> list[str]:
    return [e.detail for e in channel.heard if e.kind in ("missing sound", "said nothing")]


async def test_a_message_left_out_of_hours_follows_the_engines_own_signal(
    ivr: RunningIvr, clock: ManualClock, tmp_path: Path
) -> None:
    clock.now = FRIDAY_NIGHT
    channel, row = await place(
        ivr, [Press("0"), Speak(tone_wav(tmp_path / "message.wav", seconds=4)), StaySilent()]
    )
    heard = played(channel)
    greeting = heard.index("am_greeting-short")
    assert heard[greeting + 1 : greeting + 3] == [BEEP, "am_thanks-short"]
    beep = next(e.detail for e in channel.heard if e.kind == "played" and e.detail.endswith(BEEP))
    assert wav_bytes(beep) > 44, "the signal is a file the engine rendered"
    records = [line for line in sent(channel) if line.startswith("RECORD FILE")]
    assert len(records) == 1 and "BEEP" not in records[0].split()
    assert refused_or_mute(channel) == []
    assert row.outcome == "answering_machine"
    (task,) = await ivr.tasks.open_tasks("answering_machine")
    assert task.recording is not None and wav_bytes(task.recording) > 44


async def test_a_callback_number_is_read_back_in_the_engines_voice(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "5 89139876543# 1 h")
    heard = heard_texts(channel)
    read_back = heard[heard.index("callback_number_is-short") + 1]
    assert read_back == "восемь, девятьсот тринадцать, девятьсот восемьдесят семь, " + (
        "шестьдесят пять, сорок три"
    )
    assert parse_digits(read_back) == "89139876543"
    assert not [line for line in sent(channel) if line.startswith("SAY ")]
    assert refused_or_mute(channel) == []
    assert [c.phone for c in await ivr.callbacks.for_call(row.id)] == ["89139876543"]


async def test_a_city_number_is_read_back_in_pairs(ivr: RunningIvr) -> None:
    channel, _ = await place(ivr, "5 630075# 1 h")
    heard = heard_texts(channel)
    read_back = heard[heard.index("callback_number_is-short") + 1]
    assert read_back == "шестьдесят три, ноль ноль, семьдесят пять"


async def _emulated(
    commands: list[str], sounds: SoundLibrary, caller: ScriptedCaller | None = None
) -> tuple[EmulatedChannel, list[str]]:
    """Send ``commands`` to an emulated Asterisk; the lines it answered, in order."""

    async def handler(call: AgiCall) -> None:
        for command in commands:
            await call.command(command)

    server = FastAgiServer({"ivr": handler}, port=0)
    await server.start()
    channel = EmulatedChannel(
        "127.0.0.1", server.port, caller or ScriptedCaller(), sounds, keep_wire=True
    )
    try:
        await channel.run()
        await server.drained(5)
    finally:
        await server.stop()
    replies = [line for direction, line in channel.wire if direction == "<<" and line[:1] == "2"]
    return channel, replies


async def test_an_asterisk_without_its_beep_refuses_a_recording_that_asks_for_it(
    tmp_path: Path,
) -> None:
    """As Asterisk 22.10.1 did: ``200 result=-1 (randomerror) endpos=0``, nothing written."""
    target = tmp_path / "message"
    channel, replies = await _emulated(
        [
            f'RECORD FILE {target} wav "#" 5000 0 BEEP s=2',
            f'RECORD FILE {target} wav "#" 5000 BEEP',
        ],
        SoundLibrary([tmp_path]),
    )
    assert replies == ["200 result=-1 (randomerror) endpos=0"] * 2
    assert not target.with_suffix(".wav").exists()
    assert [(e.kind, e.detail) for e in channel.heard] == [("missing sound", "beep")] * 2


async def test_with_its_beep_asterisk_plays_it_then_records(tmp_path: Path) -> None:
    target = tmp_path / "message"
    voice = tone_wav(tmp_path / "voice.wav", seconds=2)
    channel, replies = await _emulated(
        [f'RECORD FILE {target} wav "#" 5000 0 BEEP s=2'],
        SoundLibrary([tmp_path], core_sounds=True),
        ScriptedCaller([Speak(voice), StaySilent()]),
    )
    assert replies[0].startswith("200 result=") and "(timeout)" in replies[0]
    assert [(e.kind, e.detail) for e in channel.heard][:2] == [
        ("played", "beep"),
        ("spoke", "voice.wav"),
    ]
    assert target.with_suffix(".wav").stat().st_size > 44


async def test_an_asterisk_without_digit_sounds_says_nothing_and_answers_at_once(
    tmp_path: Path,
) -> None:
    channel, replies = await _emulated(
        ['SAY DIGITS 89139876543 "#"', 'SAY NUMBER 1234 ""'],
        SoundLibrary([tmp_path]),
        ScriptedCaller([Press("#", after=0.2)]),
    )
    assert replies == ["200 result=0", "200 result=0"]
    assert [e.kind for e in channel.heard] == ["said nothing", "said nothing"]
    assert channel.heard[-1].at == 0, "no time passed: nothing was played"


async def test_with_its_digit_sounds_asterisk_says_the_number(tmp_path: Path) -> None:
    channel, replies = await _emulated(
        ['SAY DIGITS 1234 ""'], SoundLibrary([tmp_path], core_sounds=True)
    )
    assert replies == ["200 result=0"]
    assert [(e.kind, e.detail) for e in channel.heard] == [("said", "1234")]
