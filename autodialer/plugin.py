"""The autoinformer: debt and notice campaigns by phone, SMS, e-mail and the customer
cabinet, with the standard's windows, retries and consent (AD-1 … AD-10)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from autodialer import cli, http
from autodialer.cabinet import CabinetSender
from autodialer.campaign_call import AFTER_QUEUE_ROUTE, CampaignCall
from autodialer.dialer import Dialer
from autodialer.mail import MailSender
from autodialer.messaging import Messaging
from autodialer.parts import CampaignParts, campaign_parts
from autodialer.settings import CampaignSettings
from autodialer.sms import SmppSender
from callcenter.plugin import TRANSFERS
from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from prompts.phrases import PhraseLibrary
from recordings.plugin import RECORDER, RECORDINGS
from telephony.ami.events import Hangup

log = logging.getLogger(__name__)
CAMPAIGNS: ServiceKey[CampaignParts] = ServiceKey("autodialer.campaigns")
DIALER: ServiceKey[Dialer] = ServiceKey("autodialer.dialer")
AGI_ROUTE = "campaign"


class AutodialerPlugin(Plugin):
    name = "autodialer"
    settings = CampaignSettings
    migrations = Path(__file__).with_name("migrations")

    def add_commands(self, commands: Commands) -> None:
        cli.add_commands(commands)

    def setup(self, host: PluginHost) -> None:
        parts = campaign_parts(host.database, host.settings, host.clock)
        settings = parts.settings
        host.provide(CAMPAIGNS, parts)
        messaging = self._messaging(host, parts)
        dialer = Dialer(
            parts.campaigns,
            parts.store,
            parts.reports,
            messaging,
            parts.rules,
            host.clock,
            lambda: host.ami,
            host.events,
        )
        host.provide(DIALER, dialer)
        host.add_templates(Path(__file__).with_name("templates"))
        recordings = host.find(RECORDINGS)
        recording_of = None if recordings is None else recordings.of_call

        def web_routes(app: web.Application) -> None:
            http.add_routes(app, parts, host.events, host.settings.zone, recording_of)

        host.add_web(web_routes)

        audio = Path(settings.campaign_audio_dir)
        audio.mkdir(parents=True, exist_ok=True)
        phrases = PhraseLibrary(
            audio,
            settings.asterisk_campaign_audio_dir,
            clock=host.clock,
            max_spoken_seconds=float(settings.max_message_seconds) + 5,
        )
        call = CampaignCall(
            parts.store, parts.campaigns, phrases, host.find(RECORDER), settings, host.clock,
            host.find(TRANSFERS),
        )  # fmt: skip
        host.add_agi_route(AGI_ROUTE, call)
        host.add_agi_route(AFTER_QUEUE_ROUTE, call.after_queue)

        async def hangup(event: Hangup) -> None:
            if event.uniqueid.startswith("cg-"):
                await parts.store.note_hangup(
                    event.uniqueid, event.cause, host.clock(), event.cause_txt
                )

        host.on_ami_event(Hangup, hangup)
        if host.runs("workers"):
            host.add_worker("campaign-dialer", dialer.run)

    @staticmethod
    def _messaging(host: PluginHost, parts: CampaignParts) -> Messaging:
        settings = parts.settings
        messaging = Messaging(
            parts.store,
            host.clock,
            receipt_wait=timedelta(hours=settings.sms_receipt_hours),
            organisation=settings.organisation_name,
            default_subject=settings.mail_default_subject,
        )
        if not host.runs("workers"):
            return messaging
        if settings.smtp_host:
            messaging.mail = MailSender(
                settings.smtp_host,
                settings.smtp_port,
                settings.smtp_username,
                settings.smtp_password,
                settings.smtp_starttls,
                settings.mail_from,
                clock=host.clock,
            )
        if settings.cabinet_webhook_url:
            cabinet = CabinetSender(
                settings.cabinet_webhook_url, settings.cabinet_webhook_secret, host.clock
            )
            messaging.cabinet = cabinet
            host.on_start.append(cabinet.start)
            host.on_stop.append(cabinet.close)
        if settings.smpp_host:
            sms = SmppSender(
                settings.smpp_host,
                settings.smpp_port,
                settings.smpp_system_id,
                settings.smpp_password,
                settings.sms_source_address,
                messaging.receipt,
                host.clock,
            )
            messaging.sms = sms
            host.on_start.append(sms.start)
            host.on_stop.append(sms.close)
        return messaging


plugin = AutodialerPlugin()
