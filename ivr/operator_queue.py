"""The operator step of a call: the caller is handed to the dialplan's queue, and the
call goes on from how the queue ended once the dialplan offers it back (after-queue).

No FastAGI session is open while the caller waits and talks (Asterisk's ``Queue()`` in
[callgrid-queued] holds them), so a queue wait costs the engine nothing, and an engine
that stops or dies meanwhile drops nobody: the after-queue request goes to the engine
that queued the caller, or to another one, which stores how the call ended.
"""

from __future__ import annotations

from typing import NoReturn

from callcenter.queue_transfer import (
    QueueOutcome,
    QueueResult,
    after_queue_request,
    hand_to_queue,
)
from callcenter.survey_call import answered_call
from callcenter.tasks import QueuePlace
from ivr.call_context import Action, ActionResult, IvrServices
from ivr.call_record import Outcome
from ivr.menu import MenuNode
from ivr.parked_calls import CallParked, CallState
from telephony.dialplan import AFTER_QUEUE_SCRIPT, CALL_PARAMETER


async def hand_to_operators(state: CallState, node: MenuNode, services: IvrServices) -> NoReturn:
    """Hand the caller to ``node``'s queue, a VIP customer ahead of the others (CC-9),
    for the wait the standard allows now (CC-2); the session ends (CallParked)."""
    assert node.queue is not None and node.wait_seconds is not None
    context = state.context
    vip = context.account is not None and context.account.vip
    wait = node.wait_seconds
    if services.queue_wait is not None:
        wait = await services.queue_wait(wait)
    state.queue, state.wait_seconds, state.joined = node.queue, wait, services.clock()
    call = context.call
    # enough for any engine to store how the queue ended, also one not holding the call
    after_queue = after_queue_request(
        AFTER_QUEUE_SCRIPT,
        **{CALL_PARAMETER: context.call_id},
        line=call.environment.dialled_number,
        queue=node.queue,
        wait=str(wait),
    )
    await hand_to_queue(call, node.queue, wait, after_queue, vip=vip)
    raise CallParked(node.queue)


async def after_operators(
    state: CallState, result: QueueResult, services: IvrServices, callback: Action | None
) -> ActionResult | None:
    """How the call goes on after the queue: transfers the operator asked for and the
    survey after an answer (None: the call ends), or, when nobody answered, the
    callback offered instead, keeping the caller's place (the menu step it leads to)."""
    context, end = state.context, state.end
    call = context.call
    if result.outcome is QueueOutcome.ANSWERED:
        if services.transfers is not None:
            result = await services.transfers.follow(call, state.queue, state.wait_seconds, result)
        end.ended_by, end.operator = "queue", result.operator
        if not state.rescued:
            end.outcome = Outcome.OPERATOR
            if result.caller_present and services.survey is not None:  # CC-11
                answered = answered_call(call, state.queue, result.operator, context.account)
                await services.survey.offer(call, answered, context.prompt)
        return None
    if result.outcome is QueueOutcome.ABANDONED:
        end.ended_by = "caller"
        return None
    await call.play([services.prompts("operator_busy")])
    if state.rescued:
        return None
    end.outcome = state.outcome_before
    if callback is None:
        return ActionResult.DONE
    if state.joined is not None:  # a callback asked for now keeps the caller's place
        context.kept_place = QueuePlace(state.queue, state.joined)
    try:
        return await callback(context)
    finally:  # stored, even if the caller hangs up as they hear it is
        context.kept_place = None
        if context.callback_requested:
            end.outcome = Outcome.CALLBACK_REQUESTED
