"""The independent rule checker finds each kind of breach, and nothing in clean runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from autodialer.model import MessageChannel, Outcome, Purpose
from autodialer.rule_check import (
    AFTER_DELIVERY,
    CONSENT,
    LINES,
    RETRY,
    SMS_DAILY,
    WINDOW,
    CheckedAttempt,
    Violation,
    violations,
)
from autodialer.settings import CampaignSettings
from customers.consent import ConsentStatus
from worktime.calendar import default_calendar

TOMSK = ZoneInfo("Asia/Tomsk")
MOSCOW = ZoneInfo("Europe/Moscow")
SETTINGS = CampaignSettings()
PHONE, SMS, EMAIL, CABINET = (
    MessageChannel.PHONE,
    MessageChannel.SMS,
    MessageChannel.EMAIL,
    MessageChannel.CABINET,
)


def tomsk(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, second, tzinfo=TOMSK)


def made(
    at: datetime,
    channel: MessageChannel = PHONE,
    outcome: Outcome | None = Outcome.NEGATIVE,
    *,
    account: str = "700100",
    purpose: Purpose = Purpose.DEBT_REMINDER,
    consent: ConsentStatus = ConsentStatus.GIVEN,
    zone: ZoneInfo = TOMSK,
    campaign: int = 1,
    seconds: float | None = 60,
) -> CheckedAttempt:
    ended = None if seconds is None else at + timedelta(seconds=seconds)
    return CheckedAttempt(account, purpose, channel, at, ended, outcome, zone, consent, campaign)


def check(*attempts: CheckedAttempt, limits: dict[int, int] | None = None) -> list[Violation]:
    return violations(attempts, SETTINGS, default_calendar(), limits or {1: 10, 2: 10})


def rules(found: list[Violation]) -> list[str]:
    return [violation.rule for violation in found]


def test_a_clean_run_has_no_violations() -> None:
    assert (
        check(
            made(tomsk(16, 9)),
            made(tomsk(16, 11)),
            made(tomsk(16, 13), outcome=Outcome.POSITIVE),
            made(tomsk(24, 13), campaign=2),  # 23 February: a holiday
            made(tomsk(16, 10), SMS),
            made(tomsk(17, 10), SMS),
            made(tomsk(16, 9), EMAIL),
            made(tomsk(23, 9), EMAIL),
            made(tomsk(16, 9), CABINET, consent=ConsentStatus.NOT_ASKED),
            made(tomsk(16, 10), CABINET, consent=ConsentStatus.NOT_ASKED),
        )
        == []
    )


def test_outside_the_window_in_the_customer_s_zone() -> None:
    found = check(
        made(tomsk(16, 8, 59)),
        made(tomsk(16, 20), account="2"),
        made(tomsk(15, 12), account="3"),  # no notices on Sunday
        made(tomsk(16, 16, 30), account="4", zone=MOSCOW),  # 12:30 in Moscow: fine
        made(tomsk(16, 12), account="5", zone=MOSCOW),  # 08:00 in Moscow
        made(datetime(2026, 1, 7, 12, tzinfo=TOMSK), account="6"),  # holiday
        made(datetime(2025, 11, 1, 19, 30, tzinfo=TOMSK), account="7"),  # working Saturday
        made(tomsk(14, 19, 30), account="8"),  # ordinary Saturday closes at 19
    )
    assert all(v.rule == WINDOW for v in found)
    assert sorted(v.account_number for v in found) == ["2", "3", "5", "6", "700100", "8"]
    sunday = next(v for v in found if v.account_number == "3")
    assert "phone_notice_sunday is closed" in sunday.detail


def test_a_call_must_end_inside_its_window_but_an_sms_need_not() -> None:
    assert rules(check(made(tomsk(16, 19, 58, 30)))) == [WINDOW]
    assert check(made(tomsk(16, 19, 58, 29))) == []
    assert check(made(tomsk(16, 19, 59, 59), SMS)) == []
    assert rules(check(made(tomsk(16, 20), SMS))) == [WINDOW]


def test_inside_a_retry_interval() -> None:
    assert rules(check(made(tomsk(16, 9)), made(tomsk(16, 10, 59)))) == [RETRY]
    assert rules(check(made(tomsk(16, 9), outcome=None), made(tomsk(16, 10, 59)))) == [RETRY]
    delivered = made(tomsk(16, 9), outcome=Outcome.POSITIVE)
    assert rules(check(delivered, made(tomsk(20, 9), campaign=2))) == [RETRY]
    assert rules(check(made(tomsk(2, 9), EMAIL), made(tomsk(8, 20), EMAIL))) == [RETRY]
    assert rules(check(made(tomsk(16, 9), CABINET), made(tomsk(16, 9, 30), CABINET))) == [RETRY]
    assert check(made(tomsk(16, 9)), made(tomsk(16, 9), EMAIL), made(tomsk(16, 9), CABINET)) == []


def test_retry_intervals_hold_across_customers_separately() -> None:
    assert check(made(tomsk(16, 9)), made(tomsk(16, 9, 30), account="2")) == []


def test_one_sms_a_local_day() -> None:
    twice = check(made(tomsk(16, 10), SMS), made(tomsk(16, 19), SMS, campaign=2))
    assert rules(twice) == [SMS_DAILY]
    # 19:00 and 19:30 in Tomsk (UTC+7) are 15:00 and 15:30 in Moscow: one day in both.
    moscow = check(made(tomsk(16, 15), SMS, zone=MOSCOW), made(tomsk(17, 14, 59), SMS, zone=MOSCOW))
    assert moscow == []  # 11:00 on the 16th, 10:59 on the 17th in Moscow


def test_without_consent() -> None:
    found = check(
        made(tomsk(16, 10), consent=ConsentStatus.NOT_ASKED),  # debt notice: fine
        made(tomsk(16, 10), account="2", consent=ConsentStatus.REFUSED),
        made(tomsk(16, 10), account="3", purpose=Purpose.SURVEY, consent=ConsentStatus.NOT_ASKED),
        made(tomsk(16, 10), SMS, account="4", consent=ConsentStatus.NOT_ASKED),
        made(tomsk(16, 10), EMAIL, account="5", consent=ConsentStatus.REFUSED),
        made(tomsk(16, 10), CABINET, account="6", consent=ConsentStatus.REFUSED),
        made(tomsk(16, 10), CABINET, account="7", consent=ConsentStatus.NOT_ASKED),
    )
    assert all(v.rule == CONSENT for v in found)
    assert sorted(v.account_number for v in found) == ["2", "3", "4", "5", "6"]


def test_more_calls_at_once_than_the_campaign_s_lines() -> None:
    calls = [made(tomsk(16, 10, 0, i), account=str(i), seconds=30) for i in range(3)]
    assert rules(check(*calls, limits={1: 2})) == [LINES]
    assert check(*calls, limits={1: 3}) == []
    # A call that ended frees its line: [start, end).
    in_turn = [
        made(tomsk(16, 10) + timedelta(seconds=30 * i), account=str(i), seconds=30)
        for i in range(3)
    ]
    assert check(*in_turn, limits={1: 1}) == []
    # Other campaigns' calls do not take this one's lines.
    other = [replace(call, campaign_id=2) for call in calls[1:]]
    assert check(calls[0], *other, limits={1: 1, 2: 2}) == []


def test_a_call_with_no_end_holds_its_line_for_the_lease() -> None:
    lost = made(tomsk(16, 10), outcome=None, seconds=None)
    within = made(tomsk(16, 10, 4, 59), account="2")
    after = made(tomsk(16, 10, 5), account="3")
    assert rules(check(lost, within, limits={1: 1})) == [LINES]
    assert check(lost, after, limits={1: 1}) == []


def test_a_campaign_without_a_limit_has_the_default() -> None:
    calls = [made(tomsk(16, 10), account=str(i), campaign=9) for i in range(11)]
    assert rules(check(*calls)) == [LINES]


def test_after_delivery_in_the_same_campaign() -> None:
    found = check(
        made(tomsk(2, 10), EMAIL, Outcome.POSITIVE),
        made(tomsk(9, 10), EMAIL),
        made(tomsk(16, 10), EMAIL, campaign=2),
    )
    assert rules(found) == [AFTER_DELIVERY]
    assert found[0].started_at == tomsk(9, 10)


def test_attempts_may_come_in_any_order() -> None:
    attempts = [made(tomsk(16, 10, 59)), made(tomsk(16, 9))]
    found = check(*attempts)
    assert rules(found) == [RETRY] and found[0].started_at == tomsk(16, 10, 59)
