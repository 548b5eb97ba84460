"""Call recordings: MixMonitor on every call, the index, 60-day retention with legal
hold, and listening by role (REC-1, REC-2, CC-7, PD-1)."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from callgrid.web.audit import AuditLog
from callgrid.work import repeat_while_leading
from recordings import cli, http
from recordings.finisher import RecordingFinisher
from recordings.purge import Purge
from recordings.purge_lock import PurgeBusy
from recordings.recorder import CallRecorder
from recordings.settings import RecordingSettings
from recordings.storage import SqlRecordings

log = logging.getLogger(__name__)
RECORDINGS: ServiceKey[SqlRecordings] = ServiceKey("recordings.index")
"""The recordings index: a customer's recorded calls, a call's recording."""
RECORDER: ServiceKey[CallRecorder] = ServiceKey("recordings.recorder")
"""Starts MixMonitor on a call; not provided when recording is switched off."""
FINISHER: ServiceKey[RecordingFinisher] = ServiceKey("recordings.finisher")
"""Completes the index of finished recordings now (a simulated call shows its own)."""
RETENTION_WORKER = "retention"
"""The leader's name: a purge runs in one process of those sharing the database."""


class RecordingsPlugin(Plugin):
    name = "recordings"
    settings = RecordingSettings
    migrations = Path(__file__).with_name("migrations")

    def add_commands(self, commands: Commands) -> None:
        cli.add_commands(commands)

    def setup(self, host: PluginHost) -> None:
        settings = host.settings.of(RecordingSettings)
        directory = Path(settings.recordings_dir)
        audit = AuditLog(host.database, host.clock)
        index = SqlRecordings(host.database, audit)
        host.provide(RECORDINGS, index)
        if settings.record_calls:
            host.provide(RECORDER, CallRecorder(index, settings, host.settings.zone))
        host.add_templates(Path(__file__).with_name("templates"))

        def web_routes(app: web.Application) -> None:
            http.add_routes(app, index, settings, host.clock, host.database)

        host.add_web(web_routes)
        finisher = RecordingFinisher(
            index,
            directory,
            host.clock,
            settle_seconds=settings.recording_settle_seconds,
            stale_minutes=settings.recording_stale_minutes,
        )
        host.provide(FINISHER, finisher)
        if not host.runs("workers"):
            return
        directory.mkdir(parents=True, exist_ok=True)
        purge = Purge(host.database, directory, host.clock, settings.recording_purge_batch, audit)

        async def complete_index() -> None:
            await repeat_while_leading(
                host.database,
                "rec-index",
                finisher.finish_due,
                settings.recording_index_poll_seconds,
                log,
            )

        async def purge_once() -> None:
            try:
                await purge.run(by="retention worker")
            except PurgeBusy:
                log.info("recordings purge skipped: a purge (callgrid recordings purge) runs")

        async def purge_expired() -> None:
            await repeat_while_leading(
                host.database,
                RETENTION_WORKER,
                purge_once,
                settings.recording_purge_interval_seconds,
                log,
            )

        host.add_worker("recordings-index", complete_index)
        host.add_worker("recordings-retention", purge_expired)


plugin = RecordingsPlugin()
