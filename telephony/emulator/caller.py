"""A scripted caller: what the person on the line does, one input window at a time.

Each action is taken at the next moment the engine listens (a prompt with escape
digits, GET DATA, WAIT FOR DIGIT, RECORD FILE, waiting in a queue). When the script
runs out, the caller hangs up there.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Press:
    """Press ``keys`` ``after`` seconds into the input window (0 = barge in at once)."""

    keys: str
    after: float = 0.5

    @property
    def heard_at(self) -> float:
        """When Asterisk reports the first key: at the end of its 250 ms tone."""
        return self.after + DTMF_TONE_SECONDS


@dataclass(frozen=True)
class StaySilent:
    """Do nothing and let the window time out."""


@dataclass(frozen=True)
class Speak:
    """Speak: the audio of ``wav`` goes into a RECORD FILE, then silence (or ``then_key``)."""

    wav: Path
    then_key: str | None = None


@dataclass(frozen=True)
class HangUp:
    """Hang up ``after`` seconds into the next input window.

    With ``anywhere``, already during the next media command of any kind (a prompt
    that takes no keys, a queue).
    """

    after: float = 0.2
    anywhere: bool = False


DTMF_TONE_SECONDS = 0.22
CallerAction = Press | StaySilent | Speak | HangUp

SILENCE_TOKENS = {"_", "-", "silence"}
HANGUP_TOKENS = {"h", "hangup"}
VALID_KEYS = set("0123456789*#")


def parse_keys(script: str) -> list[CallerAction]:
    """Turn a command-line script such as ``"1 2 _ * 0"`` into actions.

    A token of keys is one press (``12345#`` enters a number), ``_`` stays silent,
    ``h`` hangs up, ``@path.wav`` speaks the file. Raises ValueError on anything else.
    """
    actions: list[CallerAction] = []
    for token in script.split():
        lowered = token.lower()
        if lowered in SILENCE_TOKENS:
            actions.append(StaySilent())
        elif lowered in HANGUP_TOKENS:
            actions.append(HangUp())
        elif token.startswith("@") and len(token) > 1:
            actions.append(Speak(Path(token[1:])))
        elif set(token) <= VALID_KEYS:
            actions.append(Press(token))
        else:
            raise ValueError(
                f"cannot read {token!r} in the caller script: use keys 0-9 * #, "
                "'_' to stay silent, 'h' to hang up, '@file.wav' to speak"
            )
    return actions


class ScriptedCaller:
    def __init__(self, actions: list[CallerAction] | None = None) -> None:
        self._actions: deque[CallerAction] = deque(actions or [])

    @classmethod
    def from_keys(cls, script: str) -> ScriptedCaller:
        return cls(parse_keys(script))

    def next_input(self) -> CallerAction:
        """The action for an input window; an exhausted script hangs up."""
        return self._actions.popleft() if self._actions else HangUp()

    def replace_actions(self, actions: list[CallerAction]) -> None:
        """Drop what is left of the script and go on with ``actions``."""
        self._actions = deque(actions)

    def put_back(self, action: CallerAction) -> None:
        """Return an action the current command cannot take (speech during a prompt)."""
        self._actions.appendleft(action)

    def hangs_up_now(self, waiting: bool = False) -> HangUp | None:
        """Take a hang-up due during a command that takes no keys.

        ``waiting`` (a queue) takes any pending hang-up; a prompt only one marked
        ``anywhere``.
        """
        upcoming = self._actions[0] if self._actions else None
        if isinstance(upcoming, HangUp) and (waiting or upcoming.anywhere):
            action = self._actions.popleft()
            assert isinstance(action, HangUp)
            return action
        return None

    @property
    def remaining(self) -> int:
        return len(self._actions)
