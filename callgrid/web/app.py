"""The web application factory: the shell's routes, then each capability's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from callgrid.engine import Engine

ENGINE_KEY: web.AppKey[Engine] = web.AppKey("engine")


def build_web_app(engine: Engine) -> web.Application:
    from callgrid.web.health import health

    app = web.Application()
    app[ENGINE_KEY] = engine
    app.router.add_get("/health", health)
    for setup in engine.host.web_setups:
        setup(app)
    return app
