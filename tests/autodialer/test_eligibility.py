"""Who may be contacted on which channel, checked at dial time (AD-6, AD-10)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from autodialer.eligibility import (
    FINAL_SKIPS,
    add_months,
    consent_channel,
    contact_allowed,
    survey_due,
)
from autodialer.model import MessageChannel, Purpose, Skip
from customers.consent import ConsentChannel, ConsentStatus

TOMSK = ZoneInfo("Asia/Tomsk")
NOW = datetime(2026, 5, 31, 12, tzinfo=TOMSK)
GIVEN, REFUSED, NOT_ASKED = ConsentStatus.GIVEN, ConsentStatus.REFUSED, ConsentStatus.NOT_ASKED
PHONE, SMS, EMAIL, CABINET = (
    MessageChannel.PHONE,
    MessageChannel.SMS,
    MessageChannel.EMAIL,
    MessageChannel.CABINET,
)
DEBT = Decimal("1520.40")


def allowed(
    purpose: Purpose,
    channel: MessageChannel,
    consent: ConsentStatus,
    debt: Decimal = DEBT,
    address: str = "79131234567",
    last_survey_at: datetime | None = None,
) -> Skip | None:
    return contact_allowed(purpose, channel, consent, debt, address, last_survey_at, NOW, 3)


@pytest.mark.parametrize(
    ("purpose", "channel", "consent", "skip"),
    [
        (Purpose.DEBT_REMINDER, PHONE, NOT_ASKED, None),
        (Purpose.RESTRICTION_WARNING, PHONE, NOT_ASKED, None),
        (Purpose.DEBT_REMINDER, PHONE, GIVEN, None),
        (Purpose.DEBT_REMINDER, PHONE, REFUSED, Skip.REFUSED),
        (Purpose.METER_VERIFICATION, PHONE, NOT_ASKED, Skip.NO_CONSENT),
        (Purpose.METER_VERIFICATION, PHONE, GIVEN, None),
        (Purpose.SERVICE_CHANGE, PHONE, REFUSED, Skip.REFUSED),
        (Purpose.DEBT_REMINDER, SMS, NOT_ASKED, Skip.NO_CONSENT),
        (Purpose.DEBT_REMINDER, SMS, GIVEN, None),
        (Purpose.SERVICE_CHANGE, EMAIL, NOT_ASKED, Skip.NO_CONSENT),
        (Purpose.SERVICE_CHANGE, EMAIL, REFUSED, Skip.REFUSED),
        (Purpose.SERVICE_CHANGE, EMAIL, GIVEN, None),
        (Purpose.SERVICE_CHANGE, CABINET, NOT_ASKED, None),
        (Purpose.DEBT_REMINDER, CABINET, REFUSED, Skip.REFUSED),
    ],
)
def test_consent_per_channel(
    purpose: Purpose, channel: MessageChannel, consent: ConsentStatus, skip: Skip | None
) -> None:
    assert allowed(purpose, channel, consent) is skip


def test_the_phone_is_governed_by_consent_to_information_calls() -> None:
    assert consent_channel(PHONE) is ConsentChannel.PHONE_INFO
    assert {consent_channel(channel) for channel in MessageChannel} == set(ConsentChannel)


def test_no_address_for_the_channel() -> None:
    assert allowed(Purpose.DEBT_REMINDER, PHONE, NOT_ASKED, address="") is Skip.NO_ADDRESS
    assert allowed(Purpose.SERVICE_CHANGE, EMAIL, GIVEN, address="  ") is Skip.NO_ADDRESS


def test_a_paid_debt_gets_no_debt_notice() -> None:
    assert allowed(Purpose.DEBT_REMINDER, PHONE, NOT_ASKED, debt=Decimal(0)) is Skip.PAID
    assert allowed(Purpose.RESTRICTION_WARNING, SMS, GIVEN, debt=Decimal("-5")) is Skip.PAID
    assert allowed(Purpose.DEBT_REMINDER, PHONE, NOT_ASKED, debt=Decimal("0.01")) is None
    assert allowed(Purpose.SERVICE_CHANGE, PHONE, GIVEN, debt=Decimal(0)) is None


def test_a_final_reason_comes_first() -> None:
    assert {Skip.PAID, Skip.REFUSED} == FINAL_SKIPS
    assert allowed(Purpose.DEBT_REMINDER, SMS, NOT_ASKED, debt=Decimal(0)) is Skip.PAID
    assert allowed(Purpose.DEBT_REMINDER, SMS, REFUSED, address="") is Skip.REFUSED


@pytest.mark.parametrize(
    ("last_survey_at", "skip"),
    [
        (None, None),
        (datetime(2026, 5, 1, tzinfo=TOMSK), Skip.SURVEYED_RECENTLY),
        (datetime(2026, 2, 28, 12, 1, tzinfo=TOMSK), Skip.SURVEYED_RECENTLY),
        (datetime(2026, 2, 28, 12, tzinfo=TOMSK), None),  # 31 May - 3 months = 28 February
        (datetime(2025, 12, 1, tzinfo=TOMSK), None),
    ],
)
def test_one_survey_in_three_months(last_survey_at: datetime | None, skip: Skip | None) -> None:
    assert allowed(Purpose.SURVEY, PHONE, GIVEN, last_survey_at=last_survey_at) is skip
    assert allowed(Purpose.SERVICE_CHANGE, PHONE, GIVEN, last_survey_at=last_survey_at) is None


def test_a_survey_is_due_after_twelve_months_without_one() -> None:
    assert survey_due(None, NOW, 12)
    assert survey_due(datetime(2025, 5, 31, 12, tzinfo=TOMSK), NOW, 12)
    assert not survey_due(datetime(2025, 5, 31, 12, 1, tzinfo=TOMSK), NOW, 12)
    assert not survey_due(datetime(2026, 1, 1, tzinfo=TOMSK), NOW, 12)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 5, 31), 3, datetime(2026, 8, 31)),
        (datetime(2025, 11, 30), 3, datetime(2026, 2, 28)),
        (datetime(2027, 11, 30), 3, datetime(2028, 2, 29)),
        (datetime(2026, 5, 31), -3, datetime(2026, 2, 28)),
        (datetime(2026, 1, 15, 9, 30), -1, datetime(2025, 12, 15, 9, 30)),
        (datetime(2026, 3, 31), -13, datetime(2025, 2, 28)),
        (datetime(2026, 3, 31), 0, datetime(2026, 3, 31)),
        (datetime(2026, 1, 31), 24, datetime(2028, 1, 31)),
    ],
)
def test_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert add_months(moment, months) == expected
