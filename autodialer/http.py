"""The supervisor's campaign screens: the list, a new draft, a campaign with its dry run,
its buttons and its live progress, each customer's proof and the proof CSV (AD-2,
AD-3, AD-9).

Supervisors and managers reach them (an operator, an admin and dispatch do not: the
pages hold customers' numbers and debts). Who may approve, start, pause or stop is
:mod:`autodialer.lifecycle`'s; a refused change is audited with its reason, as every
read of a customer's proof and every proof CSV is. The storage audits the changes.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import hdrs, web

from autodialer import http_live
from autodialer.campaign_actions import PATHS, change, offers, refusal_status
from autodialer.http_forms import LABELS, CampaignForm, blank_form, prepared, read_form
from autodialer.lifecycle import Action, Actor, LifecycleError
from autodialer.model import Campaign, CampaignState, MessageChannel, Purpose
from autodialer.parts import CampaignParts
from autodialer.proof import RecordingOf, proof_lines, write_csv
from autodialer.services import DryRun
from autodialer.storage import CampaignError
from callgrid.events import EventHub
from callgrid.web.access import SESSION_KEY, add_protected, signed_in
from callgrid.web.audit import audit
from callgrid.web.pages import render_page
from callgrid.web.users import Role
from customers.cell_text import shortened, text_problem

CAMPAIGN_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
CAMPAIGN = r"/campaigns/{id:\d+}"
LAST_ID = 2**31 - 1
LIST_FILE_MAX = 64 * 1024 * 1024
"""The largest new-campaign form: a list file of about a million rows."""
BEFORE_LAUNCH = frozenset({CampaignState.DRAFT, CampaignState.APPROVED})
"""The dry run is shown by itself before launch; later on asking (it reads the list)."""
SCRIPT = Path(__file__).with_name("static") / "campaigns.js"
PURPOSES = [(purpose.value, purpose.value.replace("_", " ").capitalize()) for purpose in Purpose]
CHANNELS = [(channel.value, channel.value.capitalize()) for channel in MessageChannel]
PARTS_KEY: web.AppKey[CampaignParts] = web.AppKey("campaign_parts")
ZONE_KEY: web.AppKey[ZoneInfo] = web.AppKey("campaign_zone")
RECORDING_OF_KEY: web.AppKey[RecordingOf | None] = web.AppKey("campaign_recording_of")


def actor_of(request: web.Request) -> Actor:
    user = signed_in(request)
    return Actor(user.login, frozenset(role.value for role in user.roles), request.remote or "")


def local(request: web.Request) -> Callable[[datetime | None], str]:
    zone = request.app[ZONE_KEY]
    return lambda moment: "" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def not_found(request: web.Request, shown: str, reason: str) -> web.HTTPNotFound:
    """The page to raise for a campaign or customer that is not there."""
    session = request[SESSION_KEY]
    context = {"campaign": None, "shown_id": shown, "error": reason, "user": session.user}
    context["csrf_token"] = session.csrf_token
    page = aiohttp_jinja2.render_string("campaigns_show.html", request, context)
    return web.HTTPNotFound(text=page, content_type="text/html")


async def found(request: web.Request) -> Campaign:
    raw = request.match_info["id"]
    campaign = None
    if len(raw) <= 10 and int(raw) <= LAST_ID:
        campaign = await request.app[PARTS_KEY].campaigns.get(int(raw))
    if campaign is None:
        raise not_found(request, raw[:12], f"there is no campaign #{raw[:12]}")
    return campaign


async def list_page(request: web.Request) -> web.Response:
    parts = request.app[PARTS_KEY]
    rows = []
    for campaign in await parts.campaigns.all():
        progress = None
        if campaign.state not in BEFORE_LAUNCH:
            progress = await parts.reports.progress(campaign.id)
        rows.append((campaign, progress))
    return render_page(request, "campaigns_list.html", {"rows": rows, "local": local(request)})


async def new_page(request: web.Request) -> web.Response:
    form = blank_form(request.app[PARTS_KEY].settings)
    return render_page(request, "campaigns_new.html", _form_context(form))


def _form_context(form: CampaignForm) -> dict[str, Any]:
    return {"form": form, "labels": LABELS, "purposes": PURPOSES, "channels": CHANNELS}


async def create(request: web.Request) -> web.Response:
    parts = request.app[PARTS_KEY]
    form = await read_form(request)
    campaign = await prepared(form, parts.service, request.app[ZONE_KEY], actor_of(request))
    if campaign is None:
        return render_page(request, "campaigns_new.html", _form_context(form), status=400)
    raise web.HTTPSeeOther(f"/campaigns/{campaign.id}")


async def show_page(request: web.Request) -> web.Response:
    return await _show(request, await found(request))


async def _show(
    request: web.Request, campaign: Campaign, error: str = "", status: int = 200
) -> web.Response:
    parts = request.app[PARTS_KEY]
    dry_run: DryRun | None = None
    if campaign.state in BEFORE_LAUNCH or request.query.get("dry_run") == "1":
        dry_run = await parts.service.dry_run(campaign.id)
    loop = asyncio.get_running_loop()
    figures = await request.app[http_live.LIVE_KEY].of(campaign, loop.time())
    context = {
        "campaign": campaign,
        "shown_id": campaign.id,
        "error": error,
        "dry_run": dry_run,
        "offers": offers(campaign, actor_of(request), parts.service.clock()),
        "figures": figures,
        "local": local(request),
    }
    return render_page(request, "campaigns_show.html", context, status=status)


def acting(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler of one button: 303 back to the page, or the page with the reason
    the change was refused (403 for who asks, 409 for the campaign's state)."""

    async def act(request: web.Request) -> web.Response:
        campaign, actor = await found(request), actor_of(request)
        try:
            await change(request.app[PARTS_KEY].service, campaign, action, actor)
        except (LifecycleError, CampaignError) as error:
            status = 409
            if isinstance(error, LifecycleError):
                status = refusal_status(campaign, action, actor)
            details = {"tried": action.value, "reason": str(error)}
            await audit(
                request, "campaign.refused", subject_kind="campaign", subject_id=campaign.id,
                details=details,
            )  # fmt: skip
            current = await request.app[PARTS_KEY].campaigns.get(campaign.id) or campaign
            return await _show(request, current, str(error), status)
        raise web.HTTPSeeOther(f"/campaigns/{campaign.id}")

    return act


def _account(request: web.Request) -> str:
    account = request.match_info["account"]
    if text_problem(account, 32) is not None or not account.strip():
        raise not_found(request, "", f"{shortened(account)!r} is no account number")
    return account.strip()


async def customer_lookup(request: web.Request) -> web.Response:
    """The proof form's answer: the customer's own address."""
    campaign = await found(request)
    account = request.query.get("account", "").strip()
    target = f"/campaigns/{campaign.id}"
    raise web.HTTPSeeOther(f"{target}/customers/{quote(account, safe='')}" if account else target)


async def customer_page(request: web.Request) -> web.Response:
    """A customer's attempts in the campaign with their evidence, for printing."""
    campaign, account = await found(request), _account(request)
    parts = request.app[PARTS_KEY]
    lines = await proof_lines(parts.reports, campaign.id, account, request.app[RECORDING_OF_KEY])
    details = {"campaign": campaign.id, "attempts": len(lines)}
    await audit(
        request, "campaign.proof_viewed", subject_kind="account", subject_id=account,
        details=details,
    )  # fmt: skip
    context = {
        "campaign": campaign,
        "account": account,
        "lines": lines,
        "zone": request.app[ZONE_KEY],
        "local": local(request),
    }
    return render_page(request, "campaigns_customer.html", context)


async def report_csv(request: web.Request) -> web.Response:
    """Every attempt of the campaign with its proof, as ``callgrid campaign report``."""
    return await _proof_csv(request, await found(request), None)


async def customer_csv(request: web.Request) -> web.Response:
    """One customer's attempts with their proof, as ``campaign report --account``."""
    return await _proof_csv(request, await found(request), _account(request))


async def _proof_csv(request: web.Request, campaign: Campaign, account: str | None) -> web.Response:
    parts, zone = request.app[PARTS_KEY], request.app[ZONE_KEY]
    lines = await proof_lines(parts.reports, campaign.id, account, request.app[RECORDING_OF_KEY])
    output = io.StringIO(newline="")
    write_csv(output, lines, zone)
    subject = ("account", account) if account else ("campaign", str(campaign.id))
    await audit(
        request, "campaign.report_downloaded", subject_kind=subject[0], subject_id=subject[1],
        details={"campaign": campaign.id, "rows": len(lines)},
    )  # fmt: skip
    filename = f"campaign-{campaign.id}{f'-{account}' if account else ''}-proof.csv"
    headers = {hdrs.CONTENT_DISPOSITION: f'attachment; filename="{filename}"'}
    return web.Response(
        text=output.getvalue(), content_type="text/csv", charset="utf-8", headers=headers
    )


async def live_socket(request: web.Request) -> web.WebSocketResponse:
    return await http_live.campaign_socket(request, await found(request))


async def script(request: web.Request) -> web.FileResponse:
    """The pages' script: served here, as the shell's static folder is the shell's."""
    return web.FileResponse(SCRIPT, headers={hdrs.CONTENT_TYPE: "text/javascript"})


def add_routes(
    app: web.Application,
    parts: CampaignParts,
    events: EventHub,
    zone: ZoneInfo,
    recording_of: RecordingOf | None,
) -> None:
    app[PARTS_KEY], app[ZONE_KEY], app[RECORDING_OF_KEY] = parts, zone, recording_of
    app[http_live.LIVE_KEY] = http_live.LiveFigures(parts.campaigns, parts.reports, zone)
    app[http_live.EVENTS_KEY] = events
    roles = CAMPAIGN_ROLES
    add_protected(app, "GET", "/campaigns", list_page, roles=roles)
    add_protected(app, "GET", "/campaigns/campaigns.js", script, roles=roles)
    add_protected(app, "GET", "/campaigns/new", new_page, roles=roles)
    add_protected(app, "POST", "/campaigns/new", create, roles=roles, max_body=LIST_FILE_MAX)
    add_protected(app, "GET", CAMPAIGN, show_page, roles=roles)
    for action, path in PATHS.items():
        add_protected(app, "POST", f"{CAMPAIGN}/{path}", acting(action), roles=roles)
    add_protected(app, "GET", f"{CAMPAIGN}/customers", customer_lookup, roles=roles)
    add_protected(app, "GET", CAMPAIGN + "/customers/{account}", customer_page, roles=roles)
    add_protected(app, "GET", f"{CAMPAIGN}/report.csv", report_csv, roles=roles)
    add_protected(
        app, "GET", CAMPAIGN + "/customers/{account}/proof.csv", customer_csv, roles=roles
    )
    add_protected(app, "GET", r"/ws/campaigns/{id:\d+}", live_socket, roles=roles)
