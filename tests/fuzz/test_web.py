"""Every JSON body and form field of the web fed mutations of good requests: each is
answered, taken (2xx/3xx) or refused with a reason (4xx), never a server error; the
server keeps answering, and what it stored matches what it said it took.

The engine's web part runs on a loopback port as in tests/web, signed in as a browser
is (cookie, CSRF token, same-origin ``Origin``).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import aiohttp
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from callcenter.tables import OutageRow
from callgrid.database import Database
from callgrid.web.tables import AuditRow, SessionRow
from callgrid.web.users import (
    UserError,
    check_password,
    normal_display_name,
    normal_login,
    parse_roles,
)
from tests.fuzz import tally
from tests.fuzz.mutate import HOSTILE_BYTES, HOSTILE_TEXTS, mutate_bytes
from tests.fuzz.table_mutations import MOMENTS, OUTAGE_POOLS
from tests.web.conftest import PASSWORD, RunningWeb, running_web
from worktime.clock import ManualClock

JSON_BODIES = 300
FORMS = 240
AT_ONCE = 12
GOOD_OUTAGE = {
    "area": "Кировский район",
    "kind": "planned",
    "cause": "замена трансформатора на подстанции",
    "starts_at": "2026-11-28 10:00",
    "restore_at": "2026-11-28 16:00",
}
TAKEN, REFUSED = (200, 201, 303), (400, 401, 403, 404, 413, 415, 429)


@pytest.fixture
async def web(
    sqlite_database: Database, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[RunningWeb]:
    async with running_web(sqlite_database.url, clock, tmp_path / "var") as running:
        yield running


def wrong_json(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value of any kind, plausible or not, for any field (text most often: it is
    what every field takes)."""
    kind = rng.choices(range(9), weights=(1, 3, 1, 2, 1, 1, 1, 0.5, 2))[0]
    if kind == 0:
        return rng.choice((None, True, False, 0, -1, 1.5, 10**30, 1e308))
    if kind == 1:
        return rng.choice(HOSTILE_TEXTS)
    if kind == 2:
        return rng.choice(MOMENTS)
    if kind == 3:
        return rng.choice([value for pool in OUTAGE_POOLS.values() for value in pool])
    if kind == 4 and depth < 3:
        return [wrong_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == 5 and depth < 3:
        return {rng.choice(("area", "x", "")): wrong_json(rng, depth + 1)}
    if kind == 6:
        return "x" * rng.choice((129, 201, 100_000))
    if kind == 7:
        nested: Any = "deep"
        for _ in range(rng.choice((50, 5000))):
            nested = [nested]
        return nested
    return rng.choice(("\ud800", "a\udfffb", "\x00", "\u202e", "ёжик"))


def outage_body(rng: random.Random) -> tuple[bytes, str]:
    """The body of a POST /api/outages and its content type."""
    body: Any = dict(GOOD_OUTAGE)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        edit = rng.randrange(4)
        field = rng.choice(list(GOOD_OUTAGE))
        if edit <= 1:
            body[field] = wrong_json(rng)
        elif edit == 2:
            body.pop(field, None)
        else:
            body[rng.choice(("", "x" * 1000, "\u202e", "__proto__", "Area"))] = wrong_json(rng)
    if rng.random() < 0.05:
        body = wrong_json(rng)
    try:
        text = json.dumps(body, ensure_ascii=rng.random() < 0.5)
    except RecursionError:
        text = "[" * 5000 + "]" * 5000
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.12:
        data = mutate_bytes(rng, data, HOSTILE_BYTES)
    kinds = ("application/json",) * 8 + ("application/json; charset=latin-1", "text/plain", "")
    return data, rng.choice(kinds)


async def count(database: Database, *where: Any, table: Any = AuditRow) -> int:
    async with database.session() as session:
        found = await session.scalar(select(func.count()).select_from(table).where(*where))
        return int(found or 0)


async def signed_in(web: RunningWeb, client: aiohttp.ClientSession, login: str) -> str:
    """Sign ``client`` in; the CSRF token its pages carry."""
    answer = await web.sign_in(client, login)
    assert answer.status == 303, "the good sign-in was refused"
    return await web.csrf_token(client)


async def assert_answering(client: aiohttp.ClientSession, page: str = "/api/outages") -> None:
    async with client.get("/livez") as live, client.get(page) as shown:
        assert (live.status, shown.status) == (200, 200), "the server stopped answering"
        await shown.read()


async def post_outage(client: aiohttp.ClientSession, token: str, body: bytes, kind: str) -> int:
    headers = {"X-CSRF-Token": token, "Content-Type": kind}
    async with client.post("/api/outages", data=body, headers=headers) as answer:
        text = await answer.text()
        assert answer.status in (201, *REFUSED), f"{answer.status} for {body[:200]!r}: {text}"
        if answer.status in (400, 415):
            error = json.loads(text)["error"]
            assert isinstance(error, str) and error, f"no reason given for {body[:200]!r}"
        return answer.status


async def test_mutated_outage_json_is_taken_or_refused_with_a_reason(web: RunningWeb) -> None:
    rng = tally.rng("web-json")
    await web.add_user("dmitry", "dispatch")
    database = web.engine.database
    statuses: list[int] = []
    async with web.client() as client:
        token = await signed_in(web, client, "dmitry")
        bodies = [outage_body(rng) for _ in range(JSON_BODIES)]
        for start in range(0, len(bodies), AT_ONCE):
            batch = bodies[start : start + AT_ONCE]
            statuses += await asyncio.gather(*(post_outage(client, token, *b) for b in batch))
            await assert_answering(client)
    taken = statuses.count(201)
    assert await count(database, table=OutageRow) == taken, "outages stored but not said taken"
    assert await count(database, AuditRow.action == "outage.added") == taken, "unaudited outage"
    tried = tally.tried("web-json", len(statuses))
    assert taken and len(statuses) - taken > JSON_BODIES // 3, f"{tried}: {taken} taken"


FORM_VALUES: tuple[str, ...] = (
    *HOSTILE_TEXTS,
    "olga",
    "OLGA ",
    PASSWORD,
    PASSWORD + " ",
    "/account",
    "//evil.example",
    "/\\evil",
    "https://evil.example/",
    "x" * 100_000,
)


def _quoted(text: str) -> str:
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"))


def form_body(rng: random.Random, fields: tuple[str, ...]) -> tuple[bytes, str]:
    """A form post: urlencoded (its bytes maybe broken) or multipart, fields mutated."""
    values = {name: rng.choice(FORM_VALUES) for name in fields if rng.random() < 0.85}
    if rng.random() < 0.2:
        values[rng.choice(("x", "login[]", "", "password"))] = rng.choice(FORM_VALUES)
    if rng.random() < 0.7:
        data = b"&".join(
            f"{_quoted(name)}={_quoted(value)}".encode() for name, value in values.items()
        )
        if rng.random() < 0.3:
            data = mutate_bytes(rng, data, (*HOSTILE_BYTES, b"%", b"%zz", b"%ff", b"&", b"="))
        kind = rng.choice(
            (
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=no-such-charset",
                "application/x-www-form-urlencoded; charset=utf-16",
                "text/plain",
            )
        )
        return data, kind
    parts = [
        b'--b\r\nContent-Disposition: form-data; name="'
        + name.encode("utf-8", "surrogatepass")
        + b'"\r\n\r\n'
        + value.encode("utf-8", "surrogatepass")
        + b"\r\n"
        for name, value in values.items()
    ]
    data = b"".join(parts) + rng.choice((b"--b--\r\n", b"--b", b""))
    if rng.random() < 0.3:
        data = mutate_bytes(rng, data, HOSTILE_BYTES)
    return data, "multipart/form-data; boundary=b"


REASONS = {
    400: "the form cannot be read",
    401: "Wrong login or password.",
    403: 'class="error"',
    429: "Too many failed sign-ins.",
}
"""What each refusal of a form says (403: the page that says why, for sign-out)."""


async def post_form(client: aiohttp.ClientSession, path: str, body: bytes, kind: str) -> int:
    async with client.post(
        path, data=body, headers={"Content-Type": kind}, allow_redirects=False
    ) as answer:
        text = await answer.text()
        assert answer.status in (*TAKEN, *REFUSED), f"{answer.status} for {body[:200]!r}: {text}"
        reason = REASONS.get(answer.status, "")
        assert reason in text, f"{answer.status} without its reason for {body[:200]!r}: {text}"
        return answer.status


@pytest.mark.filterwarnings("ignore::aiohttp.BadContentDispositionHeader")
@pytest.mark.filterwarnings("ignore::aiohttp.BadContentDispositionParam")
async def test_mutated_forms_are_taken_or_refused_with_a_reason(
    web: RunningWeb, clock: ManualClock
) -> None:
    rng = tally.rng("web-forms")
    await web.add_user("olga", "admin", "operator")
    database = web.engine.database
    sign_ins: list[int] = []
    others = 0
    async with web.client() as client:
        for _ in range(0, FORMS, AT_ONCE):
            # past the sign-in throttle's window, so that forms are checked, not refused
            clock.advance(web.engine.settings.web_sign_in_window + 1)
            async with web.client() as browser:
                token = await signed_in(web, browser, "olga")
                bodies = [form_body(rng, ("login", "password", "next")) for _ in range(AT_ONCE)]
                sign_ins += await asyncio.gather(
                    *(post_form(client, "/sign-in", *body) for body in bodies)
                )
                page = rng.choice(FORM_VALUES)[:200]
                area = rng.choice(FORM_VALUES)[:200]
                async with browser.get("/admin/audit", params={"page": page}) as audit:
                    assert audit.status in (200, 400), f"{audit.status} for page {page!r}"
                async with browser.get("/api/outages", params={"area": area}) as board:
                    assert board.status in (200, 400), f"{board.status} for area {area!r}"
                out = form_body(rng, ("csrf_token",))
                if rng.random() < 0.3:
                    out = (f"csrf_token={token}".encode(), "application/x-www-form-urlencoded")
                await post_form(browser, "/sign-out", *out)
                others += 3
            await assert_answering(client, "/sign-in")
    failed = await count(database, AuditRow.action == "sign_in.failed")
    refused = await count(database, AuditRow.action == "sign_in.refused")
    assert failed == sign_ins.count(401), "a failed sign-in not recorded, or recorded twice"
    assert refused == sign_ins.count(429), "a refused sign-in not recorded"
    signed = await count(database, AuditRow.action == "sign_in")
    good = FORMS // AT_ONCE  # the browser's own sign-in each round
    assert signed == good + sign_ins.count(303), "a session without its sign-in entry"
    sessions = await count(database, table=SessionRow)
    assert sessions <= signed, "more sessions than sign-ins"
    tried = tally.tried("web-forms", len(sign_ins) + others)
    assert sign_ins.count(400) and sign_ins.count(401), f"{tried}: not every way was reached"


def test_user_fields_are_taken_or_refused_with_a_reason() -> None:
    """What ``callgrid users`` takes for a login, a name, roles and a password: a value,
    or UserError saying why; nothing else escapes."""
    tried: list[str] = []

    @seed(tally.SEED)
    @settings(max_examples=300, deadline=None, database=None)
    @given(text=st.one_of(st.text(max_size=80), st.sampled_from(FORM_VALUES)))
    def check(text: str) -> None:
        tried.append(text)
        for parse in (
            normal_login,
            lambda value: normal_display_name(value, "olga"),
            lambda value: parse_roles(value.split(",")),
            check_password,
        ):
            try:
                parse(text)
            except UserError as error:
                assert str(error), "a refusal says why"

    check()
    count = tally.tried("web-user-fields", len(tried))
    assert tried, count
