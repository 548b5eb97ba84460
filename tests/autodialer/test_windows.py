"""Calling windows on real dates of the production calendar, in the customer's zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodialer.model import MessageChannel, Purpose
from autodialer.settings import DAY_KINDS, MESSAGE_KINDS, CampaignSettings
from autodialer.windows import CallingWindows, MessageKind, message_kind, window_problems
from worktime.calendar import default_calendar
from worktime.hours import ServiceHoursError

TOMSK = ZoneInfo("Asia/Tomsk")
MOSCOW = ZoneInfo("Europe/Moscow")
KAMCHATKA = ZoneInfo("Asia/Kamchatka")
BERLIN = ZoneInfo("Europe/Berlin")
WINDOWS = CallingWindows.from_settings(CampaignSettings(), default_calendar())
NOTICE = MessageKind.PHONE_NOTICE
INFORMATION = MessageKind.PHONE_INFORMATION
MARGIN = timedelta(seconds=90)


def tomsk(year: int, month: int, day: int, hour: int = 0, minute: int = 0, s: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, s, tzinfo=TOMSK)


@pytest.mark.parametrize(
    ("purpose", "channel", "kind"),
    [
        (Purpose.DEBT_REMINDER, MessageChannel.PHONE, NOTICE),
        (Purpose.RESTRICTION_WARNING, MessageChannel.PHONE, NOTICE),
        (Purpose.METER_VERIFICATION, MessageChannel.PHONE, INFORMATION),
        (Purpose.SURVEY, MessageChannel.PHONE, INFORMATION),
        (Purpose.DEBT_REMINDER, MessageChannel.SMS, MessageKind.SMS),
        (Purpose.SERVICE_CHANGE, MessageChannel.EMAIL, MessageKind.EMAIL),
        (Purpose.DEBT_REMINDER, MessageChannel.CABINET, MessageKind.CABINET),
    ],
)
def test_the_kind_of_message(purpose: Purpose, channel: MessageChannel, kind: MessageKind) -> None:
    assert message_kind(purpose, channel) is kind


def test_kinds_are_the_settings_prefixes() -> None:
    assert tuple(kind.value for kind in MessageKind) == MESSAGE_KINDS


@pytest.mark.parametrize(
    ("kind", "moment", "allowed", "why"),
    [
        (NOTICE, tomsk(2026, 2, 16, 8, 59), False, "Monday before 09:00"),
        (NOTICE, tomsk(2026, 2, 16, 9), True, "Monday 09:00"),
        (NOTICE, tomsk(2026, 2, 16, 19, 59), True, "Monday, last minute"),
        (NOTICE, tomsk(2026, 2, 16, 20), False, "Monday 20:00"),
        (NOTICE, tomsk(2026, 2, 14, 18, 59), True, "ordinary Saturday, last minute"),
        (NOTICE, tomsk(2026, 2, 14, 19), False, "ordinary Saturday closes at 19:00"),
        (NOTICE, tomsk(2026, 2, 15, 12), False, "no notices on Sunday"),
        (NOTICE, tomsk(2025, 11, 1, 19, 30), True, "Saturday made working: 09-20, unshortened"),
        (NOTICE, tomsk(2025, 11, 3, 12), False, "its Monday off is a holiday"),
        (NOTICE, tomsk(2026, 1, 7, 12), False, "Christmas, a Wednesday: holiday"),
        (NOTICE, tomsk(2026, 1, 9, 12), False, "Friday 9 January 2026: a moved day off"),
        (NOTICE, tomsk(2026, 4, 30, 19, 30), True, "a shortened day is not shortened here"),
        (INFORMATION, tomsk(2026, 1, 7, 19, 59), True, "holiday window 09-20"),
        (INFORMATION, tomsk(2026, 1, 7, 20, 30), False, "holiday closes at 20:00"),
        (INFORMATION, tomsk(2026, 1, 14, 20, 30), True, "an ordinary Wednesday: 09-21"),
        (INFORMATION, tomsk(2026, 2, 15, 19, 59), True, "Sunday 09-20"),
        (MessageKind.SMS, tomsk(2026, 2, 16, 9, 59), False, "SMS from 10:00"),
        (MessageKind.SMS, tomsk(2026, 2, 15, 10), True, "SMS every day"),
        (MessageKind.SMS, tomsk(2026, 1, 1, 19, 59), True, "SMS on New Year's Day"),
        (MessageKind.SMS, tomsk(2026, 1, 1, 20), False, "SMS until 20:00"),
        (MessageKind.EMAIL, tomsk(2026, 1, 1, 20, 59), True, "e-mail 09-21"),
        (MessageKind.CABINET, tomsk(2026, 1, 1, 8, 59), False, "cabinet from 09:00"),
    ],
)
def test_may_start_in_tomsk(kind: MessageKind, moment: datetime, allowed: bool, why: str) -> None:
    assert WINDOWS.may_start(kind, moment, TOMSK) is allowed, why


def test_the_same_moment_in_tomsk_and_in_moscow() -> None:
    morning = datetime(2026, 2, 16, 2, 30, tzinfo=UTC)  # 09:30 Tomsk, 05:30 Moscow
    assert WINDOWS.may_start(NOTICE, morning, TOMSK)
    assert not WINDOWS.may_start(NOTICE, morning, MOSCOW)
    evening = datetime(2026, 2, 16, 13, 30, tzinfo=UTC)  # 20:30 Tomsk, 16:30 Moscow
    assert not WINDOWS.may_start(NOTICE, evening, TOMSK)
    assert WINDOWS.may_start(NOTICE, evening, MOSCOW)
    assert WINDOWS.next_start(NOTICE, morning, MOSCOW) == datetime(2026, 2, 16, 9, tzinfo=MOSCOW)
    assert WINDOWS.next_start(NOTICE, evening, TOMSK) == tomsk(2026, 2, 17, 9)


def test_the_customer_s_day_decides_its_kind() -> None:
    # Sunday 15 February 2026 22:30 UTC: Monday 09:30 in Kamchatka, Sunday 05:30 in Tomsk.
    moment = datetime(2026, 2, 15, 21, 30, tzinfo=UTC)
    assert WINDOWS.may_start(NOTICE, moment, KAMCHATKA)
    assert not WINDOWS.may_start(NOTICE, moment, TOMSK)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (tomsk(2026, 2, 16, 19, 58, 29), True),
        (tomsk(2026, 2, 16, 19, 58, 30), False),  # would end at 20:00, not before it
        (tomsk(2026, 2, 16, 9), True),
    ],
)
def test_a_call_must_end_inside_its_window(moment: datetime, allowed: bool) -> None:
    assert WINDOWS.may_start(NOTICE, moment, TOMSK, MARGIN) is allowed


@pytest.mark.parametrize(
    ("kind", "moment", "margin", "expected"),
    [
        (NOTICE, tomsk(2026, 2, 13, 20), timedelta(0), tomsk(2026, 2, 14, 9)),
        (NOTICE, tomsk(2026, 2, 13, 19, 59), MARGIN, tomsk(2026, 2, 14, 9)),
        (NOTICE, tomsk(2026, 2, 13, 19, 58), MARGIN, tomsk(2026, 2, 13, 19, 58)),
        (NOTICE, tomsk(2026, 2, 14, 19), timedelta(0), tomsk(2026, 2, 16, 9)),
        (NOTICE, tomsk(2025, 12, 30, 20), MARGIN, tomsk(2026, 1, 10, 9)),
        (NOTICE, tomsk(2025, 10, 31, 20), MARGIN, tomsk(2025, 11, 1, 9)),
        (NOTICE, tomsk(2025, 11, 1, 20), MARGIN, tomsk(2025, 11, 5, 9)),
        (NOTICE, tomsk(2026, 2, 16, 3), MARGIN, tomsk(2026, 2, 16, 9)),
        (INFORMATION, tomsk(2026, 1, 7, 20), MARGIN, tomsk(2026, 1, 8, 9)),
        (MessageKind.SMS, tomsk(2026, 1, 1, 20), timedelta(0), tomsk(2026, 1, 2, 10)),
    ],
)
def test_next_start(
    kind: MessageKind, moment: datetime, margin: timedelta, expected: datetime
) -> None:
    assert WINDOWS.next_start(kind, moment, TOMSK, margin) == expected


def test_next_start_stops_at_until() -> None:
    friday_evening = tomsk(2026, 2, 13, 20)
    assert WINDOWS.next_start(NOTICE, friday_evening, TOMSK, until=tomsk(2026, 2, 14, 9)) is None
    assert WINDOWS.next_start(
        NOTICE, friday_evening, TOMSK, until=tomsk(2026, 2, 14, 9, 0, 1)
    ) == tomsk(2026, 2, 14, 9)
    # The calendar ends with 2027: a search bounded before it does not look beyond.
    assert (
        WINDOWS.next_start(NOTICE, tomsk(2027, 12, 30, 20), TOMSK, until=tomsk(2028, 1, 1)) is None
    )


def test_never_open_gives_no_start() -> None:
    closed = {f"email_{day}": "closed" for day in DAY_KINDS}
    windows = CallingWindows.from_settings(CampaignSettings(**closed), default_calendar())
    assert windows.next_start(MessageKind.EMAIL, tomsk(2025, 1, 1), TOMSK) is None
    assert windows.next_start(MessageKind.SMS, tomsk(2025, 1, 1), TOMSK) == tomsk(2025, 1, 1, 10)


def test_a_margin_as_long_as_the_window_leaves_nothing() -> None:
    windows = CallingWindows.from_settings(
        CampaignSettings(phone_notice_saturday="09:00-09:01"), default_calendar()
    )
    saturday = tomsk(2026, 2, 14, 9)
    assert windows.may_start(NOTICE, saturday, TOMSK)
    assert not windows.may_start(NOTICE, saturday, TOMSK, timedelta(minutes=1))
    assert windows.next_start(NOTICE, saturday, TOMSK, timedelta(minutes=1)) == tomsk(
        2026, 2, 16, 9
    )


def test_open_seconds_of_a_day() -> None:
    saturday = date(2026, 2, 14)
    period = WINDOWS.windows_on(NOTICE, saturday, TOMSK)
    assert period is not None and period.seconds == 10 * 3600
    assert period.opens == tomsk(2026, 2, 14, 9)
    with_margin = WINDOWS.windows_on(NOTICE, saturday, TOMSK, MARGIN)
    assert with_margin is not None and with_margin.seconds == 10 * 3600 - 90
    assert WINDOWS.windows_on(NOTICE, date(2026, 2, 15), TOMSK) is None
    moscow = WINDOWS.windows_on(NOTICE, saturday, MOSCOW)
    assert moscow is not None and moscow.opens - period.opens == timedelta(hours=4)


def test_a_zone_with_summer_time() -> None:
    # 29 March 2026: clocks in Berlin go forward at 02:00; the window is still 10-20 local.
    sunday = date(2026, 3, 29)
    period = WINDOWS.windows_on(MessageKind.SMS, sunday, BERLIN)
    assert period is not None
    assert period.opens == datetime(2026, 3, 29, 8, tzinfo=UTC)
    assert period.seconds == 10 * 3600
    assert WINDOWS.next_start(MessageKind.SMS, datetime(2026, 3, 29, tzinfo=UTC), BERLIN) == (
        period.opens
    )


def test_the_standard_windows_have_no_problems() -> None:
    assert list(window_problems(CampaignSettings())) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9:00-20:00", "is not like"),
        ("09:00-24:00", "is not like"),
        ("09.00-20.00", "is not like"),
        ("09:00 - 20:00", "is not like"),
        ("open", "is not like"),
        ("", "is not like"),
        ("20:00-09:00", "opens no earlier than it closes"),
        ("09:00-09:00", "opens no earlier than it closes"),
    ],
)
def test_window_problems_name_the_field(value: str, reason: str) -> None:
    bad = replace(CampaignSettings(), sms_saturday=value, email_holiday="closed")
    problems = list(window_problems(bad))
    assert len(problems) == 1
    field, text = problems[0]
    assert field == "sms_saturday" and reason in text
    assert ("sms_saturday", text) in list(bad.check())
    with pytest.raises(ServiceHoursError):
        CallingWindows.from_settings(bad, default_calendar())


KINDS = st.sampled_from(list(MessageKind))
ZONES = st.sampled_from([TOMSK, MOSCOW, KAMCHATKA, ZoneInfo("Europe/Kaliningrad")])
MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 11, 30), timezones=st.just(UTC)
)
MARGINS = st.sampled_from([timedelta(0), MARGIN, timedelta(minutes=30)])
MINUTE = timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(KINDS, MOMENTS, ZONES, MARGINS)
def test_next_start_is_allowed_and_nothing_earlier_is(
    kind: MessageKind, moment: datetime, zone: ZoneInfo, margin: timedelta
) -> None:
    start = WINDOWS.next_start(kind, moment, zone, margin)
    assert start is not None and start >= moment
    assert WINDOWS.may_start(kind, start, zone, margin)
    local = start.astimezone(zone)
    assert local.date() == (start + margin).astimezone(zone).date()
    probe = moment
    while probe < start:
        assert not WINDOWS.may_start(kind, probe, zone, margin), probe
        probe += MINUTE
