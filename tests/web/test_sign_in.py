"""Signing in and out, sessions, the throttle, passwords at rest."""

from __future__ import annotations

from sqlalchemy import text

from callgrid.web.sign_in import safe_next
from tests.web.conftest import PASSWORD, RunningWeb


async def test_signing_in_lands_a_supervisor_on_the_engine_page(web: RunningWeb) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        response = await web.sign_in(client, "Sofia")
        assert response.status == 303
        assert response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with client.get("/") as page:
            assert page.status == 200
            assert "Calls in progress" in await page.text()
    entries, _ = await web.audit_log.page(1, 10)
    assert [(e.action, e.actor) for e in entries] == [("sign_in", "sofia")]


async def test_a_wrong_password_is_refused_and_recorded_without_it(web: RunningWeb) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        response = await web.sign_in(client, "sofia", "not the password")
        assert response.status == 401
        async with client.get("/", allow_redirects=False) as page:
            assert page.status == 303
    entries, _ = await web.audit_log.page(1, 10)
    assert [(e.action, e.actor, e.source) for e in entries] == [
        ("sign_in.failed", "sofia", "127.0.0.1")
    ]
    assert "not the password" not in repr(entries)


async def test_sign_in_is_refused_after_five_failures_until_the_window_passes(
    web: RunningWeb,
) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        for _ in range(5):
            assert (await web.sign_in(client, "sofia", "guess guess")).status == 401
        refused = await web.sign_in(client, "sofia")
        assert refused.status == 429, "the right password is not even tried while throttled"
        web.clock.advance(14 * 60)
        assert (await web.sign_in(client, "sofia")).status == 429
        web.clock.advance(61)
        assert (await web.sign_in(client, "sofia")).status == 303


async def test_failures_from_one_address_throttle_every_login_from_it(web: RunningWeb) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        for number in range(5):
            await web.sign_in(client, f"nobody{number}", "guess guess")
        assert (await web.sign_in(client, "sofia")).status == 429


async def test_signing_out_is_a_post_that_ends_the_session(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        token = await web.csrf_token(client)
        async with client.get("/sign-out", allow_redirects=False) as by_link:
            assert by_link.status == 405
        async with client.post(
            "/sign-out", data={"csrf_token": token}, allow_redirects=False
        ) as response:
            assert response.status == 303
        async with client.get("/account", allow_redirects=False) as page:
            assert page.status == 303
            assert page.headers["Location"].startswith("/sign-in")
    entries, _ = await web.audit_log.page(1, 10)
    assert [e.action for e in entries] == ["sign_out", "sign_in"]


async def test_a_session_ends_when_idle_and_at_its_lifetime(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        web.clock.advance(31 * 60)
        async with client.get("/account", allow_redirects=False) as idle:
            assert idle.status == 303
        await web.sign_in(client, "olga")
        for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
            async with client.get("/account", allow_redirects=False) as busy:
                assert busy.status == 200
            web.clock.advance(20 * 60)
        async with client.get("/account", allow_redirects=False) as expired:
            assert expired.status == 303


async def test_a_disabled_user_is_signed_out_and_cannot_sign_in(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        await web.users.disable("olga")
        async with client.get("/account", allow_redirects=False) as page:
            assert page.status == 303
        assert (await web.sign_in(client, "olga")).status == 401


async def test_passwords_are_stored_only_as_argon2id_hashes(web: RunningWeb) -> None:
    await web.add_user("olga", "operator", password=PASSWORD)
    async with web.engine.database.session() as session:
        rows = (await session.execute(text("SELECT * FROM users"))).mappings().all()
    assert len(rows) == 1
    assert rows[0]["password_hash"].startswith("$argon2id$")
    assert all(PASSWORD not in str(value) for value in rows[0].values())


def test_the_page_after_sign_in_is_never_another_site() -> None:
    assert safe_next("/admin/audit?page=2") == "/admin/audit?page=2"
    assert safe_next("//evil.example/") == ""
    assert safe_next("/\\evil.example/") == ""
    assert safe_next("https://evil.example/") == ""
