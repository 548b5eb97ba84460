"""The inbound call flow: recording notice, then the line's menu until the call ends.

It joins the pure navigator to the call: each step the navigator decides becomes AGI
commands, and every call is registered with its path, topic and outcome (IVR-8),
whatever way it ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from callcenter.queue_transfer import QueueOutcome, transfer_to_queue
from ivr.answering_machine import leave_message
from ivr.call_context import Action, ActionResult, CallContext, IvrServices
from ivr.call_record import CallEnd, CallLog, CallStart, Outcome
from ivr.caller_input import ChoiceReader, MenuChoiceReader
from ivr.menu import OPERATOR_KEY, MenuTree, normalise_number
from ivr.navigator import (
    Goodbye,
    Inform,
    Key,
    Navigator,
    RunAction,
    ShowMenu,
    Step,
    ToOperator,
)
from telephony.agi import AgiCall, AgiError, AgiProtocolError, CallHungUp

log = logging.getLogger(__name__)
CALLBACK_ACTION = "callback_request"


@dataclass(frozen=True)
class FlowSettings:
    max_retries: int = 2
    max_silent_rounds: int = 2


def service_of(queue: str, line: str) -> str:
    """Whose working hours apply: dispatch answers 6-22 daily (IVR-11), the rest are
    billing hours (CC-1), paid services their own."""
    if queue == "dispatch":
        return "dispatch"
    return "paid_services" if line == "paid_services" else "billing"


class IvrCallFlow:
    """The FastAGI route for inbound calls; one instance serves every call."""

    def __init__(
        self,
        trees: Mapping[str, MenuTree],
        default_tree: MenuTree,
        call_log: CallLog,
        services: IvrServices,
        actions: Mapping[str, Action],
        reader: ChoiceReader | None = None,
        settings: FlowSettings | None = None,
    ) -> None:
        self.trees = trees
        self.default_tree = default_tree
        self.call_log = call_log
        self.services = services
        self.actions = actions
        self.prompts = services.prompts
        self.clock = services.clock
        self.reader = reader or MenuChoiceReader()
        self.settings = settings or FlowSettings()
        self.shutting_down = False
        """Set when the engine stops: a call then cut off was ended by the engine."""

    async def shut_down(self) -> None:
        self.shutting_down = True

    def tree_for(self, dialled: str) -> MenuTree:
        """The dialled number picks the tree (IVR-1); an unknown number gets the default."""
        tree = self.trees.get(normalise_number(dialled))
        if tree is None:
            log.warning("no menu for dialled number %r, using %s", dialled, self.default_tree.line)
            return self.default_tree
        return tree

    async def __call__(self, call: AgiCall) -> None:
        env = call.environment
        tree = self.tree_for(env.dialled_number)
        started = self.clock()
        call_id = await self.call_log.call_started(
            CallStart(
                uniqueid=env.uniqueid,
                channel=env.channel,
                line=tree.line,
                dialled_number=env.dialled_number,
                caller_id=env.caller_id,
                started_at=started,
            )
        )
        navigator = Navigator(tree, self.settings.max_retries, self.settings.max_silent_rounds)
        end = CallEnd(answered_at=None, ended_at=started)
        context = CallContext(call, call_id, tree, self.services)
        try:
            await call.answer()
            end.answered_at = self.clock()
            await call.play([self.prompts("recording_notice")])
            await self._walk(context, navigator, end)
        except CallHungUp:
            end.ended_by = "caller"
            if self.shutting_down:
                end.outcome, end.ended_by = Outcome.INTERRUPTED, "engine"
        except asyncio.CancelledError:
            end.outcome, end.ended_by = Outcome.INTERRUPTED, "engine"
            raise
        except AgiProtocolError:  # the telephony layer logged it when it closed the call
            end.outcome, end.ended_by = Outcome.ENGINE_ERROR, "engine"
        except Exception as error:
            _log_failure(call_id, env.uniqueid, error)
            end.outcome, end.ended_by = Outcome.ENGINE_ERROR, "engine"
            await self._rescue(context, navigator, end)
        finally:
            end.ended_at = self.clock()
            end.path = list(navigator.path)
            end.inputs = " ".join(navigator.inputs)
            end.topic = navigator.call_topic if navigator.path else None
            await self.call_log.call_ended(call_id, end)

    async def _walk(self, context: CallContext, navigator: Navigator, end: CallEnd) -> None:
        call, prompts = context.call, self.prompts
        step: Step = navigator.start()
        while True:
            if isinstance(step, ShowMenu):
                if step.after_wrong_key:
                    await call.play([prompts("invalid_choice")])
                assert step.node.prompt is not None
                prompt = prompts(step.node.prompt, "full" if step.full else "short")
                step = navigator.handle(await self.reader.read_choice(context, prompt, step.node))
            elif isinstance(step, Inform):
                assert step.node.prompt is not None
                end.outcome = Outcome.SELF_SERVICE
                key = await call.play([prompts(step.node.prompt, "full")], escape="*0")
                step = (
                    navigator.handle(Key(key)) if key == OPERATOR_KEY else navigator.back_to_menu()
                )
            elif isinstance(step, RunAction):
                assert step.node.action is not None
                end.outcome = Outcome.SELF_SERVICE
                context.topic = step.node.topic
                result = await self.actions[step.node.action](context)
                if result is ActionResult.OPERATOR_ASKED:
                    step = navigator.handle(Key(OPERATOR_KEY))
                elif result is ActionResult.TO_OPERATOR:
                    step = navigator.to_operator()
                else:
                    step = navigator.back_to_menu()
            elif isinstance(step, ToOperator):
                if await self._operator(context, step, end):
                    return
                step = navigator.back_to_menu()
            else:
                assert isinstance(step, Goodbye)
                end.outcome, end.ended_by = Outcome.NO_INPUT, "engine"
                await call.play([prompts("goodbye")])
                await call.hangup()
                return

    async def _rescue(self, context: CallContext, navigator: Navigator, end: CallEnd) -> None:
        """After a failure, a caller who can still hear goes to the operator queue
        (IVR-4), whatever the working hours say: they may be what failed."""
        call = context.call
        if call.is_hung_up:
            return
        navigator.to_operator()
        node = context.tree.operator
        assert node.queue is not None and node.wait_seconds is not None
        try:
            await call.play([self.prompts("operator_connecting")])
            result = await transfer_to_queue(call, node.queue, node.wait_seconds)
            if result.outcome is QueueOutcome.ANSWERED:
                end.ended_by, end.operator = "queue", result.operator
            elif result.outcome is QueueOutcome.ABANDONED:
                end.ended_by = "caller"
            else:
                await call.play([self.prompts("operator_busy")])
        except CallHungUp:
            end.ended_by = "caller"
        except Exception as error:
            log.error(
                "call %s: the operator queue could not be reached either (%s)",
                context.call_id,
                type(error).__name__,
            )

    async def _operator(self, context: CallContext, step: ToOperator, end: CallEnd) -> bool:
        """Queue the caller; True when the call ended there, False to go on in the menu."""
        call, node = context.call, step.node
        assert node.queue is not None and node.wait_seconds is not None
        hours = self.services.hours[service_of(node.queue, context.tree.line)]
        if not hours.is_open(self.clock()):
            message = await leave_message(context)
            end.outcome = Outcome.ANSWERING_MACHINE if message.kept else Outcome.NO_MESSAGE_LEFT
            if message.caller_hung_up:
                raise CallHungUp("caller hung up at the answering machine")
            return False
        notice = "no_input_operator" if step.because_no_choice else "operator_connecting"
        await call.play([self.prompts(notice)])
        outcome_before, end.outcome = end.outcome, Outcome.ABANDONED_IN_QUEUE
        result = await transfer_to_queue(call, node.queue, node.wait_seconds)
        if result.outcome is QueueOutcome.ANSWERED:
            end.outcome, end.ended_by, end.operator = Outcome.OPERATOR, "queue", result.operator
            return True
        if result.outcome is QueueOutcome.ABANDONED:
            end.ended_by = "caller"
            return True
        await call.play([self.prompts("operator_busy")])
        end.outcome = outcome_before
        callback = self.actions.get(CALLBACK_ACTION)
        if callback is not None:
            context.topic = node.topic
            await callback(context)
            if context.callback_requested:
                end.outcome = Outcome.CALLBACK_REQUESTED
        return False


def _log_failure(call_id: str, uniqueid: str, error: Exception) -> None:
    """One line per failed call: a traceback only for what is not the telephony's."""
    if isinstance(error, AgiError):
        log.error("call %s (uniqueid %s) failed: %s", call_id, uniqueid, error)
    else:
        log.exception("call %s (uniqueid %s) failed", call_id, uniqueid)
