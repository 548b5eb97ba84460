"""Digits from Russian number words, as a speech recogniser hears them.

Callers say long numbers (account numbers, meter readings) in whatever chunks suit
them: "двенадцать тысяч триста сорок пять", digit by digit, or in pairs and triples
("двенадцать тридцать четыре пятьдесят шесть"). Words are read left to right into
number groups; a group grows while the next word can continue it the way Russian
numbers are built (hundreds, then tens, then units or a teen, then a scale word such as
"тысяча" and a smaller group), and a word that cannot continue it starts a new group.
"ноль" is always a group of its own. The digits of the groups, in order, are the answer.
A comma also ends a group, so what ``prompts.russian_numbers.phone_number`` says
parses back to the same digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class _Kind(Enum):
    ZERO = "zero"
    UNIT = "unit"
    TEEN = "teen"
    TEN = "ten"
    HUNDRED = "hundred"
    SCALE = "scale"


_WORDS_BY_KIND: dict[_Kind, dict[str, int]] = {
    _Kind.ZERO: {"ноль": 0, "нуль": 0},
    _Kind.UNIT: {
        "один": 1,
        "одна": 1,
        "одно": 1,
        "два": 2,
        "две": 2,
        "три": 3,
        "четыре": 4,
        "пять": 5,
        "шесть": 6,
        "семь": 7,
        "восемь": 8,
        "девять": 9,
    },
    _Kind.TEEN: {
        "десять": 10,
        "одиннадцать": 11,
        "двенадцать": 12,
        "тринадцать": 13,
        "четырнадцать": 14,
        "пятнадцать": 15,
        "шестнадцать": 16,
        "семнадцать": 17,
        "восемнадцать": 18,
        "девятнадцать": 19,
    },
    _Kind.TEN: {
        "двадцать": 20,
        "тридцать": 30,
        "сорок": 40,
        "пятьдесят": 50,
        "шестьдесят": 60,
        "семьдесят": 70,
        "восемьдесят": 80,
        "девяносто": 90,
    },
    _Kind.HUNDRED: {
        "сто": 100,
        "двести": 200,
        "триста": 300,
        "четыреста": 400,
        "пятьсот": 500,
        "шестьсот": 600,
        "семьсот": 700,
        "восемьсот": 800,
        "девятьсот": 900,
    },
    _Kind.SCALE: {
        "тысяча": 10**3,
        "тысячи": 10**3,
        "тысяч": 10**3,
        "миллион": 10**6,
        "миллиона": 10**6,
        "миллионов": 10**6,
        "миллиард": 10**9,
        "миллиарда": 10**9,
        "миллиардов": 10**9,
    },
}

NUMBER_WORDS: tuple[str, ...] = tuple(word for words in _WORDS_BY_KIND.values() for word in words)
"""Every word a number can be spoken with, for the recogniser's grammar."""

FILLER_WORDS: tuple[str, ...] = ("э", "ээ", "эээ", "ну")
"""Hesitations a caller may put between number words; they are skipped."""

_FOLLOWERS: dict[_Kind, frozenset[_Kind]] = {
    _Kind.ZERO: frozenset(),
    _Kind.UNIT: frozenset({_Kind.SCALE}),
    _Kind.TEEN: frozenset({_Kind.SCALE}),
    _Kind.TEN: frozenset({_Kind.UNIT, _Kind.SCALE}),
    _Kind.HUNDRED: frozenset({_Kind.TEN, _Kind.TEEN, _Kind.UNIT, _Kind.SCALE}),
    _Kind.SCALE: frozenset({_Kind.HUNDRED, _Kind.TEN, _Kind.TEEN, _Kind.UNIT, _Kind.SCALE}),
}
"""Which kinds of word may come next inside one number ("двести" + "тридцать" …)."""

_WORDS: dict[str, tuple[_Kind, int]] = {
    word: (kind, value) for kind, words in _WORDS_BY_KIND.items() for word, value in words.items()
}
_TOKEN = re.compile(r"[^\s,]+|,")


@dataclass
class _Group:
    """One number being built up: finished scale parts plus the current part below 1000."""

    last_kind: _Kind
    scaled_total: int = 0
    below_thousand: int = 0
    smallest_scale: int | None = None

    def can_take(self, kind: _Kind, value: int) -> bool:
        if kind not in _FOLLOWERS[self.last_kind]:
            return False
        if kind is _Kind.SCALE:
            return self.smallest_scale is None or value < self.smallest_scale
        return True

    def take(self, kind: _Kind, value: int) -> None:
        if kind is _Kind.SCALE:
            self.scaled_total += (self.below_thousand or 1) * value
            self.below_thousand = 0
            self.smallest_scale = value
        else:
            self.below_thousand += value
        self.last_kind = kind

    @property
    def value(self) -> int:
        return self.scaled_total + self.below_thousand


def parse_digits(text: str) -> str | None:
    """The digit string the caller said, or None if ``text`` holds any non-number word.

    "ноль четыре пять" → "045"; "сто двадцать три сорок пять" → "12345".
    """
    groups: list[_Group] = []
    current: _Group | None = None
    for token in _TOKEN.findall(text.lower().replace("ё", "е")):
        if token in FILLER_WORDS:
            continue
        if token == ",":
            current = None
            continue
        if token not in _WORDS:
            return None
        kind, value = _WORDS[token]
        if current is None or not current.can_take(kind, value):
            current = _Group(last_kind=kind)
            groups.append(current)
        current.take(kind, value)
    if not groups:
        return None
    return "".join(str(group.value) for group in groups)


def parse_number(text: str) -> int | None:
    """The number the caller said as an int ("ноль сорок пять" → 45), or None."""
    spoken_digits = parse_digits(text)
    return None if spoken_digits is None else int(spoken_digits)
