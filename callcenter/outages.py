"""Planned and emergency outages by area (IVR-11), and checking rows that load them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from callgrid.clock import LOCAL_TIME

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M")
COLUMNS = ("area", "kind", "cause", "starts_at", "restore_at")


class OutageKind(StrEnum):
    PLANNED = "planned"
    EMERGENCY = "emergency"


@dataclass(frozen=True)
class Outage:
    area: str
    kind: OutageKind
    cause: str
    starts_at: datetime
    restore_at: datetime


class OutageBoard(Protocol):
    async def current(self, area: str, now: datetime) -> list[Outage]: ...

    async def areas(self, now: datetime) -> list[str]: ...


def _moment(text: str) -> datetime:
    for layout in TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), layout).replace(tzinfo=LOCAL_TIME)
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a local time like 2026-11-27 14:00")


def outage_from_row(row: dict[str, str]) -> Outage:
    """One row of an outages file; ValueError names the column and the reason."""
    missing = [name for name in COLUMNS if not (row.get(name) or "").strip()]
    if missing:
        raise ValueError(f"{missing[0]}: missing")
    try:
        kind = OutageKind(row["kind"].strip().lower())
    except ValueError:
        raise ValueError(f"kind: '{row['kind']}' is not planned or emergency") from None
    try:
        starts_at = _moment(row["starts_at"])
    except ValueError as error:
        raise ValueError(f"starts_at: {error}") from None
    try:
        restore_at = _moment(row["restore_at"])
    except ValueError as error:
        raise ValueError(f"restore_at: {error}") from None
    if restore_at <= starts_at:
        raise ValueError("restore_at: must be after starts_at")
    return Outage(row["area"].strip(), kind, row["cause"].strip(), starts_at, restore_at)
