"""The autoinformer's use cases: prepare a campaign (its scenario measured, its list
checked), approve, start, pause and stop it, and the dry run before launch (AD-2, AD-3)."""

from __future__ import annotations

import asyncio
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from autodialer.contact_judge import address_for
from autodialer.contacts import Contact
from autodialer.eligibility import consent_channel, contact_allowed
from autodialer.lifecycle import Action, Actor, check_action
from autodialer.lists import (
    ListError,
    ListQuery,
    checked_entries,
    listed_accounts,
    read_list_file,
    select_list,
)
from autodialer.model import Campaign, MessageChannel
from autodialer.scenario import SAMPLE_VALUES, spoken, template_problems, written
from autodialer.scenario_audio import audio_seconds, kept_audio
from autodialer.settings import CampaignSettings
from autodialer.sms_segments import split_sms
from autodialer.storage import CampaignDraft, CampaignError, ListEntry, SqlCampaigns
from autodialer.windows import CallingWindows, message_kind
from callgrid.database import Database
from customers.consent import ConsentStatus
from customers.consent_store import consent_statuses
from customers.storage import accounts_by_numbers
from prompts.render import speak_to_wav, wav_seconds

AVERAGE_ATTEMPTS_PER_CALL = 1.6
"""The dry run's estimate of calls per customer reached by phone (retries included)."""


@dataclass(frozen=True)
class ChannelForecast:
    channel: MessageChannel
    reachable: int
    """Customers the consent rules let this channel reach now."""
    skipped: dict[str, int] = field(default_factory=dict)
    segments: int | None = None
    """SMS: parts per message (for the longest values)."""
    encoding: str | None = None
    line_hours: float | None = None
    days: int | None = None
    """Phone: the days of windows the calls need on the configured lines."""


@dataclass(frozen=True)
class DryRun:
    campaign_id: int
    targets: int
    channels: list[ChannelForecast]
    speech_seconds: float | None
    warnings: list[str]


class CampaignService:
    def __init__(
        self,
        database: Database,
        campaigns: SqlCampaigns,
        settings: CampaignSettings,
        windows: CallingWindows,
        default_zone: ZoneInfo,
        clock: Callable[[], datetime],
    ) -> None:
        self.database = database
        self.campaigns = campaigns
        self.settings = settings
        self.windows = windows
        self.default_zone = default_zone
        self.clock = clock

    async def prepare(
        self,
        draft: CampaignDraft,
        list_query: str | None,
        list_file: Path | None,
        actor: Actor,
        campaign_id: int | None = None,
        audio: Path | None = None,
    ) -> Campaign:
        """Create (or, given ``campaign_id``, edit) a campaign as a draft; ``audio`` a
        recording played before the text."""
        draft = await self.measured(draft)
        if audio is not None:
            draft = await self.with_audio(draft, audio)
        entries = await self.list_for(list_query, list_file) if list_query or list_file else None
        source = (
            f"query: {list_query}" if list_query else f"file: {list_file.name}" if list_file else ""
        )
        if source:
            draft = replace(draft, list_source=source)
        now = self.clock()
        if campaign_id is None:
            if entries is None:
                raise CampaignError("give the campaign a list: a query or a file")
            return await self.campaigns.create(draft, entries, actor, now)
        return await self.campaigns.update(campaign_id, draft, entries, actor, now)

    async def measured(self, draft: CampaignDraft) -> CampaignDraft:
        """The scenario checked and its phone message measured (at most 1 minute, AD-7)."""
        scenario = draft.scenario
        for text in (scenario.text, scenario.sms_text):
            problems = template_problems(text) if text is not None else []
            if problems:
                raise CampaignError("the scenario: " + "; ".join(problems))
        if draft.line_limit < 1 or draft.calls_per_second <= 0:
            raise CampaignError("the line limit and the calls per second must be positive")
        seconds = None
        if MessageChannel.PHONE in draft.channels:
            seconds = await asyncio.to_thread(_speech_seconds, spoken(scenario.text, SAMPLE_VALUES))
            if seconds > self.settings.max_message_seconds:
                raise CampaignError(
                    f"the phone message lasts {seconds:.0f} s; at most "
                    f"{self.settings.max_message_seconds} s are allowed (AD-7)"
                )
        return replace(draft, scenario=replace(scenario, speech_seconds=seconds))

    async def with_audio(self, draft: CampaignDraft, audio: Path) -> CampaignDraft:
        """The measured draft with its recording kept; the recording and the text spoken
        after it last at most the standard's minute together (AD-7)."""
        seconds = await asyncio.to_thread(audio_seconds, audio)
        spoken = draft.scenario.speech_seconds or 0.0
        limit = self.settings.max_message_seconds
        if seconds + spoken > limit:
            raise CampaignError(
                f"the recording ({seconds:.0f} s) and the spoken text ({spoken:.0f} s) last "
                f"more than {limit} s together (AD-7)"
            )
        folder = Path(self.settings.campaign_audio_dir)
        name = await asyncio.to_thread(kept_audio, audio, folder)
        scenario = replace(draft.scenario, audio=name, speech_seconds=seconds + spoken)
        return replace(draft, scenario=scenario)

    async def list_for(self, query: str | None, path: Path | None) -> list[ListEntry]:
        if query:
            parsed = ListQuery.parse(query)
            async with self.database.engine.connect() as connection:
                entries = await select_list(
                    connection, parsed, self.clock(), self.settings.survey_max_gap_months
                )
            if not entries:
                raise ListError(f"the query {query!r} selects nobody")
            return entries
        assert path is not None
        table = read_list_file(path)
        async with self.database.engine.connect() as connection:
            known = await accounts_by_numbers(connection, listed_accounts(table))
        return checked_entries(table.header, table.rows, known)

    async def act(self, campaign_id: int, action: Action, actor: Actor) -> Campaign:
        campaign = await self.campaigns.get(campaign_id)
        if campaign is None:
            raise CampaignError(f"no campaign {campaign_id}")
        now = self.clock()
        target = check_action(campaign, action, actor, now)
        return await self.campaigns.change_state(campaign_id, campaign.state, target, actor, now)

    async def dry_run(self, campaign_id: int) -> DryRun:
        campaign = await self.campaigns.get(campaign_id)
        if campaign is None:
            raise CampaignError(f"no campaign {campaign_id}")
        entries = await self.campaigns.list_entries(campaign_id)
        now = self.clock()
        numbers = [entry.account_number for entry in entries]
        async with self.database.engine.connect() as connection:
            accounts = await accounts_by_numbers(connection, numbers)
            consents = await consent_statuses(connection, numbers, now)
        forecasts = []
        warnings = []
        for channel in campaign.channels:
            reachable, skipped = 0, dict[str, int]()
            for entry in entries:
                account = accounts.get(entry.account_number)
                if account is None:
                    skipped["unknown_customer"] = skipped.get("unknown_customer", 0) + 1
                    continue
                contact = Contact(
                    0, entry.account_number, channel, account, {}, [], None,
                    entry.phone, entry.email, entry.restriction_date, None,
                )  # fmt: skip
                status = consents.get(entry.account_number, {}).get(
                    consent_channel(channel), ConsentStatus.NOT_ASKED
                )
                skip = contact_allowed(
                    campaign.purpose,
                    channel,
                    status,
                    account.debt,
                    address_for(channel, contact, account),
                    None,
                    now,
                    self.settings.survey_min_gap_months,
                )
                if skip is None:
                    reachable += 1
                else:
                    skipped[skip.value] = skipped.get(skip.value, 0) + 1
            forecasts.append(self._forecast(campaign, channel, reachable, skipped, now))
        for forecast in forecasts:
            if (
                forecast.days is not None
                and campaign.starts_at + timedelta(days=forecast.days) > campaign.ends_at
            ):
                warnings.append(
                    f"the calls need about {forecast.days} days of calling windows on "
                    f"{campaign.line_limit} lines; the campaign runs until "
                    f"{campaign.ends_at:%Y-%m-%d}"
                )
        late = [
            e
            for e in entries
            if e.restriction_date
            and campaign.ends_at.date()
            > e.restriction_date - timedelta(days=self.settings.restriction_warning_days)
        ]
        if late:
            warnings.append(
                f"{len(late)} customers' restriction is less than "
                f"{self.settings.restriction_warning_days} days after the campaign's end (AD-9)"
            )
        return DryRun(
            campaign_id, len(entries), forecasts, campaign.scenario.speech_seconds, warnings
        )

    def _forecast(
        self,
        campaign: Campaign,
        channel: MessageChannel,
        reachable: int,
        skipped: dict[str, int],
        now: datetime,
    ) -> ChannelForecast:
        if channel is MessageChannel.SMS:
            split = split_sms(
                written(campaign.scenario.sms_text or campaign.scenario.text, SAMPLE_VALUES)
            )
            return ChannelForecast(channel, reachable, skipped, split.segments, split.encoding)
        if channel is not MessageChannel.PHONE:
            return ChannelForecast(channel, reachable, skipped)
        call_seconds = self.settings.ring_seconds / 2 + (campaign.scenario.speech_seconds or 60)
        line_hours = reachable * AVERAGE_ATTEMPTS_PER_CALL * call_seconds / 3600
        per_day = self._window_hours(campaign, channel, now)
        days = math.ceil(line_hours / (per_day * campaign.line_limit)) if per_day else None
        return ChannelForecast(
            channel, reachable, skipped, line_hours=round(line_hours, 1), days=days
        )

    def _window_hours(self, campaign: Campaign, channel: MessageChannel, now: datetime) -> float:
        """The average hours a day the window is open over the campaign's first week."""
        kind = message_kind(campaign.purpose, channel)
        start = max(now, campaign.starts_at).astimezone(self.default_zone).date()
        periods = [
            self.windows.windows_on(kind, start + timedelta(days=n), self.default_zone)
            for n in range(7)
        ]
        return sum(p.seconds for p in periods if p is not None) / 3600 / 7


def _speech_seconds(text: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "scenario.wav"
        speak_to_wav(text, target)
        return wav_seconds(target)
