"""Outages spoken within a phrase's limits, however many there are and however long
their causes and areas (as long as an import allows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.outages import MAX_AREA_LENGTH, MAX_CAUSE_LENGTH, Outage, OutageKind
from ivr import spoken_texts
from ivr.outage_info import areas_that_fit
from prompts.phrases import MAX_CHARACTERS
from tests.conftest import RunningIvr
from tests.ivr.calls import place
from tests.ivr.self_service import heard_texts, seed_household
from worktime.clock import ManualClock

CAUSES = (
    "замена опор воздушной линии " * 7,
    "ремонт трансформаторной подстанции " * 5,
)


async def test_two_outages_with_the_longest_causes_are_each_spoken(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    await seed_household(ivr)
    for cause in CAUSES:
        await ivr.outages.add(
            Outage(
                "Кировский район",
                OutageKind.PLANNED,
                cause.strip()[:MAX_CAUSE_LENGTH],
                clock.now - timedelta(hours=1),
                datetime(2026, 11, 27, 11, 30, tzinfo=UTC),
            ),
            clock.now,
        )
    channel, row = await place(ivr, "3 2 1 1 _ _ h")
    heard = heard_texts(channel)
    spoken = [text for text in heard if text.startswith(("Кировский район. Плановое", "Плановое"))]
    assert len(spoken) == 2
    assert all(len(text) <= MAX_CHARACTERS for text in spoken)
    assert "опор воздушной линии" in spoken[0] and "подстанции" in spoken[1]
    assert row.outcome == "self_service"


def test_a_listing_of_long_area_names_is_cut_to_what_one_phrase_may_say() -> None:
    areas = [f"{number} " + "Ж" * (MAX_AREA_LENGTH - 2) for number in range(1, 8)]
    listed = areas_that_fit(areas, MAX_CHARACTERS)
    assert 1 <= len(listed) < len(areas)
    assert listed == areas[: len(listed)]
    assert len(spoken_texts.area_choice(listed)) <= MAX_CHARACTERS
    assert len(spoken_texts.area_choice(areas[: len(listed) + 1])) > MAX_CHARACTERS


def test_a_listing_of_short_area_names_keeps_every_area() -> None:
    areas = ["Кировский район", "Ленинский район", "Советский район"]
    assert areas_that_fit(areas, MAX_CHARACTERS) == areas
