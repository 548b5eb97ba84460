"""A claimed customer judged for one campaign: begin an attempt now, with the message
rendered for them, or wait (the window, a retry interval) or stop (paid, refused)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from autodialer.contact_plan import plan_contact
from autodialer.contacts import Begin, Contact, Decision, Later
from autodialer.customer_zone import zone_of
from autodialer.eligibility import consent_channel
from autodialer.model import Campaign, MessageChannel, Skip
from autodialer.retry_policy import RetryRules
from autodialer.scenario import MessageValues, spoken, written
from autodialer.settings import CampaignSettings
from autodialer.windows import CallingWindows
from customers.consent import ConsentStatus
from customers.identifiers import normalise_phone
from customers.model import Account

RECHECK_AFTER = timedelta(days=1)
"""A customer skipped for a reason that may change (no consent yet) is looked at again."""


@dataclass(frozen=True)
class JudgeRules:
    settings: CampaignSettings
    windows: CallingWindows
    retry: RetryRules
    default_zone: ZoneInfo


class ContactJudge:
    def __init__(self, campaign: Campaign, rules: JudgeRules, now: datetime) -> None:
        self.campaign = campaign
        self.rules = rules
        self.now = now
        self.margin = timedelta(seconds=rules.settings.call_margin_seconds)

    def __call__(self, contact: Contact) -> Decision:
        account = contact.account
        if account is None:
            return Later(None, Skip.UNKNOWN_CUSTOMER.value, final=True)
        channel = contact.channel
        address = address_for(channel, contact, account)
        decision = plan_contact(
            purpose=self.campaign.purpose,
            channel=channel,
            kind_windows=self.rules.windows,
            rules=self.rules.retry,
            zone=zone_of(account.address, account.area, self.rules.default_zone),
            consent=contact.consent.get(consent_channel(channel), ConsentStatus.NOT_ASKED),
            debt=account.debt,
            address=address,
            history=contact.history,
            last_survey_at=contact.last_survey_at,
            now=self.now,
            margin=self.margin if channel is MessageChannel.PHONE else timedelta(0),
            survey_min_gap_months=self.rules.settings.survey_min_gap_months,
            campaign_ends_at=self.campaign.ends_at,
            campaign_id=self.campaign.id,
        )
        if decision.delivered:
            return Later(None, "delivered", final=True)
        if decision.skip is not None:
            again = min(self.now + RECHECK_AFTER, self.campaign.ends_at)
            return Later(None if decision.final else again, decision.skip.value, decision.final)
        if decision.at is None:
            return Later(None, "no_window_left")
        if decision.at > self.now:
            return Later(decision.at)
        return Begin(address, self._message(contact, account))

    def _message(self, contact: Contact, account: Account) -> str:
        values = MessageValues(
            account_number=account.number,
            debt=account.debt,
            due_date=account.due_date,
            restriction_date=contact.restriction_date,
            verification_due=contact.verification_due,
        )
        scenario = self.campaign.scenario
        if contact.channel is MessageChannel.PHONE:
            return spoken(scenario.text, values)
        if contact.channel is MessageChannel.SMS:
            return written(scenario.sms_text or scenario.text, values)
        return written(scenario.text, values)


def address_for(channel: MessageChannel, contact: Contact, account: Account) -> str:
    """Where the message goes: the list's number or e-mail, else the account's own."""
    if channel in (MessageChannel.PHONE, MessageChannel.SMS):
        try:
            return normalise_phone(contact.list_phone or account.phone)
        except ValueError:
            return ""
    if channel is MessageChannel.EMAIL:
        return (contact.list_email or account.email).strip()
    return account.number
