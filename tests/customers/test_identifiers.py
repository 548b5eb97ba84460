"""INN, OGRN and phone numbers as a billing clerk and a caller write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customers.identifiers import (
    household_account_is_valid,
    inn_check_digits,
    inn_is_valid,
    normalise_phone,
    ogrn_check_digit,
    ogrn_is_valid,
)

# Published identifiers of real companies and an entrepreneur.
REAL_INNS = ("7707083893", "7736207543", "7736050003", "7830002293", "500100732259")
REAL_OGRNS = ("1027700132195", "1027700229193", "1037739010891", "304500116000157")


@pytest.mark.parametrize("inn", REAL_INNS)
def test_real_inns_are_valid(inn: str) -> None:
    assert inn_is_valid(inn)


@pytest.mark.parametrize("ogrn", REAL_OGRNS)
def test_real_ogrns_are_valid(ogrn: str) -> None:
    assert ogrn_is_valid(ogrn)


@pytest.mark.parametrize(
    "inn",
    [
        "7707083894",  # last digit mistyped
        "7707038893",  # two digits swapped
        "500100732258",
        "50010073225",  # 11 digits
        "770708389",
        "77070838931",
        "77O7083893",  # a letter O
        "0000000000",
        "",
        "７７０７０８３８９３",  # full-width digits
    ],
)
def test_mistyped_inns_are_refused(inn: str) -> None:
    assert not inn_is_valid(inn)


@pytest.mark.parametrize(
    "ogrn",
    [
        "1027700132196",  # check digit wrong
        "2027700132195",  # 2 marks a registration record, not an OGRN
        "304500116000158",
        "104500116000157",  # 15 digits must start with 3 (an entrepreneur)
        "102770013219",
        "",
    ],
)
def test_mistyped_ogrns_are_refused(ogrn: str) -> None:
    assert not ogrn_is_valid(ogrn)


@given(st.from_regex(r"\A[1-9][0-9]{8}\Z"), st.integers(0, 9))
def test_an_inn_with_its_check_digit_is_valid_and_a_changed_one_is_not(
    body: str, other: int
) -> None:
    check = inn_check_digits(body)
    assert inn_is_valid(body + check)
    if str(other) != check:
        assert not inn_is_valid(body + str(other))


@given(st.from_regex(r"\A[1-9][0-9]{9}\Z"))
def test_a_personal_inn_has_two_check_digits(body: str) -> None:
    inn = body + inn_check_digits(body)
    assert inn_is_valid(inn)
    assert not inn_is_valid(inn[:-1] + str((int(inn[-1]) + 1) % 10))


@given(st.sampled_from("15"), st.from_regex(r"\A[0-9]{11}\Z"))
def test_an_ogrn_with_its_check_digit_is_valid(sign: str, rest: str) -> None:
    body = sign + rest
    assert ogrn_is_valid(body + ogrn_check_digit(body))
    assert not ogrn_is_valid(body + str((int(ogrn_check_digit(body)) + 1) % 10))


def test_household_account_numbers_have_ten_digits() -> None:
    assert household_account_is_valid("7010000123")
    for number in ("701000012", "70100001234", "70100O0123", "", "70 1000 0123"):
        assert not household_account_is_valid(number)


@pytest.mark.parametrize(
    "written",
    [
        "+7 (913) 812-34-56",
        "8 913 812 34 56",
        "89138123456",
        "79138123456",
        "9138123456",
        "+7-913-812-3456",
    ],
)
def test_a_mobile_number_is_the_same_however_written(written: str) -> None:
    assert normalise_phone(written) == "79138123456"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("52-13-04", "73822521304"),
        ("(3822) 52-13-04", "73822521304"),
        ("8-3822-52-13-04", "73822521304"),
        ("8 800 222-49-02", "78002224902"),
    ],
)
def test_city_and_toll_free_numbers(written: str, normal: str) -> None:
    assert normalise_phone(written) == normal


@pytest.mark.parametrize(
    "written", ["12345", "+1 202 555 0100", "tel 89138123456", "", "913812345678"]
)
def test_what_is_not_a_russian_number_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        normalise_phone(written)
