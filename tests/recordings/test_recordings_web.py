"""The recordings pages over HTTP: who finds and hears what, seeking by range requests,
download, hold and release, the retention page; every access in the audit log."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import update

from callgrid.web.audit import AuditEntry, AuditLog
from recordings.model import RecordingState
from recordings.purge import Purge
from recordings.storage import Actor
from recordings.tables import RecordingRow
from tests.recordings.conftest import RecordedCalls
from tests.web.conftest import RunningWeb

RECORDING_LINK = re.compile(r'href="/recordings/(\d+)"')


@asynccontextmanager
async def signed_in(
    web: RunningWeb, login: str, *roles: str
) -> AsyncIterator[aiohttp.ClientSession]:
    await web.add_user(login, *roles)
    async with web.client() as client:
        await web.sign_in(client, login)
        yield client


async def listed(client: aiohttp.ClientSession, **filters: str) -> list[int]:
    async with client.get("/recordings", params=filters) as page:
        assert page.status == 200, await page.text()
        return [int(found) for found in RECORDING_LINK.findall(await page.text())]


async def audited(web: RunningWeb, action: str) -> list[AuditEntry]:
    entries, _ = await web.audit_log.page(1, 500)
    return [entry for entry in entries if entry.action == action]


async def test_a_supervisor_finds_recordings_by_each_filter(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    olga = await calls.add(ago=timedelta(hours=3), caller_id="+79131111111")
    petr = await calls.add(
        ago=timedelta(days=2),
        caller_id="+79132222222",
        account_number="300400",
        operator="Local/petr@operators",
        topic="outage",
        outcome="callback",
    )
    nobody = await calls.add(
        caller_id="+79133333333",
        account_number=None,
        operator=None,
        topic=None,
        outcome="abandoned",
    )
    async with signed_in(web, "sofia", "supervisor") as client:
        assert await listed(client) == [nobody.id, olga.id, petr.id]
        assert await listed(client, account="100200") == [olga.id]
        assert await listed(client, number="+79132222222") == [petr.id]
        assert await listed(client, number="88002000600") == [nobody.id, olga.id, petr.id]
        assert await listed(client, operator="petr") == [petr.id]
        assert await listed(client, operator="OLGA") == [olga.id]
        assert await listed(client, topic="outage") == [petr.id]
        assert await listed(client, outcome="abandoned") == [nobody.id]
        assert await listed(client, date_from="2026-11-27") == [nobody.id, olga.id]
        assert await listed(client, date_to="2026-11-25") == [petr.id]
        assert await listed(client, date_from="2026-11-25", date_to="2026-11-25") == [petr.id]
        async with client.get("/recordings") as page:
            text = await page.text()
        assert "2026-11-27 10:00:00" in text  # 03:00 UTC in Tomsk
        assert 'href="/recordings">Recordings</a>' in text
    search = (await audited(web, "recording.search"))[-2]
    assert (search.actor, search.source) == ("sofia", "127.0.0.1")
    assert search.details == {"filters": {"account": "100200"}, "page": 1, "own_calls_only": False}


async def test_the_pages_of_a_search_keep_its_filters(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    billing = [
        await calls.add(ago=timedelta(minutes=minutes), state=RecordingState.MISSING)
        for minutes in range(1, 52)
    ]
    await calls.add(topic="outage", state=RecordingState.MISSING)
    async with signed_in(web, "sofia", "supervisor") as client:
        assert await listed(client, topic="billing") == [r.id for r in billing[:50]]
        async with client.get("/recordings", params={"topic": "billing"}) as first:
            assert 'href="?topic=billing&amp;page=2">Older' in await first.text()
        assert await listed(client, topic="billing", page="2") == [billing[50].id]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("date_from=yesterday", "date from: 'yesterday' is no date like 2026-11-27"),
        ("date_to=2026-02-30", "date to: '2026-02-30' is no date"),
        (
            "date_from=2026-11-28&date_to=2026-11-27",
            "the date from (2026-11-28) is after the date to (2026-11-27)",
        ),
        ("account=" + "1" * 33, "account: 33 characters, at most 32"),
        ("topic=bill%00ing", "topic: it has a control character"),
        ("page=0", "give one page number"),
    ],
)
async def test_a_filter_that_cannot_be_searched_by_is_a_bad_request(
    web: RunningWeb, query: str, reason: str
) -> None:
    async with (
        signed_in(web, "sofia", "supervisor") as client,
        client.get("/recordings?" + query) as page,
    ):
        assert page.status == 400
        assert reason in html.unescape(await page.text())
    assert await audited(web, "recording.search") == []


async def test_an_operator_reaches_only_their_own_calls(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    own = await calls.add(operator="PJSIP/olga")
    other = await calls.add(operator="PJSIP/petr")
    async with signed_in(web, "olga", "operator") as client:
        assert await listed(client) == [own.id]
        assert await listed(client, operator="petr") == []
        async with client.get(f"/recordings/{own.id}") as page:
            assert page.status == 200
            assert f'<audio controls preload="metadata" src="/recordings/{own.id}/audio">' in (
                await page.text()
            )
        for path in ("", "/audio", "/download"):
            async with client.get(f"/recordings/{other.id}{path}") as refused:
                assert refused.status == 403
                assert "Your role does not allow this recording" in await refused.text()
    refusals = await audited(web, "recording.refused")
    assert [(r.actor, r.subject_id, r.details["tried"]) for r in reversed(refusals)] == [
        ("olga", str(other.id), "view"),
        ("olga", str(other.id), "listen"),
        ("olga", str(other.id), "download"),
    ]
    assert (await audited(web, "recording.search"))[0].details["own_calls_only"] is True
    assert [e.subject_id for e in await audited(web, "recording.viewed")] == [str(own.id)]


@pytest.mark.parametrize("role", ["dispatch", "admin"])
async def test_dispatch_and_admin_are_refused_every_recording(
    web: RunningWeb, calls: RecordedCalls, role: str
) -> None:
    recording = await calls.add()
    paths = ["/recordings", *(f"/recordings/{recording.id}{end}" for end in ("", "/audio"))]
    async with signed_in(web, "ivan", role) as client:
        for path in [*paths, "/recordings/retention"]:
            async with client.get(path) as refused:
                assert refused.status == 403, path
        token = await web.csrf_token(client)
        held = await client.post(
            f"/recordings/{recording.id}/hold", data={"csrf_token": token, "reason": "x"}
        )
        assert held.status == 403
    tried = [entry.details["tried"] for entry in await audited(web, "recording.refused")]
    assert list(reversed(tried)) == ["search", "view", "listen", "hold"]
    assert not (await calls.found(recording.id)).on_hold


async def test_the_audio_is_served_by_range_requests(web: RunningWeb, calls: RecordedCalls) -> None:
    recording = await calls.add(seconds=3.0)
    audio, size = calls.file_of(recording).read_bytes(), recording.size_bytes
    url = f"/recordings/{recording.id}/audio"
    async with signed_in(web, "sofia", "supervisor") as client:
        async with client.get(url) as whole:
            assert whole.status == 200
            assert whole.headers["Content-Type"] == "audio/wav"
            assert whole.headers["Accept-Ranges"] == "bytes"
            assert await whole.read() == audio
        async with client.get(url, headers={"Range": "bytes=0-"}) as start:
            assert start.status == 206
        async with client.get(url, headers={"Range": "bytes=1000-1999"}) as middle:
            assert middle.status == 206
            assert middle.headers["Content-Range"] == f"bytes 1000-1999/{size}"
            assert middle.headers["Content-Type"] == "audio/wav"
            assert await middle.read() == audio[1000:2000]
        async with client.get(url, headers={"Range": f"bytes={size}-"}) as beyond:
            assert beyond.status == 416
            assert beyond.headers["Content-Range"] == f"bytes */{size}"
    listens = await audited(web, "recording.listen")
    assert [(e.actor, e.subject_id, e.source) for e in listens] == 2 * [
        ("sofia", str(recording.id), "127.0.0.1")
    ]
    assert [e.details["range"] for e in listens] == ["bytes=0-", ""]


async def test_a_download_is_named_by_the_calls_local_start(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    recording = await calls.add()
    name = f"2026-11-27_10-00-00-{recording.id}.wav"
    async with (
        signed_in(web, "sofia", "supervisor") as client,
        client.get(f"/recordings/{recording.id}/download") as file,
    ):
        assert file.status == 200
        assert file.headers["Content-Disposition"] == f'attachment; filename="{name}"'
        assert file.headers["Content-Type"] == "audio/wav"
        assert await file.read() == calls.file_of(recording).read_bytes()
    (entry,) = await audited(web, "recording.download")
    assert (entry.actor, entry.subject_id, entry.details) == (
        "sofia",
        str(recording.id),
        {"filename": name},
    )


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (RecordingState.EMPTY, "the recording holds no audio"),
        (RecordingState.MISSING, "no file came for this call"),
        (RecordingState.RECORDING, "the call is still being recorded"),
    ],
)
async def test_a_recording_that_is_not_playable_gives_no_file(
    web: RunningWeb, calls: RecordedCalls, state: RecordingState, reason: str
) -> None:
    recording = await calls.add(state=state)
    async with signed_in(web, "sofia", "supervisor") as client:
        async with client.get(f"/recordings/{recording.id}") as page:
            text = await page.text()
            assert page.status == 200
            assert f"Not playable: {reason}" in text and "<audio" not in text
        for path in ("/audio", "/download"):
            async with client.get(f"/recordings/{recording.id}{path}") as answer:
                assert answer.status == 404
                assert reason[1:] in await answer.text()
    assert await audited(web, "recording.listen") == []


async def test_a_file_outside_the_recordings_directory_is_never_served(
    web: RunningWeb, calls: RecordedCalls, tmp_path: Path
) -> None:
    escaping = await calls.add(path="../outside.wav")
    absolute = await calls.add(path=str(tmp_path / "elsewhere.wav"))
    linked = await calls.add()
    calls.file_of(linked).unlink()
    calls.file_of(linked).symlink_to(calls.file_of(absolute))
    gone = await calls.add()
    calls.file_of(gone).unlink()
    async with signed_in(web, "sofia", "supervisor") as client:
        for recording in (escaping, absolute, linked):
            async with client.get(f"/recordings/{recording.id}/audio") as answer:
                assert answer.status == 404
                assert "is not where it belongs" in await answer.text()
        async with client.get(f"/recordings/{gone.id}/download") as answer:
            assert answer.status == 404
            assert "is not on the disk" in await answer.text()


async def test_a_recording_being_deleted_is_gone_from_the_pages(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    recording = await calls.add()
    async with web.engine.database.engine.begin() as connection:
        await connection.execute(
            update(RecordingRow)
            .where(RecordingRow.id == recording.id)
            .values(state=RecordingState.PURGING.value)
        )
    async with signed_in(web, "sofia", "supervisor") as client:
        assert await listed(client) == []
        for end in ("", "/audio", "/download"):
            async with client.get(f"/recordings/{recording.id}{end}") as answer:
                assert answer.status == 404
                assert "The recording is being deleted" in await answer.text()


@pytest.mark.parametrize("path", ["abc", "0", "007", "-1", "1.5", "99999999999", "12345"])
async def test_a_recording_number_that_names_none_is_not_found(web: RunningWeb, path: str) -> None:
    async with signed_in(web, "sofia", "supervisor") as client:
        for end in ("", "/audio"):
            async with client.get(f"/recordings/{path}{end}") as answer:
                assert answer.status == 404, f"/recordings/{path}{end}"


async def test_a_supervisor_holds_and_releases_a_recording(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    recording = await calls.add()
    page = f"/recordings/{recording.id}"
    async with signed_in(web, "sofia", "supervisor") as client:
        token = await web.csrf_token(client)
        held = await client.post(
            f"{page}/hold",
            data={"csrf_token": token, "reason": "complaint 17"},
            allow_redirects=False,
        )
        assert (held.status, held.headers["Location"]) == (303, page)
        async with client.get(page) as shown:
            text = await shown.text()
        assert "on hold since 2026-11-27 11:00:00 by sofia: complaint 17" in text
        assert "Release the hold" in text
        async with client.get("/recordings") as listing:
            assert "on hold" in await listing.text()
        released = await client.post(
            f"{page}/release", data={"csrf_token": token}, allow_redirects=False
        )
        assert released.status == 303
        async with client.get(page) as shown:
            assert "not held" in await shown.text()
    (hold,) = await audited(web, "recording.hold")
    (release,) = await audited(web, "recording.release")
    assert (hold.actor, hold.subject_id, hold.details) == (
        "sofia",
        str(recording.id),
        {"reason": "complaint 17"},
    )
    assert release.details == {"was_held_for": "complaint 17"}


async def test_a_hold_without_reason_or_token_is_refused(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    recording = await calls.add(operator="PJSIP/olga")
    page = f"/recordings/{recording.id}"
    async with signed_in(web, "sofia", "supervisor") as client:
        token = await web.csrf_token(client)
        blank = await client.post(f"{page}/hold", data={"csrf_token": token, "reason": "  "})
        assert blank.status == 400
        assert "Say why the recording is held" in await blank.text()
        not_held = await client.post(f"{page}/release", data={"csrf_token": token})
        assert not_held.status == 400
        assert f"Recording #{recording.id} is not on hold" in await not_held.text()
        forged = await client.post(f"{page}/hold", data={"reason": "complaint"})
        assert forged.status == 403
        assert "The form has expired" in await forged.text()
    async with signed_in(web, "olga", "operator") as client:
        token = await web.csrf_token(client)
        own = await client.post(f"{page}/hold", data={"csrf_token": token, "reason": "mine"})
        assert own.status == 403
    assert not (await calls.found(recording.id)).on_hold
    (refusal,) = await audited(web, "recording.refused")
    assert (refusal.actor, refusal.details["tried"]) == ("olga", "hold")


def figure(text: str, name: str) -> str:
    found = re.search(rf'<dd id="{name}">([^<]*)</dd>', text)
    assert found, name
    return found.group(1)


async def test_the_retention_page_shows_the_index_against_the_limit(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    expired = await calls.add(ago=timedelta(days=70))
    held = await calls.add(ago=timedelta(days=70, hours=1))
    await calls.index.hold(held.id, "court case", Actor("sofia", "127.0.0.1"), web.clock())
    await calls.add(state=RecordingState.EMPTY)
    purge = Purge(
        web.engine.database,
        calls.directory,
        web.clock,
        500,
        AuditLog(web.engine.database, web.clock),
    )
    await purge.run(by="retention worker")
    async with signed_in(web, "sofia", "supervisor") as client:
        async with client.get("/recordings/retention") as page:
            text = await page.text()
        assert "Within the limit of 60 days" in text
        assert figure(text, "oldest") == "2026-09-18 10:00:00, 70 days old"
        assert figure(text, "on-hold") == figure(text, "held-past-term") == "1"
        assert figure(text, "empty") == "1"
        assert figure(text, "purge-deleted") == figure(text, "purge-held") == "1"
        assert figure(text, "purge-freed") == f"{expired.size_bytes:,} bytes"
        await calls.add(ago=timedelta(days=65))
        async with client.get("/recordings/retention") as page:
            text = await page.text()
        assert "Limit exceeded: a recording not on hold is 65 days old" in text
        assert figure(text, "due-today") == "1"
    async with (
        signed_in(web, "olga", "operator") as client,
        client.get("/recordings/retention") as refused,
    ):
        assert refused.status == 403
    assert not calls.file_of(expired).exists()
