"""Queue member and agent events as Asterisk 22.10.1 sent them (the reference
transcripts), timed, and reshaped for operators and queues the transcripts lack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telephony.ami import AmiMessage, parse_event
from telephony.ami.event_base import AmiEvent
from telephony.ami.member_events import QueueMemberEvent
from tests.transcripts import load

CAPTURED = datetime(2026, 11, 27, 10, 25, 0, tzinfo=UTC)
"""Roughly when the transcripts were taken (their EventTV); times below count from it."""


def at(seconds: float) -> datetime:
    """A moment ``seconds`` after :data:`CAPTURED`."""
    return CAPTURED + timedelta(seconds=seconds)


QUEUE_EVENT_NAMES = frozenset(
    {
        "QueueMemberStatus",
        "QueueMemberAdded",
        "QueueMemberRemoved",
        "QueueMemberPause",
        "QueueMemberPenalty",
        "QueueMember",
        "AgentCalled",
        "AgentRingNoAnswer",
        "AgentConnect",
        "AgentComplete",
    }
)


def timed_events(relative: str, start: datetime = CAPTURED) -> list[tuple[datetime, AmiEvent]]:
    """The transcript's member and agent events, each at the moment its first line came."""
    found: list[tuple[datetime, AmiEvent]] = []
    lines: list[str] = []
    first = 0.0
    for line in load(relative):
        if line.direction != "<<":
            continue
        if line.text == "":
            message = AmiMessage.from_lines(lines) if lines else None
            if message is not None and message.name in QUEUE_EVENT_NAMES:
                found.append((start + timedelta(seconds=first), parse_event(message)))
            lines = []
        elif lines or not line.text.startswith("Asterisk Call Manager/"):
            if not lines:
                first = line.seconds
            lines.append(line.text)
    return found


def reference_headers(relative: str, name: str, index: int = 0) -> list[tuple[str, str]]:
    """The headers of the ``index``-th event called ``name`` in a transcript."""
    events = [event for _, event in timed_events(relative) if event.name == name]
    return list(events[index].message.headers)


def reshaped(headers: list[tuple[str, str]], **changes: str) -> AmiEvent:
    """A reference event with some headers changed (``Reason="transfer"``)."""
    return parse_event(AmiMessage((key, changes.get(key, value)) for key, value in headers))


MEMBER_BLOCK = reference_headers("ami/ami-queue-actions.txt", "QueueMemberAdded")
AGENT_BLOCKS = {
    name: reference_headers("ami/ami-queue-answered.txt", name)
    for name in ("AgentCalled", "AgentRingNoAnswer", "AgentConnect", "AgentComplete")
}


def member(
    name: str,
    queue: str,
    interface: str,
    *,
    status: int = 1,
    paused: bool = False,
    reason: str = "",
    in_call: bool = False,
    last_call: int = 0,
    wrapup: int = 0,
) -> QueueMemberEvent:
    """A QueueMemberAdded/Status/Pause/Removed (or a QueueMember item) for any member."""
    headers = [("Event", name), *MEMBER_BLOCK[1:]]
    event = reshaped(
        headers,
        Queue=queue,
        Interface=interface,
        StateInterface=interface,
        MemberName=interface,
        Status=str(status),
        Paused="1" if paused else "0",
        PausedReason=reason if paused else "",
        InCall="1" if in_call else "0",
        LastCall=str(last_call),
        Wrapuptime=str(wrapup),
    )
    assert isinstance(event, QueueMemberEvent)
    return event


def agent(name: str, queue: str, interface: str, **changes: str) -> AmiEvent:
    """AgentCalled/RingNoAnswer/Connect/Complete for any member, shaped like the reference."""
    return reshaped(AGENT_BLOCKS[name], Queue=queue, Interface=interface, **changes)
