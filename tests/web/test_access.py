"""Who reaches which route: sessions, roles, CSRF and same-origin checks."""

from __future__ import annotations

import re

import aiohttp
import pytest
from aiohttp import web as aiohttp_web
from aiohttp.test_utils import TestClient, TestServer

from callgrid.web.access import is_public, route_roles
from callgrid.web.app import build_web_app
from tests.web.conftest import PASSWORD, RunningWeb

OUTAGE = {
    "area": "Kirovsky",
    "kind": "planned",
    "cause": "transformer replacement",
    "starts_at": "2026-11-27 14:00",
    "restore_at": "2026-11-27 18:00",
}
FOREIGN = "http://evil.example"


def concrete_path(route: aiohttp_web.AbstractRoute) -> str:
    """The route's path with each ``{part}`` filled in (a file for the static folder)."""
    if isinstance(route.resource, aiohttp_web.StaticResource):
        return route.resource.canonical + "/callgrid.css"
    return re.sub(r"\{[^}]*\}", "1", route.resource.canonical if route.resource else "")


async def test_every_route_of_the_full_app_refuses_without_a_session(web: RunningWeb) -> None:
    app = build_web_app(web.engine)
    checked, public = [], []
    async with aiohttp.ClientSession(web.url) as client:
        for route in app.router.routes():
            path = concrete_path(route)
            if is_public(path):
                public.append(path)
                continue
            assert route_roles(app, route), f"{route.method} {path} declares no roles"
            method = "GET" if route.method == "*" else route.method
            async with client.request(method, path, allow_redirects=False) as response:
                if path.startswith(("/api/", "/ws/")):
                    assert response.status == 401, f"{method} {path}"
                else:
                    assert response.status == 303, f"{method} {path}"
                    assert response.headers["Location"].startswith("/sign-in")
            checked.append(f"{method} {path}")
    assert {"GET /", "GET /admin/audit", "GET /ws/live", "GET /api/outages"} <= set(checked)
    assert set(public) <= {
        "/static/callgrid.css",
        "/sign-in",
        "/health",
        "/livez",
        "/readyz",
        "/metrics",
    }


async def test_an_operator_is_refused_the_supervisor_and_audit_pages(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        for path in ("/", "/admin/audit"):
            async with client.get(path) as page:
                assert page.status == 403, path
                assert "Your role does not allow this page" in await page.text()
        async with client.get("/account") as own:
            assert own.status == 200


async def test_outages_are_read_by_operators_and_added_by_dispatch(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    await web.add_user("dmitry", "dispatch")
    async with web.client() as operator, web.client() as dispatcher:
        await web.sign_in(operator, "olga")
        await web.sign_in(dispatcher, "dmitry")
        refused = await operator.post(
            "/api/outages", json=OUTAGE, headers={"X-CSRF-Token": await web.csrf_token(operator)}
        )
        assert refused.status == 403
        added = await dispatcher.post(
            "/api/outages",
            json=OUTAGE,
            headers={"X-CSRF-Token": await web.csrf_token(dispatcher)},
        )
        assert added.status == 201
        listed = await operator.get("/api/outages")
        assert [o["cause"] for o in await listed.json()] == ["transformer replacement"]
    entries, _ = await web.audit_log.page(1, 10)
    change = entries[0]
    assert (change.action, change.actor, change.subject_kind, change.subject_id) == (
        "outage.added",
        "dmitry",
        "outage",
        "Kirovsky",
    )
    assert change.details["cause"] == "transformer replacement"


@pytest.mark.parametrize(
    ("origin", "with_token"), [(None, False), (FOREIGN, True)], ids=["no-token", "foreign-origin"]
)
async def test_an_unsafe_request_needs_the_token_and_the_sites_origin(
    web: RunningWeb, origin: str | None, with_token: bool
) -> None:
    await web.add_user("dmitry", "dispatch")
    async with web.client() as client:
        await web.sign_in(client, "dmitry")
        headers = {"Origin": origin or web.url}
        if with_token:
            headers["X-CSRF-Token"] = await web.csrf_token(client)
        async with client.post("/api/outages", json=OUTAGE, headers=headers) as response:
            assert response.status == 403
        async with client.get("/api/outages") as listed:
            assert await listed.json() == []


async def test_a_form_from_another_site_cannot_sign_anyone_in(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    async with web.client(Origin=FOREIGN) as client:
        assert (await web.sign_in(client, "olga")).status == 403


async def test_the_live_socket_refuses_a_foreign_origin(web: RunningWeb) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws/live", origin=FOREIGN)
        assert refused.value.status == 403
        async with client.ws_connect("/ws/live", origin=web.url) as socket:
            first = await socket.receive_json(timeout=5)
        assert first["topic"] == "engine.state"


async def test_the_audit_page_lists_the_newest_first_a_page_at_a_time(web: RunningWeb) -> None:
    await web.add_user("anna", "admin")
    for number in range(60):
        await web.audit_log.record(
            "customer.read", actor="olga", source="10.0.0.7", subject_id=number
        )
        web.clock.advance(1)
    async with web.client() as client:
        await web.sign_in(client, "anna")
        first = await (await client.get("/admin/audit")).text()
        second = await (await client.get("/admin/audit?page=2")).text()
        bad = await client.get("/admin/audit?page=zero")
    assert first.index("sign_in") < first.index(">customer.read<")
    assert "?page=2" in first and "10.0.0.7" in first
    assert " 10</td>" in second and " 59</td>" not in second
    assert bad.status == 400


async def test_a_route_added_without_roles_is_refused_even_to_an_admin(web: RunningWeb) -> None:
    async def forgotten(request: aiohttp_web.Request) -> aiohttp_web.Response:
        return aiohttp_web.Response(text="customer list")

    app = build_web_app(web.engine)
    app.router.add_get("/forgotten", forgotten)
    await web.add_user("anna", "admin")
    async with TestClient(TestServer(app)) as client:
        response = await client.post(
            "/sign-in",
            data={"login": "anna", "password": PASSWORD},
            headers={"Origin": str(client.make_url("")).rstrip("/")},
            allow_redirects=False,
        )
        assert response.status == 303
        refused = await client.get("/forgotten")
        assert refused.status == 403
        assert "customer list" not in await refused.text()
