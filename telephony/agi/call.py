"""One FastAGI call as a typed object: the commands the engine sends and their results.

Asterisk's replies are read one at a time, in step with the commands (never pipelined:
a command sent while GET DATA waits cancels it without a reply). A ``HANGUP`` line may
arrive before any reply, while idle, or twice; it is noted and skipped, so it never
shifts the replies. Media commands on a dead channel raise :class:`CallHungUp`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from telephony.agi.arguments import argument, quote, refuse_line_breaks
from telephony.agi.environment import AgiEnvironment
from telephony.agi.errors import (
    AgiCommandError,
    AgiError,
    AgiProtocolError,
    AgiTimeout,
    CallHandedBack,
    CallHungUp,
    PromptMissing,
)
from telephony.agi.observation import TURNAROUNDS
from telephony.agi.replies import (
    DEAD_CHANNEL,
    HANGUP_LINE,
    SUCCESS,
    AgiReply,
    digit_from_code,
    parse_success,
    reply_code,
    shown,
)
from telephony.agi.wire import read_line

log = logging.getLogger(__name__)

SAMPLE_RATE = 8000
MAX_USAGE_LINES = 200
"""A 520 usage text is some 20 lines; a longer one is not Asterisk's."""
UNKNOWN_APPLICATION = -2
_now = time.perf_counter
_observe_turnaround = TURNAROUNDS.observe


@dataclass(frozen=True, slots=True)
class DigitInput:
    digits: str
    timed_out: bool


@dataclass(frozen=True, slots=True)
class Recording:
    ended_by: Literal["dtmf", "silence", "max_time"]
    digit: str | None
    samples: int

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class Playback:
    """How far one prompt played: the key that stopped it, or the caller hanging up."""

    digit: str | None
    seconds: float
    hung_up: bool


class AgiCall:
    """A call handed to the engine by ``AGI(agi://…)``."""

    def __init__(
        self,
        environment: AgiEnvironment,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        reply_timeout: float = 10.0,
        media_timeout: float = 120.0,
        hangup_grace: float = 0.25,
    ) -> None:
        self.environment = environment
        self.hangup_grace = hangup_grace
        self.reply_timeout = reply_timeout
        self.media_timeout = media_timeout
        self.hangup_seen = False
        self._reader = reader
        self._writer = writer
        self._closed = False
        self.hand_back_requested = False
        """Set by the server when it shuts down: the next command raises
        :class:`CallHandedBack` instead of being sent."""
        self.handed_back = False
        self._steps_held = 0
        self._replied_at = 0.0
        """``perf_counter()`` at the last reply: the engine's turnaround starts there."""

    @property
    def is_hung_up(self) -> bool:
        return self.hangup_seen or self._closed

    async def command(
        self, line: str, *, media: bool = False, timeout: float | None = None
    ) -> AgiReply:
        """Send one command and return its ``200`` reply.

        Raises :class:`CallHungUp` on 511 or a closed socket (or at once for a media
        command once HANGUP was seen), :class:`AgiCommandError` on 510/520,
        :class:`AgiTimeout` when no reply comes within the bound and
        :class:`AgiProtocolError` on a reply that is not FastAGI (both close the call).
        A line with a line break raises ValueError before anything is sent.
        """
        refuse_line_breaks(line, "AGI command")
        return await self._exchange(line, media, timeout)

    async def _exchange(self, line: str, media: bool, timeout: float | None) -> AgiReply:
        """:meth:`command` for the lines this class builds: their arguments went through
        :func:`argument` or :func:`quote`, which refused line breaks already."""
        if self._closed or (media and self.hangup_seen):
            raise CallHungUp(f"call is over, {line!r} not sent")
        if self.hand_back_requested and not self._steps_held:
            raise CallHandedBack(f"the engine is shutting down, {line!r} not sent")
        if self._replied_at:
            _observe_turnaround(_now() - self._replied_at)
        self._writer.write(line.encode() + b"\n")
        bound = timeout if timeout is not None else self.reply_timeout
        try:
            async with asyncio.timeout(bound):
                return await self._read_reply(line)
        except TimeoutError:
            self.close()
            raise AgiTimeout(f"no reply to {line!r} within {bound:g} s") from None
        except AgiProtocolError as error:
            raise self._out_of_step(error) from None
        finally:
            self._replied_at = _now()

    def _out_of_step(self, error: AgiProtocolError) -> AgiProtocolError:
        """Close a call whose replies can no longer be trusted, with one log line."""
        self.close()
        log.warning("FastAGI call %s closed, out of step: %s", self.environment.uniqueid, error)
        return error

    async def _read_reply(self, command: str) -> AgiReply:
        while True:
            line = await self._read_line()
            if line == HANGUP_LINE:
                self.hangup_seen = True
                continue
            code = reply_code(line)
            if code == SUCCESS:
                try:
                    return parse_success(line)
                except ValueError as error:
                    raise AgiProtocolError(str(error)) from None
            if code == DEAD_CHANNEL:
                self.hangup_seen = True
                raise CallHungUp(f"{command!r}: {line}")
            if code is not None and line[3:4] == "-":
                text = [line[4:]]
                while not (line := await self._read_line()).startswith(f"{code} "):
                    if len(text) >= MAX_USAGE_LINES:
                        raise AgiProtocolError(
                            f"{code} reply to {command!r} longer than {MAX_USAGE_LINES} lines"
                        )
                    text.append(line)
                raise AgiCommandError(command, code, "\n".join(text))
            if code is not None:
                raise AgiCommandError(command, code, line[4:])
            raise AgiProtocolError(
                f"unexpected line from Asterisk after {command!r}: {shown(line)}"
            )

    async def _read_line(self) -> str:
        line = await read_line(self._reader)
        if line is None:
            self._closed = True
            raise CallHungUp("Asterisk closed the connection")
        return line

    async def _media(self, line: str, timeout: float | None = None) -> AgiReply:
        reply = await self._exchange(line, True, timeout or self.media_timeout)
        if reply.result == "-1":
            if reply.data == "hangup":
                self.hangup_seen = True
            if reply.data != "writefile":
                await self._raise_if_hung_up()
        return reply

    async def _raise_if_hung_up(self) -> None:
        """After a -1, tell a dead channel (raise) from a media error (return).

        Asterisk follows a -1 caused by a hangup with a HANGUP line some 40 ms later;
        without one (AGISIGHUP=no, or a missing file) CHANNEL STATUS decides: 511 on a
        dead channel.
        """
        if not self.hangup_seen:
            try:
                async with asyncio.timeout(self.hangup_grace):
                    line = await self._read_line()
            except TimeoutError:
                await self._exchange("CHANNEL STATUS", True, None)
            except AgiProtocolError as error:
                raise self._out_of_step(error) from None
            else:
                if line != HANGUP_LINE:
                    raise self._out_of_step(
                        AgiProtocolError(f"unexpected line after a failed command: {shown(line)}")
                    )
                self.hangup_seen = True
        if self.hangup_seen:
            raise CallHungUp("caller hung up")

    async def answer(self) -> None:
        await self._media("ANSWER")

    async def play(self, prompts: Sequence[str], escape: str = "") -> str | None:
        """Play prompts in turn; return the escape digit that interrupted them, if any."""
        for prompt in prompts:
            reply = await self._media(f"STREAM FILE {argument(prompt)} {quote(escape)}")
            if reply.result == "-1":
                raise PromptMissing(f"Asterisk has no sound file {prompt!r}")
            digit = digit_from_code(reply.number)
            if digit is not None:
                return digit
        return None

    async def stream(self, prompt: str, escape: str = "") -> Playback:
        """STREAM FILE one prompt and say how far it got (``endpos`` in samples); a
        hangup part way is reported, not raised, so the seconds heard are kept."""
        line = f"STREAM FILE {argument(prompt)} {quote(escape)}"
        reply = await self._exchange(line, True, self.media_timeout)
        seconds = (reply.endpos or 0) / SAMPLE_RATE
        if reply.result == "-1":
            try:
                await self._raise_if_hung_up()
            except CallHungUp:
                return Playback(None, seconds, hung_up=True)
            raise PromptMissing(f"Asterisk has no sound file {prompt!r}")
        return Playback(digit_from_code(reply.number), seconds, hung_up=False)

    async def read_digits(self, prompt: str, timeout_ms: int, max_digits: int) -> DigitInput:
        """GET DATA: play ``prompt`` (any key interrupts it), then collect digits.

        ``#`` ends the input and is not returned; ``*`` is an ordinary digit.
        """
        bound = self.media_timeout + timeout_ms * max(max_digits, 1) / 1000
        line = f"GET DATA {argument(prompt)} {timeout_ms} {max_digits}"
        reply = await self._media(line, timeout=bound)
        if reply.result == "-1":
            raise PromptMissing(f"GET DATA failed on {prompt!r}")
        return DigitInput(reply.result, reply.data == "timeout")

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        bound = self.reply_timeout + timeout_ms / 1000 if timeout_ms >= 0 else self.media_timeout
        reply = await self._media(f"WAIT FOR DIGIT {timeout_ms}", timeout=bound)
        return digit_from_code(reply.number)

    async def record(
        self,
        path: str,
        *,
        file_format: str = "wav",
        escape: str = "#",
        max_ms: int = 60_000,
        silence_s: int | None = None,
        beep: bool = False,
    ) -> Recording:
        """RECORD FILE until an escape digit, ``silence_s`` of silence, or ``max_ms``.

        ``beep`` asks Asterisk for its own ``beep`` file, which a stock install may lack
        (then RECORD FILE fails with ``randomerror``): the engine plays its own instead."""
        line = f"RECORD FILE {argument(path)} {argument(file_format)} {quote(escape)} {max_ms}"
        if beep or silence_s is not None:
            line += " 0" + (" BEEP" if beep else "")
        if silence_s is not None:
            line += f" s={silence_s}"
        reply = await self._media(line, timeout=self.reply_timeout + max_ms / 1000)
        samples = reply.endpos or 0
        if reply.result == "-1":
            raise AgiError(f"Asterisk could not write the recording {path!r} ({reply.data})")
        if reply.data == "dtmf":
            return Recording("dtmf", digit_from_code(reply.number), samples)
        if reply.number > 0:
            return Recording("silence", None, samples)
        return Recording("max_time", None, samples)

    async def say_digits(self, digits: str, escape: str = "") -> str | None:
        reply = await self._media(f"SAY DIGITS {argument(digits)} {quote(escape)}")
        return digit_from_code(reply.number)

    async def say_number(self, number: int, escape: str = "") -> str | None:
        reply = await self._media(f"SAY NUMBER {number} {quote(escape)}")
        return digit_from_code(reply.number)

    async def exec(self, application: str, *args: str, timeout: float | None = None) -> int:
        """Run a dialplan application; return its code (-1 when it ended the call)."""
        line = f"EXEC {argument(application)}"
        if args:
            line += " " + argument(",".join(args))
        reply = await self._exchange(line, False, timeout or self.media_timeout)
        if reply.number == UNKNOWN_APPLICATION:
            raise AgiCommandError(line, reply.code, f"Asterisk has no application {application!r}")
        return reply.number

    async def get_variable(self, name: str) -> str | None:
        reply = await self._exchange(f"GET VARIABLE {argument(name)}", False, None)
        return reply.data if reply.result == "1" else None

    async def set_variable(self, name: str, value: str) -> None:
        await self._exchange(f"SET VARIABLE {argument(name)} {argument(value)}", False, None)

    async def verbose(self, message: str, level: int = 1) -> None:
        await self._exchange(f"VERBOSE {quote(message)} {level}", False, None)

    async def hangup(self) -> None:
        """Hang up the channel; Asterisk answers, then signals HANGUP itself."""
        if self.is_hung_up:
            return
        with self.one_step(), contextlib.suppress(CallHungUp):  # ending is never handing back
            await self._exchange("HANGUP", True, None)

    @contextlib.contextmanager
    def one_step(self) -> Iterator[None]:
        """Commands that belong together (an application and the variables telling how
        it ended): a hand-back asked for meanwhile waits until they are done."""
        self._steps_held += 1
        try:
            yield
        finally:
            self._steps_held -= 1

    async def hand_back(self, variables: dict[str, str]) -> None:
        """Set ``variables`` on the channel and close the socket: Asterisk then goes on
        with the dialplan after ``AGI()``, which reads them (IVR-4: the caller is not
        cut off when the engine stops). A hung-up channel is only closed."""
        self.hand_back_requested = False
        try:
            self.handed_back = await self.return_to_dialplan(variables)
        finally:
            self.hand_back_requested = True

    async def return_to_dialplan(self, variables: dict[str, str]) -> bool:
        """Set ``variables`` on the channel and close the socket, so that Asterisk goes
        on after ``AGI()``; False when the caller had hung up."""
        try:
            for name, value in variables.items():
                await self.set_variable(name, value)
            # SET VARIABLE answers 200 on a dead channel too: a HANGUP line says it was
            return not self.hangup_seen
        except CallHungUp:
            return False
        finally:
            self.close()

    def close(self) -> None:
        self._closed = True
        if not self._writer.is_closing():
            self._writer.close()
