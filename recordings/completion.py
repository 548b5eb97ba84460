"""When a recording's index row can be completed, and as what: pure rules.

Asterisk closes the file a moment after the call's channel goes (the header's sizes are
written then). So a file whose header is complete is done; otherwise the index waits
``settle`` after the call's end, or, when the end never came (the engine was killed
during the call), until the file has not changed for ``stale``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from recordings.model import Recording, RecordingState
from recordings.wav_file import FileFacts


def completed_state(
    recording: Recording,
    facts: FileFacts | None,
    *,
    now: datetime,
    unchanged_for: timedelta,
    settle: timedelta,
    stale: timedelta,
) -> RecordingState | None:
    """What the recording is now, or None while it may still be being written.

    ``facts``: the file as read (None: no file); ``unchanged_for``: since the file (or,
    without one, the row) last changed."""
    ended = recording.ended_at
    over = (ended is not None and now - ended >= settle) or (
        ended is None and unchanged_for >= stale
    )
    if facts is None:
        return RecordingState.MISSING if over else None
    if not facts.finished and not over:
        return None
    return RecordingState.STORED if facts.duration_seconds > 0 else RecordingState.EMPTY
