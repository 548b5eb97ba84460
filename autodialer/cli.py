"""``callgrid campaign create|import|dry-run|approve|start|pause|stop|status|report``.

A command acts as a web user named with ``--as`` (their roles decide what they may do:
a manager approves what another prepared, AD-3), from the ``command line``; every
change is audited as the web's are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from autodialer.lifecycle import Action, Actor, LifecycleError
from autodialer.lists import ListError
from autodialer.model import MessageChannel, Purpose, Scenario
from autodialer.parts import CampaignParts, campaign_parts
from autodialer.proof import proof_lines, write_csv
from autodialer.storage import CampaignDraft, CampaignError
from callgrid.database import Database
from callgrid.plugins import Commands
from callgrid.settings import Settings
from callgrid.web.audit import COMMAND_LINE, AuditLog
from callgrid.web.users import Users
from customers.table_file import FileError
from recordings.storage import SqlRecordings
from worktime.clock import system_clock

T = TypeVar("T")


def add_commands(commands: Commands) -> None:
    campaign = commands.add_parser("campaign", help="autoinformer campaigns")
    sub = campaign.add_subparsers(dest="campaign_command", required=True)
    create = sub.add_parser("create", help="prepare a campaign (a draft)")
    _draft_arguments(create)
    create.set_defaults(run=_create)
    imported = sub.add_parser("import", help="replace a draft's list with a CSV/XLSX file")
    imported.add_argument("id", type=int)
    imported.add_argument("file", type=Path)
    imported.add_argument("--as", dest="login", required=True)
    imported.set_defaults(run=_import)
    dry = sub.add_parser("dry-run", help="who each channel reaches, lines and days, SMS parts")
    dry.add_argument("id", type=int)
    dry.set_defaults(run=_dry_run)
    for action in Action:
        if action is Action.EDIT:
            continue
        parser = sub.add_parser(action.value, help=f"{action.value} a campaign")
        parser.add_argument("id", type=int)
        parser.add_argument("--as", dest="login", required=True, help="the web user acting")
        parser.set_defaults(run=_act, action=action)
    status = sub.add_parser("status", help="a campaign's state and progress")
    status.add_argument("id", type=int, nargs="?")
    status.set_defaults(run=_status)
    report = sub.add_parser("report", help="every customer's attempts with their proof (CSV)")
    report.add_argument("id", type=int)
    report.add_argument("--account", default=None)
    report.add_argument("--output", type=Path, default=None, help="a file; default stdout")
    report.set_defaults(run=_report)


def _draft_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="login", required=True, help="the web user preparing it")
    parser.add_argument("--name", required=True)
    parser.add_argument("--purpose", required=True, choices=[p.value for p in Purpose])
    parser.add_argument("--channels", default="phone", help="phone,sms,email,cabinet")
    parser.add_argument("--text", required=True, help="the message, with {debt}, {due_date}…")
    parser.add_argument(
        "--audio", type=Path, default=None, help="a recording played before the text (WAV)"
    )
    parser.add_argument("--sms-text", default=None)
    parser.add_argument("--subject", default=None, help="the e-mail's subject")
    parser.add_argument("--starts", required=True, help="local time, 2026-12-07T09:00")
    parser.add_argument("--ends", required=True)
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--cps", type=float, default=None, help="calls per second at most")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--list-query", default=None, help="e.g. kind=household,debt_over_bills=2")
    source.add_argument("--list-file", type=Path, default=None)


def _run(settings: Settings, work: Callable[[CampaignParts, Database], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            return await work(campaign_parts(database, settings, system_clock), database)
        finally:
            await database.close()

    return asyncio.run(run())


async def _actor(database: Database, login: str) -> Actor:
    user = await Users(database, system_clock).find(login)
    if user is None or not user.active:
        raise CampaignError(f"no active web user {login!r} (callgrid users add …)")
    return Actor(user.login, frozenset(role.value for role in user.roles), COMMAND_LINE)


def _guarded(work: Callable[[], int]) -> int:
    try:
        return work()
    except ListError as error:
        print(f"callgrid campaign: {error}", file=sys.stderr)
        for problem in error.problems[:50]:
            print(f"  row {problem.row}, {problem.column}: {problem.reason}", file=sys.stderr)
        return 1
    except (CampaignError, LifecycleError, FileError, ValueError) as error:
        print(f"callgrid campaign: {error}", file=sys.stderr)
        return 1


def _moment(text: str, settings: Settings) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.zone)


def _draft(args: argparse.Namespace, settings: Settings, parts: CampaignParts) -> CampaignDraft:
    channels = tuple(MessageChannel(name.strip()) for name in args.channels.split(",") if name)
    return CampaignDraft(
        name=args.name,
        purpose=Purpose(args.purpose),
        channels=channels,
        scenario=Scenario(text=args.text, sms_text=args.sms_text, email_subject=args.subject),
        starts_at=_moment(args.starts, settings),
        ends_at=_moment(args.ends, settings),
        line_limit=args.lines or parts.settings.default_line_limit,
        calls_per_second=args.cps or parts.settings.default_calls_per_second,
    )


def _create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(parts: CampaignParts, database: Database) -> int:
        actor = await _actor(database, args.login)
        campaign = await parts.service.prepare(
            _draft(args, settings, parts), args.list_query, args.list_file, actor,
            audio=args.audio,
        )  # fmt: skip
        print(f"campaign {campaign.id}: a draft, {campaign.targets} customers on its list")
        return 0

    return _guarded(lambda: _run(settings, work))


def _import(args: argparse.Namespace, settings: Settings) -> int:
    async def work(parts: CampaignParts, database: Database) -> int:
        actor = await _actor(database, args.login)
        campaign = await parts.campaigns.get(args.id)
        if campaign is None:
            raise CampaignError(f"no campaign {args.id}")
        entries = await parts.service.list_for(None, args.file)
        draft = CampaignDraft(
            campaign.name, campaign.purpose, campaign.channels, campaign.scenario,
            campaign.starts_at, campaign.ends_at, campaign.line_limit,
            campaign.calls_per_second, f"file: {args.file.name}",
        )  # fmt: skip
        now = system_clock()
        updated = await parts.campaigns.update(args.id, draft, entries, actor, now)
        print(f"campaign {updated.id}: {updated.targets} customers; a draft again")
        return 0

    return _guarded(lambda: _run(settings, work))


def _dry_run(args: argparse.Namespace, settings: Settings) -> int:
    async def work(parts: CampaignParts, database: Database) -> int:
        run = await parts.service.dry_run(args.id)
        print(f"campaign {run.campaign_id}: {run.targets} customers on the list")
        if run.speech_seconds is not None:
            print(f"  phone message: {run.speech_seconds:.1f} s")
        for forecast in run.channels:
            line = f"  {forecast.channel.value}: reaches {forecast.reachable}"
            if forecast.skipped:
                skipped = ", ".join(f"{k} {v}" for k, v in sorted(forecast.skipped.items()))
                line += f" (not: {skipped})"
            if forecast.segments is not None:
                line += f"; {forecast.segments} SMS part(s) per message, {forecast.encoding}"
            if forecast.line_hours is not None:
                days = forecast.days if forecast.days is not None else "no window"
                line += f"; {forecast.line_hours} line-hours, about {days} day(s)"
            print(line)
        for warning in run.warnings:
            print(f"  warning: {warning}")
        return 0

    return _guarded(lambda: _run(settings, work))


def _act(args: argparse.Namespace, settings: Settings) -> int:
    async def work(parts: CampaignParts, database: Database) -> int:
        actor = await _actor(database, args.login)
        campaign = await parts.service.act(args.id, args.action, actor)
        print(f"campaign {campaign.id}: {campaign.state.value}")
        return 0

    return _guarded(lambda: _run(settings, work))


def _status(args: argparse.Namespace, settings: Settings) -> int:
    async def work(parts: CampaignParts, database: Database) -> int:
        if args.id is None:
            for each in await parts.campaigns.all():
                print(
                    f"{each.id}\t{each.state.value}\t{each.purpose.value}\t"
                    f"{each.targets}\t{each.name}"
                )
            return 0
        campaign = await parts.campaigns.get(args.id)
        if campaign is None:
            raise CampaignError(f"no campaign {args.id}")
        progress = await parts.reports.progress(args.id)
        print(json.dumps({"state": campaign.state.value, **progress.as_dict()}, indent=2))
        return 0

    return _guarded(lambda: _run(settings, work))


def _report(args: argparse.Namespace, settings: Settings) -> int:
    async def work(parts: CampaignParts, database: Database) -> int:
        index = SqlRecordings(database, AuditLog(database, system_clock))
        lines = await proof_lines(parts.reports, args.id, args.account, index.of_call)
        output = args.output.open("w", newline="", encoding="utf-8") if args.output else sys.stdout
        try:
            write_csv(output, lines, settings.zone)
        finally:
            if args.output:
                output.close()
        return 0

    return _guarded(lambda: _run(settings, work))
