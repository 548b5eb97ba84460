"""Customers, the kernel the other capabilities share: accounts, meters, readings,
consent; their import and demo data."""

from __future__ import annotations

from pathlib import Path

from callgrid import cli_customers
from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from customers.storage import SqlCustomers

CUSTOMERS: ServiceKey[SqlCustomers] = ServiceKey("customers.store")


class CustomersPlugin(Plugin):
    name = "customers"
    migrations = Path(__file__).with_name("migrations")

    def add_commands(self, commands: Commands) -> None:
        cli_customers.add_commands(commands)

    def setup(self, host: PluginHost) -> None:
        host.provide(CUSTOMERS, SqlCustomers(host.database))


plugin = CustomersPlugin()
