"""Emulated callers of four kinds, each call kept as what the Asterisk side saw of it.

- menu sitters connect and never answer the main menu (a caller listening, thinking);
- readings callers key a month's readings and confirm them, then hang up;
- callback callers leave a number to be called back on, then hang up;
- menu walkers go four levels down and back, hear information, and hang up.

All but the sitters place calls one after another until told to stop. Each reply may be
held back (``Pacing``), so calls are spread in time as prompts playing would spread them.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bench.reading_accounts import ReadingAccount, ReadingAccounts
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import Heard, QueueBehaviour
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary

MENU_SCRIPT = "4 1 2 * * 2 _ 1 2 * h"
"""Four levels down and back, information heard, no operator (hours do not matter)."""
CONFIRMATIONS = {"readings": "readings_accepted", "callback": "callback_accepted"}
"""The prompt a caller of the kind hears once the engine has taken what they left."""
_callback_numbers = itertools.count()
"""Each callback caller leaves a number of its own (unique in this process)."""


class Kind(StrEnum):
    SITTER = "sitter"
    READINGS = "readings"
    CALLBACK = "callback"
    MENU = "menu"


@dataclass(frozen=True)
class CallerPlan:
    """How many callers of each kind keep a call up at once."""

    sitters: int = 0
    readings: int = 0
    callbacks: int = 0
    menus: int = 0

    @classmethod
    def mix(cls, calls: int, sitters: float, readings: float, callbacks: float) -> CallerPlan:
        """``calls`` callers, the given shares sitting, keying readings, leaving callbacks;
        the rest walk the menu."""
        sitting, keying, leaving = (
            round(calls * share) for share in (sitters, readings, callbacks)
        )
        return cls(sitting, keying, leaving, calls - sitting - keying - leaving)


@dataclass(slots=True)
class PlacedCall:
    """One call; moments are ``time.perf_counter()`` of the process placing it."""

    uniqueid: str
    kind: Kind
    started: float
    hung_up: float | None = None
    """When the call ended on the Asterisk side (the caller or the engine hung up)."""
    closed: float | None = None
    """When the FastAGI connection closed."""
    account: str = ""
    callback_number: str = ""
    confirmed: float | None = None
    """When the caller heard that their readings or callback were taken."""


Pacing = Callable[[], tuple[Callable[[], float] | None, Callable[[float], None] | None]]
"""Per call: the hold-back before each reply, and a watcher of the call's virtual time."""


def random_pacing(think_ms: float) -> Pacing:
    """Each reply held back 0-2×``think_ms`` at random (mean ``think_ms``)."""
    if think_ms <= 0:
        return lambda: (None, None)
    top = 2 * think_ms / 1000
    return lambda: (lambda: random.uniform(0, top), None)


class VirtualPace:
    """Replies held back by the virtual time the previous command took, compressed:
    a call lasts as long as a real one would, divided by ``compression``."""

    def __init__(self, compression: float) -> None:
        self.compression = compression
        self.virtual = 0.0
        self.paid = 0.0

    def watch(self, now: float) -> None:
        self.virtual = now

    def __call__(self) -> float:
        delay = (self.virtual - self.paid) / self.compression
        self.paid = self.virtual
        return delay


def virtual_pacing(compression: float) -> Pacing:
    def pace() -> tuple[Callable[[], float], Callable[[float], None]]:
        paced = VirtualPace(compression)
        return paced, paced.watch

    return pace


@dataclass
class Callers:
    """Callers placing calls into one FastAGI port until ``placing`` is cleared."""

    port: int
    prompts: Path
    accounts: ReadingAccounts
    pacing: Pacing = field(default_factory=lambda: random_pacing(0))
    measure_turnaround: bool = False
    redial_pause: float | None = None
    """After a refused connection: None stops that caller, else it dials again after this."""
    placing: bool = True
    calls: list[PlacedCall] = field(default_factory=list)
    """Every call that got through, in the order they closed."""
    refused: int = 0
    accounts_used_up: int = 0
    """Readings calls placed as menu walks: every account was used."""
    turnarounds: array[float] = field(default_factory=lambda: array("d"))

    def __post_init__(self) -> None:
        self.sounds = SoundLibrary([self.prompts])
        self._live: dict[str, PlacedCall] = {}
        self.confirmation_heard = asyncio.Event()
        """Set whenever a caller hears their readings or callback taken."""

    def start(self, plan: CallerPlan, spread: float = 0.0) -> list[asyncio.Task[None]]:
        """The callers of ``plan``, each placing its first call at a random moment within
        ``spread`` seconds (all at once with 0)."""
        kinds = [Kind.READINGS] * plan.readings + [Kind.CALLBACK] * plan.callbacks
        kinds += [Kind.MENU] * plan.menus
        kinds += [Kind.SITTER] * plan.sitters
        return [
            asyncio.create_task(self._keep_calling(kind, random.uniform(0, spread)))
            for kind in kinds
        ]

    @property
    def live(self) -> int:
        """Calls connected or connecting now."""
        return len(self._live)

    def confirmed(self, kind: Kind) -> int:
        """Callers of ``kind`` who heard their readings or callback taken, so far."""
        calls = itertools.chain(self.calls, self._live.values())
        return sum(1 for call in calls if call.kind is kind and call.confirmed is not None)

    async def _keep_calling(self, kind: Kind, first_after: float) -> None:
        """Call after call; a sitter's one call lasts until the engine goes."""
        if first_after:
            await asyncio.sleep(first_after)
        while self.placing:
            if await self._place(kind):
                if kind is Kind.SITTER:
                    return
            elif self.redial_pause is None:
                return
            else:
                await asyncio.sleep(self.redial_pause)

    async def _place(self, kind: Kind) -> bool:
        """One call; False when the engine refused the connection."""
        channel, call, account = self._channel(kind)
        think, watch = self.pacing()
        confirmation = CONFIRMATIONS.get(call.kind)
        seen = 0

        def on_virtual_time(now: float) -> None:
            """After each command the emulated Asterisk carried out."""
            nonlocal seen
            if confirmation is not None and call.confirmed is None:
                heard, seen = channel.heard[seen:], len(channel.heard)
                if any(_is_prompt(event, confirmation) for event in heard):
                    call.confirmed = time.perf_counter()
                    self.confirmation_heard.set()
            if call.hung_up is None and channel.model.dead:
                call.hung_up = time.perf_counter()
            if watch is not None:
                watch(now)

        def think_unless_dead() -> float:
            """Asterisk answers a command on a hung-up channel at once (511)."""
            return 0.0 if think is None or channel.model.dead else think()

        channel.on_virtual_time = on_virtual_time
        channel.think_time = None if think is None else think_unless_dead
        call.started = time.perf_counter()
        self._live[call.uniqueid] = call
        try:
            await channel.run()
        except ConnectionRefusedError:
            self.refused += 1
            if account is not None:
                self.accounts.put_back(account)
            return False
        except OSError:
            pass  # reset by an engine killed with the caller's reply unread
        finally:
            del self._live[call.uniqueid]
        call.closed = time.perf_counter()
        self.calls.append(call)
        if self.measure_turnaround:
            self.turnarounds.extend(channel.turnarounds[1:])  # the first is the environment
        return True

    def _channel(self, kind: Kind) -> tuple[EmulatedChannel, PlacedCall, ReadingAccount | None]:
        settings = ChannelSettings(queue=QueueBehaviour(answer_after=5.0, talk_seconds=30.0))
        number, keys = "", MENU_SCRIPT
        account = self.accounts.take() if kind is Kind.READINGS else None
        if kind is Kind.READINGS:
            if account is None:
                self.accounts_used_up += 1
                kind = Kind.MENU
            else:
                keys, settings.caller_id = account.keys, account.phone
        elif kind is Kind.CALLBACK:
            number = f"8913{next(_callback_numbers):07d}"
            keys = f"5 {number}# 1 h"
        elif kind is Kind.SITTER:
            keys = ""
            settings.unanswered_commands = frozenset({"GET DATA"})
        channel = EmulatedChannel(
            "127.0.0.1",
            self.port,
            ScriptedCaller.from_keys(keys),
            self.sounds,
            settings,
            measure_turnaround=self.measure_turnaround,
        )
        keyed_for = account.number if account is not None else ""
        call = PlacedCall(channel.uniqueid, kind, 0.0, account=keyed_for, callback_number=number)
        return channel, call, account


def _is_prompt(event: Heard, name: str) -> bool:
    """A prompt played, named ``<name>-<variant>``."""
    return event.kind == "played" and Path(event.detail.split(" (")[0]).name.startswith(name)
