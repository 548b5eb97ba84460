"""The caller's debt, due date and last payment, after identification (IVR-12, IVR-13)."""

from __future__ import annotations

from ivr import spoken_texts
from ivr.call_context import ActionResult, CallContext
from ivr.identification import identify_caller
from ivr.number_input import Leave
from ivr.phrase_playback import play_phrase


async def tell_debt(ctx: CallContext) -> ActionResult:
    account = await identify_caller(ctx)
    if isinstance(account, Leave):
        return account.action_result
    return await play_phrase(
        ctx, [await ctx.phrase(spoken_texts.debt(account)), ctx.prompt("debt_how_to_pay")]
    )
