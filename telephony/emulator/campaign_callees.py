"""Who answers an autoinformer call in the emulator: one behaviour per dialled number.

The behaviour is drawn from configurable shares, deterministically: a hash of the seed
and the number picks it, so a number behaves the same on every attempt — unless the
``changes`` share redraws it for a later attempt (the person was out yesterday, is in
today). Each behaviour says how the call ends at dial time (Originate's outcome), what
``AMD()`` finds (AMDSTATUS/AMDCAUSE, formatted as apps/app_amd.c writes them with
amd.conf's defaults) and what the person does once the engine talks to them (a
scripted caller).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from telephony.emulator.ami_calls import Outcome
from telephony.emulator.caller import CallerAction, HangUp, Press, StaySilent

Behaviour = Literal[
    "listen",
    "confirm",
    "operator",
    "early_hangup",
    "machine",
    "busy",
    "noanswer",
    "congestion",
    "failed",
]
BEHAVIOURS: tuple[Behaviour, ...] = get_args(Behaviour)
ANSWERING: frozenset[Behaviour] = frozenset(
    {"listen", "confirm", "operator", "early_hangup", "machine"}
)
UNANSWERED: dict[Behaviour, Outcome] = {
    "busy": "busy",
    "noanswer": "noanswer",
    "congestion": "congestion",
    "failed": "nonexistent",
}
"""The Originate outcome of a callee who never answers ("failed": the number does not
exist or its channel is unavailable, Reason 0)."""

CHANGES = "changes"
HUMAN = "HUMAN"
MACHINE = "MACHINE"


@dataclass(frozen=True)
class AmdResult:
    """What ``AMD()`` set on the channel, and how long (seconds of audio) it listened."""

    status: str
    cause: str
    seconds: float


# amd.conf defaults: greeting 1500 ms, after_greeting_silence 800 ms, initial_silence
# 2500 ms, maximum_number_of_words 2; frames of 20 ms, so the counts stop exactly there.
PERSON = AmdResult(HUMAN, "HUMAN-800-800", 1.4)
"""«Алло?» (about 0.6 s of voice), then 800 ms of silence: a person."""
MACHINES = (
    AmdResult(MACHINE, "LONGGREETING-1500-1500", 1.7),
    AmdResult(MACHINE, "MAXWORDS-3-2", 1.2),
    AmdResult(MACHINE, "INITIALSILENCE-2500-2500", 2.5),
)
"""A greeting longer than 1.5 s, a third word, or 2.5 s of silence first: a machine."""


@dataclass(frozen=True)
class CalleeTiming:
    """When a person acts, in seconds into the engine's message (its first prompt).

    A key pressed after the message has ended is not heard by the engine: keep these
    below the shortest message.
    """

    confirm_after: float = 3.0
    operator_after: float = 2.0
    hangup_after: float = 2.0


@dataclass(frozen=True)
class Callee:
    """The person (or machine) at a number on one attempt."""

    number: str
    behaviour: Behaviour
    amd: AmdResult | None
    actions: tuple[CallerAction, ...]

    @property
    def outcome(self) -> Outcome:
        return UNANSWERED.get(self.behaviour, "answer")


@dataclass(frozen=True)
class CalleeShares:
    """Shares of the behaviours, as weights (``{"listen": 6, "busy": 1}``); behaviours
    not named have none. ``changes``: the chance, per later attempt, that a number's
    behaviour is drawn afresh. Raises ValueError for an unknown behaviour, a negative
    weight, no weight at all, or ``changes`` outside 0..1."""

    weights: Mapping[str, float]
    changes: float = 0.0
    seed: int = 0
    timing: CalleeTiming = field(default_factory=CalleeTiming)

    def __post_init__(self) -> None:
        for name, weight in self.weights.items():
            if name not in BEHAVIOURS:
                known = ", ".join(BEHAVIOURS)
                raise ValueError(f"unknown callee behaviour {name!r} (known: {known})")
            if not weight >= 0:
                raise ValueError(f"the share of {name!r} must not be negative, not {weight}")
        if not sum(self.weights.values()) > 0:
            raise ValueError("callee shares: at least one behaviour needs a positive weight")
        if not 0 <= self.changes <= 1:
            raise ValueError(f"the 'changes' share must be between 0 and 1, not {self.changes}")

    @classmethod
    def of(cls, shares: CalleeShares | Mapping[str, float] | None) -> CalleeShares:
        """Shares as given, a mapping's ``changes`` entry taken as the changes share;
        None: everybody answers and listens to the end."""
        if isinstance(shares, CalleeShares):
            return shares
        if shares is None:
            return cls({"listen": 1.0})
        weights = {name: weight for name, weight in shares.items() if name != CHANGES}
        return cls(weights, changes=shares.get(CHANGES, 0.0))

    def behaviour(self, number: str, attempt: int = 0) -> Behaviour:
        """The behaviour of ``number`` on its ``attempt``-th call (0: the first)."""
        draw = _unit(self.seed, number)
        if attempt and self.changes and _unit(self.seed, number, attempt, "changes") < self.changes:
            draw = _unit(self.seed, number, attempt)
        total = sum(self.weights.values())
        reached = 0.0
        for name in BEHAVIOURS:
            reached += self.weights.get(name, 0.0) / total
            if draw < reached:
                return name
        return next(name for name in reversed(BEHAVIOURS) if self.weights.get(name, 0.0) > 0)

    def callee(self, number: str, attempt: int = 0) -> Callee:
        return self.callee_as(number, self.behaviour(number, attempt))

    def callee_as(self, number: str, behaviour: Behaviour) -> Callee:
        """The callee at ``number`` behaving as ``behaviour``."""
        timing = self.timing
        if behaviour not in ANSWERING:
            return Callee(number, behaviour, None, ())
        if behaviour == "machine":
            pick = int(_unit(self.seed, number, "amd") * len(MACHINES))
            return Callee(number, behaviour, MACHINES[pick], (StaySilent(),))
        actions: dict[Behaviour, tuple[CallerAction, ...]] = {
            "listen": (StaySilent(), StaySilent()),
            "confirm": (Press("1", after=timing.confirm_after), StaySilent()),
            "operator": (Press("0", after=timing.operator_after),),
            "early_hangup": (HangUp(after=timing.hangup_after, anywhere=True),),
        }
        return Callee(number, behaviour, PERSON, actions[behaviour])


_DIGITS = re.compile(r"\+?\d{3,}")


def dialled_number(dial_string: str) -> str:
    """The number a dial string calls: ``PJSIP/79131234567@trunk`` -> ``79131234567``
    (the first run of digits after the technology; the whole rest when none)."""
    rest = dial_string.partition("/")[2]
    found = _DIGITS.search(rest)
    return found[0] if found else rest


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts``, the same in every process and run."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64
