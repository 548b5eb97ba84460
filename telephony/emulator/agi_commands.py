"""What an Asterisk channel does with each AGI command, on virtual time.

:class:`ChannelModel` turns one command into the reply lines Asterisk 22.10.1 would
write, consulting the scripted caller at each input window. It does no I/O. The media
commands are in :mod:`telephony.emulator.agi_media`; the rest (applications,
variables, the database) are here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from telephony.emulator.agi_channel_state import AmiEventSink, Heard, QueueBehaviour, UsageError
from telephony.emulator.agi_media import GET_DATA_DEFAULT_TIMEOUT_MS, MediaCommands
from telephony.emulator.agi_syntax import success as ok
from telephony.emulator.agi_syntax import usage_reply
from telephony.emulator.caller import HangUp, Press, ScriptedCaller, Speak
from telephony.emulator.recording import (
    CallRecording,
    fit_to,
    mixmonitor_options,
    samples_in,
    voice_band_tone,
)
from telephony.emulator.sounds import SoundLibrary, pcm_frames

CHANNEL_UP = 6
CHANNEL_RING = 4
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
    "SAY ALPHA": "say_alpha",
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


class ChannelModel(MediaCommands):
    def __init__(
        self,
        caller: ScriptedCaller,
        sounds: SoundLibrary,
        queue: QueueBehaviour,
        *,
        ami_events: AmiEventSink | None = None,
    ) -> None:
        """``ami_events`` receives MixMonitorStart and MixMonitorStop."""
        super().__init__(caller, sounds, queue, ami_events=ami_events)
        self.handlers: dict[str, Handler] = {
            command: getattr(self, method) for command, method in COMMANDS.items()
        }

    def execute(self, command: str, args: list[str]) -> list[str]:
        try:
            return self.handlers[command](args)
        except UsageError:
            return usage_reply(command)

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
            return [ok(self._mixmonitor(app_args))]
        if application == "stopmixmonitor":
            if self.mixmonitors.stop(self.now, app_args[0].strip()):
                self.channel_event("MixMonitorStop")
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
        if application in {"noop", "answer", "progress", "ringing"}:
            return [ok(0)]
        return [ok(-2)]

    def _mixmonitor(self, app_args: list[str]) -> int:
        """``MixMonitor(file[,options])``: record the call into ``file`` (only ``.wav`` is
        written); ``i(VAR)`` puts the MixMonitor's id into VAR."""
        name = app_args[0].strip()
        if not name:
            self.note("recording failed", "no file name")
            return -1
        self.variables["MIXMONITOR_FILENAME"] = name
        recording = None
        if not name.startswith("/"):
            self.note("not recorded", f"{name} (no monitor directory)")
        elif not name.lower().endswith(".wav"):
            self.note("not recorded", f"{name} (only .wav is written)")
        else:
            try:
                recording = CallRecording(Path(name), self.now)
            except OSError as error:
                self.note("not recorded", f"{name} ({error.strerror})")
        mixmonitor_id = self.mixmonitors.start(recording)
        if recording is not None:
            self.note("recording", name)
        id_variable = mixmonitor_options(app_args[1] if len(app_args) > 1 else "").get("i")
        if id_variable:
            self.variables[id_variable] = mixmonitor_id
        self.channel_event("MixMonitorStart")
        return 0

    def _read(self, app_args: list[str]) -> int:
        """``Read(variable,prompts,maxdigits,options,attempts,timeout)``: digits up to
        ``#`` into the variable; a key stops the prompts, as GET DATA's does."""
        variable = app_args[0]
        prompts = [name for name in (app_args[1] if len(app_args) > 1 else "").split("&") if name]
        max_digits = int(app_args[2]) if len(app_args) > 2 and app_args[2].isdigit() else 0
        max_digits = max_digits or 255  # 0: up to '#'
        timeout_text = app_args[5].strip() if len(app_args) > 5 else ""
        timeout = float(timeout_text) if re.fullmatch(r"\d+(\.\d*)?", timeout_text) else 0.0
        timeout = timeout or GET_DATA_DEFAULT_TIMEOUT_MS / 1000
        prompt_seconds = sum(self.sounds.duration(name) or 0.0 for name in prompts)
        for name in prompts:
            self.note("played", name)
        action = self.caller.next_input()
        if isinstance(action, HangUp):
            self.hear_sounds(prompts, action.after)
            self.now += min(action.after, prompt_seconds)
            self.die()
            return -1
        digits = ""
        if isinstance(action, Press):
            self.note("pressed", action.keys)
            digits = action.keys.split("#", 1)[0][:max_digits]
            self.hear_sounds(prompts, action.heard_at)
            ended = "#" in action.keys or len(digits) >= max_digits
            self.now += min(action.heard_at, prompt_seconds) + 0.5 * len(action.keys)
            self.now += 0 if ended else timeout
        else:
            if isinstance(action, Speak):
                self.caller.put_back(action)
            self.hear_sounds(prompts, prompt_seconds)
            self.now += prompt_seconds + timeout
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
            self.hear(self._operator_voice())
            self.now += self.queue.talk_seconds
            self.note("operator hung up", name)
            if "c" in (app_args[1] if len(app_args) > 1 else ""):
                self.variables["QUEUESTATUS"] = "CONTINUE"  # the caller goes on
                return 0
            return -1  # the caller's channel stays up for AGI, with no HANGUP line
        self.now += timeout
        self.variables["QUEUESTATUS"] = "TIMEOUT"
        self.note("queue timeout", name)
        return 0

    def _operator_voice(self) -> bytes:
        """The operator's leg of the talk, for the MixMonitors."""
        talk = self.queue.talk_seconds
        if not self.mixmonitors.listening:
            return b""
        audio = self.queue.operator_audio
        if audio is None:
            return voice_band_tone(talk)
        frames = pcm_frames(audio)
        if frames is None:
            self.note("operator not heard", f"{audio} (not an 8 kHz 16-bit mono WAV)")
            return b""
        return fit_to(frames, samples_in(talk))

    # -- variables and the rest --------------------------------------------------------------
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


__all__ = ["COMMANDS", "ChannelModel", "Heard", "QueueBehaviour", "UsageError"]
