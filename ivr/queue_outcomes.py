"""How a call the engine did not see to the end ended, from what queue_log said of it:
pure decisions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr.call_record import Outcome
from telephony.dialplan import HANGUP_EVENT, MESSAGE_EVENT, NO_ENGINE_EVENT
from telephony.queue_log import QueueLogEntry

QUEUE_ENDS = frozenset(
    {
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "ABANDON",
        "EXITEMPTY",
        "EXITWITHTIMEOUT",
        "EXITWITHKEY",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
    }
)
TALKED = frozenset({"COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "ATTENDEDTRANSFER"})


@dataclass
class QueueCall:
    """What queue_log said of one caller (by channel uniqueid)."""

    callid: str
    queue: str | None = None
    entered_at: datetime | None = None
    connected_at: datetime | None = None
    agent: str | None = None
    ended_at: datetime | None = None
    end_event: str | None = None
    no_engine_at: datetime | None = None
    dialled_number: str | None = None
    caller_id: str | None = None
    message: str | None = None
    hung_up_at: datetime | None = None

    def apply(self, entry: QueueLogEntry) -> bool:
        """Take one line in; False when it says nothing of interest."""
        event = entry.event
        if event == "ENTERQUEUE":
            self.queue, self.entered_at = entry.queue, self.entered_at or entry.at
        elif event == "CONNECT":
            self.connected_at, self.agent = entry.at, entry.agent
        elif event in QUEUE_ENDS:
            self.ended_at, self.end_event = entry.at, event
        elif event == NO_ENGINE_EVENT:
            self.no_engine_at = entry.at
            self.dialled_number = entry.data[0] if entry.data else ""
            self.caller_id = entry.data[1] if len(entry.data) > 1 else ""
        elif event == MESSAGE_EVENT:
            self.message = entry.data[0] if entry.data else None
        elif event == HANGUP_EVENT:
            self.hung_up_at = entry.at
        else:
            return False
        return True


@dataclass(frozen=True)
class Ending:
    ended_at: datetime
    outcome: Outcome
    ended_by: str
    operator: str | None


def engine_call_ending(call: QueueCall) -> Ending | None:
    """A caller the engine had put in the queue when it stopped: ended once the queue
    says so. After a timeout the dialplan took the caller on to an engine again."""
    if call.ended_at is None or call.end_event is None:
        return None
    if call.end_event in TALKED or call.connected_at is not None:
        return Ending(call.ended_at, Outcome.OPERATOR, "queue", call.agent)
    if call.end_event in {"EXITWITHTIMEOUT", "EXITWITHKEY"}:
        return Ending(call.ended_at, Outcome.HANDED_BACK, "engine", None)
    return Ending(call.ended_at, Outcome.ABANDONED_IN_QUEUE, "caller", None)


def no_engine_ending(call: QueueCall, message_kept: bool) -> Ending | None:
    """A call the dialplan served alone: ended when its channel did. ``message_kept``:
    the file the caller left at the answering machine holds a message."""
    if call.hung_up_at is None:
        return None
    if call.connected_at is not None:
        return Ending(call.hung_up_at, Outcome.OPERATOR, "queue", call.agent)
    if call.message:
        outcome = Outcome.ANSWERING_MACHINE if message_kept else Outcome.NO_MESSAGE_LEFT
        return Ending(call.hung_up_at, outcome, "caller", None)
    if call.entered_at is not None:
        reached_machine = call.end_event in {"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"}
        outcome = Outcome.NO_MESSAGE_LEFT if reached_machine else Outcome.ABANDONED_IN_QUEUE
        return Ending(call.hung_up_at, outcome, "caller", None)
    return Ending(call.hung_up_at, Outcome.ABANDONED_IN_MENU, "caller", None)
