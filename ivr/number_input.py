"""A number from the caller — an account number, a reading — by voice or keypad.

With voice on, the prompt plays with every key as an escape: a key starts keypad
entry at once (the rest is collected after it); otherwise the caller's words are
recognised as a number. A failed attempt by voice counts towards the caller's
fallback to the keypad (:attr:`CallContext.voice_on`, IVR-4).
"""

from __future__ import annotations

from dataclasses import dataclass

from customers.model import Channel
from ivr.call_context import CallContext
from ivr.speech_input import ALL_KEYS, NUMBER_GRAMMAR, digits_heard
from prompts.render import PAUSE

ENDS_ENTRY = "#"


@dataclass(frozen=True)
class NumberInput:
    digits: str
    channel: Channel
    timed_out: bool = False


async def read_number(
    ctx: CallContext, prompt_file: str, max_digits: int, timeout_ms: int
) -> NumberInput:
    call, listener = ctx.call, ctx.services.listener
    if listener is None or not ctx.voice_on:
        entered = await call.read_digits(prompt_file, timeout_ms, max_digits)
        return NumberInput(entered.digits, Channel.KEYPAD, entered.timed_out)
    key = await call.play([prompt_file], escape=ALL_KEYS)
    if key is None:
        heard = await listener.listen(call, NUMBER_GRAMMAR)
        key = heard.key
        if key is None:
            digits = digits_heard(heard)
            if digits:
                return NumberInput(digits, Channel.VOICE)
            ctx.voice_failures += 1
            return NumberInput("", Channel.VOICE, timed_out=True)
    if key == ENDS_ENTRY:
        return NumberInput("", Channel.KEYPAD)
    rest = await call.read_digits(ctx.prompt_file(PAUSE), timeout_ms, max(max_digits - 1, 1))
    return NumberInput(key + rest.digits, Channel.KEYPAD, rest.timed_out)
