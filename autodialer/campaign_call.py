"""The answered campaign call, over FastAGI (``campaign?attempt=<id>``): the message is
recorded and played, a person may confirm it or press 0 for an operator, and the
attempt's result with its evidence is stored the moment it is known (AD-2, AD-9).

Asterisk ran ``AMD()`` before the call reaches the engine. On a machine the message is
still left after its greeting (AMD is wrong often enough, dependencies.md), and the
attempt counts negative.

A customer put through is handed to the dialplan's ``Queue()`` ([callgrid-campaign]),
and the session ends: no engine session is open while they wait and talk. The dialplan
comes back with ``campaign-after-queue?attempt=<id>`` (:meth:`CampaignCall.after_queue`)
when the queue is over, or on the dead channel when the customer hung up in it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from autodialer.attempt_store import AttemptStore
from autodialer.call_outcome import CallFacts, call_cause
from autodialer.model import Cause
from autodialer.settings import CampaignSettings
from autodialer.storage import SqlCampaigns
from autodialer.tables import AttemptRow
from callcenter.queue_transfer import (
    QueueOutcome,
    after_queue_request,
    hand_to_queue,
    result_after_queue,
)
from callcenter.transfer_call import CallTransfers
from prompts.phrases import PhraseLibrary
from recordings.model import CallFacts as RecordingFacts
from recordings.recorder import CallRecorder, RecordedCall
from telephony.agi import AgiCall, CallHungUp

log = logging.getLogger(__name__)
LINE = "campaign"
AFTER_QUEUE_ROUTE = "campaign-after-queue"
THANKS = "Спасибо. До свидания."


class CampaignCall:
    def __init__(
        self,
        store: AttemptStore,
        campaigns: SqlCampaigns,
        phrases: PhraseLibrary,
        recorder: CallRecorder | None,
        settings: CampaignSettings,
        clock: Callable[[], datetime],
        transfers: CallTransfers | None = None,
    ) -> None:
        """``transfers`` carries out the transfers operators ask for at the desk (CC-4)."""
        self.store = store
        self.campaigns = campaigns
        self.phrases = phrases
        self.recorder = recorder
        self.settings = settings
        self.clock = clock
        self.transfers = transfers

    async def __call__(self, call: AgiCall) -> None:
        attempt = await self._own_attempt(call, after_queue=False)
        if attempt is None:
            return
        env = call.environment
        attempt_id = attempt.id
        started = self.clock()
        lease = timedelta(
            seconds=self.settings.max_message_seconds * 3
            + self.settings.operator_wait_seconds
            + self.settings.attempt_lease_seconds
        )
        amd_status = await call.get_variable("AMDSTATUS") or ""
        amd_cause = await call.get_variable("AMDCAUSE") or ""
        call_id = f"ad{attempt_id}"
        await self.store.note(
            attempt_id,
            [
                (started, "answered", env.channel[:200]),
                (started, "amd", f"{amd_status} {amd_cause}"),
            ],
            {"amd_status": amd_status[:16] or None, "amd_cause": amd_cause[:64] or None},
            lease_until=started + lease,
        )
        recording = await self._record(call, call_id, attempt.address, started)
        facts: dict[str, Any] = {"call_id": call_id, "originate_reason": 4}
        cause = Cause.EARLY_HANGUP
        try:
            files = await self._message(attempt.campaign_id, attempt.said)
            cause = await self._deliver(call, attempt.id, files, amd_status, facts)
        finally:
            ended = self.clock()
            await self.store.finish(attempt_id, cause, ended, facts)
            if self.recorder is not None:
                await self.recorder.ended(
                    recording,
                    RecordingFacts(ended, attempt.account_number, topic=LINE, outcome=cause.value),
                )
            await call.hangup()

    async def _deliver(
        self,
        call: AgiCall,
        attempt_id: int,
        files: Sequence[str],
        amd_status: str,
        facts: dict[str, Any],
    ) -> Cause:
        machine = amd_status == "MACHINE"
        keys = "" if machine else self.settings.operator_key + self.settings.confirm_key
        begun = self.clock()
        heard = 0.0
        for file in files:
            try:
                played = await call.stream(file, keys)
            except CallHungUp:
                facts["heard_seconds"] = round(heard, 2)
                return Cause.EARLY_HANGUP
            heard += played.seconds
            if played.hung_up or played.digit:
                break
        facts.update(heard_seconds=round(heard, 2), key=played.digit)
        end = (
            "hung up" if played.hung_up else f"key {played.digit}" if played.digit else "to the end"
        )
        events = [(begun, "message", f"played {heard:.1f} s, {end}")]
        cause = call_cause(
            CallFacts(
                originate_reason=4,
                hangup_cause=None,
                amd_status=amd_status or None,
                amd_cause=None,
                answered=True,
                played_to_end=not played.hung_up and played.digit is None,
                key=played.digit,
            ),
            operator_key=self.settings.operator_key,
            confirm_key=self.settings.confirm_key,
        )
        if cause is Cause.OPERATOR:
            # stored before the wait: a customer put through is reached even if this
            # engine stops while they talk
            await self.store.note(attempt_id, events, {**facts, "cause": cause.value})
            await self._to_operator(call, attempt_id, facts)
            return cause
        await self.store.note(attempt_id, events)
        if cause is Cause.CONFIRMED and not played.hung_up:
            with contextlib.suppress(CallHungUp):
                await call.stream(await self.phrases.file_for(THANKS))
        return cause

    async def _message(self, campaign_id: int, said: str) -> list[str]:
        """What the customer hears, as Asterisk finds it: the campaign's recorded audio,
        when it has one, then the text spoken."""
        campaign = await self.campaigns.get(campaign_id)
        audio = campaign.scenario.audio if campaign is not None else None
        files = [await self.phrases.file_for(said)]
        if audio:
            stem = PurePosixPath(audio).stem
            files.insert(0, f"{self.settings.asterisk_campaign_audio_dir}/{stem}")
        return files

    async def _to_operator(self, call: AgiCall, attempt_id: int, facts: dict[str, Any]) -> None:
        """The customer pressed 0: handed to the contact center's queue, the campaign as
        the topic; the session ends here, the call goes on in :meth:`after_queue`."""
        await call.set_variable("CALLGRID_TOPIC", f"campaign-{facts['call_id']}")
        after_queue = after_queue_request(AFTER_QUEUE_ROUTE, attempt=str(attempt_id))
        queue, wait = self.settings.operator_queue, self.settings.operator_wait_seconds
        with contextlib.suppress(CallHungUp):
            await hand_to_queue(call, queue, wait, after_queue)

    async def after_queue(self, call: AgiCall) -> None:
        """The FastAGI route the dialplan comes back to once the queue is over: a
        transfer asked for at the desk is carried out (CC-4), and how the queue ended is
        noted on the attempt. Only the channel of an attempt put through is served."""
        attempt = await self._own_attempt(call, after_queue=True)
        if attempt is None:
            return
        queue, wait = self.settings.operator_queue, self.settings.operator_wait_seconds
        try:
            result = await result_after_queue(call)
            if self.transfers is not None:
                result = await self.transfers.follow(call, queue, wait, result)
        except CallHungUp:
            return
        finally:
            await call.hangup()
        detail = result.outcome.value
        if result.outcome is QueueOutcome.ANSWERED:
            detail += f" by {result.operator}"
        await self.store.note(attempt.id, [(self.clock(), "operator", detail[:200])])

    async def _own_attempt(self, call: AgiCall, *, after_queue: bool) -> AttemptRow | None:
        """The attempt the request names, if it is this channel's and at the step the
        request is for; otherwise the call is refused and hung up (None)."""
        env = call.environment
        attempt_id = _attempt_id(env.query.get("attempt", ""))
        attempt = await self.store.attempt(attempt_id) if attempt_id else None
        if attempt is not None and serves(attempt, env.uniqueid, after_queue=after_queue):
            return attempt
        step = "after-queue" if after_queue else "call"
        log.warning(
            "campaign %s refused: channel %s names attempt %r, not its own %s",
            step,
            env.uniqueid[:64],
            env.query.get("attempt", "")[:20],
            "put through to an operator" if after_queue else "under way",
        )
        await call.hangup()
        return None

    async def _record(
        self, call: AgiCall, call_id: str, address: str, started: datetime
    ) -> int | None:
        if self.recorder is None:
            return None
        env = call.environment
        recorded = RecordedCall(
            call_id=call_id,
            uniqueid=env.uniqueid,
            started_at=started,
            line=LINE,
            dialled_number=address,
            caller_id=self.settings.campaign_caller_id,
        )
        return await self.recorder.start(call, recorded)


def serves(attempt: AttemptRow, channel_id: str, *, after_queue: bool) -> bool:
    """Whether a request of channel ``channel_id`` may serve ``attempt``: its own phone
    attempt, under way for the message, or put through to an operator after the queue."""
    if attempt.channel != "phone" or attempt.channel_id != channel_id:
        return False
    if after_queue:
        return attempt.cause == Cause.OPERATOR.value
    return attempt.ended_at is None


def _attempt_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None
