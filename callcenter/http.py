"""The outage API for dispatchers: ``GET`` and ``POST /api/outages``.

Dispatchers, supervisors and operators read the board; dispatchers and supervisors
add to it, and every outage added is recorded in the audit log."""

from __future__ import annotations

from aiohttp import web

from callcenter.outages import MAX_AREA_LENGTH, outage_from_row
from callcenter.storage import SqlOutages
from callgrid.web.access import add_protected
from callgrid.web.audit import audit
from callgrid.web.users import Role
from customers.cell_text import text_problem
from worktime.clock import Clock

READERS = {Role.DISPATCH, Role.SUPERVISOR, Role.OPERATOR}
WRITERS = {Role.DISPATCH, Role.SUPERVISOR}
OUTAGES_KEY: web.AppKey[SqlOutages] = web.AppKey("outages")
CLOCK_KEY: web.AppKey[Clock] = web.AppKey("callcenter_clock")


async def list_outages(request: web.Request) -> web.Response:
    """``GET /api/outages?area=…``: the outages not yet over in an area."""
    board, clock = request.app[OUTAGES_KEY], request.app[CLOCK_KEY]
    area = request.query.get("area", "").strip()
    problem = text_problem(area, MAX_AREA_LENGTH)
    if problem is not None:
        return web.json_response({"error": f"area: {problem}"}, status=400)
    now = clock()
    areas = [area] if area else await board.areas(now)
    found = [o for name in areas for o in await board.current(name, now)]
    return web.json_response(
        [
            {
                "area": o.area,
                "kind": o.kind.value,
                "cause": o.cause,
                "starts_at": o.starts_at.isoformat(),
                "restore_at": o.restore_at.isoformat(),
            }
            for o in found
        ]
    )


async def add_outage(request: web.Request) -> web.Response:
    """``POST /api/outages`` with one outage as JSON (local times: 2026-11-27 14:00)."""
    board, clock = request.app[OUTAGES_KEY], request.app[CLOCK_KEY]
    if request.content_type != "application/json":
        error = f"send the outage as application/json, not {request.content_type}"
        return web.json_response({"error": error}, status=415)
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("send one outage as a JSON object")
        outage = outage_from_row(body)
    except RecursionError:
        return web.json_response({"error": "the JSON is nested too deep"}, status=400)
    except ValueError as error:
        return web.json_response({"error": str(error)}, status=400)
    await board.add(outage, clock())
    await audit(
        request,
        "outage.added",
        subject_kind="outage",
        subject_id=outage.area,
        details={
            "kind": outage.kind.value,
            "cause": outage.cause,
            "starts_at": outage.starts_at.isoformat(),
            "restore_at": outage.restore_at.isoformat(),
        },
    )
    return web.json_response({"stored": True, "area": outage.area}, status=201)


def add_routes(app: web.Application, board: SqlOutages, clock: Clock) -> None:
    app[OUTAGES_KEY] = board
    app[CLOCK_KEY] = clock
    add_protected(app, "GET", "/api/outages", list_outages, roles=READERS)
    add_protected(app, "POST", "/api/outages", add_outage, roles=WRITERS)
