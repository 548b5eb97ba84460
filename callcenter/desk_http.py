"""The operator's desk: ``/desk`` with the operator's state and the break / ready form,
and the WebSocket ``/ws/desk`` on which the card of the customer calling pops up the
moment the operator's phone rings (an audited read of the card, CC-1, PD-1).

Breaks follow CC-3: one that would leave a queue with nobody taking its calls is
refused with the queue named. Breaks and the way back are QueuePause over the AMI
link, so they need the process that holds it (the one ``callgrid serve`` runs).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import hdrs, web

from callcenter.board import Board
from callcenter.breaks import BreakRules, Refused, break_allowed
from callcenter.callback_dial import dial_callback, number_of
from callcenter.card import card_path
from callcenter.operator_store import SqlOperators
from callcenter.operator_watch import RINGING_TOPIC
from callcenter.storage import SqlTasks, TaskError
from callcenter.tasks import OPEN, Task
from callcenter.transfer_http import desk_context, request_transfer
from callcenter.transfer_watch import CONNECTED_TOPIC
from callgrid.events import EventHub
from callgrid.web.access import add_protected, form_field, signed_in
from callgrid.web.audit import audit
from callgrid.web.live import (
    HEARTBEAT,
    MAX_RECEIVED,
    SEND_TIMEOUT,
    SOCKETS_KEY,
    forward_until_closed,
)
from callgrid.web.pages import render_page
from callgrid.web.users import Role
from customers.model import Account
from customers.reading_rules import ReadingLimits
from customers.storage import SqlCustomers
from telephony.ami import AmiClient
from telephony.ami.actions import QueuePause
from telephony.ami.errors import AmiError
from worktime.clock import Clock, local_zone

SCRIPT = Path(__file__).with_name("static") / "desk.js"
CARD_POPPED = "customer.card_popped"


@dataclass(frozen=True)
class DeskSources:
    operators: SqlOperators
    customers: SqlCustomers
    board: Board | None
    """None in a process without the AMI link."""
    ami: Callable[[], AmiClient | None]
    events: EventHub
    breaks: BreakRules
    tasks: SqlTasks
    reading_limits: ReadingLimits
    clock: Clock


SOURCES_KEY: web.AppKey[DeskSources] = web.AppKey("desk_sources")


async def desk(request: web.Request, refusal: str = "", status: int = 200) -> web.Response:
    sources, login = request.app[SOURCES_KEY], signed_in(request).login
    mine = next((state for state in await sources.operators.now() if state.login == login), None)
    now = sources.clock()
    context = {
        "me": mine,
        "seconds": round(mine.seconds_in_state(now)) if mine else 0,
        "reasons": [reason.name for reason in sources.breaks.reasons],
        "refusal": refusal,
        "tasks": [
            {"task": task, "overdue": task.overdue(now), "due": _local(task.due_at)}
            for task in await sources.tasks.open_for(login)
        ],
        **desk_context(request, login),
    }
    return render_page(request, "callcenter_desk.html", context, status=status)


async def take_break(request: web.Request) -> web.Response:
    sources, login = request.app[SOURCES_KEY], signed_in(request).login
    reason = await form_field(request, "reason")
    if sources.board is None:
        return await desk(request, "breaks are taken in the process with the AMI link", 503)
    decision = break_allowed(sources.board, login, reason, sources.clock(), sources.breaks)
    if isinstance(decision, Refused):
        return await desk(request, f"No break now: {decision.reason}", 409)
    return await _pause(request, login, True, reason)


async def back_to_work(request: web.Request) -> web.Response:
    return await _pause(request, signed_in(request).login, False, "")


async def _pause(request: web.Request, login: str, paused: bool, reason: str) -> web.Response:
    sources = request.app[SOURCES_KEY]
    ami, board = sources.ami(), sources.board
    interfaces = set() if board is None else _interfaces(board, login, sources.clock)
    if ami is None or not ami.is_connected or not interfaces:
        return await desk(request, "Asterisk cannot be told now: try again in a moment", 503)
    try:
        for interface in sorted(interfaces):
            await ami.send(QueuePause(interface, paused, reason=reason or None))
    except AmiError as error:
        return await desk(request, f"Asterisk refused: {error}", 502)
    action = "operator.break" if paused else "operator.ready"
    await audit(request, action, details={"reason": reason})
    raise web.HTTPSeeOther("/desk")


async def transfer(request: web.Request) -> web.Response:
    """Transfer the operator's current call (CC-4); see :mod:`callcenter.transfer_http`."""
    refusal = await request_transfer(request, signed_in(request).login)
    if refusal is not None:
        return await desk(request, refusal.text, refusal.status)
    raise web.HTTPSeeOther("/desk")


async def call_back(request: web.Request) -> web.Response:
    """Dial a callback: the operator's phone rings first, then the customer's (CC-5).
    Each operator dials their own, so callbacks go out no faster than operators free.

    A callback keeping its caller's queue place is taken out of the place for good
    before it is dialled (:meth:`~callcenter.storage.SqlTasks.take_place`, under the
    row lock the engine's release claims with): from then on it is an ordinary callback
    the engine no longer dials, whatever becomes of this call — the operator goes on
    with it as with any other (calls again, or marks it done). While the engine is
    dialling it (its claim holds), the desk refuses with 409 and places no call."""
    sources, login = request.app[SOURCES_KEY], signed_in(request).login
    task = await own_task(request, login)
    ami, board = sources.ami(), sources.board
    interfaces = sorted(_interfaces(board, login, sources.clock)) if board else []
    if not number_of(task):
        return await desk(request, f"Task {task.id} has no number to call", 409)
    if ami is None or not ami.is_connected or not interfaces:
        return await desk(request, "Asterisk cannot be told now: try again in a moment", 503)
    try:
        took_place = await sources.tasks.take_place(task.id, login, sources.clock())
    except TaskError as error:
        return await desk(request, str(error).capitalize(), 409)
    try:
        placed = await dial_callback(
            ami, sources.tasks, task, interfaces[0], login, sources.clock()
        )
    except AmiError as error:
        return await desk(request, f"Asterisk refused the call: {error}", 502)
    await audit(
        request, "task.callback_dialled", subject_kind="task", subject_id=task.id,
        details={"reason": placed.reason, "took_place": took_place},
    )  # fmt: skip
    raise web.HTTPSeeOther("/desk")


async def task_done(request: web.Request) -> web.Response:
    sources, login = request.app[SOURCES_KEY], signed_in(request).login
    task = await own_task(request, login)
    try:
        await sources.tasks.done(task.id, login, sources.clock())
    except TaskError as error:
        return await desk(request, str(error).capitalize(), 409)
    await audit(request, "task.done", subject_kind="task", subject_id=task.id)
    raise web.HTTPSeeOther("/desk")


async def own_task(request: web.Request, login: str) -> Task:
    """The open task of the address, if it is this operator's or anyone's; else 404."""
    text = request.match_info["task"]
    task = await request.app[SOURCES_KEY].tasks.get(int(text)) if text.isdigit() else None
    if task is None or task.status != OPEN or task.owner not in (None, login):
        raise web.HTTPNotFound(text=f"no open task {text[:12]} of yours")
    return task


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(local_zone()):%d.%m %H:%M}"


def _interfaces(board: Board, login: str, clock: Clock) -> set[str]:
    state = board.state(login, clock())
    return {membership.interface for membership in state.memberships.values()}


async def ringing_socket(request: web.Request) -> web.WebSocketResponse:
    """Who rings this operator, with their card, as each call is offered to them; and
    the call they talk on, once answered (the one the desk may transfer)."""
    sources, login = request.app[SOURCES_KEY], signed_in(request).login
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_RECEIVED)
    await socket.prepare(request)
    request.app[SOCKETS_KEY].add(socket)
    events = sources.events.subscribe(RINGING_TOPIC, CONNECTED_TOPIC)

    async def forward() -> None:
        while not socket.closed:
            event = await events.next()
            if event.data.get("login") != login:
                continue
            if event.topic == CONNECTED_TOPIC:  # the call the desk may transfer
                call = {key: event.data.get(key, "") for key in ("uniqueid", "caller", "queue")}
                async with asyncio.timeout(SEND_TIMEOUT):
                    await socket.send_str(json.dumps({"topic": CONNECTED_TOPIC, "data": call}))
                continue
            caller = str(event.data.get("caller", ""))
            accounts = await sources.customers.accounts_by_phone(caller) if caller else []
            for account in accounts:
                await audit(
                    request, CARD_POPPED, subject_kind="account", subject_id=account.number,
                    details={"caller": caller[-4:], "queue": event.data.get("queue", "")},
                )  # fmt: skip
            ring = {
                "caller": caller,
                "queue": event.data.get("queue", ""),
                "customers": [_card(account) for account in accounts],
            }
            async with asyncio.timeout(SEND_TIMEOUT):
                await socket.send_str(json.dumps({"topic": RINGING_TOPIC, "data": ring}))

    try:
        await forward_until_closed(socket, forward)
    finally:
        events.close()
        request.app[SOCKETS_KEY].discard(socket)
    return socket


def _card(account: Account) -> dict[str, Any]:
    return {
        "number": account.number,
        "name": account.name,
        "address": account.address,
        "debt": f"{account.debt:.2f}",
        "due_date": account.due_date.isoformat() if account.due_date else None,
        "vip": account.vip,
        "card": card_path(account.number),
    }


async def script(request: web.Request) -> web.FileResponse:
    return web.FileResponse(SCRIPT, headers={hdrs.CONTENT_TYPE: "text/javascript"})


def add_routes(app: web.Application, sources: DeskSources) -> None:
    app[SOURCES_KEY] = sources
    roles = {Role.OPERATOR}
    add_protected(app, "GET", "/desk", desk, roles=roles)
    add_protected(app, "GET", "/desk/desk.js", script, roles=roles)
    add_protected(app, "POST", "/desk/break", take_break, roles=roles)
    add_protected(app, "POST", "/desk/ready", back_to_work, roles=roles)
    add_protected(app, "POST", "/desk/transfer", transfer, roles=roles)
    add_protected(app, "GET", "/ws/desk", ringing_socket, roles=roles)
    add_protected(app, "POST", r"/desk/tasks/{task:\d+}/call", call_back, roles=roles)
    add_protected(app, "POST", r"/desk/tasks/{task:\d+}/done", task_done, roles=roles)
