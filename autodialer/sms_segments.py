"""How an SMS text travels: in GSM 03.38 septets or in UCS-2, and in how many parts (AD-7).

A part of a concatenated SMS gives room to its header: 160 septets alone, 153 each when
there are more; in UCS-2, 70 characters alone, 67 each. A character of the extension table
(``^{}\\[~]|€`` and form feed) takes two septets, an escape and the character, and the
pair is never split across parts; nor is a UTF-16 surrogate pair (an emoji, two units).
Any character outside the GSM set (a Cyrillic letter) makes the whole text UCS-2.

Counting and splitting are smsutil's, which gets these boundaries right; an escape
character written into the text itself is not taken as GSM (it would swallow the next)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import smsutil  # type: ignore[import-untyped]
from smsutil.codecs import is_valid_gsm  # type: ignore[import-untyped]

Encoding = Literal["gsm7", "ucs2"]
GSM_ESCAPE = "\x1b"


@dataclass(frozen=True)
class SmsSplit:
    encoding: Encoding
    parts: tuple[str, ...]
    """The text of each part, in order; joined they give the whole text."""
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text."""

    @property
    def segments(self) -> int:
        """How many SMS go on the air and are paid for; 0 for an empty text."""
        return len(self.parts)

    def encoded_parts(self) -> tuple[bytes, ...]:
        """Each part as it goes in ``short_message``: GSM 03.38 one septet per octet
        (escape pairs as two), or UTF-16 big-endian."""
        codec = "gsm0338" if self.encoding == "gsm7" else "utf-16-be"
        return tuple(part.encode(codec) for part in self.parts)


def is_gsm7(text: str) -> bool:
    return GSM_ESCAPE not in text and bool(is_valid_gsm(text))


def split_sms(text: str) -> SmsSplit:
    if not text:
        return SmsSplit("gsm7", (), 0)
    gsm = is_gsm7(text)
    result = smsutil.gsm_split(text) if gsm else smsutil.unicode_split(text)
    parts = tuple(str(part.content) for part in result.parts)
    octets = int(result.total_bytes)
    return SmsSplit("gsm7", parts, octets) if gsm else SmsSplit("ucs2", parts, octets // 2)


def segments_for(text: str) -> int:
    return split_sms(text).segments
