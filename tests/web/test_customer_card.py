"""The customer card: who may open it, what it shows, the audit of every view, and the
consent form; over HTTP on both databases, and once in a real browser."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from callcenter.plugin import TASKS
from callcenter.tasks import NewTask, TaskKind
from callgrid.database import Database
from customers.account_import import NewAccount
from customers.consent import ConsentChannel
from customers.model import ZONE_SETS, Account, Channel, Consent, CustomerKind, Meter, Reading
from customers.plugin import CONSENT, CUSTOMERS
from recordings.model import CallFacts, RecordingState
from recordings.plugin import RECORDINGS
from recordings.storage import NewRecording
from tests.web.conftest import PASSWORD, RunningWeb, running_web
from worktime.clock import ManualClock

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
"""11:00 in Tomsk, where the card shows its times."""
CARD_VIEWED = "customer.card_viewed"
CONSENT_CHANGED = "customer.consent_changed"
CHROMIUM = Path("/usr/bin/chromium")
_numbers = itertools.count(uuid.uuid4().int % 9000 * 10**6)


async def stored_customer(web: RunningWeb) -> str:
    """An account with a two-zone meter and readings, two recorded calls (one of them
    without a file) and an open callback; its number."""
    number = f"{next(_numbers):010d}"
    account = Account(
        id=0,
        number=number,
        kind=CustomerKind.HOUSEHOLD,
        name="Кузнецова Ольга Ивановна",
        area="Ленинский район",
        address="г. Томск, ул. Лебедева, д. 7, кв. 40",
        debt=Decimal("2345.60"),
        due_date=date(2026, 12, 10),
        consent=Consent(cabinet=False),  # nothing asked yet
    )
    meter = Meter(0, 0, "0123456789", ZONE_SETS[2], 5, date(2036, 1, 1), date(2020, 1, 1))
    taken = NOW - timedelta(days=30)
    readings = (
        Reading(0, meter.zones[0], 12001, taken, Channel.IMPORT),
        Reading(0, meter.zones[1], 4507, taken, Channel.IMPORT),
    )
    await web.engine.host.require(CUSTOMERS).add_accounts([NewAccount(account, meter, readings)])
    recordings = web.engine.host.require(RECORDINGS)
    for index, (minutes, state) in enumerate(
        [(-90, RecordingState.STORED), (-30, RecordingState.MISSING)]
    ):
        started = NOW + timedelta(minutes=minutes)
        recording = await recordings.started(
            NewRecording(
                call_id=f"{number}-{index}",
                uniqueid=f"1764216000.{index}",
                path=f"2026/11/27/{number}-{index}.wav",
                file_format="wav",
                started_at=started,
                delete_after=started + timedelta(days=60),
                line="billing",
                dialled_number="83822000000",
                caller_id="79131234567",
            )
        )
        facts = CallFacts(started + timedelta(seconds=125), number, "PJSIP/olga", "Оплата", "done")
        await recordings.call_ended(recording, facts)
        await recordings.finished(recording, state, size_bytes=1000, duration_seconds=125.0)
    tasks = web.engine.host.require(TASKS)
    for account_number, subject in ((number, "Перезвонить по оплате"), ("other", "Чужая")):
        await tasks.add(
            NewTask(
                kind=TaskKind.CALLBACK,
                call_id=None,
                phone="79131234567",
                line="billing",
                subject=subject,
                created_at=NOW,
                due_at=NOW + timedelta(hours=6),
                account_number=account_number,
            )
        )
    return number


async def views(web: RunningWeb) -> list[tuple[str, str]]:
    entries, _ = await web.audit_log.page(1, 50)
    return [(e.actor, e.subject_id) for e in entries if e.action == CARD_VIEWED]


@pytest.mark.parametrize("role", ["operator", "supervisor"])
async def test_operators_and_supervisors_see_the_whole_card(web: RunningWeb, role: str) -> None:
    number = await stored_customer(web)
    await web.add_user("olga", role)
    async with web.client() as client:
        await web.sign_in(client, "olga")
        async with client.get(f"/customers/{number}") as card:
            assert card.status == 200
            page = await card.text()
    for shown in (number, "Кузнецова Ольга Ивановна", "ул. Лебедева, д. 7", "2 345.60 ₽"):
        assert shown in page
    assert "day 12001" in page and "night 4507" in page and "2026-10-28 11:00" in page
    missing, stored = await web.engine.host.require(RECORDINGS).of_account(number)
    assert f'href="/recordings/{stored.id}"' in page
    assert f'href="/recordings/{missing.id}"' not in page, "no file to listen to"
    assert page.index("2026-11-27 10:30") < page.index("2026-11-27 09:30"), "newest first"
    assert "2:05" in page and ">missing<" in page
    assert "Перезвонить по оплате" in page and "Чужая" not in page
    assert page.count("not asked") == len(ConsentChannel)


async def test_dispatch_and_admin_are_refused_the_card(web: RunningWeb) -> None:
    number = await stored_customer(web)
    await web.add_user("dmitry", "dispatch")
    await web.add_user("anna", "admin")
    for login in ("dmitry", "anna"):
        async with web.client() as client:
            await web.sign_in(client, login)
            async with client.get(f"/customers/{number}") as card:
                assert card.status == 403
                assert "Кузнецова" not in await card.text()
            token = await web.csrf_token(client)
            form = {"csrf_token": token, "channel": "sms", "given": "given", "source": "call"}
            async with client.post(f"/customers/{number}/consent", data=form) as change:
                assert change.status == 403
    assert await views(web) == []
    assert await web.engine.host.require(CONSENT).history(number) == []


async def test_every_view_of_a_card_is_audited(web: RunningWeb) -> None:
    number = await stored_customer(web)
    await web.add_user("olga", "operator")
    await web.add_user("sofia", "supervisor")
    for login in ("olga", "sofia", "olga"):
        async with web.client() as client:
            await web.sign_in(client, login)
            async with client.get(f"/customers/{number}") as card:
                assert card.status == 200
    assert await views(web) == [("olga", number), ("sofia", number), ("olga", number)]


async def test_a_consent_changed_through_the_form_is_stored_audited_and_shown(
    web: RunningWeb,
) -> None:
    number = await stored_customer(web)
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        form = {
            "csrf_token": await web.csrf_token(client),
            "channel": "sms",
            "given": "given",
            "source": "call",
        }
        async with client.post(
            f"/customers/{number}/consent", data=form, allow_redirects=False
        ) as change:
            assert change.status == 303
            assert change.headers["Location"] == f"/customers/{number}"
        async with client.get(f"/customers/{number}") as card:
            page = await card.text()
    sms = (await web.engine.host.require(CONSENT).current(number))[ConsentChannel.SMS]
    assert sms is not None and sms.given and (sms.source, sms.changed_by) == ("call", "olga")
    assert sms.at == NOW
    assert '<td class="consent-given">given</td>' in page and "2026-11-27 11:00" in page
    entries, _ = await web.audit_log.page(1, 50)
    (audited,) = [e for e in entries if e.action == CONSENT_CHANGED]
    assert (audited.actor, audited.subject_id) == ("olga", number)
    assert (audited.details["before"], audited.details["after"]) == ("not asked", "given")


async def test_a_consent_form_without_its_token_is_refused(web: RunningWeb) -> None:
    number = await stored_customer(web)
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        form = {"channel": "sms", "given": "given", "source": "call"}
        async with client.post(f"/customers/{number}/consent", data=form) as change:
            assert change.status == 403
            assert "The form has expired" in await change.text()
    assert await web.engine.host.require(CONSENT).history(number) == []


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("channel", "fax", "Unknown channel &#39;fax&#39;"),
        ("given", "maybe", "Say whether the customer gives consent or refuses it"),
        ("source", "", "Say where the customer said so"),
        ("source", "звонок\x07", "Source: has a control character (U+0007)"),
    ],
)
async def test_bad_consent_input_is_refused_with_the_reason(
    web: RunningWeb, field: str, value: str, reason: str
) -> None:
    number = await stored_customer(web)
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        form = {"channel": "sms", "given": "given", "source": "call", field: value}
        form["csrf_token"] = await web.csrf_token(client)
        async with client.post(f"/customers/{number}/consent", data=form) as change:
            assert change.status == 400
            page = await change.text()
    assert reason in page and f'href="/customers/{number}"' in page
    assert await web.engine.host.require(CONSENT).history(number) == []


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/customers/0000000001", "No customer has the account number &#39;0000000001&#39;"),
        ("/customers/12%0734", "has a control character (U+0007)"),
        ("/customers/" + "9" * 40, "40 characters, at most 32"),
    ],
)
async def test_an_unknown_account_is_not_found(web: RunningWeb, path: str, reason: str) -> None:
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        async with client.get(path) as card:
            assert card.status == 404
            assert reason in await card.text()
        token = await web.csrf_token(client)
        form = {"csrf_token": token, "channel": "sms", "given": "given", "source": "call"}
        async with client.post(path + "/consent", data=form) as change:
            assert change.status == 404
    assert await views(web) == []


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[RunningWeb]:
    """The web part on SQLite: the HTTP tests above cover PostgreSQL."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    await database.close()
    async with running_web(database.url, ManualClock(NOW), tmp_path / "var") as running:
        yield running


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
async def test_an_operator_changes_a_consent_on_the_card_in_a_browser(site: RunningWeb) -> None:
    number = await stored_customer(site)
    await site.add_user("olga", "operator")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        page = await (await browser.new_context()).new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        await page.goto(f"{site.url}/customers/{number}")
        await page.get_by_label("Login").fill("olga")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", name="Кузнецова Ольга Ивановна")).to_be_visible()
        email = page.locator('#consent tr[data-channel="email"]')
        await expect(email).to_contain_text("not asked")

        await page.get_by_label("Channel").select_option(label="E-mail")
        await page.get_by_label("The customer").select_option(label="refuses")
        await page.get_by_label("Source").fill("written application")
        await page.get_by_role("button", name="Save consent").click()

        await expect(email).to_contain_text("refused")
        await expect(email).to_contain_text("written application")
        assert page.url == f"{site.url}/customers/{number}"
        assert not [text for text in console if "Content Security Policy" in text]
        await browser.close()
    email_consent = (await site.engine.host.require(CONSENT).current(number))[ConsentChannel.EMAIL]
    assert email_consent is not None and not email_consent.given
