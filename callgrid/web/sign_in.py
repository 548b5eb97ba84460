"""Signing in and out. Failed attempts are counted in the audit log: after too many for
a login or from an address within the window, attempts are refused unchecked."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp_jinja2
from aiohttp import web

from callgrid.web.access import (
    POLICY_KEY,
    SESSIONS_KEY,
    SIGN_IN_PATH,
    add_protected,
    form_field,
    signed_in,
)
from callgrid.web.audit import AUDIT_KEY, AuditLog
from callgrid.web.sessions import SESSION_COOKIE, WebPolicy
from callgrid.web.users import Role, User, Users

USERS_KEY: web.AppKey[Users] = web.AppKey("web_users")
THROTTLE_KEY: web.AppKey[SignInThrottle] = web.AppKey("sign_in_throttle")
SIGNED_IN = "sign_in"
SIGN_IN_FAILED = "sign_in.failed"
SIGN_IN_REFUSED = "sign_in.refused"
SIGNED_OUT = "sign_out"
SIGN_IN_LOGIN_FIELD_MAX = 64


def landing_page(user: User) -> str:
    """Where a user lands after signing in: the supervisor home, or their account page."""
    return "/" if user.has_any({Role.SUPERVISOR, Role.ADMIN}) else "/account"


def safe_next(target: str) -> str:
    """A page of this site to return to after sign-in; never another site (``//x``)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return ""


class SignInThrottle:
    """Failed sign-ins for a login or from an address, counted over the window. An
    attempt still being checked in this process counts as a failure, so a burst of
    attempts at once gets no more tries than one after another."""

    def __init__(self, audit_log: AuditLog, policy: WebPolicy) -> None:
        self.audit_log = audit_log
        self.policy = policy
        self.checking: Counter[str] = Counter()

    @asynccontextmanager
    async def attempt(self, login: str, address: str) -> AsyncIterator[bool]:
        """Whether this attempt may be checked; it counts until the block ends (and its
        failure, if it failed, is recorded)."""
        keys = (f"login {login}", f"address {address}")
        others = [self.checking[key] for key in keys]
        self.checking.update(keys)
        try:
            since = self.audit_log.clock() - self.policy.sign_in_window
            by_login = await self.audit_log.count_since(SIGN_IN_FAILED, since, actor=login)
            by_address = await self.audit_log.count_since(SIGN_IN_FAILED, since, source=address)
            failures = max(by_login + others[0], by_address + others[1])
            yield failures < self.policy.sign_in_failures
        finally:
            self.checking.subtract(keys)
            for key in keys:
                if self.checking[key] <= 0:
                    del self.checking[key]


def _form(request: web.Request, status: int, error: str, login: str, target: str) -> web.Response:
    context = {"error": error, "login": login, "next": target, "user": None}
    return aiohttp_jinja2.render_template("sign_in.html", request, context, status=status)


async def sign_in_page(request: web.Request) -> web.Response:
    return _form(request, 200, "", "", safe_next(request.query.get("next", "")))


async def sign_in(request: web.Request) -> web.StreamResponse:
    login = (await form_field(request, "login")).strip().lower()[:SIGN_IN_LOGIN_FIELD_MAX]
    password = await form_field(request, "password")
    target = safe_next(await form_field(request, "next"))
    address = request.remote or ""
    audit_log, policy = request.app[AUDIT_KEY], request.app[POLICY_KEY]
    async with request.app[THROTTLE_KEY].attempt(login, address) as allowed:
        if not allowed:
            await audit_log.record(SIGN_IN_REFUSED, actor=login, source=address)
            minutes = int(policy.sign_in_window.total_seconds() // 60)
            error = f"Too many failed sign-ins. Try again in {minutes} minutes."
            return _form(request, 429, error, login, target)
        user = await request.app[USERS_KEY].verify(login, password)
        if user is None:
            await audit_log.record(SIGN_IN_FAILED, actor=login, source=address)
            return _form(request, 401, "Wrong login or password.", login, target)
    session_id = await request.app[SESSIONS_KEY].start(user)
    await audit_log.record(
        SIGNED_IN, actor=user.login, source=address, subject_kind="user", subject_id=user.id
    )
    landing = target if target not in ("", "/") else landing_page(user)
    response = web.Response(status=303, headers={"Location": landing})
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure or policy.secure_cookies,
        max_age=int(policy.session_lifetime.total_seconds()),
    )
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    user = signed_in(request)
    await request.app[SESSIONS_KEY].end(request.cookies.get(SESSION_COOKIE, ""))
    await request.app[AUDIT_KEY].record(
        SIGNED_OUT,
        actor=user.login,
        source=request.remote or "",
        subject_kind="user",
        subject_id=user.id,
    )
    response = web.Response(status=303, headers={"Location": SIGN_IN_PATH})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


def add_routes(app: web.Application) -> None:
    app[THROTTLE_KEY] = SignInThrottle(app[AUDIT_KEY], app[POLICY_KEY])
    app.router.add_get(SIGN_IN_PATH, sign_in_page)
    app.router.add_post(SIGN_IN_PATH, sign_in)
    add_protected(app, "POST", "/sign-out", sign_out, roles=set(Role))
