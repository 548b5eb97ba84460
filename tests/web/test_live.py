"""The live socket: what the supervisor home is sent, and what it costs unwatched."""

from __future__ import annotations

import asyncio
import logging

from tests.web.conftest import RunningWeb


async def wait_for_subscribers(web: RunningWeb, count: int) -> None:
    for _ in range(200):
        if web.engine.events.subscribers == count:
            return
        await asyncio.sleep(0.01)
    assert web.engine.events.subscribers == count


async def test_the_state_loop_runs_only_while_a_live_page_is_open(web: RunningWeb) -> None:
    await web.add_user("sofia", "supervisor")
    assert web.engine.events.subscribers == 0, "nobody watches, yet the hub is listened to"
    async with web.client() as first, web.client() as second:
        await web.sign_in(first, "sofia")
        await web.sign_in(second, "sofia")
        async with first.ws_connect("/ws/live") as one, second.ws_connect("/ws/live") as two:
            assert (await one.receive_json(timeout=5))["topic"] == "engine.state"
            assert (await two.receive_json(timeout=5))["topic"] == "engine.state"
            await wait_for_subscribers(web, 3)  # the two pages and the state loop
            logging.getLogger("telephony.ami").error("AMI login refused: bad secret")
            web.engine.events.publish("call.started", channel="PJSIP/trunk-00000001")
            for page in (one, two):
                started = await page.receive_json(timeout=5)
                assert started == {
                    "topic": "call.started",
                    "data": {"channel": "PJSIP/trunk-00000001"},
                    "missed": 0,
                }
                state = await page.receive_json(timeout=5)
                assert state["topic"] == "engine.state"
                assert "AMI login refused" in state["data"]["errors"][0]["message"]
        await wait_for_subscribers(web, 0)
