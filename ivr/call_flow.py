"""The inbound call flow: recording notice, then the line's menu until the call ends.

It joins the pure navigator to the call: each step the navigator decides becomes AGI
commands, and every call is registered with its path, topic and outcome (IVR-8),
whatever way it ends. When the engine stops, a live call is handed back to the
dialplan, which offers it to another engine with ``resume=`` (IVR-4); such a call goes
on at the operator, or at the answering machine, without the notice and the menu.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from callcenter.queue_transfer import QueueOutcome, QueueResult, transfer_to_queue
from callcenter.survey_call import answered_call
from callcenter.tasks import QueuePlace
from ivr.answering_machine import leave_message
from ivr.call_context import Action, ActionResult, CallContext, IvrServices
from ivr.call_outcomes import caller_hung_up, log_failure, progress
from ivr.call_record import CallEnd, CallLog, CallStart, Outcome
from ivr.caller_input import ChoiceReader, MenuChoiceReader
from ivr.hand_back import hand_back, resume_of
from ivr.menu import BACK_KEY, OPERATOR_KEY, MenuNode, MenuTree, normalise_number
from ivr.navigator import Goodbye, Inform, Navigator, RunAction, ShowMenu, Step, ToOperator
from recordings.model import CallFacts
from recordings.recorder import CallRecorder, RecordedCall
from telephony.agi import AgiCall, AgiError, AgiProtocolError, CallHandedBack, CallHungUp
from telephony.dialplan import Resume

log = logging.getLogger(__name__)
CALLBACK_ACTION = "callback_request"
KEY_OF_RESULT = {ActionResult.OPERATOR_ASKED: OPERATOR_KEY, ActionResult.BACK_ASKED: BACK_KEY}


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
        recorder: CallRecorder | None = None,
    ) -> None:
        """``recorder``: starts MixMonitor on every call (REC-1); None records nothing."""
        self.trees = trees
        self.default_tree = default_tree
        self.call_log = call_log
        self.services = services
        self.actions = actions
        self.prompts = services.prompts
        self.clock = services.clock
        self.reader = reader or MenuChoiceReader()
        self.settings = settings or FlowSettings()
        self.recorder = recorder
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
        resume = resume_of(call)
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
        recording: int | None = None
        try:
            await call.answer()
            end.answered_at = self.clock()
            recording = await self._start_recording(call, call_id, tree.line, resume)
            await self._serve(context, navigator, end, resume)
            await call.hangup()  # else the dialplan would offer the caller to an engine again
        except CallHandedBack:
            await hand_back(context, end, partial(self._operators_work, context))
        except CallHungUp:
            caller_hung_up(context, end)
            if self.shutting_down and not end.left_in_queue:
                end.outcome, end.ended_by = Outcome.INTERRUPTED, "engine"
        except asyncio.CancelledError:
            if not end.left_in_queue:
                end.outcome, end.ended_by = Outcome.INTERRUPTED, "engine"
            raise
        except AgiProtocolError:  # the telephony layer logged it when it closed the call
            end.outcome, end.ended_by = Outcome.ENGINE_ERROR, "engine"
        except Exception as error:
            log_failure(call_id, env.uniqueid, error)
            end.outcome, end.ended_by = Outcome.ENGINE_ERROR, "engine"
            await self._rescue(context, navigator, end)
        finally:
            end.ended_at = self.clock()
            end.path = list(navigator.path)
            end.inputs = " ".join(navigator.inputs)
            end.topic = navigator.call_topic if navigator.path else None
            await self.call_log.call_ended(call_id, end)
            if self.recorder is not None:
                await self.recorder.ended(recording, recorded_facts(context, end))

    async def _start_recording(
        self, call: AgiCall, call_id: str, line: str, resume: Resume | None
    ) -> int | None:
        """MixMonitor from the answer, before the notice; a call handed back by another
        engine is recorded already, by the MixMonitor that engine started."""
        if self.recorder is None:
            return None
        env = call.environment
        if resume is not None:
            return await self.recorder.resumed(env.uniqueid)
        recorded = RecordedCall(
            call_id=call_id,
            uniqueid=env.uniqueid,
            started_at=self.clock(),
            line=line,
            dialled_number=env.dialled_number,
            caller_id=env.caller_id,
        )
        return await self.recorder.start(call, recorded)

    async def _serve(
        self, context: CallContext, navigator: Navigator, end: CallEnd, resume: Resume | None
    ) -> None:
        """A new call hears the notice and the menu; one handed back goes on where the
        engine that had it sent it."""
        if resume is None:
            await context.call.play([self.prompts("recording_notice")])
            await self._walk(context, navigator, end, navigator.start())
            return
        step = navigator.start_at_operator()
        if resume is Resume.ANSWERING_MACHINE:
            await self._answering_machine(context, end)
            end.ended_by = "engine"
            return
        await self._walk(context, navigator, end, step)

    async def _walk(
        self, context: CallContext, navigator: Navigator, end: CallEnd, step: Step
    ) -> None:
        call, prompts = context.call, self.prompts
        while True:
            if isinstance(step, ShowMenu):
                if step.after_wrong_key:
                    await call.play([prompts("invalid_choice")])
                assert step.node.prompt is not None
                prompt = prompts(step.node.prompt, "full" if step.full else "short")
                step = navigator.handle(await self.reader.read_choice(context, prompt, step.node))
            elif isinstance(step, Inform):
                assert step.node.prompt is not None
                progress(end, Outcome.SELF_SERVICE)
                escape = BACK_KEY + OPERATOR_KEY
                step = navigator.after_leaf(
                    await call.play([prompts(step.node.prompt, "full")], escape=escape)
                )
            elif isinstance(step, RunAction):
                assert step.node.action is not None
                progress(end, Outcome.SELF_SERVICE)
                context.topic = step.node.topic
                step = _after_action(navigator, await self.actions[step.node.action](context))
            elif isinstance(step, ToOperator):
                context.topic = navigator.call_topic
                result = await self._operator(context, step, end)
                if result is None:
                    return
                step = _after_action(navigator, result)
            else:
                assert isinstance(step, Goodbye)
                progress(end, Outcome.NO_INPUT)
                end.ended_by = "engine"
                await call.play([prompts("goodbye")])
                return

    async def _operator(
        self, context: CallContext, step: ToOperator, end: CallEnd
    ) -> ActionResult | None:
        """Queue the caller; None when the call ended there, else how the caller goes on
        in the menu (after the answering machine, or the callback offered instead)."""
        call, node = context.call, step.node
        if not self._staffed(node, context.tree.line):
            await self._answering_machine(context, end)
            return ActionResult.DONE
        notice = "no_input_operator" if step.because_no_choice else "operator_connecting"
        await call.play([self.prompts(notice)])
        outcome_before, end.outcome = end.outcome, Outcome.ABANDONED_IN_QUEUE
        joined = self.clock()
        result = await self._queue(context, node, end)
        if result.outcome is QueueOutcome.ANSWERED:
            end.outcome, end.ended_by, end.operator = Outcome.OPERATOR, "queue", result.operator
            if result.caller_present:
                await self._survey(context, node, result)
            return None
        if result.outcome is QueueOutcome.ABANDONED:
            end.ended_by = "caller"
            return None
        await call.play([self.prompts("operator_busy")])
        end.outcome = outcome_before
        callback = self.actions.get(CALLBACK_ACTION)
        if callback is None:
            return ActionResult.DONE
        if node.queue is not None:  # a callback asked for now keeps the caller's place
            context.kept_place = QueuePlace(node.queue, joined)
        try:
            return await callback(context)
        finally:  # stored, even if the caller hangs up as they hear it is
            context.kept_place = None
            if context.callback_requested:
                end.outcome = Outcome.CALLBACK_REQUESTED

    async def _survey(self, context: CallContext, node: MenuNode, result: QueueResult) -> None:
        """The operator hung up first: the post-call survey, when it is due (CC-11)."""
        if self.services.survey is not None and node.queue is not None:
            answered = answered_call(context.call, node.queue, result.operator, context.account)
            await self.services.survey.offer(context.call, answered, context.prompt)

    def _operators_work(self, context: CallContext) -> bool:
        return self._staffed(context.tree.operator, context.tree.line)

    def _staffed(self, node: MenuNode, line: str) -> bool:
        """Whether the operators of ``node``'s queue work now."""
        assert node.queue is not None
        return self.services.hours[service_of(node.queue, line)].is_open(self.clock())

    async def _queue(self, context: CallContext, node: MenuNode, end: CallEnd) -> QueueResult:
        """The operator queue, a VIP customer ahead of the others (CC-9). An engine that
        stops meanwhile (the task cancelled, or the socket closed on shutdown) leaves the
        caller in ``Queue()``, where Asterisk keeps them: the record then stays open until
        Asterisk reports the end."""
        assert node.queue is not None and node.wait_seconds is not None
        vip = context.account is not None and context.account.vip
        wait = node.wait_seconds
        if self.services.queue_wait is not None:
            wait = await self.services.queue_wait(wait)
        try:
            return await transfer_to_queue(
                context.call, node.queue, wait, vip=vip, transfers=self.services.transfers
            )
        except asyncio.CancelledError:
            end.left_in_queue = True
            raise
        except CallHungUp:
            end.left_in_queue = self.shutting_down
            raise

    async def _answering_machine(self, context: CallContext, end: CallEnd) -> None:
        message = await leave_message(context)
        if message.kept:
            end.outcome = Outcome.ANSWERING_MACHINE
        else:
            progress(end, Outcome.NO_MESSAGE_LEFT)
        if message.caller_hung_up:
            raise CallHungUp("caller hung up at the answering machine")

    async def _rescue(self, context: CallContext, navigator: Navigator, end: CallEnd) -> None:
        """After a failure, a caller who can still hear goes to the operator queue
        (IVR-4), whatever the working hours say: they may be what failed."""
        call = context.call
        if call.is_hung_up:
            return
        navigator.to_operator()
        node = context.tree.operator
        try:
            await call.play([self.prompts("operator_connecting")])
            result = await self._queue(context, node, end)
            if result.outcome is QueueOutcome.ANSWERED:
                end.ended_by, end.operator = "queue", result.operator
            elif result.outcome is QueueOutcome.ABANDONED:
                end.ended_by = "caller"
            else:
                await call.play([self.prompts("operator_busy")])
        except CallHandedBack:
            await hand_back(context, end, partial(self._operators_work, context))
            return
        except CallHungUp:
            end.ended_by = "caller"
            return
        except Exception as error:
            log.error(
                "call %s: the operator queue could not be reached either (%s)",
                context.call_id,
                type(error).__name__,
            )
        with contextlib.suppress(AgiError):
            await call.hangup()


def recorded_facts(context: CallContext, end: CallEnd) -> CallFacts:
    """What the recording's index row keeps of the call once it is over."""
    return CallFacts(
        ended_at=end.ended_at,
        account_number=context.account.number if context.account is not None else None,
        operator=end.operator,
        topic=end.topic,
        outcome=end.outcome.value,
    )


def _after_action(navigator: Navigator, result: ActionResult) -> Step:
    if result is ActionResult.TO_OPERATOR:
        return navigator.to_operator()
    return navigator.after_leaf(KEY_OF_RESULT.get(result))
