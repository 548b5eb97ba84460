"""The supervisor's wallboard: ``/wallboard`` and its live figures over the WebSocket
``/ws/wallboard``, sent again after every change of an operator's state, of a queue, of
a callback's kept place and of the AMI link (at most once a second)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from aiohttp import hdrs, web

from callcenter.board import Board
from callcenter.emergency import EmergencyMode
from callcenter.operator_store import SqlOperators
from callcenter.operator_watch import OPERATORS_TOPIC
from callcenter.queue_call_store import SqlQueueCalls
from callcenter.queue_call_watch import QUEUES_TOPIC, QueueCallWatch
from callcenter.storage import KEPT_PLACES_TOPIC, SqlTasks
from callcenter.wallboard import WallboardRules, wallboard_of
from callgrid.events import EventHub
from callgrid.web.access import add_protected, form_field, signed_in
from callgrid.web.audit import audit
from callgrid.web.live import figures_socket
from callgrid.web.pages import render_page
from callgrid.web.users import Role
from telephony.ami import AmiClient
from worktime.clock import Clock, local_zone

SCRIPT = Path(__file__).with_name("static") / "wallboard.js"
LINK_TOPIC = "ami.link"


@dataclass
class WallboardSources:
    operators: SqlOperators
    stays: SqlQueueCalls
    waiting: QueueCallWatch | None
    """None in a process without the AMI link."""
    ami: Callable[[], AmiClient | None]
    board: Board | None
    """The operators' board of this process's link: when the link was lost."""
    events: EventHub
    emergency: EmergencyMode
    rules: WallboardRules
    clock: Clock
    tasks: SqlTasks
    """The callbacks keeping a queue place, counted beside the callers waiting live."""

    def __post_init__(self) -> None:
        self._computing = asyncio.Lock()
        self._last: tuple[float, dict[str, Any]] | None = None

    async def shared(self, since: float) -> dict[str, Any]:
        """The figures computed no earlier than loop time ``since``: the pages an event
        wakes share one computation instead of one each."""
        async with self._computing:
            if self._last is not None and self._last[0] >= since:
                return self._last[1]
            taken = asyncio.get_running_loop().time()
            figures = await self.figures()
            self._last = (taken, figures)
            return figures

    async def figures(self) -> dict[str, Any]:
        now = self.clock()
        zone = local_zone()
        midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
        ami = self.ami()
        switch = await self.emergency.state()
        rules = self.rules
        figures = wallboard_of(
            now,
            await self.operators.now(),
            None if self.waiting is None else self.waiting.waiting(),
            await self.stays.figures_between(
                midnight, now, rules.answer_seconds, rules.short_abandon_seconds
            ),
            None if ami is None else ami.is_connected,
            None if self.board is None else self.board.lost_at,
            rules,
            await self.tasks.kept_per_queue(),
        )
        figures["emergency"] = {
            "on": switch.on,
            "set_by": switch.set_by,
            "wait_seconds": await self.emergency.queue_wait(self.emergency.answer_seconds),
        }
        return figures


SOURCES_KEY: web.AppKey[WallboardSources] = web.AppKey("wallboard_sources")


async def page(request: web.Request) -> web.Response:
    board = await request.app[SOURCES_KEY].figures()
    return render_page(request, "callcenter_wallboard.html", {"board": board})


async def socket(request: web.Request) -> web.WebSocketResponse:
    sources = request.app[SOURCES_KEY]
    topics = (OPERATORS_TOPIC, QUEUES_TOPIC, KEPT_PLACES_TOPIC, LINK_TOPIC)
    loop = asyncio.get_running_loop()
    return await figures_socket(
        request, sources.events, topics, lambda: sources.shared(loop.time()), what="wallboard"
    )


async def set_emergency(request: web.Request) -> web.Response:
    """The supervisor's switch: callers wait up to 3 min instead of 40 s (CC-2)."""
    sources = request.app[SOURCES_KEY]
    on = await form_field(request, "on") == "yes"
    await sources.emergency.set(on, signed_in(request).login)
    await audit(request, "callcenter.emergency", details={"on": on})
    sources.events.publish(QUEUES_TOPIC, emergency=on)
    raise web.HTTPSeeOther("/wallboard")


async def script(request: web.Request) -> web.FileResponse:
    return web.FileResponse(SCRIPT, headers={hdrs.CONTENT_TYPE: "text/javascript"})


def add_routes(app: web.Application, sources: WallboardSources) -> None:
    app[SOURCES_KEY] = sources
    roles = {Role.SUPERVISOR}
    add_protected(app, "GET", "/wallboard", page, roles=roles)
    add_protected(app, "GET", "/wallboard/wallboard.js", script, roles=roles)
    add_protected(app, "GET", "/ws/wallboard", socket, roles=roles)
    add_protected(app, "POST", "/wallboard/emergency", set_emergency, roles=roles)
