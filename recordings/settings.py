"""The recordings' settings: where the files are, and how long they are kept (REC-2)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from callgrid.settings import Section, Settings


@dataclass(frozen=True)
class RecordingSettings(Section):
    name: ClassVar[str] = "recordings"
    ranges: ClassVar[dict[str, tuple[float, float]]] = {
        "retention_days": (1, 3650),
        "purge_batch": (1, 100_000),
        "purge_interval_seconds": (1, 86_400),
        "index_poll_seconds": (0.05, 3600),
        "settle_seconds": (0, 3600),
        "stale_minutes": (1, 7 * 24 * 60),
    }

    enabled: bool = True
    """Record every call (REC-1); off only for an engine whose Asterisk records itself."""
    directory: str = ""
    """Where the engine reads the recordings (default ``var/recordings``)."""
    asterisk_directory: str = ""
    """The same folder as Asterisk sees it, for MixMonitor (default: ``directory``)."""
    retention_days: int = 60
    """Calendar days a recording is kept after the call began (REC-2, CC-7)."""
    purge_batch: int = 500
    """Recordings deleted per transaction by a purge."""
    purge_interval_seconds: float = 600.0
    """How often the retention worker looks for expired recordings."""
    index_poll_seconds: float = 2.0
    """How often the index looks for finished recordings to measure and checksum."""
    settle_seconds: float = 2.0
    """After a call ends, how long Asterisk may take to close its recording."""
    stale_minutes: float = 10.0
    """An unfinished recording whose call end never came (the engine was killed) is
    closed in the index once its file has not changed for this long."""

    def resolved(self, engine: Settings) -> RecordingSettings:
        directory = self.directory or str(engine.var_dir / "recordings")
        return replace(
            self,
            directory=directory,
            asterisk_directory=self.asterisk_directory or str(_absolute(directory)),
        )


def _absolute(directory: str) -> str:
    from pathlib import Path

    return str(Path(directory).resolve())
