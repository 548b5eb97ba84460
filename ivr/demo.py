"""``callgrid demo``: simulated calls that show each feature, on a database of their own.

The demo stores a few showcase customers and an outage in ``<var>/demo/``, starts the
engine in-process and places one emulated call per feature, printing what the caller
heard and did and the call as stored.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from callcenter.cli import describe
from callcenter.outages import Outage, OutageKind
from callcenter.storage import SqlOutages, SqlTasks
from callgrid.database import Database
from callgrid.settings import Settings
from customers.account_import import NewAccount
from customers.model import Account, Channel, CustomerKind, Meter, Reading, Zone
from customers.storage import SqlCustomers
from ivr.settings import IvrSettings
from ivr.simulation import SimulatedCall
from prompts.render import speak_to_wav
from recordings.settings import RecordingSettings
from worktime.calendar import default_calendar
from worktime.clock import DEFAULT_ZONE

HOUSEHOLD = Account(
    id=0,
    number="7012345678",
    kind=CustomerKind.HOUSEHOLD,
    name="Иванов Иван Иванович",
    area="Кировский район",
    address="Томск, ул. Учебная, 42, кв. 7",
    phone="79001234567",
    debt=Decimal("1234.56"),
    due_date=date(2026, 12, 10),
    last_payment_amount=Decimal("2100.00"),
    last_payment_date=date(2026, 11, 5),
)
METER = Meter(0, 0, "CE-102-555", (Zone.DAY, Zone.NIGHT), 5, date(2031, 6, 1), date(2019, 3, 1))
BUSINESS = Account(
    id=0,
    number="20240117",
    kind=CustomerKind.BUSINESS,
    name="ООО «Сибирский хлеб»",
    area="Ленинский район",
    address="Томск, ул. Войкова, 5",
    phone="73822555001",
    inn="7017000026",
    contract_number="20240117",
    debt=Decimal("58200.00"),
    due_date=date(2026, 12, 18),
)
DEMO_DAY = datetime(2026, 11, 26, 11, 0, tzinfo=DEFAULT_ZONE)
"""A Thursday morning: the demo does not depend on when it is run."""
MESSAGE = "Здравствуйте, лицевой счёт семь ноль один два три четыре пять шесть семь восемь."


def demo_settings(settings: Settings) -> Settings:
    """The user's settings, with a database and files of the demo's own (made afresh)."""
    folder = settings.var_dir / "demo"
    (folder / "callgrid-demo.db").unlink(missing_ok=True)
    shutil.rmtree(folder / "recordings", ignore_errors=True)  # they were the old database's
    ivr = replace(
        settings.of(IvrSettings),
        messages_dir=str(folder / "messages"),
        speech_dir=str(folder / "utterances"),
        asterisk_speech_dir=str(folder / "utterances"),
    )
    demo = replace(
        settings,
        database_url=f"sqlite+aiosqlite:///{folder / 'callgrid-demo.db'}",
        agi_host="127.0.0.1",
        agi_port=0,
    )
    return demo.with_sections(ivr, RecordingSettings(recordings_dir=str(folder / "recordings")))


async def seed(settings: Settings, now: datetime) -> None:
    """A fresh demo database: two customers, an outage in the household's area."""
    database = Database(settings.database_url)
    try:
        await database.upgrade()
        last_month = now - timedelta(days=31)
        readings = (
            Reading(0, Zone.DAY, 12000, last_month, Channel.IMPORT),
            Reading(0, Zone.NIGHT, 4400, last_month, Channel.IMPORT),
        )
        await SqlCustomers(database).add_accounts(
            [NewAccount(HOUSEHOLD, METER, readings), NewAccount(BUSINESS)]
        )
        await SqlOutages(database).add(
            Outage(
                "Кировский район",
                OutageKind.EMERGENCY,
                "повреждение кабельной линии",
                now - timedelta(hours=1),
                now + timedelta(hours=3),
            ),
            now,
        )
    finally:
        await database.close()


def scenarios(settings: Settings, day: datetime = DEMO_DAY) -> list[tuple[str, SimulatedCall]]:
    """The calls, placed at ``day`` (operators at work) unless they say otherwise."""
    message = settings.var_dir / "demo" / "message.wav"
    speak_to_wav(MESSAGE, message)
    night = day.replace(hour=23, minute=30)
    calls = [
        (
            "Main menu, information two levels down, back, and hang up",
            SimulatedCall("88002224902", keys="4 2 * h"),
        ),
        (
            "Wrong key, then silence: the full prompt is repeated (IVR-5)",
            SimulatedCall("88002224902", keys="9 _ 3 1 h"),
        ),
        (
            "Operator from the fourth level with 0 (IVR-3)",
            SimulatedCall("88002224902", keys="4 1 2 0"),
        ),
        (
            "No input at all: after the retries the caller goes to the operator queue (IVR-4)",
            SimulatedCall("88002224902", keys="_ _ _"),
        ),
        (
            "Nobody answers within 60 s: the caller leaves a callback number",
            SimulatedCall("88002224902", keys="0 # 1 h", operator_answers_after=None),
        ),
        (
            "Readings refused with the reason: lower than the last accepted (IVR-9)",
            SimulatedCall("88002224902", keys="1 1 11000# h"),
        ),
        (
            "Readings by keypad: caller's number offered, last readings, both zones, read back, "
            "stored (IVR-9, IVR-12)",
            SimulatedCall("88002224902", keys="1 1 12345# 04567# 1 h"),
        ),
        (
            "Identification by account number from another phone, debt spoken (IVR-12)",
            SimulatedCall("83822750075", caller_id="79130000000", keys="2 2 7012345678# _ _ h"),
        ),
        ("Outages in the caller's area (IVR-11)", SimulatedCall("88002224902", keys="3 2 1 1 _ h")),
        (
            "A business identified by INN hears its debt (IVR-1, IVR-12)",
            SimulatedCall("3822630000", caller_id="73822555001", keys="4 7017000026# _ _ h"),
        ),
        (
            "Paid services line: an order for meter verification (IVR-14)",
            SimulatedCall("3822400100", keys="2 # 1 h"),
        ),
        (
            "At night the operator is an answering machine: a message is left (IVR-10, CC-1)",
            SimulatedCall("88002224902", keys=f"0 @{message} _", at=night),
        ),
    ]
    return [(title, replace(call, at=call.at or day)) for title, call in calls]


async def summary(settings: Settings) -> list[str]:
    """What the demo calls left in the database: readings and tasks."""
    database = Database(settings.database_url)
    try:
        customers = SqlCustomers(database)
        account = await customers.account_by_number(HOUSEHOLD.number)
        assert account is not None
        (meter,) = await customers.meters(account.id)
        lines = [f"\n=== Stored for account {account.number}, meter {meter.serial}"]
        for zone, reading in (await customers.last_accepted(meter.id)).items():
            lines.append(
                f"  {zone.value:<6} {reading.value:>6}  {reading.channel.value:<8} "
                f"{reading.taken_at.isoformat(timespec='seconds')}"
            )
        lines.append("=== Tasks left for people")
        tasks = await SqlTasks(database, default_calendar()).open_tasks()
        lines += [describe(task, late=False) for task in tasks]
        return lines
    finally:
        await database.close()
