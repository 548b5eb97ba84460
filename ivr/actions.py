"""IVR actions: what an ``action`` node of a menu tree runs, by name."""

from __future__ import annotations

from ivr.call_context import Action, CallContext
from prompts.catalog import Variant

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


async def request_callback(ctx: CallContext) -> None:
    """Take a callback number (CC-5), read it back, store the request on confirmation."""
    call = ctx.call
    for attempt in range(2):
        variant: Variant = "full" if attempt else "short"
        entered = await call.read_digits(
            ctx.prompts("callback_enter_number", variant),
            CALLBACK_ENTRY_TIMEOUT_MS,
            LONGEST_PHONE_NUMBER,
        )
        if entered.digits.startswith("*") or (entered.timed_out and not entered.digits):
            break
        number = callback_number(entered.digits, call.environment.caller_id)
        if number is None:
            await call.play([ctx.prompts("invalid_choice")])
            continue
        await call.play([ctx.prompts("callback_number_is")])
        await call.say_digits(number)
        answer = await call.read_digits(
            ctx.prompts("callback_confirm", variant), CONFIRM_TIMEOUT_MS, 1
        )
        if answer.digits == "1":
            await ctx.callbacks.request_callback(
                ctx.call_id, number, ctx.tree.line, ctx.topic, ctx.clock()
            )
            await call.play([ctx.prompts("callback_accepted")])
            return
        if answer.digits != "2":
            break
    await call.play([ctx.prompts("callback_cancelled")])


ACTIONS: dict[str, Action] = {"callback_request": request_callback}
