"""The customer's zone read from the supply address."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from autodialer.customer_zone import PLACES, zone_of

TOMSK = ZoneInfo("Asia/Tomsk")


@pytest.mark.parametrize(
    ("address", "zone"),
    [
        ("г. Томск, пр. Ленина, д. 30, кв. 5", "Asia/Tomsk"),
        ("634050, Томская обл., г. Северск, ул. Победы, 1", "Asia/Tomsk"),
        ("ТОМСК, УЛ. КИЕВСКАЯ, 12", "Asia/Tomsk"),
        ("г. Омск, ул. Ленина, 10", "Asia/Omsk"),
        ("Омская область, Тарский р-н", "Asia/Omsk"),
        ("г. Новосибирск, Красный пр-т, 1", "Asia/Novosibirsk"),
        ("Новосибирская обл., г. Бердск, ул. Ленина, 3", "Asia/Novosibirsk"),
        ("Кемеровская область - Кузбасс, г. Кемерово, пр. Советский, 5", "Asia/Novokuznetsk"),
        ("г. Новокузнецк, ул. Кирова, 71", "Asia/Novokuznetsk"),
        ("г. Москва, ул. Тверская, 1", "Europe/Moscow"),
        ("Московская обл., г. Химки", "Europe/Moscow"),
        ("г. Красноярск, ул. Мира, 2", "Asia/Krasnoyarsk"),
        ("Республика Хакасия, г. Абакан", "Asia/Krasnoyarsk"),
        ("г. Иркутск, ул. Карла Маркса, 1", "Asia/Irkutsk"),
        ("г. Екатеринбург, ул. Малышева, 1", "Asia/Yekaterinburg"),
        ("Свердловская обл., г. Нижний Тагил", "Asia/Yekaterinburg"),
        ("Республика Алтай, г. Горно-Алтайск", "Asia/Barnaul"),
        ("Алтайский край, г. Бийск", "Asia/Barnaul"),
        ("г. Барнаул, пр. Ленина, 1", "Asia/Barnaul"),
        ("г. Тюмень, ул. Республики, 1", "Asia/Yekaterinburg"),
        ("Ханты-Мансийский автономный округ - Югра, г. Сургут", "Asia/Yekaterinburg"),
        ("Ямало-Ненецкий автономный округ, г. Салехард", "Asia/Yekaterinburg"),
        ("г. Калининград, Московский пр-т, 1", "Europe/Kaliningrad"),
        ("г. Самара, ул. Куйбышева, 1", "Europe/Samara"),
        ("г. Чита, ул. Ленина, 1", "Asia/Chita"),
        ("Республика Саха (Якутия), г. Якутск", "Asia/Yakutsk"),
        ("г. Владивосток, ул. Светланская, 1", "Asia/Vladivostok"),
        ("г. Южно-Сахалинск, ул. Ленина, 1", "Asia/Sakhalin"),
        ("г. Магадан, пр. Карла Маркса, 1", "Asia/Magadan"),
        ("г. Петропавловск-Камчатский, ул. Ленинская, 1", "Asia/Kamchatka"),
        ("Чукотский АО, г. Анадырь", "Asia/Anadyr"),
    ],
)
def test_cities_and_regions(address: str, zone: str) -> None:
    assert zone_of(address, "", TOMSK) == ZoneInfo(zone)


@pytest.mark.parametrize(
    ("address", "zone"),
    [
        ("г. Томск, ул. Омская, 5", "Asia/Tomsk"),
        ("г. Омск, ул. Томская, 5", "Asia/Omsk"),
        ("Томск, Московский тракт, 8", "Asia/Tomsk"),
        ("Московский тракт, 8, Томск", "Asia/Tomsk"),
        ("г. Томск, Иркутский тракт, 40", "Asia/Tomsk"),
        ("ул. Алтайская, 12, г. Томск", "Asia/Tomsk"),
        ("ул. Новосибирская, 3", "Asia/Tomsk"),
        ("пр. Кирова, 5", "Asia/Tomsk"),
        ("г. Томск, Кировский район", "Asia/Tomsk"),
        ("Омск", "Asia/Omsk"),
        ("омский", "Asia/Omsk"),
        ("Ёкатеринбург", "Asia/Yekaterinburg"),
    ],
)
def test_streets_named_after_places_name_nothing(address: str, zone: str) -> None:
    assert zone_of(address, "", TOMSK) == ZoneInfo(zone)


def test_the_area_helps_when_the_address_names_no_place() -> None:
    assert zone_of("ул. Ленина, 5", "Новосибирская обл.", TOMSK) == ZoneInfo("Asia/Novosibirsk")
    assert zone_of("г. Омск, ул. Ленина, 5", "Новосибирская обл.", TOMSK) == ZoneInfo("Asia/Omsk")
    assert zone_of("ул. Ленина, 5", "Кировский район", TOMSK) == TOMSK


def test_no_place_is_the_region_s_zone() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    assert zone_of("", "", moscow) == moscow
    assert zone_of("с. Богашёво, ул. Новая, 1", "Томский район", moscow) == TOMSK
    assert zone_of("д. 5, кв. 12", "", moscow) == moscow


def test_every_zone_of_the_table_exists_and_all_eleven_offsets_are_covered() -> None:
    zones = {ZoneInfo(name) for _, name in PLACES}
    offsets = {zone.utcoffset(datetime(2026, 1, 15)) for zone in zones}
    assert len(offsets) == 11
