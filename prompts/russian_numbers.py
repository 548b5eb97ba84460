"""Numbers as Russian words, in the grammatical form the sentence needs.

espeak-ng reads digits without agreement ("один копейка", "двадцать пять ноября"), so
every number the IVR speaks is expanded to words here first. Cardinals and ordinals come
from num2words (``lang="ru"``), with what it gets wrong corrected:

* with ``gender="f"`` or ``"n"`` it also inflects the million and billion groups
  ("одна миллион", "две миллиона"); only the last three digits agree with the noun;
* ``to="currency"`` puts a comma between rubles and kopecks, says "ноль рублей" and
  "ноль копеек", and reads an int as kopecks, so money is assembled here instead.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from num2words import num2words  # type: ignore[import-untyped]

Gender = Literal["m", "f", "n"]

MINUS = "минус"
PLUS = "плюс"
DIGIT_WORDS = ("ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)

_LARGEST_SPOKEN = 10**33 - 1
"""num2words' Russian scale words end at "нониллион" (10**30)."""
_DIGITS = "0123456789"
_SEPARATORS = " -()"
_PHONE_GROUPS: dict[int, tuple[int, ...]] = {11: (1, 3, 3, 2, 2), 6: (2, 2, 2)}


def plural(n: int, one: str, few: str, many: str) -> str:
    """The noun form that goes after ``n``: 1, 21, 101 → one; 2–4, 22–24 → few; else many."""
    last_two = abs(n) % 100
    if 11 <= last_two <= 14:
        return many
    last = last_two % 10
    if last == 1:
        return one
    if 2 <= last <= 4:
        return few
    return many


def cardinal(n: int, gender: Gender = "m") -> str:
    """``n`` in words; ``gender`` is that of the noun counted ("одна", "две" for "f")."""
    if abs(n) > _LARGEST_SPOKEN:
        raise ValueError(f"{n} is too large to speak")
    if n < 0:
        return f"{MINUS} {cardinal(-n, gender)}"
    last_group = n % 1000
    higher_groups = n - last_group
    if higher_groups == 0:
        return _num2words(last_group, gender=gender)
    if last_group == 0:
        return _num2words(higher_groups)
    return f"{_num2words(higher_groups)} {_num2words(last_group, gender=gender)}"


def quantity(n: int, one: str, few: str, many: str, gender: Gender = "m") -> str:
    """``n`` and the noun agreeing with it: "три дня", "одна заявка", "пять дней"."""
    return f"{cardinal(n, gender)} {plural(n, one, few, many)}"


def money(amount: Decimal) -> str:
    """Rubles and kopecks in words, rounded half up to the kopeck.

    Zero kopecks are not spoken, nor zero rubles when there are kopecks.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"money takes a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"cannot speak {amount} as money")
    kopecks_total = _round_to_kopecks(amount)
    rubles, kopecks = divmod(abs(kopecks_total), 100)
    parts = []
    if rubles or not kopecks:
        parts.append(quantity(rubles, "рубль", "рубля", "рублей"))
    if kopecks:
        parts.append(quantity(kopecks, "копейка", "копейки", "копеек", gender="f"))
    text = " ".join(parts)
    return f"{MINUS} {text}" if kopecks_total < 0 else text


def kilowatt_hours(n: int) -> str:
    """An energy amount: "один киловатт-час", "два киловатт-часа", "пять киловатт-часов"."""
    return quantity(n, "киловатт-час", "киловатт-часа", "киловатт-часов")


def reading(value: int) -> str:
    """A meter reading as a number (masculine); leading zeros of the dial are not spoken."""
    if value < 0:
        raise ValueError(f"a meter reading cannot be negative: {value}")
    return cardinal(value)


def date_phrase(
    d: datetime.date,
    with_year: bool = False,
    case: Literal["nominative", "genitive"] = "nominative",
) -> str:
    """Day and month: "двадцать пятое ноября"; with the year "… двадцать шестого года".

    The genitive is for dates inside a sentence: "до двадцать пятого ноября".
    """
    grammar = {"case": "g"} if case == "genitive" else {}
    day = str(num2words(d.day, lang="ru", to="ordinal", gender="n", **grammar))
    phrase = f"{day} {MONTHS_GENITIVE[d.month - 1]}"
    if with_year:
        year = str(num2words(d.year, lang="ru", to="ordinal", case="g"))
        phrase = f"{phrase} {year} года"
    return phrase


def time_phrase(t: datetime.time) -> str:
    """Hours and minutes: "два часа две минуты"; on the hour only "восемь часов"."""
    hours = quantity(t.hour, "час", "часа", "часов")
    if t.minute == 0:
        return hours
    return f"{hours} {quantity(t.minute, 'минута', 'минуты', 'минут', gender='f')}"


def digits(text: str) -> str:
    """Each digit as a word: "045" → "ноль четыре пять"; spaces, hyphens, brackets skipped."""
    return " ".join(DIGIT_WORDS[int(digit)] for digit in _only_digits(text))


def phone_number(number: str) -> str:
    """A phone number in the groups people say it in, separated by commas for a pause.

    11 digits go 1-3-3-2-2 ("восемь, восемьсот, …"), 6 digits 2-2-2; a group starting
    with zero is said digit by digit ("ноль два"); other lengths are all digit by digit.
    A leading "+" is said as "плюс".
    """
    number_digits = _only_digits(number.strip().removeprefix("+"))
    prefix = f"{PLUS} " if number.strip().startswith("+") else ""
    group_sizes = _PHONE_GROUPS.get(len(number_digits))
    if group_sizes is None:
        return prefix + digits(number_digits)
    groups = []
    start = 0
    for size in group_sizes:
        groups.append(number_digits[start : start + size])
        start += size
    return prefix + ", ".join(_phone_group(group) for group in groups)


def _phone_group(group: str) -> str:
    if len(group) > 1 and group.startswith("0"):
        return digits(group)
    return cardinal(int(group))


def _only_digits(text: str) -> str:
    kept = "".join(char for char in text if char not in _SEPARATORS)
    if not kept or any(char not in _DIGITS for char in kept):
        raise ValueError(f"not a string of digits: {text!r}")
    return kept


def _round_to_kopecks(amount: Decimal) -> int:
    """Whole kopecks, half away from zero, computed exactly from the Decimal's ratio."""
    if amount.is_zero() or amount.adjusted() < -3:
        return 0
    if abs(amount) > _LARGEST_SPOKEN:
        raise ValueError(f"{amount} is too large to speak")
    numerator, denominator = amount.as_integer_ratio()
    kopecks, remainder = divmod(abs(numerator) * 100, denominator)
    if 2 * remainder >= denominator:
        kopecks += 1
    return -kopecks if numerator < 0 else kopecks


def _num2words(n: int, gender: Gender = "m") -> str:
    return str(num2words(n, lang="ru", gender=gender))
