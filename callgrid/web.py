"""The web side: for now the health endpoint that monitoring polls (CC-10)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

from callcenter.outages import outage_from_row

if TYPE_CHECKING:
    from callgrid.engine import Engine

ENGINE_KEY: web.AppKey[Engine] = web.AppKey("engine")


async def health(request: web.Request) -> web.Response:
    """The state of each part; 503 when the database or the telephony link is down."""
    engine = request.app[ENGINE_KEY]
    report: dict[str, Any] = {}
    healthy = True
    try:
        async with engine.database.session() as session:
            await session.execute(text("SELECT 1"))
        report["database"] = {"ok": True}
    except Exception as error:  # the report must come back whatever the database does
        report["database"] = {"ok": False, "error": str(error)}
        healthy = False
    if engine.agi is not None:
        report["fastagi"] = {
            "ok": True,
            "port": engine.agi.port,
            "active_calls": engine.agi.active_calls,
            "calls_served": engine.agi.calls_served,
        }
    if engine.ami is not None:
        connected = engine.ami.is_connected
        report["ami"] = {"ok": connected, "reconnects": engine.ami.reconnects}
        healthy = healthy and connected
    report["ok"] = healthy
    return web.json_response(report, status=200 if healthy else 503)


async def list_outages(request: web.Request) -> web.Response:
    """``GET /api/outages?area=…``: the outages not yet over in an area."""
    engine = request.app[ENGINE_KEY]
    area = request.query.get("area", "")
    now = engine.clock()
    areas = [area] if area else await engine.outages.areas(now)
    found = [o for name in areas for o in await engine.outages.current(name, now)]
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
    engine = request.app[ENGINE_KEY]
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("send one outage as a JSON object")
        outage = outage_from_row({key: str(value) for key, value in body.items()})
    except ValueError as error:
        return web.json_response({"error": str(error)}, status=400)
    await engine.outages.add(outage, engine.clock())
    return web.json_response({"stored": True, "area": outage.area}, status=201)


def build_web_app(engine: Engine) -> web.Application:
    app = web.Application()
    app[ENGINE_KEY] = engine
    app.router.add_get("/health", health)
    app.router.add_get("/api/outages", list_outages)
    app.router.add_post("/api/outages", add_outage)
    return app
