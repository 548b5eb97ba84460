"""The IVR: every inbound call's menu, self-service and registration (IVR-1 … IVR-14)."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

from callcenter.plugin import EMERGENCY_MODE, HOURS, OUTAGES, SURVEY, TASKS, TRANSFERS
from callcenter.plugin import SETTINGS as CALLCENTER_SETTINGS
from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from customers.plugin import CUSTOMERS, READING_LIMITS
from ivr import cli
from ivr.actions import ACTIONS
from ivr.call_context import IvrServices, PromptFiles
from ivr.call_flow import FlowSettings, IvrCallFlow
from ivr.call_log_writer import WriterSettings
from ivr.caller_input import MenuChoiceReader
from ivr.content import IvrContent, load_ivr_content
from ivr.menu import normalise_number
from ivr.menu_loader import MenuError
from ivr.queue_events import QueueEvent, as_queue_log
from ivr.queue_log_import import QueueLogImport
from ivr.readiness import call_record_readiness
from ivr.settings import IvrSettings
from ivr.speech_input import Listener, Recognizer, VoskRecognizer
from ivr.storage import SqlCallLog
from prompts.catalog import CatalogError
from prompts.phrases import PhraseLibrary
from prompts.render import RenderError
from recordings.plugin import RECORDER
from telephony.ami.queue_events import AgentComplete, AgentConnect, QueueCallerAbandon
from telephony.dialplan import AFTER_QUEUE_SCRIPT
from worktime.calendar import default_calendar

CALL_LOG: ServiceKey[SqlCallLog] = ServiceKey("ivr.call_log")
CALL_FLOW: ServiceKey[IvrCallFlow] = ServiceKey("ivr.call_flow")
RECOGNIZER: ServiceKey[Recognizer] = ServiceKey("ivr.recognizer")
"""Provided only to replace the vosk model the ``vosk_model`` setting loads."""
AGI_SCRIPT = "ivr"


class IvrPlugin(Plugin):
    name = "ivr"
    settings = IvrSettings
    migrations = Path(__file__).with_name("migrations")

    def add_commands(self, commands: Commands) -> None:
        cli.add_commands(commands)

    def explain(self, error: Exception) -> tuple[int, list[str]] | None:
        if isinstance(error, CatalogError | RenderError):
            return 2, [f"callgrid: {error}"]
        if isinstance(error, MenuError):
            return 1, ["callgrid: menu trees rejected:", *(f"  - {p}" for p in error.problems)]
        return None

    def setup(self, host: PluginHost) -> None:
        settings = host.settings.of(IvrSettings)
        writer = WriterSettings(
            heartbeat_seconds=settings.call_heartbeat_seconds,
            lease_seconds=settings.call_lease_seconds,
        )
        call_log = SqlCallLog(host.database, host.clock, engine_id(host), writer)
        host.provide(CALL_LOG, call_log)
        host.on_stop.append(call_log.close)
        reads_queue_log = host.runs("workers") and bool(settings.asterisk_queue_log)
        content = None
        if host.runs("agi") or reads_queue_log:
            content = load_ivr_content(settings)
        if host.runs("agi"):
            assert content is not None
            recognizer = host.find(RECOGNIZER)
            flow = call_flow(host, settings, content, call_log, recognizer)
            host.provide(CALL_FLOW, flow)
            host.add_agi_route(AGI_SCRIPT, flow)
            host.add_agi_route(AFTER_QUEUE_SCRIPT, flow.after_queue)
            host.on_start.append(call_log.start)
            host.on_shutdown.append(flow.shut_down)
        if reads_queue_log or host.runs("ami"):
            _complete_from_asterisk(host, settings, content if reads_queue_log else None)
        host.add_readiness("call_records", lambda: call_record_readiness(call_log))


def _complete_from_asterisk(
    host: PluginHost, settings: IvrSettings, content: IvrContent | None
) -> None:
    """Complete the call log from Asterisk's queue_log (when this process reads it: then
    ``content`` gives the menu trees that name a call's line) and its AMI queue events
    (``ivr.queue_log_import``)."""
    line_of = None
    if content is not None:
        trees, default_tree = content.trees, content.default_tree

        def line_of(number: str) -> str:
            return trees.get(normalise_number(number), default_tree).line

    importer = QueueLogImport(
        host.database,
        Path(settings.asterisk_queue_log),
        clock=host.clock,
        tasks=host.require(TASKS),
        calendar=default_calendar(),
        line_of=line_of,
        messages_dir=Path(settings.messages_dir),
        recorder=host.find(RECORDER),
    )
    if content is not None:
        host.add_worker(
            "queue-log-import", lambda: importer.run_forever(settings.queue_log_poll_seconds)
        )

    async def live(event: QueueEvent) -> None:
        await importer.take_live([as_queue_log(event, host.clock())])

    for event_type in (AgentConnect, AgentComplete, QueueCallerAbandon):
        host.on_ami_event(event_type, live)


def engine_id(host: PluginHost) -> str | None:
    """Who serves the calls: the host and FastAGI port, the same after a restart and
    different for every engine listening at once; None (a random id) on a port
    picked by the system, which a restart would not get again."""
    port = host.settings.agi_port
    return f"{socket.gethostname()}:{port}" if port else None


def _listener(settings: IvrSettings, recognizer: Recognizer | None) -> Listener | None:
    if recognizer is None and settings.vosk_model:
        recognizer = VoskRecognizer(Path(settings.vosk_model))
    if recognizer is None:
        return None
    speech_dir = Path(settings.speech_dir)
    speech_dir.mkdir(parents=True, exist_ok=True)
    return Listener(recognizer, settings.asterisk_speech_dir, speech_dir)


def call_flow(
    host: PluginHost,
    settings: IvrSettings,
    content: IvrContent,
    call_log: SqlCallLog,
    recognizer: Recognizer | None = None,
) -> IvrCallFlow:
    Path(settings.messages_dir).mkdir(parents=True, exist_ok=True)
    callcenter = host.require(CALLCENTER_SETTINGS)
    services = IvrServices(
        prompts=PromptFiles(settings.asterisk_prompts_dir),
        phrases=PhraseLibrary(
            settings.prompts_dir / "phrases",
            settings.asterisk_prompts_dir + "/phrases",
            clock=host.clock,
            max_spoken_seconds=settings.max_level_speech_seconds,
        ),
        customers=host.require(CUSTOMERS),
        outages=host.require(OUTAGES),
        tasks=host.require(TASKS),
        clock=host.clock,
        messages_dir=settings.messages_dir,
        listener=_listener(settings, recognizer),
        hours=host.require(HOURS),
        reading_limits=host.require(READING_LIMITS),
        timezone=host.settings.zone,
        identification_attempts=settings.identification_attempts,
        message_seconds=settings.answering_machine_message_seconds,
        order_handover=timedelta(minutes=callcenter.order_handover_minutes),
        executor_call=timedelta(days=callcenter.executor_call_days),
        queue_wait=host.require(EMERGENCY_MODE).queue_wait,
        survey=host.find(SURVEY),
        transfers=host.find(TRANSFERS),
    )
    return IvrCallFlow(
        trees=content.trees,
        default_tree=content.default_tree,
        call_log=call_log,
        services=services,
        actions=ACTIONS,
        reader=MenuChoiceReader(settings.keypad_timeout_ms),
        settings=FlowSettings(max_retries=settings.max_retries),
        recorder=host.find(RECORDER),
    )


plugin = IvrPlugin()
