"""Consent per channel, its history and its audit entries, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import itertools
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, func, insert, select

from callgrid.database import MIGRATIONS, SHELL_MIGRATIONS, Database
from callgrid.plugins import load_plugins, migration_folders
from callgrid.web.audit import AuditLog
from customers.account_import import NewAccount
from customers.consent import (
    ConsentChange,
    ConsentChannel,
    ConsentError,
    imported_consents,
    parse_channel,
)
from customers.consent_store import SqlConsent
from customers.model import Account, Consent, CustomerKind
from customers.row_mapping import account_values
from customers.storage import SqlCustomers
from customers.tables import AccountRow, ConsentChangeRow
from worktime.clock import ManualClock

MONDAY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
_numbers = itertools.count(uuid.uuid4().int % 9000 * 10**6)


NOTHING_ASKED = Consent(phone_info=False, sms=False, email=False, cabinet=False)


@pytest.fixture
async def account_number(database: Database) -> str:
    number = f"{next(_numbers):010d}"
    account = Account(
        id=0,
        number=number,
        kind=CustomerKind.HOUSEHOLD,
        name="Петров Иван Сергеевич",
        area="Кировский район",
        address="г. Томск, пр. Кирова, д. 12, кв. 3",
        consent=NOTHING_ASKED,
    )
    await SqlCustomers(database).add_accounts([NewAccount(account)])
    return number


@pytest.fixture
def audit_log(database: Database) -> AuditLog:
    return AuditLog(database, ManualClock(MONDAY))


def _change(number: str, channel: ConsentChannel, given: bool, days: float) -> ConsentChange:
    return ConsentChange(
        account_number=number,
        channel=channel,
        given=given,
        at=MONDAY + timedelta(days=days),
        source="call",
        changed_by="olga",
    )


async def test_a_new_account_was_asked_nothing(database: Database, account_number: str) -> None:
    consent = SqlConsent(database)
    assert await consent.current(account_number) == dict.fromkeys(ConsentChannel)
    assert await consent.history(account_number) == []
    for channel in ConsentChannel:
        assert not await consent.allows(account_number, channel, MONDAY)


async def test_the_latest_change_of_each_channel_is_its_state(
    database: Database, account_number: str, audit_log: AuditLog
) -> None:
    consent = SqlConsent(database)
    sms_given = _change(account_number, ConsentChannel.SMS, True, 0)
    email_refused = _change(account_number, ConsentChannel.EMAIL, False, 1)
    sms_refused = dataclasses.replace(
        _change(account_number, ConsentChannel.SMS, False, 2), source="written application"
    )
    for change in (sms_given, email_refused, sms_refused):
        await consent.change(change, audit_log, "10.0.0.7")

    current = await consent.current(account_number)
    assert current[ConsentChannel.SMS] == sms_refused
    assert current[ConsentChannel.EMAIL] == email_refused
    assert current[ConsentChannel.PHONE_INFO] is None
    assert await consent.history(account_number) == [sms_refused, email_refused, sms_given]
    assert await consent.history(account_number, limit=1) == [sms_refused]


async def test_a_mailing_is_allowed_between_consent_and_refusal(
    database: Database, account_number: str, audit_log: AuditLog
) -> None:
    consent = SqlConsent(database)
    phone = ConsentChannel.PHONE_INFO
    await consent.change(_change(account_number, phone, True, 1), audit_log, "10.0.0.7")
    await consent.change(_change(account_number, phone, False, 5), audit_log, "10.0.0.7")

    def day(days: float) -> datetime:
        return MONDAY + timedelta(days=days)

    assert not await consent.allows(account_number, phone, day(0.5)), "not asked yet"
    assert await consent.allows(account_number, phone, day(1)), "from the moment it was given"
    assert await consent.allows(account_number, phone, day(4.9))
    assert not await consent.allows(account_number, phone, day(5)), "refused since"
    assert not await consent.allows(account_number, phone, day(30))
    assert not await consent.allows(account_number, ConsentChannel.SMS, day(3)), "per channel"


async def test_a_change_is_audited_with_the_state_before_and_after(
    database: Database, account_number: str, audit_log: AuditLog
) -> None:
    consent = SqlConsent(database)
    channel = ConsentChannel.EMAIL
    await consent.change(_change(account_number, channel, True, 0), audit_log, "10.0.0.7")
    await consent.change(_change(account_number, channel, False, 1), audit_log, "10.0.0.8")

    entries, _ = await audit_log.page(1, 10)
    assert [(e.action, e.actor, e.source, e.subject_kind, e.subject_id) for e in entries] == [
        ("customer.consent_changed", "olga", "10.0.0.8", "account", account_number),
        ("customer.consent_changed", "olga", "10.0.0.7", "account", account_number),
    ]
    refusal, consent_given = (entry.details for entry in entries)
    assert consent_given["before"] == "not asked" and consent_given["after"] == "given"
    assert refusal["before"] == "given" and refusal["after"] == "refused"
    assert refusal["channel"] == "email" and refusal["source"] == "call"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("channel", "fax", "unknown channel 'fax'"),
        ("source", "", "say where the customer said so"),
        ("source", "   ", "say where the customer said so"),
        ("source", "x" * 65, "at most 64"),
        ("source", "call\x00", "control character"),
        ("changed_by", "", "say who enters the change"),
        ("account_number", "0000000000\x00", "control character"),
        ("at", datetime(2026, 11, 23, 10, 0), "no time zone"),
    ],
)
async def test_bad_input_stores_nothing(
    database: Database,
    account_number: str,
    audit_log: AuditLog,
    field: str,
    value: Any,
    reason: str,
) -> None:
    consent = SqlConsent(database)
    bad = dataclasses.replace(
        _change(account_number, ConsentChannel.SMS, True, 0), **{field: value}
    )
    with pytest.raises(ConsentError, match=reason):
        await consent.change(bad, audit_log, "10.0.0.7")
    await _nothing_stored(database, audit_log)


async def test_a_change_for_an_unknown_account_stores_nothing(
    database: Database, audit_log: AuditLog
) -> None:
    change = _change("9999999999", ConsentChannel.SMS, True, 0)
    with pytest.raises(ConsentError, match="no account '9999999999'"):
        await SqlConsent(database).change(change, audit_log, "10.0.0.7")
    await _nothing_stored(database, audit_log)


def test_a_channel_is_named_by_its_value() -> None:
    assert parse_channel(" SMS ") is ConsentChannel.SMS
    with pytest.raises(ConsentError, match="the channels are phone_info, sms, email, cabinet"):
        parse_channel("pigeon")


def test_an_imported_yes_is_a_consent_and_a_no_asks_nothing() -> None:
    flags = Consent(phone_info=False, sms=True, email=False, cabinet=True)
    changes = imported_consents("7010000001", flags, MONDAY)
    assert [(c.channel, c.given, c.source) for c in changes] == [
        (ConsentChannel.SMS, True, "import"),
        (ConsentChannel.CABINET, True, "import"),
    ]


async def _nothing_stored(database: Database, audit_log: AuditLog) -> None:
    async with database.session() as session:
        stored = await session.scalar(select(func.count()).select_from(ConsentChangeRow))
    assert stored == 0
    assert await audit_log.page(1, 10) == ([], False)


def _downgrade(connection: Connection, revision: str) -> None:
    folders = [SHELL_MIGRATIONS, *migration_folders(load_plugins())]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_consents_imported_before_the_history_become_its_first_changes(
    database: Database,
) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade, "0008")
    number = f"{next(_numbers):010d}"
    account = Account(
        id=0,
        number=number,
        kind=CustomerKind.HOUSEHOLD,
        name="Сидорова Анна Павловна",
        area="Советский район",
        address="г. Томск, ул. Советская, д. 1, кв. 1",
        consent=Consent(phone_info=True, sms=False, email=True, cabinet=False),
    )
    async with database.engine.begin() as connection:  # as an import before 0009 stored it
        await connection.execute(insert(AccountRow), [account_values(account)])

    await database.upgrade()

    current = await SqlConsent(database).current(number)
    given = {channel for channel, change in current.items() if change is not None}
    assert given == {ConsentChannel.PHONE_INFO, ConsentChannel.EMAIL}
    phone = current[ConsentChannel.PHONE_INFO]
    assert phone is not None and phone.given and phone.source == "import"
    assert current[ConsentChannel.SMS] is None, "a no in the file may mean never asked"


async def test_an_imported_account_brings_its_consents_into_the_history(
    database: Database,
) -> None:
    number = f"{next(_numbers):010d}"
    account = Account(
        id=0,
        number=number,
        kind=CustomerKind.HOUSEHOLD,
        name="Орлова Мария Петровна",
        area="Кировский район",
        address="г. Томск, пр. Кирова, д. 5, кв. 8",
        consent=Consent(phone_info=False, sms=True, email=False, cabinet=True),
    )
    imported_at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    await SqlCustomers(database).add_accounts([NewAccount(account)], at=imported_at)
    consent = SqlConsent(database)
    current = await consent.current(number)
    given = {channel for channel, change in current.items() if change is not None}
    assert given == {ConsentChannel.SMS, ConsentChannel.CABINET}
    assert await consent.allows(number, ConsentChannel.SMS, imported_at)
    assert not await consent.allows(number, ConsentChannel.SMS, imported_at - timedelta(seconds=1))
    assert not await consent.allows(number, ConsentChannel.EMAIL, imported_at)
