"""When a customer may be contacted again on each channel (AD-7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from autodialer.model import MessageChannel, Outcome
from autodialer.retry_policy import PastAttempt, RetryRules, delivered, next_attempt_at
from autodialer.settings import CampaignSettings

TOMSK = ZoneInfo("Asia/Tomsk")
MOSCOW = ZoneInfo("Europe/Moscow")
RULES = RetryRules()
PHONE, SMS, EMAIL, CABINET = (
    MessageChannel.PHONE,
    MessageChannel.SMS,
    MessageChannel.EMAIL,
    MessageChannel.CABINET,
)
POSITIVE, NEGATIVE = Outcome.POSITIVE, Outcome.NEGATIVE


def tomsk(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=TOMSK)


def attempt(
    channel: MessageChannel, at: datetime, outcome: Outcome | None, campaign: int = 1
) -> PastAttempt:
    return PastAttempt(channel, at, outcome, campaign)


def test_no_past_attempt_means_any_time() -> None:
    assert next_attempt_at(PHONE, [], RULES, TOMSK) is None
    assert next_attempt_at(PHONE, [attempt(SMS, tomsk(16, 10), NEGATIVE)], RULES, TOMSK) is None


def test_the_rules_come_from_the_settings() -> None:
    settings = CampaignSettings(
        retry_after_negative_call_minutes=30,
        quiet_after_positive_call_days=3,
        email_repeat_days=2,
        cabinet_retry_minutes=15,
    )
    assert RetryRules.from_settings(settings) == RetryRules(
        timedelta(minutes=30), timedelta(days=3), timedelta(days=2), timedelta(minutes=15)
    )
    assert RetryRules.from_settings(CampaignSettings()) == RULES


def test_a_call_that_did_not_deliver_is_tried_again_after_two_hours() -> None:
    history = [attempt(PHONE, tomsk(16, 10), NEGATIVE)]
    assert next_attempt_at(PHONE, history, RULES, TOMSK) == tomsk(16, 12)


def test_an_unknown_outcome_counts_as_not_delivered() -> None:
    history = [attempt(PHONE, tomsk(16, 10), None)]
    assert next_attempt_at(PHONE, history, RULES, TOMSK) == tomsk(16, 12)


def test_the_latest_call_decides() -> None:
    history = [attempt(PHONE, tomsk(16, 10), NEGATIVE), attempt(PHONE, tomsk(16, 13), NEGATIVE)]
    assert next_attempt_at(PHONE, history, RULES, TOMSK) == tomsk(16, 15)
    assert next_attempt_at(PHONE, history[::-1], RULES, TOMSK) == tomsk(16, 15)


def test_a_call_that_delivered_keeps_the_phone_quiet_for_seven_days() -> None:
    history = [attempt(PHONE, tomsk(16, 10), POSITIVE)]
    assert next_attempt_at(PHONE, history, RULES, TOMSK) == tomsk(23, 10)
    # Another campaign's call that did not deliver, made since, does not shorten it.
    history.append(attempt(PHONE, tomsk(17, 10), NEGATIVE, campaign=2))
    assert next_attempt_at(PHONE, history, RULES, TOMSK) == tomsk(23, 10)


def test_an_old_delivered_call_no_longer_matters() -> None:
    history = [attempt(PHONE, tomsk(1, 10), POSITIVE), attempt(PHONE, tomsk(16, 10), NEGATIVE)]
    assert next_attempt_at(PHONE, history, RULES, TOMSK) == tomsk(16, 12)


def test_e_mail_every_seven_days_whatever_came_of_it() -> None:
    assert next_attempt_at(EMAIL, [attempt(EMAIL, tomsk(2, 9), NEGATIVE)], RULES, TOMSK) == tomsk(
        9, 9
    )
    assert next_attempt_at(EMAIL, [attempt(EMAIL, tomsk(2, 9), None)], RULES, TOMSK) == tomsk(9, 9)


def test_one_sms_a_day_of_the_customer() -> None:
    history = [attempt(SMS, tomsk(16, 19, 59), NEGATIVE)]
    assert next_attempt_at(SMS, history, RULES, TOMSK) == tomsk(17)
    # 19:59 in Tomsk is 15:59 in Moscow: the Moscow customer's day ends at midnight there.
    assert next_attempt_at(SMS, history, RULES, MOSCOW) == datetime(2026, 2, 17, tzinfo=MOSCOW)
    late = [attempt(SMS, datetime(2026, 2, 16, 23, 30, tzinfo=UTC), POSITIVE)]
    # 23:30 UTC is already 06:30 on the 17th in Tomsk.
    assert next_attempt_at(SMS, late, RULES, TOMSK) == tomsk(18)
    assert next_attempt_at(SMS, late, RULES, MOSCOW) == datetime(2026, 2, 18, tzinfo=MOSCOW)


def test_a_cabinet_notice_not_taken_is_sent_again_after_an_hour() -> None:
    assert next_attempt_at(
        CABINET, [attempt(CABINET, tomsk(16, 10), NEGATIVE)], RULES, TOMSK
    ) == tomsk(16, 11)
    taken = [attempt(CABINET, tomsk(16, 10), POSITIVE, campaign=2)]
    assert next_attempt_at(CABINET, taken, RULES, TOMSK) == tomsk(16, 10)


def test_delivered_in_this_campaign_only() -> None:
    history = [
        attempt(PHONE, tomsk(2, 10), POSITIVE, campaign=1),
        attempt(EMAIL, tomsk(2, 10), NEGATIVE, campaign=2),
        attempt(PHONE, tomsk(3, 10), NEGATIVE, campaign=2),
    ]
    assert delivered(PHONE, history, 1)
    assert not delivered(PHONE, history, 2)
    assert not delivered(EMAIL, history, 2)
    assert not delivered(SMS, history, 1)
    assert delivered(PHONE, history)


def test_moments_are_utc_and_zones_of_the_input_do_not_matter() -> None:
    in_moscow = [attempt(PHONE, datetime(2026, 2, 16, 6, tzinfo=MOSCOW), NEGATIVE)]
    result = next_attempt_at(PHONE, in_moscow, RULES, TOMSK)
    assert result == tomsk(16, 12)
    assert result is not None and result.tzinfo is UTC
