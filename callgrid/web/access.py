"""Who may reach which route.

Every route needs a signed-in session, except the allow-list (:data:`PUBLIC_PATHS` and
``/static/``). Each protected route names its roles where it is added, with
:func:`protect` or :func:`add_protected`; a route that names none is refused to
everyone, so a route added without a thought for access stays closed. Unsafe methods
need the session's CSRF token and a same-origin ``Origin``/``Referer``; the WebSocket
handshake needs a same-origin ``Origin``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import quote, urlsplit

import aiohttp_jinja2
from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from callgrid.web.sessions import SESSION_COOKIE, SessionStore, WebPolicy, WebSession
from callgrid.web.users import Role, User

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SIGN_IN_PATH = "/sign-in"
PUBLIC_PATHS = frozenset({"/livez", "/readyz", "/metrics", "/health", SIGN_IN_PATH})
STATIC_PREFIX = "/static/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
EVERY_ROLE = frozenset(Role)

ACCESS_KEY: web.AppKey[dict[web.AbstractRoute, frozenset[Role]]] = web.AppKey("route_roles")
MAX_BODY_KEY: web.AppKey[dict[web.AbstractRoute, int]] = web.AppKey("route_max_body")
SESSIONS_KEY: web.AppKey[SessionStore] = web.AppKey("web_sessions")
POLICY_KEY: web.AppKey[WebPolicy] = web.AppKey("web_policy")
SESSION_KEY: web.RequestKey[WebSession] = web.RequestKey("web_session")


def protect(app: web.Application, route: web.AbstractRoute, roles: Iterable[Role | str]) -> None:
    """Let users with any of ``roles`` reach ``route`` (and the HEAD twin of a GET)."""
    allowed = frozenset(Role(role) for role in roles)
    if not allowed:
        raise ValueError(f"route {route.method} {route.resource} is given no role")
    access = app.setdefault(ACCESS_KEY, {})
    access[route] = allowed
    if route.method == hdrs.METH_GET and route.resource is not None:
        for sibling in route.resource:
            if sibling.method == hdrs.METH_HEAD and sibling.handler is route.handler:
                access[sibling] = allowed


def add_protected(
    app: web.Application,
    method: str,
    path: str,
    handler: Handler,
    *,
    roles: Iterable[Role | str],
    max_body: int | None = None,
) -> web.AbstractRoute:
    """``app.router.add_route`` and :func:`protect` in one. ``max_body`` lets a
    signed-in user's request to the route be that large (a file upload)."""
    route = app.router.add_route(method, path, handler)
    protect(app, route, roles)
    if max_body is not None:
        app.setdefault(MAX_BODY_KEY, {})[route] = max_body
    return route


def route_roles(app: web.Application, route: web.AbstractRoute) -> frozenset[Role] | None:
    return app.get(ACCESS_KEY, {}).get(route)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(STATIC_PREFIX)


def is_api(path: str) -> bool:
    return path.startswith(("/api/", "/ws/"))


def signed_in(request: web.Request) -> User:
    """The user of a request that passed the access check."""
    return request[SESSION_KEY].user


def same_origin(claimed: str, expected: Iterable[str]) -> bool:
    """Whether an ``Origin`` (or a ``Referer`` URL) is one of the site's own origins."""
    try:
        parts = urlsplit(claimed)
    except ValueError:  # "http://[" and the like
        return False
    return bool(parts.scheme and parts.netloc) and (
        f"{parts.scheme}://{parts.netloc}".lower() in {e.lower() for e in expected}
    )


def own_origins(request: web.Request, policy: WebPolicy) -> list[str]:
    origins = [f"{request.scheme}://{request.host}"]
    if policy.secure_cookies:  # https ends at a proxy in front of the engine
        origins.append(f"https://{request.host}")
    return origins


def origin_allowed(request: web.Request, policy: WebPolicy, *, required: bool) -> bool:
    """Unsafe requests and WebSocket handshakes must come from the site's own pages.
    Browsers send ``Origin`` on both; ``Referer`` stands in for it on old ones."""
    claimed = request.headers.get(hdrs.ORIGIN) or request.headers.get(hdrs.REFERER)
    if not claimed:
        return not required
    return same_origin(claimed, own_origins(request, policy))


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


async def form_field(request: web.Request, name: str) -> str:
    """A text field of the posted form; "" when absent or not text (a file). A body
    that cannot be read as a form (not UTF-8, a broken multipart) is HTTP 400."""
    if request.content_type not in FORM_TYPES:
        return ""
    try:
        value = (await request.post()).get(name, "")
    except (ValueError, LookupError, HttpProcessingError) as error:
        # a part's header that is no header raises aiohttp's own InvalidHeader
        reason = error.message if isinstance(error, HttpProcessingError) else str(error)
        raise web.HTTPBadRequest(text=f"the form cannot be read: {reason[:200]}") from None
    return value if isinstance(value, str) else ""


async def csrf_matches(request: web.Request, session: WebSession) -> bool:
    given = request.headers.get(CSRF_HEADER, "") or await form_field(request, CSRF_FIELD)
    return bool(given) and hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), session.csrf_token.encode()
    )


def refuse(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    if is_api(request.path):
        return web.json_response({"error": reason}, status=status)
    context = {"reason": reason, "user": None}
    session = request.get(SESSION_KEY)
    if session is not None:
        context.update(user=session.user, csrf_token=session.csrf_token)
    return aiohttp_jinja2.render_template("refused.html", request, context, status=status)


def to_sign_in(request: web.Request) -> web.StreamResponse:
    if is_api(request.path):
        return web.json_response({"error": "sign in first"}, status=401)
    target = SIGN_IN_PATH
    if request.method in SAFE_METHODS:
        target += "?next=" + quote(request.path_qs, safe="")
    return web.Response(status=303, headers={hdrs.LOCATION: target})


@web.middleware
async def access_control(request: web.Request, handler: Handler) -> web.StreamResponse:
    policy = request.app[POLICY_KEY]
    unsafe = request.method not in SAFE_METHODS
    if is_public(request.path):
        if unsafe and not origin_allowed(request, policy, required=False):
            return refuse(request, 403, "the form was sent from another site")
        return await handler(request)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    session = await request.app[SESSIONS_KEY].resume(cookie) if cookie else None
    if session is None:
        return to_sign_in(request)
    route = request.match_info.route
    max_body = request.app.get(MAX_BODY_KEY, {}).get(route)
    if max_body is not None:  # an upload, and its sender signed in: past aiohttp's 1 MiB
        request = request.clone(client_max_size=max_body)
    request[SESSION_KEY] = session
    if request.match_info.http_exception is not None:
        raise request.match_info.http_exception
    roles = route_roles(request.app, route)
    if roles is None:
        log.warning("refused %s %s: the route declares no roles", request.method, request.path)
        return refuse(request, 403, "this address is open to no role")
    if not session.user.has_any(roles):
        return refuse(request, 403, "your role does not allow this page")
    websocket = request.headers.get(hdrs.UPGRADE, "").lower() == "websocket"
    if (unsafe or websocket) and not origin_allowed(request, policy, required=websocket):
        return refuse(request, 403, "the request came from another site")
    if unsafe and not await csrf_matches(request, session):
        return refuse(request, 403, "the form has expired: reload the page and try again")
    return await handler(request)
