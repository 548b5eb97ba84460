"""A campaign's live figures — attempted, delivered, pending, failed by cause, lines
busy, outcomes by hour — for its page and over the WebSocket ``/ws/campaigns/{id}``.

The dialer publishes ``campaign.progress`` on the event hub after every tick and every
attempt's end (from any engine process, through the hub's bridge). A socket answers
the burst of events with one fresh set of figures (the first change at once, later
ones at most once a second: :func:`callgrid.web.live.figures_socket`), and the pages
watching one campaign share each computation: a busy campaign costs the database the
same with one supervisor watching or twenty.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from autodialer.dialer import PROGRESS_TOPIC
from autodialer.model import Campaign, Cause, Outcome
from autodialer.reports import CampaignReports
from autodialer.storage import SqlCampaigns
from callgrid.events import Event, EventHub
from callgrid.web.live import figures_socket

KEPT = 256
"""Campaigns whose last figures are kept for the next page that asks."""
OUTCOMES = (*(outcome.value for outcome in Outcome), "unknown")


def failed_by_cause(causes: dict[str, int]) -> dict[str, int]:
    """The attempts that did not deliver, per cause."""
    failed = {}
    for name, count in sorted(causes.items()):
        try:
            positive = Cause(name).outcome is Outcome.POSITIVE
        except ValueError:
            positive = False
        if not positive:
            failed[name] = count
    return failed


class LiveFigures:
    """Each campaign's figures, computed once for every page that waits for them."""

    def __init__(self, campaigns: SqlCampaigns, reports: CampaignReports, zone: ZoneInfo) -> None:
        self.campaigns = campaigns
        self.reports = reports
        self.zone = zone
        self._kept: OrderedDict[int, tuple[asyncio.Lock, float, dict[str, Any]]] = OrderedDict()

    async def of(self, campaign: Campaign, since: float) -> dict[str, Any]:
        """The figures, computed no earlier than loop time ``since``."""
        if campaign.id not in self._kept:
            self._kept[campaign.id] = (asyncio.Lock(), float("-inf"), {})
        lock = self._kept[campaign.id][0]
        async with lock:
            found = self._kept.get(campaign.id)
            if found is not None and found[1] >= since:
                return found[2]
            taken = asyncio.get_running_loop().time()
            figures = await self._compute(campaign)
            self._kept[campaign.id] = (lock, taken, figures)
            self._kept.move_to_end(campaign.id)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return figures

    async def _compute(self, campaign: Campaign) -> dict[str, Any]:
        current = await self.campaigns.get(campaign.id) or campaign
        progress = await self.reports.progress(campaign.id)
        by_hour = await self.reports.outcomes_by_hour(campaign.id, self.zone)
        hours = sorted({hour for hour, _, _ in by_hour})
        counts = {(hour, outcome): n for hour, outcome, n in by_hour}
        return {
            "campaign": campaign.id,
            "state": current.state.value,
            "targets": current.targets,
            "attempted": progress.attempts,
            "delivered": progress.delivered,
            "pending": progress.pending_retry,
            "lines_busy": progress.lines_busy,
            "failed": failed_by_cause(progress.causes),
            "chart": {
                "labels": [f"{hour:%d.%m %H:00}" for hour in hours],
                "outcomes": {
                    outcome: [counts.get((hour, outcome), 0) for hour in hours]
                    for outcome in OUTCOMES
                },
            },
        }


LIVE_KEY: web.AppKey[LiveFigures] = web.AppKey("campaigns_live")
EVENTS_KEY: web.AppKey[EventHub] = web.AppKey("campaigns_events")


def _about(event: Event, campaign_id: int) -> bool:
    return str(event.data.get("campaign")) == str(campaign_id)


async def campaign_socket(request: web.Request, campaign: Campaign) -> web.WebSocketResponse:
    """The campaign's figures at once, then after the events that change them."""
    live = request.app[LIVE_KEY]
    loop = asyncio.get_running_loop()
    return await figures_socket(
        request,
        request.app[EVENTS_KEY],
        (PROGRESS_TOPIC,),
        lambda: live.of(campaign, loop.time()),
        wanted=lambda event: _about(event, campaign.id),
        what=f"campaign {campaign.id}",
    )
