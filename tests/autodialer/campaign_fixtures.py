"""Customers, users and campaigns for the autoinformer's tests: real rows, stored the
way the engine stores them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from argon2 import PasswordHasher

from autodialer.lifecycle import Action, Actor
from autodialer.model import Campaign, MessageChannel, Purpose, Scenario
from autodialer.parts import CampaignParts, campaign_parts
from autodialer.storage import CampaignDraft, ListEntry
from callgrid.database import Database
from callgrid.settings import Settings
from callgrid.web.users import Role, Users
from customers.account_import import NewAccount
from customers.model import Account, Consent, CustomerKind
from customers.storage import SqlCustomers

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PREPARER = Actor("vera", frozenset({"supervisor"}), "test")
MANAGER = Actor("maria", frozenset({"manager"}), "test")
DEBT_TEXT = (
    "Здравствуйте! Это «Энергосбыт». По лицевому счёту {account} задолженность составляет "
    "{debt}. Оплатите до {due_date}. Чтобы соединиться с оператором, нажмите ноль."
)


def account(index: int, **fields: object) -> NewAccount:
    values: dict[str, object] = {
        "id": 0,
        "number": f"70{index:08d}",
        "kind": CustomerKind.HOUSEHOLD,
        "name": f"Абонент {index}",
        "area": "Советский",
        "address": f"г. Томск, ул. Ленина, {index}",
        "phone": f"7913{index:07d}",
        "email": f"customer{index}@example.ru",
        "debt": Decimal("3452.17"),
        "due_date": date(2026, 12, 25),
        "last_payment_amount": Decimal("1200.00"),
        "consent": Consent(phone_info=True, sms=True, email=True, cabinet=True),
    }
    values.update(fields)
    return NewAccount(Account(**values))  # type: ignore[arg-type]


async def add_customers(database: Database, records: Sequence[NewAccount], at: datetime) -> None:
    await SqlCustomers(database).add_accounts(records, at=at - timedelta(days=30))


async def add_users(database: Database, clock: object) -> None:
    users = Users(database, clock, CHEAP_HASHER)  # type: ignore[arg-type]
    await users.add("vera", "vera-password-1", {Role.SUPERVISOR}, "Вера")
    await users.add("maria", "maria-password-1", {Role.MANAGER}, "Мария")


def draft(
    starts_at: datetime,
    *,
    purpose: Purpose = Purpose.DEBT_REMINDER,
    channels: tuple[MessageChannel, ...] = (MessageChannel.PHONE,),
    lines: int = 3,
    cps: float = 100.0,
    days: int = 7,
    text: str = DEBT_TEXT,
) -> CampaignDraft:
    return CampaignDraft(
        name="Долг, декабрь",
        purpose=purpose,
        channels=channels,
        scenario=Scenario(text=text, sms_text="Долг {debt} по л/с {account}", email_subject="Долг"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=days),
        line_limit=lines,
        calls_per_second=cps,
    )


def parts_for(database: Database, clock: object, **settings: object) -> CampaignParts:
    engine = Settings(database_url=database.engine.url.render_as_string(hide_password=False))
    if settings:
        from autodialer.settings import CampaignSettings

        engine = engine.with_sections(replace(CampaignSettings(), **settings))  # type: ignore[arg-type]
    return campaign_parts(database, engine, clock, owner="test-engine")  # type: ignore[arg-type]


async def running_campaign(
    parts: CampaignParts, campaign: CampaignDraft, entries: Sequence[ListEntry], now: datetime
) -> Campaign:
    created = await parts.campaigns.create(campaign, entries, PREPARER, now)
    await parts.service.act(created.id, Action.APPROVE, MANAGER)
    return await parts.service.act(created.id, Action.START, PREPARER)
