"""The campaigns' worker: every tick, a turn for each running campaign and channel, and
the calls and messages those turns begin (AD-2, AD-7).

A turn (:meth:`AttemptStore.take_turn`) decides in the database who is contacted now;
this module then places the calls over AMI and hands messages to their senders, each
in a task of its own, and finishes a campaign whose end passed or whose list is done.
Phone attempts are begun only while this process has an AMI link.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from autodialer.attempt_store import AttemptStore, StartedAttempt, TurnFigures
from autodialer.call_outcome import CallFacts, call_cause
from autodialer.contact_judge import ContactJudge, JudgeRules
from autodialer.lifecycle import Actor
from autodialer.messaging import Messaging
from autodialer.model import Campaign, CampaignState, Cause, MessageChannel
from autodialer.pacing import dial_budget
from autodialer.reports import CampaignReports
from autodialer.settings import DIAL_STRING_NUMBER, CampaignSettings
from autodialer.storage import SqlCampaigns
from callgrid.events import EventHub
from telephony.ami import AmiActionError, AmiClient, AmiDisconnected, AmiTimeout

log = logging.getLogger(__name__)
PROGRESS_TOPIC = "campaign.progress"
ENGINE_ACTOR = Actor("engine", frozenset(), "dialer")
ANSWERED = 4


@dataclass
class TickReport:
    started: list[StartedAttempt] = field(default_factory=list)
    figures: dict[tuple[int, MessageChannel], TurnFigures] = field(default_factory=dict)
    finished: list[int] = field(default_factory=list)


class Dialer:
    def __init__(
        self,
        campaigns: SqlCampaigns,
        store: AttemptStore,
        reports: CampaignReports,
        messaging: Messaging,
        rules: JudgeRules,
        clock: Callable[[], datetime],
        ami: Callable[[], AmiClient | None],
        events: EventHub,
    ) -> None:
        self.campaigns = campaigns
        self.store = store
        self.reports = reports
        self.messaging = messaging
        self.rules = rules
        self.settings: CampaignSettings = rules.settings
        self.clock = clock
        self.ami = ami
        self.events = events
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Tick until cancelled; a failing tick is logged once a kind and retried."""
        last_failure = ""
        try:
            while True:
                try:
                    await self.tick()
                    last_failure = ""
                except Exception as error:
                    if type(error).__name__ != last_failure:
                        log.exception("campaign dialer tick failed; retrying")
                    last_failure = type(error).__name__
                await asyncio.sleep(self.settings.dial_tick_seconds)
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Stop waiting for calls and messages under way; their leases close them."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def settle(self) -> None:
        """Wait for the calls and messages begun so far to report (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def tick(self) -> TickReport:
        report = TickReport()
        now = self.clock()
        for campaign in await self.campaigns.in_state(CampaignState.RUNNING):
            if await self._finish_if_done(campaign, now):
                report.finished.append(campaign.id)
                continue
            if now < campaign.starts_at:
                continue
            judge = ContactJudge(campaign, self.rules, now)
            for channel in campaign.channels:
                budget = self._budget(campaign, channel)
                if budget is None:
                    continue
                started, figures = await self.store.take_turn(campaign, channel, now, budget, judge)
                report.figures[(campaign.id, channel)] = figures
                for attempt in started:
                    self._spawn(self._attempt(campaign, attempt))
                report.started.extend(started)
            self.events.publish(PROGRESS_TOPIC, campaign=campaign.id)
        return report

    def _budget(
        self, campaign: Campaign, channel: MessageChannel
    ) -> Callable[[int, int], int] | None:
        if channel is MessageChannel.PHONE:
            ami = self.ami()
            if ami is None or not ami.is_connected:
                return None

            def lines(busy: int, recent: int) -> int:
                return dial_budget(
                    line_limit=campaign.line_limit,
                    lines_busy=busy,
                    calls_per_second=campaign.calls_per_second,
                    started_in_window=recent,
                )

            return lines
        if not self.messaging.can_send(channel):
            return None
        per_turn = self.settings.messages_per_turn
        return lambda busy, recent: max(0, per_turn - busy)

    async def _finish_if_done(self, campaign: Campaign, now: datetime) -> bool:
        ended = now >= campaign.ends_at
        if not ended and now >= campaign.starts_at:
            ended = not await self.reports.has_work(campaign.id)
        if not ended:
            return False
        if await self.reports.open_attempts(campaign.id):
            return False  # its last calls and messages are still under way
        reason = "its end passed" if now >= campaign.ends_at else "everyone on the list is done"
        await self.campaigns.change_state(
            campaign.id,
            CampaignState.RUNNING,
            CampaignState.FINISHED,
            ENGINE_ACTOR,
            now,
            reason=reason,
        )
        self.events.publish(PROGRESS_TOPIC, campaign=campaign.id)
        log.info("campaign %d finished: %s", campaign.id, reason)
        return True

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attempt(self, campaign: Campaign, attempt: StartedAttempt) -> None:
        try:
            if attempt.channel is MessageChannel.PHONE:
                await self._place_call(attempt)
            else:
                await self.messaging.send(campaign, attempt)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("campaign %d attempt %d failed", campaign.id, attempt.id)
        finally:
            self.events.publish(PROGRESS_TOPIC, campaign=campaign.id)

    async def _place_call(self, attempt: StartedAttempt) -> None:
        ami = self.ami()
        settings = self.settings
        if ami is None:
            return
        dial = settings.dial_string.replace(DIAL_STRING_NUMBER, attempt.address)
        try:
            response = await ami.originate(
                dial,
                context=settings.campaign_context,
                exten="s",
                priority=1,
                caller_id=settings.campaign_caller_id,
                timeout_ms=settings.ring_seconds * 1000,
                variables={"CALLGRID_ATTEMPT": str(attempt.id)},
                channel_id=attempt.channel_id,
                result_timeout=settings.ring_seconds + 30,
            )
        except AmiActionError as error:
            now = self.clock()
            events = [(now, "refused", str(error)[:200])]
            await self.store.finish(attempt.id, Cause.FAILED, now, events=events)
            return
        except (AmiDisconnected, AmiTimeout) as error:
            detail = f"outcome unknown: {error}"
            await self.store.note(attempt.id, [(self.clock(), "ami", detail[:200])])
            return
        now = self.clock()
        reason = f"OriginateResponse {response.response}, Reason {response.reason}"
        events = [(now, "originate", reason)]
        if response.reason == ANSWERED:
            lease = now + timedelta(seconds=settings.attempt_lease_seconds)
            await self.store.note(attempt.id, events, {"originate_reason": ANSWERED}, lease)
            return
        cause = call_cause(
            CallFacts(
                originate_reason=response.reason,
                hangup_cause=None,
                amd_status=None,
                amd_cause=None,
                answered=False,
                played_to_end=False,
                key=None,
            ),
            operator_key=settings.operator_key,
            confirm_key=settings.confirm_key,
        )
        await self.store.finish(
            attempt.id, cause, now, {"originate_reason": response.reason}, events
        )
