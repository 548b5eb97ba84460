"""A callback request (CC-5): the caller leaves a number and is called back.

While the number is entered, ``*`` alone goes back to the menu and ``0`` alone reaches
an operator (no phone number is a lone 0); ``#`` alone takes the caller's own number.
The number is read back in the engine's own voice, in the groups people say phone
numbers in, not with Asterisk's SAY DIGITS (a stock Asterisk may lack its Russian
``digits/`` files, and then says nothing at all).
"""

from __future__ import annotations

from ivr.call_context import ActionResult, CallContext
from ivr.number_input import Leave, leaving
from prompts.catalog import Variant
from prompts.russian_numbers import phone_number

CALLBACK_ENTRY_TIMEOUT_MS = 7000
CONFIRM_TIMEOUT_MS = 5000
LONGEST_PHONE_NUMBER = 15
CITY_NUMBER_DIGITS = 6


def callback_number(entered: str, caller_id: str) -> str | None:
    """The number to call back: what was keyed, or the caller's own number on ``#`` alone.

    Accepts a 6-digit city number or an 11-digit Russian number starting with 7 or 8;
    a 10-digit number gets its leading 8. Returns None for anything else.
    """
    number = entered or "".join(char for char in caller_id if char.isdigit())
    if not number.isdigit():
        return None
    if len(number) == 10:
        number = "8" + number
    if len(number) == CITY_NUMBER_DIGITS or (len(number) == 11 and number[0] in "78"):
        return number
    return None


async def ask_callback_number(ctx: CallContext) -> str | Leave | None:
    """A number to call back, keyed and read back for confirmation; None if given up,
    a :class:`Leave` when the caller pressed ``*`` or ``0`` instead of a number.

    ``#`` alone takes the number the caller is calling from.
    """
    call = ctx.call
    for attempt in range(2):
        variant: Variant = "full" if attempt else "short"
        entered = await call.read_digits(
            ctx.prompt("callback_enter_number", variant),
            CALLBACK_ENTRY_TIMEOUT_MS,
            LONGEST_PHONE_NUMBER,
        )
        left = leaving(entered.digits)
        if left is not None:
            return left
        if entered.timed_out and not entered.digits:
            return None
        number = callback_number(entered.digits, call.environment.caller_id)
        if number is None:
            await call.play([ctx.prompt("invalid_choice")])
            continue
        await call.play([ctx.prompt("callback_number_is"), await ctx.phrase(phone_number(number))])
        answer = await call.read_digits(
            ctx.prompt("callback_confirm", variant), CONFIRM_TIMEOUT_MS, 1
        )
        if answer.digits == "1":
            return number
        if answer.digits != "2":
            return None
    return None


async def request_callback(ctx: CallContext) -> ActionResult:
    """Take a callback number (CC-5) and store the request before saying it is taken;
    asked for after waiting in a queue, the callback keeps the caller's place there."""
    number = await ask_callback_number(ctx)
    if isinstance(number, Leave):
        return number.action_result
    if number is None:
        await ctx.call.play([ctx.prompt("callback_cancelled")])
        return ActionResult.DONE
    place = ctx.kept_place
    await ctx.services.tasks.request_callback(
        ctx.call_id, number, ctx.tree.line, ctx.topic, ctx.now(), place
    )
    ctx.callback_requested = True
    kept = [] if place is None else [ctx.prompt("callback_place_kept")]
    await ctx.call.play([ctx.prompt("callback_accepted"), *kept])
    return ActionResult.DONE
