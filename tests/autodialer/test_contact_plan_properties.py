"""The dialer's decision, alone on examples and driven through simulated campaigns.

A simulated customer is planned for, attempted at the moment the plan names with a
random outcome, and planned for again, on random clocks, while their consent changes;
then the independent rule checker and the rules written out here both find nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings
from hypothesis import strategies as st

from autodialer.contact_plan import ContactDecision, plan_contact
from autodialer.model import MessageChannel, Outcome, Purpose, Skip
from autodialer.retry_policy import PastAttempt, RetryRules
from autodialer.rule_check import CheckedAttempt, violations
from autodialer.settings import CampaignSettings
from autodialer.windows import CallingWindows
from customers.consent import ConsentStatus
from worktime.calendar import default_calendar

CALENDAR = default_calendar()
TOMSK = ZoneInfo("Asia/Tomsk")
MOSCOW = ZoneInfo("Europe/Moscow")
ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/Kaliningrad",
        "Europe/Moscow",
        "Europe/Samara",
        "Asia/Yekaterinburg",
        "Asia/Omsk",
        "Asia/Tomsk",
        "Asia/Novosibirsk",
        "Asia/Irkutsk",
        "Asia/Vladivostok",
        "Asia/Kamchatka",
    )
]
GIVEN, REFUSED, NOT_ASKED = ConsentStatus.GIVEN, ConsentStatus.REFUSED, ConsentStatus.NOT_ASKED
PHONE, SMS, EMAIL, CABINET = (
    MessageChannel.PHONE,
    MessageChannel.SMS,
    MessageChannel.EMAIL,
    MessageChannel.CABINET,
)
DEBT = Decimal("1520.40")
MARGIN = timedelta(seconds=90)
STANDARD = CampaignSettings()
WINDOWS = CallingWindows.from_settings(STANDARD, CALENDAR)
RULES = RetryRules.from_settings(STANDARD)


def tomsk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOMSK)


CAMPAIGN_END = tomsk(2026, 3, 31)


def plan(
    now: datetime,
    history: list[PastAttempt],
    *,
    purpose: Purpose = Purpose.DEBT_REMINDER,
    channel: MessageChannel = PHONE,
    consent: ConsentStatus = NOT_ASKED,
    zone: ZoneInfo = TOMSK,
    ends_at: datetime = CAMPAIGN_END,
) -> ContactDecision:
    return plan_contact(
        purpose=purpose,
        channel=channel,
        kind_windows=WINDOWS,
        rules=RULES,
        zone=zone,
        consent=consent,
        debt=DEBT,
        address="79131234567",
        history=history,
        last_survey_at=None,
        now=now,
        margin=MARGIN,
        survey_min_gap_months=3,
        campaign_ends_at=ends_at,
        campaign_id=1,
    )


def test_dial_now_inside_the_window() -> None:
    now = tomsk(2026, 2, 16, 10)
    assert plan(now, []) == ContactDecision(at=now, skip=None, delivered=False)


def test_wait_for_the_window_in_the_customer_s_zone() -> None:
    now = tomsk(2026, 2, 16, 10)  # 06:00 in Moscow
    assert plan(now, [], zone=MOSCOW).at == datetime(2026, 2, 16, 9, tzinfo=MOSCOW)


def test_after_a_call_that_did_not_deliver_two_hours_and_the_window() -> None:
    history = [PastAttempt(PHONE, tomsk(2026, 2, 16, 18, 30), Outcome.NEGATIVE, 1)]
    assert plan(tomsk(2026, 2, 16, 18, 31), history).at == tomsk(2026, 2, 17, 9)
    early = [PastAttempt(PHONE, tomsk(2026, 2, 16, 10), Outcome.NEGATIVE, 1)]
    assert plan(tomsk(2026, 2, 16, 10, 1), early).at == tomsk(2026, 2, 16, 12)


def test_delivered_in_this_campaign_ends_it_but_another_s_only_waits() -> None:
    mine = [PastAttempt(PHONE, tomsk(2026, 2, 2, 10), Outcome.POSITIVE, 1)]
    assert plan(tomsk(2026, 2, 16, 10), mine) == ContactDecision(None, None, True)
    theirs = [PastAttempt(PHONE, tomsk(2026, 2, 12, 10), Outcome.POSITIVE, 2)]
    assert plan(tomsk(2026, 2, 16, 10), theirs).at == tomsk(2026, 2, 19, 10)


def test_skips_and_which_are_final() -> None:
    refused = plan(tomsk(2026, 2, 16, 10), [], consent=REFUSED)
    assert refused.skip is Skip.REFUSED and refused.final
    no_consent = plan(tomsk(2026, 2, 16, 10), [], channel=SMS)
    assert no_consent.skip is Skip.NO_CONSENT and not no_consent.final


def test_nothing_before_the_campaign_ends() -> None:
    friday_evening = tomsk(2026, 2, 13, 20)
    decision = plan(friday_evening, [], ends_at=tomsk(2026, 2, 14, 9))
    assert decision == ContactDecision(None, None, False) and decision.final
    assert plan(friday_evening, [], ends_at=tomsk(2026, 2, 14, 10)).at == tomsk(2026, 2, 14, 9)


@dataclass(frozen=True)
class CampaignPlan:
    id: int
    purpose: Purpose
    channel: MessageChannel
    starts_at: datetime
    ends_at: datetime


STEPS = st.one_of(
    st.sampled_from([0, 1, 60, 1800, 7200, 86_400, 3 * 86_400]),
    st.integers(min_value=0, max_value=10 * 86_400),
)
STARTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 9, 30), timezones=st.just(UTC)
)
CONSENTS = st.sampled_from([GIVEN, GIVEN, GIVEN, NOT_ASKED, REFUSED])
OUTCOMES = st.sampled_from([Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.NEGATIVE, None])
CAMPAIGN_SETTINGS = st.builds(
    CampaignSettings,
    retry_after_negative_call_minutes=st.sampled_from([1, 30, 120, 600]),
    quiet_after_positive_call_days=st.sampled_from([0, 1, 7]),
    email_repeat_days=st.sampled_from([1, 7]),
    cabinet_retry_minutes=st.sampled_from([1, 60]),
    call_margin_seconds=st.sampled_from([0, 90, 900]),
)


@st.composite
def campaigns(draw: st.DrawFn, start: datetime) -> list[CampaignPlan]:
    count = draw(st.integers(min_value=1, max_value=3))
    found = []
    for number in range(1, count + 1):
        begins = start + timedelta(seconds=draw(st.integers(0, 5 * 86_400)))
        length = timedelta(seconds=draw(st.integers(3600, 40 * 86_400)))
        found.append(
            CampaignPlan(
                number,
                draw(st.sampled_from(list(Purpose))),
                draw(st.sampled_from(list(MessageChannel))),
                begins,
                begins + length,
            )
        )
    return found


@dataclass
class Run:
    """A simulated customer and everything attempted to reach them."""

    zone: ZoneInfo
    consent: dict[MessageChannel, ConsentStatus]
    history: list[PastAttempt]
    checked: list[CheckedAttempt]
    plans: dict[int, CampaignPlan]


def simulate(
    data: st.DataObject, campaign_settings: CampaignSettings, zone: ZoneInfo, start: datetime
) -> Run:
    windows = CallingWindows.from_settings(campaign_settings, CALENDAR)
    rules = RetryRules.from_settings(campaign_settings)
    margin = timedelta(seconds=campaign_settings.call_margin_seconds)
    plans = {plan.id: plan for plan in data.draw(campaigns(start))}
    run = Run(zone, {channel: data.draw(CONSENTS) for channel in MessageChannel}, [], [], plans)
    address = data.draw(st.sampled_from(["79131234567"] * 9 + [""]))
    debt = data.draw(st.sampled_from([DEBT] * 9 + [Decimal(0)]))
    last_survey_at = data.draw(st.none() | st.just(start - timedelta(days=60)))
    open_ids = set(plans)
    now = start
    for _ in range(60):
        if not open_ids:
            break
        if data.draw(st.integers(0, 9)) == 0:
            run.consent[data.draw(st.sampled_from(list(MessageChannel)))] = data.draw(CONSENTS)
        campaign = plans[data.draw(st.sampled_from(sorted(open_ids)))]
        if now < campaign.starts_at:
            now = campaign.starts_at
        if now >= campaign.ends_at:
            open_ids.discard(campaign.id)
            continue
        decision = plan_contact(
            purpose=campaign.purpose,
            channel=campaign.channel,
            kind_windows=windows,
            rules=rules,
            zone=zone,
            consent=run.consent[campaign.channel],
            debt=debt,
            address=address,
            history=run.history,
            last_survey_at=last_survey_at,
            now=now,
            margin=margin,
            survey_min_gap_months=campaign_settings.survey_min_gap_months,
            campaign_ends_at=campaign.ends_at,
            campaign_id=campaign.id,
        )
        if decision.final:
            open_ids.discard(campaign.id)
        elif decision.skip is not None:
            now += timedelta(seconds=data.draw(STEPS))
        elif decision.at is not None and decision.at > now:
            now = decision.at  # the dialer's turn comes then, and asks again
        elif decision.at == now:
            outcome = data.draw(OUTCOMES)
            run.history.append(PastAttempt(campaign.channel, now, outcome, campaign.id))
            lasts = data.draw(st.integers(1, max(1, campaign_settings.call_margin_seconds)))
            # The dialer learns the outcome when the attempt ends, or when its lease runs
            # out after its engine died; only then is the customer planned for again.
            ended = now + timedelta(seconds=lasts) if outcome is not None else None
            run.checked.append(
                CheckedAttempt(
                    "700100",
                    campaign.purpose,
                    campaign.channel,
                    now,
                    ended,
                    outcome,
                    zone,
                    run.consent[campaign.channel],
                    campaign.id,
                )
            )
            if campaign.purpose is Purpose.SURVEY and outcome is Outcome.POSITIVE:
                last_survey_at = now
            lease = timedelta(seconds=campaign_settings.attempt_lease_seconds)
            now = (ended or now + lease) + timedelta(seconds=data.draw(STEPS))
    return run


@settings(max_examples=300, deadline=None)
@given(st.data(), CAMPAIGN_SETTINGS, st.sampled_from(ZONES), STARTS)
def test_simulated_campaigns_break_no_rule(
    data: st.DataObject, campaign_settings: CampaignSettings, zone: ZoneInfo, start: datetime
) -> None:
    run = simulate(data, campaign_settings, zone, start)
    event(f"attempts: {min(len(run.checked), 10)}")
    limits = dict.fromkeys(run.plans, 1)
    assert violations(run.checked, campaign_settings, CALENDAR, limits) == []
    for attempt in run.checked:
        campaign = run.plans[attempt.campaign_id]
        assert campaign.starts_at <= attempt.started_at < campaign.ends_at
        assert_inside_window(attempt, campaign_settings)
        assert_consent(attempt)
    assert_no_retry_interval_broken(run.checked, campaign_settings)
    assert_nothing_after_delivery(run.checked)


def assert_inside_window(attempt: CheckedAttempt, campaign_settings: CampaignSettings) -> None:
    """The window of the customer's local day, from the standard's table of kinds."""
    local = attempt.started_at.astimezone(attempt.zone)
    day = local.date()
    if CALENDAR.is_holiday(day):
        day_kind = "holiday"
    elif CALENDAR.is_working_day(day):
        day_kind = "working_day"
    else:
        day_kind = ("saturday", "sunday")[day.weekday() - 5]
    if attempt.channel is PHONE:
        kind = "phone_notice" if attempt.purpose.is_debt_notice else "phone_information"
    else:
        kind = attempt.channel.value
    window = campaign_settings.window_setting(kind, day_kind)
    assert window != "closed", (attempt, day_kind)
    opens, closes = (time.fromisoformat(part) for part in window.split("-"))
    lasts = campaign_settings.call_margin_seconds if attempt.channel is PHONE else 0
    ends = local + timedelta(seconds=lasts)
    assert opens <= local.time() and ends.date() == day and ends.time() < closes, (attempt, window)


def assert_consent(attempt: CheckedAttempt) -> None:
    if attempt.channel is CABINET or (attempt.channel is PHONE and attempt.purpose.is_debt_notice):
        assert attempt.consent is not REFUSED, attempt
    else:
        assert attempt.consent is GIVEN, attempt


def assert_no_retry_interval_broken(
    attempts: list[CheckedAttempt], campaign_settings: CampaignSettings
) -> None:
    negative_gap = timedelta(minutes=campaign_settings.retry_after_negative_call_minutes)
    positive_gap = timedelta(days=campaign_settings.quiet_after_positive_call_days)
    for later_index, later in enumerate(attempts):
        for earlier in attempts[:later_index]:
            if earlier.channel is not later.channel:
                continue
            gap = later.started_at - earlier.started_at
            match later.channel:
                case MessageChannel.PHONE:
                    positive = earlier.outcome is Outcome.POSITIVE
                    assert gap >= (positive_gap if positive else negative_gap)
                case MessageChannel.EMAIL:
                    assert gap >= timedelta(days=campaign_settings.email_repeat_days)
                case MessageChannel.SMS:
                    assert local_day(later) > local_day(earlier)
                case MessageChannel.CABINET:
                    if earlier.outcome is not Outcome.POSITIVE:
                        assert gap >= timedelta(minutes=campaign_settings.cabinet_retry_minutes)


def assert_nothing_after_delivery(attempts: list[CheckedAttempt]) -> None:
    delivered = set()
    for attempt in attempts:
        key = (attempt.channel, attempt.campaign_id)
        assert key not in delivered, attempt
        if attempt.outcome is Outcome.POSITIVE:
            delivered.add(key)


def local_day(attempt: CheckedAttempt) -> date:
    return attempt.started_at.astimezone(attempt.zone).date()
