"""Meter reading decisions (IVR-9): every refusal with its reason, and no wrong reading
ever judged acceptable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customers.model import Channel, Meter, Reading, Zone
from customers.reading_rules import (
    Accepted,
    AlreadyToday,
    Refusal,
    Refused,
    judge,
    usual_daily_consumption,
)

TODAY = date(2026, 11, 27)
TOMSK = ZoneInfo("Asia/Tomsk")
METER = Meter(1, 1, "SN-1", (Zone.DAY, Zone.NIGHT), 5, date(2030, 1, 1), date(2020, 5, 1))


def reading(value: int, days_ago: int, zone: Zone = Zone.DAY) -> Reading:
    taken = datetime(2026, 11, 27, 3, tzinfo=UTC) - timedelta(days=days_ago)
    return Reading(METER.id, zone, value, taken, Channel.KEYPAD)


KEY = Channel.KEYPAD
HISTORY = [reading(11000 + 300 * month, 30 * (12 - month)) for month in range(13)]
PREVIOUS = reading(14300, 30)


def test_a_normal_reading_is_accepted_with_its_consumption() -> None:
    assert judge(METER, "14600", TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK) == Accepted(
        14600, 300
    )


def test_leading_zeros_are_fine() -> None:
    low = reading(4400, 30)
    assert judge(METER, "04567", TODAY, low, [], [], timezone=TOMSK) == Accepted(4567, 167)


def test_too_many_digits_for_the_register() -> None:
    assert judge(METER, "123456", TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK) == Refused(
        Refusal.TOO_MANY_DIGITS, 5
    )


def test_nothing_entered() -> None:
    assert judge(METER, "", TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK) == Refused(
        Refusal.NO_DIGITS
    )


def test_lower_than_the_last_accepted() -> None:
    assert judge(METER, "14000", TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK) == Refused(
        Refusal.LOWER_THAN_LAST, 14300
    )


def test_register_roll_over_is_accepted() -> None:
    near_top = reading(99900, 30)
    assert judge(METER, "00150", TODAY, near_top, [], [], timezone=TOMSK) == Accepted(
        150, 250, rolled_over=True
    )


def test_a_replaced_meter_is_not_compared_with_the_old_one() -> None:
    replaced = Meter(1, 1, "SN-2", (Zone.TOTAL,), 5, date(2032, 1, 1), date(2026, 11, 1))
    old = reading(54000, 60, Zone.TOTAL)
    assert judge(replaced, "00012", TODAY, old, [old], [], timezone=TOMSK) == Accepted(12, 0)


def test_implausible_consumption_against_the_history() -> None:
    verdict = judge(METER, "18000", TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK)
    assert verdict == Refused(Refusal.IMPLAUSIBLE, 1200)  # max(3 × 10, 40) kWh a day × 30 days
    assert judge(METER, "15500", TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK) == Accepted(
        15500, 1200
    )


def test_without_history_a_fixed_ceiling_applies() -> None:
    assert judge(METER, "18000", TODAY, PREVIOUS, [], [], timezone=TOMSK) == Accepted(18000, 3700)
    assert judge(METER, "19000", TODAY, PREVIOUS, [PREVIOUS], [], timezone=TOMSK) == Refused(
        Refusal.IMPLAUSIBLE,
        4500,  # 150 kWh a day × 30 days
    )


def test_expired_verification_refuses_everything() -> None:
    expired = Meter(1, 1, "SN-1", (Zone.TOTAL,), 5, date(2026, 11, 1), date(2010, 1, 1))
    assert judge(expired, "14600", TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK) == Refused(
        Refusal.VERIFICATION_EXPIRED
    )


def test_already_submitted_today_asks_before_replacing() -> None:
    earlier = reading(14580, 0)
    assert judge(
        METER, "14600", TODAY, PREVIOUS, HISTORY, [earlier], timezone=TOMSK
    ) == AlreadyToday(14600, 14580)


def test_usual_consumption() -> None:
    assert usual_daily_consumption(HISTORY) == 10.0
    assert usual_daily_consumption([PREVIOUS]) is None


@given(
    entered=st.text(alphabet="0123456789", max_size=8),
    last_value=st.integers(0, 99_999),
    days_ago=st.integers(1, 400),
    due_offset=st.integers(-30, 30),
)
def test_an_accepted_reading_always_fits_the_meter_and_the_history(
    entered: str, last_value: int, days_ago: int, due_offset: int
) -> None:
    meter = Meter(
        1, 1, "SN", (Zone.TOTAL,), 5, TODAY + timedelta(days=due_offset), date(2019, 1, 1)
    )
    last = reading(last_value, days_ago, Zone.TOTAL)
    verdict = judge(meter, entered, TODAY, last, [], [], timezone=TOMSK)
    if isinstance(verdict, Accepted):
        assert meter.verification_due >= TODAY
        assert entered and int(entered) < 10**meter.digits
        assert 0 <= verdict.consumption <= 150 * days_ago
        assert verdict.rolled_over == (int(entered) < last_value)
    else:
        assert isinstance(verdict, Refused)


def stored_at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local Tomsk time in November 2026 as storage gives it back: in UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TOMSK).astimezone(UTC)


def test_a_reading_just_after_local_midnight_belongs_to_the_new_meter() -> None:
    """Installed on 20 November: a reading at 00:30 that night (17:30 UTC on the 19th) is
    the new meter's, so a lower value is refused; one at 23:59 local on the 19th is not."""
    replaced = Meter(1, 1, "SN-2", (Zone.TOTAL,), 5, date(2032, 1, 1), date(2026, 11, 20))
    after_midnight = Reading(1, Zone.TOTAL, 100, stored_at(20, 0, 30), KEY)
    before_midnight = Reading(1, Zone.TOTAL, 54000, stored_at(19, 23, 59), KEY)
    assert judge(replaced, "00050", TODAY, after_midnight, [], [], timezone=TOMSK) == Refused(
        Refusal.LOWER_THAN_LAST, 100
    )
    assert judge(replaced, "00050", TODAY, before_midnight, [], [], timezone=TOMSK) == Accepted(
        50, 0
    )


def test_days_since_the_last_reading_are_counted_in_local_dates() -> None:
    """Last reading at 01:00 local on 20 November (the 19th in UTC): 7 days to the 27th,
    so without history at most 7 × 150 kWh."""
    last = Reading(1, Zone.DAY, 10000, stored_at(20, 1), KEY)
    assert judge(METER, "11100", TODAY, last, [last], [], timezone=TOMSK) == Refused(
        Refusal.IMPLAUSIBLE, 1050
    )
    assert judge(METER, "11050", TODAY, last, [last], [], timezone=TOMSK) == Accepted(11050, 1050)


def test_the_zone_that_dates_readings_is_the_one_passed_in() -> None:
    last = Reading(1, Zone.DAY, 10000, stored_at(20, 1), KEY)
    assert judge(METER, "11100", TODAY, last, [last], [], timezone=UTC) == Accepted(11100, 1100)


def test_a_reading_without_a_time_zone_is_refused_with_a_clear_error() -> None:
    naive = Reading(1, Zone.DAY, 10000, datetime(2026, 11, 20, 1), KEY)
    with pytest.raises(ValueError, match="naive datetime 2026-11-20T01:00:00"):
        judge(METER, "10100", TODAY, naive, [], [], timezone=TOMSK)


@given(entered=st.text(max_size=8))
def test_only_ascii_digits_are_ever_a_reading(entered: str) -> None:
    """Whatever text arrives, the verdict is a verdict (never an exception), and only
    the digits 0-9 are read as a value: "²" or Arabic-Indic digits are no reading."""
    verdict = judge(METER, entered, TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK)
    if not (entered.isascii() and entered.isdigit()):
        assert verdict == Refused(Refusal.NO_DIGITS)


def test_digits_of_other_scripts_are_refused() -> None:
    for entered in ("²", "\u0661\u0664\u0666\u0660\u0660", "14600\n", " 14600"):
        assert judge(METER, entered, TODAY, PREVIOUS, HISTORY, [], timezone=TOMSK) == Refused(
            Refusal.NO_DIGITS
        )
