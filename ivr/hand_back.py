"""Handing a live call back to the dialplan when the engine stops (IVR-4), and where a
call handed back goes on when an engine takes it again (``resume=`` in the AGI query)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ivr.call_context import CallContext
from ivr.call_outcomes import caller_hung_up, log_failure
from ivr.call_record import CallEnd, Outcome
from telephony.agi import AgiCall, AgiError
from telephony.dialplan import HANDBACK_VARIABLE, RESUME_PARAMETER, Resume

log = logging.getLogger("ivr.call_flow")


def resume_of(call: AgiCall) -> Resume | None:
    """Where a call another engine handed back goes on (``resume=`` in the AGI query);
    None for a new call. An unknown value goes on at the operator."""
    value = call.environment.query.get(RESUME_PARAMETER)
    if value is None:
        return None
    try:
        return Resume(value)
    except ValueError:
        log.warning(
            "call %s: unknown %s=%r, going on at the operator",
            call.environment.uniqueid,
            RESUME_PARAMETER,
            value,
        )
        return Resume.OPERATOR


async def hand_back(context: CallContext, end: CallEnd, operators_work: Callable[[], bool]) -> None:
    """The engine stops: the dialplan takes the caller on to an operator, or to the
    answering machine when the operators do not work now (IVR-4)."""
    call = context.call
    try:
        staffed = operators_work()
    except Exception:  # the hours may be what failed: an operator it is then
        log.exception(
            "call %s: working hours unknown, handed back to the operators", context.call_id
        )
        staffed = True
    resume = Resume.OPERATOR if staffed else Resume.ANSWERING_MACHINE
    try:
        await call.hand_back({HANDBACK_VARIABLE: resume.value})
    except AgiError as error:
        log_failure(context.call_id, call.environment.uniqueid, error)
        end.outcome, end.ended_by = Outcome.ENGINE_ERROR, "engine"
        return
    if call.handed_back and not call.hangup_seen:
        end.outcome, end.ended_by = Outcome.HANDED_BACK, "engine"
    else:
        caller_hung_up(context, end)
