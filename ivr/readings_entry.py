"""Taking meter readings by phone (IVR-9), 24/7.

For each meter of the identified account: the last accepted readings are spoken, then
each tariff zone is entered (``#`` ends, ``*`` goes back a zone), checked at once with
the reason of any refusal spoken, read back in words and, on confirmation, stored in
one transaction before the caller hears that they are accepted. A submission has a key
of its own, so it is stored exactly once even if the caller hangs up right after
confirming. Only a value judged acceptable is ever stored.

Back and the operator: ``*`` (keyed as ``*#``, or ``*`` and the timeout) goes back a
zone, and at the first zone leaves the readings for the menu they were chosen from. A
reading of 0 is legitimate (a new meter shows zeros), and the prompt asks for ``#`` at
the end of a reading, so ``0#`` (or ``00000#``, or "ноль" said) is a reading of zero,
while a lone ``0`` keyed without ``#`` (the caller waits) reaches an operator, as
``0`` does everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from customers.model import Account, Channel, Meter, Reading, Zone
from customers.reading_rules import (
    Accepted,
    AlreadyToday,
    Refused,
    judge,
    verification_refusal,
)
from ivr import spoken_texts
from ivr.call_context import ActionResult, CallContext
from ivr.call_record import Outcome
from ivr.identification import identify_caller
from ivr.menu import BACK_KEY, OPERATOR_KEY
from ivr.number_input import Leave, NumberInput, read_number

ZONE_ENTRY_TIMEOUT_MS = 10_000
CONFIRM_TIMEOUT_MS = 5000
TRIES_PER_ZONE = 3


@dataclass
class Submission:
    values: dict[Zone, int]
    channels: dict[Zone, Channel]
    replaces_today: bool = False


def leaves_readings(entered: NumberInput, first_zone: bool) -> Leave | None:
    """Back from the first zone, or the operator on a lone keyed ``0`` without ``#``."""
    if first_zone and BACK_KEY in entered.digits:
        return Leave.BACK
    keyed_alone = entered.channel is Channel.KEYPAD and entered.timed_out
    if entered.digits == OPERATOR_KEY and keyed_alone:
        return Leave.OPERATOR
    return None


async def submit_readings(ctx: CallContext) -> ActionResult:
    account = await identify_caller(ctx)
    if not isinstance(account, Account):
        return account.action_result
    meters = await ctx.services.customers.meters(account.id)
    if not meters:
        await ctx.call.play([ctx.prompt("readings_no_meter")])
        return ActionResult.DONE
    ctx.abandoned_as = Outcome.ABANDONED_IN_READINGS
    result = await _all_meters(ctx, meters)
    ctx.abandoned_as = None
    return result


async def _all_meters(ctx: CallContext, meters: list[Meter]) -> ActionResult:
    """Each meter in turn. Until the first readings are stored, a caller who hangs up
    abandoned the call in readings entry; after that, they were served."""
    for number, meter in enumerate(meters):
        if number:
            await ctx.call.play([ctx.prompt("readings_next_meter")])
        taken = await _one_meter(ctx, meter)
        if isinstance(taken, Leave):
            return taken.action_result
        if not taken:
            await ctx.call.play([ctx.prompt("readings_not_taken")])
    return ActionResult.DONE


async def _one_meter(ctx: CallContext, meter: Meter) -> bool | Leave:
    """Whether the meter's readings were stored, or where the caller left to."""
    call, store = ctx.call, ctx.services.customers
    expired = verification_refusal(meter, ctx.today())
    if expired is not None:
        text = spoken_texts.refusal(expired.reason, None, meter.verification_due)
        await call.play([await ctx.phrase(text)])
        return False
    last = await store.last_accepted(meter.id)
    known = {zone: (r.value, r.taken_at) for zone, r in last.items()}
    text = spoken_texts.last_readings(known, meter.zones, ctx.services.timezone)
    await call.play([await ctx.phrase(text)])
    for attempt in range(2):
        submission = await _enter_zones(ctx, meter)
        if submission is None:
            return False
        if isinstance(submission, Leave):
            return submission
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
            ctx.abandoned_as = None
            await call.play([ctx.prompt("readings_accepted")])
            return True
        if answer.digits != "2":
            return False
    return False


async def _enter_zones(ctx: CallContext, meter: Meter) -> Submission | Leave | None:
    """Each zone in turn until all are acceptable; None when the caller gives up, a
    :class:`Leave` when they leave the readings."""
    store, today, timezone = ctx.services.customers, ctx.today(), ctx.services.timezone
    limits = ctx.services.reading_limits
    submission = Submission({}, {})
    accepted: dict[Zone, tuple[list[Reading], list[Reading]]] = {}  # read once a zone
    index, tries = 0, 0
    while index < len(meter.zones):
        zone = meter.zones[index]
        prompt = await ctx.phrase(spoken_texts.enter_zone(zone, ctx.voice_on))
        entered = await read_number(ctx, prompt, meter.digits + 2, ZONE_ENTRY_TIMEOUT_MS)
        left = leaves_readings(entered, first_zone=index == 0)
        if left is not None:
            return left
        if BACK_KEY in entered.digits:
            index, tries = index - 1, 0
            continue
        if zone not in accepted:
            today_ones = await store.readings_today(meter.id, zone, ctx.now())
            history = await store.history(meter.id, zone)
            accepted[zone] = ([r for r in history if r not in today_ones], today_ones)
        before_today, accepted_today = accepted[zone]
        last = before_today[0] if before_today else None
        facts = (meter, entered.digits, today, last, before_today)
        verdict = judge(*facts, accepted_today, limits, timezone=timezone)
        if isinstance(verdict, AlreadyToday):
            question = await ctx.phrase(spoken_texts.already_today(zone, verdict.existing))
            answer = await ctx.call.read_digits(question, CONFIRM_TIMEOUT_MS, 1)
            if answer.digits != "1":
                return None
            submission.replaces_today = True
            verdict = judge(*facts, [], limits, timezone=timezone)
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
