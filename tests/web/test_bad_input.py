"""Every door of the web fed what a broken or hostile client sends: refused with a
reason (4xx), never a server error, never let through."""

from __future__ import annotations

import asyncio
import socket as sockets
from urllib.parse import urlsplit

import aiohttp
import pytest

from callgrid.web import live
from tests.web.conftest import PASSWORD, RunningWeb

OUTAGE_JSON = {"Content-Type": "application/json"}
UNNAMED_MULTIPART_FIELD = b"--x\r\nContent-Disposition: form-data\r\n\r\nolga\r\n--x--\r\n"
PART_HEADER_WITHOUT_COLON = (
    b'--x\r\nContent-Disposition form-data; name="login"\r\n\r\nolga\r\n--x--\r\n'
)
GOOD_OUTAGE = (
    '"kind": "planned", "cause": "ремонт линии", '
    '"starts_at": "2026-11-28 10:00", "restore_at": "2026-11-28 16:00"'
)


async def raw_request(web: RunningWeb, request: bytes) -> bytes:
    """What the server answers to bytes no HTTP client would send."""
    parts = urlsplit(web.url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read(4096)
    writer.close()
    return answer


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"login=\xff\xfe&password=\xff", "application/x-www-form-urlencoded"),
        (b"login=olga", "application/x-www-form-urlencoded; charset=no-such-charset"),
        (UNNAMED_MULTIPART_FIELD, "multipart/form-data; boundary=x"),
        (PART_HEADER_WITHOUT_COLON, "multipart/form-data; boundary=x"),  # was a 500
    ],
    ids=["not-utf-8", "unknown-charset", "multipart-field-without-name", "part-header-no-colon"],
)
async def test_a_sign_in_form_that_cannot_be_read_is_a_bad_request(
    web: RunningWeb, body: bytes, content_type: str
) -> None:
    async with web.client() as client:
        response = await client.post(
            "/sign-in", data=body, headers={"Content-Type": content_type}, allow_redirects=False
        )
        assert response.status == 400
        assert "the form cannot be read" in await response.text()


async def test_a_protected_form_that_cannot_be_read_is_a_bad_request(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        response = await client.post(
            "/sign-out",
            data=b"csrf_token=\xff",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
        )
        assert response.status == 400
        async with client.get("/account", allow_redirects=False) as still:
            assert still.status == 200


@pytest.mark.parametrize(
    "fields",
    [{}, {"login": "olga"}, {"password": PASSWORD}, {"login": "olga", "password": "x" * 1_000_000}],
    ids=["nothing", "no-password", "no-login", "1-MB-password"],
)
async def test_a_sign_in_with_fields_missing_or_huge_is_refused(
    web: RunningWeb, fields: dict[str, str]
) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        response = await client.post("/sign-in", data=fields, allow_redirects=False)
        assert response.status == 401
        assert "Wrong login or password." in await response.text()


async def test_a_login_with_control_characters_is_recorded_written_out(web: RunningWeb) -> None:
    async with web.client() as client:
        for login in ("ol\x00ga", "\x1b[2Jolga\r\nsign_in anna"):
            response = await web.sign_in(client, login, "guess guess")
            assert response.status == 401
    entries, _ = await web.audit_log.page(1, 10)
    assert [e.actor for e in entries] == ["\\x1b[2jolga\\r\\nsign_in anna", "ol\\x00ga"]


async def test_many_wrong_sign_ins_at_once_get_no_more_tries_than_in_turn(
    web: RunningWeb,
) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        answers = await asyncio.gather(
            *(web.sign_in(client, "sofia", f"guess {n}") for n in range(20))
        )
        statuses = sorted(answer.status for answer in answers)
        assert statuses == [401] * 5 + [429] * 15
        assert (await web.sign_in(client, "sofia")).status == 429


@pytest.mark.parametrize(
    ("body", "headers", "status", "reason"),
    [
        (b"{not json", OUTAGE_JSON, 400, "Expecting property name"),
        (b"[1, 2]", OUTAGE_JSON, 400, "send one outage as a JSON object"),
        (b'{"area": {"a": [1]}, "kind": []}', OUTAGE_JSON, 400, "area: must be text"),
        (b"[" * 100_000 + b"]" * 100_000, OUTAGE_JSON, 400, "nested too deep"),
        (b'{"area": "\xff"}', OUTAGE_JSON, 400, "can't decode"),
        (b'{"area": "Kirovsky"}', {"Content-Type": "text/plain"}, 415, "application/json"),
        (b"x" * 50_000_000, OUTAGE_JSON, 413, "Maximum request body size"),
        # these two were a 500: a lone surrogate cannot be stored, nor year 1 in UTC
        (b'{"area": "a\\ud800", ' + GOOD_OUTAGE.encode() + b"}", OUTAGE_JSON, 400, "U+D800"),
        (
            b'{"area": "a", '
            + GOOD_OUTAGE.replace("2026-11-28 10", "0001-01-01 00").encode()
            + b"}",
            OUTAGE_JSON,
            400,
            "not within the years",
        ),
    ],
    ids=[
        *("not-json", "array", "nested-junk", "deep", "not-utf-8", "text-plain", "50-MB"),
        *("lone-surrogate", "year-1"),
    ],
)
async def test_a_bad_outage_is_refused_with_the_reason(
    web: RunningWeb, body: bytes, headers: dict[str, str], status: int, reason: str
) -> None:
    await web.add_user("dmitry", "dispatch")
    async with web.client() as client:
        await web.sign_in(client, "dmitry")
        token = {"X-CSRF-Token": await web.csrf_token(client)}
        async with client.post("/api/outages", data=body, headers={**headers, **token}) as answer:
            assert answer.status == status
            assert reason in await answer.text()
        async with client.get("/api/outages") as listed:
            assert await listed.json() == []


async def test_an_area_asked_with_a_control_character_is_refused(web: RunningWeb) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        async with client.get("/api/outages", params={"area": "Kiro\x00vsky"}) as answer:
            assert answer.status == 400
            assert (await answer.json())["error"] == "area: has a control character (U+0000)"


@pytest.mark.parametrize("origin", ["http://[", "http://[::1", "null", "not a url"])
async def test_a_mangled_origin_is_refused(web: RunningWeb, origin: str) -> None:
    await web.add_user("dmitry", "dispatch")
    async with web.client() as client:
        await web.sign_in(client, "dmitry")
        headers = {"X-CSRF-Token": await web.csrf_token(client), "Origin": origin}
        async with client.post("/api/outages", json={}, headers=headers) as answer:
            assert answer.status == 403


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=abc",
        "page=1.5",
        "page=" + "9" * 30,
        "page=%C2%B2",
        "page=%EF%BC%91",
        "page=1&page=2",
    ],
)
async def test_the_audit_page_refuses_a_page_that_is_not_one_number(
    web: RunningWeb, query: str
) -> None:
    await web.add_user("anna", "admin")
    async with web.client() as client:
        await web.sign_in(client, "anna")
        async with client.get(f"/admin/audit?{query}") as answer:
            assert answer.status == 400
            assert "give one page number from 1 to 1,000,000,000" in await answer.text()
        async with client.get("/admin/audit?page=1000000000") as past_the_end:
            assert past_the_end.status == 200
            assert "Nothing recorded yet." in await past_the_end.text()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e%2f%2e%2e%2fsettings.py",
        "/static/vendor/../../app.py",
        "/static/..\\app.py",
        "/static/%00",
        "/static/",
    ],
)
async def test_static_paths_never_leave_the_static_folder(web: RunningWeb, path: str) -> None:
    answer = await raw_request(web, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    status = int(answer.split(b" ", 2)[1])
    assert status in (303, 400, 403, 404), answer[:200]
    assert b"build_web_app" not in answer and b"callgrid/web" not in answer


@pytest.mark.parametrize("cookie", ["A" * 43, "A" * 4000, "a%00b", "\u00e4"])
async def test_a_forged_session_id_signs_nobody_in(web: RunningWeb, cookie: str) -> None:
    async with aiohttp.ClientSession(web.url) as client:
        headers = {"Cookie": f"callgrid_session={cookie}"}
        async with client.get("/account", headers=headers, allow_redirects=False) as answer:
            assert answer.status == 303
            assert answer.headers["Location"].startswith("/sign-in")


async def test_the_live_socket_ignores_garbage_and_closes_on_a_huge_message(
    web: RunningWeb,
) -> None:
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        async with client.ws_connect("/ws/live") as socket:
            await socket.receive_json(timeout=5)
            await socket.send_bytes(b"\x00\xff garbage")
            await socket.send_str("{not json")
            web.engine.events.publish("call.started", channel="PJSIP/trunk-00000001")
            event = await socket.receive_json(timeout=5)
            assert event["topic"] == "call.started"
            await socket.send_str("x" * 1_000_000)
            closing = await socket.receive(timeout=5)
            assert closing.type == aiohttp.WSMsgType.CLOSE
            assert closing.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


async def test_a_live_page_that_stops_reading_is_dropped(
    web: RunningWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "SEND_TIMEOUT", 0.5)
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        cookie = next(iter(client.cookie_jar)).value
    parts = urlsplit(web.url)
    stalled = sockets.socket()
    stalled.setsockopt(sockets.SOL_SOCKET, sockets.SO_RCVBUF, 4096)
    stalled.connect((parts.hostname, parts.port))
    handshake = [
        "GET /ws/live HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Origin: {web.url}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        f"Cookie: callgrid_session={cookie}",
    ]
    stalled.sendall(("\r\n".join(handshake) + "\r\n\r\n").encode())
    sockets_open = web.engine._web_runner.app[live.SOCKETS_KEY]  # type: ignore[union-attr]
    try:
        for _ in range(200):
            if sockets_open:
                break
            await asyncio.sleep(0.01)
        assert len(sockets_open) == 1
        subscribers = web.engine.events.subscribers
        for number in range(2000):  # ~16 MB the page never reads
            web.engine.events.publish("call.started", channel="x" * 8000, number=number)
            await asyncio.sleep(0)
            if not sockets_open:
                break
        for _ in range(300):
            if not sockets_open:
                break
            await asyncio.sleep(0.01)
        assert not sockets_open, "the server still writes to a page that stopped reading"
        assert web.engine.events.subscribers < subscribers
    finally:
        stalled.close()
