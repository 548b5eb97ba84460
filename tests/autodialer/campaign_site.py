"""The web part with the autoinformer's customers and campaigns, the new-campaign form
as a browser sends it, and calls placed the way the dialer places them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aiohttp

from autodialer.contact_judge import ContactJudge
from autodialer.model import Campaign, Cause, MessageChannel
from autodialer.parts import CampaignParts
from autodialer.plugin import CAMPAIGNS
from autodialer.storage import ListEntry
from tests.autodialer.campaign_fixtures import account, add_customers, draft, running_campaign
from tests.web.conftest import RunningWeb

ACCOUNTS = ("7000000001", "7000000002", "7000000003")
FORM: dict[str, str | list[str]] = {
    "name": "Долг, декабрь",
    "purpose": "debt_reminder",
    "channels": ["phone", "sms"],
    "list_query": "kind=household,debtors",
    "text": "По лицевому счёту {account} задолженность {debt}.",
    "sms_text": "",
    "subject": "",
    "starts": "2026-11-27T09:00",
    "ends": "2026-12-04T20:00",
    "lines": "4",
    "cps": "2",
}


def parts_of(web: RunningWeb) -> CampaignParts:
    return web.engine.host.require(CAMPAIGNS)


async def add_three_customers(web: RunningWeb) -> None:
    await add_customers(web.engine.database, [account(n) for n in (1, 2, 3)], web.clock())


def form_data(
    token: str,
    fields: Mapping[str, str | list[str]],
    files: Mapping[str, tuple[str, bytes]] | None = None,
) -> aiohttp.FormData:
    """The form as multipart, each checkbox a field of its own, files with their names."""
    data = aiohttp.FormData()
    data.add_field("csrf_token", token)
    for name, value in fields.items():
        for each in [value] if isinstance(value, str) else value:
            data.add_field(name, each)
    for name, (filename, content) in (files or {}).items():
        data.add_field(name, content, filename=filename, content_type="application/octet-stream")
    return data


async def a_running_campaign(web: RunningWeb) -> Campaign:
    """Three customers on a phone campaign that a supervisor prepared and a manager
    approved; it runs from now."""
    entries = [ListEntry(number) for number in ACCOUNTS]
    return await running_campaign(parts_of(web), draft(web.clock()), entries, web.clock())


async def call_everyone(
    web: RunningWeb, campaign: Campaign, causes: Sequence[Cause]
) -> list[tuple[str, Cause]]:
    """One dialer turn on the phone; each call then ends with its cause, with the
    evidence Asterisk gives of it."""
    parts, now = parts_of(web), web.clock()
    started, _ = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        now,
        lambda busy, recent: len(causes),
        ContactJudge(campaign, parts.rules, now),
    )
    ended = []
    for attempt, cause in zip(started, causes, strict=True):
        reason = {Cause.BUSY: 5, Cause.NO_ANSWER: 3}.get(cause, 4)
        answer = "Success" if reason == 4 else "Failure"
        events = [(now, "originate", f"OriginateResponse {answer}, Reason {reason}")]
        facts = {"originate_reason": reason}
        await parts.store.finish(attempt.id, cause, now, facts, events)
        ended.append((attempt.account_number, cause))
    return ended
