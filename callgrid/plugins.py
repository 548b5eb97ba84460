"""How a capability plugs into the shell.

A capability's ``plugin.py`` defines one :class:`Plugin`. The shell asks it for its
settings section, its migration steps and its commands, then hands it a
:class:`PluginHost` to register what it brings to a running engine: FastAGI routes,
AMI event handlers and resyncs, web routes, background workers, services for other
capabilities. Capabilities talk to each other only through those services (looked
up by a typed :class:`ServiceKey`) and events, never by reaching into each other.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar

from aiohttp import web

from callgrid.plugin_list import PLUGIN_MODULES
from callgrid.settings import Section, Settings

if TYPE_CHECKING:
    from callgrid.database import Database
    from callgrid.events import EventHub
    from telephony.agi import AgiCall
    from telephony.ami import AmiClient, AmiEvent
    from worktime.clock import Clock

T = TypeVar("T")
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
CallHandler = Callable[["AgiCall"], Awaitable[None]]
Worker = Callable[[], Coroutine[Any, Any, None]]
Hook = Callable[[], Awaitable[None]]
ReadinessCheck = Callable[[], tuple[bool, dict[str, Any]]]
"""Whether a capability's part can serve now, and the details monitoring shows."""


class ServiceKey(Generic[T]):
    """Names a service one capability provides to the others, with its type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ServiceKey({self.name!r})"


class Plugin:
    """A capability. Override what it brings; every method is optional."""

    name: ClassVar[str] = ""
    settings: ClassVar[type[Section] | None] = None
    """Its section of the settings, if it has numbers or paths to set."""
    migrations: ClassVar[Path | None] = None
    """The folder of its migration steps (one chain for the whole engine)."""

    def add_commands(self, commands: Commands) -> None:
        """Add ``callgrid <command>`` parsers; each sets ``run(args, settings) -> int``."""

    def setup(self, host: PluginHost) -> None:
        """Register what a running engine gets from this capability."""

    def explain(self, error: Exception) -> tuple[int, list[str]] | None:
        """An exit code and the lines telling a user what went wrong, for this
        capability's own errors; None for errors it does not know."""
        return None


@dataclass
class PluginHost:
    """What a plugin registers into, and the shared pieces it may use."""

    settings: Settings
    clock: Clock
    database: Database
    events: EventHub
    parts: frozenset[str]
    agi_routes: dict[str, CallHandler] = field(default_factory=dict)
    ami_handlers: list[tuple[type[AmiEvent], Callable[[Any], Awaitable[None]]]] = field(
        default_factory=list
    )
    ami_resyncs: list[Hook] = field(default_factory=list)
    ami_losses: list[Hook] = field(default_factory=list)
    web_setups: list[Callable[[web.Application], None]] = field(default_factory=list)
    template_folders: list[Path] = field(default_factory=list)
    workers: dict[str, Worker] = field(default_factory=dict)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)
    """Run first when the engine stops, before the calls in progress are closed."""
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    ami: AmiClient | None = None
    """The engine's AMI link once it runs (the "ami" part), for workers that send
    actions (a campaign's Originate); None in a process without it."""
    _services: dict[str, Any] = field(default_factory=dict)

    def runs(self, part: str) -> bool:
        return part in self.parts

    def provide(self, key: ServiceKey[T], service: T) -> None:
        if key.name in self._services:
            raise ValueError(f"service {key.name!r} is provided twice")
        self._services[key.name] = service

    def find(self, key: ServiceKey[T]) -> T | None:
        """A service nobody has to provide (a test's stand-in, a speech recognizer)."""
        found: T | None = self._services.get(key.name)
        return found

    def require(self, key: ServiceKey[T]) -> T:
        try:
            service: T = self._services[key.name]
        except KeyError:
            raise LookupError(
                f"no plugin provides {key.name!r}: is its capability in the plugin list "
                "and set up before the one that needs it?"
            ) from None
        return service

    def add_agi_route(self, script: str, handler: CallHandler) -> None:
        if script in self.agi_routes:
            raise ValueError(f"FastAGI route {script!r} is registered twice")
        self.agi_routes[script] = handler

    def on_ami_event(
        self, event_type: type[AmiEvent], handler: Callable[[Any], Awaitable[None]]
    ) -> None:
        self.ami_handlers.append((event_type, handler))

    def on_ami_connected(self, resync: Hook) -> None:
        """Called after every (re)connection: read the state missed while away."""
        self.ami_resyncs.append(resync)

    def on_ami_lost(self, hook: Hook) -> None:
        """Called when the link to Asterisk is lost: what it told is no longer known."""
        self.ami_losses.append(hook)

    def add_web(self, setup: Callable[[web.Application], None]) -> None:
        self.web_setups.append(setup)

    def add_templates(self, folder: Path) -> None:
        """Let the web app find this capability's page templates (names must not clash:
        prefix them with the capability's name)."""
        self.template_folders.append(folder)

    def add_readiness(self, name: str, check: ReadinessCheck) -> None:
        """Make ``/readyz`` report ``name`` with ``check()``, and fail while it is not ok."""
        if name in self.readiness:
            raise ValueError(f"readiness check {name!r} is registered twice")
        self.readiness[name] = check

    def add_worker(self, name: str, worker: Worker) -> None:
        if name in self.workers:
            raise ValueError(f"worker {name!r} is registered twice")
        self.workers[name] = worker


def load_plugins(modules: Sequence[str] = PLUGIN_MODULES) -> list[Plugin]:
    """The installed plugins, in the order of the list (providers before users)."""
    plugins = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        plugin = module.plugin
        if not isinstance(plugin, Plugin):
            raise TypeError(f"{module_name}.plugin is not a Plugin")
        plugins.append(plugin)
    return plugins


def settings_sections(plugins: Sequence[Plugin]) -> list[type[Section]]:
    return [plugin.settings for plugin in plugins if plugin.settings is not None]


def migration_folders(plugins: Sequence[Plugin]) -> list[Path]:
    return [plugin.migrations for plugin in plugins if plugin.migrations is not None]
