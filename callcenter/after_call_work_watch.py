"""After-call work over the AMI link (CC-2): the I/O around
:mod:`callcenter.after_call_work`, in each process that holds the link.

On each ``AgentComplete`` the operator's memberships the decision names are paused with
QueuePause and the after-call-work reason, at once: the queue's short ``wrapuptime``
(asterisk-conf/queues.conf) keeps app_queue from ringing the member until the pause
has landed. A pause is idempotent, so processes sharing one Asterisk may each send it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from callcenter.after_call_work import pauses_after_call
from callcenter.board import Board
from callcenter.operator_state import login_of
from telephony.ami import AmiClient
from telephony.ami.actions import QueuePause
from telephony.ami.errors import AmiError
from telephony.ami.event_base import AmiEvent
from telephony.ami.queue_events import AgentComplete
from worktime.clock import Clock

log = logging.getLogger(__name__)
AFTER_CALL_EVENTS: tuple[type[AmiEvent], ...] = (AgentComplete,)


class AfterCallWork:
    def __init__(
        self, board: Board, ami: Callable[[], AmiClient | None], clock: Clock, reason: str
    ) -> None:
        self.board = board
        self.ami = ami
        self.clock = clock
        self.reason = reason

    async def on_event(self, event: AmiEvent) -> None:
        login = login_of(event)
        ami = self.ami()
        if not isinstance(event, AgentComplete) or not login or ami is None:
            return
        state = self.board.state(login, self.clock())
        for pause in pauses_after_call(state, event.queue, event.interface):
            try:
                await ami.send(QueuePause(pause.interface, True, pause.queue, self.reason))
            except AmiError as error:
                log.warning(
                    "%s not paused for after-call work in %s: %s", login, pause.queue, error
                )
