"""The engine's FastAGI call against replayed Asterisk 22.10.1 transcripts.

The replayed Asterisk checks that every command the engine sends is, byte for byte,
what was sent to the real Asterisk, and answers with what the real Asterisk answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from telephony.agi import (
    AgiCall,
    AgiCommandError,
    AgiError,
    CallHungUp,
    DigitInput,
    FastAgiServer,
    PromptMissing,
    Recording,
)
from tests.telephony.replay import Replay

Script = Callable[[AgiCall, dict[str, Any]], Awaitable[None]]


@pytest.fixture
async def serve() -> AsyncIterator[
    Callable[[str, Script], Awaitable[tuple[Replay, dict[str, Any]]]]
]:
    servers: list[FastAgiServer] = []

    async def run(
        transcript: str,
        script: Script,
        stop_before: int | None = None,
    ) -> tuple[Replay, dict[str, Any]]:
        seen: dict[str, Any] = {}

        async def handler(call: AgiCall) -> None:
            try:
                await script(call, seen)
            except Exception as error:
                seen["raised"] = error
                raise

        name = transcripts_script_name(transcript)
        server = FastAgiServer({name: handler}, port=0, reply_timeout=2)
        await server.start()
        servers.append(server)
        replay = Replay(transcript, stop_before)
        await replay.run(server.port)
        await server.drained(5)
        assert replay.mismatches == [], "the engine sent other commands than the transcript"
        return replay, seen

    yield run
    for server in servers:
        await server.stop()


def transcripts_script_name(transcript: str) -> str:
    from tests import transcripts

    env = [
        line
        for line in transcripts.environment(transcript)
        if line.startswith("agi_network_script")
    ]
    return env[0].split(": ", 1)[1].split("?")[0]


async def test_stream_file(serve: Any) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        seen["digit"] = await call.play(["demo-congrats"], escape="0123456789*#")
        seen["played_out"] = await call.play(["hello-world"])
        await call.command('STREAM FILE hello-world "" 8000')
        seen["missing"] = (await call.command('STREAM FILE no-such-file "0123456789"')).result
        seen["not_escape"] = await call.play(["vm-intro"], escape="5")
        seen["hash"] = await call.play(["demo-congrats"], escape="#*")
        seen["star"] = await call.play(["demo-congrats"], escape="#*")

    _, seen = await serve("agi/agi-stream.txt", script, stop_before=8)
    assert seen == {
        "digit": "5",
        "played_out": None,
        "missing": "-1",
        "not_escape": None,
        "hash": "#",
        "star": "*",
    }


async def test_get_data_and_wait_for_digit(serve: Any) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        seen["inputs"] = [
            await call.read_digits("beep", 5000, 4),
            await call.read_digits("beep", 3000, 4),
            await call.read_digits("beep", 5000, 10),
            await call.read_digits("beep", 2500, 10),
            await call.read_digits("beep", 3000, 4),
            await call.read_digits("demo-congrats", 5000, 2),
        ]
        await call.command("GET DATA beep")
        seen["star"] = await call.read_digits("beep", 3000, 2)
        seen["waits"] = [await call.wait_for_digit(t) for t in (5000, 2000, 5000, -1)]
        with pytest.raises(AgiCommandError) as refused:
            await call.command("WAIT FOR DIGIT")
        seen["usage"] = refused.value

    _, seen = await serve("agi/agi-getdata.txt", script, stop_before=14)
    assert seen["inputs"] == [
        DigitInput("1234", False),
        DigitInput("", True),
        DigitInput("12", False),
        DigitInput("98", True),
        DigitInput("", False),
        DigitInput("34", False),
    ]
    assert seen["star"] == DigitInput("*0", False)
    assert seen["waits"] == ["7", None, "#", "*"]
    assert seen["usage"].code == 520 and "Waits up to" in seen["usage"].text


async def test_record_file(serve: Any) -> None:
    spool = "/opt/asterisk/var/spool/asterisk/recording"

    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        seen["silence"] = await call.record(
            f"{spool}/agi-rec-silence", max_ms=15000, silence_s=2, beep=True
        )
        seen["dtmf"] = await call.record(f"{spool}/agi-rec-dtmf", max_ms=15000, beep=False)
        seen["timeout"] = await call.record(
            f"{spool}/agi-rec-timeout", file_format="gsm", max_ms=3000, beep=False
        )
        with pytest.raises(AgiError, match="could not write"):
            await call.record(
                f"{spool}/agi-rec-bad", file_format="nosuchformat", max_ms=1000, beep=False
            )
        with pytest.raises(AgiCommandError) as usage:
            await call.command(f"RECORD FILE {spool}/agi-rec-bad wav")
        seen["usage"] = usage.value.code

    _, seen = await serve("agi/agi-record.txt", script)
    assert seen["silence"] == Recording("silence", None, 18880)
    assert seen["dtmf"] == Recording("dtmf", "#", 9760)
    assert seen["timeout"] == Recording("max_time", None, 0)
    assert seen["usage"] == 520


async def test_variables_round_trip_unescaped_values(serve: Any) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        await call.command("CHANNEL STATUS")
        got = [
            await call.get_variable(n)
            for n in ("CHANNEL(language)", "EXTEN", "CALLERID(num)", "CALLERID(name)")
        ]
        await call.set_variable("FOO", "bar baz")
        got.append(await call.get_variable("FOO"))
        got.append(await call.get_variable("NOSUCHVAR"))
        for name, value in (
            ("EMPTY", ""),
            ("RU", "привет мир"),
            ("PAREN", "a(b)c) d"),
            ("QUOTE", 'say "hi"'),
        ):
            await call.set_variable(name, value)
            got.append(await call.get_variable(name))
        seen["values"] = got

    _, seen = await serve("agi/agi-vars.txt", script, stop_before=20)
    assert seen["values"] == [
        "en",
        "vars",
        "79001234567",
        "Ivan Petrov",
        "bar baz",
        None,
        "",
        "привет мир",
        "a(b)c) d",
        'say "hi"',
    ]


async def test_exec_arguments_and_codes(serve: Any) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        codes = [
            await call.exec("Playback", "hello-world"),
            await call.exec("Playback", "no-such-file"),
        ]
        seen["status"] = await call.get_variable("PLAYBACKSTATUS")
        codes.append(await call.exec("Playback", "hello-world", "noanswer"))
        with pytest.raises(AgiCommandError, match="no application 'NoSuchApp'"):
            await call.exec("NoSuchApp", "foo")
        codes.append(await call.exec("Set", "FROMEXEC=1"))
        seen["codes"] = codes

    _, seen = await serve("agi/agi-exec.txt", script, stop_before=7)
    assert seen["codes"] == [0, 0, 0, 0] and seen["status"] == "FAILED"


async def test_invalid_and_usage_replies_keep_the_call_in_step(serve: Any) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        codes = []
        for line in (
            "FOO BAR",
            "STREAM",
            "answer",
            "STREAM FILE",
            "GET DATA",
            "WAIT FOR DIGIT 1000 extra",
            "SAY NUMBER",
            "",
            "   NOOP   spaced   ",
        ):
            try:
                codes.append((await call.command(line)).code)
            except AgiCommandError as error:
                codes.append(error.code)
        await call.command('SET VARIABLE "A B" "C D"')
        seen["value"] = (await call.command('GET VARIABLE "A B"')).data
        await call.command("NOOP")
        seen["codes"] = codes

    _, seen = await serve("agi/agi-invalid.txt", script)
    assert seen["codes"] == [510, 510, 200, 520, 520, 520, 520, 510, 200]
    assert seen["value"] == "C D"


async def test_dead_channel_refuses_media_but_answers_variables(serve: Any) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        await call.command("NOOP before hangup")
        with pytest.raises(CallHungUp):
            await call.command("ANSWER")
        seen["hangup_seen"] = call.hangup_seen
        with pytest.raises(CallHungUp):  # refused at once: not even sent
            await call.play(["hello-world"])
        seen["raised"] = None

    replay, seen = await serve("agi/agi-dead.txt", script, stop_before=3)
    assert seen["hangup_seen"] is True
    assert replay.commands_seen == ["ANSWER", "NOOP before hangup", "ANSWER"]


async def test_hangup_line_between_command_and_reply_does_not_shift_replies(serve: Any) -> None:
    """agi-hangup-interleaved: HANGUP arrives after NOOP was sent, before its reply."""

    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        seen["hangup_reply"] = (await call.command("HANGUP", media=True)).result
        first = await call.command("NOOP")
        seen["after"] = (first.result, call.hangup_seen)
        seen["next"] = (await call.command("NOOP")).result

    _, seen = await serve("agi/agi-hangup-interleaved.txt", script)
    assert seen == {"hangup_reply": "1", "after": ("0", True), "next": "0"}


@pytest.mark.parametrize(
    ("transcript", "media"),
    [
        ("agi/agi-hangup-stream.txt", lambda call: call.play(["demo-congrats"], "0123456789")),
        ("agi/agi-hangup-getdata.txt", lambda call: call.read_digits("demo-congrats", 10000, 4)),
        ("agi/agi-hangup-getdata-digits.txt", lambda call: call.read_digits("beep", 10000, 4)),
        ("agi/agi-hangup-waitdigit.txt", lambda call: call.wait_for_digit(10000)),
        ("agi/agi-hangup-say.txt", lambda call: call.say_digits("1234567890")),
    ],
)
async def test_hangup_during_a_media_command_raises_call_hung_up(
    serve: Any, transcript: str, media: Callable[[AgiCall], Awaitable[object]]
) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        with pytest.raises(CallHungUp):
            await media(call)
        seen["hangup_seen"] = call.hangup_seen
        with pytest.raises(CallHungUp):  # the next media command is not even sent
            await call.play(["beep"])

    replay, seen = await serve(transcript, script, stop_before=2)
    assert seen["hangup_seen"] is True and len(replay.commands_seen) == 2


async def test_idle_hangup_line_is_taken_before_the_next_reply(serve: Any) -> None:
    async def script(call: AgiCall, seen: dict[str, Any]) -> None:
        await call.answer()
        await call.command("NOOP")
        seen["before"] = call.hangup_seen
        seen["reply"] = (await call.command("NOOP")).result
        seen["after"] = call.hangup_seen

    _, seen = await serve("agi/agi-hangup-idle.txt", script)
    assert seen == {"before": False, "reply": "0", "after": True}


async def test_missing_prompt_is_told_apart_from_a_hangup() -> None:
    """STREAM FILE -1 with endpos 0 on a live channel: the prompt is missing."""
    from telephony.emulator.agi_channel import EmulatedChannel
    from telephony.emulator.caller import ScriptedCaller
    from telephony.emulator.sounds import SoundLibrary

    outcome: dict[str, object] = {}

    async def handler(call: AgiCall) -> None:
        try:
            await call.play(["no-such-file"], escape="1")
        except PromptMissing as error:
            outcome["missing"] = str(error)
        outcome["alive"] = not call.is_hung_up

    server = FastAgiServer({"ivr": handler}, port=0)
    await server.start()
    channel = EmulatedChannel(
        "127.0.0.1", server.port, ScriptedCaller(), SoundLibrary(), keep_wire=True
    )
    await channel.run()
    await server.stop()
    assert "no-such-file" in str(outcome["missing"]) and outcome["alive"] is True
    assert [line for d, line in channel.wire if d == ">>"] == [
        'STREAM FILE no-such-file "1"',
        "CHANNEL STATUS",
    ]
