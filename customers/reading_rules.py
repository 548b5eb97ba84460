"""Whether a meter reading can be accepted (IVR-9): pure decisions, each refusal with
its reason, so the caller hears at once why the reading was not taken.

The checks, in the order a caller meets them: the meter's verification has not
expired; the value fits the meter's register; it is not lower than the last accepted
reading (unless the register rolled over, or the meter was replaced since); the
consumption is plausible against the account's history; and no reading of that zone
was already accepted today (then the caller may replace it).

Days are the region's (``timezone``, UTC+7 in Tomsk): a reading stored at 02:37 local
time counts for that local day when compared with today and the meter's installation.
A reading of 0 is a legitimate value (a new or replaced meter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from enum import StrEnum

from customers.model import Meter, Reading
from worktime.clock import local_date


class Refusal(StrEnum):
    VERIFICATION_EXPIRED = "verification_expired"
    NO_DIGITS = "no_digits"
    TOO_MANY_DIGITS = "too_many_digits"
    LOWER_THAN_LAST = "lower_than_last"
    IMPLAUSIBLE = "implausible"


@dataclass(frozen=True)
class ReadingLimits:
    """How much a household may plausibly use; settings, not constants."""

    history_factor: float = 3.0
    """Refuse a daily consumption above this many times the usual one…"""
    floor_kwh_per_day: float = 40.0
    """…but never below this ceiling (a small usual consumption is no reason to refuse)."""
    ceiling_without_history_kwh_per_day: float = 150.0


@dataclass(frozen=True)
class Accepted:
    value: int
    consumption: int
    rolled_over: bool = False


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    limit: int | None = None
    """The number the reason speaks of: the register's digits, the last reading, the
    largest plausible consumption."""


@dataclass(frozen=True)
class AlreadyToday:
    """A reading of this zone was accepted today: ask before replacing it."""

    value: int
    existing: int


Verdict = Accepted | Refused | AlreadyToday


def verification_refusal(meter: Meter, today: date) -> Refused | None:
    """Readings of a meter past its verification date are not taken at all."""
    if today > meter.verification_due:
        return Refused(Refusal.VERIFICATION_EXPIRED)
    return None


def usual_daily_consumption(history: list[Reading]) -> float | None:
    """kWh a day between the oldest and the newest accepted reading, if they span days."""
    if len(history) < 2:
        return None
    newest, oldest = max(history, key=lambda r: r.taken_at), min(history, key=lambda r: r.taken_at)
    days = (newest.taken_at - oldest.taken_at).total_seconds() / 86400
    if days < 1 or newest.value < oldest.value:
        return None
    return (newest.value - oldest.value) / days


def judge(
    meter: Meter,
    entered: str,
    today: date,
    last: Reading | None,
    history: list[Reading],
    accepted_today: list[Reading],
    limits: ReadingLimits | None = None,
    *,
    timezone: tzinfo,
) -> Verdict:
    """The verdict on ``entered`` (the digits the caller gave) for one zone of ``meter``.

    ``last`` is the latest accepted reading of the zone, ``history`` the accepted ones
    (any order), ``accepted_today`` those accepted earlier today. ``today`` is the
    local date; the readings' moments are dated in ``timezone``.
    """
    limits = limits or ReadingLimits()
    expired = verification_refusal(meter, today)
    if expired is not None:
        return expired
    if not (entered.isascii() and entered.isdigit()):
        return Refused(Refusal.NO_DIGITS)
    if len(entered.lstrip("0") or "0") > meter.digits:
        return Refused(Refusal.TOO_MANY_DIGITS, meter.digits)
    value = int(entered)
    if last is None or (last_day := local_date(last.taken_at, timezone)) < meter.installed_on:
        return _today_or(Accepted(value, 0), accepted_today)  # nothing of this meter yet
    days = max((today - last_day).days, 1)
    usual = usual_daily_consumption(history)
    per_day = (
        limits.ceiling_without_history_kwh_per_day
        if usual is None
        else max(usual * limits.history_factor, limits.floor_kwh_per_day)
    )
    ceiling = int(per_day * days)
    rolled_over = value < last.value
    consumption = value - last.value + (10**meter.digits if rolled_over else 0)
    if rolled_over and consumption > ceiling:
        return Refused(Refusal.LOWER_THAN_LAST, last.value)
    if consumption > ceiling:
        return Refused(Refusal.IMPLAUSIBLE, ceiling)
    return _today_or(Accepted(value, consumption, rolled_over), accepted_today)


def _today_or(verdict: Accepted, accepted_today: list[Reading]) -> Verdict:
    if accepted_today:
        latest = max(accepted_today, key=lambda r: r.taken_at)
        return AlreadyToday(verdict.value, latest.value)
    return verdict
