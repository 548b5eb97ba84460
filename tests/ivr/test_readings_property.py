"""No path through the IVR stores an invalid reading (IVR-9): random callers, real flow."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from callgrid.database import Database
from customers.model import Zone
from customers.reading_rules import Accepted, judge
from ivr.content import IvrContent
from telephony.emulator.caller import CallerAction, HangUp, Press, StaySilent
from tests.conftest import running_ivr
from tests.ivr.calls import place
from tests.ivr.self_service import seed_household
from worktime.clock import ManualClock, local_date

TOMSK = ZoneInfo("Asia/Tomsk")

anything = st.one_of(
    st.text(alphabet="0123456789", min_size=0, max_size=8).map(lambda d: Press(d + "#")),
    st.sampled_from([Press("*"), Press("#"), StaySilent()]),
)
# values around the last readings (12000 day, 4400 night): some right, some not
plausible = st.integers(3000, 16000).map(lambda v: Press(f"{v:05d}#"))
entry = st.one_of(anything, plausible, plausible)
confirmation = st.sampled_from([Press("1"), Press("1"), Press("2"), Press("9"), StaySilent()])


async def _call(content: IvrContent, script: list[CallerAction]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        database = Database(f"sqlite+aiosqlite:///{scratch}/callgrid.db")
        await database.upgrade()
        clock = ManualClock(datetime(2026, 11, 27, 4, tzinfo=UTC))
        async with running_ivr(database, content, clock, Path(scratch)) as ivr:
            account = await seed_household(ivr)
            (meter,) = await ivr.customers.meters(account.id)
            before = {zone: await ivr.customers.history(meter.id, zone) for zone in meter.zones}
            await place(ivr, script)
            for zone in meter.zones:
                after = await ivr.customers.history(meter.id, zone)
                new = after[: len(after) - len(before[zone])]
                event("a reading was stored" if new else "nothing was stored")
                for stored in new:
                    verdict = judge(
                        meter,
                        str(stored.value),
                        local_date(clock.now, TOMSK),
                        before[zone][0],
                        before[zone],
                        [],
                        timezone=TOMSK,
                    )
                    assert isinstance(verdict, Accepted), (zone, stored.value, verdict)
                    assert stored.zone is zone and zone in (Zone.DAY, Zone.NIGHT)
        await database.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(
    entries=[Press("12345#"), Press("04567#")], confirmations=[Press("1")], hang_up_early=False
)
@given(
    entries=st.lists(entry, max_size=8),
    confirmations=st.lists(confirmation, max_size=3),
    hang_up_early=st.booleans(),
)
def test_random_callers_never_store_an_invalid_reading(
    ivr_content: IvrContent,
    entries: list[CallerAction],
    confirmations: list[CallerAction],
    hang_up_early: bool,
) -> None:
    script: list[CallerAction] = [Press("1"), Press("1")]
    for index, action in enumerate(entries):
        script.append(action)
        if index % 2 == 1 and confirmations:
            script.append(confirmations.pop(0))
    script += confirmations
    if hang_up_early:
        script.insert(len(script) // 2 + 1, HangUp(after=0.1, anywhere=True))
    asyncio.run(_call(ivr_content, script))
