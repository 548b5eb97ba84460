"""AD-2 on a real Asterisk: the dialer originates a campaign call to a customer (a Local
channel) who answers, is told apart from a machine by AMD, hears the message and
presses 0 — and the attempt is stored as reached, with Asterisk's evidence."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from autodialer.contact_judge import JudgeRules
from autodialer.dialer import Dialer
from autodialer.messaging import Messaging
from autodialer.model import Cause, MessageChannel
from autodialer.parts import campaign_parts
from autodialer.settings import CampaignSettings
from autodialer.storage import ListEntry
from callgrid.events import EventHub
from telephony.ami import AmiClient
from tests.asterisk.asterisk_runner import (
    CAMPAIGN_CALLEE,
    CAMPAIGN_KEY_AFTER_SECONDS,
    AsteriskRunner,
)
from tests.asterisk.conftest import RealEngine
from tests.autodialer.campaign_fixtures import account, add_customers, draft, running_campaign

CALL_SECONDS = CAMPAIGN_KEY_AFTER_SECONDS + 20


async def test_a_customer_hears_the_message_and_presses_zero(
    engine: RealEngine, ami: AmiClient, real_asterisk: AsteriskRunner
) -> None:
    running = engine.engine
    clock = running.clock
    settings = running.settings.with_sections(CampaignSettings(dial_string=CAMPAIGN_CALLEE))
    parts = campaign_parts(running.database, settings, clock)
    await add_customers(running.database, [account(1)], clock())
    campaign = await running_campaign(
        parts, draft(clock(), lines=1), [ListEntry("7000000001")], clock()
    )
    rules = JudgeRules(
        replace(parts.rules.settings, dial_string=CAMPAIGN_CALLEE),
        parts.rules.windows,
        parts.rules.retry,
        parts.rules.default_zone,
    )
    dialer = Dialer(
        parts.campaigns, parts.store, parts.reports, Messaging(parts.store, clock), rules,
        clock, lambda: ami, EventHub(),
    )  # fmt: skip

    log_offset = real_asterisk.log_size()
    report = await dialer.tick()
    await dialer.settle()
    assert [attempt.channel for attempt in report.started] == [MessageChannel.PHONE]
    deadline = time.monotonic() + CALL_SECONDS
    while time.monotonic() < deadline:
        (proven,) = await parts.reports.attempts(campaign.id)
        if proven.attempt.ended_at is not None:
            break
        await asyncio.sleep(0.5)

    attempt = proven.attempt
    kinds = [event.kind for event in proven.events]
    assert attempt.cause is Cause.OPERATOR, (proven.events, real_asterisk.log_tail(40))
    assert attempt.details["originate_reason"] == "4"
    assert attempt.details["amd_status"] == "HUMAN"
    assert attempt.details["key"] == "0"
    assert 3 <= float(attempt.details["heard_seconds"]) <= CAMPAIGN_KEY_AFTER_SECONDS + 2
    assert kinds[:5] == ["start", "originate", "answered", "amd", "message"]
    assert "задолженность" in attempt.said

    # Put through, the customer waits in the (empty) queue with no engine session open,
    # hangs up there, and [callgrid-campaign]'s h offers the after-queue request.
    while time.monotonic() < deadline and "operator" not in kinds:
        await asyncio.sleep(0.5)
        (proven,) = await parts.reports.attempts(campaign.id)
        kinds = [event.kind for event in proven.events]
    assert [e.detail for e in proven.events if e.kind == "operator"] == ["abandoned"]
    log = real_asterisk.log_since(log_offset)
    assert any("AGI Rx << SET VARIABLE CALLGRID_QUEUE operators" in line for line in log)
    assert not any("AGI Rx << EXEC Queue" in line for line in log), "Queue() in a session"
    assert any(f"campaign-after-queue?attempt={attempt.id}" in line for line in log)
