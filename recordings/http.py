"""The recordings in the browser: search, listen with seeking, download, hold and
release, and the retention page (REC-2, PD-1).

Who reaches which recording is :mod:`recordings.access`; every access is written to
the audit log — the list with its filters, the recording's page, the audio, the
download — and so is every refused attempt, before its HTTP 403. The audio is served
with range requests (``FileResponse`` answers ``Range`` with 206 or 416), so the
browser's player can seek; its file path comes only from the index row and must stay
inside the recordings directory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import hdrs, web

from callgrid.database import Database
from callgrid.web.access import EVERY_ROLE, SESSION_KEY, add_protected, form_field, signed_in
from callgrid.web.audit import AuditLog, audit
from callgrid.web.pages import page_number, render_page
from callgrid.web.users import Role
from recordings.access import (
    may_hold,
    may_listen,
    may_search,
    sees_every_recording,
    starts_playback,
)
from recordings.grants import RecordingGrants
from recordings.model import Recording, RecordingState
from recordings.retention_status import retention_status
from recordings.search_form import (
    DATE_FILTERS,
    TEXT_FILTERS,
    FilterError,
    duration,
    local_time,
    search_of,
)
from recordings.settings import RecordingSettings
from recordings.storage import Actor, RecordingError, SqlRecordings
from worktime.clock import Clock, local_zone

log = logging.getLogger(__name__)
PAGE_SIZE = 50
RECORDING_ID = re.compile(r"[1-9][0-9]{0,9}")
LAST_ID = 2**31 - 1
UNPLAYABLE = {
    RecordingState.RECORDING: "the call is still being recorded",
    RecordingState.EMPTY: "the recording holds no audio: the caller hung up during the notice",
    RecordingState.MISSING: "no file came for this call: Asterisk could not write it",
    RecordingState.PURGING: "the recording is being deleted: its term is over",
}

INDEX_KEY: web.AppKey[SqlRecordings] = web.AppKey("recordings_index")
SETTINGS_KEY: web.AppKey[RecordingSettings] = web.AppKey("recordings_settings")
CLOCK_KEY: web.AppKey[Clock] = web.AppKey("recordings_clock")
DATABASE_KEY: web.AppKey[Database] = web.AppKey("recordings_database")
GRANTS_KEY: web.AppKey[RecordingGrants] = web.AppKey("recordings_grants")


def page_answer(
    request: web.Request,
    error: type[web.HTTPError],
    template: str,
    context: Mapping[str, Any],
) -> web.HTTPError:
    """An error page to raise, with the menu of the signed-in user."""
    session = request[SESSION_KEY]
    full = {**context, "user": session.user, "csrf_token": session.csrf_token}
    return error(
        text=aiohttp_jinja2.render_string(template, request, full), content_type="text/html"
    )


def not_found(request: web.Request, recording_id: int | str, reason: str) -> web.HTTPError:
    context = {"recording": None, "recording_id": recording_id, "error": reason}
    return page_answer(request, web.HTTPNotFound, "recordings_show.html", context)


async def audited(
    request: web.Request, action: str, recording_id: int | str = "", **details: Any
) -> None:
    await audit(request, action, subject_kind="recording", subject_id=recording_id, details=details)


async def refused(request: web.Request, tried: str, recording_id: int | str = "") -> web.HTTPError:
    """Audit a refused attempt; the 403 page to raise."""
    await audited(
        request, "recording.refused", recording_id, tried=tried, path=request.path_qs[:200]
    )
    reason = "your role does not allow this recording"
    return page_answer(request, web.HTTPForbidden, "refused.html", {"reason": reason})


def recording_id_of(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not RECORDING_ID.fullmatch(raw) or int(raw) > LAST_ID:
        raise not_found(request, raw[:40], f"{raw[:40]!r} is no recording number")
    return int(raw)


async def reached(request: web.Request, tried: str) -> Recording:
    """The recording of the request's path, if the user may reach it: 404 when there is
    none, an audited refusal and 403 when the user may not."""
    user, recording_id = signed_in(request), recording_id_of(request)
    if not may_search(user):
        raise await refused(request, tried, recording_id)
    recording = await request.app[INDEX_KEY].find(recording_id)
    if recording is None:
        raise not_found(request, recording_id, f"there is no recording #{recording_id}")
    if not may_listen(user, recording):
        raise await refused(request, tried, recording_id)
    if recording.state is RecordingState.PURGING:
        raise not_found(request, recording_id, UNPLAYABLE[recording.state])
    return recording


def audio_file(request: web.Request, recording: Recording) -> Path:
    """The recording's file, only if it is playable and inside the recordings directory."""
    if not recording.playable:
        raise not_found(request, recording.id, UNPLAYABLE[recording.state])
    directory = Path(request.app[SETTINGS_KEY].recordings_dir).resolve()
    path = (directory / recording.path).resolve()
    if not path.is_relative_to(directory):
        log.error("recording #%d: its path leads outside %s", recording.id, directory)
        raise not_found(request, recording.id, "the recording's file is not where it belongs")
    if not path.is_file():
        log.warning("recording #%d: its file %s is not on the disk", recording.id, path)
        raise not_found(request, recording.id, "the recording's file is not on the disk")
    return path


async def list_page(request: web.Request) -> web.Response:
    user = signed_in(request)
    if not may_search(user):
        raise await refused(request, "search")
    form = {name: request.query.get(name, "").strip() for name in [*TEXT_FILTERS, *DATE_FILTERS]}
    context: dict[str, Any] = {"form": form, "recordings": [], "page": 1, "more": False}
    context.update(query="", error="", local=local_time, duration=duration)
    context["supervisor"] = sees_every_recording(user)
    try:
        number = page_number(request.query)
        query = search_of(form)
    except (FilterError, web.HTTPBadRequest) as error:
        context["error"] = str(error.text if isinstance(error, web.HTTPBadRequest) else error)
        raise page_answer(request, web.HTTPBadRequest, "recordings_list.html", context) from None
    only = "" if context["supervisor"] else user.login
    found, more = await request.app[INDEX_KEY].search(
        query, page=number, size=PAGE_SIZE, only_operator=only
    )
    given = {name: value for name, value in form.items() if value}
    await audited(
        request, "recording.search", filters=given, page=number, own_calls_only=bool(only)
    )
    context.update(recordings=found, page=number, more=more, query=urlencode(given))
    return render_page(request, "recordings_list.html", context)


async def show_page(request: web.Request) -> web.Response:
    recording = await reached(request, "view")
    await audited(request, "recording.viewed", recording.id)
    return render_page(request, "recordings_show.html", _shown(request, recording))


def _shown(request: web.Request, recording: Recording, error: str = "") -> dict[str, Any]:
    return {
        "recording": recording,
        "recording_id": recording.id,
        "error": error,
        "unplayable": "" if recording.playable else UNPLAYABLE[recording.state],
        "may_hold": may_hold(signed_in(request)),
        "local": local_time,
        "duration": duration,
    }


async def audio(request: web.Request) -> web.FileResponse:
    """The audio for the player. A listening is audited once, on the request that starts
    it (no ``Range``, or a range from byte 0); the player's further range requests of
    the same playback, to buffer or seek, are not audited again."""
    recording = await reached(request, "listen")
    path = audio_file(request, recording)
    asked = request.headers.get(hdrs.RANGE)
    if starts_playback(asked):
        await audited(request, "recording.listen", recording.id, range=(asked or "")[:64])
    return web.FileResponse(path, headers={hdrs.CONTENT_TYPE: "audio/wav"})


async def download(request: web.Request) -> web.FileResponse:
    recording = await reached(request, "download")
    path = audio_file(request, recording)
    started = recording.started_at.astimezone(local_zone())
    filename = f"{started:%Y-%m-%d_%H-%M-%S}-{recording.id}.wav"
    await audited(request, "recording.download", recording.id, filename=filename)
    headers = {
        hdrs.CONTENT_TYPE: "audio/wav",
        hdrs.CONTENT_DISPOSITION: f'attachment; filename="{filename}"',
    }
    return web.FileResponse(path, headers=headers)


async def hold(request: web.Request) -> web.Response:
    reason = await form_field(request, "reason")
    return await _change_hold(request, reason)


async def release(request: web.Request) -> web.Response:
    return await _change_hold(request, None)


async def grant(request: web.Request) -> web.Response:
    """Let an operator hear this recording of a call not theirs (``login``, ``reason``)."""
    login, reason = await form_field(request, "login"), await form_field(request, "reason")

    async def change(recording: Recording, actor: Actor) -> None:
        now = request.app[CLOCK_KEY]()
        await request.app[GRANTS_KEY].grant(recording.id, login, reason, actor, now)

    return await _supervisors_change(request, "grant", change)


async def _change_hold(request: web.Request, reason: str | None) -> web.Response:
    """Hold (with ``reason``) or release; the storage audits the change."""
    index = request.app[INDEX_KEY]

    async def change(recording: Recording, actor: Actor) -> None:
        if reason is None:
            await index.release(recording.id, actor)
        else:
            await index.hold(recording.id, reason, actor, request.app[CLOCK_KEY]())

    return await _supervisors_change(request, "hold" if reason is not None else "release", change)


async def _supervisors_change(
    request: web.Request,
    tried: str,
    change: Callable[[Recording, Actor], Awaitable[None]],
) -> web.Response:
    """A supervisor's change to a recording: 303 back to its page, or that page with the
    reason of a refusal (400); anyone else is refused (403, audited)."""
    recording = await reached(request, tried)
    if not may_hold(signed_in(request)):
        raise await refused(request, tried, recording.id)
    try:
        await change(recording, Actor(signed_in(request).login, request.remote or ""))
    except RecordingError as error:
        await audited(request, "recording.viewed", recording.id)
        context = _shown(request, recording, str(error))
        raise page_answer(request, web.HTTPBadRequest, "recordings_show.html", context) from None
    raise web.HTTPSeeOther(f"/recordings/{recording.id}")


async def retention_page(request: web.Request) -> web.Response:
    settings, clock = request.app[SETTINGS_KEY], request.app[CLOCK_KEY]
    status = await retention_status(
        request.app[DATABASE_KEY], clock(), local_zone(), settings.recording_retention_days
    )
    return render_page(
        request, "recordings_retention.html", {"status": status, "local": local_time}
    )


def add_routes(
    app: web.Application,
    index: SqlRecordings,
    settings: RecordingSettings,
    clock: Clock,
    database: Database,
) -> None:
    """The pages and the audio. The routes of a recording are open to every signed-in
    role so that a refused attempt is audited here: :mod:`recordings.access` decides
    who gets what. The retention page shows no one's data: the shell refuses it."""
    app[INDEX_KEY], app[SETTINGS_KEY], app[CLOCK_KEY] = index, settings, clock
    app[DATABASE_KEY] = database
    app[GRANTS_KEY] = RecordingGrants(database, AuditLog(database, clock))
    add_protected(app, "GET", "/recordings", list_page, roles=EVERY_ROLE)
    add_protected(app, "GET", "/recordings/retention", retention_page, roles={Role.SUPERVISOR})
    add_protected(app, "GET", "/recordings/{id}", show_page, roles=EVERY_ROLE)
    add_protected(app, "GET", "/recordings/{id}/audio", audio, roles=EVERY_ROLE)
    add_protected(app, "GET", "/recordings/{id}/download", download, roles=EVERY_ROLE)
    add_protected(app, "POST", "/recordings/{id}/hold", hold, roles=EVERY_ROLE)
    add_protected(app, "POST", "/recordings/{id}/release", release, roles=EVERY_ROLE)
    add_protected(app, "POST", "/recordings/{id}/grant", grant, roles=EVERY_ROLE)
