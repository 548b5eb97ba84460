"""A number from the caller — an account number, a reading — by voice or keypad.

With voice on, the prompt plays with every key as an escape: a key starts keypad
entry at once (the rest is collected after it); otherwise the caller's words are
recognised as a number. A failed attempt by voice counts towards the caller's
fallback to the keypad (:attr:`CallContext.voice_on`, IVR-4).

Back and the operator work here as on every menu level (IVR-3): an entry that is
exactly ``*`` means back, exactly ``0`` an operator (:func:`leaving`). No number the
engine asks for is a lone 0: account numbers have 10 digits, INNs 10 or 12, OGRNs 13
or 15 and start with 1, 3 or 5, phone numbers 6 or more; a 0 as the first of several
digits stays a digit. GET DATA takes ``*`` as a digit and ends only on ``#``, the
timeout or the last digit, so on the keypad a lone ``*`` is known when ``#`` follows
or the timeout passes; with voice on, a ``*`` that stops the prompt means back at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from customers.model import Channel
from ivr.call_context import ActionResult, CallContext
from ivr.menu import BACK_KEY, OPERATOR_KEY
from ivr.speech_input import ALL_KEYS, NUMBER_GRAMMAR, digits_heard
from prompts.render import PAUSE

ENDS_ENTRY = "#"


@dataclass(frozen=True)
class NumberInput:
    digits: str
    channel: Channel
    timed_out: bool = False


class Leave(StrEnum):
    """Where the caller goes instead of giving a number: the action ends there."""

    BACK = "back"
    """``*``: back in the menu the action was chosen from."""
    OPERATOR = "operator"
    """``0``: the caller asked for an operator."""
    GAVE_UP = "gave_up"
    """The number could not be taken (see :mod:`ivr.identification`): an operator helps."""

    @property
    def action_result(self) -> ActionResult:
        return _RESULTS[self]


_RESULTS = {
    Leave.BACK: ActionResult.BACK_ASKED,
    Leave.OPERATOR: ActionResult.OPERATOR_ASKED,
    Leave.GAVE_UP: ActionResult.TO_OPERATOR,
}


def leaving(digits: str) -> Leave | None:
    """Whether an entry is back (exactly ``*``) or the operator (exactly ``0``)."""
    if digits == BACK_KEY:
        return Leave.BACK
    if digits == OPERATOR_KEY:
        return Leave.OPERATOR
    return None


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
    if key == BACK_KEY:
        return NumberInput(key, Channel.KEYPAD)
    rest = await call.read_digits(ctx.prompt_file(PAUSE), timeout_ms, max(max_digits - 1, 1))
    return NumberInput(key + rest.digits, Channel.KEYPAD, rest.timed_out)
