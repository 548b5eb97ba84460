"""An answering-machine message on the operator's desk: ``/desk/tasks/{id}`` to hear it
and type the readings it gives, which are judged and stored as if the customer had
keyed them (IVR-10); the task is then done."""

from __future__ import annotations

from pathlib import Path

from aiohttp import hdrs, web

from callcenter.desk_http import SOURCES_KEY, own_task
from callcenter.message_readings import enter_message_readings
from callcenter.tasks import TaskKind
from callgrid.web.access import add_protected, form_field, signed_in
from callgrid.web.audit import audit
from callgrid.web.pages import render_page
from callgrid.web.users import Role
from customers.model import Account, Meter
from worktime.clock import local_zone

TEMPLATE = "callcenter_message.html"


async def message_page(request: web.Request) -> web.Response:
    task = await own_task(request, signed_in(request).login)
    account_number = request.query.get("account", "") or task.account_number or ""
    return await _page(request, task.id, account_number.strip(), [], 200)


async def _page(
    request: web.Request, task_id: int, account_number: str, problems: list[str], status: int
) -> web.Response:
    sources = request.app[SOURCES_KEY]
    task = await sources.tasks.get(task_id)
    assert task is not None
    account, meter = await _meter_of(request, account_number) if account_number else (None, None)
    if account_number and account is None:
        problems = [f"no customer has the account number {account_number[:20]!r}", *problems]
    context = {
        "task": task,
        "account_number": account_number,
        "account": account,
        "meter": meter,
        "problems": problems,
        "audio": _message_file(task.recording) is not None,
    }
    return render_page(request, TEMPLATE, context, status=status)


async def _meter_of(request: web.Request, number: str) -> tuple[Account | None, Meter | None]:
    customers = request.app[SOURCES_KEY].customers
    account = await customers.account_by_number(number)
    if account is None:
        return None, None
    meters = await customers.meters(account.id)
    return account, meters[0] if meters else None


async def enter_readings(request: web.Request) -> web.Response:
    sources, login = request.app[SOURCES_KEY], signed_in(request).login
    task = await own_task(request, login)
    number = (await form_field(request, "account")).strip()
    account, meter = await _meter_of(request, number) if number else (None, None)
    if account is None or meter is None or task.kind is not TaskKind.ANSWERING_MACHINE:
        problem = "give the account of a customer with a meter" if number else "give the account"
        return await _page(request, task.id, number, [problem], 400)
    entered = {zone: await form_field(request, f"zone_{zone.value}") for zone in meter.zones}
    result = await enter_message_readings(
        sources.customers, sources.reading_limits, task, meter, entered,
        replace_same_day=await form_field(request, "replace") == "yes", timezone=local_zone(),
    )  # fmt: skip
    if not result.stored:
        return await _page(request, task.id, number, result.problems, 400)
    await sources.tasks.done(task.id, login, sources.clock())
    await audit(
        request, "readings.entered", subject_kind="account", subject_id=account.number,
        details={"task": task.id, "zones": [zone.value for zone in entered]},
    )  # fmt: skip
    raise web.HTTPSeeOther("/desk")


async def message_audio(request: web.Request) -> web.FileResponse:
    task = await own_task(request, signed_in(request).login)
    path = _message_file(task.recording)
    if path is None:
        raise web.HTTPNotFound(text="the message's recording is not here")
    await audit(request, "message.listen", subject_kind="task", subject_id=task.id)
    return web.FileResponse(path, headers={hdrs.CONTENT_TYPE: "audio/wav"})


def _message_file(recording: str | None) -> Path | None:
    """The message's WAV as the IVR stored it (a path the engine wrote, never a user's)."""
    if not recording:
        return None
    path = Path(recording)
    path = path if path.suffix == ".wav" else path.with_suffix(".wav")
    return path if path.is_file() else None


def add_routes(app: web.Application) -> None:
    roles = {Role.OPERATOR}
    task = r"/desk/tasks/{task:\d+}"
    add_protected(app, "GET", task, message_page, roles=roles)
    add_protected(app, "POST", f"{task}/readings", enter_readings, roles=roles)
    add_protected(app, "GET", f"{task}/message.wav", message_audio, roles=roles)
