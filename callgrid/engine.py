"""The engine: loads the plugins and runs the parts they fill (agi, ami, web, workers).

Each part can be started alone (``serve --only agi``) so a large site scales out by
running more processes against one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Coroutine, Sequence
from typing import Any

from aiohttp import web

from callgrid.database import Database
from callgrid.event_bridge import PostgresEventBridge
from callgrid.events import EventHub
from callgrid.plugins import Plugin, PluginHost, ServiceKey, load_plugins, migration_folders
from callgrid.settings import Settings
from callgrid.web.app import build_web_app
from telephony.agi import FastAgiServer
from telephony.ami import AmiClient, AmiEvent
from worktime.clock import Clock, system_clock, use_local_zone

log = logging.getLogger(__name__)
PARTS = ("agi", "ami", "web", "workers")


def tune_garbage_collector() -> None:
    """Fewer, cheaper garbage collections for a long-running engine.

    With thousands of calls in progress, Python's default thresholds run a full
    collection often enough to stall the event loop for ~10 ms (the p99 of the AGI
    turnaround in bench/agi_load, 2,000 calls). Freezing what start-up made and
    collecting the young generation every 50,000 allocations brought it to ~2 ms.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


class Engine:
    def __init__(
        self,
        settings: Settings,
        clock: Clock = system_clock,
        plugins: Sequence[Plugin] | None = None,
        parts: Sequence[str] = PARTS,
        provided: Sequence[tuple[ServiceKey[Any], Any]] = (),
    ) -> None:
        """``provided`` services are there before the plugins are set up: tests hand the
        IVR a recognizer this way instead of the vosk model a setting would load."""
        self.settings = settings
        self.clock = clock
        use_local_zone(settings.zone)
        self.plugins = list(load_plugins() if plugins is None else plugins)
        self.parts = frozenset(parts)
        self.database = Database(settings.database_url)
        self.events = EventHub()
        self.host = PluginHost(
            settings=settings,
            clock=clock,
            database=self.database,
            events=self.events,
            parts=self.parts,
        )
        for key, service in provided:
            self.host.provide(key, service)
        for plugin in self.plugins:
            plugin.setup(self.host)
        self.agi: FastAgiServer | None = None
        self.ami: AmiClient | None = None
        self._web_runner: web.AppRunner | None = None
        self._ami_login: asyncio.Task[None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self.bridge: PostgresEventBridge | None = None
        self._hurried = asyncio.Event()
        self._stopped = False

    async def start(self) -> None:
        await self.database.upgrade(migration_folders(self.plugins))
        if not self.database.is_sqlite:
            self.bridge = PostgresEventBridge(self.events, self.settings.database_url)
            await self.bridge.start()
        for hook in self.host.on_start:
            await hook()
        if "agi" in self.parts:
            self.agi = FastAgiServer(
                self.host.agi_routes,
                host=self.settings.agi_host,
                port=self.settings.agi_port,
                reply_timeout=self.settings.agi_reply_timeout,
                allowed_peers=self.settings.allowed_peers,
            )
            await self.agi.start()
        if "ami" in self.parts and self.settings.ami_enabled:
            self.ami = self._ami_client()
            self.host.ami = self.ami
            self._ami_login = asyncio.create_task(self._log_in_to_ami(self.ami))
        if "web" in self.parts:
            self._web_runner = web.AppRunner(build_web_app(self))
            await self._web_runner.setup()
            site = web.TCPSite(self._web_runner, self.settings.web_host, self.settings.web_port)
            await site.start()
            log.info("web on http://%s:%d/", self.settings.web_host, self.settings.web_port)
        if "workers" in self.parts:
            for name, worker in self.host.workers.items():
                self._workers.append(asyncio.create_task(worker(), name=name))

    def _ami_client(self) -> AmiClient:
        ami = AmiClient(
            self.settings.ami_host,
            self.settings.ami_port,
            self.settings.ami_username,
            self.settings.ami_secret,
        )
        for event_type, handler in self.host.ami_handlers:
            ami.on_event(event_type.event_name or "*", _typed(event_type, handler))
        for resync in self.host.ami_resyncs:
            ami.on_connected(resync)
        for lost in self.host.ami_losses:
            ami.on_disconnected(lost)

        def link_changed() -> None:
            self.events.publish(
                "ami.link", connected=ami.is_connected, reconnects=ami.reconnects, shared=False
            )

        ami.on_connected(link_changed)
        ami.on_disconnected(link_changed)
        return ami

    @staticmethod
    async def _log_in_to_ami(ami: AmiClient) -> None:
        """Log in without holding up the engine: calls are served while Asterisk's AMI is
        away, and the outage shows on /readyz (CC-10)."""
        await ami.start()
        log.info("AMI logged in to %s:%d", ami.host, ami.port)

    async def drain(self) -> None:
        """Stop taking calls and give the live ones back to Asterisk (IVR-4).

        New ``AGI()`` connections are refused at once, so the dialplan tries the next
        engine; calls in progress go on for ``drain_seconds``; each one still here is then
        handed back before its next command (the dialplan takes the caller on), within
        ``hand_back_seconds``. A caller waiting in ``Queue()`` stays there in Asterisk.
        """
        agi = self.agi
        if agi is None:
            return
        agi.stop_accepting()
        if agi.active_calls:
            log.info(
                "draining: %d calls in progress, up to %g s",
                agi.active_calls,
                self.settings.drain_seconds,
            )
            await self._wait_unless_hurried(agi.drained(), self.settings.drain_seconds)
        if agi.active_calls:
            asked = agi.hand_back_all()
            log.info("handing %d calls back to the dialplan", asked)
            await self._wait_unless_hurried(agi.drained(), self.settings.hand_back_seconds)

    def hurry(self) -> None:
        """Cut the drain short (a second SIGTERM): hand back now, then close."""
        self._hurried.set()

    async def _wait_unless_hurried(self, waiting: Coroutine[Any, Any, None], bound: float) -> None:
        done = asyncio.ensure_future(waiting)
        hurried = asyncio.ensure_future(self._hurried.wait())
        await asyncio.wait({done, hurried}, timeout=bound, return_when=asyncio.FIRST_COMPLETED)
        for task in (done, hurried):
            task.cancel()
        await asyncio.gather(done, hurried, return_exceptions=True)

    async def stop(self) -> None:
        """Drain the calls, then stop every part; a second call does nothing."""
        if self._stopped:
            return
        self._stopped = True
        await self.drain()
        for hook in self.host.on_shutdown:
            await hook()
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        if self._web_runner is not None:
            await self._web_runner.cleanup()
        if self._ami_login is not None and not self._ami_login.done():
            self._ami_login.cancel()
            await asyncio.gather(self._ami_login, return_exceptions=True)
        if self.ami is not None:
            await self.ami.close()
        if self.agi is not None:
            await self.agi.stop()
        for hook in reversed(self.host.on_stop):
            await hook()
        if self.bridge is not None:
            await self.bridge.stop()
        await self.database.close()


def _typed(event_type: type[AmiEvent], handler: Any) -> Any:
    async def deliver(event: AmiEvent) -> None:
        if isinstance(event, event_type):
            await handler(event)

    return deliver
