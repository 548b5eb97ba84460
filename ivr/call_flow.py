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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial

from callcenter.queue_transfer import result_after_queue
from ivr.answering_machine import leave_message
from ivr.call_context import Action, ActionResult, CallContext, IvrServices
from ivr.call_outcomes import caller_hung_up, log_failure, progress
from ivr.call_record import CallEnd, CallLog, CallStart, Outcome
from ivr.caller_input import ChoiceReader, MenuChoiceReader
from ivr.hand_back import hand_back, resume_of
from ivr.menu import BACK_KEY, OPERATOR_KEY, MenuNode, MenuTree, normalise_number
from ivr.navigator import Goodbye, Inform, Navigator, RunAction, ShowMenu, Step, ToOperator
from ivr.operator_queue import after_operators, hand_to_operators
from ivr.parked_calls import CallParked, CallState, ParkedCalls
from recordings.model import CallFacts
from recordings.recorder import CallRecorder, RecordedCall
from telephony.agi import AgiCall, AgiError, AgiProtocolError, CallHandedBack, CallHungUp
from telephony.dialplan import CALL_PARAMETER, Resume

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
        self.parked = ParkedCalls()
        """Calls in the dialplan's queue, to go on with when they come back."""
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
        state = CallState(CallContext(call, call_id, tree, self.services), navigator, end)

        async def serve() -> None:
            await call.answer()
            end.answered_at = self.clock()
            state.recording = await self._start_recording(call, call_id, tree.line, resume)
            await self._serve(state, resume)

        await self._session(state, serve)

    async def after_queue(self, call: AgiCall) -> None:
        """The FastAGI route the dialplan comes back to once the queue is over (or the
        caller hung up in it): the call goes on where it was handed to the queue."""
        call_id = call.environment.query.get(CALL_PARAMETER, "")
        state = self.parked.take(call_id)
        if state is None:
            await self._after_queue_elsewhere(call, call_id)
            return
        state.context.call = call
        state.end.left_in_queue = False

        async def go_on() -> None:
            result = await result_after_queue(call)
            action = await after_operators(state, result, self.services, self._callback)
            if action is not None:
                navigator = state.navigator
                await self._walk(state, _after_action(navigator, action))

        await self._session(state, go_on)

    async def _session(self, state: CallState, serve: Callable[[], Awaitable[None]]) -> None:
        """One FastAGI session of a call, and its record however the session ends: the
        call's end once it is over, or ``in_queue`` while the dialplan's queue has it."""
        context, end = state.context, state.end
        call, call_id = context.call, context.call_id
        try:
            await serve()
            await call.hangup()  # else the dialplan would offer the caller to an engine again
        except CallParked:
            end.left_in_queue = True
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
            log_failure(call_id, call.environment.uniqueid, error)
            end.outcome, end.ended_by = Outcome.ENGINE_ERROR, "engine"
            await self._rescue(state)
        finally:
            end.ended_at = self.clock()
            end.path = list(state.navigator.path)
            end.inputs = " ".join(state.navigator.inputs)
            end.topic = state.navigator.call_topic if state.navigator.path else None
            await self.call_log.call_ended(call_id, end)
            if end.left_in_queue:
                self.parked.park(call_id, state, end.ended_at)
            elif self.recorder is not None:
                await self.recorder.ended(state.recording, recorded_facts(context, end))

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

    async def _serve(self, state: CallState, resume: Resume | None) -> None:
        """A new call hears the notice and the menu; one handed back goes on where the
        engine that had it sent it."""
        context, navigator = state.context, state.navigator
        if resume is None:
            await context.call.play([self.prompts("recording_notice")])
            await self._walk(state, navigator.start())
            return
        step = navigator.start_at_operator()
        if resume is Resume.ANSWERING_MACHINE:
            await self._answering_machine(context, state.end)
            state.end.ended_by = "engine"
            return
        await self._walk(state, step)

    async def _walk(self, state: CallState, step: Step) -> None:
        context, navigator, end = state.context, state.navigator, state.end
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
                result = await self._operator(state, step)
                if result is None:
                    return
                step = _after_action(navigator, result)
            else:
                assert isinstance(step, Goodbye)
                progress(end, Outcome.NO_INPUT)
                end.ended_by = "engine"
                await call.play([prompts("goodbye")])
                return

    async def _operator(self, state: CallState, step: ToOperator) -> ActionResult | None:
        """Out of hours the answering machine; else the caller is handed to the queue
        (CallParked ends the session) and goes on in :meth:`after_queue`."""
        context, node = state.context, step.node
        if not self._staffed(node, context.tree.line):
            await self._answering_machine(context, state.end)
            return ActionResult.DONE
        notice = "no_input_operator" if step.because_no_choice else "operator_connecting"
        await context.call.play([self.prompts(notice)])
        state.outcome_before, state.end.outcome = state.end.outcome, Outcome.ABANDONED_IN_QUEUE
        await hand_to_operators(state, node, self.services)

    @property
    def _callback(self) -> Action | None:
        """The callback offered when no operator answered in time (CC-5)."""
        return self.actions.get(CALLBACK_ACTION)

    def _operators_work(self, context: CallContext) -> bool:
        return self._staffed(context.tree.operator, context.tree.line)

    def _staffed(self, node: MenuNode, line: str) -> bool:
        """Whether the operators of ``node``'s queue work now."""
        assert node.queue is not None
        return self.services.hours[service_of(node.queue, line)].is_open(self.clock())

    async def _answering_machine(self, context: CallContext, end: CallEnd) -> None:
        message = await leave_message(context)
        if message.kept:
            end.outcome = Outcome.ANSWERING_MACHINE
        else:
            progress(end, Outcome.NO_MESSAGE_LEFT)
        if message.caller_hung_up:
            raise CallHungUp("caller hung up at the answering machine")

    async def _rescue(self, state: CallState) -> None:
        """After a failure, a caller who can still hear goes to the operator queue
        (IVR-4), whatever the working hours say: they may be what failed."""
        context, end = state.context, state.end
        call = context.call
        if call.is_hung_up:
            return
        state.navigator.to_operator()
        state.rescued = True
        try:
            await call.play([self.prompts("operator_connecting")])
            await hand_to_operators(state, context.tree.operator, self.services)
        except CallParked:
            end.left_in_queue = True
            return
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

    async def _after_queue_elsewhere(self, call: AgiCall, call_id: str) -> None:
        """The after-queue request of a call this engine does not hold (it restarted,
        or another engine queued the caller): how the queue ended is stored, and a
        caller no operator answered hears so and is offered the callback."""
        query = call.environment.query
        tree = self.tree_for(call.environment.dialled_number)
        navigator = Navigator(tree, self.settings.max_retries, self.settings.max_silent_rounds)
        context = CallContext(call, call_id, tree, self.services)
        end = CallEnd(None, self.clock(), outcome=Outcome.ABANDONED_IN_QUEUE, ended_by="engine")
        wait = query.get("wait", "")
        state = CallState(context, navigator, end, queue=query.get("queue", ""))
        state.wait_seconds = int(wait) if wait.isdigit() else 0
        state.outcome_before = Outcome.ABANDONED_IN_QUEUE
        try:
            result = await result_after_queue(call)
            if await after_operators(state, result, self.services, self._callback) is not None:
                await call.play([self.prompts("goodbye")])
            await call.hangup()
        except CallHungUp:
            caller_hung_up(context, end)
        except Exception as error:
            log_failure(call_id, call.environment.uniqueid, error)
            end.outcome, end.ended_by = Outcome.ENGINE_ERROR, "engine"
            with contextlib.suppress(AgiError):
                await call.hangup()
        finally:
            end.ended_at = self.clock()
            await self.call_log.queue_ended(call_id, end)
            if self.recorder is not None:
                recording = await self.recorder.resumed(call.environment.uniqueid)
                await self.recorder.ended(recording, recorded_facts(context, end))


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
