"""What a row of the customers' tables holds of a domain object, and the object a row
gives back."""

from __future__ import annotations

from typing import Any

from customers.identifiers import normalise_phone
from customers.model import Account, Channel, Consent, CustomerKind, Meter, Reading, Zone
from customers.tables import ACCEPTED, AccountRow, MeterRow, ReadingRow

_SAME_NAMES = (
    "number", "name", "area", "address", "email", "inn", "ogrn", "contract_number", "debt",
    "due_date", "last_payment_amount", "last_payment_date", "vip",
)  # fmt: skip
"""Fields an account and its row share name and type for."""


def account_values(account: Account) -> dict[str, Any]:
    try:
        phone = normalise_phone(account.phone) if account.phone else ""
    except ValueError:
        phone = account.phone
    consent = {f"consent_{name}": value for name, value in vars(account.consent).items()}
    same = {name: getattr(account, name) for name in _SAME_NAMES}
    return same | consent | {"kind": account.kind.value, "phone": phone}


def meter_values(meter: Meter, account_id: int) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "serial": meter.serial,
        "zones": ",".join(meter.zones),
        "digits": meter.digits,
        "verification_due": meter.verification_due,
        "installed_on": meter.installed_on,
    }


def reading_values(
    reading: Reading, submission_key: str, meter_id: int | None = None
) -> dict[str, Any]:
    return {
        "meter_id": reading.meter_id if meter_id is None else meter_id,
        "zone": reading.zone.value,
        "value": reading.value,
        "taken_at": reading.taken_at,
        "channel": reading.channel.value,
        "call_id": reading.call_id,
        "submission_key": submission_key,
        "replaced_by": None,
        "status": ACCEPTED,
    }


def account_of(row: AccountRow) -> Account:
    consent = Consent(
        row.consent_phone_info, row.consent_sms, row.consent_email, row.consent_cabinet
    )
    same = {name: getattr(row, name) for name in _SAME_NAMES}
    return Account(id=row.id, kind=CustomerKind(row.kind), phone=row.phone, consent=consent, **same)


def meter_of(row: MeterRow) -> Meter:
    zones = tuple(Zone(zone) for zone in row.zones.split(","))
    return Meter(
        row.id,
        row.account_id,
        row.serial,
        zones,
        row.digits,
        row.verification_due,
        row.installed_on,
    )


def reading_of(row: ReadingRow) -> Reading:
    return Reading(
        row.meter_id, Zone(row.zone), row.value, row.taken_at, Channel(row.channel), row.call_id
    )
