"""Customers, the kernel the other capabilities share: accounts, meters, readings,
consent; their import and demo data."""

from __future__ import annotations

from pathlib import Path

from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from customers import cli as customer_commands
from customers.consent_store import SqlConsent
from customers.reading_rules import ReadingLimits
from customers.settings import CustomerSettings
from customers.storage import SqlCustomers

CUSTOMERS: ServiceKey[SqlCustomers] = ServiceKey("customers.store")
READING_LIMITS: ServiceKey[ReadingLimits] = ServiceKey("customers.reading_limits")
CONSENT: ServiceKey[SqlConsent] = ServiceKey("customers.consent")
"""Consent per channel (PD-2): what the card shows and changes, what mailings ask."""


class CustomersPlugin(Plugin):
    name = "customers"
    settings = CustomerSettings
    migrations = Path(__file__).with_name("migrations")

    def add_commands(self, commands: Commands) -> None:
        customer_commands.add_commands(commands)

    def setup(self, host: PluginHost) -> None:
        host.provide(CUSTOMERS, SqlCustomers(host.database))
        host.provide(READING_LIMITS, host.settings.of(CustomerSettings).reading_limits)
        host.provide(CONSENT, SqlConsent(host.database))


plugin = CustomersPlugin()
