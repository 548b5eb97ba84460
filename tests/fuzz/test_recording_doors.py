"""The recordings' and the customer card's doors fed hostile input: search filters,
ids, Range headers, hold reasons, consent forms. Each is answered — taken or refused
with a reason — never a server error, and nothing is stored from a refused request."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from callgrid.database import Database
from tests.fuzz import tally
from tests.fuzz.mutate import HOSTILE_TEXTS
from tests.fuzz.test_web import assert_answering, signed_in
from tests.recordings.conftest import RecordedCalls
from tests.web.conftest import RunningWeb, running_web
from worktime.clock import ManualClock

ROUNDS = 150
FILTERS = ("account", "number", "operator", "topic", "outcome", "since", "until", "page")
IDS = ("1", "0", "-1", "1.5", "99999999999", "1e3", "%00", "..%2f..%2fetc", "١", "0x1")


@pytest.fixture
async def web(
    sqlite_database: Database, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[RunningWeb]:
    async with running_web(sqlite_database.url, clock, tmp_path / "var") as running:
        yield running


def hostile(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(HOSTILE_TEXTS)
    return "".join(
        chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x400, 0x500), 0]))
        for _ in range(rng.randint(0, 40))
    )


def in_url(text: str) -> str:
    """Any text percent-encoded, lone surrogates too (as bytes no decoder takes)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def encodable(rng: random.Random) -> str:
    """Hostile text a form can carry (a lone surrogate is no UTF-8: the client refuses)."""
    return hostile(rng).encode("utf-8", "replace").decode("utf-8")


def printable(rng: random.Random) -> str:
    """Hostile text a client can put in a header (no control characters)."""
    return "".join(char for char in hostile(rng) if " " <= char <= "~")


async def answered(answer: aiohttp.ClientResponse, what: str) -> int:
    body = await answer.read()
    assert answer.status < 500, f"{answer.status} for {what}: {body[:300]!r}"
    return answer.status


async def test_mutated_requests_to_recordings_and_the_card_are_answered(
    web: RunningWeb,
) -> None:
    rng = tally.rng("web-recordings")
    calls = RecordedCalls(web)
    recording = await calls.add(seconds=1.0)
    await web.add_user("sofia", "supervisor")
    statuses: list[int] = []
    async with web.client() as client:
        token = await signed_in(web, client, "sofia")
        for _ in range(ROUNDS):
            door = rng.randrange(5)
            if door == 0:
                query = "&".join(
                    f"{rng.choice(FILTERS)}={in_url(hostile(rng))}"
                    for _ in range(rng.randint(1, 4))
                )
                async with client.get(f"/recordings?{query}") as answer:
                    statuses.append(await answered(answer, query))
            elif door == 1:
                target = f"/recordings/{rng.choice(IDS)}{rng.choice(['', '/audio', '/download'])}"
                async with client.get(target) as answer:
                    statuses.append(await answered(answer, target))
            elif door == 2:
                headers = {
                    "Range": rng.choice(
                        [
                            "bytes=",
                            "bytes=-",
                            "bytes=9-1",
                            "lines=1-2",
                            "bytes=0-0,5-9",
                            "bytes=0-99",
                            "bytes=44-",
                            f"bytes={printable(rng)}",
                        ]
                    )
                }
                async with client.get(f"/recordings/{recording.id}/audio", headers=headers) as a:
                    statuses.append(await answered(a, str(headers)))
            elif door == 3:
                form = {"csrf_token": token, "reason": encodable(rng)}
                async with client.post(
                    f"/recordings/{recording.id}/hold", data=form, allow_redirects=False
                ) as answer:
                    statuses.append(await answered(answer, str(form)))
                    if answer.status == 303:
                        async with client.post(
                            f"/recordings/{recording.id}/release",
                            data={"csrf_token": token},
                            allow_redirects=False,
                        ) as released:
                            assert released.status == 303
            else:
                account = rng.choice(["100200", hostile(rng)])
                form = {
                    "csrf_token": token,
                    "channel": rng.choice(
                        ["sms", "email", "cabinet", "phone_info", encodable(rng)]
                    ),
                    "given": rng.choice(["yes", "no", "", encodable(rng)]),
                    "source": encodable(rng),
                }
                async with client.post(
                    f"/customers/{in_url(account)}/consent",
                    data=form,
                    allow_redirects=False,
                ) as answer:
                    statuses.append(await answered(answer, f"{account} {form}"))
        await assert_answering(client, "/recordings")
    tried = tally.tried("web-recordings", len(statuses))
    assert {200, 206, 400, 404} <= set(statuses), f"{tried}: not every way was reached"
    held = await calls.found(recording.id)
    assert not held.on_hold, "a hold was left that no answer reported"
