"""Transfers from the operator's desk (CC-4), as pure decisions: which target a desk's
input names, and where the caller goes after each leg — the specialist (or the other
queue), back to the operator who transferred, else back into the original queue.

The legs run in the caller's own FastAGI session (:mod:`callcenter.transfer_call`); the
caller's channel never leaves it, so MixMonitor on it records across every leg.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from telephony.interfaces import operator_login


class TargetKind(StrEnum):
    OPERATOR = "operator"
    """A specialist or another operator: a queue member's interface, or its login."""
    QUEUE = "queue"


class TransferState(StrEnum):
    REQUESTED = "requested"
    """Stored by the desk; the operator's leg is being hung up."""
    CONNECTING = "connecting"
    """The caller's session took it and rings the target."""
    ANSWERED = "answered"
    """The target took the call (``answered_by`` says who)."""
    RETURNED = "returned"
    """The target did not answer; the operator who transferred took the caller back."""
    RETURNED_UNANSWERED = "returned_unanswered"
    """Neither answered: the caller is back in the original queue."""
    CALLER_LEFT = "caller_left"
    NOT_SENT = "not_sent"
    """Asterisk refused to end the operator's leg: nothing happened to the call."""


FINAL_STATES = frozenset(TransferState) - {TransferState.REQUESTED, TransferState.CONNECTING}


@dataclass(frozen=True)
class Transfer:
    id: int
    uniqueid: str
    """The caller's channel."""
    queue: str
    """The queue the caller came through: where they go back when nobody answers."""
    from_operator: str
    from_interface: str
    target_kind: TargetKind
    target: str
    """The member interface dialled, or the queue joined."""
    requested_by: str
    requested_at: datetime
    state: TransferState = TransferState.REQUESTED
    answered_by: str | None = None
    ended_at: datetime | None = None


class TargetError(ValueError):
    """The desk's input names no one the call can go to; the text says why."""


@dataclass(frozen=True)
class Members:
    """Who can be transferred to: the queues' members by login, and the queues."""

    interfaces: Mapping[str, Iterable[str]]
    """Each operator's member interfaces, by login."""
    queues: Iterable[str]


def resolve_target(kind: str, target: str, members: Members, from_interface: str) -> str:
    """The interface to dial or the queue to join for what the operator typed: a login
    (``olga``), a member interface (``PJSIP/olga``) or a queue name."""
    name = target.strip()
    if not name:
        raise TargetError("say whom to transfer the call to")
    if kind == TargetKind.QUEUE:
        if name not in set(members.queues):
            raise TargetError(f"there is no queue {name[:64]!r}")
        return name
    if kind != TargetKind.OPERATOR:
        raise TargetError(f"transfer to an operator or a queue, not {kind[:16]!r}")
    if "/" in name:
        known = {i for interfaces in members.interfaces.values() for i in interfaces}
        found = name if name in known else None
    else:
        found = min(members.interfaces.get(name, ()), default=None)
    if found is None:
        raise TargetError(f"no operator {name[:64]!r} is in any queue")
    if operator_login(found) == operator_login(from_interface):
        raise TargetError("the call is yours already: choose someone else")
    return found


def leg_to_hang_up(member_channel: str) -> str:
    """The channel to hang up over AMI to end the operator's leg (AgentConnect's
    ``DestChannel``) so that app_queue hears the member hang up.

    An AMI Hangup is a soft hangup that publishes no hangup request, and app_queue
    reports AgentComplete only on one (apps/app_queue.c ``handle_hangup``): hanging up
    ``Local/…;1`` leaves the queue's record open until the caller's whole call ends
    (COMPLETECALLER, measured on Asterisk 22.10.1). Hanging up the ``;2`` half makes
    chan_local queue a hangup on ``;1``, which publishes one: COMPLETEAGENT at once.
    """
    if member_channel.startswith("Local/") and member_channel.endswith(";1"):
        return member_channel[:-1] + "2"
    return member_channel


class Step(StrEnum):
    TARGET = "target"
    BACK = "back"
    """Back to the operator who transferred."""


@dataclass(frozen=True)
class Leg:
    step: Step
    application: str
    """``Dial`` or ``Queue``."""
    destination: str


@dataclass(frozen=True)
class LegOutcome:
    answered: bool
    caller_present: bool
    answered_by: str = ""


@dataclass(frozen=True)
class Finished:
    state: TransferState
    answered_by: str | None = None

    @property
    def requeue(self) -> bool:
        """The caller goes back into the original queue."""
        return self.state is TransferState.RETURNED_UNANSWERED


def first_leg(transfer: Transfer) -> Leg:
    application = "Queue" if transfer.target_kind is TargetKind.QUEUE else "Dial"
    return Leg(Step.TARGET, application, transfer.target)


def after_leg(transfer: Transfer, leg: Leg, outcome: LegOutcome) -> Leg | Finished:
    """Where the caller goes once ``leg`` is over."""
    if outcome.answered:
        state = TransferState.ANSWERED if leg.step is Step.TARGET else TransferState.RETURNED
        return Finished(state, outcome.answered_by or leg.destination)
    if not outcome.caller_present:
        return Finished(TransferState.CALLER_LEFT)
    if leg.step is Step.TARGET:
        return Leg(Step.BACK, "Dial", transfer.from_interface)
    return Finished(TransferState.RETURNED_UNANSWERED)
