"""What an IVR action gets to work with during one call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from callcenter.outages import OutageBoard
from callcenter.survey_call import PostCallSurvey
from callcenter.tasks import QueuePlace, TaskBook
from callcenter.transfer_call import CallTransfers
from customers.model import Account
from customers.reading_rules import ReadingLimits
from customers.store import CustomerStore
from ivr.call_record import Outcome
from ivr.menu import MenuTree
from ivr.speech_input import Listener
from prompts.catalog import Variant
from prompts.phrases import PhraseLibrary
from telephony.agi import AgiCall
from worktime.calendar import WorkingCalendar, default_calendar
from worktime.clock import Clock, local_date, local_zone
from worktime.hours import ServiceHours

VOICE_FAILURES_BEFORE_KEYPAD = 2


class PromptFiles:
    """Names prompt files as Asterisk finds them: ``<dir>/<prompt>-<variant>``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory.rstrip("/")

    def __call__(self, prompt_id: str, variant: Variant = "short") -> str:
        return f"{self.directory}/{prompt_id}-{variant}"


@dataclass(frozen=True)
class IvrServices:
    """Everything the call flow and its actions use, shared by all calls."""

    prompts: PromptFiles
    phrases: PhraseLibrary
    customers: CustomerStore
    outages: OutageBoard
    tasks: TaskBook
    clock: Clock
    messages_dir: str
    """Where Asterisk writes answering-machine messages (the engine reads them there)."""
    hours: Mapping[str, ServiceHours]
    """When each service is staffed (the contact center's settings)."""
    calendar: WorkingCalendar = field(default_factory=default_calendar)
    listener: Listener | None = None
    """Voice input; None when no speech model is configured (keypad only)."""
    timezone: ZoneInfo = field(default_factory=local_zone)
    reading_limits: ReadingLimits = field(default_factory=ReadingLimits)
    identification_attempts: int = 3
    message_seconds: int = 120
    """The longest answering-machine message (IVR-10)."""
    order_handover: timedelta = timedelta(minutes=15)
    """A paid-service order reaches the executor within this (IVR-14)…"""
    executor_call: timedelta = timedelta(days=3)
    """…who calls the customer back within this."""
    queue_wait: Callable[[int], Awaitable[int]] | None = None
    """How long a caller waits for an operator now, given the tree's limit (40 s, or
    3 min in an emergency, CC-2); None: the tree's limit."""
    survey: PostCallSurvey | None = None
    """The survey offered when the operator hung up first (CC-11); None: no survey."""
    transfers: CallTransfers | None = None
    """Carries out the transfers operators ask for at the desk (CC-4); None: none are."""


@dataclass
class CallContext:
    call: AgiCall
    call_id: str
    tree: MenuTree
    services: IvrServices
    topic: str | None = None
    account: Account | None = None
    """The caller's account once identified; nothing of it is spoken before."""
    callback_requested: bool = False
    """The caller left a number to be called back (CC-5)."""
    kept_place: QueuePlace | None = None
    """Where the caller waited in a queue just now: a callback asked for keeps it."""
    voice_failures: int = 0
    """Turns in which the caller's speech was not understood (silence included)."""
    abandoned_as: Outcome | None = None
    """How the call is recorded if the caller hangs up now, set by a step that has an
    outcome of its own (identification, readings entry) and cleared when it is done."""

    @property
    def voice_on(self) -> bool:
        """Speech is listened for: a model is set and it has not failed twice (IVR-4)."""
        return (
            self.services.listener is not None
            and self.voice_failures < VOICE_FAILURES_BEFORE_KEYPAD
        )

    def prompt(self, prompt_id: str, variant: Variant = "short") -> str:
        return self.services.prompts(prompt_id, variant)

    def prompt_file(self, name: str) -> str:
        """A rendered file that has no variants (the pause)."""
        return f"{self.services.prompts.directory}/{name}"

    async def phrase(self, text: str) -> str:
        """A file speaking ``text`` (numbers already in words)."""
        return await self.services.phrases.file_for(text)

    def now(self) -> datetime:
        return self.services.clock()

    def today(self) -> date:
        return local_date(self.now(), self.services.timezone)


class ActionResult(StrEnum):
    DONE = "done"
    """Back to the menu the action was chosen from."""
    TO_OPERATOR = "to_operator"
    """The caller could not be served by the machine: hand them to an operator (IVR-4)."""
    OPERATOR_ASKED = "operator_asked"
    """The caller pressed the operator key during the action: as ``0`` in a menu, they
    hear that they are being connected and the key is kept in the call's inputs."""
    BACK_ASKED = "back_asked"
    """The caller pressed ``*`` to leave the action: back to the menu, as after DONE,
    and the key is kept in the call's inputs."""


Action = Callable[[CallContext], Awaitable[ActionResult]]
