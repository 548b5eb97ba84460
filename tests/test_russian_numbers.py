"""Numbers in Russian words: every expected phrase is written out and checked by hand."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from prompts.russian_numbers import (
    cardinal,
    date_phrase,
    digits,
    kilowatt_hours,
    money,
    phone_number,
    plural,
    quantity,
    reading,
    time_phrase,
)


def days(n: int) -> str:
    return quantity(n, "день", "дня", "дней")


def requests(n: int) -> str:
    return quantity(n, "заявка", "заявки", "заявок", gender="f")


def windows(n: int) -> str:
    return quantity(n, "окно", "окна", "окон", gender="n")


def with_year(d: datetime.date) -> str:
    return date_phrase(d, with_year=True)


CASES: list[tuple[Callable[..., str], object, str]] = [
    (money, Decimal("1"), "один рубль"),
    (money, Decimal("2"), "два рубля"),
    (money, Decimal("5"), "пять рублей"),
    (money, Decimal("11"), "одиннадцать рублей"),
    (money, Decimal("12"), "двенадцать рублей"),
    (money, Decimal("21"), "двадцать один рубль"),
    (money, Decimal("22"), "двадцать два рубля"),
    (money, Decimal("25"), "двадцать пять рублей"),
    (money, Decimal("100"), "сто рублей"),
    (money, Decimal("101"), "сто один рубль"),
    (money, Decimal("1000.00"), "одна тысяча рублей"),
    (money, Decimal("1E+3"), "одна тысяча рублей"),
    (money, Decimal("2000"), "две тысячи рублей"),
    (money, Decimal("5000"), "пять тысяч рублей"),
    (money, Decimal("21000"), "двадцать одна тысяча рублей"),
    (money, Decimal("1000000"), "один миллион рублей"),
    (money, Decimal("2000000.02"), "два миллиона рублей две копейки"),
    (money, Decimal("0.01"), "одна копейка"),
    (money, Decimal("0.02"), "две копейки"),
    (money, Decimal("0.05"), "пять копеек"),
    (money, Decimal("0.11"), "одиннадцать копеек"),
    (money, Decimal("0.12"), "двенадцать копеек"),
    (money, Decimal("0.21"), "двадцать одна копейка"),
    (money, Decimal("0.22"), "двадцать две копейки"),
    (money, Decimal("0.25"), "двадцать пять копеек"),
    (money, Decimal("0.5"), "пятьдесят копеек"),
    (money, Decimal("1.01"), "один рубль одна копейка"),
    (money, Decimal("11.11"), "одиннадцать рублей одиннадцать копеек"),
    (money, Decimal("12.12"), "двенадцать рублей двенадцать копеек"),
    (money, Decimal("22.22"), "двадцать два рубля двадцать две копейки"),
    (money, Decimal("101.05"), "сто один рубль пять копеек"),
    (money, Decimal("112.14"), "сто двенадцать рублей четырнадцать копеек"),
    (money, Decimal("1234.56"), "одна тысяча двести тридцать четыре рубля пятьдесят шесть копеек"),
    (money, Decimal("1001001.01"), "один миллион одна тысяча один рубль одна копейка"),
    (money, Decimal("0"), "ноль рублей"),
    (money, Decimal("2.675"), "два рубля шестьдесят восемь копеек"),
    (money, Decimal("0.005"), "одна копейка"),
    (money, Decimal("0.0049"), "ноль рублей"),
    (money, Decimal("-0.004"), "ноль рублей"),
    (money, Decimal("-150.3"), "минус сто пятьдесят рублей тридцать копеек"),
    (money, Decimal("-0.005"), "минус одна копейка"),
    (date_phrase, datetime.date(2026, 1, 1), "первое января"),
    (date_phrase, datetime.date(2026, 2, 2), "второе февраля"),
    (date_phrase, datetime.date(2026, 3, 3), "третье марта"),
    (date_phrase, datetime.date(2026, 4, 4), "четвёртое апреля"),
    (date_phrase, datetime.date(2026, 5, 9), "девятое мая"),
    (date_phrase, datetime.date(2026, 6, 12), "двенадцатое июня"),
    (date_phrase, datetime.date(2026, 7, 7), "седьмое июля"),
    (date_phrase, datetime.date(2026, 8, 8), "восьмое августа"),
    (date_phrase, datetime.date(2026, 9, 1), "первое сентября"),
    (date_phrase, datetime.date(2026, 10, 20), "двадцатое октября"),
    (date_phrase, datetime.date(2026, 11, 23), "двадцать третье ноября"),
    (date_phrase, datetime.date(2026, 11, 25), "двадцать пятое ноября"),
    (date_phrase, datetime.date(2026, 12, 31), "тридцать первое декабря"),
    (
        with_year,
        datetime.date(2026, 11, 25),
        "двадцать пятое ноября две тысячи двадцать шестого года",
    ),
    (with_year, datetime.date(2000, 1, 1), "первое января двухтысячного года"),
    (with_year, datetime.date(2001, 2, 2), "второе февраля две тысячи первого года"),
    (with_year, datetime.date(2030, 3, 3), "третье марта две тысячи тридцатого года"),
    (
        with_year,
        datetime.date(1999, 12, 31),
        "тридцать первое декабря тысяча девятьсот девяносто девятого года",
    ),
    (time_phrase, datetime.time(8, 0), "восемь часов"),
    (time_phrase, datetime.time(14, 30), "четырнадцать часов тридцать минут"),
    (time_phrase, datetime.time(21, 1), "двадцать один час одна минута"),
    (time_phrase, datetime.time(2, 2), "два часа две минуты"),
    (time_phrase, datetime.time(1, 5), "один час пять минут"),
    (time_phrase, datetime.time(3, 11), "три часа одиннадцать минут"),
    (time_phrase, datetime.time(12, 22), "двенадцать часов двадцать две минуты"),
    (time_phrase, datetime.time(23, 59, 59), "двадцать три часа пятьдесят девять минут"),
    (time_phrase, datetime.time(0, 0), "ноль часов"),
    (reading, 12345, "двенадцать тысяч триста сорок пять"),
    (reading, 0, "ноль"),
    (reading, 7, "семь"),
    (reading, 1000, "одна тысяча"),
    (reading, 2001, "две тысячи один"),
    (reading, 100500, "сто тысяч пятьсот"),
    (reading, 1000000, "один миллион"),
    (
        reading,
        9999999,
        "девять миллионов девятьсот девяносто девять тысяч девятьсот девяносто девять",
    ),
    (kilowatt_hours, 0, "ноль киловатт-часов"),
    (kilowatt_hours, 1, "один киловатт-час"),
    (kilowatt_hours, 2, "два киловатт-часа"),
    (kilowatt_hours, 5, "пять киловатт-часов"),
    (kilowatt_hours, 11, "одиннадцать киловатт-часов"),
    (kilowatt_hours, 21, "двадцать один киловатт-час"),
    (kilowatt_hours, 22, "двадцать два киловатт-часа"),
    (kilowatt_hours, 112, "сто двенадцать киловатт-часов"),
    (kilowatt_hours, 350, "триста пятьдесят киловатт-часов"),
    (kilowatt_hours, 1001, "одна тысяча один киловатт-час"),
    (days, 3, "три дня"),
    (days, 5, "пять дней"),
    (days, 21, "двадцать один день"),
    (requests, 1, "одна заявка"),
    (requests, 2, "две заявки"),
    (requests, 14, "четырнадцать заявок"),
    (requests, 21, "двадцать одна заявка"),
    (requests, 2_000_000, "два миллиона заявок"),
    (requests, 1_000_001, "один миллион одна заявка"),
    (requests, 2_002_002, "два миллиона две тысячи две заявки"),
    (windows, 1, "одно окно"),
    (windows, 2, "два окна"),
    (windows, 31, "тридцать одно окно"),
    (phone_number, "88002224902", "восемь, восемьсот, двести двадцать два, сорок девять, ноль два"),
    (phone_number, "84951002030", "восемь, четыреста девяносто пять, сто, двадцать, тридцать"),
    (
        phone_number,
        "89160012345",
        "восемь, девятьсот шестнадцать, ноль ноль один, двадцать три, сорок пять",
    ),
    (
        phone_number,
        "+7 (800) 222-49-02",
        "плюс семь, восемьсот, двести двадцать два, сорок девять, ноль два",
    ),
    (phone_number, "750075", "семьдесят пять, ноль ноль, семьдесят пять"),
    (phone_number, "101010", "десять, десять, десять"),
    (phone_number, "112", "один один два"),
    (phone_number, "0123", "ноль один два три"),
    (digits, "045", "ноль четыре пять"),
    (digits, "1234567890", "один два три четыре пять шесть семь восемь девять ноль"),
    (digits, "12-34", "один два три четыре"),
]


@pytest.mark.parametrize(
    ("speak", "argument", "expected"),
    CASES,
    ids=[f"{speak.__name__}-{argument}" for speak, argument, _ in CASES],
)
def test_spoken_form(speak: Callable[..., str], argument: object, expected: str) -> None:
    assert speak(argument) == expected


@pytest.mark.parametrize(
    ("n", "gender", "expected"),
    [
        (1, "f", "одна"),
        (2, "f", "две"),
        (2, "n", "два"),
        (1, "n", "одно"),
        (-21, "f", "минус двадцать одна"),
        (1_000_000, "f", "один миллион"),
        (2_000_000, "n", "два миллиона"),
        (1_001_002, "f", "один миллион одна тысяча две"),
        (1_000_000_001, "f", "один миллиард одна"),
    ],
)
def test_cardinal_agrees_only_in_the_last_group(n: int, gender: str, expected: str) -> None:
    assert cardinal(n, gender) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "many"),
        (1, "one"),
        (2, "few"),
        (4, "few"),
        (5, "many"),
        (11, "many"),
        (12, "many"),
        (14, "many"),
        (20, "many"),
        (21, "one"),
        (22, "few"),
        (25, "many"),
        (101, "one"),
        (111, "many"),
        (112, "many"),
        (1000, "many"),
        (-1, "one"),
    ],
)
def test_plural(n: int, expected: str) -> None:
    assert plural(n, "one", "few", "many") == expected


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_money_rejects_what_is_not_an_amount(amount: str) -> None:
    with pytest.raises(ValueError):
        money(Decimal(amount))


@pytest.mark.parametrize("amount", [1234, 12.34])
def test_money_takes_only_decimal(amount: object) -> None:
    with pytest.raises(TypeError):
        money(amount)  # type: ignore[arg-type]


def test_too_large_numbers_are_refused() -> None:
    with pytest.raises(ValueError):
        cardinal(10**33)
    with pytest.raises(ValueError):
        money(Decimal("1E+40"))


@pytest.mark.parametrize("text", ["", "12a", "١٢", "+7"])
def test_digits_refuses_what_is_not_digits(text: str) -> None:
    with pytest.raises(ValueError):
        digits(text)


def test_negative_reading_is_refused() -> None:
    with pytest.raises(ValueError):
        reading(-1)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime.date(2026, 12, 10), "десятого декабря"),
        (datetime.date(2026, 11, 1), "первого ноября"),
        (datetime.date(2026, 11, 23), "двадцать третьего ноября"),
        (datetime.date(2026, 3, 31), "тридцать первого марта"),
        (datetime.date(2027, 1, 2), "второго января"),
    ],
)
def test_dates_inside_a_sentence_are_genitive(moment: datetime.date, expected: str) -> None:
    assert date_phrase(moment, case="genitive") == expected
    assert date_phrase(moment, with_year=True, case="genitive").startswith(expected + " две тысячи")
