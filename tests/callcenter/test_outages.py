"""Checking outages as dispatchers load them (a file's rows, or JSON over HTTP)."""

from __future__ import annotations

from datetime import datetime

import pytest

from callcenter.outages import (
    ALIASES,
    MAX_CAUSE_LENGTH,
    OutageError,
    OutageKind,
    outage_from_row,
    outages_from_table,
)
from customers.table_file import header_key
from worktime.clock import DEFAULT_ZONE

GOOD = {
    "area": "Кировский район",
    "kind": "planned",
    "cause": "замена трансформатора на подстанции ТП-12",
    "starts_at": "2026-11-27 10:00",
    "restore_at": "2026-11-27 16:00",
}
HEADER = list(GOOD)


def _refusal(**changes: object) -> str:
    with pytest.raises(OutageError) as refused:
        outage_from_row({**GOOD, **changes})
    return str(refused.value)


def test_a_good_outage_is_taken() -> None:
    outage = outage_from_row(GOOD)
    assert outage.area == "Кировский район" and outage.kind is OutageKind.PLANNED
    assert outage.starts_at == datetime(2026, 11, 27, 10, tzinfo=DEFAULT_ZONE)
    assert outage.restore_at == datetime(2026, 11, 27, 16, tzinfo=DEFAULT_ZONE)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "null"), (5, "a number"), (True, "true or false"), ({"a": 1}, "an object"),
     (["x"], "a list")],
)  # fmt: skip
def test_every_field_must_be_text(value: object, shown: str) -> None:
    assert _refusal(cause=value) == f"cause: must be text, not {shown}"
    assert _refusal(area=value) == f"area: must be text, not {shown}"


def test_unknown_and_missing_fields_are_named() -> None:
    assert _refusal(callback="89001234567").startswith("callback: unknown field")
    fields = {name: value for name, value in GOOD.items() if name != "restore_at"}
    with pytest.raises(OutageError, match=r"^restore_at: missing$"):
        outage_from_row(fields)


def test_the_lengths_of_area_and_cause_are_bounded() -> None:
    assert _refusal(area="р" * 129) == "area: 129 characters, at most 128"
    assert _refusal(cause="а" * 70_000) == "cause: 70,000 characters, at most 200"
    assert len(outage_from_row({**GOOD, "cause": "а" * MAX_CAUSE_LENGTH}).cause) == 200
    shorter = {**GOOD, "cause": "а" * 81}
    with pytest.raises(OutageError, match="cause: 81 characters, at most 80"):
        outage_from_row(shorter, max_cause=80)


@pytest.mark.parametrize("character", ["\n", "\x00", "\x1b", "\u202e"])
def test_control_characters_are_refused(character: str) -> None:
    code = f"U+{ord(character):04X}"
    assert (
        _refusal(cause=f"авария{character}на линии") == f"cause: has a control character ({code})"
    )


@pytest.mark.parametrize(
    ("cause", "reason"),
    [
        ("позвоните по номеру 8 (913) 812-34-56 и назовите номер карты", "phone number"),
        ("звоните +7 913 812 34 56", "phone number"),
        ("справки по 8-800-555-35-35", "phone number"),
        ("справки 8.800.555.35.35", "phone number"),
        ("назовите код 123456", "five or more digits"),
        ("подробности на www.example.ru", "link"),
        ("подробности: https://example.com/x", "link"),
        ("подробности на tomsk-energo.ru", "link"),
        ("пишите support@example.com", "e-mail"),
        ("пишите в телеграм @dispatch", "e-mail"),
    ],
)
def test_a_cause_never_sends_callers_anywhere(cause: str, reason: str) -> None:
    refusal = _refusal(cause=cause)
    assert refusal.startswith("cause: ") and reason in refusal


@pytest.mark.parametrize(
    "cause",
    ["авария на ВЛ-10 кВ, ул. Ленина, 12", "работы перенесены с 26.11.2026", "ТП-1234 с 10:00"],
)
def test_an_ordinary_cause_with_some_figures_is_taken(cause: str) -> None:
    assert outage_from_row({**GOOD, "cause": cause}).cause == cause


def test_times_are_checked_and_named() -> None:
    assert _refusal(restore_at="2026-11-27 09:00") == "restore_at: must be after starts_at"
    assert _refusal(starts_at="завтра").startswith("starts_at: 'завтра' is not a local time")
    assert _refusal(kind="maybe") == "kind: 'maybe' is not planned or emergency"


def test_every_problem_is_named_at_once() -> None:
    assert _refusal(area=None, cause="") == "area: must be text, not null; cause: missing"


def test_russian_kinds_are_understood() -> None:
    assert outage_from_row({**GOOD, "kind": "Аварийное"}).kind is OutageKind.EMERGENCY
    assert outage_from_row({**GOOD, "kind": "плановое"}).kind is OutageKind.PLANNED


def _rows(*rows: dict[str, str]) -> list[list[str]]:
    return [[row[name] for name in HEADER] for row in rows]


def test_a_table_gives_its_outages_or_its_problems_by_row() -> None:
    other = {**GOOD, "area": "Томский район"}
    bad = {**GOOD, "cause": "звоните 88005553535"}
    outages, problems = outages_from_table(HEADER, HEADER, _rows(GOOD, other, bad, GOOD))
    assert [o.area for o in outages] == ["Кировский район", "Томский район"]
    assert problems == [
        "row 4, cause: has a run of five or more digits (a phone or card number is never spoken)",
        "row 5: the same outage (area, kind, starts_at) as row 2",
    ]


def test_missing_columns_are_named_with_the_header_found() -> None:
    written = ["Район", "Причина", "Когда"]
    header = [ALIASES.get(header_key(name), header_key(name)) for name in written]
    outages, problems = outages_from_table(header, written, [["a", "b", "c"]])
    assert outages == []
    assert problems[0] == "row 1: missing columns kind, starts_at, restore_at"
    assert problems[1] == "row 1: unknown columns Когда"
    assert problems[2].startswith("row 1: the header has Район, Причина, Когда; the columns are")
    assert "kind (вид / тип" in problems[2]


def test_a_table_without_outages_is_a_problem() -> None:
    assert outages_from_table(HEADER, HEADER, [["", "", "", "", ""]]) == (
        [],
        ["the file has no outages (a header row and one row per outage)"],
    )


def test_a_huge_header_cell_is_not_echoed_whole() -> None:
    written = [*HEADER, "x" * 10_000]
    _, problems = outages_from_table([*HEADER, "x" * 10_000], written, [])
    assert problems[0].startswith("row 1: unknown columns xxx")
    assert "(10,000 characters)" in problems[0] and len(problems[0]) < 120


def test_an_unknown_field_is_named_without_echoing_control_characters() -> None:
    assert _refusal(**{"\x1b[2Jarea": "x"}).startswith("<U+001B>[2Jarea: unknown field")


@pytest.mark.parametrize("moment", ["0001-01-01 00:30", "9999-12-31 23:59", "1999-12-31 23:59"])
def test_a_time_outside_the_years_of_outages_is_refused(moment: str) -> None:
    """0001-01-01 00:30 in Tomsk is no time in UTC: storing it raised OverflowError (a
    server error over HTTP, a traceback from the import)."""
    assert _refusal(starts_at=moment) == f"starts_at: {moment!r} is not within the years 2000-2099"
