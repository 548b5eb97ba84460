"""AGI arguments reach Asterisk intact: spaces, quotes and backslashes, never a line break."""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony.agi import AgiCall, FastAgiServer, argument, quote
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_syntax import split_arguments
from telephony.emulator.caller import Press, ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from tests.audio import tone_wav

Handler = Callable[[AgiCall], Awaitable[None]]
SAFE_TEXT = st.text(st.characters(blacklist_characters="\n\r\x00", blacklist_categories=["Cs"]))


async def _call_through_emulator(handler: Handler, caller: ScriptedCaller) -> EmulatedChannel:
    server = FastAgiServer({"ivr": handler}, port=0, reply_timeout=2)
    await server.start()
    channel = EmulatedChannel(
        "127.0.0.1", server.port, caller, SoundLibrary(), ChannelSettings(), keep_wire=True
    )
    try:
        await asyncio.wait_for(channel.run(), 5)
        await server.drained(5)
    finally:
        await server.stop()
    return channel


async def test_prompts_from_a_directory_with_a_space_play(tmp_path: Path) -> None:
    prompts = tmp_path / "IVR prompts"
    prompts.mkdir()
    tone_wav(prompts / "welcome.wav", seconds=1.0)
    tone_wav(prompts / "main menu.wav", seconds=2.0)
    recording = prompts / "recorded calls" / "message"
    seen: dict[str, object] = {}

    async def handler(call: AgiCall) -> None:
        await call.answer()
        await call.play([str(prompts / "welcome")])
        seen["digits"] = (await call.read_digits(str(prompts / "main menu"), 3000, 1)).digits
        seen["recorded"] = (await call.record(str(recording), escape="#")).ended_by
        seen["exec"] = await call.exec("Playback", str(prompts / "welcome"))

    caller = ScriptedCaller([Press("5", after=0.1), Press("#", after=0.5)])
    channel = await _call_through_emulator(handler, caller)

    played = [h.detail for h in channel.heard if h.kind == "played"]
    assert played == [
        str(prompts / "welcome"),
        str(prompts / "main menu") + " (interrupted)",
        str(prompts / "welcome"),
    ]
    assert not [h for h in channel.heard if h.kind == "missing sound"]
    assert seen == {"digits": "5", "recorded": "dtmf", "exec": 0}
    with wave.open(str(recording.with_suffix(".wav")), "rb") as audio:
        assert audio.getnframes() > 0


async def test_a_line_break_in_an_argument_is_refused_before_anything_is_sent() -> None:
    refused: list[str] = []

    async def handler(call: AgiCall) -> None:
        await call.answer()
        attempts: list[Callable[[], Awaitable[object]]] = [
            lambda: call.play(["welcome\nHANGUP"]),
            lambda: call.read_digits("menu\rHANGUP", 1000, 1),
            lambda: call.set_variable("NOTE", "one\ntwo"),
            lambda: call.exec("Playback", "a\x00b"),
            lambda: call.record("/tmp/x\nHANGUP"),
            lambda: call.command("NOOP\nHANGUP"),
        ]
        for attempt in attempts:
            with pytest.raises(ValueError) as error:
                await attempt()
            refused.append(str(error.value))
        await call.command("NOOP")

    channel = await _call_through_emulator(handler, ScriptedCaller())

    assert [line for direction, line in channel.wire if direction == ">>"] == ["ANSWER", "NOOP"]
    assert refused[0] == "AGI argument 'welcome\\nHANGUP' contains a newline"
    assert "contains a carriage return" in refused[1]
    assert "contains a NUL" in refused[3]
    assert refused[5] == "AGI command 'NOOP\\nHANGUP' contains a newline"


@given(SAFE_TEXT)
def test_asterisk_reads_back_every_argument_unchanged(value: str) -> None:
    line = f"SET VARIABLE {argument(value)} {quote(value)}"
    assert split_arguments(line) == ["SET", "VARIABLE", value, value]


@pytest.mark.parametrize(
    ("value", "on_the_wire"),
    [
        ("hello-world", "hello-world"),
        ("/var/lib/callgrid/IVR prompts/ru/welcome", '"/var/lib/callgrid/IVR prompts/ru/welcome"'),
        ("", '""'),
        ('say "hi"', '"say \\"hi\\""'),
        ("C:\\sounds", '"C:\\\\sounds"'),
        ("a\tb", '"a\tb"'),
        ("hello-world,noanswer", '"hello-world,noanswer"'),
    ],
)
def test_arguments_are_quoted_only_when_they_must_be(value: str, on_the_wire: str) -> None:
    assert argument(value) == on_the_wire


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('SET VARIABLE "A B" "C D"', ["SET", "VARIABLE", "A B", "C D"]),
        ('STREAM FILE hello-world ""', ["STREAM", "FILE", "hello-world", ""]),
        ("STREAM\tFILE  x", ["STREAM", "FILE", "x"]),
        ("a\\ b c", ["a b", "c"]),
        ('"x\\"y" \\\\z', ['x"y', "\\z"]),
        ('ab"c d"e f', ["abc de", "f"]),
        ("   NOOP   spaced   ", ["NOOP", "spaced"]),
        ("trailing\\", ["trailing"]),
    ],
)
def test_the_emulator_splits_words_as_asterisk_parse_args(line: str, words: list[str]) -> None:
    assert split_arguments(line) == words


def _parse_args(line: str) -> list[str]:
    """res_agi.c ``parse_args`` of Asterisk 22, statement for statement."""
    words: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    whitespace = True
    for char in line:
        if char == '"' and not escaped:
            quoted = not quoted
            if quoted and whitespace:
                words.append("")
                current = []
                whitespace = False
            continue
        if char in " \t" and not quoted and not escaped:
            if not whitespace:
                words[-1] = "".join(current)
            whitespace = True
            continue
        if char == "\\" and not escaped:
            escaped = True
            continue
        if whitespace:
            words.append("")
            current = []
            whitespace = False
        current.append(char)
        escaped = False
    if words and not whitespace:
        words[-1] = "".join(current)
    return words


@given(st.text(alphabet=' \t"\\ab,'))
def test_the_emulator_splits_any_line_as_asterisk_parse_args(line: str) -> None:
    assert split_arguments(line) == _parse_args(line)
