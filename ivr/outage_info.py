"""Outages where the caller lives (IVR-11): by the identified account's area, or an area
the caller picks from those with outages now."""

from __future__ import annotations

from callcenter.outages import Outage
from ivr import spoken_texts
from ivr.call_context import ActionResult, CallContext
from ivr.identification import identify_caller
from ivr.menu import ITEM_KEYS
from ivr.number_input import Leave
from ivr.phrase_playback import play_phrase

CHOICE_TIMEOUT_MS = 5000
MOST_AREAS_LISTED = 7


async def tell_outages(ctx: CallContext) -> ActionResult:
    area = ctx.account.area if ctx.account else await _choose_area(ctx)
    if isinstance(area, Leave):
        return area.action_result
    if area is None:
        return ActionResult.DONE
    outages: list[Outage] = await ctx.services.outages.current(area, ctx.now())
    texts = spoken_texts.outages(area, outages, ctx.services.timezone)
    return await play_phrase(ctx, [await ctx.phrase(text) for text in texts])


async def _choose_area(ctx: CallContext) -> str | Leave | None:
    call = ctx.call
    areas = (await ctx.services.outages.areas(ctx.now()))[:MOST_AREAS_LISTED]
    if not areas:
        await call.play([ctx.prompt("outages_none_anywhere")])
        return None
    answer = await call.read_digits(ctx.prompt("outages_how_to_find"), CHOICE_TIMEOUT_MS, 1)
    if answer.digits == "1":
        account = await identify_caller(ctx)
        return account if isinstance(account, Leave) else account.area
    areas = areas_that_fit(areas, ctx.services.phrases.max_characters)
    listing = await ctx.phrase(spoken_texts.area_choice(areas))
    chosen = await call.read_digits(listing, CHOICE_TIMEOUT_MS, 1)
    if chosen.digits and chosen.digits in ITEM_KEYS[: len(areas)]:
        return areas[int(chosen.digits) - 1]
    return None


def areas_that_fit(areas: list[str], max_characters: int) -> list[str]:
    """The first areas whose listing is short enough to be one phrase (long names make
    fewer fit)."""
    listed = list(areas)
    while len(listed) > 1 and len(spoken_texts.area_choice(listed)) > max_characters:
        listed.pop()
    return listed
