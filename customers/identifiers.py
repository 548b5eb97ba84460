"""Russian identifiers: INN, OGRN/OGRNIP, personal account numbers, phone numbers.

All pure. The checksums are the ones the tax service publishes, so a typo in an
imported file or in digits keyed by a caller is caught before it reaches a lookup.
"""

from __future__ import annotations

TOMSK_CITY_PREFIX = "73822"
_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _is_digits(text: str, *lengths: int) -> bool:
    return text.isascii() and text.isdigit() and len(text) in lengths


def _weighted_check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11 % 10


def inn_check_digits(body: str) -> str:
    """The check digit(s) completing an INN: one for a 9-digit body, two for a 10-digit one."""
    if _is_digits(body, 9):
        return str(_weighted_check(body, _INN10_WEIGHTS))
    if _is_digits(body, 10):
        first = str(_weighted_check(body, _INN11_WEIGHTS))
        return first + str(_weighted_check(body + first, _INN12_WEIGHTS))
    raise ValueError(f"an INN body has 9 or 10 digits, not {body!r}")


def inn_is_valid(inn: str) -> bool:
    """A 10-digit (organisation) or 12-digit (person) INN with matching check digits."""
    if not _is_digits(inn, 10, 12) or set(inn) == {"0"}:
        return False
    return (
        inn_check_digits(inn[: 9 if len(inn) == 10 else 10]) == inn[9 if len(inn) == 10 else 10 :]
    )


def ogrn_check_digit(body: str) -> str:
    """The check digit completing an OGRN (12-digit body) or an OGRNIP (14-digit body)."""
    if _is_digits(body, 12):
        return str(int(body) % 11 % 10)
    if _is_digits(body, 14):
        return str(int(body) % 13 % 10)
    raise ValueError(f"an OGRN body has 12 or 14 digits, not {body!r}")


def ogrn_is_valid(ogrn: str) -> bool:
    """A 13-digit OGRN (starts with 1 or 5) or a 15-digit OGRNIP (starts with 3)."""
    if _is_digits(ogrn, 13):
        return ogrn[0] in "15" and ogrn_check_digit(ogrn[:12]) == ogrn[12]
    if _is_digits(ogrn, 15):
        return ogrn[0] == "3" and ogrn_check_digit(ogrn[:14]) == ogrn[14]
    return False


def household_account_is_valid(number: str) -> bool:
    """A household's personal account number (лицевой счёт): exactly 10 digits."""
    return _is_digits(number, 10)


def normalise_phone(text: str) -> str:
    """The number as 11 digits starting with 7, however it was written.

    Accepts +7…, 8…, 7… and 10-digit numbers with any spaces, dashes and brackets, and
    6-digit Tomsk city numbers (given the 3822 area code). Raises ValueError otherwise.
    """
    if any(char.isalpha() for char in text):
        raise ValueError(f"not a phone number: {text!r}")
    digits = "".join(char for char in text if char.isascii() and char.isdigit())
    if len(digits) == 11 and digits[0] in "78":
        return "7" + digits[1:]
    if len(digits) == 10:
        return "7" + digits
    if len(digits) == 6:
        return TOMSK_CITY_PREFIX + digits
    raise ValueError(f"not a Russian phone number: {text!r}")
