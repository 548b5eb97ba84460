"""A recording in a real browser: the player loads it, seeks by range requests, and an
operator of another call is refused the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Response, expect

from ivr.content import IvrContent
from tests.recordings.conftest import RecordedCalls
from tests.recordings.recorded_call import record_a_call
from tests.web.conftest import RunningWeb
from tests.web.test_browser import browser, page, sign_in, site

__all__ = ["browser", "page", "site"]
pytestmark = pytest.mark.asyncio(loop_scope="module")
SECONDS = 6.0
PLAYER_READY = """() => new Promise((resolve) => {
  const audio = document.querySelector("audio");
  if (audio.readyState >= 1) resolve();
  else audio.addEventListener("loadedmetadata", () => resolve(), { once: true });
})"""
SEEKED_TO_MIDDLE = """() => new Promise((resolve) => {
  const audio = document.querySelector("audio");
  audio.addEventListener("seeked", () => resolve(audio.currentTime), { once: true });
  audio.currentTime = audio.duration / 2;
})"""


async def player_ready(page: Page) -> None:
    """Wait until the player knows the recording's length (its ``loadedmetadata``). Not
    with ``wait_for_function``: the page's policy forbids the string evaluation it makes."""
    await page.evaluate(PLAYER_READY)


async def test_a_supervisor_plays_a_recording_and_seeks(
    site: RunningWeb, page: Page, browser: Browser
) -> None:
    calls = RecordedCalls(site)
    recording = await calls.add(seconds=SECONDS, operator="PJSIP/olga")
    await site.add_user("sofia", "supervisor")
    await site.add_user("petr", "operator")
    audio_answers: list[Response] = []

    def keep_audio(response: Response) -> None:
        if response.url.endswith("/audio"):
            audio_answers.append(response)

    page.on("response", keep_audio)
    await sign_in(page, site, "sofia")
    await expect(page.get_by_role("heading", name="Engine")).to_be_visible()
    await page.get_by_role("link", name="Recordings").click()
    await page.get_by_role("link", name="2026-11-27 10:00:00").click()
    await expect(page.get_by_role("heading", name=f"Recording #{recording.id}")).to_be_visible()

    await player_ready(page)
    duration = await page.evaluate("document.querySelector('audio').duration")
    assert duration == pytest.approx(SECONDS, abs=0.05)
    position = await page.evaluate(SEEKED_TO_MIDDLE)
    assert position == pytest.approx(SECONDS / 2, abs=0.05)
    ranged = [a for a in audio_answers if "range" in a.request.headers and a.status == 206]
    assert ranged, [(a.status, a.request.headers.get("range")) for a in audio_answers]
    assert all(a.headers["content-type"] == "audio/wav" for a in ranged)
    listens = [e for e in (await site.audit_log.page(1, 100))[0] if e.action == "recording.listen"]
    assert listens and {e.actor for e in listens} == {"sofia"}

    other = await (await browser.new_context()).new_page()
    await sign_in(other, site, "petr")
    await expect(other.get_by_role("heading", name="Petr")).to_be_visible()
    refused = await other.goto(f"{site.url}/recordings/{recording.id}")
    assert refused is not None and refused.status == 403
    await expect(other.get_by_text("Your role does not allow this recording")).to_be_visible()
    await other.context.close()


async def test_a_call_recorded_through_the_ivr_plays_and_seeks_for_a_supervisor_only(
    site: RunningWeb, page: Page, browser: Browser, ivr_content: IvrContent
) -> None:
    """The emulator's recording of a whole call (notice, menu, queue, operator), as the
    engine indexed it; the operator of another call is refused, and that is audited."""
    var_dir = Path(site.engine.settings.var_dir)
    call = await record_a_call(site.engine.database, ivr_content, site.clock, var_dir)
    await site.add_user("sveta", "supervisor")
    await site.add_user("oleg", "operator")
    await sign_in(page, site, "sveta")
    await page.goto(f"{site.url}/recordings/{call.recording.id}")
    await player_ready(page)
    duration = await page.evaluate("document.querySelector('audio').duration")
    assert duration == pytest.approx(call.recording.duration_seconds, abs=0.05)
    position = await page.evaluate(SEEKED_TO_MIDDLE)
    assert position == pytest.approx(duration / 2, abs=0.05)

    other = await (await browser.new_context()).new_page()
    await sign_in(other, site, "oleg")
    refused = await other.request.get(f"{site.url}/recordings/{call.recording.id}/audio")
    assert refused.status == 403
    await other.context.close()
    entries, _ = await site.audit_log.page(1, 100)
    tried = [(e.actor, e.action) for e in entries if e.subject_id == str(call.recording.id)]
    assert ("oleg", "recording.refused") in tried and ("sveta", "recording.listen") in tried
