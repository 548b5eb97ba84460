"""What an Asterisk channel does with each AGI command, on virtual time.

:class:`ChannelModel` holds the channel's state (variables, answered, dead, the
virtual clock) and turns one command into the reply lines Asterisk 22.10.1 would
write, consulting the scripted caller at each input window. It does no I/O.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telephony.emulator.agi_syntax import success as ok
from telephony.emulator.agi_syntax import usage_reply
from telephony.emulator.caller import HangUp, Press, ScriptedCaller, Speak, StaySilent
from telephony.emulator.sounds import SoundLibrary, wav_seconds

RATE = 8000
SAY_SECONDS_PER_SYMBOL = 0.6
GET_DATA_DEFAULT_TIMEOUT_MS = 6000
RECORD_FORMATS = {"wav", "gsm", "sln", "ulaw", "alaw"}
CHANNEL_UP = 6
CHANNEL_RING = 4


@dataclass(frozen=True)
class Heard:
    """Something that happened on the call, at virtual second ``at``."""

    at: float
    kind: str
    detail: str


@dataclass
class QueueBehaviour:
    """How the emulated operator queue answers ``Queue()``: after how long, for how long."""

    answer_after: float | None = 8.0
    talk_seconds: float = 45.0


class UsageError(Exception):
    """The arguments do not fit the command: Asterisk answers 520."""


Handler = Callable[[list[str]], list[str]]

# Every AGI command the emulated channel knows, and the ChannelModel method answering it.
COMMANDS = {
    "ANSWER": "answer",
    "STREAM FILE": "stream_file",
    "CONTROL STREAM FILE": "control_stream_file",
    "GET DATA": "get_data",
    "WAIT FOR DIGIT": "wait_for_digit",
    "SAY NUMBER": "say_number",
    "SAY DIGITS": "say_digits",
    "SAY ALPHA": "say_digits",
    "SAY DATETIME": "say_datetime",
    "RECORD FILE": "record_file",
    "EXEC": "exec",
    "GET VARIABLE": "get_variable",
    "GET FULL VARIABLE": "get_full_variable",
    "SET VARIABLE": "set_variable",
    "CHANNEL STATUS": "channel_status",
    "HANGUP": "hangup",
    "NOOP": "noop",
    "VERBOSE": "verbose",
    "DATABASE GET": "database_get",
    "DATABASE PUT": "database_put",
    "DATABASE DEL": "database_del",
    "SET MUSIC": "noop",
    "SET CALLERID": "set_callerid",
    "SET AUTOHANGUP": "noop",
}


class ChannelModel:
    def __init__(self, caller: ScriptedCaller, sounds: SoundLibrary, queue: QueueBehaviour) -> None:
        self.caller = caller
        self.sounds = sounds
        self.queue = queue
        self.now = 0.0
        self.answered = False
        self.dead = False
        self.caller_hung_up = False
        self.variables: dict[str, str] = {}
        self.database: dict[tuple[str, str], str] = {}
        self.heard: list[Heard] = []
        self.handlers: dict[str, Handler] = {
            command: getattr(self, method) for command, method in COMMANDS.items()
        }

    def execute(self, command: str, args: list[str]) -> list[str]:
        try:
            return self.handlers[command](args)
        except UsageError:
            return usage_reply(command)

    def note(self, kind: str, detail: str = "") -> None:
        self.heard.append(Heard(round(self.now, 3), kind, detail))

    def die(self, by_caller: bool = True) -> None:
        self.dead = True
        self.caller_hung_up = by_caller
        self.variables["HANGUPCAUSE"] = "16" if by_caller else "0"
        if by_caller:
            self.note("hung up")

    # -- media ---------------------------------------------------------------------------
    def _play(self, name: str, escape: str) -> tuple[str, int]:
        """Play one file; returns the result value and endpos in samples."""
        duration = None if "&" in name else self.sounds.duration(name)
        if duration is None:
            self.note("missing sound", name)
            return "-1", 0
        hangup = self.caller.hangs_up_now()
        if hangup is None and escape:
            action = self.caller.next_input()
            if isinstance(action, Speak):
                self.caller.put_back(action)
            elif isinstance(action, HangUp):
                hangup = action
            elif isinstance(action, Press):
                at = min(action.heard_at, duration)
                if action.keys[0] in escape and action.heard_at < duration:
                    self.note("played", f"{name} (interrupted)")
                    self.now += at
                    self.note("pressed", action.keys[0])
                    return str(ord(action.keys[0])), int(at * RATE)
                self.note("pressed", f"{action.keys} (ignored)")
        if hangup is not None and hangup.after < duration:
            self.note("played", f"{name} (cut off)")
            self.now += hangup.after
            self.die()
            return "-1", int(hangup.after * RATE)
        self.note("played", name)
        self.now += duration
        return "0", int(duration * RATE)

    def answer(self, args: list[str]) -> list[str]:
        self.answered = True
        self.note("answered")
        return [ok(0)]

    def stream_file(self, args: list[str]) -> list[str]:
        if len(args) < 2:
            raise UsageError
        result, endpos = self._play(args[0], args[1])
        self.variables["PLAYBACKSTATUS"] = "FAILED" if result == "-1" else "SUCCESS"
        return [ok(result, endpos=endpos)]

    def control_stream_file(self, args: list[str]) -> list[str]:
        """Like STREAM FILE, but endpos is in milliseconds and CPLAYBACK* are set."""
        if len(args) < 2:
            raise UsageError
        result, samples = self._play(args[0], args[1])
        offset_ms = samples * 1000 // RATE
        stopped = result not in ("0", "-1")
        status = "USERSTOPPED" if stopped else "SUCCESS" if result == "0" else "ERROR"
        self.variables["CPLAYBACKSTATUS"] = status
        self.variables["CPLAYBACKOFFSET"] = str(offset_ms)
        self.variables["CPLAYBACKSTOPKEY"] = chr(int(result)) if stopped else ""
        return [ok(result, endpos=offset_ms)]

    def get_data(self, args: list[str]) -> list[str]:
        if not args:
            raise UsageError
        timeout_ms = int(args[1]) if len(args) > 1 and args[1].isdigit() else 0
        timeout = (timeout_ms or GET_DATA_DEFAULT_TIMEOUT_MS) / 1000
        max_digits = int(args[2]) if len(args) > 2 and args[2].isdigit() else 1024
        duration = self.sounds.duration(args[0])
        if duration is None:
            self.note("missing sound", args[0])
            return [ok(-1)]
        action = self.caller.next_input()
        if isinstance(action, Speak):
            self.caller.put_back(action)
            action = StaySilent()
        if isinstance(action, HangUp):
            self.note("played", f"{args[0]} (cut off)")
            self.now += min(action.after, duration)
            self.die()
            return [ok(-1)]
        if isinstance(action, StaySilent):
            self.note("played", args[0])
            self.note("silent")
            self.now += duration + timeout
            return [ok("", "timeout")]
        assert isinstance(action, Press)
        interrupted = action.heard_at < duration
        self.note("played", args[0] + (" (interrupted)" if interrupted else ""))
        self.now += min(action.heard_at, duration)
        digits, ended = "", False
        for key in action.keys:
            if key == "#":
                ended = True
                break
            digits += key
            if len(digits) >= max_digits:
                ended = True
                break
        self.note("pressed", action.keys)
        self.now += 0.5 * len(action.keys) + (0 if ended else timeout)
        return [ok(digits, None if ended else "timeout")]

    def wait_for_digit(self, args: list[str]) -> list[str]:
        if len(args) != 1:
            raise UsageError
        timeout = int(args[0]) / 1000
        action = self.caller.next_input()
        if isinstance(action, Press):
            self.now += action.heard_at
            self.note("pressed", action.keys[0])
            return [ok(ord(action.keys[0]))]
        if isinstance(action, HangUp):
            self.now += action.after
            self.die()
            return [ok(-1)]
        if isinstance(action, Speak):
            self.caller.put_back(action)
        self.note("silent")
        self.now += max(timeout, 0)
        return [ok(0)]

    def _say(self, text: str, escape: str) -> list[str]:
        self.note("said", text)
        duration = SAY_SECONDS_PER_SYMBOL * len(text)
        hangup = self.caller.hangs_up_now()
        if hangup is not None and hangup.after < duration:
            self.now += hangup.after
            self.die()
            return [ok(-1)]
        if escape:
            action = self.caller.next_input()
            if not isinstance(action, Press):
                self.caller.put_back(action)
            elif action.keys[0] in escape and action.heard_at < duration:
                self.now += action.heard_at
                self.note("pressed", action.keys[0])
                return [ok(ord(action.keys[0]))]
        self.now += duration
        return [ok(0)]

    def say_number(self, args: list[str]) -> list[str]:
        if len(args) < 2 or not re.fullmatch(r"-?\d+", args[0]):
            raise UsageError
        return self._say(args[0], args[1])

    def say_digits(self, args: list[str]) -> list[str]:
        if len(args) < 2:
            raise UsageError
        return self._say(args[0], args[1])

    def say_datetime(self, args: list[str]) -> list[str]:
        if len(args) < 2 or not args[0].isdigit():
            raise UsageError
        return [ok(0)] if len(args) > 2 and not args[2] else self._say(args[0], args[1])

    def record_file(self, args: list[str]) -> list[str]:
        if len(args) < 4:
            raise UsageError
        path, file_format, escape, max_ms = args[0], args[1], args[2], int(args[3])
        silence = next((int(a[2:]) for a in args[4:] if a.startswith("s=")), None)
        if file_format not in RECORD_FORMATS:
            return [ok(-1, "writefile")]
        target = Path(f"{path}.{file_format}")
        action = self.caller.next_input()
        if isinstance(action, HangUp):
            self.now += action.after
            _write_wav(target, b"")
            self.die()
            return [ok(-1, "hangup", 0)]
        if isinstance(action, Speak):
            frames = _read_frames(action.wav)
            _write_wav(target, frames)
            seconds = len(frames) / 2 / RATE
            self.note("spoke", action.wav.name)
            self.now += seconds
            samples = len(frames) // 2
            if action.then_key and action.then_key in escape:
                self.note("pressed", action.then_key)
                return [ok(ord(action.then_key), "dtmf", samples)]
            if silence is not None:
                self.now += silence
                return [ok(max(max_ms - int((seconds + silence) * 1000), 1), "timeout", samples)]
            return [ok(0, "timeout", samples)]
        if isinstance(action, Press) and action.keys[0] in escape:
            samples = int(action.heard_at * RATE)
            _write_wav(target, b"\x00\x00" * samples)
            self.now += action.heard_at
            self.note("pressed", action.keys[0])
            return [ok(ord(action.keys[0]), "dtmf", samples)]
        _write_wav(target, b"")
        self.note("silent")
        if silence is not None:
            self.now += silence
            return [ok(max_ms - silence * 1000, "timeout", 0)]
        self.now += max_ms / 1000
        return [ok(0, "timeout", 0)]

    # -- applications ----------------------------------------------------------------------
    def exec(self, args: list[str]) -> list[str]:
        if not args:
            raise UsageError
        application, app_args = args[0].lower(), (args[1] if len(args) > 1 else "").split(",")
        if self.dead:
            return [ok(0)]
        if application == "playback":
            for name in app_args[0].split("&"):
                result, _ = self._play(name, "")
                if self.dead:
                    return [ok(-1)]
                self.variables["PLAYBACKSTATUS"] = "FAILED" if result == "-1" else "SUCCESS"
            return [ok(0)]
        if application == "read":
            return [ok(self._read(app_args))]
        if application == "queue":
            return [ok(self._queue(app_args))]
        if application == "mixmonitor":
            self.variables["MIXMONITOR_FILENAME"] = app_args[0]
            self.note("recording", app_args[0])
            return [ok(0)]
        if application == "set" and "=" in app_args[0]:
            name, _, value = args[1].partition("=")
            self.variables[name] = value
            return [ok(0)]
        if application == "wait":
            self.now += float(app_args[0] or 0)
            return [ok(0)]
        if application == "hangup":
            self.die(by_caller=False)
            return [ok(-1)]
        if application in {"noop", "answer", "stopmixmonitor", "progress", "ringing"}:
            return [ok(0)]
        return [ok(-2)]

    def _read(self, app_args: list[str]) -> int:
        """``Read(variable,prompt,maxdigits,...)``: digits up to ``#`` into the variable."""
        variable = app_args[0]
        prompt = app_args[1] if len(app_args) > 1 else ""
        max_digits = int(app_args[2]) if len(app_args) > 2 and app_args[2].isdigit() else 255
        if prompt:
            self.note("played", prompt)
        action = self.caller.next_input()
        if isinstance(action, HangUp):
            self.die()
            return -1
        digits = ""
        if isinstance(action, Press):
            self.note("pressed", action.keys)
            digits = action.keys.split("#", 1)[0][:max_digits]
        elif isinstance(action, Speak):
            self.caller.put_back(action)
        self.variables[variable] = digits
        self.variables["READSTATUS"] = "OK" if digits else "TIMEOUT"
        return 0

    def _queue(self, app_args: list[str]) -> int:
        name = app_args[0]
        timeout = float(app_args[4]) if len(app_args) > 4 and app_args[4] else 300.0
        self.note("queued", name)
        hangup = self.caller.hangs_up_now(waiting=True)
        answer_after = self.queue.answer_after
        if hangup is not None and (answer_after is None or hangup.after < answer_after):
            self.now += hangup.after
            self.variables["ABANDONED"] = "TRUE"
            self.die()
            return -1
        if answer_after is not None and answer_after < timeout:
            self.now += answer_after
            self.variables["MEMBERINTERFACE"] = f"Local/operator@{name}"
            self.note("operator answered", name)
            self.now += self.queue.talk_seconds
            self.note("operator hung up", name)
            return -1  # the caller's channel stays up for AGI, with no HANGUP line
        self.now += timeout
        self.variables["QUEUESTATUS"] = "TIMEOUT"
        self.note("queue timeout", name)
        return 0

    # -- variables and the rest --------------------------------------------------------------
    def lookup(self, name: str) -> str | None:
        """A channel variable or function, as Asterisk would evaluate it."""
        if name == "CALLERID(all)":
            caller_name = self.variables.get("CALLERID(name)", "")
            return f'"{caller_name}" <{self.variables.get("CALLERID(num)", "")}>'
        if name == "CHANNEL(state)":
            return "Up" if self.answered else "Ring"
        return self.variables.get(name)

    def get_variable(self, args: list[str]) -> list[str]:
        if len(args) != 1:
            raise UsageError
        value = self.lookup(args[0])
        return [ok(0)] if value is None else [ok(1, value)]

    def get_full_variable(self, args: list[str]) -> list[str]:
        if not args:
            raise UsageError
        if len(args) > 1 and args[1] != self.variables.get("CHANNEL"):
            return [ok(0)]
        text = re.sub(r"\$\{([^}]+)\}", lambda m: self.lookup(m[1]) or "", args[0])
        return [ok(1, text)]

    def set_variable(self, args: list[str]) -> list[str]:
        if len(args) != 2:
            raise UsageError
        self.variables[args[0]] = args[1]
        return [ok(1)]

    def channel_status(self, args: list[str]) -> list[str]:
        return [ok(CHANNEL_UP if self.answered else CHANNEL_RING)]

    def hangup(self, args: list[str]) -> list[str]:
        self.die(by_caller=False)
        return [ok(1)]

    def noop(self, args: list[str]) -> list[str]:
        return [ok(0)]

    def verbose(self, args: list[str]) -> list[str]:
        return [ok(1)]

    def set_callerid(self, args: list[str]) -> list[str]:
        """``"Name" <number>`` in one argument; unquoted, the number is lost."""
        if args:
            match = re.fullmatch(r'\s*"?([^"<]*?)"?\s*(?:<([^>]*)>)?\s*', args[0])
            name, number = (match[1], match[2] or "") if match else (args[0], "")
            self.variables["CALLERID(name)"] = name
            self.variables["CALLERID(num)"] = number
        return [ok(1)]

    def database_get(self, args: list[str]) -> list[str]:
        if len(args) != 2:
            raise UsageError
        value = self.database.get((args[0], args[1]))
        return [ok(0)] if value is None else [ok(1, value)]

    def database_put(self, args: list[str]) -> list[str]:
        if len(args) != 3:
            raise UsageError
        self.database[(args[0], args[1])] = args[2]
        return [ok(1)]

    def database_del(self, args: list[str]) -> list[str]:
        if len(args) != 2:
            raise UsageError
        self.database.pop((args[0], args[1]), None)
        return [ok(1)]


def _read_frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as audio:
        return audio.readframes(audio.getnframes())


def _write_wav(path: Path, frames: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(RATE)
        audio.writeframes(frames)


__all__ = ["ChannelModel", "Heard", "QueueBehaviour", "UsageError", "wav_seconds"]
