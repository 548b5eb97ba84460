"""The new-campaign form: its fields read into a draft, its list (a query or an
uploaded CSV/XLSX file) and its optional recorded audio checked, every problem named by
its field; nothing is stored unless all of them are right (AD-2, AD-7)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from autodialer.lifecycle import Actor
from autodialer.lists import ListError
from autodialer.model import Campaign, MessageChannel, Purpose, Scenario
from autodialer.services import CampaignService
from autodialer.settings import CampaignSettings
from autodialer.storage import CampaignDraft, CampaignError
from callgrid.web.access import form_field
from customers.cell_text import shortened, text_problem
from customers.table_file import FileError

LABELS = {
    "name": "Name",
    "purpose": "Purpose",
    "channels": "Channels",
    "list": "List",
    "text": "Scenario",
    "sms_text": "SMS text",
    "subject": "E-mail subject",
    "audio": "Recorded audio",
    "starts": "Starts",
    "ends": "Ends",
    "lines": "Line limit",
    "cps": "Calls per second",
}
TEXT_FIELDS: tuple[str, ...] = ("name", "purpose", "list_query", "text", "sms_text")
TEXT_FIELDS += ("subject", "starts", "ends", "lines", "cps")
MAX_NAME = 128
MAX_ROW_PROBLEMS = 50
LIST_SUFFIXES = (".csv", ".txt", ".xlsx")


@dataclass
class CampaignForm:
    values: dict[str, str]
    channels: list[str]
    list_file: web.FileField | None = None
    audio: web.FileField | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(field, reason), in the order of the form."""
    rows: list[str] = field(default_factory=list)
    """The list file's problems, row by row."""

    def problem(self, name: str, reason: str) -> None:
        self.problems.append((name, reason))

    @property
    def invalid(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.problems)


def blank_form(settings: CampaignSettings) -> CampaignForm:
    values = dict.fromkeys(TEXT_FIELDS, "")
    values["lines"] = str(settings.default_line_limit)
    values["cps"] = f"{settings.default_calls_per_second:g}"
    return CampaignForm(values, [MessageChannel.PHONE.value])


def _file(value: object) -> web.FileField | None:
    """A file the browser sent; an empty file input sends a nameless empty part."""
    return value if isinstance(value, web.FileField) and value.filename else None


async def read_form(request: web.Request) -> CampaignForm:
    await form_field(request, "name")  # a body that is no form is HTTP 400 there
    posted = await request.post()
    given = {name: posted.get(name, "") for name in TEXT_FIELDS}
    texts = {name: value.strip() if isinstance(value, str) else "" for name, value in given.items()}
    channels = [value for value in posted.getall("channels", []) if isinstance(value, str)]
    return CampaignForm(texts, channels, _file(posted.get("list_file")), _file(posted.get("audio")))


def _moment(form: CampaignForm, name: str, zone: ZoneInfo) -> datetime | None:
    text = form.values[name]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        shown = repr(shortened(text)) if text else "empty"
        form.problem(name, f"{shown}: give a local time like 2026-12-07T09:00")
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _number(form: CampaignForm, name: str, kind: type[int] | type[float]) -> float | None:
    low, high = CampaignSettings.ranges[
        "default_line_limit" if kind is int else "default_calls_per_second"
    ]
    try:
        number = kind(form.values[name])
        if not low <= number <= high:
            raise ValueError
    except ValueError:
        form.problem(name, f"{shortened(form.values[name])!r}: a number from {low:g} to {high:g}")
        return None
    return number


def draft_of(form: CampaignForm, zone: ZoneInfo) -> CampaignDraft | None:
    """The draft the fields describe, or None with their problems noted in ``form``."""
    values = form.values
    name = " ".join(values["name"].split())
    problem = "is empty" if not name else text_problem(name, MAX_NAME)
    if problem:
        form.problem("name", problem)
    try:
        purpose: Purpose | None = Purpose(values["purpose"])
    except ValueError:
        purpose = None
        form.problem("purpose", f"choose one of {', '.join(p.value for p in Purpose)}")
    channels = []
    for value in form.channels:
        try:
            channels.append(MessageChannel(value))
        except ValueError:
            form.problem("channels", f"{shortened(value)!r} is no channel")
    if not form.channels:
        form.problem("channels", "choose at least one channel")
    if bool(values["list_query"]) == bool(form.list_file):
        form.problem("list", "give a query or a file: one of them")
    starts, ends = _moment(form, "starts", zone), _moment(form, "ends", zone)
    if starts and ends and ends <= starts:
        form.problem("ends", "the campaign must end after it starts")
    lines, cps = _number(form, "lines", int), _number(form, "cps", float)
    if form.problems or not (purpose and starts and ends and lines and cps):
        return None
    scenario = Scenario(
        text=values["text"],
        sms_text=values["sms_text"] or None,
        email_subject=values["subject"] or None,
    )
    return CampaignDraft(
        name, purpose, tuple(dict.fromkeys(channels)), scenario, starts, ends, int(lines), cps
    )


async def prepared(
    form: CampaignForm,
    service: CampaignService,
    zone: ZoneInfo,
    actor: Actor,
) -> Campaign | None:
    """The campaign stored as a draft, or None with every problem noted in ``form``."""
    draft = draft_of(form, zone)
    with tempfile.TemporaryDirectory(prefix="campaign-form-") as folder:
        list_path = await _saved(form, "list", form.list_file, Path(folder), LIST_SUFFIXES)
        audio_path = await _saved(form, "audio", form.audio, Path(folder), (".wav",))
        measured = None
        if draft is not None:
            try:
                measured = await service.measured(draft)
            except CampaignError as error:
                form.problem("text", str(error))
        entries = None
        if form.values["list_query"] or list_path:
            try:
                entries = await service.list_for(form.values["list_query"] or None, list_path)
            except ListError as error:
                form.problem("list", str(error))
                form.rows = [str(problem) for problem in error.problems[:MAX_ROW_PROBLEMS]]
            except FileError as error:
                form.problem("list", str(error).replace(f"{folder}/", ""))
        if audio_path is not None and measured is not None and not form.problems:
            try:
                measured = await service.with_audio(measured, audio_path)
            except CampaignError as error:
                form.problem("audio", str(error))
        if form.problems or measured is None or entries is None:
            return None
    query = form.values["list_query"]
    source = f"query: {query}" if query else f"file: {list_path.name}" if list_path else ""
    draft = replace(measured, list_source=source)
    return await service.campaigns.create(draft, entries, actor, service.clock())


async def _saved(
    form: CampaignForm,
    name: str,
    upload: web.FileField | None,
    folder: Path,
    suffixes: tuple[str, ...],
) -> Path | None:
    """The upload written into ``folder`` under its own file name (made safe)."""
    if upload is None:
        return None
    base = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(upload.filename).name)
    if not base.lower().endswith(suffixes):
        form.problem(name, f"{shortened(upload.filename)!r}: send a {' or '.join(suffixes)} file")
        return None
    target = folder / base[-128:]

    def copy() -> None:
        upload.file.seek(0)
        with target.open("wb") as written:
            shutil.copyfileobj(upload.file, written)

    await asyncio.to_thread(copy)
    return target
