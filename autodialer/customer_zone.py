"""The customer's time zone from the supply address: calling windows are the customer's
local time (AD-8), and a customer of a Tomsk retailer may live in Novosibirsk.

An address is read word by word, never by substring ("Томск" holds "омск"). A place
word names the zone when it is marked as a city or region ("г. Томск", "Кемеровская
обл.", "Республика Алтай") or stands bare ("Томск, ул. Ленина"); a word next to a street
marker is a street ("Московский тракт", "ул. Алтайская") and names nothing. The first
marked place wins, else the first bare one; then the area; then the region's zone.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import ZoneInfo

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

PLACES: tuple[tuple[str, str], ...] = (
    # UTC+2
    (r"калининград\w*", "Europe/Kaliningrad"),
    # UTC+3
    (r"москв\w*|московск\w*|подмосков\w*", "Europe/Moscow"),
    (r"санкт-петербург\w*|петербург\w*|ленинградск\w*", "Europe/Moscow"),
    (r"казан\w*|татарстан\w*", "Europe/Moscow"),
    (r"новгород\w*|нижегородск\w*|ненецк\w*|нарьян-мар", "Europe/Moscow"),
    (r"ростов-на-дону|ростовск\w*", "Europe/Moscow"),
    (r"краснодар\w*|кубан\w*", "Europe/Moscow"),
    (r"воронеж\w*", "Europe/Moscow"),
    (r"волгоград\w*", "Europe/Volgograd"),
    (r"киров|кировск(?:ая|ой|ую)", "Europe/Kirov"),
    # UTC+4
    (r"самар\w*", "Europe/Samara"),
    (r"ижевск\w*|удмурт\w*", "Europe/Samara"),
    (r"саратов\w*", "Europe/Saratov"),
    (r"ульяновск\w*", "Europe/Ulyanovsk"),
    (r"астрахан\w*", "Europe/Astrakhan"),
    # UTC+5
    (r"екатеринбург\w*|свердловск\w*", "Asia/Yekaterinburg"),
    (r"челябинск\w*", "Asia/Yekaterinburg"),
    (r"тюмен\w*|тобольск\w*", "Asia/Yekaterinburg"),
    (r"ханты\w*|ханты-мансийск\w*|югр\w*|сургут\w*|нижневартовск\w*", "Asia/Yekaterinburg"),
    (r"ямал\w*|ямало-ненецк\w*|салехард\w*|уренго\w*", "Asia/Yekaterinburg"),
    (r"перм\w*|уф\w|башкир\w*|башкортостан\w*", "Asia/Yekaterinburg"),
    (r"оренбург\w*|курган\w*", "Asia/Yekaterinburg"),
    # UTC+6
    (r"омск\w*", "Asia/Omsk"),
    # UTC+7
    (r"томск\w*|северск|стрежев\w*|колпашев\w*|асино", "Asia/Tomsk"),
    (r"новосибирск\w*|бердск\w*|искитим\w*", "Asia/Novosibirsk"),
    (r"кемеров\w*|кузбасс\w*|новокузнецк\w*|прокопьевск\w*", "Asia/Novokuznetsk"),
    (r"междуреченск\w*|ленинск-кузнецк\w*|белово", "Asia/Novokuznetsk"),
    (r"алта\w*|горно-алтайск\w*|барнаул\w*|бийск\w*|рубцовск\w*", "Asia/Barnaul"),
    (r"красноярск\w*|норильск\w*|ачинск\w*", "Asia/Krasnoyarsk"),
    (r"хакас\w*|абакан\w*|тыв\w*|тув\w*|кызыл\w*", "Asia/Krasnoyarsk"),
    # UTC+8
    (r"иркутск\w*|братск\w*|ангарск\w*", "Asia/Irkutsk"),
    (r"бурят\w*|улан-удэ", "Asia/Irkutsk"),
    # UTC+9
    (r"чит\w|забайкал\w*", "Asia/Chita"),
    (r"якут\w*|саха|амурск(?:ая|ой|ую)|благовещенск\w*", "Asia/Yakutsk"),
    # UTC+10
    (r"владивосток\w*|приморск(?:ий|ого|ом)|хабаровск\w*", "Asia/Vladivostok"),
    (r"комсомольск-на-амуре|биробиджан\w*|еврейск\w*", "Asia/Vladivostok"),
    # UTC+11
    (r"магадан\w*|колым\w*", "Asia/Magadan"),
    (r"сахалин\w*|южно-сахалинск\w*", "Asia/Sakhalin"),
    # UTC+12
    (r"камчат\w*|петропавловск-камчатск\w*", "Asia/Kamchatka"),
    (r"чукот\w*|анадыр\w*", "Asia/Anadyr"),
)
"""Region and city words (lower case, ё as е) and the zone they name."""

CITY_MARKERS = frozenset({"г", "гор", "город", "респ", "республика"})
"""A word before the place that says it is a city or a region."""
REGION_MARKERS = frozenset(
    {"обл", "область", "области", "край", "края", "республика", "ао", "округ", "автономный"}
)
"""A word after the place that says it is a region."""
STREET_MARKERS = frozenset(
    {
        "ул", "улица", "пр", "пр-т", "пр-кт", "проспект", "пер", "переулок", "тракт", "ш",
        "шоссе", "б-р", "бульвар", "наб", "набережная", "пл", "площадь", "проезд", "туп",
        "тупик", "аллея", "мкр", "мкрн", "микрорайон", "кв-л", "квартал", "ст", "станция",
    }
)  # fmt: skip
"""A word before or after the place that says it is a street (or a station)."""

_PLACES = tuple((re.compile(pattern), name) for pattern, name in PLACES)


def zone_of(address: str, area: str, default: ZoneInfo) -> ZoneInfo:
    """The zone of the first place ``address`` names, else ``area``'s, else ``default``."""
    return _zone_in(address) or _zone_in(area) or default


def _zone_in(text: str) -> ZoneInfo | None:
    words = [word.lower().replace("ё", "е") for word in WORD.findall(text)]
    bare: ZoneInfo | None = None
    for index, word in enumerate(words):
        zone = _place_zone(word)
        if zone is None:
            continue
        before = words[index - 1] if index else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        if before in CITY_MARKERS or after in REGION_MARKERS:
            return zone
        if bare is None and before not in STREET_MARKERS and after not in STREET_MARKERS:
            bare = zone
    return bare


@cache
def _place_zone(word: str) -> ZoneInfo | None:
    for pattern, name in _PLACES:
        if pattern.fullmatch(word):
            return ZoneInfo(name)
    return None
