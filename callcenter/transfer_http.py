"""The desk's "Transfer" on the current call (CC-4): to an operator or specialist (a
queue member's login or interface) or to another queue.

The request is stored first, then the operator's own leg is hung up over AMI; the
caller's ``Queue(…,c)`` returns and the caller's FastAGI session carries the transfer out
(:mod:`callcenter.transfer_call`). Only the operator talking on the call may transfer
it, and only in the process holding the AMI link (the one that knows the calls).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from callcenter.board import Board
from callcenter.transfer import (
    Members,
    TargetError,
    TargetKind,
    Transfer,
    TransferState,
    leg_to_hang_up,
)
from callcenter.transfer import resolve_target as resolve
from callcenter.transfer_store import SqlTransfers
from callcenter.transfer_watch import CurrentCall, CurrentCalls
from callgrid.web.access import form_field
from callgrid.web.audit import audit
from telephony.ami import AmiClient
from telephony.ami.actions import Hangup
from telephony.ami.errors import AmiError
from worktime.clock import Clock


@dataclass(frozen=True)
class TransferSources:
    store: SqlTransfers
    calls: CurrentCalls | None
    """None in a process without the AMI link."""
    board: Board | None
    ami: Callable[[], AmiClient | None]
    clock: Clock


@dataclass(frozen=True)
class Refusal:
    status: int
    text: str


TRANSFERS_KEY: web.AppKey[TransferSources] = web.AppKey("desk_transfers")


def desk_context(request: web.Request, login: str) -> dict[str, Any]:
    """The operator's call now and whom it may go to, for the desk page."""
    sources = request.app.get(TRANSFERS_KEY)
    if sources is None or sources.calls is None:
        return {"call": None}
    call = sources.calls.of(login)
    members = _members(sources)
    return {
        "call": call,
        "operators": sorted(name for name in members.interfaces if name != login),
        "queues": sorted(members.queues),
    }


async def request_transfer(request: web.Request, login: str) -> Refusal | None:
    """Store the transfer asked for in the form and end the operator's leg; a refusal
    (and nothing stored) when the form asks for what cannot be done."""
    sources = request.app[TRANSFERS_KEY]
    if sources.calls is None or sources.board is None:
        return Refusal(503, "Transfers are made in the process with the AMI link")
    call = await _own_call(request, sources.calls, login)
    if isinstance(call, Refusal):
        return call
    kind, wanted = await form_field(request, "kind"), await form_field(request, "target")
    try:
        target = resolve(kind, wanted, _members(sources), call.interface)
    except TargetError as error:
        return Refusal(400, f"No transfer: {error}")
    ami = sources.ami()
    if ami is None or not ami.is_connected:
        return Refusal(503, "Asterisk cannot be told now: try again in a moment")
    transfer = await sources.store.add(
        Transfer(
            id=0, uniqueid=call.uniqueid, queue=call.queue, from_operator=login,
            from_interface=call.interface, target_kind=TargetKind(kind), target=target,
            requested_by=login, requested_at=sources.clock(),
        )
    )  # fmt: skip
    try:
        await ami.send(Hangup(leg_to_hang_up(call.member_channel)))
    except AmiError as error:
        await sources.store.finish(transfer.id, TransferState.NOT_SENT, sources.clock())
        return Refusal(502, f"Asterisk refused: {error}")
    await audit(
        request, "call.transferred", subject_kind="call", subject_id=call.uniqueid,
        details={"kind": kind, "target": target, "transfer": transfer.id},
    )  # fmt: skip
    return None


async def _own_call(request: web.Request, calls: CurrentCalls, login: str) -> CurrentCall | Refusal:
    """The call the form names (the one on the page), if it is this operator's now."""
    mine = calls.of(login)
    named = (await form_field(request, "uniqueid")).strip()
    if named and (mine is None or mine.uniqueid != named):
        if calls.by_uniqueid(named) is not None:
            return Refusal(403, "That call is another operator's: only they can transfer it")
        return Refusal(409, "That call is over: there is nothing to transfer")
    if mine is None:
        return Refusal(409, "You have no call to transfer now")
    return mine


def _members(sources: TransferSources) -> Members:
    board = sources.board
    if board is None:
        return Members({}, ())
    now = sources.clock()
    interfaces = {
        state.login: [m.interface for m in state.memberships.values()]
        for state in board.operators(now)
        if state.memberships
    }
    return Members(interfaces, board.queues())


def add_sources(app: web.Application, sources: TransferSources) -> None:
    app[TRANSFERS_KEY] = sources
