"""The supervisor's emergency switch on the wallboard (CC-2): callers may wait 3 min
instead of 40 s while it is on; setting it is audited; operators cannot."""

from __future__ import annotations

import html

from callcenter.plugin import EMERGENCY_MODE
from tests.web.conftest import RunningWeb, web

__all__ = ["web"]


async def test_a_supervisor_declares_and_ends_an_emergency(web: RunningWeb) -> None:
    mode = web.engine.host.require(EMERGENCY_MODE)
    await web.add_user("sofia", "supervisor")
    async with web.client() as client:
        await web.sign_in(client, "sofia")
        token = await web.csrf_token(client)
        async with client.post("/wallboard/emergency", data={"csrf_token": token, "on": "yes"}):
            pass
        waits_then = await mode.queue_wait(60)
        async with client.get("/wallboard") as page:
            shown = html.unescape(await page.text())
        async with client.post("/wallboard/emergency", data={"csrf_token": token, "on": "no"}):
            pass

    assert waits_then == 180 and await mode.queue_wait(60) == 40
    assert '<strong id="emergency">on</strong>' in shown and "End the emergency" in shown
    entries, _ = await web.audit_log.page(1, 50)
    switched = [e.details for e in entries if e.action == "callcenter.emergency"]
    assert switched == [{"on": False}, {"on": True}]


async def test_an_operator_cannot_declare_an_emergency(web: RunningWeb) -> None:
    await web.add_user("oleg", "operator")
    async with web.client() as client:
        await web.sign_in(client, "oleg")
        token = await web.csrf_token(client)
        data = {"csrf_token": token, "on": "yes"}
        async with client.post("/wallboard/emergency", data=data) as refused:
            assert refused.status == 403
    assert (await web.engine.host.require(EMERGENCY_MODE).state()).on is False
