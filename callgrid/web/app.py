"""The web application factory: the shell's routes, then each capability's.

Every route is behind :mod:`callgrid.web.access`: a capability declares the roles of
each route it adds (``protect`` / ``add_protected``); only the allow-list is public.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp_jinja2
import jinja2
from aiohttp import web
from argon2 import PasswordHasher

from callgrid.plugins import ServiceKey

if TYPE_CHECKING:
    from callgrid.engine import Engine

ENGINE_KEY: web.AppKey[Engine] = web.AppKey("engine")
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
PASSWORD_HASHER: ServiceKey[PasswordHasher] = ServiceKey("web.password_hasher")
"""``Engine(..., provided=[(PASSWORD_HASHER, PasswordHasher(...))])``: cheap hashing in
tests; argon2's defaults otherwise."""
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


def build_web_app(engine: Engine) -> web.Application:
    from callgrid.web import health, live, pages, sign_in
    from callgrid.web.access import POLICY_KEY, SESSIONS_KEY, access_control
    from callgrid.web.audit import AUDIT_KEY, AuditLog
    from callgrid.web.sessions import SessionStore, WebPolicy
    from callgrid.web.users import Users

    policy = WebPolicy.of(engine.settings)
    app = web.Application(middlewares=[access_control])
    app[ENGINE_KEY] = engine
    app[POLICY_KEY] = policy
    app[SESSIONS_KEY] = SessionStore(engine.database, engine.clock, policy)
    app[AUDIT_KEY] = AuditLog(engine.database, engine.clock)
    app[sign_in.USERS_KEY] = Users(engine.database, engine.clock, engine.host.find(PASSWORD_HASHER))
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader([TEMPLATES, *engine.host.template_folders]),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    app.on_response_prepare.append(security_headers)
    app.router.add_static("/static/", STATIC)
    health.add_routes(app)
    sign_in.add_routes(app)
    pages.add_routes(app)
    live.add_routes(app, engine, engine.clock, policy.live_interval)
    for setup in engine.host.web_setups:
        setup(app)
    return app
