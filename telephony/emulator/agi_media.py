"""What an emulated channel does with the AGI commands that play, listen and record.

Each input window consults the scripted caller; time passes only on the virtual clock.
"""

from __future__ import annotations

import re
from pathlib import Path

from telephony.emulator.agi_channel_state import ChannelState, UsageError
from telephony.emulator.agi_syntax import success as ok
from telephony.emulator.caller import DTMF_TONE_SECONDS, HangUp, Press, Speak, StaySilent
from telephony.emulator.recording import RATE, read_frames, write_wav

GET_DATA_DEFAULT_TIMEOUT_MS = 6000
RECORD_FORMATS = {"wav", "gsm", "sln", "ulaw", "alaw"}
_SYMBOL_NAMES = {"*": "star", "#": "pound", "-": "minus"}


class MediaCommands(ChannelState):
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
                    self.hear_sounds([name], at)
                    self.now += at
                    return self._first_key(action), int(at * RATE)
                self.note("pressed", f"{action.keys} (ignored)")
        if hangup is not None and hangup.after < duration:
            self.note("played", f"{name} (cut off)")
            self.hear_sounds([name], hangup.after)
            self.now += hangup.after
            self.die()
            return "-1", int(hangup.after * RATE)
        self.note("played", name)
        self.hear_sounds([name], duration)
        self.now += duration
        return "0", int(duration * RATE)

    def _first_key(self, action: Press) -> str:
        """The key that stopped a prompt, as Asterisk reports it. Keys the caller goes on
        pressing reach the next command: each ends its tone a quarter second later, when
        the engine is listening again (Asterisk drops DTMF only between commands)."""
        self.note("pressed", action.keys[0])
        if len(action.keys) > 1:
            self.caller.put_back(Press(action.keys[1:], after=DTMF_TONE_SECONDS))
        return str(ord(action.keys[0]))

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
            self.hear_sounds([args[0]], action.after)
            self.now += min(action.after, duration)
            self.die()
            return [ok(-1)]
        if isinstance(action, StaySilent):
            self.note("played", args[0])
            self.note("silent")
            self.hear_sounds([args[0]], duration)
            self.now += duration + timeout
            return [ok("", "timeout")]
        assert isinstance(action, Press)
        interrupted = action.heard_at < duration
        self.note("played", args[0] + (" (interrupted)" if interrupted else ""))
        self.hear_sounds([args[0]], action.heard_at)
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

    def _say(self, text: str, escape: str, sounds: list[str]) -> list[str]:
        """Say ``text`` with ``sounds`` in turn. As Asterisk does, a missing file is
        skipped; with none of them there, nothing is said and 0 comes back at once."""
        durations = [self.sounds.duration(sound) for sound in sounds]
        duration = sum(seconds for seconds in durations if seconds is not None)
        missing = [
            sound for sound, seconds in zip(sounds, durations, strict=True) if seconds is None
        ]
        if sounds and len(missing) == len(sounds):
            self.note("said nothing", f"{text} (no {', '.join(dict.fromkeys(missing))})")
            return [ok(0)]
        self.note("said", text)
        hangup = self.caller.hangs_up_now()
        if hangup is not None and hangup.after < duration:
            self.hear_sounds(sounds, hangup.after)
            self.now += hangup.after
            self.die()
            return [ok(-1)]
        if escape:
            action = self.caller.next_input()
            if not isinstance(action, Press):
                self.caller.put_back(action)
            elif action.keys[0] in escape and action.heard_at < duration:
                self.hear_sounds(sounds, action.heard_at)
                self.now += action.heard_at
                return [ok(int(self._first_key(action)))]
        self.hear_sounds(sounds, duration)
        self.now += duration
        return [ok(0)]

    def say_number(self, args: list[str]) -> list[str]:
        if len(args) < 2 or not re.fullmatch(r"-?\d+", args[0]):
            raise UsageError
        return self._say(args[0], args[1], _symbol_sounds(args[0]))

    def say_digits(self, args: list[str]) -> list[str]:
        if len(args) < 2:
            raise UsageError
        return self._say(args[0], args[1], _symbol_sounds(args[0]))

    def say_alpha(self, args: list[str]) -> list[str]:
        if len(args) < 2:
            raise UsageError
        return self._say(args[0], args[1], _symbol_sounds(args[0], letters=True))

    def say_datetime(self, args: list[str]) -> list[str]:
        if len(args) < 2 or not args[0].isdigit():
            raise UsageError
        if len(args) > 2 and not args[2]:
            return [ok(0)]
        return self._say(args[0], args[1], _symbol_sounds(args[0]))

    def record_file(self, args: list[str]) -> list[str]:
        if len(args) < 4:
            raise UsageError
        path, file_format, escape, max_ms = args[0], args[1], args[2], int(args[3])
        silence = next((int(a[2:]) for a in args[4:] if a.startswith("s=")), None)
        offset = _leading_number(args[4]) if len(args) > 4 else None
        if _asks_for_beep(args, offset):
            beep = self.sounds.duration("beep")
            if beep is None:
                self.note("missing sound", "beep")
                return [ok(-1, "randomerror", offset or 0)]
            self.note("played", "beep")
            self.hear_sounds(["beep"], beep)
            self.now += beep
        if file_format not in RECORD_FORMATS:
            return [ok(-1, "writefile")]
        target = Path(f"{path}.{file_format}")
        action = self.caller.next_input()
        if isinstance(action, HangUp):
            self.now += action.after
            write_wav(target, b"")
            self.die()
            return [ok(-1, "hangup", 0)]
        if isinstance(action, Speak):
            frames = read_frames(action.wav)
            write_wav(target, frames)
            seconds = len(frames) / 2 / RATE
            self.note("spoke", action.wav.name)
            self.hear(frames)
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
            write_wav(target, b"\x00\x00" * samples)
            self.now += action.heard_at
            self.note("pressed", action.keys[0])
            return [ok(ord(action.keys[0]), "dtmf", samples)]
        write_wav(target, b"")
        self.note("silent")
        if silence is not None:
            self.now += silence
            return [ok(max_ms - silence * 1000, "timeout", 0)]
        self.now += max_ms / 1000
        return [ok(0, "timeout", 0)]


def _symbol_sounds(text: str, letters: bool = False) -> list[str]:
    """The files Asterisk's SAY plays for ``text``, one a character; they stand for a
    number's or a date's words too, which are files of the same ``digits/`` set."""
    sounds = []
    for char in text:
        if char.isdigit() or char in _SYMBOL_NAMES:
            sounds.append(f"digits/{_SYMBOL_NAMES.get(char, char)}")
        elif letters:
            sounds.append(f"letters/{char.lower()}")
    return sounds


def _leading_number(text: str) -> int | None:
    """What C's ``sscanf("%ld")`` reads from the start of ``text``, if anything."""
    match = re.match(r"\s*[+-]?\d+", text)
    return int(match[0]) if match else None


def _asks_for_beep(args: list[str], offset: int | None) -> bool:
    """Asterisk's rule: a fifth argument that is not a number nor ``x=…``, or any sixth
    argument that is not ``x=…``, asks for the beep ("can take any value")."""
    fifth = len(args) > 4 and offset is None and "=" not in args[4]
    return fifth or (len(args) > 5 and "=" not in args[5])
