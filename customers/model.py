"""The customer data the engine works with, as plain values (no storage here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class CustomerKind(StrEnum):
    HOUSEHOLD = "household"
    BUSINESS = "business"


class Zone(StrEnum):
    """Tariff zones of a meter: one (total), two (day/night) or three (peak/semipeak/night)."""

    TOTAL = "total"
    DAY = "day"
    NIGHT = "night"
    PEAK = "peak"
    SEMIPEAK = "semipeak"


ZONE_SETS: dict[int, tuple[Zone, ...]] = {
    1: (Zone.TOTAL,),
    2: (Zone.DAY, Zone.NIGHT),
    3: (Zone.PEAK, Zone.SEMIPEAK, Zone.NIGHT),
}


class Channel(StrEnum):
    """How a reading reached us."""

    KEYPAD = "keypad"
    VOICE = "voice"
    ANSWERING_MACHINE = "answering_machine"
    OPERATOR = "operator"
    IMPORT = "import"


@dataclass(frozen=True)
class Consent:
    """What the customer agreed to receive (AD-6, PD-2); debt calls need no consent."""

    phone_info: bool = False
    sms: bool = False
    email: bool = False
    cabinet: bool = True


@dataclass(frozen=True)
class Meter:
    id: int
    account_id: int
    serial: str
    zones: tuple[Zone, ...]
    digits: int
    """How many whole-number digits the register shows (rolls over after 10**digits - 1)."""
    verification_due: date
    installed_on: date


@dataclass(frozen=True)
class Reading:
    meter_id: int
    zone: Zone
    value: int
    taken_at: datetime
    channel: Channel
    call_id: str | None = None


@dataclass(frozen=True)
class Account:
    id: int
    number: str
    """Household: the 10-digit personal account number (лицевой счёт); business: the contract."""
    kind: CustomerKind
    name: str
    area: str
    address: str
    phone: str = ""
    email: str = ""
    inn: str | None = None
    ogrn: str | None = None
    contract_number: str | None = None
    debt: Decimal = Decimal("0.00")
    """What the customer owes now; 0 when paid up."""
    due_date: date | None = None
    last_payment_amount: Decimal | None = None
    last_payment_date: date | None = None
    vip: bool = False
    consent: Consent = field(default_factory=Consent)
