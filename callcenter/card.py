"""The customer card: ``GET /customers/{account}`` and its consent form (PD-1, PD-2, WEB-2).

Operators and supervisors open it; every view of a real card is recorded in the audit
log, for it shows personal data. It brings together what the other capabilities keep
of the account: the account and its meters' readings, consent per channel, the recent
calls with their recordings, and the open tasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import hdrs, web

from callcenter.storage import SqlTasks
from callgrid.web.access import add_protected, form_field, signed_in
from callgrid.web.audit import AUDIT_KEY, audit
from callgrid.web.pages import render_page
from callgrid.web.users import Role
from customers.cell_text import shortened, text_problem
from customers.consent import (
    KNOWN_SOURCES,
    MAX_ACCOUNT_NUMBER,
    ConsentChange,
    ConsentChannel,
    ConsentError,
    parse_channel,
    status_of,
)
from customers.consent_store import SqlConsent
from customers.model import Account, Meter, Reading
from customers.storage import SqlCustomers
from recordings.model import Recording
from recordings.storage import SqlRecordings
from worktime.clock import Clock, local_zone

CARD_ROLES = {Role.OPERATOR, Role.SUPERVISOR}
TEMPLATE = "callcenter_card.html"
CARD_VIEWED = "customer.card_viewed"
RECENT_CALLS = 20
READINGS_PER_ZONE = 6
CHANNEL_TITLES = {
    ConsentChannel.PHONE_INFO: "Information calls",
    ConsentChannel.SMS: "SMS",
    ConsentChannel.EMAIL: "E-mail",
    ConsentChannel.CABINET: "Personal cabinet",
}
GIVEN_ANSWERS = {"given": True, "refused": False}
"""The consent form's answers: what the customer said of the channel."""


@dataclass(frozen=True)
class CardSources:
    """Where the card's parts come from."""

    customers: SqlCustomers
    consent: SqlConsent
    recordings: SqlRecordings
    tasks: SqlTasks
    clock: Clock


CARD_KEY: web.AppKey[CardSources] = web.AppKey("customer_card")


def local_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


def call_length(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def number_problem(number: str) -> str | None:
    """Why ``number`` from the address cannot be an account number, if it cannot."""
    if not number.strip():
        return "give an account number"
    problem = text_problem(number, MAX_ACCOUNT_NUMBER)
    return None if problem is None else f"{shortened(number)!r} is no account number: {problem}"


def problem_page(
    request: web.Request, status: int, title: str, reason: str, back: str = ""
) -> web.Response:
    sentence = reason[:1].upper() + reason[1:] + "."
    context = {"problem": sentence, "title": title, "back": back}
    return render_page(request, TEMPLATE, context, status=status)


async def find_account(request: web.Request) -> Account | web.Response:
    """The account the address names, or the 404 page saying why there is none."""
    number = request.match_info["account"]
    problem = number_problem(number)
    found = None if problem else await request.app[CARD_KEY].customers.account_by_number(number)
    if found is None:
        reason = problem or f"no customer has the account number {shortened(number.strip())!r}"
        return problem_page(request, 404, "No such customer", reason)
    return found


async def show_card(request: web.Request) -> web.Response:
    account = await find_account(request)
    if isinstance(account, web.Response):
        return account
    await audit(request, CARD_VIEWED, subject_kind="account", subject_id=account.number)
    sources = request.app[CARD_KEY]
    meters = await sources.customers.meters(account.id)
    context = {
        "problem": "",
        "title": f"{account.number} · {account.name}",
        "account": account_view(account),
        "meters": [await meter_view(sources.customers, meter) for meter in meters],
        "consent": consent_view(await sources.consent.current(account.number)),
        "channels": CHANNEL_TITLES,
        "sources": KNOWN_SOURCES,
        "calls": [
            call_view(call)
            for call in await sources.recordings.of_account(account.number, limit=RECENT_CALLS)
        ],
        "tasks": [
            {
                "kind": task.kind.value.replace("_", " "),
                "subject": task.subject,
                "phone": task.phone,
                "created": local_time(task.created_at),
                "due": local_time(task.due_at),
            }
            for task in await sources.tasks.open_for_account(account.number)
        ],
        "action": card_path(account.number) + "/consent",
    }
    return render_page(request, TEMPLATE, context)


async def change_consent(request: web.Request) -> web.Response:
    """``POST /customers/{account}/consent`` with channel, given/refused and source."""
    account = await find_account(request)
    if isinstance(account, web.Response):
        return account
    sources = request.app[CARD_KEY]
    back = card_path(account.number)
    answer = await form_field(request, "given")
    try:
        if answer not in GIVEN_ANSWERS:
            raise ConsentError("say whether the customer gives consent or refuses it")
        change = ConsentChange(
            account_number=account.number,
            channel=parse_channel(await form_field(request, "channel")),
            given=GIVEN_ANSWERS[answer],
            at=sources.clock(),
            source=await form_field(request, "source"),
            changed_by=signed_in(request).login,
        )
        await sources.consent.change(change, request.app[AUDIT_KEY], request.remote or "")
    except ConsentError as error:
        return problem_page(request, 400, "Consent not changed", str(error), back)
    return web.Response(status=303, headers={hdrs.LOCATION: back})


def card_path(number: str) -> str:
    return "/customers/" + quote(number, safe="")


def account_view(account: Account) -> Mapping[str, Any]:
    return {
        "number": account.number,
        "name": account.name,
        "kind": account.kind.value,
        "address": account.address,
        "debt": f"{account.debt:,.2f}".replace(",", " "),
        "due_date": account.due_date.isoformat() if account.due_date else "",
        "vip": account.vip,
    }


async def meter_view(customers: SqlCustomers, meter: Meter) -> Mapping[str, Any]:
    last = await customers.last_accepted(meter.id)
    recent: list[Reading] = []
    for zone in meter.zones:
        recent.extend(await customers.history(meter.id, zone, READINGS_PER_ZONE))
    recent.sort(key=lambda reading: reading.taken_at, reverse=True)
    return {
        "serial": meter.serial,
        "zones": ", ".join(meter.zones),
        "verification_due": meter.verification_due.isoformat(),
        "last": [reading_view(last[zone]) for zone in meter.zones if zone in last],
        "recent": [reading_view(reading) for reading in recent],
    }


def reading_view(reading: Reading) -> Mapping[str, str]:
    return {
        "zone": reading.zone.value,
        "value": str(reading.value),
        "taken": local_time(reading.taken_at),
        "channel": reading.channel.value.replace("_", " "),
    }


def consent_view(current: Mapping[ConsentChannel, ConsentChange | None]) -> list[dict[str, str]]:
    return [
        {
            "channel": channel.value,
            "title": CHANNEL_TITLES[channel],
            "status": status_of(change).value,
            "since": local_time(change.at) if change else "",
            "source": change.source if change else "",
            "changed_by": change.changed_by if change else "",
        }
        for channel, change in current.items()
    ]


def call_view(call: Recording) -> Mapping[str, Any]:
    return {
        "started": local_time(call.started_at),
        "length": call_length(call.duration_seconds),
        "line": call.line,
        "topic": call.topic or "",
        "outcome": call.outcome or "",
        "operator": call.operator or "",
        "state": call.state.value,
        "link": f"/recordings/{call.id}" if call.playable else "",
    }


def add_routes(app: web.Application, sources: CardSources) -> None:
    app[CARD_KEY] = sources
    add_protected(app, "GET", "/customers/{account}", show_card, roles=CARD_ROLES)
    add_protected(app, "POST", "/customers/{account}/consent", change_consent, roles=CARD_ROLES)
