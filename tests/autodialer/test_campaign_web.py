"""The campaign screens over HTTP: a draft made by the form (a bad one names each
field and stores nothing), approval by another manager, start, pause and stop, the
audited proof page and CSV, the live socket, and who is refused."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from autodialer.dialer import PROGRESS_TOPIC
from autodialer.model import CampaignState, Cause
from autodialer.proof import PROOF_COLUMNS, proof_lines
from autodialer.storage import ListEntry
from callgrid.web.audit import AuditEntry
from recordings.plugin import RECORDINGS
from tests.audio import tone_wav
from tests.autodialer.campaign_fixtures import draft, running_campaign
from tests.autodialer.campaign_site import (
    ACCOUNTS,
    FORM,
    a_running_campaign,
    add_three_customers,
    call_everyone,
    form_data,
    parts_of,
)
from tests.web.conftest import RunningWeb, web

__all__ = ["web"]


@asynccontextmanager
async def signed_in(
    web: RunningWeb, login: str, *roles: str
) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """A browser of a new user, signed in, and the CSRF token its forms carry."""
    await web.add_user(login, *roles)
    async with web.client() as client:
        await web.sign_in(client, login)
        yield client, await web.csrf_token(client)


async def audited(web: RunningWeb, action: str) -> list[AuditEntry]:
    entries, _ = await web.audit_log.page(1, 500)
    return [entry for entry in entries if entry.action == action]


async def page_text(client: aiohttp.ClientSession, path: str) -> str:
    async with client.get(path) as page:
        assert page.status == 200, await page.text()
        return html.unescape(await page.text())


async def test_a_supervisor_prepares_a_draft_with_the_form(web: RunningWeb) -> None:
    await add_three_customers(web)
    async with signed_in(web, "vera", "supervisor") as (client, token):
        async with client.get("/campaigns/new") as blank:
            assert blank.status == 200 and 'name="list_query"' in await blank.text()
        async with client.post(
            "/campaigns/new", data=form_data(token, FORM), allow_redirects=False
        ) as created:
            assert created.status == 303, await created.text()
            assert created.headers["Location"] == "/campaigns/1"
        shown = await page_text(client, "/campaigns/1")
        listed = await page_text(client, "/campaigns")

    assert "Campaign #1: Долг, декабрь" in shown and '<dd id="state">draft</dd>' in shown
    assert "3 customers on the list" in shown
    assert '<tr id="forecast-phone">\n      <td>phone</td>\n      <td>3</td>' in shown
    assert "1 (ucs2)" in shown  # the SMS parts of the message
    assert 'href="/campaigns/1">Долг, декабрь</a>' in listed and "not started" in listed
    campaign = await parts_of(web).campaigns.get(1)
    assert campaign is not None and campaign.created_by == "vera" and campaign.targets == 3
    assert campaign.starts_at == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Tomsk
    (entry,) = await audited(web, "campaign.create")
    assert (entry.actor, entry.source, entry.subject_id) == ("vera", "127.0.0.1", "1")


async def test_a_bad_form_names_each_field_and_stores_nothing(web: RunningWeb) -> None:
    await add_three_customers(web)
    bad = {**FORM, "name": " ", "list_query": "debt_over=2", "ends": "2026-11-20T09:00"}
    bad |= {"lines": "0", "channels": []}
    listed = "Лицевой счёт;Телефон\n7000000001;+7 913 000-00-01\n7000000009;\n7000000002;нет\n"
    async with signed_in(web, "vera", "supervisor") as (client, token):
        async with client.post("/campaigns/new", data=form_data(token, bad)) as refused:
            assert refused.status == 400
            text = html.unescape(await refused.text())
        scenario = {**FORM, "list_query": "", "text": "Здравствуйте, {name}"}
        files = {"list_file": ("должники.csv", listed.encode())}
        async with client.post("/campaigns/new", data=form_data(token, scenario, files)) as rows:
            assert rows.status == 400
            rows_text = html.unescape(await rows.text())

    assert "<li>Name: is empty</li>" in text
    assert "<li>Channels: choose at least one channel</li>" in text
    assert "<li>List: 'debt_over' is not a list condition" in text
    assert "<li>Ends: the campaign must end after it starts</li>" in text
    assert "<li>Line limit: '0': a number from 1 to 10000</li>" in text
    assert 'name="list_query" value="debt_over=2"' in text  # the form keeps what was typed
    assert "<li>Scenario: the scenario: {name} is not a value" in rows_text
    assert "<li>List: 2 problems in the list; nothing was stored</li>" in rows_text
    assert "<li>row 3, account: 7000000009 is not a customer of ours</li>" in rows_text
    assert "<li>row 4, phone: 'нет' is not a phone number</li>" in rows_text
    assert await parts_of(web).campaigns.all() == []
    assert await audited(web, "campaign.create") == []


async def test_a_list_file_makes_the_list(web: RunningWeb) -> None:
    await add_three_customers(web)
    listed = "Лицевой счёт;Телефон\n7000000001;+7 913 000-00-01\n7000000003;\n"
    fields = {**FORM, "list_query": ""}
    async with signed_in(web, "vera", "supervisor") as (client, token):
        files = {"list_file": ("../должники декабря.csv", listed.encode())}
        async with client.post(
            "/campaigns/new", data=form_data(token, fields, files), allow_redirects=False
        ) as created:
            assert created.status == 303, await created.text()
    entries = await parts_of(web).campaigns.list_entries(1)
    assert [(e.account_number, e.phone) for e in entries] == [
        ("7000000001", "79130000001"),
        ("7000000003", ""),
    ]


async def test_a_list_file_over_a_megabyte_is_read_not_refused_for_its_size(
    web: RunningWeb,
) -> None:
    await add_three_customers(web)
    rows = "".join(f"{7100000000 + n};\n" for n in range(150_000))  # ~1.8 MB
    listed = "Лицевой счёт;Телефон\n" + rows
    async with signed_in(web, "vera", "supervisor") as (client, token):
        files = {"list_file": ("весь город.csv", listed.encode())}
        data = form_data(token, {**FORM, "list_query": ""}, files)
        async with client.post("/campaigns/new", data=data) as read:
            assert read.status == 400
            text = html.unescape(await read.text())
    assert "<li>row 2, account: 7100000000 is not a customer of ours</li>" in text
    assert await parts_of(web).campaigns.all() == []


async def test_a_recorded_audio_is_kept_with_the_draft(web: RunningWeb, tmp_path: Path) -> None:
    await add_three_customers(web)
    tone = tone_wav(tmp_path / "greeting.wav", seconds=2.0).read_bytes()
    async with signed_in(web, "vera", "supervisor") as (client, token):
        broken = {"audio": ("greeting.wav", b"RIFF, but no WAV")}
        async with client.post("/campaigns/new", data=form_data(token, FORM, broken)) as refused:
            assert refused.status == 400
            assert "Recorded audio: greeting.wav is not a WAV recording" in await refused.text()
        files = {"audio": ("greeting.wav", tone)}
        async with client.post(
            "/campaigns/new", data=form_data(token, FORM, files), allow_redirects=False
        ) as created:
            assert created.status == 303, await created.text()
    campaign = await parts_of(web).campaigns.get(1)
    assert campaign is not None and campaign.scenario.audio is not None
    kept = Path(parts_of(web).settings.campaign_audio_dir) / campaign.scenario.audio
    assert kept.read_bytes() == tone


async def test_an_unknown_campaign_is_not_found(web: RunningWeb) -> None:
    async with signed_in(web, "vera", "supervisor") as (client, token):
        for path in ("/campaigns/7", "/campaigns/" + "9" * 5000, "/campaigns/7/report.csv"):
            async with client.get(path) as page:
                assert page.status == 404, path
        async with client.get("/campaigns/7") as page:
            assert "There is no campaign #7." in await page.text()
        async with client.post("/campaigns/7/start", data={"csrf_token": token}) as start:
            assert start.status == 404


async def test_another_manager_approves_then_the_campaign_starts_pauses_and_stops(
    web: RunningWeb,
) -> None:
    await add_three_customers(web)
    await web.add_user("olga", "manager")
    await web.add_user("vera", "supervisor")

    async def press(client: aiohttp.ClientSession, token: str, button: str) -> tuple[int, str]:
        """The answer's status, and where it leads (a refusal: the page's text)."""
        async with client.post(
            f"/campaigns/1/{button}", data={"csrf_token": token}, allow_redirects=False
        ) as answer:
            if answer.status == 303:
                return 303, answer.headers["Location"]
            return answer.status, html.unescape(await answer.text())

    back = (303, "/campaigns/1")
    async with (
        signed_in(web, "maria", "manager") as (maria, maria_token),
        web.client() as olga,
        web.client() as vera,
    ):
        await web.sign_in(olga, "olga")
        await web.sign_in(vera, "vera")
        olga_token, vera_token = await web.csrf_token(olga), await web.csrf_token(vera)
        async with maria.post(
            "/campaigns/new", data=form_data(maria_token, FORM), allow_redirects=False
        ) as created:
            assert created.status == 303

        own = await press(maria, maria_token, "approve")
        assert own[0] == 403
        assert "Maria prepared campaign 1: another manager must approve it." in own[1]
        assert (await press(vera, vera_token, "approve"))[0] == 403
        assert "Approve: maria prepared campaign 1" in await page_text(maria, "/campaigns/1")
        assert 'action="/campaigns/1/approve"' in await page_text(olga, "/campaigns/1")
        assert await press(olga, olga_token, "approve") == back
        assert await press(vera, vera_token, "draft") == back
        assert await press(olga, olga_token, "approve") == back
        for button in ("start", "pause", "start", "stop"):
            assert await press(vera, vera_token, button) == back, button
        again = await press(vera, vera_token, "start")
        shown = await page_text(vera, "/campaigns/1")

    assert again[0] == 409
    assert "Campaign 1 is stopped: it can be started only when approved, paused." in again[1]
    assert '<dd id="state">stopped</dd>' in shown and "/campaigns/1/start" not in shown
    campaign = await parts_of(web).campaigns.get(1)
    assert campaign is not None
    assert (campaign.state, campaign.approved_by) == (CampaignState.STOPPED, "olga")
    refused = [(e.actor, e.details["tried"]) for e in await audited(web, "campaign.refused")]
    assert sorted(refused) == [("maria", "approve"), ("vera", "approve"), ("vera", "start")]
    assert [e.actor for e in await audited(web, "campaign.approved")] == ["olga", "olga"]
    assert [e.details["from"] for e in await audited(web, "campaign.running")] == [
        "paused",
        "approved",
    ]


async def test_a_customers_proof_and_the_csv_are_audited_reads(web: RunningWeb) -> None:
    await add_three_customers(web)
    campaign = await a_running_campaign(web)
    await call_everyone(web, campaign, [Cause.BUSY, Cause.NO_ANSWER, Cause.HEARD])
    async with signed_in(web, "sofia", "supervisor") as (client, _token):
        async with client.get(
            "/campaigns/1/customers", params={"account": "7000000001"}, allow_redirects=False
        ) as found:
            assert found.headers["Location"] == "/campaigns/1/customers/7000000001"
        proof = await page_text(client, "/campaigns/1/customers/7000000001")
        nobody = await page_text(client, "/campaigns/1/customers/7000000009")
        async with client.get("/campaigns/1/report.csv") as report:
            assert report.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert "campaign-1-proof.csv" in report.headers["Content-Disposition"]
            rows = list(csv.reader(io.StringIO(await report.text())))

    assert "Account 7000000001: campaign #1" in proof
    assert '<dd class="cause">busy</dd>' in proof and "OriginateResponse Failure, Reason 5" in proof
    assert "79130000001" in proof and "7000000002" not in proof
    assert "No attempt to reach this customer" in nobody
    views = await audited(web, "campaign.proof_viewed")
    assert [(e.actor, e.source, e.subject_kind, e.subject_id, e.details) for e in views] == [
        ("sofia", "127.0.0.1", "account", "7000000009", {"campaign": 1, "attempts": 0}),
        ("sofia", "127.0.0.1", "account", "7000000001", {"campaign": 1, "attempts": 1}),
    ]
    parts, zone = parts_of(web), web.engine.settings.zone
    expected = await proof_lines(
        parts.reports, 1, None, web.engine.host.require(RECORDINGS).of_call
    )
    assert rows[0] == list(PROOF_COLUMNS)
    assert rows[1:] == [line.row(zone) for line in expected] and len(rows) == 4
    assert [row[6] for row in rows[1:]] == ["busy", "no_answer", "heard"]
    (download,) = await audited(web, "campaign.report_downloaded")
    assert (download.actor, download.subject_id, download.details) == (
        "sofia",
        "1",
        {"campaign": 1, "rows": 3},
    )


async def test_one_customers_proof_as_csv_is_an_audited_read(web: RunningWeb) -> None:
    await add_three_customers(web)
    campaign = await a_running_campaign(web)
    await call_everyone(web, campaign, [Cause.BUSY, Cause.NO_ANSWER, Cause.HEARD])
    async with signed_in(web, "sofia", "supervisor") as (client, _token):
        page = await page_text(client, "/campaigns/1/customers/7000000002")
        async with client.get("/campaigns/1/customers/7000000002/proof.csv") as report:
            assert "campaign-1-7000000002-proof.csv" in report.headers["Content-Disposition"]
            rows = list(csv.reader(io.StringIO(await report.text())))

    assert 'href="/campaigns/1/customers/7000000002/proof.csv"' in page
    assert [(row[0], row[6]) for row in rows[1:]] == [("7000000002", "no_answer")]
    (download,) = await audited(web, "campaign.report_downloaded")
    assert (download.subject_kind, download.subject_id, download.details) == (
        "account",
        "7000000002",
        {"campaign": 1, "rows": 1},
    )


async def test_a_cell_a_spreadsheet_would_run_is_exported_as_text(web: RunningWeb) -> None:
    await add_three_customers(web)
    text = '=HYPERLINK("http://attacker.example","Оплатить") По счёту {account} долг {debt}.'
    entries = [ListEntry(number) for number in ACCOUNTS[:1]]
    campaign = await running_campaign(
        parts_of(web), draft(web.clock(), text=text), entries, web.clock()
    )
    await call_everyone(web, campaign, [Cause.HEARD])
    async with (
        signed_in(web, "sofia", "supervisor") as (client, _token),
        client.get("/campaigns/1/report.csv") as report,
    ):
        rows = list(csv.reader(io.StringIO(await report.text())))

    said = rows[1][PROOF_COLUMNS.index("said")]
    assert said.startswith("'=HYPERLINK(") and "три тысячи четыреста" in said


async def test_the_live_socket_sends_the_figures_after_each_progress_event(
    web: RunningWeb,
) -> None:
    await add_three_customers(web)
    campaign = await a_running_campaign(web)
    async with signed_in(web, "sofia", "supervisor") as (client, _token):
        async with client.ws_connect("/ws/campaigns/1") as socket:
            first = (await socket.receive_json(timeout=5))["data"]
            assert (first["state"], first["attempted"], first["pending"]) == ("running", 0, 3)
            await call_everyone(web, campaign, [Cause.BUSY, Cause.HEARD])  # one not called yet
            web.engine.events.publish(PROGRESS_TOPIC, campaign=campaign.id)
            message = await socket.receive_json(timeout=5)
        with pytest.raises(aiohttp.WSServerHandshakeError) as foreign:
            await client.ws_connect("/ws/campaigns/1", headers={"Origin": "http://evil.example"})
        with pytest.raises(aiohttp.WSServerHandshakeError) as unknown:
            await client.ws_connect("/ws/campaigns/7")

    assert message["topic"] == "campaign.progress"
    figures = message["data"]
    assert (figures["attempted"], figures["delivered"], figures["pending"]) == (2, 1, 2)
    assert (figures["failed"], figures["lines_busy"]) == ({"busy": 1}, 0)
    assert figures["chart"]["labels"] == ["27.11 11:00"]
    assert figures["chart"]["outcomes"] == {"positive": [1], "negative": [1], "unknown": [0]}
    assert (foreign.value.status, unknown.value.status) == (403, 404)


@pytest.mark.parametrize("role", ["operator", "admin", "dispatch"])
async def test_other_roles_are_refused_every_campaign_page(web: RunningWeb, role: str) -> None:
    await add_three_customers(web)
    await a_running_campaign(web)
    async with signed_in(web, "olga", role) as (client, token):
        for path in (
            "/campaigns",
            "/campaigns/new",
            "/campaigns/1",
            "/campaigns/1/customers/7000000001",
            "/campaigns/1/report.csv",
        ):
            async with client.get(path) as page:
                assert page.status == 403, path
                assert "Your role does not allow this page" in await page.text()
        async with client.post("/campaigns/1/stop", data={"csrf_token": token}) as stop:
            assert stop.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError) as socket:
            await client.ws_connect("/ws/campaigns/1")
    assert socket.value.status == 403
    campaign = await parts_of(web).campaigns.get(1)
    assert campaign is not None and campaign.state is CampaignState.RUNNING
    assert await audited(web, "campaign.proof_viewed") == []
