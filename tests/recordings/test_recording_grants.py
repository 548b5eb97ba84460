"""PD-1, "own calls unless granted": a supervisor lets an operator hear a call not
theirs; the grant is audited, shows on the recording, and goes with the recording."""

from __future__ import annotations

import re
from datetime import timedelta

from callgrid.web.audit import AuditLog
from recordings.purge import Purge
from tests.recordings.conftest import RecordedCalls
from tests.recordings.test_recordings_web import listed, signed_in
from tests.web.conftest import RunningWeb

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def test_a_granted_operator_hears_the_call_and_nobody_else_does(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    theirs = await calls.add(operator="PJSIP/olga")
    async with signed_in(web, "petr", "operator") as petr:
        async with petr.get(f"/recordings/{theirs.id}/audio") as refused:
            assert refused.status == 403
        assert await listed(petr) == []
        async with signed_in(web, "sofia", "supervisor") as sofia:
            async with sofia.get(f"/recordings/{theirs.id}") as page:
                token = CSRF.search(await page.text())
            assert token is not None
            form = {"csrf_token": token.group(1), "login": "Petr", "reason": "complaint 4/12"}
            async with sofia.post(
                f"/recordings/{theirs.id}/grant", data=form, allow_redirects=False
            ) as granted:
                assert granted.status == 303
            async with sofia.post(
                f"/recordings/{theirs.id}/grant", data=form, allow_redirects=False
            ) as again:
                assert again.status == 400 and "already" in await again.text()
            async with sofia.post(
                f"/recordings/{theirs.id}/grant",
                data={**form, "login": "no such login!"},
                allow_redirects=False,
            ) as bad:
                assert bad.status == 400
            async with sofia.get(f"/recordings/{theirs.id}") as shown:
                assert re.search(r'id="granted">petr<', await shown.text())
        async with petr.get(f"/recordings/{theirs.id}/audio") as heard:
            assert heard.status == 200 and await heard.read()
        assert await listed(petr) == [theirs.id]
        async with petr.post(
            f"/recordings/{theirs.id}/grant",
            data={"csrf_token": await web.csrf_token(petr), "login": "petr", "reason": "me"},
            allow_redirects=False,
        ) as self_grant:
            assert self_grant.status == 403
    async with (
        signed_in(web, "ivan", "operator") as ivan,
        ivan.get(f"/recordings/{theirs.id}/audio") as other,
    ):
        assert other.status == 403, "a grant is for one operator"
    entries = (await web.audit_log.page(1, 100))[0]
    grants = [(e.actor, e.details) for e in entries if e.action == "recording.grant"]
    assert grants == [("sofia", {"to": "petr", "reason": "complaint 4/12"})]
    refusals = [e.details.get("tried") for e in entries if e.action == "recording.refused"]
    assert "grant" in refusals, "the operator's attempt to grant is in the audit log"


async def test_a_grant_goes_with_the_purged_recording(
    web: RunningWeb, calls: RecordedCalls
) -> None:
    old = await calls.add(ago=timedelta(days=70), operator="PJSIP/olga")
    async with signed_in(web, "sofia", "supervisor") as sofia:
        async with sofia.get(f"/recordings/{old.id}") as page:
            token = CSRF.search(await page.text())
        assert token is not None
        form = {"csrf_token": token.group(1), "login": "petr", "reason": "dispute"}
        async with sofia.post(f"/recordings/{old.id}/grant", data=form, allow_redirects=False):
            pass
    database = web.engine.database
    purge = Purge(database, calls.directory, web.clock, 10, AuditLog(database, web.clock))
    assert (await purge.run(by="test")).deleted == 1
    async with signed_in(web, "petr", "operator") as petr:
        assert await listed(petr) == []
        async with petr.get(f"/recordings/{old.id}/audio") as gone:
            assert gone.status == 404
