"""What the engine and the shipped dialplan (asterisk-conf/extensions.conf) agree on.

After ``AGI()`` returns with the caller still on the line, the dialplan reads
``CALLGRID_HANDBACK``: the engine sets it when it stops and gives the call back
(``operator`` or ``answering_machine``). It then offers the call to the engines again
with ``resume=<that value>`` in the query, so the engine that takes it goes straight
to that step; unset, the engine was lost mid-call (killed) and the call resumes at
``operator``. When no engine takes the call at all, Asterisk plays its own notice and
queues the caller, and marks the call in its queue_log with ``NO_ENGINE_EVENT`` so the
engine registers it when it is back.
"""

from __future__ import annotations

from enum import StrEnum

HANDBACK_VARIABLE = "CALLGRID_HANDBACK"
RESUME_PARAMETER = "resume"
NO_ENGINE_EVENT = "CALLGRID_NO_ENGINE"
"""queue_log event the dialplan writes for a call no engine took: data ``line|caller``."""
MESSAGE_EVENT = "CALLGRID_MESSAGE"
"""queue_log event for a message such a caller left: data is the recorded file."""
HANGUP_EVENT = "CALLGRID_HANGUP"
"""queue_log event the dialplan writes when a call no engine took ends."""


class Resume(StrEnum):
    """Where a call handed back to the dialplan goes on, on the engine that takes it."""

    OPERATOR = "operator"
    ANSWERING_MACHINE = "answering_machine"


QUEUE_VARIABLE = "CALLGRID_QUEUE"
"""Set by the engine when it hands the caller to an operator queue: the dialplan then
runs ``Queue(${CALLGRID_QUEUE},c,,,${CALLGRID_QUEUE_WAIT})`` ([callgrid-queued]) with no
engine session open, and offers the call back with ``${CALLGRID_AFTER_QUEUE}``."""
QUEUE_WAIT_VARIABLE = "CALLGRID_QUEUE_WAIT"
AFTER_QUEUE_VARIABLE = "CALLGRID_AFTER_QUEUE"
"""The AGI request that goes on with the call once ``Queue()`` returned, or once the
caller hung up in it (the ``h`` extension, on the dead channel)."""
PARKED_BY_VARIABLE = "CALLGRID_PARKED_BY"
"""The engine that handed the call to the queue (``agi://host:port``): offered the
after-queue request first, since it holds the call's state."""
AFTER_QUEUE_SCRIPT = "after-queue"
CALL_PARAMETER = "call"
