"""The autoinformer's pieces put together, for the engine and for the command line."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from autodialer.attempt_store import AttemptStore
from autodialer.contact_judge import JudgeRules
from autodialer.reports import CampaignReports
from autodialer.retry_policy import RetryRules
from autodialer.services import CampaignService
from autodialer.settings import CampaignSettings
from autodialer.storage import SqlCampaigns
from autodialer.windows import CallingWindows
from callgrid.database import Database
from callgrid.settings import Settings
from callgrid.web.audit import AuditLog
from worktime.calendar import default_calendar


@dataclass(frozen=True)
class CampaignParts:
    settings: CampaignSettings
    campaigns: SqlCampaigns
    service: CampaignService
    store: AttemptStore
    reports: CampaignReports
    rules: JudgeRules


def campaign_parts(
    database: Database, engine: Settings, clock: Callable[[], datetime], owner: str = ""
) -> CampaignParts:
    settings = engine.of(CampaignSettings)
    windows = CallingWindows.from_settings(settings, default_calendar())
    campaigns = SqlCampaigns(database, AuditLog(database, clock))
    store = AttemptStore(
        database,
        owner or f"{socket.gethostname()}:{os.getpid()}",
        timedelta(seconds=settings.attempt_lease_seconds),
    )
    return CampaignParts(
        settings=settings,
        campaigns=campaigns,
        service=CampaignService(database, campaigns, settings, windows, engine.zone, clock),
        store=store,
        reports=CampaignReports(database),
        rules=JudgeRules(settings, windows, RetryRules.from_settings(settings), engine.zone),
    )
