"""Health endpoints that monitoring polls (CC-10)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

if TYPE_CHECKING:
    pass

from callgrid.web.app import ENGINE_KEY


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
