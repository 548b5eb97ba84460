"""What the engine asks of the customer database (the storage side implements it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from customers.model import Account, Meter, Reading, Zone


class CustomerStore(Protocol):
    async def account_by_number(self, number: str) -> Account | None: ...

    async def accounts_by_phone(self, phone: str) -> list[Account]: ...

    async def business_by_inn(self, inn: str) -> Account | None: ...

    async def business_by_contract(self, contract_number: str) -> Account | None: ...

    async def meters(self, account_id: int) -> list[Meter]: ...

    async def last_accepted(self, meter_id: int) -> dict[Zone, Reading]: ...

    async def history(self, meter_id: int, zone: Zone, limit: int = 12) -> list[Reading]: ...

    async def readings_today(self, meter_id: int, zone: Zone, now: datetime) -> list[Reading]: ...

    async def store_readings(
        self, readings: list[Reading], submission_key: str, replace_same_day: bool = False
    ) -> bool: ...
