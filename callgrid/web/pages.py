"""The shell's own pages: the supervisor home, the account page, the audit log."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiMapping

from callgrid.web.access import SESSION_KEY, add_protected
from callgrid.web.audit import AUDIT_KEY
from callgrid.web.live import ERRORS_KEY, engine_state
from callgrid.web.users import Role

AUDIT_PAGE_SIZE = 50
AUDIT_PAGE = re.compile(r"[1-9][0-9]{0,9}")
LAST_PAGE = 10**9
"""Far beyond any audit log; keeps the row offset within what a database counts."""
SUPERVISORS = {Role.SUPERVISOR, Role.ADMIN}


def render_page(
    request: web.Request, template: str, context: Mapping[str, Any], status: int = 200
) -> web.Response:
    """A page for the signed-in user: the menu and sign-out form get their user and
    the CSRF token every form of the page carries."""
    session = request[SESSION_KEY]
    full = {**context, "user": session.user, "csrf_token": session.csrf_token}
    return aiohttp_jinja2.render_template(template, request, full, status=status)


async def home(request: web.Request) -> web.Response:
    from callgrid.web.app import ENGINE_KEY

    state = engine_state(request.app[ENGINE_KEY], request.app[ERRORS_KEY])
    return render_page(request, "home.html", {"state": state})


async def account(request: web.Request) -> web.Response:
    return render_page(request, "account.html", {})


def page_number(query: MultiMapping[str]) -> int:
    """The page asked for in ``?page=``; 1 when absent or empty, HTTP 400 unless one
    whole number from 1 to :data:`LAST_PAGE`."""
    given = [value for value in query.getall("page", []) if value]
    if not given:
        return 1
    raw = given[0]
    if len(given) > 1 or not AUDIT_PAGE.fullmatch(raw) or int(raw) > LAST_PAGE:
        shown = "&".join(f"page={value}" for value in given)[:40]
        raise web.HTTPBadRequest(text=f"{shown!r}: give one page number from 1 to {LAST_PAGE:,}")
    return int(raw)


async def audit_page(request: web.Request) -> web.Response:
    number = page_number(request.query)
    entries, more = await request.app[AUDIT_KEY].page(number, AUDIT_PAGE_SIZE)
    return render_page(request, "audit.html", {"entries": entries, "page": number, "more": more})


def add_routes(app: web.Application) -> None:
    add_protected(app, "GET", "/", home, roles=SUPERVISORS)
    add_protected(app, "GET", "/account", account, roles=set(Role))
    add_protected(app, "GET", "/admin/audit", audit_page, roles={Role.ADMIN})
