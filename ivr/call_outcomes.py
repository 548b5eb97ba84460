"""How a call's recorded outcome moves as the call goes on, and how a failed call is
logged: shared by the call flow and the hand-back."""

from __future__ import annotations

import logging

from ivr.call_context import CallContext
from ivr.call_record import CallEnd, Outcome
from telephony.agi import AgiError

log = logging.getLogger("ivr.call_flow")
LASTING = frozenset({Outcome.OPERATOR, Outcome.CALLBACK_REQUESTED, Outcome.ANSWERING_MACHINE})
"""What happened on a call that the caller's later steps in the menu do not undo."""


def progress(end: CallEnd, outcome: Outcome) -> None:
    """Note how the call goes on, unless something that lasts happened on it already."""
    if end.outcome not in LASTING:
        end.outcome = outcome


def caller_hung_up(context: CallContext, end: CallEnd) -> None:
    """The caller ended the call; a step with an outcome of its own says where."""
    end.ended_by = "caller"
    if context.abandoned_as is not None:
        progress(end, context.abandoned_as)


def log_failure(call_id: str, uniqueid: str, error: Exception) -> None:
    """One line per failed call: a traceback only for what is not the telephony's."""
    if isinstance(error, AgiError):
        log.error("call %s (uniqueid %s) failed: %s", call_id, uniqueid, error)
    else:
        log.exception("call %s (uniqueid %s) failed", call_id, uniqueid)
