"""Playing a phrase made for the caller so that the menu keys stop it (IVR-3): ``*`` back
to the menu the action was chosen from, ``0`` to an operator."""

from __future__ import annotations

from collections.abc import Sequence

from ivr.call_context import ActionResult, CallContext
from ivr.menu import BACK_KEY, OPERATOR_KEY

PHRASE_ESCAPE_KEYS = BACK_KEY + OPERATOR_KEY


def result_of_key(key: str | None) -> ActionResult:
    """What a key pressed during a phrase asks for: ``0`` the operator, ``*`` back (both
    kept among the call's inputs), none the menu."""
    if key == OPERATOR_KEY:
        return ActionResult.OPERATOR_ASKED
    return ActionResult.BACK_ASKED if key == BACK_KEY else ActionResult.DONE


async def play_phrase(ctx: CallContext, files: Sequence[str]) -> ActionResult:
    """Play ``files`` in turn; a menu key stops them, and the rest is not played."""
    return result_of_key(await ctx.call.play(files, escape=PHRASE_ESCAPE_KEYS))
