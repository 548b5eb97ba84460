"""The recordings' settings: where the files are, and how long they are kept (REC-2)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from callgrid.settings import Section, Settings

UNSAFE_IN_PATH = re.compile(r"[,()|\"'\\\s]")


@dataclass(frozen=True)
class RecordingSettings(Section):
    name: ClassVar[str] = "recordings"
    ranges: ClassVar[dict[str, tuple[float, float]]] = {
        "recording_retention_days": (1, 3650),
        "recording_purge_batch": (1, 100_000),
        "recording_purge_interval_seconds": (1, 86_400),
        "recording_index_poll_seconds": (0.05, 3600),
        "recording_settle_seconds": (0, 3600),
        "recording_stale_minutes": (1, 7 * 24 * 60),
    }

    record_calls: bool = True
    """Record every call (REC-1); off only for an engine whose Asterisk records itself."""
    recordings_dir: str = ""
    """Where the engine reads the recordings (default ``var/recordings``)."""
    asterisk_recordings_dir: str = ""
    """The same folder as Asterisk sees it, for MixMonitor (default: ``recordings_dir``)."""
    recording_retention_days: int = 60
    """Calendar days a recording is kept after the call began (REC-2, CC-7)."""
    recording_purge_batch: int = 500
    """Recordings deleted per transaction by a purge."""
    recording_purge_interval_seconds: float = 600.0
    """How often the retention worker looks for expired recordings."""
    recording_index_poll_seconds: float = 2.0
    """How often the index looks for finished recordings to measure and checksum."""
    recording_settle_seconds: float = 2.0
    """After a call ends, how long Asterisk may take to close its recording."""
    recording_stale_minutes: float = 10.0
    """An unfinished recording whose call end never came (the engine was killed) is
    closed in the index once its file has not changed for this long."""

    def resolved(self, engine: Settings) -> RecordingSettings:
        directory = self.recordings_dir or str(engine.var_dir / "recordings")
        return replace(
            self,
            recordings_dir=directory,
            asterisk_recordings_dir=self.asterisk_recordings_dir or str(Path(directory).resolve()),
        )

    def check(self) -> Iterable[tuple[str, str]]:
        """MixMonitor takes the path as one argument of a comma-separated list."""
        if UNSAFE_IN_PATH.search(self.asterisk_recordings_dir):
            yield (
                "asterisk_recordings_dir",
                ("a path with , ( ) | quotes, backslash or spaces cannot be given to MixMonitor"),
            )
