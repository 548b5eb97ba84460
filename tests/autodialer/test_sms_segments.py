"""How many SMS a text costs and where it is cut, against counts done by hand (AD-7)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from autodialer.sms_segments import SmsSplit, segments_for, split_sms
from tests.autodialer.smsc import GSM_BASIC, GSM_EXTENSION

CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
EXTENSION = "".join(GSM_EXTENSION.values())


def cyrillic(length: int) -> str:
    return "".join(CYRILLIC[index % len(CYRILLIC)] for index in range(length))


def test_160_gsm_characters_are_one_sms() -> None:
    assert split_sms("a" * 160) == SmsSplit("gsm7", ("a" * 160,), 160)


def test_161_gsm_characters_are_two_of_153_and_8() -> None:
    split = split_sms("a" * 161)
    assert split.encoding == "gsm7"
    assert [len(part) for part in split.parts] == [153, 8]
    assert (split.units, split.segments) == (161, 2)


def test_70_cyrillic_letters_are_one_sms() -> None:
    text = cyrillic(70)
    assert split_sms(text) == SmsSplit("ucs2", (text,), 70)


def test_71_cyrillic_letters_are_two_of_67_and_4() -> None:
    text = cyrillic(71)
    split = split_sms(text)
    assert split.encoding == "ucs2"
    assert split.parts == (text[:67], text[67:])
    assert (split.units, split.segments) == (71, 2)


def test_a_euro_sign_counts_two_septets() -> None:
    assert split_sms("€").units == 2
    assert segments_for("€" * 80) == 1
    assert [len(part) for part in split_sms("€" * 81).parts] == [76, 5]


def test_an_escape_pair_at_septet_153_goes_whole_to_the_next_part() -> None:
    text = "a" * 152 + "€" + "b" * 10
    split = split_sms(text)
    assert split.parts == ("a" * 152, "€" + "b" * 10)
    assert split.units == 164


def test_an_extension_character_that_still_fits_stays_in_one_sms() -> None:
    assert split_sms("a" * 158 + "[").segments == 1
    assert split_sms("a" * 159 + "[").parts == ("a" * 153, "a" * 6 + "[")


def test_an_emoji_at_unit_67_is_not_cut_in_half() -> None:
    text = cyrillic(66) + "😀" + cyrillic(5)
    split = split_sms(text)
    assert split.parts == (cyrillic(66), "😀" + cyrillic(5))
    assert split.units == 73


def test_an_empty_text_is_no_sms() -> None:
    assert split_sms("") == SmsSplit("gsm7", (), 0)
    assert segments_for("") == 0


def test_one_cyrillic_letter_makes_the_whole_text_ucs2() -> None:
    split = split_sms("Debt 1250 RUB, pay by 25.11. Спасибо")
    assert split.encoding == "ucs2"
    assert split.units == 36


def test_a_raw_escape_character_is_not_taken_for_gsm() -> None:
    assert split_sms("a\x1bb").encoding == "ucs2"


def test_parts_are_encoded_as_smpp_carries_them() -> None:
    assert split_sms("a€").encoded_parts() == (b"a\x1b\x65",)
    assert split_sms("Да").encoded_parts() == (b"\x04\x14\x04\x30",)


def septets(text: str) -> int:
    return sum(2 if char in EXTENSION else 1 for char in text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-be")) // 2


gsm_texts = st.text(alphabet=GSM_BASIC.replace("\x1b", "") + EXTENSION, max_size=700)
any_texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400)


@given(gsm_texts)
def test_gsm_parts_join_to_the_text_and_each_fits(text: str) -> None:
    split = split_sms(text)
    assert "".join(split.parts) == text
    assert split.units == septets(text)
    limit = 160 if split.segments == 1 else 153
    assert all(0 < septets(part) <= limit for part in split.parts)
    if septets(text) <= 160:
        assert split.segments == (1 if text else 0)
    for part, following in zip(split.parts, split.parts[1:], strict=False):
        assert septets(part) + septets(following[0]) > 153, "a part was cut short"


@given(any_texts)
def test_every_text_splits_into_parts_that_fit(text: str) -> None:
    split = split_sms(text)
    assert "".join(split.parts) == text
    if split.encoding == "ucs2":
        assert split.units == utf16_units(text)
        limit = 70 if split.segments == 1 else 67
        assert all(0 < utf16_units(part) <= limit for part in split.parts)
