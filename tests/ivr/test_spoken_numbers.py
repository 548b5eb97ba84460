"""Recognised Russian number words back to digits, and speak-then-parse round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.spoken_numbers import FILLER_WORDS, NUMBER_WORDS, parse_digits, parse_number
from prompts.russian_numbers import digits, phone_number, reading


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("двенадцать тысяч триста сорок пять", "12345"),
        ("один два три четыре пять", "12345"),
        ("ноль четыре пять шесть семь", "04567"),
        ("двенадцать тридцать четыре пятьдесят шесть", "123456"),
        ("сто двадцать три сорок пять", "12345"),
        ("две тысячи двадцать шесть", "2026"),
        ("тысяча", "1000"),
        ("одна тысяча", "1000"),
        ("тысяча двести", "1200"),
        ("одна две", "12"),
        ("одно", "1"),
        ("ноль", "0"),
        ("нуль нуль семь", "007"),
        ("двадцать три", "23"),
        ("двадцать три четыре", "234"),
        ("двадцать двадцать", "2020"),
        ("двенадцать двадцать", "1220"),
        ("сто сто", "100100"),
        ("сорок ноль пять", "4005"),
        ("пятьсот одиннадцать", "511"),
        ("миллион", "1000000"),
        ("один миллион двести тысяч", "1200000"),
        ("три миллиона пять", "3000005"),
        ("двадцать одна тысяча", "21000"),
        ("пять тысяч тысяча", "50001000"),
        ("ну двенадцать э тридцать четыре", "1234"),
        ("ээ ноль ноль один", "001"),
        ("Двести  Сорок\tПять", "245"),
        ("сорок пять, ноль два", "4502"),
        ("двести, сорок девять", "20049"),
        ("трёхсот", None),
        ("пять рублей", None),
        ("[unk]", None),
        ("5", None),
        ("", None),
        ("   ", None),
        ("ну э", None),
    ],
)
def test_parse_digits(spoken: str, expected: str | None) -> None:
    assert parse_digits(spoken) == expected


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("ноль четыре пять", 45),
        ("двенадцать тысяч триста сорок пять", 12345),
        ("ноль", 0),
        ("привет", None),
        ("", None),
    ],
)
def test_parse_number(spoken: str, expected: int | None) -> None:
    assert parse_number(spoken) == expected


def test_number_words_are_distinct_and_not_fillers() -> None:
    assert len(set(NUMBER_WORDS)) == len(NUMBER_WORDS)
    assert not set(NUMBER_WORDS) & set(FILLER_WORDS)
    assert all(word == word.lower() and " " not in word for word in NUMBER_WORDS)


@given(st.integers(min_value=0, max_value=10**7 - 1))
def test_a_spoken_reading_parses_back(n: int) -> None:
    spoken = reading(n)
    assert set(spoken.split()) <= set(NUMBER_WORDS)
    assert parse_number(spoken) == n


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_digits_spoken_one_by_one_parse_back(text: str) -> None:
    assert parse_digits(digits(text)) == text


@given(
    st.sampled_from([6, 11]).flatmap(
        lambda size: st.text("0123456789", min_size=size, max_size=size)
    )
)
def test_a_spoken_phone_number_parses_back(number: str) -> None:
    assert parse_digits(phone_number(number)) == number
