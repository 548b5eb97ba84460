"""Planned and emergency outages by area (IVR-11), and checking what loads them.

The area and the cause are spoken to callers, so what a dispatcher types is checked
as strictly as a prompt: text only, bounded, no control characters, and a cause never
tells a caller to call or write anywhere (no phone numbers, long digit runs, links or
e-mail addresses).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from customers.cell_text import shortened, text_problem
from worktime.clock import local_zone

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M")
COLUMNS = ("area", "kind", "cause", "starts_at", "restore_at")
MAX_AREA_LENGTH = 128
"""The size of the storage column."""
MAX_CAUSE_LENGTH = 200
MAX_OTHER_LENGTH = 32
"""A kind or a time; longer is not one."""
YEARS = (2000, 2099)
"""The years an outage's times may fall in."""
ALIASES = {
    "район": "area",
    "территория": "area",
    "вид": "kind",
    "тип": "kind",
    "вид отключения": "kind",
    "тип отключения": "kind",
    "причина": "cause",
    "начало": "starts_at",
    "дата начала": "starts_at",
    "начало отключения": "starts_at",
    "восстановление": "restore_at",
    "время восстановления": "restore_at",
    "окончание": "restore_at",
}
"""Russian column names a dispatcher's spreadsheet may have, to the canonical ones."""


class OutageKind(StrEnum):
    PLANNED = "planned"
    EMERGENCY = "emergency"


KIND_WORDS = {
    "planned": OutageKind.PLANNED,
    "плановое": OutageKind.PLANNED,
    "плановая": OutageKind.PLANNED,
    "emergency": OutageKind.EMERGENCY,
    "аварийное": OutageKind.EMERGENCY,
    "аварийная": OutageKind.EMERGENCY,
    "авария": OutageKind.EMERGENCY,
}
_Parsed = TypeVar("_Parsed")
_DIGIT_RUN = re.compile(r"\d{5,}")
_PHONE = re.compile(r"\+?\d(?:[\s\-–()]*\d){6,}|\d+(?:\.\d+){3,}")
_LINK = re.compile(
    r"@|://|\bwww\.|\b[\w-]+\.(?:ru|рф|su|com|net|org|info|biz|me|io|cc|to|ly|pro|online|site|"
    r"xyz|top|club|shop|app|link|store)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Outage:
    area: str
    kind: OutageKind
    cause: str
    starts_at: datetime
    restore_at: datetime

    @property
    def key(self) -> tuple[str, OutageKind, datetime]:
        """What makes two outages the same one: an import updates it rather than adds it."""
        return (self.area, self.kind, self.starts_at)


class OutageBoard(Protocol):
    async def current(self, area: str, now: datetime) -> list[Outage]: ...

    async def areas(self, now: datetime) -> list[str]: ...


class OutageError(ValueError):
    """Every reason an outage is refused, each naming its field."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def outage_from_row(
    fields: Mapping[str, object],
    *,
    max_area: int = MAX_AREA_LENGTH,
    max_cause: int = MAX_CAUSE_LENGTH,
) -> Outage:
    """One outage from a file's row or a JSON object; OutageError names each bad field.

    Every field must be text (a JSON string): anything else is refused, not converted.
    """
    problems = [
        f"{shortened(name)}: unknown field (the fields are {', '.join(COLUMNS)})"
        for name in fields
        if name not in COLUMNS
    ]

    def take(
        name: str, parse: Callable[[str], _Parsed], limit: int = MAX_OTHER_LENGTH
    ) -> _Parsed | None:
        try:
            return parse(_field_text(fields.get(name, ""), limit))
        except ValueError as error:
            problems.append(f"{name}: {error}")
            return None

    area = take("area", str, max_area)
    kind = take("kind", _kind)
    cause = take("cause", _spoken, max_cause)
    starts_at, restore_at = take("starts_at", _moment), take("restore_at", _moment)
    if starts_at is not None and restore_at is not None and restore_at <= starts_at:
        problems.append("restore_at: must be after starts_at")
    if (
        problems
        or area is None
        or kind is None
        or cause is None
        or starts_at is None
        or restore_at is None
    ):
        raise OutageError(problems)  # every field not taken has named its problem
    return Outage(area, kind, cause, starts_at, restore_at)


def spoken_text_problem(text: str) -> str | None:
    """Why a dispatcher's text must not be spoken to callers, if it must not."""
    if _LINK.search(text):
        return "has a link or an e-mail address; callers are never sent anywhere by this text"
    if _DIGIT_RUN.search(text):
        return "has a run of five or more digits (a phone or card number is never spoken)"
    if _PHONE.search(text):
        return "has a phone number; callers are never told to call anywhere by this text"
    return None


def _field_text(value: object, limit: int) -> str:
    """The trimmed text of a field; ValueError says why it cannot be taken."""
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_json_kind(value)}")
    problem = "missing" if not value.strip() else text_problem(value, limit)
    if problem is not None:
        raise ValueError(problem)
    return value.strip()


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _kind(text: str) -> OutageKind:
    kind = KIND_WORDS.get(text.lower())
    if kind is None:
        raise ValueError(f"{text!r} is not planned or emergency")
    return kind


def _spoken(text: str) -> str:
    problem = spoken_text_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def _moment(text: str) -> datetime:
    """A local time of the years outages are planned in: 0001-01-01 00:30 in Tomsk is no
    time in UTC, where the database keeps it."""
    for layout in TIME_FORMATS:
        try:
            moment = datetime.strptime(text, layout).replace(tzinfo=local_zone())
        except ValueError:
            continue
        if not YEARS[0] <= moment.year <= YEARS[1]:
            raise ValueError(f"{text!r} is not within the years {YEARS[0]}-{YEARS[1]}")
        return moment
    raise ValueError(f"{text!r} is not a local time like 2026-11-27 14:00")


def outages_from_table(
    header: Sequence[str], written: Sequence[str], rows: Iterable[Sequence[str]]
) -> tuple[list[Outage], list[str]]:
    """Every row of an outages file checked (row numbers as a spreadsheet shows them).

    ``header`` holds the normalised names (aliases resolved), ``written`` the names as the
    file has them. The outages are complete only when there are no problems.
    """
    header_problems = _header_problems(header, written)
    if header_problems:
        return [], header_problems
    outages: list[Outage] = []
    problems: list[str] = []
    first_seen: dict[tuple[str, OutageKind, datetime], int] = {}
    for number, values in enumerate(rows, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.append(f"row {number}: has {len(values)} fields, the header {len(header)}")
            continue
        try:
            outage = outage_from_row(dict(zip(header, values, strict=True)))
        except OutageError as error:
            problems.extend(f"row {number}, {problem}" for problem in error.problems)
            continue
        if outage.key in first_seen:
            problems.append(
                f"row {number}: the same outage (area, kind, starts_at) as row "
                f"{first_seen[outage.key]}"
            )
            continue
        first_seen[outage.key] = number
        outages.append(outage)
    if not outages and not problems:
        problems.append("the file has no outages (a header row and one row per outage)")
    return outages, problems


def _header_problems(header: Sequence[str], written: Sequence[str]) -> list[str]:
    missing = [name for name in COLUMNS if name not in header]
    unknown = [
        shortened(shown) or "(empty)"
        for name, shown in zip(header, written, strict=True)
        if name not in COLUMNS
    ]
    twice = sorted({name for name in header if name in COLUMNS and header.count(name) > 1})
    problems = [f"row 1: missing columns {', '.join(missing)}"] if missing else []
    problems += [f"row 1: unknown columns {', '.join(unknown)}"] if unknown else []
    problems += [f"row 1: columns appearing twice {', '.join(twice)}"] if twice else []
    if problems:
        found = ", ".join(shortened(shown) or "(empty)" for shown in written)
        problems.append(f"row 1: the header has {found}; the columns are {column_names()}")
    return problems


def column_names() -> str:
    """The columns with their Russian aliases, for messages and help."""
    aliases = {name: [a for a, n in ALIASES.items() if n == name] for name in COLUMNS}
    return ", ".join(f"{name} ({' / '.join(aliases[name])})" for name in COLUMNS)
