"""Customers' settings: how much a household may plausibly use between two readings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from callgrid.settings import Section
from customers.reading_rules import ReadingLimits


@dataclass(frozen=True)
class CustomerSettings(Section):
    name: ClassVar[str] = "customers"
    ranges: ClassVar[dict[str, tuple[float, float]]] = {
        "reading_history_factor": (1, 100),
        "reading_floor_kwh_per_day": (1, 100_000),
        "reading_ceiling_without_history_kwh_per_day": (1, 100_000),
    }

    reading_history_factor: float = 3.0
    """Refuse a daily consumption above this many times the usual one…"""
    reading_floor_kwh_per_day: float = 40.0
    """…but never below this ceiling."""
    reading_ceiling_without_history_kwh_per_day: float = 150.0

    @property
    def reading_limits(self) -> ReadingLimits:
        return ReadingLimits(
            history_factor=self.reading_history_factor,
            floor_kwh_per_day=self.reading_floor_kwh_per_day,
            ceiling_without_history_kwh_per_day=self.reading_ceiling_without_history_kwh_per_day,
        )
