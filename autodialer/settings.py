"""The autoinformer's settings: calling windows, the retry rules, dialing and the
SMSC, mail server and cabinet it sends through (AD-6 … AD-10, CC-12).

A window is ``09:00-20:00`` or ``closed``, per message kind and kind of day, in the
**customer's** local time. Where the standard gives two windows for one message the
strictest applies (see :mod:`autodialer.windows`):

- phone notices (debt reminder, restriction warning) are both "phone notices" (9–20,
  Saturday 9–19; nothing said of Sunday, so none) and automated calls (9–21, weekends
  9–20): 9–20 on working days, 9–19 on Saturday, none on Sundays and holidays;
- other phone messages are automated calls: 9–21, weekends and holidays 9–20;
- SMS: 9–20 (AD-8) and 10–21 (AD-7): 10–20 every day;
- e-mail and the cabinet have no window in the standard: daytime, 9–21.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from callgrid.settings import Section, Settings

MESSAGE_KINDS = ("phone_notice", "phone_information", "sms", "email", "cabinet")
DAY_KINDS = ("working_day", "saturday", "sunday", "holiday")
DIAL_STRING_NUMBER = "{number}"
SAFE_DIAL_STRING = re.compile(r"^[A-Za-z0-9/@._{}-]+$")


@dataclass(frozen=True)
class CampaignSettings(Section):
    name: ClassVar[str] = "autodialer"
    ranges: ClassVar[dict[str, tuple[float, float]]] = {
        "retry_after_negative_call_minutes": (1, 7 * 24 * 60),
        "quiet_after_positive_call_days": (0, 365),
        "email_repeat_days": (1, 365),
        "cabinet_retry_minutes": (1, 7 * 24 * 60),
        "survey_min_gap_months": (0, 24),
        "survey_max_gap_months": (1, 60),
        "max_message_seconds": (5, 600),
        "restriction_warning_days": (1, 365),
        "ring_seconds": (5, 120),
        "call_margin_seconds": (0, 3600),
        "attempt_lease_seconds": (30, 86_400),
        "dial_tick_seconds": (0.01, 60),
        "default_line_limit": (1, 10_000),
        "messages_per_turn": (1, 10_000),
        "default_calls_per_second": (0.01, 1000),
        "operator_wait_seconds": (5, 3600),
        "smpp_port": (1, 65535),
        "smtp_port": (1, 65535),
        "sms_receipt_hours": (1, 240),
    }

    phone_notice_working_day: str = "09:00-20:00"
    phone_notice_saturday: str = "09:00-19:00"
    phone_notice_sunday: str = "closed"
    phone_notice_holiday: str = "closed"
    phone_information_working_day: str = "09:00-21:00"
    phone_information_saturday: str = "09:00-20:00"
    phone_information_sunday: str = "09:00-20:00"
    phone_information_holiday: str = "09:00-20:00"
    sms_working_day: str = "10:00-20:00"
    sms_saturday: str = "10:00-20:00"
    sms_sunday: str = "10:00-20:00"
    sms_holiday: str = "10:00-20:00"
    email_working_day: str = "09:00-21:00"
    email_saturday: str = "09:00-21:00"
    email_sunday: str = "09:00-21:00"
    email_holiday: str = "09:00-21:00"
    cabinet_working_day: str = "09:00-21:00"
    cabinet_saturday: str = "09:00-21:00"
    cabinet_sunday: str = "09:00-21:00"
    cabinet_holiday: str = "09:00-21:00"

    retry_after_negative_call_minutes: int = 120
    """After a call that did not deliver, the next no sooner than this (AD-7)."""
    quiet_after_positive_call_days: int = 7
    """After a call that delivered, no call to that customer for this long (AD-7)."""
    email_repeat_days: int = 7
    """E-mail again this often until it is delivered (AD-7)."""
    cabinet_retry_minutes: int = 60
    """A cabinet notice the cabinet did not take is sent again after this."""
    survey_min_gap_months: int = 3
    """At most one survey per customer in this many months (AD-10)…"""
    survey_max_gap_months: int = 12
    """…and at least one in this many (the "survey due" list)."""
    max_message_seconds: int = 60
    """A phone message lasts at most this (AD-7); longer scenarios are refused."""
    restriction_warning_days: int = 20
    """A restriction warning is delivered this many days before the restriction (AD-9)."""

    dial_string: str = "PJSIP/{number}@callgrid-trunk"
    """How Asterisk reaches a customer's number; ``{number}`` is digits only."""
    campaign_context: str = "callgrid-campaign"
    """The dialplan context an answered campaign call runs (AMD, then FastAGI)."""
    campaign_caller_id: str = "88002224902"
    ring_seconds: int = 20
    """How long a customer's phone rings: four rings of 5 s (CC-12)."""
    call_margin_seconds: int = 90
    """A call starts no later than this before its window closes (ring + message)."""
    attempt_lease_seconds: int = 300
    """An attempt whose process stopped answering for this long is closed as
    interrupted, and its line counted free again."""
    dial_tick_seconds: float = 0.5
    messages_per_turn: int = 50
    """SMS, e-mails or cabinet notices one campaign sends at most at a time."""
    default_line_limit: int = 10
    default_calls_per_second: float = 2.0
    confirm_key: str = "1"
    operator_key: str = "0"
    operator_queue: str = "operators"
    """The contact-center queue a customer who presses 0 waits in."""
    operator_wait_seconds: int = 60

    campaign_audio_dir: str = ""
    """Where the rendered campaign messages are kept (default ``var/campaigns``)."""
    asterisk_campaign_audio_dir: str = ""
    """The same folder as Asterisk sees it (default: ``campaign_audio_dir``)."""

    smpp_host: str = ""
    """The SMSC; empty: no SMS are sent (a campaign with SMS cannot start)."""
    smpp_port: int = 2775
    smpp_system_id: str = "callgrid"
    smpp_password: str = ""
    sms_source_address: str = "Energosbyt"
    sms_receipt_hours: int = 48
    """An SMS with no delivery receipt after this long counts as undelivered."""
    smtp_host: str = ""
    """The mail server; empty: no e-mail is sent."""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "noreply@energosbyt.example"
    organisation_name: str = "Энергосбыт"
    """Who signs the e-mails."""
    mail_default_subject: str = "Уведомление от «Энергосбыта»"
    """The subject of a campaign's e-mail when its scenario gives none."""
    cabinet_webhook_url: str = ""
    """Where cabinet notices are posted; empty: none are sent."""
    cabinet_webhook_secret: str = ""
    """The HMAC-SHA256 key the cabinet checks each notice's signature with."""

    def resolved(self, engine: Settings) -> CampaignSettings:
        directory = self.campaign_audio_dir or str(engine.var_dir / "campaigns")
        return replace(
            self,
            campaign_audio_dir=directory,
            asterisk_campaign_audio_dir=self.asterisk_campaign_audio_dir
            or str(Path(directory).resolve()),
        )

    def window_setting(self, kind: str, day_kind: str) -> str:
        value: str = getattr(self, f"{kind}_{day_kind}")
        return value

    def check(self) -> Iterable[tuple[str, str]]:
        from autodialer.windows import window_problems

        yield from window_problems(self)
        if DIAL_STRING_NUMBER not in self.dial_string:
            yield "dial_string", f"has no {DIAL_STRING_NUMBER} for the customer's number"
        if not SAFE_DIAL_STRING.match(self.dial_string):
            yield "dial_string", "may hold only letters, digits and / @ . _ - { }"
        for key_name in ("confirm_key", "operator_key"):
            key = getattr(self, key_name)
            if len(key) != 1 or key not in "0123456789*#":
                yield key_name, "is one key of the keypad"
        if self.confirm_key == self.operator_key:
            yield "confirm_key", "is the operator key too"
        yield from _smpp_problems(self)
        if self.cabinet_webhook_url and not self.cabinet_webhook_secret:
            yield "cabinet_webhook_secret", "is needed to sign notices to the cabinet"


def _smpp_problems(settings: CampaignSettings) -> Iterable[tuple[str, str]]:
    """SMPP 3.4's field sizes (5.2.1, 5.2.8): an SMSC refuses the bind or the message
    otherwise, at the first SMS of a running campaign."""
    if len(settings.smpp_system_id.encode()) > 15:
        yield "smpp_system_id", "is at most 15 characters (SMPP system_id)"
    if len(settings.smpp_password.encode()) > 8:
        yield "smpp_password", "is at most 8 characters (SMPP password)"
    source = settings.sms_source_address
    if source.isdigit():
        if len(source) > 15:
            yield "sms_source_address", "as a number is at most 15 digits"
    elif not source or len(source) > 11 or not source.isascii() or not source.isprintable():
        yield "sms_source_address", "as a name is 1 to 11 Latin letters, digits or spaces"
