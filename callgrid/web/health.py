"""The endpoints monitoring polls (CC-10), reachable without signing in.

``/livez``: the process answers. ``/readyz`` (and ``/health``, its old name): every part
this process runs can serve now — the database, the FastAGI listener, the AMI link
when AMI is enabled, and what the capabilities registered with
``host.add_readiness``; 503 with the reasons otherwise. ``/metrics``: Prometheus.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from callgrid.logs import REDACT
from callgrid.metrics import REGISTRY, AmiState, FastAgiState, engine_registry
from callgrid.web.app import ENGINE_KEY

if TYPE_CHECKING:
    from callgrid.database import Database
    from telephony.agi import FastAgiServer
    from telephony.ami import AmiClient

DATABASE_TIMEOUT = 2.0
"""Seconds a ``SELECT 1`` may take before the database counts as down."""
Check = tuple[bool, dict[str, Any]]


async def database_check(database: Database, timeout: float = DATABASE_TIMEOUT) -> Check:
    try:
        async with asyncio.timeout(timeout):
            async with database.session() as session:
                await session.execute(text("SELECT 1"))
    except TimeoutError:
        return False, {"error": f"no answer to SELECT 1 within {timeout:g} s"}
    except Exception as error:  # the report must come back whatever the database does
        return False, {"error": _first_line(error)}
    return True, {}


def fastagi_check(agi: FastAgiServer | None) -> Check:
    if agi is None:
        return False, {"error": "not started"}
    state = FastAgiState.of(agi)
    details: dict[str, Any] = asdict(state)
    if not state.listening:
        details["error"] = "not listening"
    return state.listening, details


def ami_check(ami: AmiClient | None) -> Check:
    if ami is None:
        return False, {"error": "not started"}
    state = AmiState.of(ami)
    details: dict[str, Any] = asdict(state)
    del details["last_error"]
    if not state.connected:
        details["error"] = state.last_error or "connecting"
    return state.connected, details


def registered_check(check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as error:  # one broken check must not hide the others
        return False, {"error": f"the check failed: {_first_line(error)}"}


def readiness_report(checks: dict[str, Check]) -> tuple[bool, dict[str, Any]]:
    """The body /readyz answers: each part with its details, and why it is not ready."""
    report: dict[str, Any] = {}
    reasons = []
    for name, (ok, details) in checks.items():
        report[name] = {"ok": ok, **details}
        if not ok:
            reasons.append(f"{name}: {details.get('error', 'down')}")
    ready = not reasons
    return ready, {"ok": ready, **report, **({"reasons": reasons} if reasons else {})}


async def readyz(request: web.Request) -> web.Response:
    engine = request.app[ENGINE_KEY]
    checks = {"database": await database_check(engine.database)}
    if "agi" in engine.parts:
        checks["fastagi"] = fastagi_check(engine.agi)
    if "ami" in engine.parts and engine.settings.ami_enabled:
        checks["ami"] = ami_check(engine.ami)
    for name, check in engine.host.readiness.items():
        checks[name] = registered_check(check)
    ready, report = readiness_report(checks)
    return web.json_response(report, status=200 if ready else 503)


health = readyz
"""``/health``: what older monitoring polls, the same answer as ``/readyz``."""


async def livez(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def metrics(request: web.Request) -> web.Response:
    engine = request.app[ENGINE_KEY]
    body = generate_latest(REGISTRY) + generate_latest(engine_registry(engine))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


ROUTES: dict[str, Callable[[web.Request], Awaitable[web.Response]]] = {
    "/livez": livez,
    "/readyz": readyz,
    "/health": health,
    "/metrics": metrics,
}


def add_routes(app: web.Application) -> None:
    """Register the monitoring routes not registered yet (``/health`` may already be)."""
    taken = {resource.canonical for resource in app.router.resources()}
    for path, handler in ROUTES.items():
        if path not in taken:
            app.router.add_get(path, handler)


def _first_line(error: BaseException) -> str:
    lines = REDACT(str(error)).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
