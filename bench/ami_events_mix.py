"""The AMI events of a busy contact center, shaped like Asterisk 22.10.1's.

Every event is a reference event (``ami/ami-queue-*.txt``) with its queue, member,
caller and channel headers changed. Calls come and go in several queues at once: the
caller joins, a first operator is rung and does not answer, a second one answers, talks
and hangs up, each member's device status following in every queue they serve (as
app_queue reports it); some callers give up while ringing. Operators take breaks. A
few operators, the *marker* ones, only change their pause reason: ``m<seq>``, the
sequence number of the marker, so a page showing the operator tells which events it
reflects.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from tests.transcripts import ami_messages

Headers = list[tuple[str, str]]
QUEUES = ("billing", "dispatch", "paid_services", "support")
REFERENCE = {
    "QueueCallerJoin": "ami/ami-queue-answered.txt",
    "AgentCalled": "ami/ami-queue-answered.txt",
    "AgentRingNoAnswer": "ami/ami-queue-answered.txt",
    "AgentConnect": "ami/ami-queue-answered.txt",
    "AgentComplete": "ami/ami-queue-answered.txt",
    "QueueCallerLeave": "ami/ami-queue-answered.txt",
    "QueueMemberStatus": "ami/ami-queue-answered.txt",
    "QueueCallerAbandon": "ami/ami-queue-abandon.txt",
    "QueueMemberPause": "ami/ami-queue-actions.txt",
}
BREAK_REASONS = ("lunch", "rest", "training")
RINGING, FREE = "2", "1"
"""``Status:`` of a Local member being rung or talking (IN_USE), and idle (NOT_IN_USE)."""


@cache
def template(name: str) -> Headers:
    """The first ``name`` event of its reference transcript, without its Event line."""
    for lines in ami_messages(REFERENCE[name]):
        if lines and lines[0] == f"Event: {name}":
            pairs = [tuple(line.split(": ", 1)) for line in lines[1:]]
            return [(key, value) for key, value in pairs]
    raise LookupError(f"no {name} in {REFERENCE[name]}")


def shaped(name: str, **values: str) -> Headers:
    """The reference event ``name`` with some headers changed (``Queue="billing"``)."""
    return [(key, values.get(key, value)) for key, value in template(name)]


@dataclass(frozen=True)
class Emitted:
    name: str
    headers: Headers
    marker: tuple[str, int] | None = None
    """(login, sequence number) of a marker event."""


def interface(login: str) -> str:
    return f"Local/{login}@operators/n"


@dataclass
class _Call:
    queue: str
    uniqueid: str
    channel: str
    caller: str
    rung: str
    answers: str | None
    """The operator who answers; None for a caller who gives up while ``rung`` rings."""
    steps: Iterator[Emitted] = field(init=False)


@dataclass
class ContactCenter:
    """An endless stream of events for ``operators`` operators in four queues."""

    operators: int
    seed: int = 1
    marker_share: float = 0.1
    break_share: float = 0.02
    abandon_share: float = 0.15
    markers_seen: int = 0
    _calls: list[_Call] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: iter(range(1, 1 << 62)))

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        logins = [f"op{number:03d}" for number in range(1, self.operators + 1)]
        marking = max(1, self.operators // 10)
        self.marker_logins = logins[-marking:]
        self.call_takers = logins[:-marking]
        self.memberships: dict[str, tuple[str, ...]] = {
            login: (QUEUES[index % 4], QUEUES[(index + 1) % 4])
            for index, login in enumerate(self.call_takers)
        }
        for index, login in enumerate(self.marker_logins):
            self.memberships[login] = (QUEUES[index % 4],)
        self.free = set(self.call_takers)
        self.on_break: list[str] = []
        self.calls_at_once = max(1, len(self.call_takers) // 4)

    def queues(self) -> dict[str, list[str]]:
        """Queue -> member interfaces, as the emulator's queues.conf."""
        found: dict[str, list[str]] = {queue: [] for queue in QUEUES}
        for login, queues in self.memberships.items():
            for queue in queues:
                found[queue].append(interface(login))
        return found

    def events(self) -> Iterator[Emitted]:
        while True:
            draw = self.random.random()
            if draw < self.marker_share:
                yield self._marker()
            elif draw < self.marker_share + self.break_share:
                yield from self._break_turn()
            else:
                yield from self._call_step()

    # -- the three kinds of traffic ----------------------------------------------------

    def _marker(self) -> Emitted:
        self.markers_seen += 1
        login = self.marker_logins[self.markers_seen % len(self.marker_logins)]
        headers = self._member("QueueMemberPause", login, self.memberships[login][0])
        reason = f"m{self.markers_seen}"
        changed = [(k, "1" if k == "Paused" else reason if k == "PausedReason" else v)
                   for k, v in headers]  # fmt: skip
        return Emitted("QueueMemberPause", changed, (login, self.markers_seen))

    def _break_turn(self) -> Iterator[Emitted]:
        """Someone free goes on a break, or the longest on one comes back."""
        if self.on_break and (len(self.on_break) > 3 or self.random.random() < 0.5):
            login, paused, reason = self.on_break.pop(0), "0", ""
            self.free.add(login)
        elif self.free:
            login = self.random.choice(sorted(self.free))
            paused, reason = "1", self.random.choice(BREAK_REASONS)
            self.free.discard(login)
            self.on_break.append(login)
        else:
            return
        for queue in self.memberships[login]:
            headers = self._member("QueueMemberPause", login, queue)
            pause = {"Paused": paused, "PausedReason": reason}
            yield Emitted("QueueMemberPause", [(k, pause.get(k, v)) for k, v in headers])

    def _call_step(self) -> Iterator[Emitted]:
        if len(self._calls) < self.calls_at_once and (call := self._new_call()) is not None:
            self._calls.append(call)
        if not self._calls:
            return
        call = self.random.choice(self._calls)
        step = next(call.steps, None)
        if step is None:
            self._calls.remove(call)
            self.free.update(login for login in (call.rung, call.answers) if login)
            return
        yield step

    def _new_call(self) -> _Call | None:
        queue = self.random.choice(QUEUES)
        members = sorted(login for login in self.free if queue in self.memberships[login])
        if len(members) < 2:
            return None
        rung, answers = self.random.sample(members, 2)
        gives_up = self.random.random() < self.abandon_share
        self.free.difference_update({rung} if gives_up else {rung, answers})
        number = next(self._numbers)
        call = _Call(
            queue,
            f"1795775090.{number}",
            f"Local/s@caller-remote-{number:08x};1",
            f"7900{number % 10_000_000:07d}",
            rung,
            None if gives_up else answers,
        )
        call.steps = self._script(call)
        return call

    # -- one call, as app_queue tells it ----------------------------------------------

    def _script(self, call: _Call) -> Iterator[Emitted]:
        yield Emitted("QueueCallerJoin", self._caller("QueueCallerJoin", call))
        yield from self._ring(call, call.rung)
        if call.answers is None:
            yield Emitted("QueueCallerAbandon", self._caller("QueueCallerAbandon", call))
            yield Emitted("QueueCallerLeave", self._caller("QueueCallerLeave", call))
            yield from self._statuses(call.rung, FREE, "0")
            return
        ring = self._agent("AgentRingNoAnswer", call, call.rung, RingTime="4000")
        yield Emitted("AgentRingNoAnswer", ring)
        yield from self._statuses(call.rung, FREE, "0")
        yield from self._ring(call, call.answers)
        yield Emitted("QueueCallerLeave", self._caller("QueueCallerLeave", call))
        connect = self._agent("AgentConnect", call, call.answers, HoldTime="6", RingTime="1")
        yield Emitted("AgentConnect", connect)
        yield from self._statuses(call.answers, RINGING, "1")
        talk = str(self.random.randint(30, 400))
        complete = self._agent("AgentComplete", call, call.answers, TalkTime=talk)
        yield Emitted("AgentComplete", complete)
        yield from self._statuses(call.answers, FREE, "0")

    def _ring(self, call: _Call, login: str) -> Iterator[Emitted]:
        yield Emitted("AgentCalled", self._agent("AgentCalled", call, login))
        yield from self._statuses(login, RINGING, "0")

    def _statuses(self, login: str, status: str, in_call: str) -> Iterator[Emitted]:
        for queue in self.memberships[login]:
            headers = self._member("QueueMemberStatus", login, queue)
            change = {"Status": status, "InCall": in_call}
            yield Emitted("QueueMemberStatus", [(k, change.get(k, v)) for k, v in headers])

    def _caller(self, name: str, call: _Call, **values: str) -> Headers:
        waiting = str(sum(1 for other in self._calls if other.queue == call.queue))
        return shaped(
            name,
            Channel=call.channel,
            CallerIDNum=call.caller,
            ConnectedLineNum=call.caller,
            Exten=call.queue,
            Uniqueid=call.uniqueid,
            Linkedid=call.uniqueid,
            Queue=call.queue,
            Position="1",
            Count=waiting,
            **values,
        )

    def _agent(self, name: str, call: _Call, login: str, **values: str) -> Headers:
        leg = next(self._numbers)
        return self._caller(
            name,
            call,
            DestChannel=f"Local/{login}@operators-{leg:08x};1",
            DestCallerIDNum=call.caller,
            DestExten=call.queue,
            DestUniqueid=f"1795775090.{leg}",
            DestLinkedid=call.uniqueid,
            Interface=interface(login),
            MemberName=login,
            **values,
        )

    def _member(self, name: str, login: str, queue: str) -> Headers:
        return shaped(
            name,
            Queue=queue,
            MemberName=login,
            Interface=interface(login),
            StateInterface=interface(login),
            Wrapuptime="0",
        )
