"""The engine in one process: storage, the IVR on FastAGI, the AMI link and the web.

Each part can be started alone (``serve --only agi``) so a large site scales out by
running more processes against one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from callgrid.clock import Clock, system_clock
from callgrid.config import Settings
from callgrid.storage import Database
from callgrid.storage.call_log import SqlCallbackBook, SqlCallLog
from callgrid.storage.customers import SqlCustomers
from callgrid.storage.work import SqlOutages, SqlTasks
from callgrid.web import build_web_app
from ivr.actions import ACTIONS
from ivr.call_context import IvrServices, PromptFiles
from ivr.call_flow import FlowSettings, IvrCallFlow
from ivr.caller_input import MenuChoiceReader
from ivr.menu import MenuTree
from ivr.menu_loader import load_trees
from ivr.speech_input import Listener, Recognizer, VoskRecognizer
from prompts.catalog import PromptCatalog, load_catalog
from prompts.phrases import PhraseLibrary
from prompts.render import PromptLibrary, render_catalog
from telephony.agi import FastAgiServer
from telephony.ami import AmiAuthError, AmiClient

log = logging.getLogger(__name__)
DEFAULT_LINE = "toll_free"
PARTS = ("agi", "ami", "web")


@dataclass(frozen=True)
class IvrContent:
    """What the IVR is made of: prompt texts, their rendered audio, the menu trees."""

    catalog: PromptCatalog
    library: PromptLibrary
    trees: dict[str, MenuTree]

    @property
    def default_tree(self) -> MenuTree:
        trees = {tree.line: tree for tree in self.trees.values()}
        return trees.get(DEFAULT_LINE) or next(iter(trees.values()))


def load_ivr_content(settings: Settings) -> IvrContent:
    """Load the catalog, render what is not rendered yet, load and check every tree."""
    catalog = load_catalog(settings.prompt_catalog)
    library = render_catalog(catalog, settings.prompts_dir)
    trees = load_trees(
        settings.dialplans_dir, catalog, library.duration, ACTIONS.keys(), settings.menu_limits
    )
    return IvrContent(catalog, library, trees)


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
        recognizer: Recognizer | None = None,
    ) -> None:
        """``recognizer`` replaces the vosk one that ``CALLGRID_VOSK_MODEL`` would load."""
        self.settings = settings
        self.clock = clock
        self.recognizer = recognizer
        Path(settings.messages_dir).mkdir(parents=True, exist_ok=True)
        self.database = Database(settings.database_url)
        self.call_log = SqlCallLog(self.database)
        self.callbacks = SqlCallbackBook(self.database)
        self.customers = SqlCustomers(self.database)
        self.outages = SqlOutages(self.database)
        self.tasks = SqlTasks(self.database)
        self.content: IvrContent | None = None
        self.flow: IvrCallFlow
        self.agi: FastAgiServer | None = None
        self.ami: AmiClient | None = None
        self._web_runner: web.AppRunner | None = None
        self._ami_login: asyncio.Task[None] | None = None

    def _listener(self) -> Listener | None:
        recognizer = self.recognizer
        if recognizer is None and self.settings.vosk_model:
            recognizer = VoskRecognizer(Path(self.settings.vosk_model))
        if recognizer is None:
            return None
        speech_dir = Path(self.settings.speech_dir)
        speech_dir.mkdir(parents=True, exist_ok=True)
        return Listener(recognizer, self.settings.asterisk_speech_dir, speech_dir)

    def call_flow(self, content: IvrContent) -> IvrCallFlow:
        listener = self._listener()
        services = IvrServices(
            prompts=PromptFiles(self.settings.asterisk_prompts_dir),
            phrases=PhraseLibrary(
                self.settings.prompts_dir / "phrases",
                self.settings.asterisk_prompts_dir + "/phrases",
            ),
            callbacks=self.callbacks,
            customers=self.customers,
            outages=self.outages,
            tasks=self.tasks,
            clock=self.clock,
            messages_dir=self.settings.messages_dir,
            listener=listener,
        )
        return IvrCallFlow(
            trees=content.trees,
            default_tree=content.default_tree,
            call_log=self.call_log,
            services=services,
            actions=ACTIONS,
            reader=MenuChoiceReader(self.settings.keypad_timeout_ms),
            settings=FlowSettings(max_retries=self.settings.max_retries),
        )

    async def start(self, parts: tuple[str, ...] = PARTS) -> None:
        await self.database.upgrade()
        if "agi" in parts:
            self.content = load_ivr_content(self.settings)
            self.flow = self.call_flow(self.content)
            self.agi = FastAgiServer(
                {"ivr": self.flow},
                host=self.settings.agi_host,
                port=self.settings.agi_port,
                reply_timeout=self.settings.agi_reply_timeout,
            )
            await self.agi.start()
        if "ami" in parts and self.settings.ami_enabled:
            self.ami = AmiClient(
                self.settings.ami_host,
                self.settings.ami_port,
                self.settings.ami_username,
                self.settings.ami_secret,
            )
            self._ami_login = asyncio.create_task(self._log_in_to_ami(self.ami))
        if "web" in parts:
            self._web_runner = web.AppRunner(build_web_app(self))
            await self._web_runner.setup()
            site = web.TCPSite(self._web_runner, self.settings.web_host, self.settings.web_port)
            await site.start()
            log.info("web on http://%s:%d/", self.settings.web_host, self.settings.web_port)

    @staticmethod
    async def _log_in_to_ami(ami: AmiClient) -> None:
        """Log in without holding up the engine: calls are served while Asterisk's AMI is
        away, and the outage shows on /health (CC-10)."""
        try:
            await ami.start()
            log.info("AMI logged in to %s:%d", ami.host, ami.port)
        except AmiAuthError as error:
            log.error("AMI login to %s:%d refused: %s", ami.host, ami.port, error)

    async def stop(self) -> None:
        if self._web_runner is not None:
            await self._web_runner.cleanup()
        if self._ami_login is not None and not self._ami_login.done():
            self._ami_login.cancel()
            await asyncio.gather(self._ami_login, return_exceptions=True)
        if self.ami is not None:
            await self.ami.close()
        if self.agi is not None:
            await self.agi.stop()
        await self.call_log.close()
        await self.database.close()
