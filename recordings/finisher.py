"""Completing the index: each finished recording's size, duration and SHA-256."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from recordings.completion import completed_state
from recordings.model import Recording, RecordingState
from recordings.storage import SqlRecordings
from recordings.wav_file import FileFacts, NotARecording, read_facts
from worktime.clock import Clock

log = logging.getLogger(__name__)


class RecordingFinisher:
    def __init__(
        self,
        index: SqlRecordings,
        directory: Path,
        clock: Clock,
        *,
        settle_seconds: float,
        stale_minutes: float,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """``wall_clock``: the epoch seconds file times are compared with."""
        self.index = index
        self.directory = directory
        self.clock = clock
        self.settle = timedelta(seconds=settle_seconds)
        self.stale = timedelta(minutes=stale_minutes)
        self.wall_clock = wall_clock

    async def finish_due(self) -> int:
        """Complete every recording that is done; how many were."""
        done = 0
        for recording in await self.index.unfinished():
            if await self._finish(recording):
                done += 1
        return done

    async def _finish(self, recording: Recording) -> bool:
        path = self.directory / recording.path
        facts, unchanged_for = await asyncio.to_thread(self._read, path)
        if facts is None and unchanged_for is None:
            unchanged_for = self.clock() - recording.started_at
        assert unchanged_for is not None
        state = completed_state(
            recording,
            facts,
            now=self.clock(),
            unchanged_for=unchanged_for,
            settle=self.settle,
            stale=self.stale,
        )
        if state is None:
            return False
        if facts is None:
            log.warning(
                "recording #%d: no file %s came for call %s", recording.id, path, recording.call_id
            )
            await self.index.finished(recording.id, RecordingState.MISSING)
            return True
        await self.index.finished(
            recording.id,
            state,
            size_bytes=facts.size_bytes,
            duration_seconds=round(facts.duration_seconds, 3),
            sha256=facts.sha256,
        )
        return True

    def _read(self, path: Path) -> tuple[FileFacts | None, timedelta | None]:
        try:
            changed = path.stat().st_mtime
            facts = read_facts(path)
        except FileNotFoundError:
            return None, None
        except (OSError, NotARecording) as error:
            log.warning("recording %s cannot be read: %s", path, error)
            return None, None
        return facts, timedelta(seconds=max(self.wall_clock() - changed, 0))
