"""Taking meter readings by phone (IVR-9), 24/7.

For each meter of the identified account: the last accepted readings are spoken, then
each tariff zone is entered (``#`` ends, ``*`` goes back a zone), checked at once with
the reason of any refusal spoken, read back in words and, on confirmation, stored in
one transaction before the caller hears that they are accepted. A submission has a key
of its own, so it is stored exactly once even if the caller hangs up right after
confirming. Only a value judged acceptable is ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from customers.model import Channel, Meter, Reading, Zone
from customers.reading_rules import Accepted, AlreadyToday, Refused, judge, verification_refusal
from ivr import spoken_texts
from ivr.call_context import ActionResult, CallContext
from ivr.identification import identify
from ivr.number_input import read_number

ZONE_ENTRY_TIMEOUT_MS = 10_000
CONFIRM_TIMEOUT_MS = 5000
TRIES_PER_ZONE = 3
BACK = "*"


@dataclass
class Submission:
    values: dict[Zone, int]
    channels: dict[Zone, Channel]
    replaces_today: bool = False


async def submit_readings(ctx: CallContext) -> ActionResult:
    account = await identify(ctx)
    if account is None:
        return ActionResult.TO_OPERATOR
    meters = await ctx.services.customers.meters(account.id)
    if not meters:
        await ctx.call.play([ctx.prompt("readings_no_meter")])
        return ActionResult.DONE
    for number, meter in enumerate(meters):
        if number:
            await ctx.call.play([ctx.prompt("readings_next_meter")])
        if not await _one_meter(ctx, meter):
            await ctx.call.play([ctx.prompt("readings_not_taken")])
    return ActionResult.DONE


async def _one_meter(ctx: CallContext, meter: Meter) -> bool:
    call, store = ctx.call, ctx.services.customers
    expired = verification_refusal(meter, ctx.today())
    if expired is not None:
        text = spoken_texts.refusal(expired.reason, None, meter.verification_due)
        await call.play([await ctx.phrase(text)])
        return False
    last = await store.last_accepted(meter.id)
    known = {zone: (r.value, r.taken_at) for zone, r in last.items()}
    await call.play([await ctx.phrase(spoken_texts.last_readings(known, meter.zones))])
    for attempt in range(2):
        submission = await _enter_zones(ctx, meter)
        if submission is None:
            return False
        await call.play([await ctx.phrase(spoken_texts.read_back(submission.values))])
        answer = await call.read_digits(
            ctx.prompt("readings_confirm", "full" if attempt else "short"), CONFIRM_TIMEOUT_MS, 1
        )
        if answer.digits == "1":
            now = ctx.now()
            readings = [
                Reading(meter.id, zone, value, now, submission.channels[zone], ctx.call_id)
                for zone, value in submission.values.items()
            ]
            key = f"{ctx.call_id}:{meter.id}:{attempt}"
            await store.store_readings(readings, key, replace_same_day=submission.replaces_today)
            await call.play([ctx.prompt("readings_accepted")])
            return True
        if answer.digits != "2":
            return False
    return False


async def _enter_zones(ctx: CallContext, meter: Meter) -> Submission | None:
    """Each zone in turn until all are acceptable; None when the caller gives up."""
    store, today = ctx.services.customers, ctx.today()
    submission = Submission({}, {})
    accepted: dict[Zone, tuple[list[Reading], list[Reading]]] = {}  # read once a zone
    index, tries = 0, 0
    while index < len(meter.zones):
        zone = meter.zones[index]
        prompt = await ctx.phrase(spoken_texts.enter_zone(zone, ctx.voice_on))
        entered = await read_number(ctx, prompt, meter.digits + 2, ZONE_ENTRY_TIMEOUT_MS)
        if BACK in entered.digits:
            if index == 0:
                return None
            index, tries = index - 1, 0
            continue
        if zone not in accepted:
            today_ones = await store.readings_today(meter.id, zone, ctx.now())
            history = await store.history(meter.id, zone)
            accepted[zone] = ([r for r in history if r not in today_ones], today_ones)
        before_today, accepted_today = accepted[zone]
        last = before_today[0] if before_today else None
        verdict = judge(
            meter,
            entered.digits,
            today,
            last,
            before_today,
            accepted_today,
            ctx.services.reading_limits,
        )
        if isinstance(verdict, AlreadyToday):
            question = await ctx.phrase(spoken_texts.already_today(zone, verdict.existing))
            answer = await ctx.call.read_digits(question, CONFIRM_TIMEOUT_MS, 1)
            if answer.digits != "1":
                return None
            submission.replaces_today = True
            verdict = judge(
                meter, entered.digits, today, last, before_today, [], ctx.services.reading_limits
            )
        if isinstance(verdict, Accepted):
            submission.values[zone] = verdict.value
            submission.channels[zone] = entered.channel
            index, tries = index + 1, 0
            continue
        assert isinstance(verdict, Refused)
        tries += 1
        text = spoken_texts.refusal(verdict.reason, verdict.limit, meter.verification_due)
        await ctx.call.play([await ctx.phrase(text)])
        if tries >= TRIES_PER_ZONE:
            return None
    return submission
