"""Transfers carried out in the caller's own FastAGI session (CC-4).

The desk stored the request and hung up the operator's leg; the caller's ``Queue()``
came back with the caller on the line. Here the caller is dialled through to the target
(``Dial(interface,ring limit,g)`` or ``Queue(name,c,,,ring limit)``); when nobody
answers within the ring limit, to the operator who transferred; when they do not answer
either, back into the original queue. ``g``/``c`` keep the caller's channel in this
session when the other side hangs up (Dial() then returns 0, -1 only when the caller is
gone), so MixMonitor on it records the whole call and the session ends the call itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from callcenter.queue_transfer import (
    LONGEST_CONVERSATION_SECONDS,
    QueueOutcome,
    QueueResult,
    queue_once,
    still_on_the_line,
)
from callcenter.transfer import (
    Finished,
    Leg,
    LegOutcome,
    Transfer,
    TransferState,
    after_leg,
    first_leg,
)
from callcenter.transfer_store import SqlTransfers
from telephony.agi import AgiCall
from worktime.clock import Clock

log = logging.getLogger(__name__)
ANSWER = "ANSWER"


@dataclass(frozen=True)
class CallTransfers:
    """What an after-queue session needs to carry out the desk's transfers."""

    store: SqlTransfers
    clock: Clock
    ring_limit_seconds: int
    """How long a target (and then the operator) rings before the call moves on."""

    async def follow(
        self, call: AgiCall, queue: str, wait_seconds: int, result: QueueResult
    ) -> QueueResult:
        """After an answered ``Queue()``: each transfer asked for meanwhile, until a
        conversation ends with none (or the caller is gone); how the last one ended."""
        uniqueid = call.environment.uniqueid
        while result.outcome is QueueOutcome.ANSWERED:
            transfer = await self.store.take(uniqueid, self.clock())
            if transfer is None:
                return result
            if not result.caller_present:
                await self.store.finish(transfer.id, TransferState.CALLER_LEFT, self.clock())
                return result
            log.info("call %s: transfer %d to %s", uniqueid[:64], transfer.id, transfer.target)
            finished, result = await self._carry_out(call, transfer, result)
            await self.store.finish(transfer.id, finished.state, self.clock(), finished.answered_by)
            if finished.requeue:
                result = await queue_once(call, queue, wait_seconds)
        return result

    async def _carry_out(
        self, call: AgiCall, transfer: Transfer, before: QueueResult
    ) -> tuple[Finished, QueueResult]:
        step: Leg | Finished = first_leg(transfer)
        result = before
        while isinstance(step, Leg):
            outcome, result = await self._leg(call, step, result)
            step = after_leg(transfer, step, outcome)
        return step, result

    async def _leg(
        self, call: AgiCall, leg: Leg, before: QueueResult
    ) -> tuple[LegOutcome, QueueResult]:
        if leg.application == "Queue":
            result = await queue_once(call, leg.destination, self.ring_limit_seconds)
            answered = result.outcome is QueueOutcome.ANSWERED
            present = result.caller_present if answered else await still_on_the_line(call)
            if not answered:
                result = QueueResult(QueueOutcome.ANSWERED, operator=before.operator)
            by = result.operator if answered else ""
            return LegOutcome(answered, present, by), _present(result, present)
        code = await call.exec(
            "Dial",
            leg.destination,
            str(self.ring_limit_seconds),
            "g",
            timeout=call.reply_timeout + self.ring_limit_seconds + LONGEST_CONVERSATION_SECONDS,
        )
        status = await call.get_variable("DIALSTATUS") or ""
        present = code >= 0 and await still_on_the_line(call)
        answered = status == ANSWER
        operator = leg.destination if answered else before.operator
        outcome = LegOutcome(answered, present, leg.destination if answered else "")
        after = QueueResult(QueueOutcome.ANSWERED, operator=operator, caller_present=present)
        return outcome, after


def _present(result: QueueResult, present: bool) -> QueueResult:
    return QueueResult(result.outcome, result.status, result.operator, present)
